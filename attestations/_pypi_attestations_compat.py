"""Every use of pypi-attestations' private API, in one place.

PEP 740 verification needs the publisher's own verification policy and the library's rule for
when two distribution filenames name the same release; both are private in pypi-attestations.
The pin in pyproject.toml is as narrow as these names require;
``tests/attestations/test_compat.py`` fails loudly when an upgrade moves one.
"""

from __future__ import annotations

from typing import Any

from pypi_attestations._impl import _check_dist_filename
from sigstore.verify.policy import VerificationPolicy

__all__ = ["publisher_policy", "same_distribution"]


def publisher_policy(publisher: Any) -> VerificationPolicy:
    """The sigstore policy a PEP 740 publisher stands for (``Publisher._as_policy()``)."""
    policy: VerificationPolicy = publisher._as_policy()
    return policy


def same_distribution(first: str, second: str) -> bool:
    """Whether two filenames name the same distribution file, as pypi-attestations judges it.

    Raises the library's ``InvalidWheelFilename`` / ``InvalidSdistFilename`` / ``ValueError``
    for a name that is not a distribution filename.
    """
    return bool(_check_dist_filename(first) == _check_dist_filename(second))
