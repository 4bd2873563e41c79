"""Load JSON, JSONC, TOML and YAML config files; every failure becomes a ``ConfigError``.

Readers here never execute or fetch anything. A malformed file raises
:class:`scanner.errors.ConfigError` naming the file and, where the parser knows it, the
1-based line. Nothing else escapes (decoding errors, recursion limits, integer-size limits
and YAML's timestamp ``ValueError`` are all translated).
"""

from __future__ import annotations

import json
import re
import tomllib
from enum import StrEnum
from pathlib import Path

import yaml

from scanner.errors import ConfigError

MAX_CONFIG_BYTES = 10 * 1024 * 1024
"""Config files larger than this are refused: real MCP client configs are kilobytes."""


class Format(StrEnum):
    """The syntax a config file is written in."""

    JSON = "json"
    JSONC = "jsonc"  # JSON with // and /* */ comments and trailing commas (VS Code, Zed, ...)
    TOML = "toml"
    YAML = "yaml"


_SUFFIX_FORMATS = {
    ".json": Format.JSONC,  # lenient on purpose: we inventory what is written, comments or not
    ".jsonc": Format.JSONC,
    ".json5": Format.JSONC,
    ".toml": Format.TOML,
    ".yaml": Format.YAML,
    ".yml": Format.YAML,
}


def format_for(path: Path, default: Format | None = None) -> Format | None:
    """The format implied by a file's suffix, else ``default``."""
    return _SUFFIX_FORMATS.get(path.suffix.lower(), default)


def read_text(path: Path) -> str:
    """Read a config file as UTF-8 text (a BOM is dropped), refusing files over 10 MB."""
    where = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise ConfigError(
                where,
                f"file is {size} bytes, larger than the {MAX_CONFIG_BYTES} byte limit",
                hint="MCP client configs are small; is this the right file?",
            )
        with path.open("rb") as fh:
            data = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(where, f"cannot read file: {exc.strerror or exc}") from exc
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(where, f"file is larger than the {MAX_CONFIG_BYTES} byte limit")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(where, "file is not valid UTF-8 text", line=line) from exc


# One pass over the text finds strings (so "//" or "http://" inside them is left alone),
# comments, commas and closing brackets; everything in between is copied unchanged.
_JSONC_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|//[^\n]*|/\*.*?\*/|/\*|,|[\[{\]}]', re.DOTALL)
_NOT_NEWLINE = re.compile(r"[^\n]")


def strip_jsonc(text: str, path: str = "<text>") -> str:
    """Turn JSONC into JSON: comments and trailing commas become spaces, lines stay put."""
    out: list[str] = []
    pending_comma: int | None = None  # index in ``out`` of a comma not yet followed by a value
    after_value = False  # the last significant token ends a value (so a comma may follow)
    pos = 0
    for match in _JSONC_TOKEN.finditer(text):
        gap = text[pos : match.start()]
        if gap:
            out.append(gap)
            if not gap.isspace():
                pending_comma, after_value = None, True
        token = match.group()
        pos = match.end()
        if token.startswith('"'):
            out.append(token)
            pending_comma, after_value = None, True
        elif token in ("[", "{"):
            out.append(token)
            pending_comma, after_value = None, False
        elif token.startswith("//"):
            out.append(" " * len(token))
        elif token.startswith("/*"):
            if token == "/*":
                line = text.count("\n", 0, match.start()) + 1
                raise ConfigError(path, "unterminated /* comment", line=line)
            out.append(_NOT_NEWLINE.sub(" ", token))
        elif token == ",":
            # only a comma that follows a value can be trailing; "[,]" stays invalid
            pending_comma = len(out) if after_value else None
            after_value = False
            out.append(",")
        else:  # a closing bracket: a comma right before it is a trailing comma
            if pending_comma is not None:
                out[pending_comma] = " "
            pending_comma, after_value = None, True
            out.append(token)
    out.append(text[pos:])
    return "".join(out)


def parse_json(text: str, path: str = "<text>", *, jsonc: bool = True) -> object:
    """Parse JSON (JSONC when ``jsonc``), raising ``ConfigError`` with the line on failure."""
    source = strip_jsonc(text, path) if jsonc else text
    try:
        return json.loads(source)
    except json.JSONDecodeError as exc:
        raise ConfigError(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from exc
    except RecursionError as exc:
        raise ConfigError(path, "invalid JSON: nested too deeply") from exc
    except ValueError as exc:  # e.g. an integer longer than Python's digit limit
        raise ConfigError(path, f"invalid JSON: {exc}") from exc


_TOML_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def parse_toml(text: str, path: str = "<text>") -> object:
    """Parse TOML with ``tomllib``, raising ``ConfigError`` with the line on failure."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_AT_LINE.search(message)
        line = int(found.group(1)) if found else None
        problem = _TOML_AT_LINE.sub("", message).strip()
        raise ConfigError(path, f"invalid TOML: {problem}", line=line) from exc
    except RecursionError as exc:
        raise ConfigError(path, "invalid TOML: nested too deeply") from exc
    except ValueError as exc:
        raise ConfigError(path, f"invalid TOML: {exc}") from exc


def parse_yaml(text: str, path: str = "<text>") -> object:
    """Parse YAML with ``yaml.safe_load`` (no tags that build objects), as ``ConfigError``."""
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "syntax error"
        raise ConfigError(path, f"invalid YAML: {problem}", line=line) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(path, f"invalid YAML: {exc}") from exc
    except RecursionError as exc:
        raise ConfigError(path, "invalid YAML: nested too deeply") from exc
    except (ValueError, TypeError, OverflowError) as exc:  # bad timestamps, huge ints, ...
        raise ConfigError(path, f"invalid YAML value: {exc}") from exc


def parse(text: str, fmt: Format, path: str = "<text>") -> object:
    """Parse ``text`` written in ``fmt``."""
    if fmt is Format.TOML:
        return parse_toml(text, path)
    if fmt is Format.YAML:
        return parse_yaml(text, path)
    return parse_json(text, path, jsonc=fmt is Format.JSONC)


def load(path: Path, fmt: Format) -> tuple[str, object]:
    """Read and parse a config file; returns the text (for line look-ups) and the value."""
    text = read_text(path)
    return text, parse(text, fmt, str(path))


# ---------------------------------------------------------------------------- line look-ups

_BARE_TOML_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _offset_of_line(text: str, line: int) -> int:
    offset = 0
    for _ in range(max(line, 1) - 1):
        found = text.find("\n", offset)
        if found < 0:
            return len(text)
        offset = found + 1
    return offset


def _key_patterns(key: str, fmt: Format, by_name: bool) -> list[str]:
    """Regexes that find where ``key`` is written, most specific first."""
    if fmt in (Format.JSON, Format.JSONC):
        quoted = re.escape(json.dumps(key, ensure_ascii=False)[1:-1])
        named = rf'"name"\s*:\s*"{quoted}"'
        keyed = rf'"{quoted}"\s*:'
        return [named, keyed] if by_name else [keyed, named]
    if fmt is Format.TOML:
        alternatives = [rf'"{re.escape(json.dumps(key)[1:-1])}"', rf"'{re.escape(key)}'"]
        if _BARE_TOML_KEY.fullmatch(key):
            alternatives.insert(0, re.escape(key))
        either = "(?:" + "|".join(alternatives) + ")"
        header = rf"^[ \t]*\[[ \t]*[^\]\n]*?\.[ \t]*{either}[ \t]*\]"
        dotted = rf"^[ \t]*[A-Za-z0-9_\"'.-]*\.[ \t]*{either}[ \t]*\."
        named = rf"^[ \t]*name[ \t]*=[ \t]*{either}[ \t]*(?:#.*)?$"
        inline = rf"^[ \t]*{either}[ \t]*="
        return [named, header, dotted, inline] if by_name else [header, dotted, inline, named]
    either = rf"(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')"
    keyed = rf"^[ \t]*(?:-[ \t]+)?{either}[ \t]*:(?:[ \t]|$)"
    named = rf"^[ \t]*(?:-[ \t]+)?name[ \t]*:[ \t]*{either}[ \t]*(?:#.*)?$"
    return [named, keyed] if by_name else [keyed, named]


def find_key_line(
    text: str, key: str, fmt: Format, *, start_line: int = 1, by_name: bool = False
) -> int | None:
    """Best-effort 1-based line where ``key`` is written, at or after ``start_line``.

    Finds ``"key":`` (JSON), ``[mcp_servers.key]`` / ``name = "key"`` (TOML) and ``key:`` /
    ``- name: key`` (YAML). ``by_name`` prefers a ``name`` field over a mapping key (list
    shapes such as Continue and Mistral Vibe). Returns None when nothing matches.
    """
    offset = _offset_of_line(text, start_line)
    for pattern in _key_patterns(key, fmt, by_name):
        found = re.compile(pattern, re.MULTILINE).search(text, offset)
        if found:
            return _line_of(text, found.start())
    return None
