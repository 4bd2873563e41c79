"""baseline accept, diff and rescan end to end: the demo fleet copied and edited, the loopback
registry, a real SQLite store, a fixed clock."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scanner._cli import main
from scanner._testing.fixture_server import FixtureRegistry
from scanner.store import open_store
from tests.cli._clock import fixed_obj
from tests.conftest import FIXTURES, db_arg


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Every installer's settings name the loopback registry; the home is empty."""
    with FixtureRegistry() as registry:
        simple = registry.url("pypi", "simple/")
        yield {
            "HOME": str(tmp_path / "home"),
            "XDG_CONFIG_HOME": str(tmp_path / "home" / ".config"),
            "PIP_INDEX_URL": simple,
            "UV_INDEX_URL": simple,
            "UV_DEFAULT_INDEX": simple,
            "npm_config_registry": registry.url("npm"),
        }


def _run(env: dict[str, str], db: Path, *args: str) -> Result:
    return CliRunner(env=env).invoke(main, ["--db", db_arg(db), *args], obj=fixed_obj())


def _scan(env: dict[str, str], db: Path, fleet: Path, cache: Path) -> None:
    result = _run(
        env,
        db,
        "scan",
        str(fleet),
        "--cache-dir",
        str(cache),
        "--fail-on",
        "never",
        "--allow-unchecked",
        "--format",
        "json",
    )
    assert result.exit_code in (0, 1, 4), result.output


def test_edited_lockfile_digest_is_a_critical_change_with_file_and_line(
    tmp_path: Path, env: dict[str, str], store_db
) -> None:
    fleet = tmp_path / "demo"
    shutil.copytree(FIXTURES / "demo", fleet)
    db, cache = store_db, tmp_path / "cache"
    _scan(env, db, fleet, cache)
    accepted = _run(env, db, "baseline", "accept")
    assert accepted.exit_code == 0, accepted.output
    assert "coder" in accepted.output
    same = _run(env, db, "diff", "--format", "json")
    assert same.exit_code == 0, same.output  # nothing changed yet
    assert json.loads(same.output)["changes"] == []

    lock = fleet / "coder" / "package-lock.json"
    lines = lock.read_text().splitlines(keepends=True)
    line_no = next(i for i, line in enumerate(lines, 1) if '"integrity"' in line)
    old = lines[line_no - 1]
    # The entry the digest belongs to starts at its "node_modules/..." key: the line reported.
    entry = max(i for i, line in enumerate(lines[:line_no], 1) if '"node_modules/' in line)
    # Another well-formed sha512 (of other bytes): the same version now locks other content.
    value = old.split('"integrity": "', 1)[1].split('"', 1)[0]
    edited = "sha512-" + ("A" * 4 + value[len("sha512-") + 4 :])
    lines[line_no - 1] = old.replace(value, edited)
    lock.write_text("".join(lines))
    _scan(env, db, fleet, cache)

    result = _run(env, db, "diff", "--format", "json")
    assert result.exit_code == 1, result.output  # critical >= the default --fail-on high
    changes = json.loads(result.output)["changes"]
    digest = [c for c in changes if c["kind"] == "digest-changed"]
    assert len(digest) == 1, changes
    assert digest[0]["severity"] == "critical"
    assert digest[0]["agent"] == "coder"
    assert digest[0]["location"] == f"{lock}:{entry}"
    assert digest[0]["before"] != digest[0]["after"]
    assert {c["kind"] for c in changes} == {"digest-changed"}
    # The scan that saw it recorded the change as an event, caused by the scan.
    with open_store(db) as store:
        events = store.change_events()
        latest = store.latest_scan_id()
    assert [(e.kind, e.cause.value, e.scan_id, e.location) for e in events] == [
        ("digest-changed", "scan", latest, f"{lock}:{entry}")
    ]
    assert events[0].at == fixed_obj()["clock"]().isoformat(timespec="seconds")  # type: ignore[operator]
    # --fail-on critical still fails; never does not; the text report names file and line.
    assert _run(env, db, "diff", "--fail-on", "never").exit_code == 0
    text = _run(env, db, "diff", "--fail-on", "critical", "--agent", "coder")
    assert text.exit_code == 1
    assert "digest-changed" in text.output and f"package-lock.json:{entry}" in text.output


def test_diff_without_a_baseline_fails_closed(
    tmp_path: Path, env: dict[str, str], store_db
) -> None:
    db = store_db
    none = _run(env, db, "diff")
    assert none.exit_code == 3 and "no scan" in none.output
    _scan(env, db, FIXTURES / "demo", tmp_path / "cache")
    result = _run(env, db, "diff")
    assert result.exit_code == 3, result.output
    assert "no accepted baseline" in result.output and "baseline accept" in result.output


def test_diff_against_a_scan_and_an_agent_baseline(
    tmp_path: Path, env: dict[str, str], store_db
) -> None:
    fleet = tmp_path / "demo"
    shutil.copytree(FIXTURES / "demo", fleet)
    db, cache = store_db, tmp_path / "cache"
    _scan(env, db, fleet, cache)
    assert _run(env, db, "baseline", "accept", "--agent", "ops").exit_code == 0
    with open_store(db) as store:
        assert [(b.agent, b.scan_id) for b in store.baselines()] == [("ops", 1)]
    # A lockfile entry removed: the package is gone for that agent.
    lock = fleet / "legacy" / "requirements.txt"
    kept = [line for line in lock.read_text().splitlines() if not line.startswith("requests")]
    lock.write_text("\n".join(kept) + "\n")
    _scan(env, db, fleet, cache)
    against = _run(env, db, "diff", "--against", "1", "--format", "json", "--fail-on", "info")
    kinds = {(c["agent"], c["kind"], c["package"]) for c in json.loads(against.output)["changes"]}
    assert kinds == {("research", "removed", "pkg:pypi/requests")}, against.output
    assert against.exit_code == 1  # removed is info, and --fail-on info counts it
    # Only ops has a baseline: diffing every agent fails closed, ops alone works.
    assert _run(env, db, "diff").exit_code == 3
    assert _run(env, db, "diff", "--agent", "ops").exit_code == 0


def test_rescan_checks_stored_components_and_records_rescan(
    tmp_path: Path, env: dict[str, str], store_db
) -> None:
    fleet = tmp_path / "demo"
    shutil.copytree(FIXTURES / "demo", fleet)
    db, cache = store_db, tmp_path / "cache"
    _scan(env, db, fleet, cache)
    shutil.rmtree(fleet)  # a rescan reads no files: the store holds the components
    result = _run(env, db, "rescan", "--cache-dir", str(cache), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["changes"] == []
    with open_store(db) as store:
        scans = store.scans()
        assert [s.kind for s in scans] == ["rescan", "scan"]
        assert store.count("components", scans[0].id) == store.count("components", scans[1].id)
        assert scans[0].summary == scans[1].summary  # same registry answers, same statuses
