"""`chainwatch demo` and `chainwatch scan` end to end: loopback registry, real SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from scanner._cli import main
from scanner._testing.fixture_server import FixtureRegistry
from scanner.store import open_store
from tests.conftest import FIXTURES, db_arg

from ._clock import fixed_obj


def test_demo_reports_each_state_and_records(tmp_path: Path) -> None:
    db = tmp_path / "cw.db"
    result = CliRunner().invoke(main, ["demo", "--store", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    status = {c["resolved_purl"]: c["status"] for c in doc["components"]}
    assert status["pkg:npm/sigstore@1.0.0"] == "verified"
    assert status["pkg:npm/tuf-js@1.0.0"] == "verified"
    assert status["pkg:pypi/pypi-attestations@0.0.19"] == "verified"
    assert status["pkg:npm/sigstore@1.4.0"] == "attestation-invalid"
    assert status["pkg:pypi/requests@2.31.0"] == "digest-mismatch"
    assert status["pkg:pypi/mcp-server-fetch@2026.10.24"] == "no-attestation"
    floating = next(c for c in doc["components"] if c["purl"] == "pkg:npm/%40playwright/mcp")
    assert floating["evidence"]["kind"] == "registry_latest"
    assert sum(doc["summary"].values()) == len(doc["components"])
    identities = {c["identity"]["repository"] for c in doc["components"] if c["identity"]}
    assert "https://github.com/sigstore/sigstore-js" in identities
    codes = {f["code"] for f in doc["findings"]}
    assert {"CW200", "CW201", "CW101", "CW102", "CW104"} <= codes
    with open_store(db) as store:
        assert store.count("scans") == 1
        assert store.count("verifications", doc["scan_id"]) == len(doc["components"])
        assert store.publisher_identity("pkg:npm/sigstore") is not None


def test_scan_gate_exit_codes(tmp_path: Path, store_db) -> None:
    config = FIXTURES / "demo" / "ops" / "config.toml"
    with FixtureRegistry() as registry:
        simple = registry.url("pypi", "simple/")
        # Every installer's setting names the loopback registry (uvx and uv.lock follow uv's), and
        # the home is empty: nothing reaches an outside registry.
        env = {
            "HOME": str(tmp_path / "home"),
            "XDG_CONFIG_HOME": str(tmp_path / "home" / ".config"),
            "PIP_INDEX_URL": simple,
            "UV_INDEX_URL": simple,
            "UV_DEFAULT_INDEX": simple,
            "npm_config_registry": registry.url("npm"),
        }
        args = [
            "--db",
            db_arg(store_db),
            "scan",
            str(config),
            "--cache-dir",
            str(tmp_path / "c"),
            "--format",
            "json",
        ]
        # The ops agent runs a local script and reaches a remote server: neither can be checked,
        # so the default gate fails closed until they are allowed.
        closed = CliRunner(env=env).invoke(main, args, obj=fixed_obj())
        assert closed.exit_code == 1, closed.output
        gate = json.loads(closed.output)["gate"]
        assert {t["rule"] for t in gate["trips"]} == {"unchecked"}
        allow = ["--allow", "https://status.example.invalid/mcp", "--allow", "runbook_server.py"]
        clean = CliRunner(env=env).invoke(main, [*args, *allow], obj=fixed_obj())
        assert clean.exit_code == 0, clean.output  # only low/medium findings remain
        assert json.loads(clean.output)["gate"]["trips"] == []
        strict = CliRunner(env=env).invoke(
            main, [*args, *allow, "--require-verified"], obj=fixed_obj()
        )
        assert strict.exit_code == 1  # mcp-server-time has no attestation
        low = CliRunner(env=env).invoke(
            main, [*args, "--allow-unchecked", "--fail-on", "low"], obj=fixed_obj()
        )
        assert low.exit_code == 1
    doc = json.loads(clean.output)
    assert doc["summary"]["no-attestation"] == 1
    used = {u["registry"] for u in doc["registries"]}
    assert used and all(u.startswith("http://127.0.0.1:") for u in used), used


def test_scan_offline_cold_reports_fetch_failed(tmp_path: Path) -> None:
    config = FIXTURES / "demo" / "ops" / "config.toml"
    result = CliRunner().invoke(
        main,
        [
            "--db",
            str(tmp_path / "cw.db"),
            "scan",
            str(config),
            "--offline",
            "--cache-dir",
            str(tmp_path / "empty"),
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        obj=fixed_obj(),
    )
    # --fail-on never does not waive the unchecked rule: nothing could be checked.
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    (time,) = [c for c in doc["components"] if c["purl"].startswith("pkg:pypi/mcp-server-time")]
    assert time["status"] == "fetch-failed" and "offline" in time["reason"]
    assert doc["summary"]["verified"] == 0


def test_verify_env_catches_a_one_byte_edit(tmp_path: Path) -> None:
    import subprocess
    import sys

    site = tmp_path / "site"
    wheel = FIXTURES / "attestations" / "pypi" / "rfc8785-0.1.2-py3-none-any.whl"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
    )
    ok = CliRunner().invoke(main, ["verify-env", str(site), "--format", "json"])
    assert ok.exit_code == 0, ok.output
    target = site / "rfc8785" / "_impl.py"
    data = bytearray(target.read_bytes())
    data[10] ^= 0x20
    target.write_bytes(bytes(data))
    bad = CliRunner().invoke(main, ["verify-env", str(site), "--format", "json"])
    assert bad.exit_code == 1
    doc = json.loads(bad.output)
    problems = [p for r in doc["reports"] for p in r["problems"]]
    assert any(p["kind"] == "hash-mismatch" and p["path"].endswith("_impl.py") for p in problems)
