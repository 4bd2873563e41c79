"""The scan emits the risk signals that need its clock, the agent's pins or the name list."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from scanner._testing.fixture_server import FixtureRegistry
from scanner.scan import ScanResult

from .conftest import RECORDED, fleet, scan


def _by_code(result: ScanResult, code: str) -> dict[str, dict[str, str]]:
    return {f.subject: dict(f.evidence) for _, f in result.findings if f.code == code}


def test_release_age_uses_the_scan_clock_and_the_configured_age(
    registry: FixtureRegistry, tmp_path: Path
) -> None:
    # zod 4.6.7 was published on 2026-10-12; the fixtures were recorded on 2026-11-26.
    inventory = fleet(tmp_path, {"zod": ["npx", "-y", "zod@4.6.7"]})
    month = scan(registry, inventory, tmp_path, min_release_age=timedelta(days=60))
    young = _by_code(month, "CW216")
    assert set(young) == {"pkg:npm/zod@4.6.7"}
    assert young["pkg:npm/zod@4.6.7"]["published"] == "2026-10-12T16:29:37+00:00"
    assert (
        _by_code(scan(registry, inventory, tmp_path, min_release_age=timedelta(days=30)), "CW216")
        == {}
    )
    # The same release, scanned with a clock one day after its publication: young at 7 days.
    day_after = scan(
        registry, inventory, tmp_path, clock=lambda: RECORDED.replace(month=10, day=13)
    )
    assert set(_by_code(day_after, "CW216")) == {"pkg:npm/zod@4.6.7"}


def test_typosquat_and_unpinned_script_reach_the_findings(
    registry: FixtureRegistry, tmp_path: Path
) -> None:
    script = tmp_path / "tool.py"
    script.write_text("print('hello')\n")
    inventory = fleet(
        tmp_path,
        {
            "squat": ["npx", "-y", "@modelcontextprotocol/server-filesytem@2025.8.21"],
            "script": ["python", str(script)],
            "fine": ["npx", "-y", "zod@4.6.7"],
        },
    )
    result = scan(registry, inventory, tmp_path)
    squats = _by_code(result, "CW109")
    assert squats == {
        "pkg:npm/%40modelcontextprotocol/server-filesytem@2025.8.21": {
            "imitates": "@modelcontextprotocol/server-filesystem",
            "technique": "edit-distance",
            "distance": "1",
        }
    }
    unpinned = _by_code(result, "CW110")
    assert [e["path"] for e in unpinned.values()] == [str(script)]
