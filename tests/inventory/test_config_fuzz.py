"""Property tests: whatever a config file holds, each client's reader returns entries or
raises ConfigError, and nothing else.

Hostile values (nesting past the parsers' limits, 5,000-digit integers, YAML alias bombs) are
planted anywhere in generated configs; named pipes, folders and a link to ``/dev/zero`` stand
in for config files.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.errors import ConfigError
from scanner.inventory.configs.clients import CLIENTS, ClientId
from scanner.inventory.configs.read import read_config_detailed
from scanner.models import ServerEntry

CLIENT_IDS = [None, *[c.value for c in ClientId]]
SUFFIXES = [".json", ".jsonc", ".toml", ".yaml", ".txt", ""]
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_text = st.text(max_size=12)
_names = (
    st.sampled_from(
        [
            "mcpServers",
            "servers",
            "mcp",
            "mcp.servers",
            "amp.mcpServers",
            "context_servers",
            "mcp_servers",
            "extensions",
            "projects",
            "powers",
            "command",
            "cmd",
            "args",
            "env",
            "envs",
            "environment",
            "url",
            "serverUrl",
            "httpUrl",
            "uri",
            "type",
            "transport",
            "name",
            "enabled",
            "disabled",
            "cwd",
            "path",
            "env_vars",
            "env_keys",
            "api_key_env",
            "bearer_token_env_var",
            "stdio",
            "sse",
            "http",
            "local",
            "remote",
            "builtin",
        ]
    )
    | _text
)

HOLE = "@@hostile@@"  # a leaf the hostile tests replace with a fragment after serialising
_json_scalars = (
    st.just(HOLE) | st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _names
)
json_values = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_names, inner, max_size=5),
    max_leaves=25,
)
# TOML has no null and needs a table at the top
_toml_scalars = (
    st.just(HOLE)
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | _names
)
toml_values = st.recursive(
    _toml_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_names, inner, max_size=5),
    max_leaves=25,
)


def _toml_key(key: str) -> str:
    return json.dumps(key)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, int) else _toml_float(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"


def _toml_float(value: float) -> str:
    if value == float("inf"):
        return "inf"
    if value == float("-inf"):
        return "-inf"
    return repr(value)


def _toml_document(table: dict[str, object]) -> str:
    return "".join(f"{_toml_key(k)} = {_toml_value(v)}\n" for k, v in table.items())


def _wrap(value: object) -> st.SearchStrategy[object]:
    """Put a random value where each client looks for servers, or use it as the whole file."""
    keys = [
        "mcpServers",
        "servers",
        "mcp",
        "context_servers",
        "mcp_servers",
        "extensions",
        "amp.mcpServers",
        "projects",
        "powers",
    ]
    return st.sampled_from([None, *keys]).map(lambda k: value if k is None else {k: value})


def _check(path: Path, client: str | None) -> None:
    try:
        result = read_config_detailed(path, client)
    except ConfigError as exc:
        assert exc.path == str(path)
        return
    assert all(isinstance(e, ServerEntry) for e in result.entries)
    for entry in result.entries:
        assert isinstance(entry.name, str)
        # everything returned can be written out as UTF-8 (the store, a report)
        f"{entry.name}{entry.command}{entry.args}{entry.url}{entry.env_names}".encode()
        assert all(isinstance(a, str) for a in entry.args)
        assert all(isinstance(n, str) for n in entry.env_names)
    assert all(isinstance(p, str) and str(path) in p for p in result.problems)


def _write(data: bytes | str, suffix: str) -> Path:
    handle = tempfile.NamedTemporaryFile(delete=False, suffix=suffix, dir=_TMP)
    with handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(handle.name)


_TMP = tempfile.mkdtemp(prefix="chainwatch-fuzz-")


@FAST
@given(
    data=st.binary(max_size=300),
    suffix=st.sampled_from(SUFFIXES),
    client=st.sampled_from(CLIENT_IDS),
)
def test_arbitrary_bytes(data: bytes, suffix: str, client: str | None) -> None:
    path = _write(data, suffix)
    try:
        _check(path, client)
    finally:
        path.unlink()


@FAST
@given(
    text=st.text(alphabet=st.sampled_from(list('{}[]",:/*\n \\abc1')), max_size=80),
    client=st.sampled_from(CLIENT_IDS),
)
def test_jsonc_like_text(text: str, client: str | None) -> None:
    path = _write(text, ".json")
    try:
        _check(path, client)
    finally:
        path.unlink()


@FAST
@given(
    value=json_values.flatmap(_wrap),
    client=st.sampled_from(CLIENT_IDS),
    suffix=st.sampled_from([".json", ".jsonc"]),
)
def test_arbitrary_json(value: object, client: str | None, suffix: str) -> None:
    path = _write(json.dumps(value), suffix)
    try:
        _check(path, client)
    finally:
        path.unlink()


@FAST
@given(value=json_values.flatmap(_wrap), client=st.sampled_from(CLIENT_IDS))
def test_arbitrary_yaml(value: object, client: str | None) -> None:
    path = _write(yaml.safe_dump(value), ".yaml")
    try:
        _check(path, client)
    finally:
        path.unlink()


@FAST
@given(
    value=st.dictionaries(_names, toml_values, max_size=5).flatmap(_wrap),
    client=st.sampled_from(CLIENT_IDS),
)
def test_arbitrary_toml(value: object, client: str | None) -> None:
    table = value if isinstance(value, dict) else {"x": value}
    path = _write(_toml_document(table), ".toml")
    try:
        _check(path, client)
    finally:
        path.unlink()


@FAST
@given(server=json_values, client=st.sampled_from([c.value for c in ClientId]))
def test_arbitrary_server_in_each_clients_own_file(server: object, client: str) -> None:
    """A random server object placed in the client's own first config shape and format."""
    spec = CLIENTS[ClientId(client)]
    where = spec.paths[0]
    key = {
        "mcpServers": "mcpServers",
        "mcpServers|flat": "mcpServers",
        "mcpServers+projects": "mcpServers",
        "mcpServers+powers": "mcpServers",
        "mcp.servers": "mcp",
    }.get(where.shape.value, where.shape.value.strip("[]"))
    listed = where.shape.value.startswith("[") or where.shape.value.endswith("[]")
    section: object = [server] if listed else {"s": server}
    if where.shape.value == "mcp.servers":
        section = {"servers": section}
    document = {key: section}
    if where.fmt.value == "toml":
        text = _toml_document(document) if _toml_safe(server) else "x = 1\n"
        suffix = ".toml"
    elif where.fmt.value == "yaml":
        text, suffix = yaml.safe_dump(document), ".yaml"
    else:
        text, suffix = json.dumps(document), ".json"
    path = _write(text, suffix)
    try:
        _check(path, client)
    finally:
        path.unlink()


def _toml_safe(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, list):
        return all(_toml_safe(v) for v in value)
    if isinstance(value, dict):
        return all(_toml_safe(v) for v in value.values())
    return not isinstance(value, int) or isinstance(value, bool) or -(2**63) <= value < 2**63


BIG = "9" * 5000
MARK = "\x00"  # serialisers escape a NUL, so a raw one marks only a planted hole
BOMB = "".join(
    [f"l0: &l0 [{','.join(['x'] * 9)}]\n"]
    + [f"l{i}: &l{i} [{','.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9)]
)
_HOSTILE = {
    ".json": ['"\\ud800"', '"x\\udfff"', "[" * 500 + "]" * 500, "[" * 5000 + "]" * 5000, BIG],
    ".toml": ["[" * 300 + "]" * 300, "[" * 5000 + "]" * 5000, "{a = " * 500 + "1" + "}" * 500, BIG],
    ".yaml": ["[" * 500 + "]" * 500, "[" * 1500 + "]" * 1500, BIG, "*l8"],
}


def _serialise(value: object, suffix: str) -> str:
    if suffix == ".json":
        return json.dumps(value).replace(f'"{HOLE}"', MARK)
    if suffix == ".toml":
        table = value if isinstance(value, dict) else {"x": value}
        return _toml_document(table).replace(f'"{HOLE}"', MARK)
    body = yaml.safe_dump(value if isinstance(value, dict) else {"x": value})
    return BOMB + body.replace(f"'{HOLE}'", MARK)  # the bomb's anchors first


@FAST
@given(
    data=st.data(),
    suffix=st.sampled_from([".json", ".toml", ".yaml"]),
    client=st.sampled_from(CLIENT_IDS),
)
def test_hostile_values(data: st.DataObject, suffix: str, client: str | None) -> None:
    values = toml_values if suffix == ".toml" else json_values
    value = data.draw(st.dictionaries(_names, values, max_size=5).flatmap(_wrap))
    fragment = data.draw(st.sampled_from(_HOSTILE[suffix]))
    text = _serialise(value, suffix)
    path = _write(text.replace(MARK, fragment), suffix)
    try:
        if fragment == "*l8" and MARK in text:  # an expanding alias is refused, anywhere
            with pytest.raises(ConfigError, match="aliases expand"):
                read_config_detailed(path, client)
        else:
            _check(path, client)
    finally:
        path.unlink()


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("special", ["fifo", "folder", "dev-zero"])
def test_special_files_are_refused(tmp_path: Path, suffix: str, special: str) -> None:
    """Never blocks on a pipe, never reads a device: a clear error naming the file."""
    path = tmp_path / f"mcp{suffix}"
    if special == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no named pipes here")
        os.mkfifo(path)
    elif special == "folder":
        path.mkdir()
    else:
        if sys.platform == "win32" or not Path("/dev/zero").exists():
            pytest.skip("no /dev/zero")
        path.symlink_to("/dev/zero")
    for client in CLIENT_IDS:
        with pytest.raises(ConfigError) as info:
            read_config_detailed(path, client)
        assert info.value.path == str(path)
