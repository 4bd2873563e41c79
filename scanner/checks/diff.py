"""What changed between two snapshots of a fleet: a pure function over typed values.

A snapshot is what one recorded scan saw per agent and package: version, locked digests (with the
lockfile line), verification status, publisher identity, advisories and risk signals. The store
builds snapshots; ``chainwatch diff``, ``rescan`` and ``check`` compare them here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from attestations.result import PublisherIdentity
from scanner.checks.codes import Code
from scanner.checks.versions import version_key
from scanner.models import Severity

# Finding codes the diff reports in their own terms (digest, identity, attestation, advisories)
# or that say a check could not run (a transient failure is no new risk of the package).
_NOT_RISK_SIGNALS = frozenset(
    c.value
    for c in (
        Code.DIGEST_MISMATCH,
        Code.PUBLISHER_CHANGED,
        Code.ATTESTATION_LOST,
        Code.IDENTITY_FIRST_ATTESTED,
        Code.NO_ATTESTATION,
        Code.FETCH_FAILED,
        Code.UNRESOLVED,
        Code.VULNERABILITY,
        Code.MALWARE,
        Code.AUDIT_INCOMPLETE,
    )
)
ADVISORY_CODES = frozenset({Code.VULNERABILITY.value, Code.MALWARE.value})
# After these statuses a package is known to ship without a valid attestation; any other
# non-verified status (fetch-failed, unresolved) means it was not checked, not that it lost one.
_UNATTESTED = frozenset({"no-attestation", "registry-signed", "attestation-invalid"})


def is_risk_signal(code: str) -> bool:
    """True for finding codes the diff reports as risk signals of a package."""
    return code not in _NOT_RISK_SIGNALS


class ChangeKind(StrEnum):
    """What kind of change a :class:`Change` is."""

    ADDED = "added"
    REMOVED = "removed"
    UPGRADED = "upgraded"
    DOWNGRADED = "downgraded"
    DIGEST_CHANGED = "digest-changed"  # same version, different locked digest
    IDENTITY_CHANGED = "identity-changed"
    ATTESTATION_LOST = "attestation-lost"
    NEW_VULNERABILITY = "new-vulnerability"
    NEW_RISK_SIGNAL = "new-risk-signal"


SEVERITY: dict[ChangeKind, Severity] = {
    ChangeKind.ADDED: Severity.MEDIUM,  # new code runs: worth a look, not an alarm
    ChangeKind.REMOVED: Severity.INFO,
    ChangeKind.UPGRADED: Severity.LOW,
    ChangeKind.DOWNGRADED: Severity.HIGH,  # the classic rollback to a vulnerable release
    ChangeKind.DIGEST_CHANGED: Severity.CRITICAL,  # the same release with other bytes
    ChangeKind.IDENTITY_CHANGED: Severity.HIGH,  # as CW203
    ChangeKind.ATTESTATION_LOST: Severity.HIGH,  # as CW204
    ChangeKind.NEW_VULNERABILITY: Severity.HIGH,  # replaced by the advisory's own severity
    ChangeKind.NEW_RISK_SIGNAL: Severity.MEDIUM,  # replaced by the finding's own severity
}


@dataclass(frozen=True, slots=True)
class Signal:
    """A finding on a package: its code, severity and the advisory id (for CW400/CW401)."""

    code: str
    severity: Severity
    ref: str  # the advisory id, else the code
    message: str = ""


@dataclass(frozen=True, slots=True)
class PackageState:
    """What one scan saw of one package of one agent."""

    agent: str
    key: str  # purl without version
    ecosystem: str
    version: str | None
    # (artifact filename or "", "algorithm:hex") as locked; compared per filename.
    digests: tuple[tuple[str, str], ...] = ()
    source: str | None = None  # "file:line" where the version (and digest) is written
    status: str | None = None  # verification status; None: not verified in that scan
    identity: PublisherIdentity | None = None
    signals: tuple[Signal, ...] = ()


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Every package of every agent as one recorded scan saw it."""

    scan_id: int | None
    at: str
    packages: tuple[PackageState, ...] = ()

    def agents(self) -> frozenset[str]:
        """The agents this snapshot covers."""
        return frozenset(p.agent for p in self.packages)

    def only(self, agents: Iterable[str]) -> Snapshot:
        """The snapshot restricted to ``agents``."""
        keep = frozenset(agents)
        return Snapshot(self.scan_id, self.at, tuple(p for p in self.packages if p.agent in keep))


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between a baseline and a later snapshot, for one package of one agent."""

    kind: ChangeKind
    severity: Severity
    agent: str
    key: str
    before: str | None  # version, digest, identity or advisory as text
    after: str | None
    message: str
    source: str | None = None  # "file:line" of the later snapshot, when known


def diff_snapshots(before: Snapshot, after: Snapshot) -> list[Change]:
    """Every change from ``before`` to ``after``, most severe first, then by agent and package."""
    old = _grouped(before.packages)
    new = _grouped(after.packages)
    out: list[Change] = []
    for where in sorted(old.keys() | new.keys()):
        out.extend(_package_changes(old.get(where, []), new.get(where, [])))
    out.sort(key=lambda c: (-c.severity.rank, c.agent, c.key, c.kind.value, c.after or ""))
    return out


def _grouped(packages: Iterable[PackageState]) -> dict[tuple[str, str], list[PackageState]]:
    out: dict[tuple[str, str], list[PackageState]] = defaultdict(list)
    for p in packages:
        out[(p.agent, p.key)].append(p)
    return out


def _package_changes(old: list[PackageState], new: list[PackageState]) -> list[Change]:
    """Changes of one package of one agent (a lockfile may hold several versions of it)."""
    # 1. Pair the same versions, then the rest in version order (one old, one new: an upgrade
    #    or downgrade); what is left over was added or removed.
    by_version = {p.version: p for p in old}
    pairs: list[tuple[PackageState, PackageState]] = []
    left: list[PackageState] = []
    for p in new:
        match = by_version.pop(p.version, None)
        if match is not None:
            pairs.append((match, p))
        else:
            left.append(p)
    gone = sorted(by_version.values(), key=lambda p: version_key(p.ecosystem, p.version))
    left.sort(key=lambda p: version_key(p.ecosystem, p.version))
    pairs.extend(zip(gone, left, strict=False))
    out: list[Change] = []
    out.extend(
        _change(ChangeKind.REMOVED, p, p.version, None, "removed") for p in gone[len(left) :]
    )
    out.extend(_change(ChangeKind.ADDED, p, None, p.version, "added") for p in left[len(gone) :])
    # 2. Compare each pair.
    for a, b in pairs:
        out.extend(_pair_changes(a, b))
    return out


def _pair_changes(a: PackageState, b: PackageState) -> list[Change]:
    out: list[Change] = []
    if a.version != b.version:
        up = version_key(b.ecosystem, b.version) > version_key(a.ecosystem, a.version)
        kind = ChangeKind.UPGRADED if up else ChangeKind.DOWNGRADED
        out.append(
            _change(kind, b, a.version, b.version, f"{kind.value} {a.version} -> {b.version}")
        )
    else:
        out.extend(_digest_changes(a, b))
    if a.identity is not None and b.identity is not None and a.identity != b.identity:
        before, after = describe_identity(a.identity), describe_identity(b.identity)
        message = f"publisher identity changed: {before} -> {after}"
        out.append(_change(ChangeKind.IDENTITY_CHANGED, b, before, after, message))
    elif a.identity is not None and b.identity is None and b.status in _UNATTESTED:
        before = describe_identity(a.identity)
        message = f"attestation lost: was attested by {before}, now {b.status}"
        out.append(_change(ChangeKind.ATTESTATION_LOST, b, before, b.status, message))
    known = {s.ref for s in a.signals}
    for s in b.signals:
        if s.ref in known:
            continue
        known.add(s.ref)
        kind = (
            ChangeKind.NEW_VULNERABILITY if s.code in ADVISORY_CODES else ChangeKind.NEW_RISK_SIGNAL
        )
        message = f"{s.code} {s.message}".strip()
        out.append(_change(kind, b, None, s.ref, message, severity=s.severity))
    return out


def _digest_changes(a: PackageState, b: PackageState) -> list[Change]:
    """Same version, other bytes: per artifact file, a digest of an algorithm both recorded."""
    old = _by_file(a.digests)
    new = _by_file(b.digests)
    out: list[Change] = []
    for filename in sorted(old.keys() & new.keys()):
        was, now = old[filename], new[filename]
        for algorithm in sorted(was.keys() & now.keys()):
            if was[algorithm] != now[algorithm]:
                where = f" ({filename})" if filename else ""
                message = (
                    f"same version {b.version}, different {algorithm} digest{where}"
                    f"{f' at {b.source}' if b.source else ''}"
                )
                before = f"{algorithm}:{was[algorithm]}"
                after = f"{algorithm}:{now[algorithm]}"
                out.append(_change(ChangeKind.DIGEST_CHANGED, b, before, after, message))
    return out


def _by_file(digests: Iterable[tuple[str, str]]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for filename, digest in digests:
        algorithm, _, value = digest.partition(":")
        out[filename][algorithm] = value
    return out


def _change(
    kind: ChangeKind,
    p: PackageState,
    before: str | None,
    after: str | None,
    message: str,
    *,
    severity: Severity | None = None,
) -> Change:
    return Change(
        kind, severity or SEVERITY[kind], p.agent, p.key, before, after, message, p.source
    )


def describe_identity(identity: PublisherIdentity) -> str:
    """A short, stable text for an identity (kind and its fields that are set)."""
    fields: Mapping[str, object] = {
        name: getattr(identity, name) for name in PublisherIdentity.__dataclass_fields__
    }
    return ",".join(f"{k}={v}" for k, v in sorted(fields.items()) if v)


def at_least(changes: Iterable[Change], severity: Severity) -> list[Change]:
    """The changes at or above ``severity``."""
    return [c for c in changes if c.severity.rank >= severity.rank]
