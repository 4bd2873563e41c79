"""Read a captured ``tools/list`` result: ``{"tools": [...]}``, a bare list, one tool object,
or a JSON-RPC response whose ``result`` is one of those. Never runs the server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scanner.errors import InputError
from scanner.inventory._decode import load_json, read_text
from scanner.models import Skipped, SourceLocation
from scanner.tools.model import ToolDef, ToolList


class ToolListError(InputError):
    """A tool list file cannot be read as a ``tools/list`` result."""


def load_tool_list(path: Path) -> ToolList:
    """Parse the file at ``path``; a malformed tool is skipped with its reason, not fatal.

    Read through the project's one file reader: regular files only, size-capped, UTF-8; a
    string with an unpaired surrogate is an error naming the file (it could not be stored).
    """
    return parse_tool_list(read_text(path, ToolListError), str(path))


def parse_tool_list(data: bytes | str, source: str) -> ToolList:
    """Parse the text of a tool list; ``source`` names it in messages."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ToolListError(source, f"not UTF-8 (byte {exc.start})") from None
    doc = load_json(data, source, ToolListError)
    return ToolList(source, *_tools(doc, source))


def _items(doc: Any, source: str) -> list[Any]:
    if isinstance(doc, dict) and isinstance(doc.get("result"), dict) and "jsonrpc" in doc:
        doc = doc["result"]  # a whole JSON-RPC response
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict) and "tools" in doc:
        if not isinstance(doc["tools"], list):
            raise ToolListError(source, '"tools" is not a list')
        return list(doc["tools"])
    if isinstance(doc, dict) and "name" in doc:
        return [doc]  # a single tool object
    raise ToolListError(
        source,
        "not a tools/list result",
        hint='expected {"tools": [...]}, a list of tools, or one tool object with a "name"',
    )


def _tools(doc: Any, source: str) -> tuple[tuple[ToolDef, ...], tuple[Skipped, ...]]:
    tools: list[ToolDef] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    where = SourceLocation(source)
    for i, item in enumerate(_items(doc, source)):
        subject = f"tools[{i}]"
        if not isinstance(item, dict):
            skipped.append(Skipped(subject, f"not a JSON object ({type(item).__name__})", where))
            continue
        name = item.get("name")
        if not isinstance(name, str) or not name:
            skipped.append(Skipped(subject, 'no "name" string', where))
            continue
        if name in seen:
            # Which of two same-named tools a client keeps is client-specific: pin the first,
            # and say so, rather than guess.
            reason = "duplicate tool name; the first definition is pinned"
            skipped.append(Skipped(f"{subject} {name}", reason, where))
            continue
        seen.add(name)
        tools.append(ToolDef(name, item, i))
    return tuple(tools), tuple(skipped)
