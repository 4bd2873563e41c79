"""A fixed clock (and no retry waits) for CLI tests, passed through click's ``obj``."""

from __future__ import annotations

from scanner.demo import recorded_at


async def no_wait(seconds: float) -> None:
    """Retries back off without waiting."""


def fixed_obj() -> dict[str, object]:
    """The CLI's context object with the fixtures' recording time as the clock."""
    moment = recorded_at()
    return {"clock": lambda: moment, "sleep": no_wait}
