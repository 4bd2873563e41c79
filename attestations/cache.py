"""A SQLite cache of verification results keyed by (bundle digest, artifact digest, policy).

The policy string must name everything besides the two digests that can change the outcome: the
trust root's digest, the expected identity, the registry keys. ``policy_key`` builds one. Both
passes and failures are cached: verification is deterministic for the same inputs (times come from
the signed material, not the clock).

The cache cannot lie:

1. Each row carries an HMAC-SHA256 of its key and result under a secret key that is kept outside
   the cache folder (``load_key``). A row whose MAC does not check, or that does not decode, is
   deleted and treated as a miss, so editing the file can only cost a re-verification. Without a
   key the cache uses a random one for this process: rows of other runs are never trusted.
2. A file that is not a SQLite database, or holds another schema, is deleted and rebuilt.
3. When the file cannot be read or written (a full disk, no permission) the cache logs one warning
   and stops caching; verification goes on without it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from attestations.result import AttestationCheck, PublisherIdentity

if TYPE_CHECKING:
    import logging


def _log() -> logging.Logger:
    """The cache's logger. logging loads with the first warning: a warm run, as a rule, has none."""
    import logging

    return logging.getLogger("chainwatch.cache")


KEY_BYTES = 32
_VERSION = 2  # PRAGMA user_version of the current schema; any other is rebuilt
_SCHEMA = """
CREATE TABLE IF NOT EXISTS verification_cache (
    bundle_digest TEXT NOT NULL,
    artifact_digest TEXT NOT NULL,
    policy TEXT NOT NULL,
    result TEXT NOT NULL,
    mac TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (bundle_digest, artifact_digest, policy)
)
"""


def digest_of(data: bytes) -> str:
    """``sha256:<hex>`` of some bytes, the form the cache keys use."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def policy_key(
    *, trust_root: str, expected: PublisherIdentity | None = None, extra: str = ""
) -> str:
    """A stable policy string: trust root digest, expected identity, anything else."""
    parts = {"trust_root": trust_root, "expected": asdict(expected) if expected else None}
    return json.dumps(parts, sort_keys=True) + (f"|{extra}" if extra else "")


def open_cache_db(path: Path, *, table: str, version: int, schema: str) -> sqlite3.Connection:
    """Open a cache file (WAL); a ``table`` of another schema ``version`` is dropped and rebuilt.

    Raises sqlite3.DatabaseError for a file that is not a database (the caller rebuilds it).
    """
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        if db.execute("PRAGMA user_version").fetchone()[0] != version:
            db.execute(f"DROP TABLE IF EXISTS {table}")
            db.execute(f"PRAGMA user_version = {int(version)}")
        db.execute(schema)
        db.commit()
    except sqlite3.Error:
        db.close()
        raise
    return db


def remove_cache_files(path: Path) -> None:
    """Delete a cache file with its WAL and shared-memory files (to rebuild it)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def load_key(path: Path) -> bytes | None:
    """The MAC key in ``path``, created (mode 0600) when absent; None (and a warning) on failure."""
    try:
        key = path.read_bytes()
        if len(key) >= KEY_BYTES:
            return key
    except FileNotFoundError:
        pass
    except OSError as exc:
        _log().warning(
            "cannot read the cache key %s (%s); results of other runs are not used", path, exc
        )
        return None
    key = secrets.token_bytes(KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".{os.getpid()}.part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        os.replace(tmp, path)
    except OSError as exc:
        _log().warning(
            "cannot write the cache key %s (%s); results of other runs are not used", path, exc
        )
        return None
    return key


class VerificationCache:
    """Get and put ``AttestationCheck`` results in a SQLite file (WAL), authenticated by ``key``."""

    def __init__(self, path: Path, *, key: bytes | None = None) -> None:
        self.path = path
        self._key = key or secrets.token_bytes(KEY_BYTES)
        self._db: sqlite3.Connection | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = self._open()
        except sqlite3.DatabaseError:
            self._rebuild()
        except OSError as exc:
            self._fail(exc)

    def get(self, bundle_digest: str, artifact_digest: str, policy: str) -> AttestationCheck | None:
        """The cached result (``cached=True``), or None (also for a row that fails its MAC)."""
        if self._db is None:
            return None
        key = (bundle_digest, artifact_digest, policy)
        try:
            row = self._db.execute(
                "SELECT result, mac FROM verification_cache"
                " WHERE bundle_digest = ? AND artifact_digest = ? AND policy = ?",
                key,
            ).fetchone()
        except sqlite3.Error as exc:
            self._fail(exc)
            return None
        if row is None:
            return None
        result, mac = row
        check = None
        if isinstance(result, str) and isinstance(mac, str):
            if hmac.compare_digest(mac, self._mac(key, result)):
                check = _decode(result)
        if check is None:
            self._delete(key)  # edited, damaged or from another key: verify again
        return check

    def put(
        self, bundle_digest: str, artifact_digest: str, policy: str, check: AttestationCheck
    ) -> None:
        """Store a result, replacing any earlier one for the same key."""
        if self._db is None:
            return
        key = (bundle_digest, artifact_digest, policy)
        result = _encode(check)
        now = datetime.now(UTC).isoformat()
        try:
            with self._db:
                self._db.execute(
                    "INSERT OR REPLACE INTO verification_cache VALUES (?, ?, ?, ?, ?, ?)",
                    (*key, result, self._mac(key, result), now),
                )
        except sqlite3.Error as exc:
            self._fail(exc)

    def close(self) -> None:
        """Close the database."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> VerificationCache:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _open(self) -> sqlite3.Connection:
        return open_cache_db(
            self.path, table="verification_cache", version=_VERSION, schema=_SCHEMA
        )

    def _rebuild(self) -> None:
        _log().warning("%s is not a usable verification cache; rebuilding it", self.path)
        try:
            remove_cache_files(self.path)
            self._db = self._open()
        except (sqlite3.Error, OSError) as exc:
            self._fail(exc)

    def _fail(self, exc: Exception) -> None:
        _log().warning("verification cache %s unusable (%s); continuing without it", self.path, exc)
        self.close()

    def _delete(self, key: tuple[str, str, str]) -> None:
        assert self._db is not None
        try:
            with self._db:
                self._db.execute(
                    "DELETE FROM verification_cache"
                    " WHERE bundle_digest = ? AND artifact_digest = ? AND policy = ?",
                    key,
                )
        except sqlite3.Error as exc:
            self._fail(exc)

    def _mac(self, key: tuple[str, str, str], result: str) -> str:
        message = json.dumps([*key, result]).encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()


def _encode(check: AttestationCheck) -> str:
    data = asdict(check)
    data.pop("cached", None)
    return json.dumps(data, sort_keys=True)


def _decode(text: str) -> AttestationCheck | None:
    try:
        data = json.loads(text)
        identity = data.get("identity")
        return AttestationCheck(
            ok=data["ok"] is True,
            reason=str(data["reason"]),
            identity=PublisherIdentity(**identity) if identity else None,
            predicate_types=tuple(str(p) for p in data.get("predicate_types", ())),
            cached=True,
        )
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None
