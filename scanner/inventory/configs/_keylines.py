"""Best-effort 1-based lines where keys are written in a config's text, found in linear time.

The text is scanned once per kind of place a key can be written (a JSON ``"key":``, a TOML
``[a.key]`` header, a YAML ``- name: key`` ...) and every key found is indexed by its line, so
each look-up is a dictionary hit and a bisection. Searching the text again for each of 20,000
servers (from the top of their section) used to make a large config quadratic.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Callable, Iterator

from scanner.inventory.configs.formats import Format

# kind of place -> key as parsed -> ascending lines where it is written that way
_Index = dict[str, dict[str, list[int]]]

# ---------------------------------------------------------------------------------- JSON

# Comments first so quotes inside them are skipped; a string is a key when a colon follows.
_JSON_TOKEN = re.compile(r'//[^\n]*|/\*.*?\*/|"((?:[^"\\\n]|\\.)*)"(\s*:)?', re.DOTALL)
_JSON_VALUE = re.compile(r'\s*"((?:[^"\\\n]|\\.)*)"')


def _json_string(raw: str) -> str:
    if "\\" not in raw:
        return raw
    try:
        value = json.loads(f'"{raw}"')
    except ValueError:
        return raw
    return value if isinstance(value, str) else raw


def _json_places(text: str) -> Iterator[tuple[str, str, int]]:
    for m in _JSON_TOKEN.finditer(text):
        if m.group(2) is None:  # a comment, or a string that is a value
            continue
        key = _json_string(m.group(1))
        yield "keyed", key, m.start()
        if key == "name":
            value = _JSON_VALUE.match(text, m.end())
            if value is not None:
                yield "named", _json_string(value.group(1)), m.start()


# ---------------------------------------------------------------------------------- TOML

_TOML_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
_TOML_PART = re.compile(_TOML_KEY)
_TOML_DOT = r"[ \t]*\.[ \t]*"
_TOML_HEADER = re.compile(
    rf"^[ \t]*\[\[?[ \t]*(?:{_TOML_KEY}{_TOML_DOT})+({_TOML_KEY})[ \t]*\]", re.MULTILINE
)
_TOML_DOTTED = re.compile(
    rf"^[ \t]*({_TOML_KEY}(?:{_TOML_DOT}{_TOML_KEY}){{2,}})[ \t]*=", re.MULTILINE
)
_TOML_NAMED = re.compile(rf"^[ \t]*name[ \t]*=[ \t]*({_TOML_KEY})[ \t]*(?:#.*)?$", re.MULTILINE)
_TOML_INLINE = re.compile(rf"^[ \t]*({_TOML_KEY})[ \t]*=", re.MULTILINE)


def _toml_key(raw: str) -> str:
    if raw.startswith("'"):
        return raw[1:-1]
    if raw.startswith('"'):
        return _json_string(raw[1:-1])  # TOML basic strings escape as JSON does (nearly)
    return raw


def _toml_places(text: str) -> Iterator[tuple[str, str, int]]:
    for m in _TOML_HEADER.finditer(text):
        yield "header", _toml_key(m.group(1)), m.start()
    for m in _TOML_DOTTED.finditer(text):  # a.key.b = ...: every part but the first and last
        for part in _TOML_PART.findall(m.group(1))[1:-1]:
            yield "dotted", _toml_key(part), m.start()
    for m in _TOML_NAMED.finditer(text):
        yield "named", _toml_key(m.group(1)), m.start()
    for m in _TOML_INLINE.finditer(text):
        yield "inline", _toml_key(m.group(1)), m.start()


# ---------------------------------------------------------------------------------- YAML

_YAML_SCALAR = r"""(?:"([^"\n]*)"|'([^'\n]*)'|([^\n]*?))"""
_YAML_KEYED = re.compile(rf"^[ \t]*(?:-[ \t]+)?{_YAML_SCALAR}[ \t]*:(?:[ \t]|$)", re.MULTILINE)
_YAML_NAMED = re.compile(
    rf"^[ \t]*(?:-[ \t]+)?name[ \t]*:[ \t]*{_YAML_SCALAR}[ \t]*(?:[ \t]#.*)?$", re.MULTILINE
)


def _yaml_places(text: str) -> Iterator[tuple[str, str, int]]:
    for kind, pattern in (("keyed", _YAML_KEYED), ("named", _YAML_NAMED)):
        for m in pattern.finditer(text):
            key = next(g for g in m.groups() if g is not None)
            yield kind, key, m.start()


# Where to look first for each format: a mapping key, or (by_name) a ``name`` field.
_ORDER: dict[Format, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Format.JSON: (("keyed", "named"), ("named", "keyed")),
    Format.JSONC: (("keyed", "named"), ("named", "keyed")),
    Format.TOML: (("header", "dotted", "inline", "named"), ("named", "header", "dotted", "inline")),
    Format.YAML: (("keyed", "named"), ("named", "keyed")),
}
_PLACES: dict[Format, Callable[[str], Iterator[tuple[str, str, int]]]] = {
    Format.JSON: _json_places,
    Format.JSONC: _json_places,
    Format.TOML: _toml_places,
    Format.YAML: _yaml_places,
}


class KeyIndex:
    """Line look-ups in one file's text; the text is indexed on the first look-up."""

    __slots__ = ("_fmt", "_index", "_text")

    def __init__(self, text: str, fmt: Format) -> None:
        self._text = text
        self._fmt = fmt
        self._index: _Index | None = None

    def _build(self) -> _Index:
        index: _Index = {}
        places = sorted(_PLACES[self._fmt](self._text), key=lambda p: p[2])
        line, prev = 1, 0
        for kind, key, offset in places:  # offsets ascend: count each newline once
            line += self._text.count("\n", prev, offset)
            prev = offset
            lines = index.setdefault(kind, {}).setdefault(key, [])
            if not lines or lines[-1] != line:
                lines.append(line)
        return index

    def line(self, key: str, start_line: int = 1, *, by_name: bool = False) -> int | None:
        """The first line at or after ``start_line`` where ``key`` is written, else None.

        Finds ``"key":`` (JSON), ``[mcp_servers.key]`` / ``name = "key"`` (TOML) and ``key:`` /
        ``- name: key`` (YAML). ``by_name`` prefers a ``name`` field over a mapping key (list
        shapes such as Continue and Mistral Vibe).
        """
        if self._index is None:
            self._index = self._build()
        for kind in _ORDER[self._fmt][by_name]:
            lines = self._index.get(kind, {}).get(key)
            if lines:
                at = bisect_left(lines, start_line)
                if at < len(lines):
                    return lines[at]
        return None


def find_key_line(
    text: str, key: str, fmt: Format, *, start_line: int = 1, by_name: bool = False
) -> int | None:
    """Best-effort 1-based line where ``key`` is written, at or after ``start_line``.

    One-off look-up; to look up many keys in one text, keep a :class:`KeyIndex`.
    """
    return KeyIndex(text, fmt).line(key, start_line, by_name=by_name)
