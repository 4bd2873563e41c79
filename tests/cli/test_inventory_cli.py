"""`chainwatch inventory` through click's CliRunner, on real files and a real SQLite store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner._cli import main
from scanner.store import open_store
from tests.conftest import FIXTURES, db_arg
from tests.inventory.home_layout import build_home

_ENV_OVERRIDES = (
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "APPDATA",
    "LOCALAPPDATA",
    "CODEX_HOME",
    "CLAUDE_CONFIG_DIR",
    "PROGRAMDATA",
    "npm_config_cache",
    "UV_TOOL_DIR",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _ENV_OVERRIDES:
        monkeypatch.delenv(name, raising=False)


def _invoke(db: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--db", db_arg(db), *args], catch_exceptions=False)
    return result.exit_code, result.stdout


def test_discover_finds_every_configured_client(tmp_path: Path, clean_env: None) -> None:
    paths = build_home(tmp_path / "machine", "linux")
    code, out = _invoke(
        tmp_path / "cw.db",
        "inventory",
        "--discover",
        "--format",
        "json",
        "--home",
        str(paths["home"]),
        "--project",
        str(paths["project"]),
        "--system-root",
        str(paths["system_root"]),
    )
    assert code == 0, out
    doc = json.loads(out)
    found_files = {p for a in doc["agents"] for p in a["agent"]["config_paths"]}
    expected = {str(p) for k, p in paths.items() if k not in {"home", "project", "system_root"}}
    assert expected <= found_files, sorted(expected - found_files)
    clients = {s["server"]["client"] for a in doc["agents"] for s in a["servers"]}
    laid_out = {k.split("@")[0] for k in paths} - {"home", "project", "system_root"}
    assert laid_out == clients
    assert len(clients) >= 20
    # The Zed fixture has an extension-provided server with no command: skipped with a reason.
    skipped = [k for a in doc["agents"] for k in a["skipped"]]
    assert any("postgres-context-server" in k["reason"] for k in skipped)


def test_inventory_demo_json_and_store(store_db) -> None:
    db = store_db
    code, out = _invoke(db, "inventory", str(FIXTURES / "demo"), "--format", "json")
    assert code == 0, out
    doc = json.loads(out)
    agents = {a["agent"]["id"]: a for a in doc["agents"]}
    assert set(agents) == {"support-bot", "coder", "ops", "research"}
    kinds = {
        c["evidence"]["kind"] for a in doc["agents"] for s in a["servers"] for c in s["components"]
    }
    assert {"command_pin", "unresolved"} <= kinds
    with open_store(db) as store:
        assert store.count("scans") == 1
        assert store.count("agents", doc["scan_id"]) == 4
        assert store.count("servers", doc["scan_id"]) == sum(
            len(a["servers"]) for a in agents.values()
        )


def test_bad_file_is_reported_and_the_rest_goes_on(tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text('{"mcpServers": {"x": ')
    good = FIXTURES / "demo" / "support-bot" / "claude_desktop_config.json"
    code, out = _invoke(tmp_path / "cw.db", "inventory", str(bad), str(good), "--format", "json")
    assert code == 4
    doc = json.loads(out)
    errors = [e for a in doc["agents"] for e in a["errors"]]
    assert any(str(bad) in e for e in errors)
    servers = [s["server"]["name"] for a in doc["agents"] for s in a["servers"]]
    assert servers == ["knowledge-base", "fetch", "tickets"]


def test_missing_path_and_usage(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    code, out = _invoke(tmp_path / "cw.db", "inventory", str(missing), "--format", "json")
    assert code == 4
    assert json.loads(out)["errors"] == [f"{missing}: no such file"]
    code, _ = _invoke(tmp_path / "cw.db", "inventory")
    assert code == 2


def test_unusable_store_is_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "cw.db"
    db.write_bytes(b"not a database at all" * 50)
    result = CliRunner().invoke(main, ["--db", str(db), "inventory", str(FIXTURES / "demo")])
    assert result.exit_code == 3
    assert "cannot open the chainwatch store" in result.output


def test_no_record_leaves_store_untouched(tmp_path: Path) -> None:
    db = tmp_path / "cw.db"
    code, _ = _invoke(db, "inventory", str(FIXTURES / "demo"), "--no-record", "--format", "json")
    assert code == 0
    assert not db.exists()


def test_folder_without_manifest(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "demo" / "ops" / "config.toml", tmp_path / "config.toml")
    code, out = _invoke(tmp_path / "cw.db", "inventory", str(tmp_path), "--format", "json")
    assert code == 4
    assert "no project-scope MCP config and no lockfile" in json.loads(out)["errors"][0]


def test_project_folder_without_manifest(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / ".vscode").mkdir(parents=True)
    shutil.copy(FIXTURES / "demo" / "coder" / ".vscode" / "mcp.json", project / ".vscode")
    shutil.copy(FIXTURES / "demo" / "coder" / "package-lock.json", project)
    (project / "package.json").write_text('{"dependencies": {"zod": "^4"}}')
    code, out = _invoke(tmp_path / "cw.db", "inventory", str(project), "--format", "json")
    assert code == 0, out
    agents = json.loads(out)["agents"]
    assert len(agents) == 2
    (config_agent,) = [a for a in agents if a["servers"]]
    assert {s["server"]["name"] for s in config_agent["servers"]} == {
        "playwright",
        "git",
        "github",
        "everything",
    }
    (lock_agent,) = [a for a in agents if a["packages"]]
    # package.json is left out: the lockfile beside it is what installs.
    assert lock_agent["agent"]["lockfile_paths"] == [str(project / "package-lock.json")]
