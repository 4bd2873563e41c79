"""Version order: PEP 440 for PyPI, SemVer for npm; never string order."""

from __future__ import annotations

import pytest

from scanner.checks.versions import version_key


@pytest.mark.parametrize("ecosystem", ["pypi", "npm"])
def test_numeric_not_string_order(ecosystem: str) -> None:
    versions = ["1.10.0", "1.9.0", "1.2.0", "10.0.0"]
    ordered = sorted(versions, key=lambda v: version_key(ecosystem, v))
    assert ordered == ["1.2.0", "1.9.0", "1.10.0", "10.0.0"]


def test_pep440_pre_and_post_releases() -> None:
    versions = ["1.0.post1", "1.0", "1.0rc1", "1.0a2", "1.0.dev0"]
    ordered = sorted(versions, key=lambda v: version_key("pypi", v))
    assert ordered == ["1.0.dev0", "1.0a2", "1.0rc1", "1.0", "1.0.post1"]


def test_semver_prereleases_sort_before_their_release() -> None:
    # The SemVer 2.0 spec's own example, shuffled.
    versions = [
        "1.0.0",
        "1.0.0-rc.1",
        "1.0.0-beta.11",
        "1.0.0-alpha",
        "1.0.0-beta.2",
        "1.0.0-alpha.1",
        "1.0.0-beta",
        "1.0.0-alpha.beta",
    ]
    ordered = sorted(versions, key=lambda v: version_key("npm", v))
    assert ordered == [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
    ]


def test_unparseable_versions_sort_first_never_crash() -> None:
    assert version_key("npm", "not-a-version") < version_key("npm", "0.0.1")
    assert version_key("pypi", "???") < version_key("pypi", "0.0.1")
    assert version_key("pypi", None) < version_key("pypi", "0")
