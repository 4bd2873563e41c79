"""Pact checks: calls of a class the agent's pact does not allow, or above its hourly limit.

The pact comes from the newest stored scan that covered the agent (its manifest's ``pact`` and
``[agent.limits]``, recorded with the scan), or from a manifest given directly, which wins. An
agent without a pact is not checked, and its behaviour says so (``pact_source`` empty).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np

from scanner.behavior.counts import Pact
from scanner.behavior.model import PactViolation
from scanner.behavior.series import CLASSES, FleetSeries, rfc3339
from scanner.inventory.manifest import load_manifest


def pact_violations(
    series: FleetSeries, agent: int, pact: Pact | None, since: datetime, as_of: datetime
) -> tuple[PactViolation, ...]:
    """Violations of ``pact`` by one agent's calls in [since, as_of]."""
    if pact is None or not pact.classes:
        return ()
    name = series.agents[agent]
    start = max(0, series.hour_of(since))
    end = series.hour_of(as_of) + 1
    calls = series.calls[agent, :, start:end]
    limits = dict(pact.limits)
    out: list[PactViolation] = []
    for k, cls in enumerate(CLASSES):
        hourly = calls[k]
        if cls not in pact.classes:
            hours = np.flatnonzero(hourly)
            if hours.size:
                n = int(hourly.sum())
                out.append(PactViolation(
                    name, cls, n, _at(series, start + hours[0]), _at(series, start + hours[-1] + 1),
                    None, None,
                    f"{n} {cls} call(s); the pact ({pact.source}) allows "
                    f"{', '.join(pact.classes)}",
                ))  # fmt: skip
        elif cls in limits:
            over = np.flatnonzero(hourly > limits[cls])
            if over.size:
                n = int(hourly[over].sum())
                peak = float(hourly[over].max())
                out.append(PactViolation(
                    name, cls, n, _at(series, start + over[0]), _at(series, start + over[-1] + 1),
                    limits[cls], peak,
                    f"{cls} calls above the limit of {limits[cls]:g} per hour in {over.size} "
                    f"hour(s), at most {peak:g} ({pact.source})",
                ))  # fmt: skip
    return tuple(out)


def manifest_pacts(path: Path) -> dict[str, Pact]:
    """The pact and limits of every agent a ``chainwatch.toml`` declares (ConfigError if bad)."""
    return {
        m.agent.id: Pact(m.agent.id, m.agent.pact, m.agent.limits, f"manifest {path}")
        for m in load_manifest(path)
    }


def _at(series: FleetSeries, hour: int | np.integer) -> str:
    return rfc3339(series.time_of(int(hour)))
