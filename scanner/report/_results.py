"""What the result formats (JSON check document, SARIF, Markdown, CycloneDX) share.

For each component, the agents and servers that use it and where it was declared; the
chainwatch version; the moment of the run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

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
    """The installed chainwatch version ("0+unknown" when run from a tree never installed)."""
    try:
        return version("chainwatch")
    except PackageNotFoundError:
        return "0+unknown"


def run_time(result: ScanResult) -> dt.datetime | None:
    """When the check ran (the injected clock's value), None for a plain scan."""
    return result.check.at if result.check is not None else None


def places(result: ScanResult) -> dict[str, Place]:
    """Every component purl (as inventoried and as resolved) -> its verdict, users, locations."""
    users: dict[str, dict[User, None]] = {}
    locs: dict[str, dict[SourceLocation, None]] = {}

    def add(c: Component, user: User) -> None:
        users.setdefault(c.purl, {})[user] = None
        if c.source is not None:
            locs.setdefault(c.purl, {})[c.source] = None

    for ai in result.inventory.agents:
        for si in ai.servers:
            for c in si.components:
                add(c, User(ai.agent.id, si.server.name))
        for c in ai.packages:
            add(c, User(ai.agent.id, None))
    out: dict[str, Place] = {}
    for purl, v in result.verdicts.items():
        place = Place(v, tuple(users.get(purl, {})), tuple(locs.get(purl, {})))
        out[purl] = place
        out.setdefault(v.component.purl, place)
    return out


def subject_place(f: Finding, table: dict[str, Place]) -> Place | None:
    """The component a finding is about, when its subject is one."""
    return table.get(f.subject)


def evidence(f: Finding, key: str) -> str | None:
    """One evidence value of a finding."""
    return dict(f.evidence).get(key)
