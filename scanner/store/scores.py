"""What the score reads of the store as of a time, and the score history (both backends).

The SQL is kept portable (no SQLite-only functions): the PostgreSQL store runs it too.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from scanner.baseline import VerificationRecord, identity_from_dict
from scanner.errors import StoreError
from scanner.models import Finding, Severity

if TYPE_CHECKING:
    from scanner.score.facts import AgentScan
    from scanner.score.model import ScorePoint
    from scanner.store.conn import Conn

SCORES_MIGRATION = """
-- Score history (scanner/score): one row per subject each time a score was computed by a
-- scan, a check, an events import or `chainwatch score`.
CREATE TABLE score_history (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    at TEXT NOT NULL,
    value INTEGER NOT NULL,
    uncapped REAL NOT NULL,
    cause TEXT NOT NULL,
    why TEXT NOT NULL
);
CREATE INDEX score_history_subject ON score_history(kind, subject, at);
CREATE INDEX scans_finished ON scans(finished_at);
"""

# Per agent, the newest scan or rescan (an `inventory` record verifies nothing) that covered it
# and finished at or before a time: one grouped pass, no correlated subquery.
_AGENT_SCANS = """
SELECT newest.agent_id, s.id, s.finished_at, s.inputs
FROM (
    SELECT a.agent_id AS agent_id, max(s2.id) AS scan_id
    FROM agents a JOIN scans s2 ON s2.id = a.scan_id
    WHERE s2.finished_at <= ? AND s2.kind IN ('scan', 'rescan')
    GROUP BY a.agent_id
) newest JOIN scans s ON s.id = newest.scan_id
ORDER BY newest.agent_id
"""


def _audited(inputs: str) -> bool | None:
    try:
        value = json.loads(inputs).get("audited")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, bool) else None


def _finding(row: tuple[object, ...]) -> tuple[str | None, Finding]:
    agent, code, sev, subject, message, evidence = row
    return (
        None if agent is None else str(agent),
        Finding(
            str(code),
            Severity(str(sev)),
            str(subject),
            str(message),
            tuple((str(k), str(v)) for k, v in json.loads(str(evidence)).items()),
        ),
    )


class StoreScores:
    """The score methods of the store (kept out of base.py)."""

    conn: Conn
    db_error: ClassVar[type[Exception]]
    where: str

    def _write(self) -> contextlib.AbstractContextManager[Conn]:
        raise NotImplementedError  # the backend's transaction

    def agent_scans(self, as_of: str) -> list[AgentScan]:
        """Per agent, the newest scan that covered it and finished at or before ``as_of``."""
        from scanner.score.facts import AgentScan  # the score's model loads with its first use

        rows = self.conn.execute(_AGENT_SCANS, [as_of])
        return [AgentScan(str(a), int(i), str(at), _audited(str(inp))) for a, i, at, inp in rows]

    def scan_findings(self, scan_id: int) -> list[tuple[str | None, Finding]]:
        """Every finding one scan recorded, with the agent it was about."""
        sql = (
            "SELECT agent_id, code, severity, subject, message, evidence FROM findings"
            " WHERE scan_id = ? ORDER BY id"
        )
        return [_finding(row) for row in self.conn.execute(sql, [scan_id])]

    def scan_verifications(self, scan_id: int) -> list[VerificationRecord]:
        """The verification status of every component one scan checked."""
        sql = (
            "SELECT purl, status, reason, identity FROM verifications WHERE scan_id = ? ORDER BY id"
        )
        return [
            VerificationRecord(
                str(purl),
                str(status),
                str(reason),
                identity_from_dict(json.loads(str(identity))) if identity else None,
            )
            for purl, status, reason, identity in self.conn.execute(sql, [scan_id])
        ]

    def proxy_findings(self, *, since: str, until: str) -> list[tuple[str | None, Finding]]:
        """Findings the stdio proxy recorded (``proxy`` scans) in (``since``, ``until``]."""
        sql = (
            "SELECT f.agent_id, f.code, f.severity, f.subject, f.message, f.evidence"
            " FROM findings f JOIN scans s ON s.id = f.scan_id"
            " WHERE s.kind = 'proxy' AND s.finished_at > ? AND s.finished_at <= ? ORDER BY f.id"
        )
        return [_finding(row) for row in self.conn.execute(sql, [since, until])]

    def record_scores(self, points: Sequence[ScorePoint]) -> None:
        """Append points to the score history, all or none."""
        rows = [
            (p.kind, p.subject, p.at, p.value, p.uncapped or 0.0, p.cause, p.why) for p in points
        ]
        try:
            with self._write() as conn:
                conn.executemany(
                    "INSERT INTO score_history (kind, subject, at, value, uncapped, cause, why)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
        except self.db_error as exc:
            raise StoreError(f"{self.where}: could not record the score history: {exc}") from exc

    def score_history(
        self, kind: str, subject: str, since: str | None = None, until: str | None = None
    ) -> list[ScorePoint]:
        """A subject's score history between ``since`` and ``until`` (inclusive), oldest first."""
        from scanner.score.model import ScorePoint

        where, params = ["kind = ?", "subject = ?"], [kind, subject]
        # RFC 3339 UTC text sorts in time order; bounds only when given (no sentinel strings,
        # whose order depends on the database's collation).
        if since is not None:
            where.append("at >= ?")
            params.append(since)
        if until is not None:
            where.append("at <= ?")
            params.append(until)
        sql = (
            "SELECT kind, subject, at, value, cause, uncapped, why FROM score_history"
            f" WHERE {' AND '.join(where)} ORDER BY at, id"
        )
        return [
            ScorePoint(str(k), str(s), str(at), int(v), str(c), float(u), str(w))
            for k, s, at, v, c, u, w in self.conn.execute(sql, params)
        ]
