"""Tool-poisoning checks: local, explainable, each finding quotes its span (escaped).

1. Hidden Unicode in any string or key of the tool (format, control, private-use, tag and
   variation-selector characters); tag characters are decoded, since they spell hidden ASCII.
2. Instruction-like text aimed at the model (tools/_patterns.py says which phrases and why).
3. Shadowing: a sentence that tells the model how another tool must behave, where that tool
   is not one of this server's own (or is one of the other servers' tools we were given).
4. Paths of secrets (~/.ssh, .env, cloud credentials, the agent's own MCP config).
5. Exfiltration-shaped parameters: a parameter named or described to carry conversation
   context, secrets or file contents.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from scanner.checks.codes import Code, finding
from scanner.models import Finding, Severity
from scanner.report.text import is_hidden, reveal
from scanner.tools import _patterns as p
from scanner.tools.model import ToolDef

_CONTEXT = 24  # characters of context either side of a quoted span
_QUOTE_MAX = 160


def quote(text: str, start: int, end: int) -> str:
    """The span with a little context, hidden characters escaped, never longer than a line."""
    lo, hi = max(0, start - _CONTEXT), min(len(text), end + _CONTEXT)
    span = reveal(text[lo:hi])
    if len(span) > _QUOTE_MAX:
        span = span[:_QUOTE_MAX] + "…"
    return ("…" if lo else "") + span + ("…" if hi < len(text) else "")


def strings(value: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a JSON value (dict keys included) with its dotted path."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for k, v in value.items():
            path = f"{where}.{k}" if where else str(k)
            yield f"{path}<key>", str(k)
            yield from strings(v, path)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from strings(v, f"{where}[{i}]")


def _emoji_join(text: str, i: int) -> bool:
    """A ZWJ or an England-style tag sequence inside an emoji is not hiding anything."""
    char = text[i]
    prev = text[i - 1] if i else ""
    if char == "\u200d":
        nxt = text[i + 1] if i + 1 < len(text) else ""
        return (
            bool(prev and nxt)
            and unicodedata.category(nxt) == "So"
            and (unicodedata.category(prev) in {"So", "Sk"} or prev == "\ufe0f")
        )
    if char == "\ufe0f":  # emoji presentation selector after a symbol
        return bool(prev) and unicodedata.category(prev) in {"So", "Sm", "Sk", "Nd"} or prev == "#"
    return False


def _flag_tags(text: str) -> set[int]:
    """Positions of tag characters in a flag sequence (U+1F3F4 + tags + U+E007F)."""
    allowed: set[int] = set()
    for m in re.finditer("\U0001f3f4([\U000e0020-\U000e007e]{1,7}\U000e007f)", text):
        allowed.update(range(m.start(1), m.end(1)))
    return allowed


def hidden_runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each run of hidden characters, emoji joins and flags excepted."""
    if text.isascii() and text.isprintable():
        return []
    allowed = _flag_tags(text)
    runs: list[tuple[int, int]] = []
    for i, char in enumerate(text):
        if char in "\n\r\t" or i in allowed or not is_hidden(char) or _emoji_join(text, i):
            continue
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs


def _describe_hidden(text: str, runs: list[tuple[int, int]]) -> str:
    chars = [text[i] for a, b in runs for i in range(a, b)]
    names = sorted({f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}" for c in chars})
    msg = f"{len(chars)} hidden character(s): {', '.join(names[:4])}"
    tags = "".join(chr(ord(c) - 0xE0000) for c in chars if 0xE0020 <= ord(c) <= 0xE007E)
    if tags:
        msg += f"; tag characters spell {reveal(tags)!r}"
    return msg


def check_tool(
    tool: ToolDef,
    subject: str,
    *,
    own_tools: frozenset[str] = frozenset(),
    other_tools: frozenset[str] = frozenset(),
) -> list[Finding]:
    """Every poisoning finding for one tool; ``own_tools`` are this server's tool names."""
    out: list[Finding] = []
    own = own_tools | {tool.name}
    for where, text in strings(tool.raw):
        out.extend(_hidden(tool, subject, where, text))
        if where.endswith("<key>"):
            continue  # keys: hidden characters only (parameter names are checked below)
        out.extend(_text_checks(tool, subject, where, text, own, other_tools))
    out.extend(_parameters(tool, subject))
    return out


def _hidden(tool: ToolDef, subject: str, where: str, text: str) -> Iterator[Finding]:
    runs = hidden_runs(text)
    if runs:
        a, b = runs[0]
        yield finding(
            Code.TOOL_HIDDEN_UNICODE,
            subject,
            f"tool {reveal(tool.name)}: {_describe_hidden(text, runs)} in {reveal(where)}",
            tool=reveal(tool.name),
            where=reveal(where),
            quote=quote(text, a, b),
        )


def _text_checks(
    tool: ToolDef,
    subject: str,
    where: str,
    text: str,
    own: frozenset[str],
    others: frozenset[str],
) -> Iterator[Finding]:
    name, place = reveal(tool.name), reveal(where)
    for reason, pattern in p.INSTRUCTIONS:
        m = pattern.search(text)
        if m:
            msg = f"tool {name}: {reason} in {place}"
            q = quote(text, m.start(), m.end())
            yield finding(Code.TOOL_INSTRUCTION, subject, msg, tool=name, where=place, quote=q)
    m = p.SECRET_PATH.search(text)
    if m:
        msg = f"tool {name}: names a secret's path ({reveal(m.group(0))}) in {place}"
        q = quote(text, m.start(), m.end())
        yield finding(Code.TOOL_SECRET_PATH, subject, msg, tool=name, where=place, quote=q)
    hit = _shadowing(text, own, others)
    if hit:
        reason, (a, b) = hit
        msg = f"tool {name}: {reason} in {place}"
        q = quote(text, a, b)
        yield finding(Code.TOOL_SHADOWING, subject, msg, tool=name, where=place, quote=q)


def _shadowing(
    text: str, own: frozenset[str], others: frozenset[str]
) -> tuple[str, tuple[int, int]] | None:
    for sentence in p.SENTENCE.finditer(text):
        s = sentence.group(0)
        modal = p.MODAL.search(s)
        for ref in p.TOOL_REFERENCE.finditer(s):
            ident = ref.group(1)
            if ident in own:
                continue
            if ident in others or modal:
                span = (sentence.start() + ref.start(), sentence.start() + ref.end())
                return f"instructs about another server's tool {reveal(ident)!r}", span
        m = p.OTHER_TOOLS.search(s)
        if m and modal:
            span = (sentence.start() + m.start(), sentence.start() + m.end())
            return "instructs how other tools or servers must behave", span
    for ident in others - own:
        if "_" in ident or "-" in ident:  # a plain word like "search" is no reference
            m = re.search(rf"(?<![\w-]){re.escape(ident)}(?![\w-])", text)
            if m:
                return f"names another server's tool {reveal(ident)!r}", (m.start(), m.end())
    return None


def _parameters(tool: ToolDef, subject: str) -> Iterator[Finding]:
    schema = tool.raw.get("inputSchema")
    props = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(props, dict):
        return
    name = reveal(tool.name)
    for param, spec in props.items():
        key = re.sub(r"[^a-z0-9]", "", str(param).lower())
        where = reveal(f"inputSchema.properties.{param}")
        if key in p.EXFIL_NAMES:
            msg = f"tool {name}: parameter {reveal(str(param))!r} is named to carry context"
            yield finding(
                Code.TOOL_EXFIL_PARAMETER,
                subject,
                msg,
                tool=name,
                where=where,
                quote=reveal(str(param)),
            )
            continue
        desc = spec.get("description") if isinstance(spec, dict) else None
        m = p.EXFIL_DESCRIPTION.search(desc) if isinstance(desc, str) else None
        if desc and m:
            msg = f"tool {name}: parameter {reveal(str(param))!r} asks for context or secrets"
            yield finding(
                Code.TOOL_EXFIL_PARAMETER,
                subject,
                msg,
                tool=name,
                where=where + ".description",
                quote=quote(desc, m.start(), m.end()),
            )


def worst(findings: list[Finding]) -> Severity | None:
    """The highest severity among ``findings`` (None when there are none)."""
    return max((f.severity for f in findings), key=lambda s: s.rank, default=None)
