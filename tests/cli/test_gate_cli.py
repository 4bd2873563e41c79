"""The gate end to end: the demo fleet with every registry unreachable, and trust commands."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from click.testing import CliRunner, Result

from scanner._cli import main
from scanner._testing.fixture_server import FixtureRegistry
from tests.conftest import FIXTURES, db_arg

from ._clock import fixed_obj

FLEET = FIXTURES / "demo" / "chainwatch.toml"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again on exit: connections are refused


def _unreachable_scan(tmp_path: Path, *extra: str) -> Result:
    port = _closed_port()
    dead = f"http://127.0.0.1:{port}"
    # Every installer's own setting points at the closed port; the home is empty, so no user
    # configuration (pip.conf, uv.toml, .npmrc) can name a registry that answers.
    env = {
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "home" / ".config"),
        "PIP_INDEX_URL": f"{dead}/simple/",
        "UV_INDEX_URL": f"{dead}/simple/",
        "UV_DEFAULT_INDEX": f"{dead}/simple/",
        "npm_config_registry": f"{dead}/",
    }
    args = ["--db", str(tmp_path / "cw.db"), "scan", str(FLEET), "--cache-dir", str(tmp_path)]
    return CliRunner(env=env).invoke(main, [*args, *extra], obj=fixed_obj())


def test_unreachable_registries_fail_the_default_gate_and_say_why(tmp_path: Path) -> None:
    result = _unreachable_scan(tmp_path / "a")
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split("checked 0 of", 1)[1].split())  # the last lines, unwrapped
    text = "checked 0 of " + text
    assert "checked 0 of 24 components; 24 NOT checked:" in text
    assert "19 registry unreachable or answer unusable" in text
    assert "3 remote server (its code runs elsewhere)" in text
    assert "gate: FAIL (exit 1)" in text
    assert "unchecked (fail closed) tripped on 19 fetch-failed, 5 unresolved" in text


def test_allow_unchecked_exits_0_and_still_says_so(tmp_path: Path) -> None:
    result = _unreachable_scan(tmp_path / "b", "--allow-unchecked")
    assert result.exit_code == 0, result.output
    text = result.output
    assert "24 NOT checked (24 allowed):" in text
    assert "gate: pass (exit 0)" in text.strip().splitlines()[-1]
    assert "\n  3 remote server (its code runs elsewhere):" in text


def test_json_carries_the_gate(tmp_path: Path) -> None:
    result = _unreachable_scan(tmp_path / "c", "--format", "json")
    assert result.exit_code == 1
    gate = json.loads(result.output)["gate"]
    assert gate["exit_code"] == 1 and len(gate["not_checked"]) == 24
    assert {t["rule"] for t in gate["trips"]} == {"unchecked"}


def _scan_sigstore(tmp_path: Path, registry: FixtureRegistry, db, version: str) -> Result:
    config = tmp_path / f"claude{version}.json"
    config.write_text(
        json.dumps({"mcpServers": {"s": {"command": "npx", "args": ["-y", f"sigstore@{version}"]}}})
    )
    env = {"npm_config_registry": registry.url("npm")}
    args = ["--db", db_arg(db), "scan", str(config), "--cache-dir", str(tmp_path / "c")]
    return CliRunner(env=env).invoke(main, [*args, "--format", "json"], obj=fixed_obj())


def test_trust_pin_accept_and_history(tmp_path: Path, store_db) -> None:
    db = store_db
    runner = CliRunner(env={"COLUMNS": "250"})  # one history entry per line
    base = ["--db", db_arg(db), "trust"]
    # Pin an identity before the first scan: the real publisher is someone else, so it is high.
    pin = ["pin", "pkg:npm/sigstore", "--identity", "kind=github,repository=https://github.com/o/r"]
    pinned = runner.invoke(main, [*base, *pin], obj=fixed_obj())
    assert pinned.exit_code == 0 and "pinned pkg:npm/sigstore: github https://github.com/o/r" in (
        pinned.output
    )
    with FixtureRegistry() as registry:
        first = _scan_sigstore(tmp_path, registry, db, "1.0.0")
        assert first.exit_code == 1
        codes = {f["code"] for f in json.loads(first.output)["findings"]}
        assert "CW203" in codes
        # Accept without --identity: the identity the last scan saw is shown and taken.
        accepted = runner.invoke(main, [*base, "accept", "pkg:npm/sigstore"], obj=fixed_obj())
        assert accepted.exit_code == 0, accepted.output
        assert "accepted for pkg:npm/sigstore: github https://github.com/sigstore/sigstore-js" in (
            accepted.output
        )
        assert "(was: github https://github.com/o/r)" in accepted.output
        again = _scan_sigstore(tmp_path, registry, db, "1.0.0")
        assert again.exit_code == 0, again.output
    listed = runner.invoke(main, [*base, "list", "--history"], obj=fixed_obj())
    assert listed.exit_code == 0
    history = listed.output.split("history:", 1)[1].strip().splitlines()
    assert [line.split()[2] for line in history] == ["pinned", "accepted"]
    assert all("(trust command)" in line for line in history)


def test_trust_accept_with_bad_identity_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["--db", str(tmp_path / "cw.db"), "trust", "accept", "pkg:npm/x", "--identity", "oops"],
        obj=fixed_obj(),
    )
    assert result.exit_code == 2 and "FIELD=VALUE" in result.output
