"""Frozen values for what a store remembers between scans: publisher identities and scans.

They live apart from the store so that the pure checks can take and return them without
importing a database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from attestations.result import PublisherIdentity, Status


class IdentityAction(StrEnum):
    """Why a remembered publisher identity changed (the history's ``action``)."""

    FIRST_USE = "first-use"  # first scan that saw the package (trust on first use)
    ATTESTED = "attested"  # seen unattested before, attested now (a finding names it)
    UPDATED = "updated"  # the same publisher, a newer version (not a history event)
    ACCEPTED = "accepted"  # `chainwatch trust accept`
    PINNED = "pinned"  # `chainwatch trust pin`


def identity_from_dict(data: Mapping[str, object]) -> PublisherIdentity:
    """Rebuild an identity stored as JSON (unknown keys ignored, values as strings)."""
    known = PublisherIdentity.__dataclass_fields__
    values = {k: None if v is None else str(v) for k, v in data.items() if k in known}
    if not values.get("kind"):
        raise ValueError("a publisher identity needs a kind")
    return PublisherIdentity(**values)  # type: ignore[arg-type]


def parse_identity(text: str) -> PublisherIdentity:
    """``kind=github,repository=https://github.com/o/r,workflow=.github/workflows/r.yml``."""
    known = PublisherIdentity.__dataclass_fields__
    values: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        if not sep or name.strip() not in known:
            raise ValueError(
                f"{part!r} is not FIELD=VALUE with FIELD one of {', '.join(sorted(known))}"
            )
        values[name.strip()] = value.strip()
    return identity_from_dict(values)


@dataclass(frozen=True, slots=True)
class StoredIdentity:
    """The publisher identity remembered for a package (purl without version)."""

    purl_key: str
    identity: PublisherIdentity | None  # None: seen, but without attestation
    first_seen: str
    last_version: str | None
    pinned: bool = False  # set by `trust pin`: never replaced by a scan

    @property
    def attested(self) -> bool:
        """True when the remembered publisher attested its releases."""
        return self.identity is not None


@dataclass(frozen=True, slots=True)
class IdentityUpdate:
    """A publisher identity to remember for a package, and why."""

    purl_key: str
    version: str | None
    identity: PublisherIdentity | None
    action: IdentityAction = IdentityAction.FIRST_USE
    pinned: bool = False


@dataclass(frozen=True, slots=True)
class IdentityEvent:
    """One change of a remembered identity: who was trusted, from when, by which scan."""

    purl_key: str
    action: IdentityAction
    identity: PublisherIdentity | None
    version: str | None
    at: str
    scan_id: int | None = None  # None for `trust accept` / `trust pin`


@dataclass(frozen=True, slots=True)
class SeenIdentity:
    """What the most recent scan saw for a package."""

    purl: str
    status: Status
    identity: PublisherIdentity | None
    scan_id: int


@dataclass(frozen=True, slots=True)
class VerificationRecord:
    """The final verification status of one component in one scan."""

    purl: str
    status: str
    reason: str
    identity: PublisherIdentity | None = None


@dataclass(frozen=True, slots=True)
class ScanRecord:
    """One recorded scan, as ``chainwatch scans`` lists it."""

    id: int
    kind: str
    started_at: str
    finished_at: str
    summary: dict[str, int] = field(default_factory=dict, hash=False)


class ChangeCause(StrEnum):
    """What noticed a change (the runtime sources come later)."""

    SCAN = "scan"
    RESCAN = "rescan"


@dataclass(frozen=True, slots=True)
class BaselineRecord:
    """The accepted state of one agent: the scan it was accepted from, and when."""

    agent: str
    scan_id: int
    accepted_at: str


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """One stored change of one package of one agent, with when and what noticed it."""

    at: str
    agent: str
    component_key: str
    kind: str  # a ChangeKind value
    before: str | None
    after: str | None
    cause: ChangeCause
    scan_id: int | None
    severity: str  # a Severity value
    message: str
    location: str | None = None  # "file:line" when known
    id: int | None = None  # set once stored
