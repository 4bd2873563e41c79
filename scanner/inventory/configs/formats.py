"""Load JSON, JSONC, TOML and YAML config files; every failure becomes a ``ConfigError``.

Readers here never execute or fetch anything. Reading and decoding go through the one reader
and loaders in :mod:`scanner.inventory._decode` (size cap, regular files only, bounded YAML
aliases), so a malformed file raises :class:`scanner.errors.ConfigError` naming the file and,
where the parser knows it, the 1-based line. Nothing else escapes.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

from scanner.errors import ConfigError
from scanner.inventory import _decode


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
    """Read a config file as UTF-8 text (a BOM is dropped): regular files within the size cap."""
    return _decode.read_text(path, ConfigError)


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
    return _decode.load_json(strip_jsonc(text, path) if jsonc else text, path, ConfigError)


def parse_toml(text: str, path: str = "<text>") -> object:
    """Parse TOML, raising ``ConfigError`` with the line on failure."""
    return _decode.load_toml(text, path, ConfigError)


def parse_yaml(text: str, path: str = "<text>") -> object:
    """Parse YAML safely (no tags that build objects, bounded aliases), as ``ConfigError``."""
    return _decode.load_yaml(text, path, ConfigError)


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
