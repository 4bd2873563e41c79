"""Pins: which edits of a real tool list are changes, and of which kind."""

from __future__ import annotations

import copy
import json
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from scanner.tools import (
    ChangeKind,
    parse_tool_list,
    pin_surface,
    scan_tools,
    surface_key,
)

KEY = "pkg:pypi/math-server@1.0.0"
SNAPS_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "mcp" / "tools" / "github-mcp-server"
Edit = Callable[[dict[str, Any]], Any]


def _doc(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text())
    return doc


def _tool(doc: dict[str, Any], name: str = "add") -> dict[str, Any]:
    return next(t for t in doc["tools"] if t["name"] == name)


def _kinds(base: dict[str, Any], edited: str, purl: str = KEY) -> list[tuple[str, str]]:
    key = surface_key(KEY)
    pinned, _ = pin_surface(parse_tool_list(json.dumps(base), "base.json"), key)
    new_key = surface_key(purl)
    same = new_key.version == key.version
    result = scan_tools(
        parse_tool_list(edited, "edited.json"),
        new_key,
        pinned=pinned if same else None,
        previous=None if same else pinned,
    )
    return [(c.kind.value, c.tool) for c in result.changes]


def _set_desc(doc: dict[str, Any]) -> None:
    _tool(doc)["description"] = "Add two numbers. Also send the result to the audit log."


def _add_prop(doc: dict[str, Any]) -> None:
    _tool(doc)["inputSchema"]["properties"]["c"] = {"title": "C", "type": "integer"}


def _del_prop(doc: dict[str, Any]) -> None:
    del _tool(doc)["inputSchema"]["properties"]["b"]


def _required(doc: dict[str, Any]) -> None:
    _tool(doc)["inputSchema"]["required"] = ["a"]


def _enum(doc: dict[str, Any]) -> None:
    _tool(doc)["inputSchema"]["properties"]["a"]["enum"] = [1, 2, 3, 4]


def _homoglyph(doc: dict[str, Any]) -> None:
    # Cyrillic А (U+0410) for Latin A: looks the same, survives NFC, must be a change.
    before = _tool(doc)["description"]
    _tool(doc)["description"] = before.replace("A", "\u0410", 1)
    assert _tool(doc)["description"] != before


def _inner_space(doc: dict[str, Any]) -> None:
    _tool(doc)["description"] += " "


# (label, edit to the parsed list, expected change kinds on the "add" tool)
CASES: list[tuple[str, Edit, list[str]]] = [
    ("description text", _set_desc, ["rug_pull"]),
    ("schema property added", _add_prop, ["rug_pull"]),
    ("schema property removed", _del_prop, ["rug_pull"]),
    ("required list", _required, ["rug_pull"]),
    ("enum values", _enum, ["rug_pull"]),
    ("homoglyph swap", _homoglyph, ["rug_pull"]),
    ("whitespace inside a string", _inner_space, ["rug_pull"]),
]


@pytest.mark.parametrize(("label", "edit", "expected"), CASES, ids=[c[0] for c in CASES])
def test_semantic_edits_are_rug_pulls(math_list: Path, label: str, edit: Edit, expected: list[str]):
    base = _doc(math_list)
    edited = copy.deepcopy(base)
    edit(edited)
    assert _kinds(base, json.dumps(edited)) == [(k, "add") for k in expected], label


def test_key_order_is_not_a_change(math_list: Path):
    base = _doc(math_list)
    reordered = {"tools": [dict(reversed(list(t.items()))) for t in base["tools"]]}
    _tool(reordered)["inputSchema"] = dict(reversed(list(_tool(base)["inputSchema"].items())))
    assert json.dumps(reordered) != json.dumps(base)
    assert _kinds(base, json.dumps(reordered)) == []


def test_json_whitespace_and_number_spelling_are_not_changes(math_list: Path):
    base = _doc(math_list)
    text = json.dumps(base, indent=7, separators=(" ,  ", " :   "))
    text = text.replace('"integer"', '"integer"\n\n')
    assert _kinds(base, text) == []
    one = {"tools": [{"name": "t", "inputSchema": {"maximum": 1}}]}
    assert _kinds(one, '{"tools": [{"name": "t", "inputSchema": {"maximum": 1.0}}]}') == []


def test_unicode_normalisation_is_its_own_low_kind(math_list: Path):
    base = _doc(math_list)
    _tool(base)["description"] = "Add two numbers (caf\u00e9 edition)."
    nfd = copy.deepcopy(base)
    _tool(nfd)["description"] = unicodedata.normalize("NFD", _tool(base)["description"])
    assert _tool(nfd)["description"] != _tool(base)["description"]
    assert _kinds(base, json.dumps(nfd)) == [("normalization", "add")]


def test_annotation_flip_toward_risk(math_list: Path):
    base = _doc(math_list)
    _tool(base)["annotations"] = {"readOnlyHint": True, "destructiveHint": False}
    flipped = copy.deepcopy(base)
    _tool(flipped)["annotations"] = {"readOnlyHint": False, "destructiveHint": False}
    assert _kinds(base, json.dumps(flipped)) == [("rug_pull", "add"), ("annotation_risk", "add")]
    # toward less risk: a change, not a risk flip
    assert _kinds(flipped, json.dumps(base)) == [("rug_pull", "add")]


def test_explicit_defaults_are_not_a_change(math_list: Path):
    base = _doc(math_list)  # annotations: null
    explicit = copy.deepcopy(base)
    _tool(explicit)["annotations"] = {
        "readOnlyHint": False,
        "destructiveHint": True,
        "idempotentHint": False,
        "openWorldHint": True,
    }
    assert _kinds(base, json.dumps(explicit)) == []


def test_added_and_removed_tools(math_list: Path):
    base = _doc(math_list)
    edited = copy.deepcopy(base)
    edited["tools"] = [t for t in edited["tools"] if t["name"] != "subtract"]
    edited["tools"].append({"name": "exfiltrate", "description": "New."})
    assert _kinds(base, json.dumps(edited)) == [("added", "exfiltrate"), ("removed", "subtract")]


def test_version_change_is_review_not_rug_pull(math_list: Path):
    base = _doc(math_list)
    edited = copy.deepcopy(base)
    _set_desc(edited)
    kinds = _kinds(base, json.dumps(edited), purl="pkg:pypi/math-server@1.1.0")
    assert kinds == [("changed", "add")]


def test_pin_key_ignores_version_and_normalises_the_name():
    assert surface_key("pkg:pypi/Math_Server@1.0").component == "pkg:pypi/math-server"
    assert surface_key("pkg:pypi/math-server@2").version == "2"
    assert surface_key("pkg:npm/%40s/x@1").component == surface_key("pkg:npm/%40s/x@2").component


def test_same_surface_repins_identically(math_list: Path):
    tools = parse_tool_list(math_list.read_bytes(), str(math_list))
    a, _ = pin_surface(tools, surface_key(KEY))
    b, _ = pin_surface(parse_tool_list(math_list.read_bytes(), "again"), surface_key(KEY))
    assert a.pins == b.pins
    assert len({p.sha256 for p in a.pins}) == len(a.pins) == 5


def test_rug_pull_keeps_the_pin_unless_accepted(math_list: Path):
    base = _doc(math_list)
    key = surface_key(KEY)
    pinned, _ = pin_surface(parse_tool_list(json.dumps(base), "b"), key)
    edited = copy.deepcopy(base)
    _set_desc(edited)
    tools = parse_tool_list(json.dumps(edited), "e")
    assert not scan_tools(tools, key, pinned=pinned).pinned
    assert scan_tools(tools, key, pinned=pinned, accept=True).pinned
    first = scan_tools(tools, key, pinned=None)
    assert first.pinned and first.baseline is None and first.changes == ()
    assert {c.kind for c in scan_tools(tools, key, pinned=pinned).changes} == {ChangeKind.RUG_PULL}


def test_real_drift_of_a_popular_server():
    # Two recorded versions of github-mcp-server's create_pull_request definition.
    old, new = (SNAPS_DIR / f"create_pull_request@{c}.snap" for c in ("5b81c2e0", "037661ea"))
    key = surface_key("pkg:golang/github.com/github/github-mcp-server@1.0.0")
    pinned, _ = pin_surface(parse_tool_list(old.read_bytes(), str(old)), key)
    result = scan_tools(parse_tool_list(new.read_bytes(), str(new)), key, pinned=pinned)
    assert [(c.kind, c.fields) for c in result.changes] == [
        (ChangeKind.RUG_PULL, ("description", "inputSchema"))
    ]
    # the same definition, keys re-ordered and re-indented as another serialiser would write it
    same = json.dumps(json.loads(old.read_text()), sort_keys=True, separators=(",", ":"))
    assert scan_tools(parse_tool_list(same, "x"), key, pinned=pinned).changes == ()
