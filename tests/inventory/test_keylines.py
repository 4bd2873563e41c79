"""Key-line look-ups: one index per file, the right line for each server in every syntax."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tomli_w
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scanner.inventory.configs._keylines import KeyIndex, find_key_line
from scanner.inventory.configs.formats import Format
from scanner.inventory.configs.read import read_config_detailed

# Printable ASCII without quotes or backslashes: every serialiser writes such a name verbatim.
NAMES = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126, exclude_characters="\"'\\"),
    min_size=1,
    max_size=20,
)
FIELDS = {"command", "args", "cmd", "type", "enabled", "mcpServers", "mcp_servers", "extensions"}


def _document(names: list[str], suffix: str) -> tuple[str, str]:
    """A config declaring one server per name, as the client's own serialiser writes it."""
    if suffix == ".toml":
        servers = {n: {"command": "x", "args": ["1"]} for n in names}
        return tomli_w.dumps({"model": "m", "mcp_servers": servers}), "codex"
    if suffix == ".yaml":
        extensions = {n: {"cmd": "x", "type": "stdio"} for n in names}
        return yaml.safe_dump({"extensions": extensions}, sort_keys=False), "goose"
    servers = {n: {"command": "x", "args": ["1"]} for n in names}
    return json.dumps({"mcpServers": servers}, indent=2), "cursor"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(NAMES, min_size=1, max_size=15, unique=True),
    suffix=st.sampled_from([".json", ".toml", ".yaml"]),
)
def test_every_server_gets_the_line_it_is_written_on(
    tmp_path_factory: pytest.TempPathFactory, names: list[str], suffix: str
) -> None:
    assume(not FIELDS & set(names))
    text, client = _document(names, suffix)
    assume(suffix != ".yaml" or "? " not in text)  # YAML's explicit-key form for odd names
    path = tmp_path_factory.mktemp("keylines") / f"config{suffix}"
    path.write_text(text)
    result = read_config_detailed(path, client)
    assert [e.name for e in result.entries] == names
    lines = text.splitlines()
    found = [e.line for e in result.entries]
    assert all(line is not None for line in found), found
    for entry in result.entries:
        assert entry.line is not None
        assert entry.name in lines[entry.line - 1]
    assert found == sorted(found)  # written in order, found in order


def test_large_toml_config_lines(tmp_path: Path) -> None:
    """3,000 servers: each still on its own [mcp_servers.<name>] line."""
    body = "".join(f'\n[mcp_servers.s{i}]\ncommand = "x"\n' for i in range(3000))
    path = tmp_path / "config.toml"
    path.write_text('model = "m"\n' + body)
    result = read_config_detailed(path, "codex")
    assert [e.line for e in result.entries] == [3 + 3 * i for i in range(3000)]


def test_escaped_keys_are_found_by_their_value() -> None:
    json_text = '{\n  "mcpServers": {\n    "caf\\u00e9": {"command": "x"}\n  }\n}'
    assert find_key_line(json_text, "café", Format.JSON) == 3
    toml_text = 'x = 1\n[mcp_servers."tab\\there"]\ncommand = "a"\n'
    assert find_key_line(toml_text, "tab\there", Format.TOML) == 2


def test_jsonc_comments_are_not_keys() -> None:
    text = '{\n  // "a": old server\n  /* "a": another */\n  "a": {}\n}'
    assert find_key_line(text, "a", Format.JSONC) == 4


def test_toml_places_in_preference_order() -> None:
    text = 'a = 1\nmcp_servers.b.command = "x"\n[mcp_servers.a]\n[[vibe]]\nname = "a"\n'
    index = KeyIndex(text, Format.TOML)
    assert index.line("a") == 3  # a header beats an inline key written earlier
    assert index.line("b") == 2  # a dotted key's middle part
    assert index.line("a", by_name=True) == 5  # a name field first when asked
    assert index.line("a", 4) == 5  # nothing after line 4 but the name field
    assert index.line("missing") is None


def test_yaml_name_values_and_comments() -> None:
    text = "mcpServers:\n  - name: a#b\n  - name: c # comment\n  - name: 'd'\n"
    index = KeyIndex(text, Format.YAML)
    assert index.line("a#b", by_name=True) == 2
    assert index.line("c", by_name=True) == 3
    assert index.line("d", by_name=True) == 4
    assert index.line("mcpServers") == 1


def test_lockfile_entries_get_their_own_lines(tmp_path: Path) -> None:
    """Pipfile.lock, package.json and pyproject.toml: one index per file, every line right."""
    from scanner.inventory.lockfiles.read import read_lockfile

    names = [f"pkg-{i}" for i in range(300)]
    pipfile = {
        "_meta": {"hash": {"sha256": "x"}},
        "default": {n: {"version": "==1.0", "hashes": ["sha256:" + "a" * 64]} for n in names},
    }
    package = {"name": "x", "dependencies": dict.fromkeys(names, "1.0.0")}
    pyproject = (
        '[project]\nname = "x"\ndependencies = [\n'
        + "".join(f'  "{n}==1.0",\n' for n in names)
        + "]\n[tool.poetry.dependencies]\n"
        + "".join(f'{n}-p = "1.0"\n' for n in names)
    )
    files = {
        "Pipfile.lock": (json.dumps(pipfile, indent=4), '"{}": {{'),
        "package.json": (json.dumps(package, indent=2), '"{}": "1.0.0"'),
        "pyproject.toml": (pyproject, "{}"),
    }
    for name, (text, written) in files.items():
        path = tmp_path / name
        path.write_text(text)
        lines = text.splitlines()
        result = read_lockfile(path)
        assert len(result.components) >= len(names)
        for c in result.components:
            assert c.source is not None and c.source.line is not None, (name, c.name)
            assert written.format(c.name) in lines[c.source.line - 1], (name, c.name)
