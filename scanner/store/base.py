"""The store's SQL, written once: both backends (SQLite, PostgreSQL) run these methods.

A backend supplies the connection (``conn.py``: sqlite3's own, or a pool that speaks like it),
its transaction (``_write``), its error class and its list of tables; the statements below are
SQLite's, translated for PostgreSQL by ``dialect.py``. Migrations are one history for both.
"""

from __future__ import annotations

import contextlib
import json
import re
from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Self

from scanner import __version__
from scanner.baseline import (
    ScanRecord,
)
from scanner.errors import StoreError
from scanner.store import _changes
from scanner.store._identities import StoreIdentities
from scanner.store._queue import RescanQueue
from scanner.store._rows import finding_rows, inventory_rows, verification_rows
from scanner.store._snapshot import read_inventory, read_snapshot
from scanner.store.events import StoreEvents
from scanner.store.interface import Store
from scanner.store.migrations import MIGRATIONS, migration_sql
from scanner.store.scores import StoreScores
from scanner.store.tokens import StoreTokens

if TYPE_CHECKING:
    from scanner.baseline import (
        BaselineRecord,
        ChangeEvent,
        IdentityUpdate,
        VerificationRecord,
    )
    from scanner.behavior.counts import BehaviorCounts
    from scanner.checks.diff import Snapshot
    from scanner.models import Finding, Inventory
    from scanner.store.conn import Conn
    from scanner.store.dialect import Dialect
    from scanner.tools.model import SurfaceKey, ToolSurface

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SQLStore(RescanQueue, StoreIdentities, StoreEvents, StoreTokens, StoreScores, Store):
    """The store's methods over a ``Conn``; ``SQLiteStore`` and ``PostgresStore`` open one."""

    conn: Conn
    dialect: ClassVar[Dialect]
    db_error: ClassVar[type[Exception]]  # the driver's base error (sqlite3.Error, psycopg.Error)
    where: str  # how errors name this store: a path, or a redacted URL

    @abstractmethod
    def _write(self) -> contextlib.AbstractContextManager[Conn]:
        """One write transaction, all or nothing; writers never interleave their reads."""

    @abstractmethod
    def tables(self) -> list[str]:
        """The store's tables (partitions not listed apart), by name."""

    @abstractmethod
    def prune_events(self, before: str) -> tuple[int, int]:
        """Remove runtime events older than ``before``; (rows removed, partitions dropped)."""

    def __enter__(self) -> Self:
        return self

    def event_partitions(self) -> list[str]:
        """The months runtime events are partitioned into (PostgreSQL; SQLite has none)."""
        return []

    def schema_version(self) -> int:
        """The highest applied migration."""
        row = self.conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    def applied_migrations(self) -> set[int]:
        """The versions applied to this store (none when it was never migrated)."""
        if "schema_migrations" not in self.tables():
            return set()
        return {int(r[0]) for r in self.conn.execute("SELECT version FROM schema_migrations")}

    def pending_migrations(self) -> list[int]:
        """The versions this chainwatch would apply, in order."""
        applied = self.applied_migrations()
        return [v for v, _ in MIGRATIONS if v not in applied]

    def migrate(self) -> list[int]:
        """Apply every migration not applied yet, in one transaction; the versions applied.

        By set, not by maximum: migrations written on parallel branches get numbers out of
        order, and a store that has 11 must still get 8 when it arrives.
        """
        known = {v for v, _ in MIGRATIONS}
        done: list[int] = []
        with self._write() as conn:
            conn.execute(
                self.dialect.ddl(
                    "CREATE TABLE IF NOT EXISTS schema_migrations "
                    "(version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL)"
                )
            )
            applied = {int(r[0]) for r in conn.execute("SELECT version FROM schema_migrations")}
            unknown = sorted(applied - known)
            if unknown:
                raise StoreError(
                    f"{self.where}: schema version {unknown[-1]} is newer than this chainwatch "
                    f"({max(known)})",
                    hint="upgrade chainwatch, or point --db at another store",
                )
            for version, sql in MIGRATIONS:
                if version in applied:
                    continue
                for statement in _statements(migration_sql(version, sql, self.dialect)):
                    conn.execute(self.dialect.ddl(statement))
                conn.execute(
                    f"INSERT INTO schema_migrations VALUES (?, {self.dialect.now})", [version]
                )
                done.append(version)
        return done

    def record_scan(
        self,
        *,
        kind: str,
        started_at: str,
        finished_at: str,
        inputs: dict[str, Any],
        inventory: Inventory,
        findings: Sequence[tuple[str | None, Finding]] = (),
        verifications: Sequence[VerificationRecord] = (),
        identities: Sequence[IdentityUpdate] = (),
        summary: dict[str, int] | None = None,
        changes: Callable[[int], Sequence[ChangeEvent]] | None = None,
    ) -> int:
        """Write a whole scan and its change events in one transaction; its id. All or nothing."""
        try:
            with self._write() as conn:
                row = conn.execute(
                    "INSERT INTO scans (kind, started_at, finished_at, chainwatch_version,"
                    " inputs, summary) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                    [
                        kind,
                        started_at,
                        finished_at,
                        __version__,
                        json.dumps(inputs),
                        json.dumps(summary or {}),
                    ],
                ).fetchone()
                scan_id = int(row[0])
                for table, rows in inventory_rows(scan_id, inventory):
                    self._insert(table, rows)
                self._insert("findings", finding_rows(scan_id, findings))
                self._insert("verifications", verification_rows(scan_id, verifications))
                for update in identities:
                    self._remember(update, finished_at, scan_id)
                if changes is not None:
                    _changes.save_events(conn, changes(scan_id))
        except self.db_error as exc:
            raise StoreError(f"{self.where}: could not record the scan: {exc}") from exc
        return scan_id

    def scans(self, limit: int = 20) -> list[ScanRecord]:
        """The most recent scans, newest first."""
        cursor = self.conn.execute(
            "SELECT id, kind, started_at, finished_at, summary FROM scans ORDER BY id DESC LIMIT ?",
            [limit],
        )
        return [ScanRecord(r[0], r[1], r[2], r[3], json.loads(r[4])) for r in cursor]

    def snapshot(self, scan_id: int) -> Snapshot:
        """What one recorded scan saw per agent and package (for the diff)."""
        row = self.conn.execute("SELECT finished_at FROM scans WHERE id = ?", [scan_id]).fetchone()
        if row is None:
            raise StoreError(
                f"{self.where}: there is no scan {scan_id}", hint="see `chainwatch scans`"
            )
        return read_snapshot(self.conn, scan_id, row[0])

    def stored_inventory(self, scan_id: int) -> Inventory:
        """The inventory one scan recorded, rebuilt as values (to verify it again)."""
        return read_inventory(self.conn, scan_id)

    def latest_scan_id(self, agent: str | None = None) -> int | None:
        """The newest scan (that covered ``agent``), or None."""
        return _changes.latest_scan_id(self.conn, agent)

    def previous_scan_id(self, scan_id: int, agent: str) -> int | None:
        """The newest scan before ``scan_id`` that covered ``agent``, or None."""
        return _changes.latest_scan_id(self.conn, agent, before=scan_id)

    def accept_baseline(self, scan_id: int, agents: Sequence[str], at: str) -> None:
        """Record the state ``scan_id`` saw of ``agents`` as their accepted baseline."""
        try:
            with self._write() as conn:
                _changes.save_baselines(conn, scan_id, agents, at)
        except self.db_error as exc:
            raise StoreError(f"{self.where}: could not record the baseline: {exc}") from exc

    def baselines(self) -> list[BaselineRecord]:
        """The accepted baseline of every agent that has one, by agent."""
        return _changes.load_baselines(self.conn)

    def record_changes(self, events: Sequence[ChangeEvent]) -> None:
        """Store change events, all or none."""
        try:
            with self._write() as conn:
                _changes.save_events(conn, events)
        except self.db_error as exc:
            raise StoreError(f"{self.where}: could not record the changes: {exc}") from exc

    def change_events(self, agent: str | None = None, limit: int = 1000) -> list[ChangeEvent]:
        """Stored change events, newest first (of one agent, or all)."""
        return _changes.load_events(self.conn, agent, limit)

    def tool_surface(self, key: SurfaceKey) -> ToolSurface | None:
        """The tool surface pinned for a component version, or None."""
        try:
            from scanner.store import _toolpins  # the tools' model loads with its first use

            return _toolpins.load_surface(self.conn, key)
        except self.db_error as exc:
            raise StoreError(f"{self.where}: could not read tool pins: {exc}") from exc

    def latest_tool_surface(self, component: str, *, other_than: str) -> ToolSurface | None:
        """The most recently pinned surface of another version of the component, or None."""
        try:
            from scanner.store import _toolpins

            return _toolpins.latest_surface(self.conn, component, other_than=other_than)
        except self.db_error as exc:
            raise StoreError(f"{self.where}: could not read tool pins: {exc}") from exc

    def save_tool_surface(self, surface: ToolSurface) -> None:
        """Pin ``surface`` for its component version in one transaction."""
        try:
            with self._write() as conn:
                from scanner.store import _toolpins

                _toolpins.save_surface(conn, surface)
        except self.db_error as exc:
            raise StoreError(f"{self.where}: could not write tool pins: {exc}") from exc

    def behavior_counts(
        self, *, since: str, until: str, agents: Sequence[str] | None = None
    ) -> BehaviorCounts:
        """Tool calls counted per agent, hour and class in [since, until), in SQL."""
        try:
            from scanner.store import _behavior  # behaviour's model loads with its first use

            return _behavior.behavior_counts(self.conn, since=since, until=until, agents=agents)
        except self.db_error as exc:
            raise StoreError(f"{self.where}: could not count runtime events: {exc}") from exc

    def _insert(self, table: str, rows: Iterable[dict[str, Any]]) -> None:
        rows = list(rows)
        if not rows:
            return
        columns = list(rows[0])
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        self.conn.executemany(sql, [[r[c] for c in columns] for r in rows])

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        """Rows of a read query as dicts (for tests and debugging; not part of ``Store``)."""
        cursor = self.conn.execute(sql, list(params))
        names = [d[0] for d in cursor.description or ()]
        for row in cursor:
            yield dict(zip(names, row, strict=True))

    def count(self, table: str, scan_id: int | None = None) -> int:
        """Number of rows in a table (optionally of one scan); not part of ``Store``."""
        if not _NAME.match(table):
            raise StoreError(f"not a table name: {table!r}")
        if scan_id is None:
            return int(self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        sql = f"SELECT count(*) FROM {table} WHERE scan_id = ?"
        return int(self.conn.execute(sql, [scan_id]).fetchone()[0])

    def events_before(self, before: str) -> int:
        """How many runtime events are older than ``before`` (retention's dry run)."""
        row = self.conn.execute("SELECT count(*) FROM runtime_events WHERE time < ?", [before])
        return int(row.fetchone()[0])

    def table_counts(self) -> dict[str, int]:
        """Rows per table (``db status``, and ``db copy`` checks its copy with it)."""
        return {t: self.count(t) for t in self.tables()}


def _statements(sql: str) -> list[str]:
    code = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return [s.strip() for s in code.split(";") if s.strip()]
