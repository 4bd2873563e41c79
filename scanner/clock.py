"""The clock every time-dependent step takes, in a module light enough for CLI start-up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real clock (UTC), the default of every clock parameter."""
    return datetime.now(UTC)
