"""What the result formats (JSON check document, SARIF, Markdown, CycloneDX) share.

For each component, the agents and servers that use it and where it was declared; the
chainwatch version; the moment of the run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scanner import __version__
from scanner.models import Component, Finding, SourceLocation

if TYPE_CHECKING:
    from scanner.scan import ScanResult
    from scanner.verdict import Verdict


@dataclass(frozen=True, slots=True)
class User:
    """An agent, and the server of that agent, that runs a component (server None: a lockfile)."""

    agent: str
    server: str | None


@dataclass(frozen=True, slots=True)
class Place:
    """A component's verdict, its users, and where it is declared."""

    verdict: Verdict
    users: tuple[User, ...]
    locations: tuple[SourceLocation, ...]


def chainwatch_version() -> str:
    """The chainwatch version (``scanner.__version__``; a test pins it to the installed one's)."""
    # Not importlib.metadata.version(): importing it (the email parser under it) and reading
    # the distribution's METADATA took ~10 ms of a warm check's JSON report.
    return __version__


def run_time(result: ScanResult) -> dt.datetime | None:
    """When the check ran (the injected clock's value), None for a plain scan."""
    return result.check.at if result.check is not None else None


def places(result: ScanResult) -> dict[str, Place]:
    """Every component purl (as inventoried and as resolved) -> its verdict, users, locations."""
    users, locations = users_and_locations(result)
    out: dict[str, Place] = {}
    for purl, v in result.verdicts.items():
        place = Place(v, users.get(purl, ()), locations.get(purl, ()))
        out[purl] = place
        out.setdefault(v.component.purl, place)
    return out


def users_and_locations(
    result: ScanResult,
) -> tuple[dict[str, tuple[User, ...]], dict[str, tuple[SourceLocation, ...]]]:
    """Each inventoried purl's users and the places it is declared, in inventory order."""
    # Keyed by plain tuples, one User per server: hashing a frozen dataclass runs Python code,
    # and a check of thousands of components did it twice per component.
    users: dict[str, dict[tuple[str, str | None], User]] = {}
    locs: dict[str, dict[tuple[str, int | None], SourceLocation]] = {}
    for ai in result.inventory.agents:
        groups: list[tuple[tuple[str, str | None], tuple[Component, ...]]]
        groups = [((ai.agent.id, si.server.name), si.components) for si in ai.servers]
        groups.append(((ai.agent.id, None), ai.packages))
        for key, components in groups:
            user = User(*key)
            for c in components:
                users.setdefault(c.purl, {}).setdefault(key, user)
                if c.source is not None:
                    locs.setdefault(c.purl, {}).setdefault((c.source.path, c.source.line), c.source)
    return (
        {purl: tuple(found.values()) for purl, found in users.items()},
        {purl: tuple(found.values()) for purl, found in locs.items()},
    )


def subject_place(f: Finding, table: dict[str, Place]) -> Place | None:
    """The component a finding is about, when its subject is one."""
    return table.get(f.subject)


def evidence(f: Finding, key: str) -> str | None:
    """One evidence value of a finding."""
    return dict(f.evidence).get(key)
