"""What the result formats (JSON check document, SARIF, Markdown, CycloneDX) share.

For each component, the agents and servers that use it and where it was declared; the
chainwatch version; the moment of the run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scanner.models import Finding, SourceLocation
from scanner.report._uses import uses

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


def run_time(result: ScanResult) -> dt.datetime | None:
    """When the check ran (the injected clock's value), None for a plain scan."""
    return result.check.at if result.check is not None else None


def places(result: ScanResult) -> dict[str, Place]:
    """Every component purl (as inventoried and as resolved) -> its verdict, users, locations."""
    users, locations = uses(result)
    distinct = dict.fromkeys(k for keys in users.values() for k in keys)
    made = {k: User(*k) for k in distinct}  # one User per agent and server
    out: dict[str, Place] = {}
    for purl, v in result.verdicts.items():
        found = tuple(made[k] for k in users.get(purl, ()))
        place = Place(v, found, locations.get(purl, ()))
        out[purl] = place
        out.setdefault(v.component.purl, place)
    return out


def subject_place(f: Finding, table: dict[str, Place]) -> Place | None:
    """The component a finding is about, when its subject is one."""
    return table.get(f.subject)


def evidence(f: Finding, key: str) -> str | None:
    """One evidence value of a finding."""
    return dict(f.evidence).get(key)
