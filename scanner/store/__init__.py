"""The SQLite store."""

from scanner.store.db import (
    DB_ENV,
    IdentityUpdate,
    Store,
    StoredIdentity,
    VerificationRecord,
    default_db_path,
)

__all__ = [
    "DB_ENV",
    "IdentityUpdate",
    "Store",
    "StoredIdentity",
    "VerificationRecord",
    "default_db_path",
]
