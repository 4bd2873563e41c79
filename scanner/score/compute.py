"""The fleet's scores from the store as of a time, and the history they leave.

1. Per agent, the newest scan that finished at or before ``as_of`` (``Store.agent_scans``): its
   inventory, verification statuses and findings become ``AgentFacts``.
2. Each server component's pinned tool surface (pinned at or before ``as_of``) is checked again
   against the previous version's pin and for poisoning, and the tool findings the stdio proxy
   recorded lately are added (``surfaces.py``).
3. Behaviour analysis (``scanner.behavior``) of the runtime events up to ``as_of``.
4. ``score_agent`` / ``score_component`` over those values.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from scanner.baseline import VerificationRecord
from scanner.behavior.model import AgentBehavior, FleetBehavior
from scanner.errors import ChainwatchError
from scanner.models import Finding, Inventory
from scanner.results import ScanResult
from scanner.score.core import score_agent, score_component
from scanner.score.facts import AgentFacts, ComponentFacts, agent_facts
from scanner.score.model import FleetScore, Score, ScorePoint
from scanner.score.surfaces import with_proxy, with_surfaces
from scanner.score.weights import PROXY_FINDINGS_DAYS
from scanner.store import Store


class ScoreError(ChainwatchError):
    """A score could not be computed (a gate fails closed on it)."""


class BehaviorSource(Protocol):
    """Behaviour analysis of the store's runtime events (``scanner.behavior``)."""

    def __call__(
        self, store: Store, *, as_of: datetime, agents: Sequence[str] | None = None
    ) -> FleetBehavior:
        """Every agent's behaviour as of a time."""
        ...


def default_behavior() -> BehaviorSource | None:
    """The behaviour analysis the score uses: ``scanner.behavior.analyse.fleet_behavior``."""
    from scanner.behavior.analyse import fleet_behavior  # numpy and scipy load only here

    return fleet_behavior


def stamp(moment: datetime) -> str:
    """A time as the store writes it (RFC 3339, UTC, seconds)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def fleet_score(
    store: Store,
    *,
    as_of: datetime,
    behavior: BehaviorSource | None = None,
    agents: Sequence[str] | None = None,
) -> FleetScore:
    """Every agent's score and its components' as of ``as_of`` (of ``agents``, else all)."""
    facts = _fleet_facts(store, stamp(as_of), agents)
    return score_facts(store, facts, as_of=as_of, behavior=behavior, agents=agents)


def score_facts(
    store: Store,
    facts: Sequence[AgentFacts],
    *,
    as_of: datetime,
    behavior: BehaviorSource | None,
    agents: Sequence[str] | None = None,
) -> FleetScore:
    """Scores of agents from their facts, with their behaviour as of ``as_of`` added.

    Agents seen only in runtime events (never scanned) are scored too: every static factor is
    then unassessed, which is what is known about them.
    """
    behaviors = _behaviors(store, as_of, behavior, agents)
    known = {f.agent for f in facts}
    everyone = list(facts) + [
        AgentFacts(a, None, "", False, ())
        for a in sorted(behaviors)
        if a not in known and (agents is None or a in agents)
    ]
    note = _missing(behavior)
    return scores_of(
        [replace(f, behavior=behaviors.get(f.agent), behavior_note=note) for f in everyone],
        stamp(as_of),
    )


def check_scores(
    store: Store, result: ScanResult, *, as_of: datetime, behavior: BehaviorSource | None
) -> FleetScore:
    """The scores of the agents a check just scanned (recorded or not), from its own values."""
    verifications = [
        VerificationRecord(v.component.purl, v.status.value, v.reason, v.identity)
        for v in result.verdicts.values()
    ]
    facts = facts_of_scan(
        store,
        result.inventory,
        verifications,
        result.findings,
        scan_id=result.scan_id,
        scanned_at=stamp(as_of),
        as_of=stamp(as_of),
        audited=True,
    )
    agents = [a.agent.id for a in result.inventory.agents]
    return score_facts(store, facts, as_of=as_of, behavior=behavior, agents=agents)


def scores_of(facts: Sequence[AgentFacts], at: str) -> FleetScore:
    """Scores of agents (and of the components they run) from their facts."""
    agent_scores = tuple(score_agent(f, as_of=at) for f in sorted(facts, key=lambda f: f.agent))
    by_purl: dict[str, list[tuple[AgentFacts, ComponentFacts]]] = defaultdict(list)
    for f in facts:
        for c in f.components:
            by_purl[c.purl].append((f, c))
    components = []
    for purl in sorted(by_purl):
        users = by_purl[purl]
        first = users[0][1]
        seen: dict[tuple[str, str], Finding] = {}
        for _, c in users:
            seen.update(((x.code, x.message), x) for x in c.findings)
        merged = replace(first, findings=tuple(seen.values()))
        audited = any(f.audited for f, _ in users)
        behaviors = [f.behavior for f, _ in users if f.behavior is not None]
        components.append(score_component(merged, as_of=at, audited=audited, behaviors=behaviors))
    return FleetScore(at, agent_scores, tuple(components))


def facts_of_scan(
    store: Store | None,
    inventory: Inventory,
    verifications: Sequence[VerificationRecord],
    findings: Sequence[tuple[str | None, Finding]],
    *,
    scan_id: int | None,
    scanned_at: str,
    as_of: str,
    audited: bool,
) -> list[AgentFacts]:
    """Facts of one scan's agents (a stored scan, or one held in memory), with the tool
    surfaces pinned by ``as_of`` added."""
    out = agent_facts(
        inventory, verifications, findings, scan_id=scan_id, scanned_at=scanned_at, audited=audited
    )
    if store is None:
        return out
    since = stamp(datetime.fromisoformat(as_of) - timedelta(days=PROXY_FINDINGS_DAYS))
    proxy = store.proxy_findings(since=since, until=as_of)
    return [with_proxy(replace(f, components=with_surfaces(store, f.components, as_of)), proxy)
            for f in out]  # fmt: skip


def _fleet_facts(store: Store, at: str, agents: Sequence[str] | None) -> list[AgentFacts]:
    by_scan: dict[int, list[str]] = defaultdict(list)
    audited: dict[int, bool] = {}
    finished: dict[int, str] = {}
    for s in store.agent_scans(at):
        if agents is None or s.agent in agents:
            by_scan[s.scan_id].append(s.agent)
            finished[s.scan_id] = s.finished_at
            audited[s.scan_id] = bool(s.audited)
    out: list[AgentFacts] = []
    for scan_id, names in sorted(by_scan.items()):
        inventory = store.stored_inventory(scan_id)
        inventory = Inventory(tuple(a for a in inventory.agents if a.agent.id in names))
        findings = store.scan_findings(scan_id)
        if not audited[scan_id]:
            # Recorded before scans said whether they audited: an advisory finding shows it.
            audited[scan_id] = any(f.code in {"CW400", "CW401", "CW402"} for _, f in findings)
        out += facts_of_scan(
            store,
            inventory,
            store.scan_verifications(scan_id),
            findings,
            scan_id=scan_id,
            scanned_at=finished[scan_id],
            as_of=at,
            audited=audited[scan_id],
        )
    return out


def _behaviors(
    store: Store,
    as_of: datetime,
    source: BehaviorSource | None,
    agents: Sequence[str] | None,
) -> dict[str, AgentBehavior]:
    if source is None:
        return {}
    try:
        # The whole fleet even for one agent: its peers decide whether a shift is its own.
        fleet = source(store, as_of=as_of)
    except ChainwatchError as exc:
        raise ScoreError(
            f"behaviour analysis failed, so no score can be trusted: {exc.message}",
            hint=exc.hint or None,
        ) from exc
    return {b.agent: b for b in fleet.agents if agents is None or b.agent in agents}


def _missing(source: BehaviorSource | None) -> str:
    if source is None:
        return "behaviour analysis is not available in this build"
    return "no runtime events for this agent"


def history_points(fleet: FleetScore, cause: str) -> list[ScorePoint]:
    """The history points of a fleet's scores (agents and components)."""
    return [
        ScorePoint(s.kind, s.subject, fleet.as_of, s.value, cause, s.uncapped, why(s))
        for s in (*fleet.agents, *fleet.components)
    ]


def why(score: Score) -> str:
    """The score's biggest cause in words: the lowest cap, else the largest deduction."""
    if score.caps:
        cap = score.caps[0]
        return f"capped at {cap.limit} ({cap.code}): {cap.evidence}"
    lost = score.lost()
    if not lost:
        return ""
    d = lost[0]
    return f"-{d.points:g} {d.factor.value} ({d.code}): {d.evidence}"


def record_fleet_score(
    store: Store,
    *,
    as_of: datetime,
    cause: str,
    behavior: BehaviorSource | None = None,
    agents: Sequence[str] | None = None,
) -> FleetScore:
    """Compute the fleet's scores as of a time and append them to the history."""
    fleet = fleet_score(store, as_of=as_of, behavior=behavior, agents=agents)
    store.record_scores(history_points(fleet, cause))
    return fleet
