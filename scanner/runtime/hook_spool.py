"""The hook's local spool: batches in a SQLite file (standard library ``sqlite3``).

``chainwatch events import`` reads a spool like a JSON Lines file. A batch id is stored once
however often it is sent.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from .hook_event import Batch
from .hook_sink import SinkError

_SPOOL_SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    batch_id TEXT PRIMARY KEY,
    dropped_total INTEGER NOT NULL,
    events TEXT NOT NULL
)
"""


class SpoolSink:
    """Batches into a local SQLite file; a batch id is stored once however often it is sent."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            # Only the hook's background thread writes; the final flush may run on the main
            # thread at exit, after that thread has stopped, hence check_same_thread=False.
            db = sqlite3.connect(self.path, timeout=5.0, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SPOOL_SCHEMA)
            self._db = db
        return self._db

    def send(self, batch: Batch) -> None:
        """Append the batch to the spool (a repeated batch id is ignored)."""
        try:
            db = self._connect()
            with db:
                db.execute(
                    "INSERT OR IGNORE INTO batches (batch_id, dropped_total, events)"
                    " VALUES (?, ?, ?)",
                    (batch.batch_id, batch.dropped_total, "\n".join(batch.lines)),
                )
        except (sqlite3.Error, OSError) as exc:
            raise SinkError(f"spool {self.path}: {exc}", retry=True) from exc

    def close(self) -> None:
        """Close the spool file."""
        if self._db is not None:
            self._db.close()
            self._db = None


class SpoolError(ValueError):
    """A file is not a readable hook spool."""


def spool_lines(path: Path) -> Iterator[str]:
    """Every event line a spool holds, batch by batch (the input of ``events import``)."""
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise SpoolError(str(exc)) from None
    try:
        for (events,) in db.execute("SELECT events FROM batches ORDER BY rowid"):
            yield from str(events).split("\n")
    except sqlite3.Error as exc:
        raise SpoolError(str(exc)) from None
    finally:
        db.close()
