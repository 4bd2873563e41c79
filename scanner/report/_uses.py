"""Who uses each component and where it is declared, as plain values; the chainwatch version.

Kept apart from ``_results`` (whose dataclasses cost their import) so the check's JSON report,
which writes these as plain values, loads no more than it needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner import __version__

if TYPE_CHECKING:
    from scanner.models import Component, SourceLocation
    from scanner.scan import ScanResult

# An agent and the server of that agent that runs a component (server None: a lockfile).
UserKey = tuple[str, str | None]


def chainwatch_version() -> str:
    """The chainwatch version (``scanner.__version__``; a test pins it to the installed one's)."""
    # Not importlib.metadata.version(): importing it (the email parser under it) and reading
    # the distribution's METADATA took ~10 ms of a warm check's JSON report.
    return __version__


def uses(
    result: ScanResult,
) -> tuple[dict[str, tuple[UserKey, ...]], dict[str, tuple[SourceLocation, ...]]]:
    """Each inventoried purl's users and the places it is declared, in inventory order."""
    # Keyed by plain tuples: hashing a frozen dataclass runs Python code, and a check of
    # thousands of components did it twice per component.
    users: dict[str, dict[UserKey, None]] = {}
    locs: dict[str, dict[tuple[str, int | None], SourceLocation]] = {}
    for ai in result.inventory.agents:
        groups: list[tuple[UserKey, tuple[Component, ...]]]
        groups = [((ai.agent.id, si.server.name), si.components) for si in ai.servers]
        groups.append(((ai.agent.id, None), ai.packages))
        for key, components in groups:
            for c in components:
                users.setdefault(c.purl, {})[key] = None
                if c.source is not None:
                    locs.setdefault(c.purl, {}).setdefault((c.source.path, c.source.line), c.source)
    return (
        {purl: tuple(found) for purl, found in users.items()},
        {purl: tuple(found.values()) for purl, found in locs.items()},
    )
