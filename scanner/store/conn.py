"""The connection the store's SQL runs on: sqlite3's, or a PostgreSQL pool that speaks like it.

Store code calls ``conn.execute(sql, params)`` and ``conn.executemany`` with SQLite's SQL. For
SQLite that is the ``sqlite3.Connection`` itself (no layer in between); for PostgreSQL it is
``PgConnection``, which translates the statement (``dialect.py``) and runs it on the connection
of the thread's open transaction, or on a pooled connection in autocommit for a lone read.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from scanner.store.dialect import Dialect

if TYPE_CHECKING:
    import psycopg
    from psycopg_pool import ConnectionPool


class Cursor(Protocol):
    """What store code reads from a statement (a subset of sqlite3.Cursor)."""

    @property
    def rowcount(self) -> int: ...

    @property
    def description(self) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Conn(Protocol):
    """What store code runs statements on (a subset of sqlite3.Connection)."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Cursor: ...


class Rows:
    """A statement's result, read whole (the PostgreSQL connection goes back to the pool)."""

    def __init__(self, rows: list[tuple[Any, ...]], rowcount: int, names: Sequence[str]) -> None:
        self._rows = rows
        self._next = 0
        self.rowcount = rowcount
        # DB-API shape: a 7-item sequence per column, the name first.
        self.description = (
            tuple((n, None, None, None, None, None, None) for n in names) if names else None
        )

    def fetchone(self) -> tuple[Any, ...] | None:
        """The next row, or None."""
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    def fetchall(self) -> list[tuple[Any, ...]]:
        """The rows not read yet."""
        rest, self._next = self._rows[self._next :], len(self._rows)
        return rest

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.fetchall())


def _result(cur: psycopg.Cursor[Any]) -> Rows:
    names = [c.name for c in cur.description] if cur.description else []
    rows = cur.fetchall() if cur.description else []
    return Rows(rows, cur.rowcount, names)


class PgConnection:
    """SQLite-style ``execute``/``executemany`` over a psycopg pool (thread-safe)."""

    dialect = Dialect.POSTGRES

    def __init__(self, pool: ConnectionPool[Any]) -> None:
        self.pool = pool
        self._local = threading.local()

    @property
    def current(self) -> psycopg.Connection[Any] | None:
        """The connection of this thread's open transaction, or None."""
        conn: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        return conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[Any]]:
        """One transaction on one pooled connection; statements of this thread run in it."""
        if self.current is not None:  # nested: the outer transaction decides
            yield self.current
            return
        with self.pool.connection() as conn, conn.transaction():
            self._local.conn = conn
            try:
                yield conn
            finally:
                self._local.conn = None

    @contextlib.contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        current = self.current
        if current is not None:
            yield current
        else:
            with self.pool.connection() as conn:
                yield conn

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Rows:
        """Run one statement (SQLite's SQL) and return its rows."""
        with self._connection() as conn, conn.cursor() as cur:
            cur.execute(Dialect.POSTGRES.dml(sql), list(parameters))
            return _result(cur)

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Rows:
        """Run one statement per parameter row (pipelined by psycopg); rowcount is the total."""
        rows = [list(p) for p in parameters]
        with self._connection() as conn, conn.cursor() as cur:
            if rows:
                cur.executemany(Dialect.POSTGRES.dml(sql), rows)
            return Rows([], cur.rowcount if rows else 0, [])
