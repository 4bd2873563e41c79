"""The HTML report's values read from a store: the scores, their history and the behaviour.

One path for ``chainwatch report --html`` and the collector's ``GET /v1/report``:
1. Behaviour analysis of the whole fleet, always: a shift is judged against the agent's peers
   (difference in differences), so analysing one agent alone could blame it for a fleet-wide
   change. The page for one agent shows that agent's part of it.
2. The scores as of the same time, over that same behaviour (computed once).
3. Each agent's stored score history up to then, ending with the score as of then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from scanner.behavior.model import FleetBehavior
from scanner.score.compute import default_behavior, fleet_score, stamp
from scanner.score.model import FleetScore, ScorePoint
from scanner.store import Store


@dataclass(frozen=True, slots=True)
class ReportValues:
    """What render_html draws."""

    fleet: FleetScore
    history: tuple[ScorePoint, ...]
    behavior: FleetBehavior
    note: str = ""  # said at the top of the page (e.g. behaviour analysis not available)


@dataclass(frozen=True, slots=True)
class _Computed:
    """A behaviour source that hands the score the analysis already done (of ``agents``)."""

    fleet: FleetBehavior

    def __call__(
        self, store: Store, *, as_of: datetime, agents: Sequence[str] | None = None
    ) -> FleetBehavior:
        keep = set(agents) if agents is not None else None
        chosen = tuple(b for b in self.fleet.agents if keep is None or b.agent in keep)
        return FleetBehavior(self.fleet.as_of, chosen)


def report_values(store: Store, *, as_of: datetime, agent: str | None = None) -> ReportValues:
    """The values as of ``as_of``: the whole fleet, or only ``agent`` and its components."""
    source = default_behavior()
    note = ""
    if source is None:
        behavior = FleetBehavior(stamp(as_of), ())
        note = "Behaviour analysis is not available in this build: no agent's behaviour is judged."
    else:
        behavior = source(store, as_of=as_of)
    only = [agent] if agent is not None else None
    fleet = fleet_score(store, as_of=as_of, behavior=_Computed(behavior), agents=only)
    history: list[ScorePoint] = []
    for s in fleet.agents:
        stored = store.score_history("agent", s.subject, until=fleet.as_of)
        history += stored
        if not stored or (stored[-1].at, stored[-1].value) != (fleet.as_of, s.value):
            # The score as of now ends the line (shown, not stored: the report records nothing).
            history.append(ScorePoint("agent", s.subject, fleet.as_of, s.value, "report"))
    if agent is not None:
        behavior = _Computed(behavior)(store, as_of=as_of, agents=only)
    return ReportValues(fleet, tuple(history), behavior, note)
