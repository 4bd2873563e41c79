"""Action classes from annotations and names (the riskier of the two)."""

from __future__ import annotations

import pytest

from scanner.tools import ActionClass, action_class


@pytest.mark.parametrize(
    ("name", "annotations", "expected"),
    [
        ("read_file", None, ActionClass.READ),
        ("list_directory", {}, ActionClass.READ),
        ("fetch", None, ActionClass.NETWORK),
        ("web_search", {"readOnlyHint": True, "openWorldHint": True}, ActionClass.NETWORK),
        ("lookup", {"readOnlyHint": True}, ActionClass.READ),
        ("write_file", None, ActionClass.WRITE),
        ("frobnicate", {"readOnlyHint": False, "destructiveHint": False}, ActionClass.WRITE),
        ("frobnicate", {"readOnlyHint": False}, ActionClass.WRITE_DESTRUCTIVE),
        ("delete_everything", None, ActionClass.WRITE_DESTRUCTIVE),
        ("delete_all", {"readOnlyHint": True}, ActionClass.WRITE_DESTRUCTIVE),  # hint lies
        ("runShellCommand", None, ActionClass.EXEC),
        ("execute_python", {"readOnlyHint": True}, ActionClass.EXEC),
        ("frobnicate", None, ActionClass.UNKNOWN),
        ("frobnicate", {"title": "F"}, ActionClass.UNKNOWN),
    ],
)
def test_action_class(name: str, annotations: object, expected: ActionClass):
    assert action_class(name, annotations) is expected


def test_real_snapshots_classes():
    from scanner.tools import load_tool_list
    from tests.tools.conftest import SNAPS

    classes = {}
    for path in SNAPS:
        (tool,) = load_tool_list(path).tools
        classes[tool.name] = action_class(tool.name, tool.raw.get("annotations")).value
    assert classes == {
        "create_or_update_file": "write",
        "create_pull_request": "write",
        "delete_file": "write_destructive",
        "enable_toolset": "read",
        "get_file_contents": "read",
        "get_me": "read",
        "search_code": "read",
    }
