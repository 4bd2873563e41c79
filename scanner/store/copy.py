"""``db copy``: every table of an SQLite store into an empty PostgreSQL store, history and all.

1. Both stores are migrated to this chainwatch's schema first, so their tables match.
2. The target must be empty: a copy never merges into (or over) another store's history.
3. Tables go parents first (scans before findings, ...), each streamed with COPY, ids kept as
   they are, in one transaction: the copy is all there or not at all.
4. Identity sequences move past the copied ids, so new rows never collide with old ones.
5. The copy is checked: every table's row count in the target equals the source's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.errors import StoreError
from scanner.store.pg_events import month_of
from scanner.store.postgres import PostgresStore
from scanner.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from scanner.store.target import PostgresURL

_CHUNK = 10_000
_BOOKKEEPING = "schema_migrations"  # each store keeps its own record of migrations


@dataclass(frozen=True)
class CopyReport:
    """What was copied: rows per table (equal in source and target, or the copy failed)."""

    tables: tuple[tuple[str, int], ...]

    @property
    def rows(self) -> int:
        """All rows copied."""
        return sum(n for _, n in self.tables)


def table_order(source: SQLiteStore) -> list[str]:
    """The source's tables, each after the tables its foreign keys point at."""
    tables = [t for t in source.tables() if t != _BOOKKEEPING]
    parents = {t: {fk.other_table for fk in source.db.table(t).foreign_keys} - {t} for t in tables}
    ordered: list[str] = []
    while len(ordered) < len(tables):
        ready = [t for t in tables if t not in ordered and parents[t] <= set(ordered)]
        if not ready:
            raise StoreError(f"{source.where}: the tables' foreign keys form a cycle")
        ordered += sorted(ready)
    return ordered


def copy_store(
    source: Path, target: PostgresURL, progress: Callable[[str, int], None] | None = None
) -> CopyReport:
    """Copy every table of the SQLite store ``source`` into the empty ``target``."""
    with SQLiteStore.open(source) as src, PostgresStore.open(target) as dst:
        return copy_tables(src, dst, progress)


def copy_tables(
    source: SQLiteStore,
    target: PostgresStore,
    progress: Callable[[str, int], None] | None = None,
) -> CopyReport:
    """Copy every table of ``source`` into the empty ``target``; the verified row counts."""
    mine, theirs = source.applied_migrations(), target.applied_migrations()
    if mine != theirs:
        raise StoreError(
            f"the stores' schemas differ ({source.where}: {sorted(mine - theirs)} not in "
            f"{target.where}; {sorted(theirs - mine)} the other way)",
            hint="open both with this chainwatch (`chainwatch --db ... db migrate`) first",
        )
    used = {t: n for t, n in target.table_counts().items() if n and t != _BOOKKEEPING}
    if used:
        raise StoreError(
            f"{target.where}: the target store is not empty ({', '.join(sorted(used))})",
            hint="copy into a new, empty database; a copy never merges two stores",
        )
    order = table_order(source)
    foreign = sorted(set(order) - set(target.tables()))
    if foreign:  # not chainwatch's: copied by name into SQL, so never copied at all
        raise StoreError(
            f"{source.where}: tables that are not chainwatch's: {', '.join(map(repr, foreign))}",
            hint="copy a store chainwatch made, or drop those tables from a copy of it first",
        )
    if "runtime_events" in order:
        months = source.conn.execute("SELECT DISTINCT substr(time, 1, 7) FROM runtime_events")
        target.ensure_partitions({month_of(str(m)) for (m,) in months})
    try:
        with target._write():
            pg = target.pg.current
            assert pg is not None  # inside the write transaction
            for table in order:
                columns = [c.name for c in source.db.table(table).columns]
                names = ", ".join(columns)
                with pg.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in _rows(source, table, names):
                        copy.write_row(row)
                if progress is not None:
                    progress(table, source.count(table))
    except target.db_error as exc:
        raise StoreError(
            f"{target.where}: the copy failed and was rolled back: {target.url.scrub(str(exc))}"
        ) from None
    target.reset_sequences()
    counts = tuple((t, source.count(t)) for t in order)
    copied = target.table_counts()
    wrong = [
        f"{t}: {n} in the source, {copied.get(t)} copied" for t, n in counts if copied.get(t) != n
    ]
    if wrong:
        raise StoreError(f"{target.where}: the copy does not match: {'; '.join(wrong)}")
    return CopyReport(counts)


def _rows(source: SQLiteStore, table: str, names: str) -> Iterator[tuple[object, ...]]:
    # rowid order: the order rows were written in, which reads that sort by id keep anyway.
    cursor = source.conn.execute(f"SELECT {names} FROM {table} ORDER BY rowid")
    while chunk := cursor.fetchmany(_CHUNK):
        yield from chunk
