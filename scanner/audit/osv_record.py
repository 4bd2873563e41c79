"""OSV records parsed into typed values; a record that breaks the schema is refused by name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scanner.audit.interface import AuditError, Ecosystem, normalise_name
from scanner.models import Severity

EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")
RANGE_TYPES = ("SEMVER", "ECOSYSTEM", "GIT")
SUPPORTED = frozenset(e.value for e in Ecosystem)

# database_specific.severity as GHSA and others write it.
_SEVERITY_WORDS = {
    "CRITICAL": Severity.CRITICAL,
    "HIGH": Severity.HIGH,
    "MODERATE": Severity.MEDIUM,
    "MEDIUM": Severity.MEDIUM,
    "LOW": Severity.LOW,
}


class MalformedRecord(AuditError):
    """An OSV record breaks the schema; it is skipped and named in a warning."""

    def __init__(self, origin: str, record_id: str | None, problem: str) -> None:
        name = record_id or "(no id)"
        super().__init__(
            f"{origin}: OSV record {name} skipped: {problem}",
            hint="the record is ignored; report it to the database it came from",
        )
        self.origin = origin
        self.record_id = record_id
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Event:
    """One range event: kind is introduced, fixed, last_affected or limit."""

    kind: str
    version: str


@dataclass(frozen=True, slots=True)
class Range:
    """A range of type SEMVER, ECOSYSTEM or GIT with its events in record order."""

    type: str
    events: tuple[Event, ...]


@dataclass(frozen=True, slots=True)
class Affected:
    """One `affected` entry for a package in a supported ecosystem."""

    ecosystem: str
    name: str  # as written
    key: str  # normalised
    ranges: tuple[Range, ...]
    versions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OsvRecord:
    """The parts of an OSV record an audit needs."""

    id: str
    aliases: tuple[str, ...]
    summary: str
    modified: str
    withdrawn: str | None
    severity: Severity | None  # None: the record does not say in a form we read
    affected: tuple[Affected, ...]  # only PyPI and npm entries

    @property
    def is_malware(self) -> bool:
        """OpenSSF malicious-packages records (and their aliases) are malware."""
        return any(i.startswith("MAL-") for i in (self.id, *self.aliases))


def _str_list(raw: Any, what: str, origin: str, rid: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise MalformedRecord(origin, rid, f"{what} is not a list of strings")
    return tuple(raw)


def _event(raw: Any, origin: str, rid: str) -> Event:
    # The schema: each event object has exactly one of the four keys, with a string value.
    if not isinstance(raw, dict) or len(raw) != 1:
        raise MalformedRecord(origin, rid, f"event {raw!r} must have exactly one key")
    ((kind, version),) = raw.items()
    if kind not in EVENT_KINDS:
        raise MalformedRecord(origin, rid, f"unknown event kind {kind!r}")
    if not isinstance(version, str) or not version:
        raise MalformedRecord(origin, rid, f"event {kind} has no version string")
    return Event(kind, version)


def _range(raw: Any, origin: str, rid: str) -> Range:
    if not isinstance(raw, dict):
        raise MalformedRecord(origin, rid, "a range is not an object")
    rtype = raw.get("type")
    if rtype not in RANGE_TYPES:
        raise MalformedRecord(origin, rid, f"unknown range type {rtype!r}")
    events_raw = raw.get("events")
    if not isinstance(events_raw, list) or not events_raw:
        raise MalformedRecord(origin, rid, f"{rtype} range without events")
    events = tuple(_event(e, origin, rid) for e in events_raw)
    if not any(e.kind == "introduced" for e in events):
        raise MalformedRecord(origin, rid, f"{rtype} range without an introduced event")
    kinds = {e.kind for e in events}
    if {"fixed", "last_affected"} <= kinds:
        raise MalformedRecord(origin, rid, f"{rtype} range has both fixed and last_affected")
    return Range(rtype, events)


def _affected(raw: Any, origin: str, rid: str) -> Affected | None:
    if not isinstance(raw, dict):
        raise MalformedRecord(origin, rid, "an affected entry is not an object")
    pkg = raw.get("package")
    if pkg is None:
        return None  # e.g. GIT-only entries for a repository; not about a package
    if not isinstance(pkg, dict):
        raise MalformedRecord(origin, rid, "affected.package is not an object")
    eco, name = pkg.get("ecosystem"), pkg.get("name")
    if not isinstance(eco, str) or not isinstance(name, str) or not name:
        raise MalformedRecord(origin, rid, "affected.package needs ecosystem and name strings")
    if eco not in SUPPORTED:
        return None
    ranges_raw = raw.get("ranges", [])
    if not isinstance(ranges_raw, list):
        raise MalformedRecord(origin, rid, "affected.ranges is not a list")
    ranges = tuple(_range(r, origin, rid) for r in ranges_raw)
    versions = _str_list(raw.get("versions"), "affected.versions", origin, rid)
    return Affected(eco, name, normalise_name(eco, name), ranges, versions)


def _severity(raw: Mapping[str, Any]) -> Severity | None:
    specific = raw.get("database_specific")
    if isinstance(specific, dict):
        word = specific.get("severity")
        if isinstance(word, str) and word.upper() in _SEVERITY_WORDS:
            return _SEVERITY_WORDS[word.upper()]
    return None


def parse_record(raw: Any, origin: str) -> OsvRecord:
    """Parse one OSV record; raise MalformedRecord naming the record and the problem."""
    if not isinstance(raw, dict):
        raise MalformedRecord(origin, None, "not a JSON object")
    rid = raw.get("id")
    if not isinstance(rid, str) or not rid:
        raise MalformedRecord(origin, None, "no id")
    affected_raw = raw.get("affected", [])
    if not isinstance(affected_raw, list):
        raise MalformedRecord(origin, rid, "affected is not a list")
    affected = tuple(a for a in (_affected(x, origin, rid) for x in affected_raw) if a)
    withdrawn = raw.get("withdrawn")
    if withdrawn is not None and not isinstance(withdrawn, str):
        raise MalformedRecord(origin, rid, "withdrawn is not a timestamp string")
    summary = raw.get("summary") or raw.get("details") or ""
    if not isinstance(summary, str):
        raise MalformedRecord(origin, rid, "summary is not a string")
    modified = raw.get("modified", "")
    return OsvRecord(
        id=rid,
        aliases=_str_list(raw.get("aliases"), "aliases", origin, rid),
        summary=" ".join(summary.split())[:300],
        modified=modified if isinstance(modified, str) else "",
        withdrawn=withdrawn,
        severity=_severity(raw),
        affected=affected,
    )
