"""Publisher identities in the store: trust on first use, pins, and who was trusted when."""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING, Any, ClassVar

from attestations.result import Status
from scanner.baseline import (
    IdentityAction,
    IdentityEvent,
    IdentityUpdate,
    SeenIdentity,
    StoredIdentity,
    identity_from_dict,
)
from scanner.errors import StoreError
from scanner.store._rows import identity_json

if TYPE_CHECKING:
    from attestations.result import PublisherIdentity
    from scanner.store.conn import Conn


class StoreIdentities:
    """The identity methods of the store (kept out of base.py; both backends run them)."""

    conn: Conn
    db_error: ClassVar[type[Exception]]
    where: str

    def _write(self) -> contextlib.AbstractContextManager[Conn]:
        raise NotImplementedError  # the backend's transaction

    def _remember(self, update: IdentityUpdate, at: str, scan_id: int | None) -> None:
        before = self.publisher_identity(update.purl_key)
        if before is not None and before.pinned and not update.pinned and scan_id is not None:
            return  # a pin is the user's word; scans never replace it
        self.conn.execute(
            "INSERT INTO publisher_identities (purl_key, identity, attested, first_seen,"
            " last_seen, first_version, last_version, pinned) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(purl_key) DO UPDATE SET identity=excluded.identity,"
            " attested=excluded.attested, last_seen=excluded.last_seen,"
            " last_version=coalesce(excluded.last_version, publisher_identities.last_version),"
            " pinned=excluded.pinned",
            [
                update.purl_key,
                identity_json(update.identity),
                int(update.identity is not None),
                at,
                at,
                update.version,
                update.version,
                int(update.pinned),
            ],
        )
        changed = before is None or before.identity != update.identity
        if changed or update.action in {IdentityAction.ACCEPTED, IdentityAction.PINNED}:
            self.conn.execute(
                "INSERT INTO identity_history (purl_key, action, identity, version, at, scan_id)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    update.purl_key,
                    update.action.value,
                    identity_json(update.identity),
                    update.version,
                    at,
                    scan_id,
                ],
            )

    def set_identity(
        self,
        purl_key: str,
        identity: PublisherIdentity | None,
        *,
        action: IdentityAction,
        at: str,
        version: str | None = None,
        pinned: bool = False,
    ) -> None:
        """Remember ``identity`` for a package outside a scan (accept, pin), with its history."""
        update = IdentityUpdate(purl_key, version, identity, action, pinned)
        try:
            with self._write():
                self._remember(update, at, None)
        except self.db_error as exc:
            raise StoreError(f"{self.where}: could not remember the identity: {exc}") from exc

    def publisher_identity(self, purl_key: str) -> StoredIdentity | None:
        """The identity remembered for a package, or None when never seen."""
        rows = self._identities("WHERE purl_key = ?", [purl_key])
        return rows[0] if rows else None

    def publisher_identities(self) -> list[StoredIdentity]:
        """Every remembered identity, by package."""
        return self._identities("ORDER BY purl_key", [])

    def _identities(self, where: str, params: list[Any]) -> list[StoredIdentity]:
        cursor = self.conn.execute(
            "SELECT purl_key, identity, first_seen, last_version, pinned"
            f" FROM publisher_identities {where}",
            params,
        )
        return [StoredIdentity(r[0], _load(r[1]), r[2], r[3], bool(r[4])) for r in cursor]

    def identity_history(self, purl_key: str | None = None) -> list[IdentityEvent]:
        """Changes of remembered identities, oldest first (of one package, or all)."""
        where, params = ("WHERE purl_key = ?", [purl_key]) if purl_key else ("", [])
        cursor = self.conn.execute(
            "SELECT purl_key, action, identity, version, at, scan_id FROM identity_history"
            f" {where} ORDER BY id",
            params,
        )
        return [
            IdentityEvent(r[0], IdentityAction(r[1]), _load(r[2]), r[3], r[4], r[5]) for r in cursor
        ]

    def last_seen(self, purl_key: str) -> SeenIdentity | None:
        """What the most recent scan that checked the package saw (attested results first)."""
        prefix = purl_key + "@"
        row = self.conn.execute(
            "SELECT purl, status, identity, scan_id FROM verifications"
            " WHERE substr(purl, 1, ?) = ? ORDER BY scan_id DESC, identity IS NULL, id DESC"
            " LIMIT 1",
            [len(prefix), prefix],
        ).fetchone()
        if row is None:
            return None
        return SeenIdentity(row[0], Status(row[1]), _load(row[2]), int(row[3]))


def _load(text: str | None) -> PublisherIdentity | None:
    return identity_from_dict(json.loads(text)) if text else None
