"""Every use of sigstore's private API, in one place.

sigstore-python exposes no public call for checking a legacy npm bundle piece by piece (SCT,
Merkle inclusion, checkpoint) or for reading a ``Verifier``'s trusted root, so chainwatch reaches
into ``sigstore._internal`` and two private attributes. The pin in pyproject.toml is as narrow as
these names require; ``tests/attestations/test_compat.py`` fails loudly when an upgrade moves one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sigstore._internal.merkle import verify_merkle_inclusion
from sigstore._internal.rekor.checkpoint import verify_checkpoint
from sigstore._internal.sct import verify_sct
from sigstore._internal.trust import KeyringPurpose
from sigstore.models import TransparencyLogEntry, TrustedRoot
from sigstore.verify import Verifier
from sigstore_models.rekor.v1 import TransparencyLogEntry as _EntryInner

from attestations.errors import TrustRootError

__all__ = [
    "KeyringPurpose",
    "log_entry",
    "rekor_logs",
    "trusted_root_of",
    "verify_checkpoint",
    "verify_merkle_inclusion",
    "verify_sct",
]


def log_entry(entry: Mapping[str, Any]) -> TransparencyLogEntry:
    """A sigstore ``TransparencyLogEntry`` built from a bundle's JSON ``tlogEntries`` item."""
    return TransparencyLogEntry(_EntryInner.from_dict(dict(entry)))


def rekor_logs(root: TrustedRoot) -> Iterable[Any]:
    """The transparency-log instances of a trusted root (sigstore 4.x keeps them in ``_inner``)."""
    return tuple(root._inner.tlogs)


def trusted_root_of(verifier: Verifier) -> TrustedRoot:
    """The trusted root a verifier was built with (sigstore 4.x keeps it in ``_trusted_root``)."""
    root = getattr(verifier, "_trusted_root", None)
    if not isinstance(root, TrustedRoot):
        raise TrustRootError(
            "this sigstore Verifier does not expose its trusted root",
            hint="install the sigstore version pinned in chainwatch's pyproject.toml",
        )
    return root
