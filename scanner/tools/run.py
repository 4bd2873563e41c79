"""One tool-scan run: read the file, look up the pins, pin and check, write the pin back."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from scanner.tools.model import SurfaceKey, ToolScanResult, ToolSurface
from scanner.tools.parse import load_tool_list
from scanner.tools.pinning import scan_tools, surface_key


class ToolPins(Protocol):
    """Where tool surfaces are pinned (the store implements this)."""

    def tool_surface(self, key: SurfaceKey) -> ToolSurface | None:
        """The surface pinned for this component version, or None."""

    def latest_tool_surface(self, component: str, *, other_than: str) -> ToolSurface | None:
        """The most recently pinned surface of another version of the component, or None."""

    def save_tool_surface(self, surface: ToolSurface) -> None:
        """Pin ``surface`` for its component version (replacing a previous pin), atomically."""


def run_tool_scan(
    path: Path,
    component: str,
    pins: ToolPins | None,
    *,
    accept: bool = False,
    other_lists: Sequence[Path] = (),
    at: str = "",
) -> ToolScanResult:
    """Pin and check the tool list at ``path`` for ``component`` (a package URL with version).

    ``pins`` None: check without a store (every run is a first sight, nothing is written).
    ``other_lists``: tool lists of the agent's other servers, for shadowing checks.
    """
    key = surface_key(component)
    tools = load_tool_list(path)
    others = frozenset(t.name for p in other_lists for t in load_tool_list(p).tools)
    pinned = pins.tool_surface(key) if pins is not None else None
    previous = None
    if pins is not None and pinned is None:
        previous = pins.latest_tool_surface(key.component, other_than=key.version)
    result = scan_tools(
        tools, key, pinned=pinned, previous=previous, accept=accept, other_tools=others, at=at
    )
    if pins is not None and result.pinned:
        pins.save_tool_surface(result.surface)
    return result
