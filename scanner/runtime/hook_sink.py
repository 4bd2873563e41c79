"""Where the hook's background thread puts batches: a local SQLite spool or a collector (HTTP).

Standard library only (``sqlite3``, ``urllib``): the hook must load inside any agent. A sink
raises ``SinkError`` on failure; the hook keeps the batch for a retry (``retry=True``) or drops
and counts it. Nothing here runs on the agent's own threads.
"""

from __future__ import annotations

import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from .hook_event import Batch

_SPOOL_SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    batch_id TEXT PRIMARY KEY,
    dropped_total INTEGER NOT NULL,
    events TEXT NOT NULL
)
"""


class SinkError(Exception):
    """A batch could not be delivered. (The hook cannot import scanner.errors: stdlib only.)"""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


class Sink(Protocol):
    """Receives whole batches on the hook's background thread."""

    def send(self, batch: Batch) -> None:
        """Deliver one batch or raise ``SinkError``."""

    def close(self) -> None:
        """Release files and connections."""


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


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an error: followed, it would carry the token to wherever it points."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        """Refuse every redirect (urllib then raises HTTPError with the 3xx code)."""
        return None


class HttpSink:
    """POSTs each batch as JSON to a collector URL; 5xx, 408, 429 and network errors retry."""

    def __init__(self, url: str, *, token: str | None = None, timeout: float = 2.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError("the collector URL must be http:// or https://")
        self.url = url
        self._token = token
        self.timeout = timeout
        # Proxy variables are ignored on purpose: the collector is the user's own service and a
        # proxy in between would see every event.
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), _RefuseRedirects()
        )

    def send(self, batch: Batch) -> None:
        """POST the batch; the batch id goes along as the idempotency key."""
        headers = {"Content-Type": "application/json", "Idempotency-Key": batch.batch_id}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        request = urllib.request.Request(self.url, data=batch.body(), headers=headers)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            # The URL may carry a secret in its query: the message names only the status.
            retry = exc.code >= 500 or exc.code in {408, 429}
            raise SinkError(f"collector answered HTTP {exc.code}", retry=retry) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SinkError(f"collector unreachable: {type(reason).__name__}", retry=True) from None

    def close(self) -> None:
        """Nothing to release: each batch opens its own connection."""
