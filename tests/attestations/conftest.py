"""Fixtures for the attestations tests: real bundles, pinned trust roots, registry keys."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sigstore.models import TrustedRoot
from sigstore.verify import Verifier

from attestations.digests import to_sri
from attestations.registry_keys import RegistryKey, parse_registry_keys
from attestations.trustroot import load_trusted_root, make_verifier

ATT = Path(__file__).resolve().parents[2] / "fixtures" / "attestations"
PYPI = ATT / "pypi"
NPM = ATT / "npm"
SIGSTORE = ATT / "sigstore"
# The shipped root's side file says it was pinned on 2026-11-26; tests run "on" that day.
FROZEN_NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

SDIST = "pypi_attestations-0.0.19.tar.gz"
WHEEL = "rfc8785-0.1.2-py3-none-any.whl"
# pacote's fixtures attest sigstore@0.4.0 with this tarball sha512 (pacote's own test value).
PACOTE_INTEGRITY = to_sri(
    "sha512",
    "282c0c5fa936d264321643581b65d3de5c0af6ed4fdfac12f5851115df39cc25"
    "cfaf0ad22d908487bfef30114d61c25746206d1834be4f8fd1659178f77cc004",
)


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def verifier() -> Verifier:
    """A verifier over the shipped production trusted root."""
    return make_verifier(load_trusted_root(now=FROZEN_NOW))


@pytest.fixture(scope="session")
def staging_verifier() -> Verifier:
    """A verifier over sigstore 4.5.1's staging root (the rfc8785 attestations use it)."""
    return make_verifier(
        TrustedRoot.from_file(str(SIGSTORE / "trusted_root.staging.sigstore-python-4.5.1.json"))
    )


@pytest.fixture(scope="session")
def keys_doc() -> dict[str, Any]:
    """npm/cli's registry keys and dist objects (sigstore@1.0.0, tuf-js@1.0.0)."""
    data: dict[str, Any] = json.loads((NPM / "npm-cli_audit_registry-keys.json").read_text())
    return data


@pytest.fixture(scope="session")
def registry_keys(keys_doc: dict[str, Any]) -> tuple[RegistryKey, ...]:
    """The parsed registry keys."""
    return parse_registry_keys(keys_doc)
