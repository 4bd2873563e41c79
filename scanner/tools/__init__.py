"""Tool surfaces: canonical pins of MCP tool definitions, change events, poisoning checks.

Pure: no store, no network. The CLI reads pins from the store, calls :func:`scan_tools` and
writes the surface back when the result says it is the pin.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Loaded on first use (PEP 562): the store imports scanner.tools.model for its rows, and a
# command that never pins or checks a tool list must not pay for the poisoning patterns.
if TYPE_CHECKING:
    from scanner.tools.actions import action_class
    from scanner.tools.canonical import (
        ANNOTATION_DEFAULTS,
        ToolPinError,
        filled_annotations,
        pin_tool,
    )
    from scanner.tools.diff import compare
    from scanner.tools.model import (
        ActionClass,
        ChangeKind,
        Hints,
        SurfaceKey,
        ToolChange,
        ToolDef,
        ToolList,
        ToolPin,
        ToolScanResult,
        ToolSurface,
    )
    from scanner.tools.parse import ToolListError, load_tool_list, parse_tool_list
    from scanner.tools.pinning import ComponentError, pin_surface, scan_tools, surface_key
    from scanner.tools.poison import check_tool

_EXPORTS = {
    "ANNOTATION_DEFAULTS": "scanner.tools.canonical",
    "ActionClass": "scanner.tools.model",
    "ChangeKind": "scanner.tools.model",
    "ComponentError": "scanner.tools.pinning",
    "Hints": "scanner.tools.model",
    "SurfaceKey": "scanner.tools.model",
    "ToolChange": "scanner.tools.model",
    "ToolDef": "scanner.tools.model",
    "ToolList": "scanner.tools.model",
    "ToolListError": "scanner.tools.parse",
    "ToolPin": "scanner.tools.model",
    "ToolPinError": "scanner.tools.canonical",
    "ToolScanResult": "scanner.tools.model",
    "ToolSurface": "scanner.tools.model",
    "action_class": "scanner.tools.actions",
    "check_tool": "scanner.tools.poison",
    "compare": "scanner.tools.diff",
    "filled_annotations": "scanner.tools.canonical",
    "load_tool_list": "scanner.tools.parse",
    "parse_tool_list": "scanner.tools.parse",
    "pin_surface": "scanner.tools.pinning",
    "pin_tool": "scanner.tools.canonical",
    "scan_tools": "scanner.tools.pinning",
    "surface_key": "scanner.tools.pinning",
}

__all__ = [
    "ANNOTATION_DEFAULTS",
    "ActionClass",
    "ChangeKind",
    "ComponentError",
    "Hints",
    "SurfaceKey",
    "ToolChange",
    "ToolDef",
    "ToolList",
    "ToolListError",
    "ToolPin",
    "ToolPinError",
    "ToolScanResult",
    "ToolSurface",
    "action_class",
    "check_tool",
    "compare",
    "filled_annotations",
    "load_tool_list",
    "parse_tool_list",
    "pin_surface",
    "pin_tool",
    "scan_tools",
    "surface_key",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'scanner.tools' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
