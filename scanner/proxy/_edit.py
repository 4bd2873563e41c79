"""Edit the command and args of server entries in a config's text, leaving every other byte.

JSON and JSONC: the value spans come from a walk over the comment-free text (``strip_jsonc``
keeps every offset), and new values are spliced in. YAML: the spans come from the composed
node graph (PyYAML marks). TOML: ``tomlkit`` keeps the document's own spelling around the
values it changes. Each editor raises ``EditError`` where it cannot edit safely; the caller
re-parses the result and compares it with the expected document before anything is written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import tomlkit
import tomlkit.exceptions
import yaml

from scanner.inventory.configs.formats import Format, strip_jsonc
from scanner.proxy._wrap import Wrap


class EditError(ValueError):
    """The file cannot be edited in place safely (the message says why)."""


@dataclass(slots=True)
class _Node:
    """A JSON value's span in the text; an object's or array's children by key or index."""

    start: int
    end: int = 0
    children: dict[str | int, _Node] = field(default_factory=dict)


_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _skip(text: str, at: int) -> int:
    found = _WS.match(text, at)
    return found.end() if found else at


def _json_tree(text: str, at: int = 0) -> _Node:
    """Spans of the JSON value at ``at`` (the text is known to parse)."""
    i = _skip(text, at)
    opener = text[i]
    if opener not in "{[":
        return _Node(i, _DECODER.raw_decode(text, i)[1])
    node, closer = _Node(i), "}" if opener == "{" else "]"
    i = _skip(text, i + 1)
    index = 0
    while text[i] != closer:
        key: str | int = index
        if opener == "{":
            key, i = _DECODER.raw_decode(text, i)
            i = _skip(text, i) + 1  # past ':'
        child = _json_tree(text, i)
        node.children[key] = child  # a repeated key: the last one counts, as in json.loads
        i = _skip(text, child.end)
        if text[i] == ",":
            i = _skip(text, i + 1)
        index += 1
    node.end = i + 1
    return node


def _find(node: _Node, path: tuple[str | int, ...]) -> _Node:
    for step in path:
        child = node.children.get(step)
        if child is None:
            raise EditError("a server entry is not where the parsed file says it is")
        node = child
    return node


def _splice(text: str, edits: list[tuple[int, int, str]]) -> str:
    edits.sort()
    for (_, end, _), (start, _, _) in zip(edits, edits[1:], strict=False):
        if start < end:
            raise EditError("two edits overlap (one entry reached twice)")
    for start, end, new in reversed(edits):
        text = text[:start] + new + text[end:]
    return text


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _indent_before(text: str, at: int) -> str | None:
    """The whitespace from the start of ``at``'s line to ``at``, or None when not only that."""
    lead = text[text.rfind("\n", 0, at) + 1 : at]
    return lead if not lead.strip() else None


def _json_list(text: str, old: _Node, items: list[str]) -> str:
    """A list in the layout of the one it replaces: one item a line stays one item a line."""
    first = old.children.get(0)
    if first is None or "\n" not in text[old.start : first.start]:
        return _dump(items)
    item, close = _indent_before(text, first.start), _indent_before(text, old.end - 1)
    if item is None or close is None:
        return _dump(items)
    between = ",\n" + item
    return "[\n" + item + between.join(_dump(i) for i in items) + "\n" + close + "]"


def edit_json(text: str, wraps: list[Wrap]) -> str:
    """JSON or JSONC text with each wrap's command and args replaced (comments kept)."""
    try:
        root = _json_tree(strip_jsonc(text))
    except (IndexError, ValueError, RecursionError) as exc:
        raise EditError(f"cannot locate the server entries ({exc.__class__.__name__})") from None
    edits = []
    for w in wraps:
        entry = _find(root, w.where)
        command = _find(entry, (w.key,))
        if w.args is None and isinstance(w.command, list):
            edits.append((command.start, command.end, _json_list(text, command, w.command)))
        elif w.args is None:
            edits.append((command.start, command.end, _dump(w.command)))
        elif w.has_args:
            args = _find(entry, ("args",))
            edits.append((command.start, command.end, _dump(w.command)))
            edits.append((args.start, args.end, _json_list(text, args, w.args)))
        else:  # a new key right after the command, on its line
            new = f'{_dump(w.command)}, "args": {_dump(w.args)}'
            edits.append((command.start, command.end, new))
    return _splice(text, edits)


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml_child(node: yaml.Node, key: str | int) -> tuple[yaml.Node, yaml.Node]:
    """(key node, value node) of a mapping key, or (item, item) of a sequence index."""
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        item: yaml.Node = node.value[key]
        return item, item
    if isinstance(node, yaml.MappingNode):
        for k, v in reversed(node.value):  # a repeated key: the last one counts
            if (
                isinstance(k, yaml.ScalarNode)
                and k.value == str(key)
                and k.tag != "tag:yaml.org,2002:merge"
            ):
                return k, v
    raise EditError(f"{key!s:.40} is not written in the entry itself (a merge key or alias?)")


def _shared(root: yaml.Node) -> set[int]:
    """Nodes reached more than once: an anchor with aliases (editing one edits every use)."""
    seen: set[int] = set()
    shared: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            shared.add(id(node))
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return shared


def _yaml_span(text: str, node: yaml.Node) -> tuple[int, int]:
    start = node.start_mark.index
    if text[start : start + 1] in ("&", "!", "*"):
        raise EditError("an edited value carries a YAML anchor, tag or alias")
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        raise EditError("an edited value is a YAML block scalar (| or >)")
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return start, node.value[-1].end_mark.index  # a block's own end mark runs on
    return start, node.end_mark.index


def _yaml_value(value: object, node: yaml.Node) -> str:
    """A value in the style of the node it replaces: a block list stays a block list."""
    if isinstance(value, list) and isinstance(node, yaml.SequenceNode) and not node.flow_style:
        indent = "\n" + " " * node.start_mark.column + "- "
        return "- " + indent.join(_dump(v) for v in value)
    return _dump(value)  # JSON strings and lists are YAML double-quoted scalars / flow lists


def edit_yaml(text: str, wraps: list[Wrap]) -> str:
    """YAML text with each wrap's command and args replaced (comments and layout kept)."""
    try:
        root = yaml.compose(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise EditError(f"cannot locate the server entries ({exc.__class__.__name__})") from None
    if root is None:
        raise EditError("the YAML document is empty")
    shared = _shared(root)
    edits = []
    for w in wraps:
        entry = root
        for step in w.where:
            entry = _yaml_child(entry, step)[1]
        key, command = _yaml_child(entry, w.key)
        nodes = [entry, command]
        start, end = _yaml_span(text, command)
        edits.append((start, end, _yaml_value(w.command, command)))
        if w.args is not None and w.has_args:
            args = _yaml_child(entry, "args")[1]
            nodes.append(args)
            a_start, a_end = _yaml_span(text, args)
            edits.append((a_start, a_end, _yaml_value(w.args, args)))
        elif w.args is not None and getattr(entry, "flow_style", False):
            edits.append((end, end, f", args: {_dump(w.args)}"))
        elif w.args is not None:  # a new key on its own line, under the command's key
            line_end = text.find("\n", end)
            at = len(text) if line_end < 0 else line_end
            edits.append((at, at, "\n" + " " * key.start_mark.column + f"args: {_dump(w.args)}"))
        if any(id(n) in shared for n in nodes):
            raise EditError(f"server {w.name!r:.60} is shared through a YAML anchor and alias")
    return _splice(text, edits)


def edit_toml(text: str, wraps: list[Wrap]) -> str:
    """TOML text with each wrap's command and args replaced (tomlkit keeps the rest as is)."""
    try:
        doc = tomlkit.parse(text)
    except tomlkit.exceptions.TOMLKitError as exc:
        raise EditError(f"cannot read the TOML for editing ({exc})") from None
    for w in wraps:
        entry: object = doc
        for step in w.where:
            try:
                entry = entry[step]  # type: ignore[index]
            except (KeyError, IndexError, TypeError):
                raise EditError("a server entry is not where the parsed file says it is") from None
        if not hasattr(entry, "__setitem__"):
            raise EditError("a server entry is not a table")
        entry[w.key] = w.command
        if w.args is not None:
            entry["args"] = w.args
    return str(doc.as_string())


EDITORS: dict[Format, Callable[[str, list[Wrap]], str]] = {
    Format.JSON: edit_json,
    Format.JSONC: edit_json,
    Format.YAML: edit_yaml,
    Format.TOML: edit_toml,
}
