"""Fingerprints: what each agent does, from decayed hourly counts, behind a maturity gate."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import numpy as np

from scanner.behavior.counts import BehaviorCounts
from scanner.behavior.model import Fingerprint, Maturity
from scanner.behavior.series import CLASSES, RISKY, FleetSeries, parse_time, rfc3339
from scanner.behavior.settings import Settings


def fingerprints(
    series: FleetSeries, counts: BehaviorCounts, as_of: datetime, settings: Settings
) -> dict[str, Fingerprint]:
    """One fingerprint per agent of ``series``; weights halve every ``half_life_days``."""
    end = series.hour_of(as_of) + 1  # hours [0, end) are in the window
    ages = (end - 1 - np.arange(series.hours)).clip(min=0)
    weights = np.where(
        np.arange(series.hours) < end, 0.5 ** (ages / (24 * settings.half_life_days)), 0.0
    )
    weighted = series.calls @ weights  # [agent, class]
    weighted_errors = series.errors @ weights
    weighted_external = series.external @ weights
    per_hour = series.calls[:, :, :end].sum(axis=1)  # [agent, hour]
    recent = as_of - timedelta(days=settings.recent_days)
    tools: dict[str, list[tuple[str, int, str]]] = {}
    for t in counts.tools:
        tools.setdefault(t.agent, []).append((t.tool, t.calls, t.first_at))
    servers: dict[str, dict[str, str]] = {}
    for s in counts.servers:
        seen = servers.setdefault(s.agent, {})
        seen[s.server] = min(seen.get(s.server, s.first_at), s.first_at)
    out: dict[str, Fingerprint] = {}
    for i, agent in enumerate(series.agents):
        active = np.flatnonzero(per_hour[i])
        calls = int(per_hour[i].sum())
        first, last = (int(active[0]), int(active[-1])) if active.size else (end - 1, end - 1)
        days = (last - first + 1) / 24 if active.size else 0.0
        total = float(weighted[i].sum())
        span_weight = float(weights[first:end].sum()) or 1.0
        mature = calls >= settings.min_calls and days >= settings.min_days
        reason = (
            f"{calls} calls over {days:.1f} days; needs {settings.min_calls} calls "
            f"over {settings.min_days:g} days"
        )
        agent_tools = tools.get(agent, [])
        hours_span = max(1.0, float(end - first))
        history_start = series.time_of(first)
        out[agent] = Fingerprint(
            agent=agent,
            start=rfc3339(series.time_of(first)),
            end=rfc3339(as_of),
            calls=calls,
            days=round(days, 3),
            maturity=Maturity.MATURE if mature else Maturity.NOT_ENOUGH_DATA,
            maturity_reason=reason,
            mix=tuple(
                (c, float(weighted[i, k]) / total if total else 0.0)
                for k, c in sorted(enumerate(CLASSES), key=lambda kc: kc[1])
                if weighted[i, k] > 0
            ),
            tool_rates=tuple((name, n / hours_span) for name, n, _ in sorted(agent_tools) if n > 0),
            risky_per_call=float(weighted[i, list(RISKY)].sum()) / total if total else 0.0,
            risky_per_hour=float(weighted[i, list(RISKY)].sum()) / span_weight,
            error_rate=float(weighted_errors[i]) / total if total else 0.0,
            external_follow_share=float(weighted_external[i]) / total if total else 0.0,
            first_seen_tools=_new(
                ((name, first_at) for name, _, first_at in agent_tools), recent, history_start
            ),
            first_seen_hosts=_new(servers.get(agent, {}).items(), recent, history_start),
        )
    return out


def _new(
    seen: Iterable[tuple[str, str]], recent: datetime, history_start: datetime
) -> tuple[tuple[str, str], ...]:
    """Names first seen after ``recent`` (and not at the start of the agent's history)."""
    return tuple(
        sorted(
            (name, at)
            for name, at in seen
            if parse_time(at) >= recent and parse_time(at) > history_start + timedelta(days=1)
        )
    )
