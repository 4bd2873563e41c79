"""Collector tokens and the collector's per-agent reads (recent events, findings) in the store."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from scanner.models import Finding, Severity
from scanner.store.events import _COLUMNS as _EVENT_COLUMNS

if TYPE_CHECKING:
    from scanner.collector.tokens import AgentToken
    from scanner.events.model import RuntimeEvent
    from scanner.store.conn import Conn

TOKENS_MIGRATION = """
CREATE TABLE agent_tokens (
    token_id TEXT PRIMARY KEY,
    agent TEXT NOT NULL,
    digest TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX findings_agent ON findings(agent_id);
"""

_COLUMNS = "token_id, agent, digest, created_at, revoked_at"


def _token(row: tuple[object, ...]) -> AgentToken:
    token_id, agent, digest, created_at, revoked_at = row
    from scanner.collector.tokens import AgentToken  # tokens load with the collector

    revoked = None if revoked_at is None else str(revoked_at)
    return AgentToken(str(token_id), str(agent), str(digest), str(created_at), revoked)


class StoreTokens:
    """The token and per-agent read methods of the store (kept out of base.py)."""

    conn: Conn

    def _write(self) -> contextlib.AbstractContextManager[Conn]:
        raise NotImplementedError  # the backend's transaction

    def save_token(self, token: AgentToken) -> None:
        """Store a new token record (its digest only)."""
        with self._write() as conn:
            conn.execute(
                f"INSERT INTO agent_tokens ({_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                (token.token_id, token.agent, token.digest, token.created_at, token.revoked_at),
            )

    def agent_token(self, token_id: str) -> AgentToken | None:
        """The token record with this id, or None."""
        sql = f"SELECT {_COLUMNS} FROM agent_tokens WHERE token_id = ?"
        row = self.conn.execute(sql, (token_id,)).fetchone()
        return None if row is None else _token(row)

    def agent_tokens(self) -> list[AgentToken]:
        """Every token record, oldest first."""
        sql = f"SELECT {_COLUMNS} FROM agent_tokens ORDER BY created_at, token_id"
        return [_token(row) for row in self.conn.execute(sql)]

    def revoke_token(self, token_id: str, *, at: str) -> bool:
        """Revoke a token; False when no live token has this id."""
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE agent_tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL",
                (at, token_id),
            )
            return cur.rowcount == 1

    def agent_findings(self, agent: str, *, limit: int = 100) -> list[Finding]:
        """The most recent findings recorded for an agent, newest first."""
        sql = (
            "SELECT code, severity, subject, message, evidence FROM findings "
            "WHERE agent_id = ? ORDER BY id DESC LIMIT ?"
        )
        return [
            Finding(
                str(code),
                Severity(str(sev)),
                str(subject),
                str(message),
                tuple(sorted(json.loads(str(evidence)).items())),
            )
            for code, sev, subject, message, evidence in self.conn.execute(sql, (agent, limit))
        ]

    def recent_events(self, agent: str, *, limit: int = 100) -> list[RuntimeEvent]:
        """An agent's most recent runtime events, newest first."""
        from scanner.store._eventrows import _event

        sql = (
            f"SELECT {_EVENT_COLUMNS} FROM runtime_events WHERE agent = ? "
            "ORDER BY time DESC, batch_id DESC, seq DESC LIMIT ?"
        )
        return [_event(row) for row in self.conn.execute(sql, (agent, limit))]

    def batch_agents(self, batch_ids: Sequence[str]) -> set[str]:
        """The agents whose stored events carry any of these batch ids."""
        found: set[str] = set()
        for i in range(0, len(batch_ids), 500):  # SQLite's bound-parameter limit
            chunk = list(batch_ids[i : i + 500])
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT DISTINCT agent FROM runtime_events WHERE batch_id IN ({marks})"
            found.update(str(row[0]) for row in self.conn.execute(sql, chunk))
        return found
