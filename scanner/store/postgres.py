"""The PostgreSQL store: the shared SQL (base.py) on a psycopg connection pool.

Selected by a ``postgresql://`` URL (``--db`` or ``CHAINWATCH_DB``). Thread-safe: every
statement borrows a pooled connection, a write transaction keeps one. Writes that read and
then act (scans, identities, baselines, tokens, migrations) take one store-wide advisory lock,
as SQLite's BEGIN IMMEDIATE does; event ingest does not (pg_events.py locks per batch).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg.adapt import Dumper
from psycopg_pool import ConnectionPool

from scanner.errors import StoreError
from scanner.store.base import SQLStore
from scanner.store.conn import PgConnection
from scanner.store.dialect import Dialect
from scanner.store.pg_events import PgEvents

if TYPE_CHECKING:
    from scanner.store.target import PostgresURL

POOL_MAX = 8  # connections per process; a write transaction holds one, partition DDL another
CONNECT_TIMEOUT_S = 10
_WRITER_LOCK = 0x63770000  # the advisory lock of read-then-write transactions


class _BoolAsInt(Dumper):
    """Python bools as 0/1 integers, the way SQLite stores them (the schema has no BOOLEAN)."""

    oid = psycopg.postgres.types["int8"].oid

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


def _configure(conn: psycopg.Connection[Any]) -> None:
    conn.adapters.register_dumper(bool, _BoolAsInt)


class PostgresStore(PgEvents, SQLStore):
    """A chainwatch store on a PostgreSQL server. Open with :meth:`open`."""

    dialect = Dialect.POSTGRES
    db_error = psycopg.Error

    def __init__(self, pool: ConnectionPool[Any], url: PostgresURL) -> None:
        self.pg = PgConnection(pool)
        self.conn = self.pg
        self.url = url
        self.where = url.redacted()
        self._partitions: set[str] = set()

    @classmethod
    def open(cls, url: PostgresURL, *, migrate: bool = True) -> PostgresStore:
        """Connect (a clear error at once when the server cannot be reached) and migrate."""
        try:
            # One direct connection first: the pool would retry quietly until its timeout.
            psycopg.connect(url.url, connect_timeout=CONNECT_TIMEOUT_S).close()
        except psycopg.Error as exc:
            raise StoreError(
                f"{url}: cannot connect to the chainwatch store: {url.scrub(str(exc))}",
                hint="check the server is running and the URL's host, database and credentials",
            ) from None
        pool: ConnectionPool[Any] = ConnectionPool(
            url.url,
            min_size=1,
            max_size=POOL_MAX,
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S},
            configure=_configure,
            open=True,
            name="chainwatch",
        )
        store = cls(pool, url)
        try:
            if migrate:
                store.migrate()
                store._partitions.update(store.event_partitions())
        except psycopg.Error as exc:
            store.close()
            raise StoreError(
                f"{url}: cannot open the chainwatch store: {url.scrub(str(exc))}"
            ) from None
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        """Close the pool's connections."""
        self.pg.pool.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[PgConnection]:
        with self.pg.transaction() as pg:
            pg.execute("SELECT pg_advisory_xact_lock(%s)", [_WRITER_LOCK])
            yield self.pg

    def tables(self) -> list[str]:
        """The store's tables (a partitioned table once, not each partition), by name."""
        rows = self.conn.execute(
            "SELECT c.relname FROM pg_class c"
            " WHERE c.relnamespace = current_schema()::regnamespace"
            " AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
        ).fetchall()
        return sorted(str(r[0]) for r in rows)

    def reset_sequences(self) -> None:
        """Move every identity sequence past the largest id (after ``db copy`` kept the ids)."""
        rows = self.conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND column_default LIKE 'nextval%'"
            " OR (table_schema = current_schema() AND is_identity = 'YES')"
        ).fetchall()
        with self._write():
            for table, column in rows:
                if table.startswith("runtime_events_p"):
                    continue
                self.conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
                    f" coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)"
                )
