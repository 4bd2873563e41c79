"""The continuous alarm: a Bernoulli CUSUM on each agent's risky rate per call.

Per agent: the baseline rate p0 is the decayed rate before the monitored period (the last
``monitor_days``); the CUSUM is tuned to p1 = ``cusum_ratio`` x p0 and alarms when its
log-likelihood sum reaches ``cusum_h``. The change point is the hour after the sum last stood at
zero before the alarm. Every agent runs in one vector, hour by hour. An alarm is only a
candidate: ``analyse.py`` tests it before/after its change point like a change event, against
the fleet, in the same Benjamini-Hochberg pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from scipy import stats

from scanner.behavior.series import RISKY, FleetSeries
from scanner.behavior.settings import Settings


@dataclass(frozen=True, slots=True)
class Alarm:
    """A CUSUM crossing of one agent: where the change began and when the alarm rang."""

    agent: int
    change_point: int  # hour index
    alarm_at: int  # hour index
    baseline: float  # p0


def cusum_alarms(series: FleetSeries, as_of: datetime, settings: Settings) -> list[Alarm]:
    """The first CUSUM alarm of each agent within its monitored period, if any."""
    end = series.hour_of(as_of) + 1
    agents = len(series.agents)
    total = series.calls[:, :, :end].sum(axis=1).astype(np.float64)  # [agent, hour]
    risky = series.calls[:, list(RISKY), :end].sum(axis=1).astype(np.float64)
    # Each agent's monitored period starts after a baseline of at least min_days of its own.
    first = np.where(total.any(axis=1), (total > 0).argmax(axis=1), end)
    start = np.maximum(end - int(settings.monitor_days * 24), first + int(settings.min_days * 24))
    n0 = np.zeros(agents)
    x0 = np.zeros(agents)
    raw_n0 = np.zeros(agents)
    for a in np.flatnonzero(start < end):
        weights = 0.5 ** (np.arange(start[a])[::-1] / (24 * settings.half_life_days))
        n0[a], x0[a] = total[a, : start[a]] @ weights, risky[a, : start[a]] @ weights
        raw_n0[a] = total[a, : start[a]].sum()
    # p0 is the upper 90% bound of the baseline rate, not its estimate: a baseline that came
    # out low by chance would otherwise make ordinary hours look like a shift.
    usable = (start < end) & (raw_n0 >= settings.min_calls)
    p0 = np.where(usable, stats.beta.ppf(0.9, x0 + 1, np.maximum(n0 - x0, 0) + 1), 0.1)
    usable &= p0 < 1 / settings.cusum_ratio
    p0 = np.where(usable, p0, 0.1)
    p1 = settings.cusum_ratio * p0
    up = np.log(p1 / p0)
    down = np.log((1 - p1) / (1 - p0))
    s = np.zeros(agents)
    last_zero = start.copy()
    alarmed = np.full(agents, -1)
    change_point = np.full(agents, -1)
    for h in range(int(start.min(initial=end)), end):
        live = usable & (h >= start)
        x, n = risky[:, h], total[:, h]
        s = np.where(live, np.maximum(0.0, s + x * up + (n - x) * down), 0.0)
        last_zero = np.where(live & (s == 0), h + 1, last_zero)
        fire = live & (alarmed < 0) & (s >= settings.cusum_h)
        alarmed = np.where(fire, h, alarmed)
        change_point = np.where(fire, last_zero, change_point)
    return [
        Alarm(int(i), int(change_point[i]), int(alarmed[i]), float(p0[i]))
        for i in np.flatnonzero(alarmed >= 0)
    ]
