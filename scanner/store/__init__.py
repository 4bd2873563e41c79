"""The store: a narrow interface (``interface.Store``) with SQLite as the embedded default
and PostgreSQL for a fleet (selected by a ``postgresql://`` URL)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.baseline import (
    IdentityAction,
    IdentityEvent,
    IdentityUpdate,
    ScanRecord,
    SeenIdentity,
    StoredIdentity,
    VerificationRecord,
)
from scanner.store.interface import Store
from scanner.store.paths import DB_ENV, default_db_path
from scanner.store.target import PostgresURL, StoreTarget, default_target, parse_target

if TYPE_CHECKING:
    from scanner.store.base import SQLStore


def open_store(target: StoreTarget | str | None = None, *, migrate: bool = True) -> Store:
    """Open (creating and migrating as needed) the store at ``target`` or the default.

    ``target`` is a path (SQLite), a ``postgresql://`` URL, or None for ``$CHAINWATCH_DB`` or
    the default file. The one place that picks a backend; each loads only when it is opened.
    """
    return open_sql_store(target, migrate=migrate)


def open_sql_store(target: StoreTarget | str | None = None, *, migrate: bool = True) -> SQLStore:
    """``open_store`` with the maintenance methods of the SQL stores (``db`` commands, copy)."""
    where = default_target() if target is None else parse_target(target)
    if isinstance(where, PostgresURL):
        from scanner.errors import StoreError

        try:
            from scanner.store.postgres import PostgresStore
        except ImportError as exc:
            raise StoreError(
                f"{where}: the PostgreSQL store needs psycopg ({exc.name} is not installed)",
                hint="pip install 'chainwatch[postgres]'",
            ) from None
        return PostgresStore.open(where, migrate=migrate)
    from scanner.store.sqlite import SQLiteStore

    return SQLiteStore.open(where, migrate=migrate)


__all__ = [
    "DB_ENV",
    "IdentityAction",
    "IdentityEvent",
    "IdentityUpdate",
    "PostgresURL",
    "ScanRecord",
    "SeenIdentity",
    "Store",
    "StoredIdentity",
    "StoreTarget",
    "VerificationRecord",
    "default_db_path",
    "open_sql_store",
    "open_store",
    "parse_target",
]
