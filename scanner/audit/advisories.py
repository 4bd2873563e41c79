"""Matched records become advisories; records that alias each other become one advisory."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from scanner.audit.interface import Advisory, Package
from scanner.audit.osv_eval import RecordMatch, sort_versions
from scanner.audit.osv_record import OsvRecord
from scanner.models import Severity

# Which id names a grouped advisory: the malware feed first, then the ecosystem's own database.
_ID_PREFERENCE = ("MAL-", "PYSEC-", "GHSA-", "CVE-")
ASSUMED = "not stated in the record; assumed high"


def severity_of(record: OsvRecord) -> tuple[Severity, str]:
    """The severity to report and where it came from; unknown is assumed high (fail closed)."""
    if record.is_malware:
        return Severity.CRITICAL, "malicious-packages record (MAL-)"
    if record.severity is not None:
        return record.severity, "database_specific.severity"
    return Severity.HIGH, ASSUMED


def advisory_from_match(match: RecordMatch) -> Advisory:
    """The advisory for one matched record."""
    severity, source = severity_of(match.record)
    return Advisory(
        id=match.record.id,
        aliases=tuple(sorted(set(match.record.aliases) - {match.record.id})),
        summary=match.record.summary,
        severity=severity,
        fixed=() if match.record.is_malware else match.fixed,
        is_malware=match.record.is_malware,
        withdrawn=match.record.withdrawn,
        severity_source=source,
    )


def _preferred(ids: Iterable[str]) -> str:
    def rank(i: str) -> tuple[int, str]:
        for n, prefix in enumerate(_ID_PREFERENCE):
            if i.startswith(prefix):
                return (n, i)
        return (len(_ID_PREFERENCE), i)

    return min(ids, key=rank)


def group_aliases(package: Package, advisories: Sequence[Advisory]) -> tuple[Advisory, ...]:
    """Merge advisories whose ids or aliases overlap (transitively) into one each."""
    groups: list[list[Advisory]] = []
    for adv in advisories:
        joined = [g for g in groups if any(adv.ids & other.ids for other in g)]
        merged = [adv]
        for g in joined:
            merged.extend(g)
            groups.remove(g)
        groups.append(merged)
    out = []
    for g in groups:
        ids = frozenset().union(*(a.ids for a in g))
        main = _preferred(ids)
        first = next((a for a in g if a.id == main), g[0])
        # A severity a record states beats one assumed for a record that states none.
        stated = [a for a in g if a.severity_source != ASSUMED] or g
        worst = max(stated, key=lambda a: a.severity.rank)
        malware = any(a.is_malware for a in g)
        fixed: set[str] = set() if malware else {v for a in g for v in a.fixed}
        out.append(
            Advisory(
                id=main,
                aliases=tuple(sorted(ids - {main})),
                summary=first.summary,
                severity=Severity.CRITICAL if malware else worst.severity,
                fixed=sort_versions(package, fixed),
                is_malware=malware,
                severity_source=worst.severity_source,
            )
        )
    return tuple(sorted(out, key=lambda a: (-a.severity.rank, a.id)))
