"""Score and report requests, analysed away from the event loop, one at a time.

A score or a report analyses the whole fleet's behaviour (peers judge a shift): seconds on a
store of a million events. Run on the event loop, that would stall every agent's ingest for as
long. So they run here: on one thread of their own, over a store connection of their own (an
SQLite reader beside the serving connection in WAL mode, or a PostgreSQL pool), one request
after another: many score requests queue here instead of taking every core from ingest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from scanner.store import Store, StoreTarget, open_store

T = TypeVar("T")


class Analyst:
    """Runs store reads that take long on one worker thread with its own store."""

    def __init__(self, db: StoreTarget | None) -> None:
        self._db = db
        self._store: Store | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chainwatch-analyst")

    async def run(self, work: Callable[[Store], T]) -> T:
        """``work(store)`` on the analyst's thread; the event loop serves others meanwhile."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._call, work)

    def close(self) -> None:
        """Wait for the work in hand, then close the store (on its own thread)."""
        self._pool.submit(self._close).result()
        self._pool.shutdown(wait=True)

    def _call(self, work: Callable[[Store], T]) -> T:
        if self._store is None:
            # The serving connection migrated the store when the collector started.
            self._store = open_store(self._db, migrate=False)
        return work(self._store)

    def _close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


__all__ = ["Analyst"]
