"""What the hook's background thread hands batches to: the ``Sink`` protocol and its error.

The sinks: ``hook_spool.SpoolSink`` (a local SQLite file) and ``hook_http.HttpSink`` (a
collector). A sink raises ``SinkError`` on failure; the hook keeps the batch for a retry
(``retry=True``) or drops and counts it. Nothing here runs on the agent's own threads.
"""

from __future__ import annotations

from typing import Protocol

from .hook_event import Batch


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
