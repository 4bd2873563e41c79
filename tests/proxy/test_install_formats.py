"""proxy install in every config format the inventory reads: only server entries change,
uninstall restores every byte, and a config that cannot be rewritten safely is refused whole."""

from __future__ import annotations

import os
import shutil
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from scanner._cli import main
from scanner.inventory.configs.formats import parse_json
from scanner.inventory.configs.read import read_config
from scanner.proxy.install import backup_path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CLIENTS = FIXTURES / "mcp" / "clients"
PLANTED = [
    line.strip()
    for line in (FIXTURES / "secrets" / "planted.txt").read_text().splitlines()
    if line.strip()
]


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _load(path: Path) -> object:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        return tomllib.loads(text)
    if path.suffix in (".yaml", ".yml"):
        return yaml.safe_load(text)
    return parse_json(text)


def _unchanged_lines(before: bytes, after: bytes) -> set[bytes]:
    """Lines of ``before`` that ``after`` still has verbatim (comments, other settings)."""
    return set(before.splitlines()) & set(after.splitlines())


# (fixture, servers wrapped, lines that must survive byte for byte: comments and other keys)
CASES = [
    ("codex__config.toml", {"context7", "docs server"}, [b'approval_policy = "on-request"']),
    ("mistral-vibe__config.toml", {"fetch_server"}, [b'transport = "stdio"']),
    ("goose__config.yaml", {"github"}, [b"    - GITHUB_HOST", b"  developer:"]),
    ("continue__config.yaml", {"SQLite"}, [b"    args: [mcp-server-everything, --port, 3001]"]),
    ("opencode__opencode.jsonc", {"everything"}, [b"    // local servers take one argv array"]),
    ("zed__settings.json", {"mcp-server-github", "local-uv"}, [b"// Zed settings"]),
    ("vscode__settings.json", {"time"}, [b'  "editor.fontSize": 14,']),
    ("claude-code__.claude.json", {"fetch", "postgres"}, []),
    (  # one argument a line stays one a line
        "claude-desktop__claude_desktop_config.json",
        {"filesystem", "github"},
        [b'        "/Users/dev/Desktop",', b'        "/Users/dev/Downloads"', b"      ]"],
    ),
]


@pytest.mark.parametrize(("name", "wrapped", "kept"), CASES, ids=[c[0] for c in CASES])
def test_install_rewrites_only_server_entries_and_uninstall_restores_every_byte(
    name: str, wrapped: set[str], kept: list[bytes], tmp_path: Path
) -> None:
    config = tmp_path / name.split("__", 1)[1]
    shutil.copyfile(CLIENTS / name, config)
    original = config.read_bytes()
    before = read_config(config)
    code, output = _run("proxy", "install", str(config), "--agent", "desk", "--enforce")
    assert code == 0, output
    shown = {line.removeprefix("wrapped  ") for line in output.splitlines()}
    assert shown & {e.name for e in before} == wrapped
    after = read_config(config)  # the inventory still reads it, in the same format
    by_name = {e.name: e for e in after}
    for entry in before:
        now = by_name[entry.name]
        if entry.name in wrapped:
            assert now.command == "chainwatch"
            at = now.args.index("--")
            assert now.args[:at] == ("proxy", "--agent", "desk", "--enforce")
            assert (now.args[at + 1], *now.args[at + 2 :]) == (entry.command, *entry.args)
            assert now.env_names == entry.env_names and now.enabled == entry.enabled
        else:
            assert replace(now, line=None) == replace(entry, line=None)  # left alone
    for line in kept:
        assert line in _unchanged_lines(original, config.read_bytes()), line
    assert backup_path(config).read_bytes() == original
    code, output = _run("proxy", "uninstall", str(config))
    assert code == 0, output
    assert config.read_bytes() == original
    assert not backup_path(config).exists()


def test_only_the_wrapped_values_differ_in_the_parsed_document(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    shutil.copyfile(CLIENTS / "codex__config.toml", config)
    before = _load(config)
    assert _run("proxy", "install", str(config), "--agent", "a")[0] == 0
    after = _load(config)
    assert isinstance(before, dict) and isinstance(after, dict)
    for name in ("context7", "docs server"):
        old, new = before["mcp_servers"][name], after["mcp_servers"][name]
        assert new["args"][-len(old["args"]) - 1 :] == [old["command"], *old["args"]]
        new.update(command=old["command"], args=old["args"])
    assert after == before


@pytest.mark.parametrize(
    "source",
    [
        FIXTURES / "secrets" / "codex" / "config.toml",
        FIXTURES / "secrets" / "goose" / "config.yaml",
    ],
)
def test_install_prints_no_secret_from_toml_or_yaml(source: Path, tmp_path: Path) -> None:
    config = tmp_path / source.name
    shutil.copyfile(source, config)
    code, output = _run("proxy", "install", str(config), "--agent", "desk")
    assert code == 0, output
    assert [s for s in PLANTED if s in output] == []
    assert _run("proxy", "uninstall", str(config))[0] == 0
    assert config.read_bytes() == source.read_bytes()


REFUSED = [
    (
        "anchors.yaml",
        "mcpServers:\n  a: &srv\n    command: npx\n    args: [x]\n  b: *srv\n",
        "anchor and alias",
    ),
    (
        "merge.yaml",
        "base: &b {command: npx}\nmcpServers:\n  a:\n    <<: *b\n    args: [x]\n",
        "not written in the entry itself",
    ),
    (
        "folded.yaml",
        "mcpServers:\n  a:\n    command: >-\n      npx\n    args: []\n",
        "block scalar",
    ),
]


@pytest.mark.parametrize(("name", "text", "reason"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_config_that_cannot_be_rewritten_safely_is_refused_untouched(
    name: str, text: str, reason: str, tmp_path: Path
) -> None:
    config = tmp_path / name
    config.write_text(text)
    code, output = _run("proxy", "install", str(config), "--agent", "a")
    assert code == 3
    assert name in output and "cannot rewrite this YAML config safely" in output
    assert reason in output
    assert config.read_text() == text
    assert not backup_path(config).exists()
    assert sorted(os.listdir(tmp_path)) == [name]  # no temp file left either


def test_a_failed_write_leaves_the_config_and_no_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Fault injection: the atomic replace fails (e.g. a read-only directory entry).
    config = tmp_path / "config.toml"
    shutil.copyfile(CLIENTS / "codex__config.toml", config)
    original = config.read_bytes()

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    code, output = _run("proxy", "install", str(config), "--agent", "a")
    assert code == 3 and "cannot write the config" in output and "config.toml" in output
    assert config.read_bytes() == original
    assert sorted(os.listdir(tmp_path)) == ["config.toml"]


def test_a_yaml_server_without_args_gets_them_on_its_own_line(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    text = (
        "# goose\nextensions:\n  tasks:\n    type: stdio\n    cmd: tasks-mcp  # local\n"
        "    timeout: 300\n"
    )
    config.write_text(text)
    assert _run("proxy", "install", str(config), "--agent", "a")[0] == 0
    got = config.read_text()
    assert (
        '    cmd: "chainwatch"  # local\n    args: ["proxy", "--agent", "a", "--", "tasks-mcp"]\n'
        in got
    )
    assert _run("proxy", "uninstall", str(config))[0] == 0
    assert config.read_text() == text


def test_a_file_with_no_servers_is_refused_naming_it(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('model = "o3"\n')
    code, output = _run("proxy", "install", str(config), "--agent", "a")
    assert code == 3 and "config.toml" in output and "no MCP servers" in output
    assert config.read_text() == 'model = "o3"\n'
