"""``db status`` and ``db retention``: what a store holds, and letting old runtime events go.

Retention removes raw runtime events only. What was learnt from them (fingerprints, scores,
change events) lives in other tables and keeps its history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from scanner.errors import StoreError

if TYPE_CHECKING:
    from scanner.store.base import SQLStore


@dataclass(frozen=True)
class StoreStatus:
    """A store at a glance (the URL of a PostgreSQL store redacted)."""

    backend: str
    where: str
    schema_version: int
    pending: tuple[int, ...]
    tables: tuple[tuple[str, int], ...]  # (table, rows), by name
    event_partitions: tuple[str, ...]  # PostgreSQL: the months runtime events are kept in


def store_status(store: SQLStore) -> StoreStatus:
    """The backend, schema version, pending migrations and rows per table of ``store``."""
    applied = store.applied_migrations()
    return StoreStatus(
        backend=store.dialect.value,
        where=store.where,
        schema_version=max(applied, default=0),
        pending=tuple(store.pending_migrations()),
        tables=tuple(sorted(store.table_counts().items())),
        event_partitions=tuple(store.event_partitions()),
    )


@dataclass(frozen=True)
class RetentionReport:
    """What retention removed (or, in a dry run, would remove)."""

    cutoff: str
    events: int
    partitions: int
    dry_run: bool


def events_cutoff(now: datetime, days: int) -> str:
    """The event time before which events older than ``days`` are (RFC 3339 UTC, as stored)."""
    if days < 1:
        raise StoreError(f"--events-days must be at least 1, not {days}")
    moment = (now - timedelta(days=days)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def apply_retention(
    store: SQLStore, *, now: datetime, days: int, dry_run: bool = False
) -> RetentionReport:
    """Remove runtime events older than ``days`` before ``now`` (or count them)."""
    cutoff = events_cutoff(now, days)
    if dry_run:
        return RetentionReport(cutoff, store.events_before(cutoff), 0, True)
    removed, dropped = store.prune_events(cutoff)
    return RetentionReport(cutoff, removed, dropped, False)
