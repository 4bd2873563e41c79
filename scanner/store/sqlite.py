"""The SQLite store: WAL, versioned migrations, one transaction per write, owner-only files."""

from __future__ import annotations

import contextlib
import functools
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.errors import StoreError
from scanner.store.base import SQLStore
from scanner.store.dialect import Dialect
from scanner.store.files import private_file
from scanner.store.paths import default_db_path

if TYPE_CHECKING:
    import sqlite_utils

BUSY_TIMEOUT_S = 30.0


class SQLiteStore(SQLStore):
    """A chainwatch database file. Open with :meth:`open`; use as a context manager."""

    dialect = Dialect.SQLITE
    db_error = sqlite3.Error

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn: sqlite3.Connection = conn
        self.path = path
        self.where = str(path)

    @functools.cached_property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over ``conn``, loaded on first use (it costs ~0.1 s to import)."""
        # sqlite-utils serves the read-side helpers (dict rows, counts, introspection); every
        # write goes through explicit BEGIN IMMEDIATE transactions on ``conn`` instead, because
        # its insert helpers commit on their own and would split a scan across transactions.
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    @classmethod
    def open(cls, path: Path | None = None, *, migrate: bool = True) -> SQLiteStore:
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
            if migrate:
                _while_locked(store.migrate)
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

    def tables(self) -> list[str]:
        """The store's tables, by name."""
        return sorted(self.db.table_names())

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        """Rows of a read query as dicts (for tests and debugging; not part of ``Store``)."""
        yield from self.db.query(sql, list(params))

    def count(self, table: str, scan_id: int | None = None) -> int:
        """Number of rows in a table (optionally of one scan); not part of ``Store``."""
        if scan_id is None:
            return self.db.table(table).count
        return self.db.table(table).count_where("scan_id = ?", [scan_id])

    def prune_events(self, before: str) -> tuple[int, int]:
        """Delete runtime events older than ``before``; (rows deleted, partitions dropped: 0)."""
        with self._write() as conn:
            cursor = conn.execute("DELETE FROM runtime_events WHERE time < ?", [before])
        return cursor.rowcount, 0


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
