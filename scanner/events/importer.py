"""``chainwatch events import``: load an events file into the store, skipping bad lines."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

from scanner.errors import StoreConflict
from scanner.events.model import BadLine, EventsWritten, ImportResult, RuntimeEvent
from scanner.events.parse import read_events


class EventStore(Protocol):
    """The part of the store an import needs."""

    def record_events(self, events: Iterable[RuntimeEvent], *, at: str) -> EventsWritten:
        """Write events in one transaction; a known (batch_id, seq) is counted, not stored."""
        ...


ATTEMPTS = 3  # an import that lost a deadlock to a concurrent write is read and made again


def import_events(store: EventStore, path: Path, *, at: str) -> ImportResult:
    """Validate every line of ``path`` and store the good ones in one transaction.

    The file is streamed, never held whole; a write that lost to a concurrent one
    (StoreConflict: rolled back whole) reads the file again and is made again.
    """
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _import_once(store, path, at=at)
        except StoreConflict:
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")


def _import_once(store: EventStore, path: Path, *, at: str) -> ImportResult:
    bad: list[BadLine] = []
    read = 0

    def good() -> Iterator[RuntimeEvent]:
        nonlocal read
        for item in read_events(path):
            if isinstance(item, BadLine):
                bad.append(item)
            else:
                read += 1
                yield item

    written = store.record_events(good(), at=at)
    return ImportResult(str(path), read, written.stored, written.duplicates, tuple(bad))
