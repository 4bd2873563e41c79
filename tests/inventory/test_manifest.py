"""The agent manifest: valid files load, every malformed one names the file and problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
    with pytest.raises(ConfigError, match="not valid UTF-8"):
        load_manifest(path)


toml_scalars = st.one_of(
    st.text(max_size=20), st.integers(), st.booleans(), st.floats(allow_nan=False)
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.dictionaries(st.sampled_from(["version", "agent", "x"]), toml_values, max_size=3),
    agents=st.lists(
        st.dictionaries(
            st.sampled_from(["id", "name", "purpose", "pact", "configs", "lockfiles", "pins", "x"]),
            toml_values,
            max_size=6,
        ),
        max_size=3,
    ),
)
def test_arbitrary_toml_raises_only_config_error(tmp_path: Path, data: dict, agents: list) -> None:
    doc = dict(data)
    if agents:
        doc["agent"] = agents
    path = tmp_path / "chainwatch.toml"
    path.write_text(tomli_w.dumps(doc))
    try:
        load_manifest(path)
    except ConfigError as exc:
        assert str(path) in exc.diagnostics()


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_config_error(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "chainwatch.toml"
    path.write_bytes(raw)
    try:
        load_manifest(path)
    except ConfigError as exc:
        assert str(path) in exc.diagnostics()
