"""Pure evaluation of OSV `affected` entries against one exact package version.

Follows the OSV schema's evaluation rules:
1. Only entries whose package matches (ecosystem, normalised name) count.
2. A version listed in `versions` is affected.
3. In a SEMVER or ECOSYSTEM range, events are sorted by version ("introduced": "0" first); walking
   them, `introduced <= v` opens, `fixed <= v` closes, `last_affected < v` closes. The last event at
   or below the version decides.
4. If the range has `limit` events, the version must also be below one of them ("*" is no limit).
5. GIT ranges name commits, not package versions: they are ignored here.
Ordering: PEP 440 (`packaging`) for PyPI ECOSYSTEM ranges, SemVer 2.0 (`semver`; build metadata
ignored, a missing minor or patch read as 0) for npm and for every SEMVER range.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from packaging.version import InvalidVersion, Version

from scanner.audit.interface import AuditError, Ecosystem, Package
from scanner.audit.osv_record import Event, MalformedRecord, OsvRecord, Range

if TYPE_CHECKING:
    import semver

INFINITY = "*"


class UnorderableVersion(AuditError):
    """The component's own version cannot be ordered, so ranges cannot be evaluated for it."""


@dataclass(frozen=True, slots=True)
class RecordMatch:
    """A record that affects the package, with the versions that fix it."""

    record: OsvRecord
    fixed: tuple[str, ...]


@lru_cache(maxsize=65536)
def _pep440(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


@lru_cache(maxsize=65536)
def _semver(text: str) -> semver.Version | None:
    # semver (and argparse under it) loads on the first npm or SEMVER range: a PyPI-only
    # audit never needs it.
    import semver

    try:
        return semver.Version.parse(text, optional_minor_and_patch=True)
    except (ValueError, TypeError):
        return None


def _parser(ecosystem: str, range_type: str) -> Callable[[str], Any]:
    if range_type == "ECOSYSTEM" and ecosystem == Ecosystem.PYPI:
        return _pep440
    return _semver


def _key(parse: Callable[[str], Any], event: Event, record: OsvRecord) -> Any:
    value = parse(event.version)
    if value is None:
        raise MalformedRecord(
            "evaluation", record.id, f"{event.kind} version {event.version!r} cannot be ordered"
        )
    return value


def _in_range(rng: Range, version: Any, parse: Callable[[str], Any], record: OsvRecord) -> bool:
    """Rules 3 and 4 for one range."""
    keyed: list[tuple[int, Any, Event]] = []
    limits: list[Any] = []
    for event in rng.events:
        if event.kind == "limit":
            if event.version != INFINITY:
                limits.append(_key(parse, event, record))
            else:
                limits.append(None)
            continue
        if event.kind == "introduced" and event.version == "0":
            keyed.append((0, None, event))  # below every version
        else:
            keyed.append((1, _key(parse, event, record), event))
    keyed.sort(key=lambda t: (t[0],) if t[1] is None else (t[0], t[1]))
    affected = False
    for _, bound, event in keyed:
        if bound is None or event.kind == "introduced":
            if bound is None or version >= bound:
                affected = True
        elif event.kind == "fixed" and version >= bound:
            affected = False
        elif event.kind == "last_affected" and version > bound:
            affected = False
    if affected and limits:
        affected = any(lim is None or version < lim for lim in limits)
    return affected


def _listed(versions: tuple[str, ...], package: Package) -> bool:
    if package.version in versions:
        return True
    if package.ecosystem == Ecosystem.PYPI:
        # PEP 440 equality: "1.0" and "1.0.0" are one release.
        own = _pep440(package.version)
        return own is not None and any(_pep440(v) == own for v in versions)
    return False


def match_record(record: OsvRecord, package: Package) -> RecordMatch | None:
    """The match of one record against one package version, or None.

    Raises MalformedRecord when an event of an entry for this package cannot be ordered and
    UnorderableVersion when the package's own version cannot be, and a range would decide."""
    if record.withdrawn is not None:
        return None
    hit = False
    undecided: str | None = None  # a range the version cannot be ordered against
    fixed: set[str] = set()
    for entry in record.affected:
        if entry.ecosystem != package.ecosystem or entry.key != package.key:
            continue
        if _listed(entry.versions, package):
            hit = True
        for rng in entry.ranges:
            if rng.type == "GIT":
                continue
            parse = _parser(package.ecosystem, rng.type)
            own = parse(package.version)
            if own is None:
                undecided = rng.type
                continue
            if _in_range(rng, own, parse, record):
                hit = True
                fixed.update(
                    e.version
                    for e in rng.events
                    if e.kind == "fixed" and _key(parse, e, record) > own
                )
    if not hit and undecided:
        # Only a versions list could match, and none did: the range might; never say clean.
        raise UnorderableVersion(
            f"{package.name} {package.version!r} cannot be ordered for {undecided} ranges "
            f"of {record.id}",
            hint="audit this component by an exact, valid version",
        )
    if not hit:
        return None
    if record.is_malware:
        fixed.clear()  # malware has no fix version: remove the package
    return RecordMatch(record, sort_versions(package, fixed))


def sort_versions(package: Package, versions: set[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Versions in ascending order under the package's ecosystem ordering (unorderable last)."""
    parse: Callable[[str], Any] = _pep440 if package.ecosystem == Ecosystem.PYPI else _semver
    good = [v for v in versions if parse(v) is not None]
    bad = sorted(v for v in versions if parse(v) is None)
    return (*sorted(good, key=parse), *bad)
