"""Behaviour analysis of a fleet as of a time: fingerprints, attributions, alarms, pact checks.

``analyse`` is the pure core (values in, values out: tests and the simulator call it directly);
``fleet_behavior`` reads its inputs from a store. Steps:
1. Counts of the last ``lookback_days`` as arrays (``series.py``); fingerprints with decayed
   weights and the maturity gate (``fingerprint.py``).
2. Changes: stored change events plus those seen in runtime events (``changes.py``).
3. Tests at every change (``attribute.py``) and at every CUSUM alarm (``alarm.py``), all in one
   Benjamini-Hochberg pool (``tests.py``); verdicts and words (``verdict.py``).
4. Pact violations (``pact.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np

from scanner.behavior.alarm import Alarm, cusum_alarms
from scanner.behavior.attribute import ChangeTest, plan_tests
from scanner.behavior.changes import component_name, merge_changes, runtime_changes, stored_changes
from scanner.behavior.counts import BehaviorCounts, Pact
from scanner.behavior.fingerprint import fingerprints
from scanner.behavior.model import (
    AgentBehavior,
    Attribution,
    ChangeRef,
    FleetBehavior,
    Maturity,
    Shift,
)
from scanner.behavior.pact import pact_violations
from scanner.behavior.series import FleetSeries, fleet_series, parse_time, rfc3339
from scanner.behavior.settings import DEFAULT, Settings
from scanner.behavior.tests import Results, class_history, run_tests
from scanner.behavior.verdict import attribution, not_enough, shifts_of
from scanner.behavior.windows import Windows, window_counts
from scanner.store.interface import Store

_TIE_HOURS = 24  # an alarm this close to one of the agent's changes is that change's business


def analyse(
    counts: BehaviorCounts,
    changes: Sequence[ChangeRef],
    pacts: Mapping[str, Pact],
    *,
    as_of: datetime,
    agents: Sequence[str] | None = None,
    settings: Settings = DEFAULT,
) -> FleetBehavior:
    """Behaviour of every agent in ``counts`` (or of ``agents``) as of ``as_of``."""
    names = tuple(sorted(set(agents) if agents is not None else _agents_of(counts)))
    since = parse_time(counts.since)
    series = fleet_series(counts.calls, names, since, as_of)
    cum = series.cumulative()
    prints = fingerprints(series, counts, as_of, settings)
    mature = {a for a, f in prints.items() if f.maturity is Maturity.MATURE}
    every = merge_changes(changes, runtime_changes(counts.servers, counts.tools_changed))
    every = [c for c in every if c.agent in prints and since <= parse_time(c.at) < as_of]
    windows = Windows()
    plans = plan_tests(series, cum, [c for c in every if c.agent in mature], _uses(counts, every),
                       as_of, settings, windows)  # fmt: skip
    mix_rows = {p.test for p in plans if p.test is not None}
    alarms = [a for a in cusum_alarms(series, as_of, settings) if series.agents[a.agent] in mature]
    alarm_tests = _plan_alarms(series, cum, alarms, as_of, settings, windows)
    counts_ = window_counts(series, cum, windows)
    starts = np.asarray([b[0] for b in windows.before], dtype=np.int64)
    history = class_history(cum, np.asarray(windows.agent, dtype=np.int64), starts)
    results = run_tests(counts_, history, mix_rows)
    by_agent: dict[str, list[Attribution]] = {}
    for plan in plans:
        by_agent.setdefault(plan.change.agent, []).append(_verdict(plan, results, settings))
    for c in every:
        if c.agent not in mature:
            reason = f"the agent is not mature yet ({prints[c.agent].maturity_reason})"
            by_agent.setdefault(c.agent, []).append(not_enough(c, 0, 0, settings, reason))
    alarm_shifts = _alarm_shifts(series, alarms, alarm_tests, results, every, settings)
    since_pact = max(since, as_of - timedelta(days=settings.monitor_days))
    out = []
    for i, agent in enumerate(names):
        pact = pacts.get(agent)
        out.append(AgentBehavior(
            agent=agent,
            as_of=rfc3339(as_of),
            fingerprint=prints[agent],
            attributions=tuple(sorted(by_agent.get(agent, []), key=lambda a: a.change.at)),
            alarms=tuple(alarm_shifts.get(agent, ())),
            pact_violations=pact_violations(series, i, pact, since_pact, as_of),
            pact_source=pact.source if pact is not None and pact.classes else "",
        ))  # fmt: skip
    return FleetBehavior(rfc3339(as_of), tuple(out))


def fleet_behavior(
    store: Store,
    *,
    as_of: datetime,
    agents: Sequence[str] | None = None,
    pacts: Mapping[str, Pact] | None = None,
    settings: Settings = DEFAULT,
) -> FleetBehavior:
    """Behaviour analysis from a store: counts in SQL, stored changes, pacts of the last scans.

    ``pacts`` (e.g. read from a manifest) replace the stored pact of the agents they name.
    """
    since = as_of - timedelta(days=settings.lookback_days)
    counts = store.behavior_counts(since=rfc3339(since), until=rfc3339(as_of), agents=agents)
    names = sorted(set(agents) if agents is not None else _agents_of(counts))
    keep = set(names)
    stored = stored_changes(e for e in store.change_events(limit=1_000_000) if e.agent in keep)
    known = store.agent_pacts(names)
    known.update({a: p for a, p in (pacts or {}).items() if a in keep})
    return analyse(counts, stored, known, as_of=as_of, agents=names, settings=settings)


def _agents_of(counts: BehaviorCounts) -> set[str]:
    return (
        set(counts.calls.agent)
        | {t.agent for t in counts.tools}
        | {s.agent for s in counts.servers}
    )


def _uses(counts: BehaviorCounts, changes: Sequence[ChangeRef]) -> dict[str, frozenset[str]]:
    """Component names each agent uses: its servers (and their packages), its changes."""
    uses: dict[str, set[str]] = {}
    for s in counts.servers:
        names = uses.setdefault(s.agent, set())
        names.add(component_name(f"pkg:generic/{s.server}"))
        if s.component:
            names.add(component_name(s.component.rsplit("@", 1)[0]))
    for c in changes:
        uses.setdefault(c.agent, set()).add(component_name(c.component))
    return {a: frozenset(n) for a, n in uses.items()}


def _verdict(plan: ChangeTest, results: Results, settings: Settings) -> Attribution:
    if plan.test is None:
        return not_enough(plan.change, plan.calls_before, plan.calls_after, settings, plan.why)
    return attribution(results, plan.test, plan.change, settings)


def _plan_alarms(
    series: FleetSeries,
    cum: np.ndarray,
    alarms: Sequence[Alarm],
    as_of: datetime,
    settings: Settings,
    windows: Windows,
) -> list[int]:
    end = series.hour_of(as_of) + 1
    before_h = int(settings.before_days * 24)
    out = []
    for alarm in alarms:
        cp = max(1, alarm.change_point)
        out.append(windows.add(alarm.agent, (max(0, cp - before_h), cp), (cp, end), None,
                               (alarm.agent,)))  # fmt: skip
    return out


def _alarm_shifts(
    series: FleetSeries,
    alarms: Sequence[Alarm],
    tests: Sequence[int],
    results: Results,
    changes: Sequence[ChangeRef],
    settings: Settings,
) -> dict[str, list[Shift]]:
    """Confirmed alarms not near any change of their agent, as shifts."""
    change_hours: dict[str, list[int]] = {}
    for c in changes:
        change_hours.setdefault(c.agent, []).append(series.hour_of(parse_time(c.at)))
    out: dict[str, list[Shift]] = {}
    for alarm, test in zip(alarms, tests, strict=True):
        agent = series.agents[alarm.agent]
        # The change point is an estimate: a change from a day before it up to the alarm may be
        # the cause, and its attribution speaks for it.
        low, high = alarm.change_point - _TIE_HOURS, alarm.alarm_at
        if any(low <= h <= high for h in change_hours.get(agent, [])):
            continue
        at = rfc3339(series.time_of(alarm.change_point))
        own, _ = shifts_of(results, test, agent, at, settings, features=("risky",))
        for s in own:
            words = (
                f"{s.evidence.partition('; ')[0]} since {at}, no change event near it; "
                + (s.evidence.partition("; ")[2])
            )
            out.setdefault(agent, []).append(replace(s, detector="cusum", evidence=words))
    return out
