"""Run simulated fleets through the real import path and the analysis; score what it found.

Per fleet: ``simulate`` writes JSON Lines; ``import_events`` (what ``chainwatch events import``
runs) loads them into a fresh SQLite store; ``fleet_behavior`` analyses the store as of several
times. Scored:
- detection: a target agent has a SHIFT attribution or an alarm as of T + d, for each delay d;
  its delay is the first such d;
- attribution: its most significant SHIFT attribution is the culprit change (top-1);
- false alarms, as of the fleet's end: SHIFT attributions and alarms of agents without an
  injected shift, and SHIFT attributions of targets at other changes than the culprit; exposure
  is agent-days of history the attributions judged plus agent-days the alarm monitored;
- fleet-wide runs: whether any single agent was blamed (a SHIFT attribution or an alarm).
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from eval.simulator import Fleet, Target, simulate
from scanner.behavior.analyse import fleet_behavior
from scanner.behavior.model import AgentBehavior, Attribution, FleetBehavior, Verdict
from scanner.behavior.settings import DEFAULT, Settings
from scanner.events.importer import import_events
from scanner.store.sqlite import SQLiteStore

DELAYS_H = (2, 4, 8, 12, 24)
HISTORY_DAYS = 10.0  # plus 0-6 by seed
SMALL_DAYS = 9.0  # the test's fleets

# The pass marks of issue 11, fixed with the thresholds in scanner/behavior/settings.py before
# the reporting seeds were run.
TARGET_DETECT_10X = 0.95
TARGET_ATTRIBUTE_10X = 0.90
TARGET_FALSE_ALARMS = 1.0  # per 1,000 agent-days
TARGET_FLEET_NO_BLAME = 0.99


@dataclass
class Outcome:
    """What happened to one injected shift."""

    factor: float
    delay_h: float | None  # first delay at which it was detected; None: not within 24 h
    attributed: bool  # top-1 attribution right at 24 h


@dataclass
class Tally:
    """Everything scored over many fleets."""

    outcomes: list[Outcome] = field(default_factory=list)
    false_alarms: int = 0
    attribution_days: float = 0.0
    alarm_days: float = 0.0
    fleet_runs: int = 0
    fleet_blamed: int = 0
    events: int = 0


def _fleet(
    tag: str, tmp: Path, cache: Path | None, make: Callable[[Path], Fleet]
) -> tuple[Fleet, SQLiteStore, int]:
    """Simulate and import a fleet (or, with ``cache``, reuse one simulated before)."""
    folder = cache or tmp
    db, meta = folder / f"{tag}.db", folder / f"{tag}.pickle"
    if cache is not None and meta.exists():
        return pickle.loads(meta.read_bytes()), SQLiteStore.open(db), 0
    fleet = make(folder / f"{tag}.jsonl")
    store = SQLiteStore.open(db)
    result = import_events(store, fleet.path, at=fleet.end.isoformat())
    if cache is not None:
        meta.write_bytes(pickle.dumps(fleet))
    return fleet, store, result.stored


def _is_culprit(att: Attribution, target: Target) -> bool:
    name = att.change.component.rsplit("/", 1)[-1]
    return name == target.server and att.change.after == target.after


def _top(agent: AgentBehavior) -> Attribution | None:
    shifts = [a for a in agent.attributions if a.verdict is Verdict.SHIFT]
    return min(shifts, key=lambda a: a.shifts[0].p_value) if shifts else None


def _signals(agent: AgentBehavior) -> bool:
    return bool(agent.alarms) or _top(agent) is not None


def run_fleet(
    seed: int,
    tally: Tally,
    settings: Settings = DEFAULT,
    *,
    small: bool = False,
    cache: Path | None = None,
) -> None:
    """Simulate, import and score one fleet with injected shifts."""
    # The shift falls on every day of the week across seeds.
    days = SMALL_DAYS if small else HISTORY_DAYS + seed % 7
    agents = 8 if small else 15
    factors = (3.0, 10.0) if small else (1.5, 2.0, 3.0, 5.0, 10.0)

    def make(path: Path) -> Fleet:
        return simulate(path, seed=seed, agents=agents, days=days, factors=factors,
                        new_class=not small)  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp_name:
        fleet, store, imported = _fleet(f"shift-{seed}", Path(tmp_name), cache, make)
        tally.events += imported
        with store:
            by_time: dict[datetime, FleetBehavior] = {}

            def at(when: datetime) -> dict[str, AgentBehavior]:
                if when not in by_time:
                    by_time[when] = fleet_behavior(store, as_of=when, settings=settings)
                return {a.agent: a for a in by_time[when].agents}

            for target in fleet.targets:
                delay = next(
                    (d for d in DELAYS_H
                     if _signals(at(target.at + timedelta(hours=d))[target.agent])),
                    None,
                )  # fmt: skip
                final = at(target.at + timedelta(hours=24))[target.agent]
                top = _top(final)
                right = top is not None and _is_culprit(top, target)
                tally.outcomes.append(Outcome(target.factor, delay, right))
            _false_alarms(fleet, at(fleet.end), tally, settings)


def _false_alarms(
    fleet: Fleet, final: dict[str, AgentBehavior], tally: Tally, settings: Settings
) -> None:
    targets = {t.agent: t for t in fleet.targets}
    judged = min(fleet.history_days, settings.lookback_days)
    monitored = min(settings.monitor_days, max(0.0, fleet.history_days - settings.min_days))
    for name, agent in final.items():
        target = targets.get(name)
        shifts = [a for a in agent.attributions if a.verdict is Verdict.SHIFT]
        if target is None:
            tally.false_alarms += len(shifts) + len(agent.alarms)
        else:
            tally.false_alarms += sum(not _is_culprit(a, target) for a in shifts)
        tally.attribution_days += judged
        tally.alarm_days += monitored


def run_fleet_wide(
    seed: int,
    tally: Tally,
    settings: Settings = DEFAULT,
    *,
    small: bool = False,
    cache: Path | None = None,
) -> None:
    """A fleet whose every agent's risky rate triples at T with no change: blames no one?"""
    days = SMALL_DAYS if small else HISTORY_DAYS + seed % 7
    agents = 6 if small else 12

    def make(path: Path) -> Fleet:
        return simulate(path, seed=seed, agents=agents, days=days, factors=(), new_class=False,
                        fleet_factor=3.0)  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp_name:
        fleet, store, imported = _fleet(f"wide-{seed}", Path(tmp_name), cache, make)
        tally.events += imported
        with store:
            final = fleet_behavior(store, as_of=fleet.end, settings=settings)
        tally.fleet_runs += 1
        tally.fleet_blamed += any(_signals(a) for a in final.agents)


def merge(tallies: list[Tally]) -> Tally:
    """One tally of many (from worker processes)."""
    out = Tally()
    for t in tallies:
        out.outcomes.extend(t.outcomes)
        out.false_alarms += t.false_alarms
        out.attribution_days += t.attribution_days
        out.alarm_days += t.alarm_days
        out.fleet_runs += t.fleet_runs
        out.fleet_blamed += t.fleet_blamed
        out.events += t.events
    return out


def false_alarm_rate(t: Tally) -> float:
    """False alarms per 1,000 agent-days (attribution and alarm exposure added up)."""
    days = t.attribution_days + t.alarm_days
    return 1000 * t.false_alarms / days if days else 0.0


def rows(t: Tally) -> list[tuple[str, int, float, float, float | None]]:
    """(factor label, runs, detected within 24 h, attributed top-1, median delay h) per factor."""
    out = []
    for factor in sorted({o.factor for o in t.outcomes}, key=lambda f: (f == 0, f)):
        group = [o for o in t.outcomes if o.factor == factor]
        delays = sorted(o.delay_h for o in group if o.delay_h is not None)
        median = delays[len(delays) // 2] if delays else None
        label = "new class" if factor == 0 else f"x{factor:g}"
        detected = sum(o.delay_h is not None for o in group) / len(group)
        attributed = sum(o.attributed for o in group) / len(group)
        out.append((label, len(group), detected, attributed, median))
    return out
