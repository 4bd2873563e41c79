"""What the rescan queue (``_queue.py``) hands out: runs, progress, claimed and finished items.

Apart from the queue's SQL so that opening a store does not build them: only ``rescan --worker``
and ``rescan --status`` use them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RescanRun:
    """One shared rescan: the scan it checks again and where it stands."""

    id: int
    source_scan_id: int
    created_at: str
    state: str  # running | finishing | done
    total: int
    max_attempts: int
    scan_id: int | None  # the recorded rescan, once done
    finished_at: str | None


@dataclass(frozen=True, slots=True)
class RunProgress:
    """How far a run is: items per state, and who is working on it."""

    run: RescanRun
    queued: int
    leased: int
    done: int
    failed: int
    retried: int  # items taken more than once (a worker died or gave them back)
    workers: tuple[str, ...]  # owners of current leases

    @property
    def finished_items(self) -> int:
        """Items that will not be checked again (done or given up)."""
        return self.done + self.failed


@dataclass(frozen=True, slots=True)
class Claimed:
    """An item a worker now holds (until ``expires``)."""

    position: int
    purl: str
    attempts: int


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """A finished item as the finisher reads it."""

    position: int
    purl: str
    state: str  # done | failed
    attempts: int
    result: str | None  # the worker's verdict (JSON), when done
    error: str | None  # why it was given up (or last handed back)


__all__ = ["Claimed", "ItemOutcome", "RescanRun", "RunProgress"]
