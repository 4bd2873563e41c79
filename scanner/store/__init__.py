"""The store: a narrow interface (``interface.Store``) with SQLite as the embedded default."""

from pathlib import Path

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


def open_store(path: Path | None = None) -> Store:
    """Open (creating and migrating as needed) the store at ``path`` or the default.

    The one place that picks a backend: SQLite, the embedded default, loads only when a store
    is opened (the interface itself never names an implementation).
    """
    from scanner.store.sqlite import SQLiteStore

    return SQLiteStore.open(path)


__all__ = [
    "DB_ENV",
    "IdentityAction",
    "IdentityEvent",
    "IdentityUpdate",
    "ScanRecord",
    "SeenIdentity",
    "Store",
    "StoredIdentity",
    "VerificationRecord",
    "default_db_path",
    "open_store",
]
