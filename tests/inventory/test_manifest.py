"""The agent manifest: valid files load, every malformed one names the file and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.errors import ConfigError
from scanner.inventory.manifest import load_manifest

GOOD = """
version = 1
[[agent]]
id = "support-bot"
purpose = "answers tickets"
pact = ["read", "network"]
configs = ["a.json", { path = "b.toml", client = "codex" }]
lockfiles = ["uv.lock"]
[agent.pins]
"pkg:pypi/mcp-server-fetch" = "2025.4.7"

[[agent]]
id = "coder"
name = "Coding agent"
"""


def test_loads_agents_with_paths_relative_to_manifest(tmp_path: Path) -> None:
    path = tmp_path / "chainwatch.toml"
    path.write_text(GOOD)
    first, second = load_manifest(path)
    assert first.agent.id == "support-bot" and first.agent.name == "support-bot"
    assert first.agent.pact == ("read", "network")
    assert first.agent.pins == (("pkg:pypi/mcp-server-fetch", "2025.4.7"),)
    assert [c.path for c in first.configs] == [tmp_path / "a.json", tmp_path / "b.toml"]
    assert first.configs[1].client == "codex"
    assert first.lockfiles == (tmp_path / "uv.lock",)
    assert first.agent.origin == "manifest"
    assert second.agent.name == "Coding agent" and second.configs == ()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("version = 1\n[[agent]\n", "invalid TOML"),
        ("version = 2\n[[agent]]\nid='a'\n", "unsupported manifest version"),
        ("version = 1\n", "no [[agent]] tables"),
        ("[[agent]]\nid = 'bad id!'\n", "'id' must be"),
        ("[[agent]]\nid = 'a'\npact = ['teleport']\n", "unknown action class"),
        ("[[agent]]\nid = 'a'\n[[agent]]\nid = 'a'\n", "declared twice"),
        ("[[agent]]\nid = 'a'\nconfigs = 'x.json'\n", "'configs' must be a list"),
        ("[[agent]]\nid = 'a'\nconfigs = [3]\n", "each of 'configs'"),
        ("[[agent]]\nid = 'a'\nlockfiles = [1]\n", "list of strings"),
        ("[[agent]]\nid = 'a'\npins = { x = 1 }\n", "'pins' must map"),
        ("[[agent]]\nid = 'a'\ncolour = 'blue'\n", "unknown key(s) colour"),
    ],
)
def test_malformed_manifest_names_file_and_problem(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "chainwatch.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_manifest(path)
    assert str(path) in info.value.diagnostics()
    assert problem in info.value.diagnostics()


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "chainwatch.toml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_manifest(path)
