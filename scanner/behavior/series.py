"""Counts as arrays: calls[agent, class, hour] over the analysis window, and cumulative sums
so that any window of any agent (or group of agents) is two subtractions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from scanner.behavior.counts import RISKY_CLASSES, HourlyCalls

CLASSES = ("read", "write", "write_destructive", "network", "exec", "unknown")
CLASS_INDEX = {c: i for i, c in enumerate(CLASSES)}
RISKY = tuple(CLASS_INDEX[c] for c in RISKY_CLASSES)
Ints = NDArray[np.int64]


def hour_floor(when: datetime) -> datetime:
    """The start of the UTC hour ``when`` falls in."""
    return when.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def parse_time(text: str) -> datetime:
    """An RFC 3339 time from the store as an aware UTC datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def rfc3339(when: datetime) -> str:
    """The store's time format (microseconds, Z)."""
    return when.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class FleetSeries:
    """Hourly call counts of every agent; hour 0 starts at ``start``."""

    agents: tuple[str, ...]
    start: datetime
    calls: Ints  # [agent, class, hour]
    errors: Ints  # [agent, hour]
    external: Ints  # [agent, hour]

    @property
    def hours(self) -> int:
        """Number of hours covered."""
        return int(self.calls.shape[2])

    def hour_of(self, when: datetime) -> int:
        """Index of the hour ``when`` falls in (may be outside 0..hours-1)."""
        return int((hour_floor(when) - self.start) // timedelta(hours=1))

    def time_of(self, hour: int) -> datetime:
        """Start of hour ``hour``."""
        return self.start + timedelta(hours=hour)

    def cumulative(self) -> Ints:
        """calls summed along hours with a leading zero: [agent, class, hour + 1]."""
        out = np.zeros((*self.calls.shape[:2], self.hours + 1), dtype=np.int64)
        np.cumsum(self.calls, axis=2, out=out[:, :, 1:])
        return out


def fleet_series(
    calls: HourlyCalls, agents: tuple[str, ...], start: datetime, end: datetime
) -> FleetSeries:
    """The arrays of ``calls`` for ``agents`` from hour ``start`` to the hour holding ``end``."""
    start = hour_floor(start)
    hours = max(1, int((hour_floor(end) - start) // timedelta(hours=1)) + 1)
    shape = (len(agents), len(CLASSES), hours)
    out = np.zeros(shape, dtype=np.int64)
    errors = np.zeros((len(agents), hours), dtype=np.int64)
    external = np.zeros((len(agents), hours), dtype=np.int64)
    if len(calls):
        agent_index = {a: i for i, a in enumerate(agents)}
        hour_index = {h: _hour_index(h, start) for h in set(calls.hour)}
        unknown = CLASS_INDEX["unknown"]
        # List comprehensions over the columns: the fastest plain-Python mapping of strings.
        ai = np.array([agent_index.get(a, -1) for a in calls.agent], dtype=np.int64)
        hi = np.array([hour_index[h] for h in calls.hour], dtype=np.int64)
        ci = np.array([CLASS_INDEX.get(c, unknown) for c in calls.action_class], dtype=np.int64)
        keep = (ai >= 0) & (hi >= 0) & (hi < hours)
        ai, hi, ci = ai[keep], hi[keep], ci[keep]
        np.add.at(out, (ai, ci, hi), np.asarray(calls.calls, dtype=np.int64)[keep])
        np.add.at(errors, (ai, hi), np.asarray(calls.errors, dtype=np.int64)[keep])
        np.add.at(external, (ai, hi), np.asarray(calls.external, dtype=np.int64)[keep])
    return FleetSeries(agents, start, out, errors, external)


def _hour_index(hour: str, start: datetime) -> int:
    when = datetime.fromisoformat(hour + ":00:00+00:00")
    return int((when - start) // timedelta(hours=1))
