"""proxy install / uninstall: real client configs wrapped, restored byte for byte, no secrets."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from mcp.client.stdio import StdioServerParameters

from scanner._cli import main
from scanner.proxy.install import backup_path
from tests.proxy._session import REPO, SERVER, findings, talk

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CLAUDE = FIXTURES / "secrets" / "claude" / "claude_desktop_config.json"
VSCODE = FIXTURES / "mcp" / "configs" / "gentoflakes-mcp-scratch__vscode_mcp.json"
PLANTED = [
    line.strip()
    for line in (FIXTURES / "secrets" / "planted.txt").read_text().splitlines()
    if line.strip()
]


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("source", [CLAUDE, VSCODE], ids=["claude-desktop", "vscode"])
def test_install_then_uninstall_restores_every_byte(source: Path, tmp_path: Path) -> None:
    config = tmp_path / source.name
    shutil.copyfile(source, config)
    os.chmod(config, 0o640)
    original = config.read_bytes()
    code, output = _run("proxy", "install", str(config), "--agent", "desk")
    assert code == 0, output
    backup = backup_path(config)
    assert backup.read_bytes() == original
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.stat().st_mode) == 0o640
    doc = json.loads(config.read_text())
    servers = doc.get("mcpServers") or doc["servers"]
    before = json.loads(original.decode()).get("mcpServers") or json.loads(original)["servers"]
    for name, entry in servers.items():
        assert entry["command"] == "chainwatch"
        at = entry["args"].index("--")
        assert entry["args"][:at] == ["proxy", "--agent", "desk"]
        assert entry["args"][at + 1 :] == [before[name]["command"], *before[name].get("args", [])]
        rest = {k: v for k, v in entry.items() if k not in ("command", "args")}
        assert rest == {k: v for k, v in before[name].items() if k not in ("command", "args")}
    assert f"wrapped  {next(iter(servers))}" in output
    code, output = _run("proxy", "uninstall", str(config))
    assert code == 0, output
    assert config.read_bytes() == original
    assert not backup.exists()


def test_install_prints_no_secret_from_the_config(tmp_path: Path) -> None:
    config = tmp_path / "claude_desktop_config.json"
    shutil.copyfile(CLAUDE, config)
    code, output = _run("proxy", "install", str(config), "--agent", "desk")
    assert code == 0
    assert "wrapped  github-docker" in output
    leaked = [s for s in PLANTED if s in output]
    assert leaked == []


def test_second_install_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    config = tmp_path / "mcp.json"
    shutil.copyfile(VSCODE, config)
    assert _run("proxy", "install", str(config), "--agent", "a")[0] == 0
    installed = config.read_bytes()
    code, output = _run("proxy", "install", str(config), "--agent", "a")
    assert code == 3
    assert "already installed" in output
    assert config.read_bytes() == installed


def test_uninstall_refuses_when_the_config_was_edited_since(tmp_path: Path) -> None:
    config = tmp_path / "mcp.json"
    shutil.copyfile(VSCODE, config)
    original = config.read_bytes()
    assert _run("proxy", "install", str(config), "--agent", "a")[0] == 0
    edited = config.read_bytes().replace(b'"inputs": []', b'"inputs": [1]')
    config.write_bytes(edited)
    code, output = _run("proxy", "uninstall", str(config))
    assert code == 3 and "changed since" in output
    assert config.read_bytes() == edited
    assert _run("proxy", "uninstall", str(config), "--force")[0] == 0
    assert config.read_bytes() == original


def test_remote_servers_are_left_alone(tmp_path: Path) -> None:
    config = tmp_path / "mcp.json"
    doc = {
        "mcpServers": {"remote": {"url": "https://mcp.example.invalid/"}, "local": {"command": "x"}}
    }
    config.write_text(json.dumps(doc))
    code, output = _run("proxy", "install", str(config), "--agent", "a")
    assert code == 0
    assert "left     remote: no stdio command" in output
    assert json.loads(config.read_text())["mcpServers"]["remote"] == doc["mcpServers"]["remote"]


def test_a_client_runs_the_installed_entry_through_the_proxy(tmp_path: Path) -> None:
    """The rewritten entry is what a client launches: the server answers, the proxy records."""
    config = tmp_path / "claude_desktop_config.json"
    entry = {"command": sys.executable, "args": [str(SERVER), "v1"], "env": {"K": "v"}}
    config.write_text(json.dumps({"mcpServers": {"files": entry}}))
    db = tmp_path / "store.db"
    proxy_command = f"{sys.executable} -m scanner"
    code, output = _run(
        "proxy",
        "install",
        str(config),
        "--agent",
        "a",
        "--db",
        str(db),
        "--proxy-command",
        proxy_command,
    )
    assert code == 0, output
    wrapped = json.loads(config.read_text())["mcpServers"]["files"]
    params = StdioServerParameters(
        command=wrapped["command"],
        args=wrapped["args"],
        env={**wrapped["env"], "PYTHONPATH": str(REPO)},
    )
    out = talk(params)
    assert out.results == {"read_file": "read_file(notes.txt) by v1"}
    assert findings(db) == []
    with sqlite3.connect(db) as conn:  # the proxy in the installed entry pinned the tools
        assert conn.execute("SELECT count(*) FROM tool_pins").fetchone()[0] == 2
