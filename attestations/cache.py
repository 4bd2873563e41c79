"""A SQLite cache of verification results keyed by (bundle digest, artifact digest, policy).

The policy string must name everything besides the two digests that can change the outcome: the
trust root's digest, the expected identity, the registry keys. ``policy_key`` builds one. Both
passes and failures are cached: verification is deterministic for the same inputs (times come from
the signed material, not the clock).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from attestations.result import AttestationCheck, PublisherIdentity

_SCHEMA = """
CREATE TABLE IF NOT EXISTS verification_cache (
    bundle_digest TEXT NOT NULL,
    artifact_digest TEXT NOT NULL,
    policy TEXT NOT NULL,
    result TEXT NOT NULL,
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


class VerificationCache:
    """Get and put ``AttestationCheck`` results in a SQLite file (WAL)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)
        self._db.commit()

    def get(self, bundle_digest: str, artifact_digest: str, policy: str) -> AttestationCheck | None:
        """The cached result (``cached=True``), or None."""
        row = self._db.execute(
            "SELECT result FROM verification_cache"
            " WHERE bundle_digest = ? AND artifact_digest = ? AND policy = ?",
            (bundle_digest, artifact_digest, policy),
        ).fetchone()
        return None if row is None else _decode(str(row[0]))

    def put(
        self, bundle_digest: str, artifact_digest: str, policy: str, check: AttestationCheck
    ) -> None:
        """Store a result, replacing any earlier one for the same key."""
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO verification_cache VALUES (?, ?, ?, ?, ?)",
                (
                    bundle_digest,
                    artifact_digest,
                    policy,
                    _encode(check),
                    datetime.now(UTC).isoformat(),
                ),
            )

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> VerificationCache:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _encode(check: AttestationCheck) -> str:
    data = asdict(check)
    data.pop("cached", None)
    return json.dumps(data, sort_keys=True)


def _decode(text: str) -> AttestationCheck:
    data = json.loads(text)
    identity = data.get("identity")
    return AttestationCheck(
        ok=bool(data["ok"]),
        reason=str(data["reason"]),
        identity=PublisherIdentity(**identity) if identity else None,
        predicate_types=tuple(data.get("predicate_types", ())),
        cached=True,
    )
