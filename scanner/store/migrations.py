"""Versioned schema migrations. Append only: a released migration is never edited.

One history for both backends: each migration is written in SQLite's SQL and translated for
PostgreSQL (``dialect.py``: identity columns, BIGINT, byte-order text). Where PostgreSQL needs a
different form (a partitioned table, a statement SQLite alone has), ``POSTGRES_MIGRATIONS``
holds it under the same version. Versions are applied by set, so numbers taken on parallel
branches may land out of order.
"""

from __future__ import annotations

from scanner.store._queue import QUEUE_MIGRATION
from scanner.store.dialect import Dialect
from scanner.store.events import EVENTS_MIGRATION
from scanner.store.pg_events import PG_EVENTS_MIGRATION
from scanner.store.scores import SCORES_MIGRATION
from scanner.store.tokens import TOKENS_MIGRATION

MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
        CREATE TABLE scans (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            chainwatch_version TEXT NOT NULL,
            inputs TEXT NOT NULL,
            summary TEXT NOT NULL
        );
        CREATE TABLE agents (
            scan_id INTEGER NOT NULL REFERENCES scans(id),
            agent_id TEXT NOT NULL,
            name TEXT NOT NULL,
            origin TEXT NOT NULL,
            purpose TEXT,
            pact TEXT NOT NULL,
            config_paths TEXT NOT NULL,
            lockfile_paths TEXT NOT NULL,
            PRIMARY KEY (scan_id, agent_id)
        );
        CREATE TABLE servers (
            id INTEGER PRIMARY KEY,
            scan_id INTEGER NOT NULL REFERENCES scans(id),
            agent_id TEXT NOT NULL,
            client TEXT NOT NULL,
            config_path TEXT NOT NULL,
            line INTEGER,
            scope TEXT NOT NULL,
            name TEXT NOT NULL,
            transport TEXT NOT NULL,
            command TEXT,
            args TEXT NOT NULL,
            env_names TEXT NOT NULL,
            url TEXT,
            project TEXT,
            enabled INTEGER NOT NULL
        );
        CREATE TABLE components (
            id INTEGER PRIMARY KEY,
            scan_id INTEGER NOT NULL REFERENCES scans(id),
            agent_id TEXT NOT NULL,
            server TEXT,
            purl TEXT NOT NULL,
            purl_key TEXT NOT NULL,
            ecosystem TEXT NOT NULL,
            name TEXT NOT NULL,
            version TEXT,
            evidence_kind TEXT NOT NULL,
            evidence_source TEXT,
            evidence_detail TEXT NOT NULL,
            requirement TEXT,
            artifacts TEXT NOT NULL,
            source TEXT,
            direct INTEGER NOT NULL,
            dev INTEGER NOT NULL
        );
        CREATE INDEX components_scan ON components(scan_id, agent_id);
        CREATE INDEX components_key ON components(purl_key);
        CREATE TABLE skipped (
            id INTEGER PRIMARY KEY,
            scan_id INTEGER NOT NULL REFERENCES scans(id),
            agent_id TEXT,
            subject TEXT NOT NULL,
            reason TEXT NOT NULL,
            source TEXT
        );
        CREATE TABLE findings (
            id INTEGER PRIMARY KEY,
            scan_id INTEGER NOT NULL REFERENCES scans(id),
            agent_id TEXT,
            code TEXT NOT NULL,
            severity TEXT NOT NULL,
            subject TEXT NOT NULL,
            message TEXT NOT NULL,
            evidence TEXT NOT NULL
        );
        CREATE INDEX findings_scan ON findings(scan_id);
        CREATE TABLE scan_errors (
            id INTEGER PRIMARY KEY,
            scan_id INTEGER NOT NULL REFERENCES scans(id),
            message TEXT NOT NULL
        );
        """,
    ),
    (
        2,
        """
        CREATE TABLE verifications (
            id INTEGER PRIMARY KEY,
            scan_id INTEGER NOT NULL REFERENCES scans(id),
            purl TEXT NOT NULL,
            status TEXT NOT NULL,
            reason TEXT NOT NULL,
            identity TEXT
        );
        CREATE INDEX verifications_scan ON verifications(scan_id, purl);
        -- Trust on first use: the publisher identity last seen per package (purl without version).
        CREATE TABLE publisher_identities (
            purl_key TEXT PRIMARY KEY,
            identity TEXT,
            attested INTEGER NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            first_version TEXT,
            last_version TEXT
        );
        """,
    ),
    (
        3,
        """
        -- `trust pin`: an identity set by the user; scans never replace it.
        ALTER TABLE publisher_identities ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
        -- Who was trusted when: every change of a remembered identity, with the scan (or the
        -- trust command, scan_id NULL) that made it.
        CREATE TABLE identity_history (
            id INTEGER PRIMARY KEY,
            purl_key TEXT NOT NULL,
            action TEXT NOT NULL,
            identity TEXT,
            version TEXT,
            at TEXT NOT NULL,
            scan_id INTEGER REFERENCES scans(id)
        );
        CREATE INDEX identity_history_key ON identity_history(purl_key, id);
        """,
    ),
    (
        4,
        """
        -- Tool-surface pins (scanner/tools): one row per pinned component version, one per
        -- tool, keyed by package URL without version + version, never by a server's name.
        CREATE TABLE tool_surfaces (
            component TEXT NOT NULL,
            version TEXT NOT NULL,
            pinned_at TEXT NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY (component, version)
        );
        CREATE TABLE tool_pins (
            component TEXT NOT NULL,
            version TEXT NOT NULL,
            name TEXT NOT NULL,
            position INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            nfc_sha256 TEXT NOT NULL,
            description_sha256 TEXT NOT NULL,
            input_schema_sha256 TEXT NOT NULL,
            annotations_sha256 TEXT NOT NULL,
            other_sha256 TEXT NOT NULL,
            hints TEXT NOT NULL,
            action TEXT NOT NULL,
            canonical TEXT NOT NULL,
            PRIMARY KEY (component, version, name),
            FOREIGN KEY (component, version) REFERENCES tool_surfaces (component, version)
                ON DELETE CASCADE
        );
        """,
    ),
    # Runtime events from the hook (scanner/store/events.py), keyed by (batch_id, seq).
    (5, EVENTS_MIGRATION),
    (
        6,
        """
        -- `baseline accept`: the accepted state per agent is the scan it was accepted from.
        CREATE TABLE baselines (
            agent_id TEXT PRIMARY KEY,
            scan_id INTEGER NOT NULL REFERENCES scans(id),
            accepted_at TEXT NOT NULL
        );
        -- Every change a scan or rescan noticed, per agent and package (the behaviour work
        -- consumes them; runtime sources add their own causes later).
        CREATE TABLE change_events (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            agent_id TEXT NOT NULL,
            component_key TEXT NOT NULL,
            kind TEXT NOT NULL,
            before TEXT,
            after TEXT,
            cause TEXT NOT NULL,
            scan_id INTEGER REFERENCES scans(id),
            severity TEXT NOT NULL,
            location TEXT,
            message TEXT NOT NULL
        );
        CREATE INDEX change_events_agent ON change_events(agent_id, id);
        """,
    ),
    # Collector tokens (digests only) and per-agent finding reads (scanner/store/tokens.py).
    (7, TOKENS_MIGRATION),
    # Score history and the as-of reads of the score (scanner/store/scores.py).
    (8, SCORES_MIGRATION),
    (
        9,
        """
        -- The manifest's [agent.limits]: action class -> most calls per hour (a JSON object).
        ALTER TABLE agents ADD COLUMN limits TEXT NOT NULL DEFAULT '{}';
        """,
    ),
    (
        11,
        """
        -- The order of agents in a scan, kept in a column (PostgreSQL has no rowid).
        ALTER TABLE agents ADD COLUMN position INTEGER;
        UPDATE agents SET position = rowid;
        """,
    ),
    # The queue of rescans shared among workers (scanner/store/_queue.py).
    (12, QUEUE_MIGRATION),
)

# PostgreSQL's form of the migrations whose SQLite form does not translate.
POSTGRES_MIGRATIONS: dict[int, str] = {
    # Runtime events partitioned by month of their time (retention drops whole partitions).
    5: PG_EVENTS_MIGRATION,
    # A PostgreSQL store is created at this version: there are no rows to number.
    11: "ALTER TABLE agents ADD COLUMN position INTEGER",
}


def migration_sql(version: int, sql: str, dialect: Dialect) -> str:
    """The SQL of one migration in ``dialect`` (before the dialect's type translation)."""
    if dialect is Dialect.POSTGRES:
        return POSTGRES_MIGRATIONS.get(version, sql)
    return sql
