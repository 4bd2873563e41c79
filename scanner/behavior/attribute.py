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
5. Enough peer calls, per window: min_peer_calls, or as many as the agent's own calls in that
   window where those are fewer. Peers as busy as the agent measure the fleet's rate ratio
   about as precisely as the agent's own (the difference in differences' variance at most
   doubles), so a fleet-wide shift that shows in the agent shows in them too; and few peer
   events widen the test, which spares the agent. A fixed 500 made a short after window (an
   upgrade hours before as_of) drop the comparison altogether.
6. Peers exist but none is that busy in these windows: "not enough data (peers not yet
   comparable)", never a test without peers: the comparison that would clear the agent of a
   fleet-wide shift cannot be made, and a verdict must not blame one agent for want of it.
   Only an agent with no peers at all (no other agent called anything in the lookback: a fleet
   of one) is tested on its own, and its verdict says "no peers to compare".
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
    why: str = ""  # why it was not tested, where the call counts alone do not say it


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
    # A fleet of one has no peers at all; any other agent's calls in the lookback make a peer.
    alone = calls[:, -1] == fleet_calls[-1]
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
                              alone=bool(alone[a]), settings=settings, out=windows)  # fmt: skip
            if isinstance(test, str):
                out.append(ChangeTest(c, None, n1, n2, test))
                continue
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
    alone: bool,
    settings: Settings,
    out: Windows,
) -> int | str:
    """Add the test of agent ``a`` with the first peers that have enough calls, or say why not:
    1. agents using the same component with no change of their own in these windows;
    2. else the whole fleet but agents with a change in these windows;
    3. else the whole fleet but agents that made this same change;
    4. else, if the agent is alone in the fleet, no peers (the verdict says so);
    5. else no test: the reason, as words (peers not yet comparable).
    "Enough" per window: min_peer_calls, or the agent's own calls there where fewer."""
    b, t, e = windows
    before, after = (b, t), (t + 1, e)
    own = calls[a]
    need = (
        min(settings.min_peer_calls, int(own[t] - own[b])),
        min(settings.min_peer_calls, int(own[e] - own[t + 1])),
    )
    any_change = {o for hours in changed_at.values() for o, h in hours if b <= h < e} - {a}
    same = {o for o, h in changed_at.get(name, []) if b <= h < e} - {a}
    clean = tuple(sorted(set(users.get(name, [])) - any_change - {a}))
    if clean and _enough(calls[list(clean)].sum(axis=0), before, after, need):
        return out.add(a, before, after, clean, ())
    for skip in (any_change | {a}, same | {a}):
        rest = fleet_calls - calls[sorted(skip)].sum(axis=0)
        if _enough(rest, before, after, need):
            return out.add(a, before, after, None, tuple(sorted(skip)))
    if alone:
        return out.add(a, before, after, None, None)
    rest = fleet_calls - calls[sorted(same | {a})].sum(axis=0)
    n1 = int(rest[t] - rest[b])
    n2 = int(rest[e] - rest[t + 1])
    return (
        f"peers not yet comparable: the fleet's other agents made {n1} calls before and {n2} "
        f"after (needs {need[0]} and {need[1]}: the agent's own calls, at most "
        f"{settings.min_peer_calls})"
    )


def _enough(
    total: Ints, before: tuple[int, int], after: tuple[int, int], need: tuple[int, int]
) -> bool:
    n1 = int(total[before[1]] - total[before[0]])
    n2 = int(total[after[1]] - total[after[0]])
    return n1 >= need[0] and n2 >= need[1]
