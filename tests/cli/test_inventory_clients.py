"""`chainwatch inventory`: files without servers, missing discovery folders, client labels."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from scanner._cli import main
from tests.conftest import FIXTURES

CLIENTS = FIXTURES / "mcp" / "clients"
CONFIGS = FIXTURES / "mcp" / "configs"


def _invoke(tmp_path: Path, *args: str) -> tuple[int, str]:
    runner = CliRunner()
    argv = ["--db", str(tmp_path / "cw.db"), "inventory", "--no-record", *args]
    result = runner.invoke(main, argv, catch_exceptions=False)
    return result.exit_code, result.stdout  # errors also go to stderr


def test_a_file_without_servers_of_any_client_is_an_error_naming_it(tmp_path: Path) -> None:
    for name, text in (
        ("tsconfig.json", '{"compilerOptions": {"strict": true}}'),
        ("docker-compose.yaml", "services:\n  web:\n    image: nginx\n"),
        ("ruff.toml", "line-length = 100\n"),
    ):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        code, out = _invoke(tmp_path, str(path), "--format", "json")
        assert code == 4, out
        doc = json.loads(out)
        errors = doc["errors"] + [e for a in doc["agents"] for e in a["errors"]]
        assert len(errors) == 1 and str(path) in errors[0]
        assert not [s for a in doc["agents"] for s in a["servers"]]
        assert "no MCP servers of any known client" in errors[0]


def test_discovery_under_a_missing_home_or_project_is_an_error(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    missing_home, missing_project = tmp_path / "no-home", tmp_path / "no-project"
    args = ("--discover", "--system-root", str(home), "--format", "json")
    code, out = _invoke(tmp_path, *args, "--home", str(missing_home), "--project", str(home))
    assert code == 4 and str(missing_home) in json.loads(out)["errors"][0], out
    code, out = _invoke(tmp_path, *args, "--home", str(home), "--project", str(missing_project))
    assert code == 4, out
    (error,) = json.loads(out)["errors"]
    assert str(missing_project) in error and "does not exist" in error


def test_an_unusually_named_config_is_labelled_by_its_shape(tmp_path: Path) -> None:
    # Zed's settings (context_servers) and VS Code's mcp.json (servers) under other names
    zed = shutil.copyfile(CLIENTS / "zed__settings.json", tmp_path / "editor-settings.json")
    vscode = shutil.copyfile(CONFIGS / "gentoflakes-mcp-scratch__vscode_mcp.json", tmp_path / "x")
    code, out = _invoke(tmp_path, str(zed), str(vscode), "--format", "json")
    assert code == 0, out
    clients = {a["agent"]["name"]: {s["server"]["client"] for s in a["servers"]} for a in
               json.loads(out)["agents"]}  # fmt: skip
    assert clients == {str(zed): {"zed"}, str(vscode): {"vscode"}}


def test_client_option_names_the_client(tmp_path: Path) -> None:
    # a plain mcpServers file tells nothing by itself; --client says it is Gemini CLI's
    path = tmp_path / "team-servers.json"
    path.write_text(json.dumps({"mcpServers": {"docs": {"url": "https://docs.invalid/mcp"}}}))
    code, out = _invoke(tmp_path, str(path), "--format", "json")
    (server,) = json.loads(out)["agents"][0]["servers"]
    assert code == 0 and server["server"]["client"] == "unknown"
    code, out = _invoke(tmp_path, str(path), "--client", "gemini-cli", "--format", "json")
    (server,) = json.loads(out)["agents"][0]["servers"]
    assert code == 0 and server["server"]["client"] == "gemini-cli"
    assert server["server"]["transport"] == "sse"  # Gemini reads a bare "url" as SSE
    argv = ["--db", str(tmp_path / "cw.db"), "inventory", str(path), "--client", "no-such-client"]
    usage = CliRunner().invoke(main, argv)
    assert usage.exit_code == 2 and "no-such-client" in usage.stderr
