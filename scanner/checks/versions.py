"""Version order per ecosystem: PEP 440 for PyPI, SemVer 2.0 for npm. Never string order
(as strings, 1.9.0 sorts after 1.10.0)."""

from __future__ import annotations

import re

from packaging.version import InvalidVersion, Version

_SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")

# (rank, key): rank 0 for versions that do not parse, which sort first (as the least trusted
# "newest"); parsed versions compare by their proper key.
VersionKey = tuple[int, object]


def version_key(ecosystem: str, version: str | None) -> VersionKey:
    """A sort key that orders ``version`` the way its ecosystem does."""
    if version is None:
        return (0, "")
    if ecosystem == "npm":
        return _semver_key(version)
    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def _semver_key(version: str) -> VersionKey:
    m = _SEMVER.match(version.strip())
    if m is None:
        return (0, version)
    major, minor, patch = int(m[1]), int(m[2]), int(m[3])
    pre = m[4]
    if pre is None:
        # A release sorts after all of its pre-releases.
        return (1, (major, minor, patch, 1, ()))
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (1, (major, minor, patch, 0, parts))
