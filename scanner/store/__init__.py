"""The store: a narrow interface (``interface.Store``) with SQLite as the embedded default."""

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
]
