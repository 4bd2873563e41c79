"""The SQLite store: WAL, versioned migrations, one transaction per recorded scan."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs
import sqlite_utils

from scanner import __version__
from scanner.errors import StoreError
from scanner.events.model import EventsWritten, RuntimeEvent
from scanner.models import Component, Finding, Inventory, Skipped
from scanner.store.events import insert_events, select_events
from scanner.store.migrations import MIGRATIONS

DB_ENV = "CHAINWATCH_DB"


def default_db_path() -> Path:
    """``$CHAINWATCH_DB`` or ``chainwatch.db`` in the platform's user data directory."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("chainwatch", appauthor=False)) / "chainwatch.db"


@dataclass(frozen=True, slots=True)
class VerificationRecord:
    """The final verification status of one component in one scan."""

    purl: str
    status: str
    reason: str
    identity: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class StoredIdentity:
    """The publisher identity last recorded for a package (trust on first use)."""

    purl_key: str
    identity: dict[str, Any] | None  # None: seen, but without attestation
    attested: bool
    first_seen: str
    last_version: str | None


@dataclass(frozen=True, slots=True)
class IdentityUpdate:
    """A publisher identity to remember for a package after this scan."""

    purl_key: str
    version: str | None
    identity: dict[str, Any] | None


class Store:
    """A chainwatch database file. Open with :meth:`open`; use as a context manager."""

    def __init__(self, db: sqlite_utils.Database, path: Path) -> None:
        self.db = db
        self.path = path

    @classmethod
    def open(cls, path: Path | None = None) -> Store:
        """Open (creating and migrating as needed) the store at ``path`` or the default."""
        path = path or default_db_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=30)
            db = sqlite_utils.Database(conn)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA busy_timeout=30000")
            store = cls(db, path)
            store._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{path}: cannot open the chainwatch store: {exc}",
                hint="check the file is a chainwatch SQLite database, or pass another --db",
            ) from exc
        except OSError as exc:
            raise StoreError(f"{path}: cannot create the store: {exc}") from exc
        return store

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def schema_version(self) -> int:
        """The highest applied migration."""
        row = self.db.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    def _migrate(self) -> None:
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        current = self.schema_version()
        newest = MIGRATIONS[-1][0]
        if current > newest:
            raise StoreError(
                f"{self.path}: schema version {current} is newer than this chainwatch ({newest})",
                hint="upgrade chainwatch, or point --db at another file",
            )
        for version, sql in MIGRATIONS:
            if version <= current:
                continue
            with self.db.atomic():
                for statement in _statements(sql):
                    self.db.execute(statement)
                self.db.execute("INSERT INTO schema_migrations VALUES (?, ?)", [version, _now()])

    def record_scan(
        self,
        *,
        kind: str,
        started_at: str,
        inputs: dict[str, Any],
        inventory: Inventory,
        findings: Sequence[tuple[str | None, Finding]] = (),
        verifications: Sequence[VerificationRecord] = (),
        identities: Sequence[IdentityUpdate] = (),
        summary: dict[str, Any] | None = None,
    ) -> int:
        """Write a whole scan in one transaction and return its id. All or nothing."""
        try:
            with self.db.atomic():
                scan_id = self._insert_scan(kind, started_at, inputs, summary or {})
                self._insert_inventory(scan_id, inventory)
                self._insert_rows(
                    "findings",
                    (
                        {
                            "scan_id": scan_id,
                            "agent_id": agent_id,
                            "code": f.code,
                            "severity": f.severity.value,
                            "subject": f.subject,
                            "message": f.message,
                            "evidence": json.dumps(dict(f.evidence)),
                        }
                        for agent_id, f in findings
                    ),
                )
                self._insert_rows(
                    "verifications",
                    (
                        {
                            "scan_id": scan_id,
                            "purl": v.purl,
                            "status": v.status,
                            "reason": v.reason,
                            "identity": json.dumps(v.identity) if v.identity else None,
                        }
                        for v in verifications
                    ),
                )
                for update in identities:
                    self._remember_identity(update)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: could not record the scan: {exc}") from exc
        return scan_id

    def _insert_scan(
        self, kind: str, started_at: str, inputs: dict[str, Any], summary: dict[str, Any]
    ) -> int:
        cursor = self.db.execute(
            "INSERT INTO scans (kind, started_at, finished_at, chainwatch_version, inputs, summary)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [kind, started_at, _now(), __version__, json.dumps(inputs), json.dumps(summary)],
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _insert_inventory(self, scan_id: int, inventory: Inventory) -> None:
        agents: list[dict[str, Any]] = []
        servers: list[dict[str, Any]] = []
        components: list[dict[str, Any]] = []
        skipped: list[dict[str, Any]] = []
        for ai in inventory.agents:
            a = ai.agent
            agents.append(
                {
                    "scan_id": scan_id,
                    "agent_id": a.id,
                    "name": a.name,
                    "origin": a.origin,
                    "purpose": a.purpose,
                    "pact": json.dumps(list(a.pact)),
                    "config_paths": json.dumps(list(a.config_paths)),
                    "lockfile_paths": json.dumps(list(a.lockfile_paths)),
                }
            )
            for si in ai.servers:
                s = si.server
                servers.append(
                    {
                        "scan_id": scan_id,
                        "agent_id": a.id,
                        "client": s.client,
                        "config_path": s.config_path,
                        "line": s.line,
                        "scope": s.scope.value,
                        "name": s.name,
                        "transport": s.transport.value,
                        "command": s.command,
                        "args": json.dumps(list(s.args)),
                        "env_names": json.dumps(list(s.env_names)),
                        "url": s.url,
                        "project": s.project,
                        "enabled": int(s.enabled),
                    }
                )
                components.extend(_component_row(scan_id, a.id, s.name, c) for c in si.components)
                skipped.extend(_skipped_row(scan_id, a.id, k) for k in si.skipped)
            components.extend(_component_row(scan_id, a.id, None, c) for c in ai.packages)
            skipped.extend(_skipped_row(scan_id, a.id, k) for k in ai.skipped)
        self._insert_rows("agents", agents)
        self._insert_rows("servers", servers)
        self._insert_rows("components", components)
        self._insert_rows("skipped", skipped)
        errors = [e for ai in inventory.agents for e in ai.errors] + list(inventory.errors)
        self._insert_rows("scan_errors", ({"scan_id": scan_id, "message": e} for e in errors))

    def _insert_rows(self, table: str, rows: Any) -> None:
        rows = list(rows)
        if not rows:
            return
        columns = list(rows[0])
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        )
        self.db.conn.executemany(sql, [[r[c] for c in columns] for r in rows])

    def _remember_identity(self, update: IdentityUpdate) -> None:
        now = _now()
        self.db.execute(
            "INSERT INTO publisher_identities"
            " (purl_key, identity, attested, first_seen, last_seen, first_version, last_version)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(purl_key) DO UPDATE SET identity=excluded.identity,"
            " attested=excluded.attested, last_seen=excluded.last_seen,"
            " last_version=excluded.last_version",
            [
                update.purl_key,
                json.dumps(update.identity) if update.identity else None,
                int(update.identity is not None),
                now,
                now,
                update.version,
                update.version,
            ],
        )

    def publisher_identity(self, purl_key: str) -> StoredIdentity | None:
        """The identity remembered for a package, or None when never seen."""
        row = self.db.execute(
            "SELECT purl_key, identity, attested, first_seen, last_version"
            " FROM publisher_identities WHERE purl_key = ?",
            [purl_key],
        ).fetchone()
        if row is None:
            return None
        return StoredIdentity(
            purl_key=row[0],
            identity=json.loads(row[1]) if row[1] else None,
            attested=bool(row[2]),
            first_seen=row[3],
            last_version=row[4],
        )

    def forget_identity(self, purl_key: str) -> bool:
        """Drop a remembered publisher identity; True when there was one."""
        with self.db.atomic():
            cursor = self.db.execute(
                "DELETE FROM publisher_identities WHERE purl_key = ?", [purl_key]
            )
        return cursor.rowcount > 0

    def scans(self, limit: int = 20) -> list[dict[str, Any]]:
        """The most recent scans, newest first."""
        return list(self.rows("SELECT * FROM scans ORDER BY id DESC LIMIT ?", [limit]))

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        """Rows of a read query as dicts."""
        cursor = self.db.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(names, row, strict=True))

    def record_events(self, events: Iterable[RuntimeEvent], *, at: str) -> EventsWritten:
        """Write runtime events in one transaction; a known (batch_id, seq) is not stored again."""
        with self.db.conn:  # one transaction: an import is stored whole or not at all
            return insert_events(self.db.conn, events, at)

    def runtime_events(self, *, agent: str | None = None, limit: int = 1_000) -> list[RuntimeEvent]:
        """Stored runtime events in time order (of one agent, or all)."""
        return list(select_events(self.db.conn, agent=agent, limit=limit))

    def count(self, table: str, scan_id: int | None = None) -> int:
        """Number of rows in a table (optionally of one scan)."""
        if scan_id is None:
            return int(self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        return int(
            self.db.execute(
                f"SELECT count(*) FROM {table} WHERE scan_id = ?", [scan_id]
            ).fetchone()[0]
        )


def _skipped_row(scan_id: int, agent_id: str, k: Skipped) -> dict[str, Any]:
    return {
        "scan_id": scan_id,
        "agent_id": agent_id,
        "subject": k.subject,
        "reason": k.reason,
        "source": str(k.source) if k.source else None,
    }


def _component_row(scan_id: int, agent_id: str, server: str | None, c: Component) -> dict[str, Any]:
    return {
        "scan_id": scan_id,
        "agent_id": agent_id,
        "server": server,
        "purl": c.purl,
        "purl_key": c.key,
        "ecosystem": c.ecosystem,
        "name": c.name,
        "version": c.version,
        "evidence_kind": c.evidence.kind.value,
        "evidence_source": c.evidence.source,
        "evidence_detail": c.evidence.detail,
        "requirement": c.requirement,
        "artifacts": json.dumps([asdict(a) for a in c.artifacts]),
        "source": str(c.source) if c.source else None,
        "direct": int(c.direct),
        "dev": int(c.dev),
    }


def _statements(sql: str) -> list[str]:
    code = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return [s.strip() for s in code.split(";") if s.strip()]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
