"""Attribution: at every change event, test the agent's behaviour before against after.

Per change of agent a at hour t:
1. Windows: before [t - before_days, t), after (t, next change of a or t + after_days or as_of].
   The change's own hour is in neither (it holds calls from both sides). Ending the after window
   at the agent's next change keeps an earlier, innocent change from inheriting a later shift.
2. Too few calls in either window: "not enough data", never "no shift".
3. Tests: the conditional binomial test of each risky rate (and network), a new class where the
   agent never called it before, and the G-test of the whole mix. Their p-values join one
   Benjamini-Hochberg pool across all agents x changes x features (``analyse.py``).
4. Peers: agents that use the same component but did not change it in these windows (else the
   whole fleet); the agent's rate ratio must beat theirs (difference in differences), so a
   fleet-wide change does not blame one agent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from scanner.behavior.changes import component_name
from scanner.behavior.model import ChangeRef
from scanner.behavior.series import FleetSeries, Ints, parse_time
from scanner.behavior.settings import Settings
from scanner.behavior.windows import Windows


@dataclass(frozen=True, slots=True)
class ChangeTest:
    """One change and the index of its test in the windows (None: not enough data)."""

    change: ChangeRef
    test: int | None
    calls_before: int
    calls_after: int


def plan_tests(
    series: FleetSeries,
    cum: Ints,
    changes: Sequence[ChangeRef],
    uses: Mapping[str, frozenset[str]],
    as_of: datetime,
    settings: Settings,
    windows: Windows,
) -> list[ChangeTest]:
    """The windows of every change of the agents in ``series``, added to ``windows``."""
    index = {a: i for i, a in enumerate(series.agents)}
    end = series.hour_of(as_of) + 1
    before_h = int(settings.before_days * 24)
    after_h = int(settings.after_days * 24)
    calls = cum.sum(axis=1)  # [agent, hour + 1]
    by_agent: dict[str, list[ChangeRef]] = {}
    for c in changes:
        if c.agent in index and parse_time(c.at) < as_of:
            by_agent.setdefault(c.agent, []).append(c)
    users: dict[str, list[int]] = {}
    for agent, names in uses.items():
        if agent in index:
            for name in names:
                users.setdefault(name, []).append(index[agent])
    changed_at: dict[str, list[tuple[int, int]]] = {}  # component name -> (agent, hour)
    for agent, items in by_agent.items():
        for c in items:
            changed_at.setdefault(component_name(c.component), []).append(
                (index[agent], series.hour_of(parse_time(c.at)))
            )
    fleet_calls = calls.sum(axis=0)
    out: list[ChangeTest] = []
    for agent, items in sorted(by_agent.items()):
        a = index[agent]
        items.sort(key=lambda c: c.at)
        hours = [series.hour_of(parse_time(c.at)) for c in items]
        for c, t in zip(items, hours, strict=True):
            if t < 1 or t >= end:
                out.append(ChangeTest(c, None, 0, 0))
                continue
            later = [h for h in hours if h > t]
            b = max(0, t - before_h)
            e = min([end, t + 1 + after_h, *later])
            n1 = int(calls[a, t] - calls[a, b])
            n2 = int(calls[a, e] - calls[a, min(t + 1, e)])
            if n1 < settings.min_before_calls or n2 < settings.min_after_calls:
                out.append(ChangeTest(c, None, n1, n2))
                continue
            test = _add_peers(a, name=component_name(c.component), windows=(b, t, e), calls=calls,
                              fleet_calls=fleet_calls, users=users, changed_at=changed_at,
                              settings=settings, out=windows)  # fmt: skip
            out.append(ChangeTest(c, test, n1, n2))
    return out


def _add_peers(
    a: int,
    *,
    name: str,
    windows: tuple[int, int, int],
    calls: Ints,
    fleet_calls: Ints,
    users: Mapping[str, list[int]],
    changed_at: Mapping[str, list[tuple[int, int]]],
    settings: Settings,
    out: Windows,
) -> int:
    """Add the test of agent ``a`` with the first peers that have enough calls:
    1. agents using the same component with no change of their own in these windows;
    2. else the whole fleet but agents with a change in these windows;
    3. else the whole fleet but agents that made this same change;
    4. else no peers (the verdict says so)."""
    b, t, e = windows
    before, after = (b, t), (t + 1, e)
    need = settings.min_peer_calls
    any_change = {o for hours in changed_at.values() for o, h in hours if b <= h < e} - {a}
    same = {o for o, h in changed_at.get(name, []) if b <= h < e} - {a}
    clean = tuple(sorted(set(users.get(name, [])) - any_change - {a}))
    if clean and _enough(calls[list(clean)].sum(axis=0), before, after, need):
        return out.add(a, before, after, clean, ())
    for skip in (any_change | {a}, same | {a}):
        rest = fleet_calls - calls[sorted(skip)].sum(axis=0)
        if _enough(rest, before, after, need):
            return out.add(a, before, after, None, tuple(sorted(skip)))
    return out.add(a, before, after, None, None)


def _enough(total: Ints, before: tuple[int, int], after: tuple[int, int], need: int) -> bool:
    n1 = int(total[before[1]] - total[before[0]])
    n2 = int(total[after[1]] - total[after[0]])
    return n1 >= need and n2 >= need
