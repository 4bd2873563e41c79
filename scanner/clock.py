"""The clock every time-dependent step takes, in a module light enough for CLI start-up."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]  # how to wait between retries (tests: not at all)


def utc_now() -> datetime:
    """The real clock (UTC), the default of every clock parameter."""
    return datetime.now(UTC)


async def real_sleep(seconds: float) -> None:
    """``asyncio.sleep``, the default wait between retries; asyncio loads when it first runs."""
    import asyncio  # ~20 ms to import: a warm check never waits, so it never pays

    await asyncio.sleep(seconds)
