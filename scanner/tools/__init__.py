"""Tool surfaces: canonical pins of MCP tool definitions, change events, poisoning checks.

Pure: no store, no network. The CLI reads pins from the store, calls :func:`scan_tools` and
writes the surface back when the result says it is the pin.
"""

from scanner.tools.actions import action_class
from scanner.tools.canonical import ANNOTATION_DEFAULTS, ToolPinError, filled_annotations, pin_tool
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
