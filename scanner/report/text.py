"""Untrusted text made safe for a terminal or a log, and word wrapping that never cuts a word.

Names, reasons and messages come from configs, lockfiles and registries. Before they reach a text
report every control character (C0 including newline and tab, DEL, C1), every bidi override or
isolate, zero-width and line-separator character is shown as a visible ``\\xNN`` / ``\\uNNNN``
escape: nothing can clear the screen, set the clipboard (OSC 52), hide a link (OSC 8), reorder
text or start a new, forged line. Free text is also redacted (scanner.redact) as a last line of
defence. Text reports use no markup language, so ``[bold]`` in a name is just text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from scanner.redact import redact_text

# C0 + DEL + C1, bidi marks/embeddings/overrides/isolates, zero-width characters, line and
# paragraph separators, BOM, interlinear annotations and tag characters.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb"
    "\U000e0000-\U000e007f]"
)
# The same set, but only what JSON does not already escape (json escapes C0 itself).
JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb"
    "\U000e0000-\U000e007f]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def clean(text: str) -> str:
    """``text`` on one line with every control or invisible character shown as an escape."""
    return _UNSAFE.sub(_visible, text) if _UNSAFE.search(text) else text


@lru_cache(maxsize=8192)
def safe(text: str) -> str:
    """Untrusted free text for a text report: redacted, then cleaned (cached: reasons repeat)."""
    return clean(redact_text(text))


def json_escape(text: str) -> str:
    """A serialised JSON document with C1, bidi and invisible characters as ``\\uXXXX``.

    Safe on a whole document: json.dumps emits these characters only inside strings.
    """
    # Every character JSON_UNSAFE matches is DEL or outside ASCII; isascii() reads a flag the
    # string already carries, so the usual all-ASCII document skips the regex scan (~3 ms for a
    # 1,000-component check).
    if text.isascii() and "\x7f" not in text or not JSON_UNSAFE.search(text):
        return text
    return JSON_UNSAFE.sub(_json_escape_char, text)


def _json_escape_char(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # outside the BMP: a UTF-16 surrogate pair, as JSON requires
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def wrap(words: list[str], width: int, *, first: str = "", indent: int = 4) -> Iterator[str]:
    """Greedy word wrap: lines start with ``first`` then ``indent`` spaces; no word is ever cut.

    A word longer than a line stands alone on its own line (a long URL is not split).
    """
    line = first
    pad = " " * indent
    fresh = True  # nothing after the prefix yet
    for word in words:
        if not word:
            continue
        if fresh:
            line += word
            fresh = False
        elif len(line) + 1 + len(word) <= width:
            line += " " + word
        else:
            yield line
            line = pad + word
    if not fresh or line:
        yield line


_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})


def is_hidden(char: str) -> bool:
    """A character a reader cannot see: control, format, private use, separators, tags,
    variation selectors and blank fillers (Hangul fillers look like nothing)."""
    code = ord(char)
    if 0x20 <= code < 0x7F:
        return False
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
        return True
    if code in (0x115F, 0x1160, 0x3164, 0xFFA0):
        return True
    return unicodedata.category(char) in _HIDDEN_CATEGORIES


def reveal(text: str) -> str:
    """``text`` with every hidden character (see is_hidden, newline and tab included) as an
    escape: how a quoted span of untrusted text is shown, never raw."""
    if text.isascii() and text.isprintable() and "\\" not in text:
        return text
    out = []
    for char in text:
        if char == "\\":
            out.append("\\\\")  # so a literal backslash-u in the text cannot pose as an escape
        elif is_hidden(char):
            out.append(_NAMED.get(char) or _escape_code(ord(char)))
        else:
            out.append(char)
    return "".join(out)


def _escape_code(code: int) -> str:
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
