"""Risk signals from registry facts, on real recorded registry answers (fixtures/registry).

Where no recorded release carries a signal (npm deprecation, install scripts, a PEP 792 status),
a real answer is changed in exactly that one field, as the registry would serve it.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from scanner.checks.codes import Code
from scanner.checks.risk import local_script_unpinned, release_age_finding, release_risks
from scanner.demo import recorded_at
from scanner.models import Component, EvidenceKind, Severity, VersionEvidence
from scanner.registry.interface import ReleaseFacts
from scanner.registry.npm import parse_packument
from scanner.registry.pypi import parse_simple
from tests.checks._values import component

REGISTRY = Path(__file__).resolve().parents[2] / "fixtures" / "registry"
URL = "https://registry.example.invalid/"


def _pypi(name: str, version: str, **page: Any) -> ReleaseFacts:
    data = json.loads((REGISTRY / "pypi" / "simple" / f"{name}.json").read_text())
    data.update(page)
    return parse_simple(URL, data, name=name).releases[version]


def _npm(name: str, version: str, **fields: Any) -> ReleaseFacts:
    data = json.loads((REGISTRY / "npm" / f"{name}.json").read_text())
    data["versions"][version].update(fields)
    return parse_packument(URL, data, name=name).releases[version]


def _codes(release: ReleaseFacts) -> dict[str, Any]:
    c = component(release.name, release.version, release.ecosystem)
    return {f.code: f for f in release_risks(c, release)}


def test_yanked_release_is_cw208_with_the_registrys_reason() -> None:
    found = _codes(_pypi("requests", "2.32.1"))
    assert set(found) == {Code.YANKED.value}
    assert "CVE-2024-35195" in dict(found[Code.YANKED.value].evidence)["reason"]
    assert _codes(_pypi("requests", "2.31.0")) == {}  # the release before it: nothing to say


def test_deprecated_npm_release_is_cw209() -> None:
    found = _codes(_npm("zod", "4.6.7", deprecated="use zod@5"))
    assert set(found) == {Code.DEPRECATED.value}
    assert "use zod@5" in found[Code.DEPRECATED.value].message
    assert _codes(_npm("zod", "4.6.7")) == {}


def test_install_scripts_are_cw210_naming_each_script() -> None:
    scripts = {"postinstall": "node setup.js", "test": "vitest"}
    found = _codes(_npm("zod", "4.6.7", scripts=scripts))
    assert set(found) == {Code.INSTALL_SCRIPTS.value}
    assert "postinstall" in found[Code.INSTALL_SCRIPTS.value].message
    assert "test" not in found[Code.INSTALL_SCRIPTS.value].message  # not an install hook


@pytest.mark.parametrize(
    ("status", "severity"),
    [("quarantined", Severity.CRITICAL), ("archived", Severity.MEDIUM)],
)
def test_quarantined_or_archived_project_is_cw211(status: str, severity: Severity) -> None:
    release = _pypi("mcp-server-fetch", "2025.4.7", **{"project-status": {"status": status}})
    found = _codes(release)
    assert set(found) == {Code.PROJECT_STATUS.value}
    assert found[Code.PROJECT_STATUS.value].severity is severity
    active = _pypi("mcp-server-fetch", "2025.4.7", **{"project-status": {"status": "active"}})
    assert _codes(active) == {}


def test_a_release_younger_than_the_minimum_age_is_cw216() -> None:
    # pydantic 2.14.4's first file was uploaded 6.9 days before the fixtures were recorded.
    release = _pypi("pydantic", "2.14.4")
    c = component("pydantic", "2.14.4", "pypi")
    now = recorded_at()
    found = release_age_finding(c, release, now, timedelta(days=7))
    assert found is not None and found.code == Code.RECENT_RELEASE.value
    evidence = dict(found.evidence)
    assert evidence["published"] == "2026-11-19T12:57:37+00:00"
    assert 160 < float(evidence["age_hours"]) < 168 and evidence["min_age_hours"] == "168.0"
    # The age is configurable: a policy of 3 days, or none, says nothing about the same release.
    assert release_age_finding(c, release, now, timedelta(days=3)) is None
    assert release_age_finding(c, release, now, timedelta(0)) is None
    # The clock is injected: a week later the same release is old enough.
    assert release_age_finding(c, release, now + timedelta(days=1), timedelta(days=7)) is None


def test_npm_release_age_comes_from_the_packument_time() -> None:
    release = _npm("zod", "4.6.7")
    assert release.published is not None
    c = component("zod", "4.6.7")
    just_after = release.published + timedelta(hours=5)
    found = release_age_finding(c, release, just_after, timedelta(days=2))
    assert found is not None and "5 hours ago" in found.message


def test_a_release_without_a_publish_time_has_no_age_finding() -> None:
    release = ReleaseFacts("npm", "x", "1.0.0")
    assert release_age_finding(component("x", "1.0.0"), release, recorded_at()) is None


def _script(version: str | None) -> Component:
    return Component(
        "pkg:generic/runbook_server.py",
        "local",
        "runbook_server.py",
        version,
        VersionEvidence(EvidenceKind.COMMAND_PIN),
        path="/srv/agents/runbook_server.py",
    )


def test_a_hashed_local_script_without_a_pin_is_cw110() -> None:
    digest = "035346aeec56614f453f4851740a20b439e12f3570401e27f7bf50bf9bfa0b4e"
    found = local_script_unpinned(_script(f"sha256:{digest}"), {})
    assert found is not None and found.code == Code.LOCAL_SCRIPT_UNPINNED.value
    assert dict(found.evidence) == {"path": "/srv/agents/runbook_server.py", "sha256": digest}
    pinned = {"runbook_server.py": f"sha256:{digest}"}
    assert local_script_unpinned(_script(f"sha256:{digest}"), pinned) is None
    assert local_script_unpinned(_script(None), {}) is None  # missing: CW103's business
    assert local_script_unpinned(component("zod", "4.6.7"), {}) is None  # not a script
