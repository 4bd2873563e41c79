"""formats: JSONC tokenizer, parsers' errors, size limit and key-line look-ups."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.errors import ConfigError
from scanner.inventory import _decode
from scanner.inventory.configs._keylines import find_key_line
from scanner.inventory.configs.formats import Format, parse_json, strip_jsonc
from scanner.inventory.configs.read import read_config
from scanner.models import Scope


def test_jsonc_keeps_slashes_inside_strings() -> None:
    text = '{"a": "http://x.invalid//y", /* c */ "b": "/* not a comment */", // end\n}'
    assert parse_json(text) == {"a": "http://x.invalid//y", "b": "/* not a comment */"}


def test_jsonc_escaped_quotes_and_trailing_commas() -> None:
    text = '{"a": "q\\"//x", "l": [1, 2, ], "o": {"k": 1, /* x */ }, }'
    assert parse_json(text) == {"a": 'q"//x', "l": [1, 2], "o": {"k": 1}}


def test_jsonc_preserves_lines() -> None:
    text = '{\n/* one\ntwo */\n"a": 1,\n}'
    stripped = strip_jsonc(text)
    assert stripped.count("\n") == text.count("\n")
    assert find_key_line(stripped, "a", Format.JSON) == 4


def test_jsonc_comma_in_string_is_not_trailing() -> None:
    assert parse_json('["a,", "b"]') == ["a,", "b"]


def test_unterminated_block_comment() -> None:
    with pytest.raises(ConfigError, match="unterminated") as info:
        parse_json('{\n"a": 1 /* no end', "f.json")
    assert info.value.line == 2


@pytest.mark.parametrize(
    ("name", "content", "line"),
    [
        ("bad.json", '{\n  "mcpServers": {\n    "a": {,}\n  }\n}', 3),
        ("bad.toml", 'a = 1\n[mcp_servers.x\ncommand = "y"', 2),
        ("bad.yaml", "mcpServers:\n  - name: a\n    args: [unclosed\n", 4),
    ],
)
def test_syntax_errors_name_file_and_line(
    tmp_path: Path, name: str, content: str, line: int
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ConfigError) as info:
        read_config(path)
    assert info.value.path == str(path)
    assert info.value.line == line
    assert f"{path}:{line}" in info.value.diagnostics()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("deep.json", "[" * 100_000),
        ("deep.yaml", "[" * 100_000),
        ("deep.toml", "a = " + "[" * 100_000),
        ("bigint.json", '{"a": ' + "9" * 5000 + "}"),
        ("date.yaml", "a: 2020-99-99\n"),
        ("tag.yaml", "a: !!python/object:os.system echo\n"),
        ("top.json", "[1, 2]"),
        ("scalar.yaml", "just text"),
    ],
)
def test_odd_inputs_are_config_errors(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ConfigError) as info:
        read_config(path)
    assert info.value.path == str(path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{\n"a": "\xe9"}')
    with pytest.raises(ConfigError, match="not valid UTF-8") as info:
        read_config(path)
    assert info.value.line == 2


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "mcp.json"
    path.write_bytes(b'\xef\xbb\xbf{"mcpServers": {"a": {"command": "x"}}}')
    assert [e.name for e in read_config(path)] == ["a"]


def test_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_decode, "MAX_FILE_BYTES", 10)
    path = tmp_path / "big.json"
    path.write_text('{"mcpServers": {}}')
    with pytest.raises(ConfigError, match="larger than") as info:
        read_config(path)
    assert info.value.path == str(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        read_config(tmp_path / "nope.json")


def test_empty_files_have_no_servers(tmp_path: Path) -> None:
    for name in ("empty.yaml", "empty.toml"):
        (tmp_path / name).write_text("")
        assert read_config(tmp_path / name, scope=Scope.USER) == ()  # discovered: nothing yet
        with pytest.raises(ConfigError, match="empty"):  # named directly: a wrong file
            read_config(tmp_path / name)


def test_find_key_line_per_format() -> None:
    toml = 'x = 1\n\n[mcp_servers."my server"]\ncommand = "a"\n[mcp_servers.b]\n'
    assert find_key_line(toml, "my server", Format.TOML) == 3
    assert find_key_line(toml, "b", Format.TOML) == 5
    vibe = '[[mcp_servers]]\nname = "fetch"\n'
    assert find_key_line(vibe, "fetch", Format.TOML, by_name=True) == 2
    yaml_text = "extensions:\n  github:\n    cmd: npx\nmcpServers:\n  - name: Browser\n"
    assert find_key_line(yaml_text, "github", Format.YAML) == 2
    assert find_key_line(yaml_text, "Browser", Format.YAML, by_name=True) == 5
    json_text = '{\n "a": {},\n "projects": {\n  "p": {"a": {}}}}'
    assert find_key_line(json_text, "a", Format.JSON) == 2
    assert find_key_line(json_text, "a", Format.JSON, start_line=3) == 4
    assert find_key_line(json_text, "missing", Format.JSON) is None


def test_per_entry_problems_do_not_kill_the_file(tmp_path: Path) -> None:
    from scanner.inventory.configs.read import read_config_detailed

    path = tmp_path / "mcp.json"
    path.write_text(
        '{"mcpServers": {\n"ok": {"command": "npx", "args": ["a"]},\n'
        '"bad-args": {"command": "npx", "args": "a b"},\n'
        '"no-launch": {"env": {"K": "v"}},\n'
        '"bad-type": {"type": "carrier-pigeon", "url": "https://x.invalid"},\n'
        '"odd-env": {"command": "x", "env": ["K=v"], "disabled": "yes"},\n'
        '"not-a-map": 3}}'
    )
    result = read_config_detailed(path, "cursor")
    assert [e.name for e in result.entries] == ["ok", "odd-env"]
    assert result.entries[1].env_names == () and result.entries[1].enabled
    assert len(result.problems) == 6
    assert all(str(path) in p for p in result.problems)
    for name in ("bad-args", "no-launch", "bad-type", "odd-env", "not-a-map"):
        assert any(repr(name) in p for p in result.problems), name
    assert any("args must be a list" in p and "line 3" in p for p in result.problems)
