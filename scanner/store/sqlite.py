"""The SQLite store: WAL, versioned migrations, one transaction per write, owner-only files."""

from __future__ import annotations

import contextlib
import functools
import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attestations.result import PublisherIdentity, Status
from scanner import __version__
from scanner.baseline import (
    BaselineRecord,
    ChangeEvent,
    IdentityAction,
    IdentityEvent,
    IdentityUpdate,
    ScanRecord,
    SeenIdentity,
    StoredIdentity,
    VerificationRecord,
    identity_from_dict,
)
from scanner.behavior.counts import BehaviorCounts
from scanner.checks.diff import Snapshot
from scanner.errors import StoreError
from scanner.models import Finding, Inventory
from scanner.store import _behavior, _changes, _toolpins
from scanner.store._rows import finding_rows, identity_json, inventory_rows, verification_rows
from scanner.store._snapshot import read_inventory, read_snapshot
from scanner.store.events import SQLiteEvents
from scanner.store.files import private_file
from scanner.store.interface import Store
from scanner.store.migrations import MIGRATIONS
from scanner.store.paths import default_db_path
from scanner.store.scores import SQLiteScores
from scanner.store.tokens import SQLiteTokens
from scanner.tools.model import SurfaceKey, ToolSurface

if TYPE_CHECKING:
    import sqlite_utils

BUSY_TIMEOUT_S = 30.0


class SQLiteStore(SQLiteEvents, SQLiteTokens, SQLiteScores, Store):
    """A chainwatch database file. Open with :meth:`open`; use as a context manager."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @functools.cached_property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over ``conn``, loaded on first use (it costs ~0.1 s to import)."""
        # sqlite-utils serves the read-side helpers (dict rows, counts, introspection); every
        # write goes through explicit BEGIN IMMEDIATE transactions on ``conn`` instead, because
        # its insert helpers commit on their own and would split a scan across transactions.
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    @classmethod
    def open(cls, path: Path | None = None) -> SQLiteStore:
        """Open (creating 0600 and migrating as needed) the store at ``path`` or the default."""
        path = path or default_db_path()
        try:
            private_file(path)
            # Autocommit: every transaction below is explicit, so none is opened behind our back.
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            # Switching a new file to WAL upgrades a read lock to a write lock; when two processes
            # do it at once SQLite answers "locked" at once rather than wait (it would deadlock).
            _while_locked(lambda: conn.execute("PRAGMA journal_mode=WAL"))
            conn.execute("PRAGMA foreign_keys=ON")
            store = cls(conn, path)
            _while_locked(store._migrate)
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{path}: cannot open the chainwatch store: {exc}",
                hint="check the file is a chainwatch SQLite database, or pass another --db",
            ) from exc
        except OSError as exc:
            raise StoreError(f"{path}: cannot create the store: {exc}") from exc
        return store

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes the write lock first: two processes can never both read the
        # same state and then both act on it (e.g. both create the tables of a new store).
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def schema_version(self) -> int:
        """The highest applied migration."""
        row = self.conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    def _migrate(self) -> None:
        newest = MIGRATIONS[-1][0]
        with self._write() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            current = self.schema_version()
            if current > newest:
                raise StoreError(
                    f"{self.path}: schema version {current} is newer than this chainwatch "
                    f"({newest})",
                    hint="upgrade chainwatch, or point --db at another file",
                )
            for version, sql in MIGRATIONS:
                if version > current:
                    for statement in _statements(sql):
                        conn.execute(statement)
                    conn.execute(
                        "INSERT INTO schema_migrations VALUES (?, datetime('now'))", [version]
                    )

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
    ) -> int:
        """Write a whole scan in one transaction and return its id. All or nothing."""
        try:
            with self._write() as conn:
                cursor = conn.execute(
                    "INSERT INTO scans (kind, started_at, finished_at, chainwatch_version,"
                    " inputs, summary) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        kind,
                        started_at,
                        finished_at,
                        __version__,
                        json.dumps(inputs),
                        json.dumps(summary or {}),
                    ],
                )
                scan_id = cursor.lastrowid
                assert scan_id is not None
                for table, rows in inventory_rows(scan_id, inventory):
                    self._insert(table, rows)
                self._insert("findings", finding_rows(scan_id, findings))
                self._insert("verifications", verification_rows(scan_id, verifications))
                for update in identities:
                    self._remember(update, finished_at, scan_id)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: could not record the scan: {exc}") from exc
        return scan_id

    def _insert(self, table: str, rows: Iterable[dict[str, Any]]) -> None:
        rows = list(rows)
        if not rows:
            return
        columns = list(rows[0])
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        self.conn.executemany(sql, [[r[c] for c in columns] for r in rows])

    def _remember(self, update: IdentityUpdate, at: str, scan_id: int | None) -> None:
        before = self.publisher_identity(update.purl_key)
        if before is not None and before.pinned and not update.pinned and scan_id is not None:
            return  # a pin is the user's word; scans never replace it
        self.conn.execute(
            "INSERT INTO publisher_identities (purl_key, identity, attested, first_seen,"
            " last_seen, first_version, last_version, pinned) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(purl_key) DO UPDATE SET identity=excluded.identity,"
            " attested=excluded.attested, last_seen=excluded.last_seen,"
            " last_version=coalesce(excluded.last_version, last_version), pinned=excluded.pinned",
            [
                update.purl_key,
                identity_json(update.identity),
                int(update.identity is not None),
                at,
                at,
                update.version,
                update.version,
                int(update.pinned),
            ],
        )
        changed = before is None or before.identity != update.identity
        if changed or update.action in {IdentityAction.ACCEPTED, IdentityAction.PINNED}:
            self.conn.execute(
                "INSERT INTO identity_history (purl_key, action, identity, version, at, scan_id)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    update.purl_key,
                    update.action.value,
                    identity_json(update.identity),
                    update.version,
                    at,
                    scan_id,
                ],
            )

    def set_identity(
        self,
        purl_key: str,
        identity: PublisherIdentity | None,
        *,
        action: IdentityAction,
        at: str,
        version: str | None = None,
        pinned: bool = False,
    ) -> None:
        """Remember ``identity`` for a package outside a scan (accept, pin), with its history."""
        update = IdentityUpdate(purl_key, version, identity, action, pinned)
        try:
            with self._write():
                self._remember(update, at, None)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: could not remember the identity: {exc}") from exc

    def publisher_identity(self, purl_key: str) -> StoredIdentity | None:
        """The identity remembered for a package, or None when never seen."""
        rows = self._identities("WHERE purl_key = ?", [purl_key])
        return rows[0] if rows else None

    def publisher_identities(self) -> list[StoredIdentity]:
        """Every remembered identity, by package."""
        return self._identities("ORDER BY purl_key", [])

    def _identities(self, where: str, params: list[Any]) -> list[StoredIdentity]:
        cursor = self.conn.execute(
            "SELECT purl_key, identity, first_seen, last_version, pinned"
            f" FROM publisher_identities {where}",
            params,
        )
        return [StoredIdentity(r[0], _load(r[1]), r[2], r[3], bool(r[4])) for r in cursor]

    def identity_history(self, purl_key: str | None = None) -> list[IdentityEvent]:
        """Changes of remembered identities, oldest first (of one package, or all)."""
        where, params = ("WHERE purl_key = ?", [purl_key]) if purl_key else ("", [])
        cursor = self.conn.execute(
            "SELECT purl_key, action, identity, version, at, scan_id FROM identity_history"
            f" {where} ORDER BY id",
            params,
        )
        return [
            IdentityEvent(r[0], IdentityAction(r[1]), _load(r[2]), r[3], r[4], r[5]) for r in cursor
        ]

    def last_seen(self, purl_key: str) -> SeenIdentity | None:
        """What the most recent scan that checked the package saw (attested results first)."""
        prefix = purl_key + "@"
        row = self.conn.execute(
            "SELECT purl, status, identity, scan_id FROM verifications"
            " WHERE substr(purl, 1, ?) = ? ORDER BY scan_id DESC, identity IS NULL, id DESC"
            " LIMIT 1",
            [len(prefix), prefix],
        ).fetchone()
        if row is None:
            return None
        return SeenIdentity(row[0], Status(row[1]), _load(row[2]), int(row[3]))

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
                f"{self.path}: there is no scan {scan_id}", hint="see `chainwatch scans`"
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
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: could not record the baseline: {exc}") from exc

    def baselines(self) -> list[BaselineRecord]:
        """The accepted baseline of every agent that has one, by agent."""
        return _changes.load_baselines(self.conn)

    def record_changes(self, events: Sequence[ChangeEvent]) -> None:
        """Store change events, all or none."""
        try:
            with self._write() as conn:
                _changes.save_events(conn, events)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: could not record the changes: {exc}") from exc

    def change_events(self, agent: str | None = None, limit: int = 1000) -> list[ChangeEvent]:
        """Stored change events, newest first (of one agent, or all)."""
        return _changes.load_events(self.conn, agent, limit)

    def tool_surface(self, key: SurfaceKey) -> ToolSurface | None:
        """The tool surface pinned for a component version, or None."""
        try:
            return _toolpins.load_surface(self.conn, key)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: could not read tool pins: {exc}") from exc

    def latest_tool_surface(self, component: str, *, other_than: str) -> ToolSurface | None:
        """The most recently pinned surface of another version of the component, or None."""
        try:
            return _toolpins.latest_surface(self.conn, component, other_than=other_than)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: could not read tool pins: {exc}") from exc

    def save_tool_surface(self, surface: ToolSurface) -> None:
        """Pin ``surface`` for its component version in one transaction."""
        try:
            with self._write() as conn:
                _toolpins.save_surface(conn, surface)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: could not write tool pins: {exc}") from exc

    def behavior_counts(
        self, *, since: str, until: str, agents: Sequence[str] | None = None
    ) -> BehaviorCounts:
        """Tool calls counted per agent, hour and class in [since, until), in SQL."""
        try:
            return _behavior.behavior_counts(self.conn, since=since, until=until, agents=agents)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: could not count runtime events: {exc}") from exc

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        """Rows of a read query as dicts (for tests and debugging; not part of ``Store``)."""
        yield from self.db.query(sql, list(params))

    def count(self, table: str, scan_id: int | None = None) -> int:
        """Number of rows in a table (optionally of one scan); not part of ``Store``."""
        if scan_id is None:
            return self.db.table(table).count
        return self.db.table(table).count_where("scan_id = ?", [scan_id])


def _while_locked(step: Callable[[], object]) -> None:
    """Run ``step``, again while SQLite says the database is locked, up to the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _load(text: str | None) -> PublisherIdentity | None:
    return identity_from_dict(json.loads(text)) if text else None


def _statements(sql: str) -> list[str]:
    code = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return [s.strip() for s in code.split(";") if s.strip()]
