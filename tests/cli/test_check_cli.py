"""`chainwatch check` end to end: loopback registry, loopback OSV API, real store, injected clock.

Exit codes: 0 clean, 1 policy violation, 2 usage or input error, 3 could not complete.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import scanner.verify.fleet
from scanner._cli import main
from scanner._testing.fixture_server import FixtureRegistry
from scanner._testing.osv_server import OsvApiServer, OsvFault
from scanner.audit.osv_db import import_osv

from ._clock import fixed_obj, no_wait

# One agent: a pinned PyPI server and a pinned npm server, both on the fixture registry.
CONFIG = {
    "mcpServers": {
        "fetch": {"command": "uvx", "args": ["mcp-server-fetch==2026.10.24"]},
        "remote": {"command": "npx", "args": ["-y", "mcp-remote@0.15.1"]},
    }
}
RECORD = {
    "id": "CWTEST-check-1",
    "modified": "2026-01-01T00:00:00Z",
    "summary": "chainwatch test record",
    "database_specific": {"severity": "HIGH"},
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "mcp-server-fetch"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2099.1"}]}],
        }
    ],
}
IGNORE = """
[policy]
fail_on = "high"

[[policy.ignore]]
code = "CW400"
package = "mcp-server-fetch"
reason = "the fetch server only reaches our own docs site"
expires = 2026-12-31
"""


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Every installer's setting names the loopback registry; an empty home."""
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


def _fleet(tmp_path: Path, policy: str = "") -> Path:
    folder = tmp_path / "fleet"
    folder.mkdir()
    (folder / "claude_desktop_config.json").write_text(json.dumps(CONFIG))
    manifest = 'version = 1\n[[agent]]\nid = "agent"\nconfigs = ["claude_desktop_config.json"]\n'
    (folder / "chainwatch.toml").write_text(manifest + policy)
    return folder


def _check(env, tmp_path, folder, osv, *extra, obj=None):
    args = ["--db", str(tmp_path / "cw.db"), "check", str(folder), "--osv-url", osv.base_url]
    args += ["--cache-dir", str(tmp_path / "c"), "--osv-timeout", "1", *extra]
    return CliRunner(env=env).invoke(main, args, obj=obj or fixed_obj())


def _served(vulnerable: bool) -> OsvApiServer:
    answers = (
        {("PyPI", "mcp-server-fetch", "2026.10.24"): ("CWTEST-check-1",)} if vulnerable else {}
    )
    return OsvApiServer({"CWTEST-check-1": RECORD}, answers)


def test_clean_fleet_exits_0_and_a_vulnerability_exits_1(env, tmp_path):
    folder = _fleet(tmp_path)
    with _served(vulnerable=False) as osv:
        clean = _check(env, tmp_path, folder, osv)
    assert clean.exit_code == 0, clean.output
    assert "check: pass (exit 0)" in clean.stdout
    with _served(vulnerable=True) as osv:
        bad = _check(env, tmp_path, folder, osv, "--format", "json")
    assert bad.exit_code == 1, bad.output
    doc = json.loads(bad.stdout)
    assert doc["exit_code"] == 1 and doc["audit_complete"] is True
    assert [f["code"] for f in doc["findings"] if f["code"] >= "CW400"] == ["CW400"]


@pytest.mark.parametrize(
    "fault",
    [OsvFault(status=500), OsvFault(delay=3.0), OsvFault(truncate=True)],
    ids=["http-500", "timeout", "truncated-body"],
)
def test_advisory_source_fault_exits_3_never_clean(env, tmp_path, fault):
    folder = _fleet(tmp_path)
    with _served(vulnerable=True) as osv:
        osv.faults["/v1/"] = fault
        result = _check(env, tmp_path, folder, osv, "--format", "json")
    assert result.exit_code == 3, result.output
    doc = json.loads(result.stdout)
    assert doc["audit_complete"] is False and doc["exit_code"] == 3
    assert {f["code"] for f in doc["findings"]} >= {"CW402"}


def test_ignore_accepts_until_expiry_then_fails_saying_it_expired(env, tmp_path):
    folder = _fleet(tmp_path, IGNORE)
    with _served(vulnerable=True) as osv:
        accepted = _check(env, tmp_path, folder, osv)
        late = dt.datetime(2027, 1, 2, tzinfo=dt.UTC)
        obj = {"clock": lambda: late, "sleep": no_wait}
        expired = _check(env, tmp_path, folder, osv, obj=obj)
    assert accepted.exit_code == 0, accepted.output
    assert "ignored CW400 on pkg:pypi/mcp-server-fetch@2026.10.24" in accepted.stdout
    assert expired.exit_code == 1, expired.output
    assert "CW504" in expired.stdout and "expired on 2026-12-31" in expired.stdout
    assert "CW400" in expired.stdout


def test_bad_policy_and_usage_exit_2(env, tmp_path):
    folder = _fleet(tmp_path, '[policy]\nfail_on = "loud"\n')
    with _served(vulnerable=False) as osv:
        bad = _check(env, tmp_path, folder, osv)
    assert bad.exit_code == 2
    assert "chainwatch.toml" in bad.stderr and "fail_on" in bad.stderr
    usage = CliRunner().invoke(main, ["check"], obj=fixed_obj())
    assert usage.exit_code == 2 and "name at least one path" in usage.output


def test_unreadable_input_exits_2(env, tmp_path):
    second = '[[agent]]\nid = "broken"\nconfigs = ["broken.json"]\n'
    folder = _fleet(tmp_path, second)
    (folder / "broken.json").write_text("{ not json")
    with _served(vulnerable=False) as osv:
        result = _check(env, tmp_path, folder, osv)
    assert result.exit_code == 2, result.output
    assert "broken.json" in result.stderr


def test_demo_check_fails_then_passes_when_accepted(tmp_path):
    store = str(tmp_path / "demo.db")
    failing = CliRunner().invoke(
        main, ["demo", "--check", "--store", store, "--format", "markdown"]
    )
    assert failing.exit_code == 1, failing.output
    for planted in ("CW400", "CW401", "CW200", "MAL-0000-cwdemo-zod", "CWDEMO-2026-0001"):
        assert planted in failing.stdout
    clean = CliRunner().invoke(main, ["demo", "--check", "--accepted", "--store", store])
    assert clean.exit_code == 0, clean.output
    assert "check: pass (exit 0)" in clean.stdout
    usage = CliRunner().invoke(main, ["demo", "--accepted", "--store", store])
    assert usage.exit_code == 2


def test_changes_since_the_accepted_baseline_are_findings(env, tmp_path):
    folder = _fleet(tmp_path)
    with _served(vulnerable=False) as osv:
        first = _check(env, tmp_path, folder, osv)
        assert "no accepted baseline for agent" in first.stderr
        db = ["--db", str(tmp_path / "cw.db")]
        accepted = CliRunner(env=env).invoke(main, [*db, "baseline", "accept"], obj=fixed_obj())
        assert accepted.exit_code == 0, accepted.output
        config = json.loads(json.dumps(CONFIG))
        config["mcpServers"]["git"] = {"command": "uvx", "args": ["mcp-server-git==2026.10.19"]}
        (folder / "claude_desktop_config.json").write_text(json.dumps(config))
        second = _check(env, tmp_path, folder, osv, "--format", "json")
    assert "no accepted baseline" not in second.stderr
    doc = json.loads(second.stdout)
    changes = [f for f in doc["findings"] if f["code"] == "CW505"]
    assert [(f["subject"], f["evidence"]["change"]) for f in changes] == [
        ("pkg:pypi/mcp-server-git", "added")
    ]
    assert changes[0]["agent"] == "agent" and changes[0]["severity"] == "medium"


def test_a_warm_offline_check_reports_what_the_cold_check_reported(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The default cache folder (and so the default cache key): the second check reuses every
    # verdict, offline, and its report is the first one's, finding for finding.
    folder = _fleet(tmp_path)
    env = env | {
        "XDG_CACHE_HOME": str(tmp_path / "home" / ".cache"),
        "XDG_DATA_HOME": str(tmp_path / "home" / ".local" / "share"),
    }
    full: list[int] = []  # components each run verified in full
    inner = scanner.verify.fleet.verify_fleet

    async def counting(components, *args, **kwargs):  # type: ignore[no-untyped-def]
        full.append(len(components))
        return await inner(components, *args, **kwargs)

    monkeypatch.setattr(scanner.verify.fleet, "verify_fleet", counting)
    docs = []
    with _served(vulnerable=True) as osv:
        for extra in ([], ["--offline", "--osv-db", str(tmp_path / "osv.db")]):
            if extra:  # the offline audit reads the same record from the imported database
                (tmp_path / "records").mkdir()
                (tmp_path / "records" / "r.json").write_text(json.dumps(RECORD))
                import_osv(tmp_path / "osv.db", tmp_path / "records", now="2026-11-26T00:00:00Z")
            args = ["--db", str(tmp_path / "cw.db"), "check", str(folder), "--no-record"]
            args += ["--format", "json", "--osv-url", osv.base_url, *extra]
            done = CliRunner(env=env).invoke(main, args, obj=fixed_obj())
            assert done.exit_code == 1, done.output
            docs.append(json.loads(done.stdout))
    assert full == [2]  # the warm check verified nothing in full
    cold, warm = docs
    assert warm["components"] == cold["components"]

    # The advisory sources differ (pip-audit online, the imported database offline) and word
    # their evidence differently; the verification findings must be the same, word for word.
    def split(doc: dict) -> tuple[list[dict], list[tuple[str, str]]]:
        audit = [f for f in doc["findings"] if f["code"] == "CW400"]
        rest = [f for f in doc["findings"] if f["code"] != "CW400"]
        return rest, [(f["subject"], f["evidence"]["advisory"]) for f in audit]

    assert split(warm) == split(cold)
    assert split(warm)[0] and split(warm)[1]
