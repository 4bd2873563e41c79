"""The private APIs chainwatch borrows, each checked against the installed library.

Every name below lives in ``attestations/_sigstore_compat.py`` or
``attestations/_pypi_attestations_compat.py``. When an upgrade of sigstore, sigstore-models or
pypi-attestations moves or reshapes one, a test here fails and names it, before a scan can quietly
mis-verify.
"""

from __future__ import annotations

import inspect
import json

import pytest
from packaging.utils import InvalidSdistFilename, InvalidWheelFilename
from pypi_attestations import GitHubPublisher
from sigstore.models import TransparencyLogEntry, TrustedRoot
from sigstore.verify import Verifier
from sigstore.verify.policy import VerificationPolicy

from attestations import _pypi_attestations_compat as pypi_compat
from attestations import _sigstore_compat as sigstore_compat
from attestations.errors import TrustRootError
from tests.attestations.conftest import NPM


def test_trusted_root_of_returns_the_root_the_verifier_was_built_with(verifier: Verifier) -> None:
    root = sigstore_compat.trusted_root_of(verifier)
    assert isinstance(root, TrustedRoot)
    assert root is verifier._trusted_root  # the attribute the compat module relies on


def test_trusted_root_of_fails_loudly_without_the_attribute() -> None:
    class NotAVerifier:
        pass

    with pytest.raises(TrustRootError, match="does not expose its trusted root"):
        sigstore_compat.trusted_root_of(NotAVerifier())  # type: ignore[arg-type]


def test_rekor_logs_have_the_fields_the_set_check_reads(verifier: Verifier) -> None:
    logs = sigstore_compat.rekor_logs(sigstore_compat.trusted_root_of(verifier))
    assert logs, "the production root lists no transparency logs"
    for tlog in logs:
        assert isinstance(tlog.log_id.key_id, bytes)
        assert tlog.public_key.raw_bytes
        assert hasattr(tlog.public_key, "valid_for")


def test_log_entry_builds_from_a_real_bundle_entry() -> None:
    bundle = json.loads((NPM / "sigstore-js_bundleV02-dsse.sigstore").read_text())
    raw = bundle["verificationMaterial"]["tlogEntries"][0]
    entry = sigstore_compat.log_entry(raw)
    assert isinstance(entry, TransparencyLogEntry)
    assert entry._inner.log_index == int(raw["logIndex"])


@pytest.mark.parametrize(
    ("func", "params"),
    [
        (sigstore_compat.verify_sct, ["cert", "chain", "ct_keyring"]),
        (sigstore_compat.verify_merkle_inclusion, ["entry"]),
        (sigstore_compat.verify_checkpoint, ["rekor_keyring", "entry"]),
    ],
)
def test_sigstore_internal_functions_keep_their_parameters(func: object, params: list[str]) -> None:
    assert callable(func)
    assert list(inspect.signature(func).parameters) == params


def test_keyring_purpose_has_verify() -> None:
    assert sigstore_compat.KeyringPurpose.VERIFY.name == "VERIFY"


def test_publisher_policy_is_a_sigstore_policy() -> None:
    publisher = GitHubPublisher(repository="trailofbits/pypi-attestations", workflow="release.yml")
    policy: VerificationPolicy = pypi_compat.publisher_policy(publisher)
    # VerificationPolicy is a plain Protocol: check the one method sigstore calls on it.
    assert callable(policy.verify)
    assert list(inspect.signature(policy.verify).parameters) == ["cert"]


def test_same_distribution_follows_the_filename_rules() -> None:
    wheel = "rfc8785-0.1.2-py3-none-any.whl"
    assert pypi_compat.same_distribution(wheel, wheel)
    assert pypi_compat.same_distribution("RFC8785-0.1.2-py3-none-any.whl", wheel)
    assert not pypi_compat.same_distribution("rfc8785-0.1.3-py3-none-any.whl", wheel)
    with pytest.raises((InvalidWheelFilename, InvalidSdistFilename, ValueError)):
        pypi_compat.same_distribution("not-a-distribution.txt", wheel)
