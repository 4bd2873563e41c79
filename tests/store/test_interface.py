"""The Store interface is all the pipeline needs: a second backend is one class.

A small in-memory implementation (not a mock: it keeps real state) runs a real scan and a
rescan against the loopback registry, the way a PostgreSQL backend would.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from attestations.result import PublisherIdentity, Status
from scanner._testing.fixture_server import FixtureRegistry
from scanner.baseline import (
    BaselineRecord,
    ChangeEvent,
    IdentityAction,
    IdentityEvent,
    IdentityUpdate,
    ScanRecord,
    SeenIdentity,
    StoredIdentity,
    VerificationRecord,
)
from scanner.checks.diff import Snapshot
from scanner.checks.snapshot import snapshot_of
from scanner.collector.tokens import AgentToken
from scanner.demo import recorded_at
from scanner.diff import accept_baseline, diff_against
from scanner.events.model import EventsWritten, RuntimeEvent
from scanner.models import Finding, Inventory
from scanner.scan import run_inventory
from scanner.score.compute import record_fleet_score
from scanner.score.facts import AgentScan
from scanner.score.model import ScorePoint
from scanner.store import Store
from scanner.tools.model import SurfaceKey, ToolSurface
from tests.scan.conftest import fleet, scan


class MemoryStore(Store):
    """Everything in dicts; enough to show the interface is complete."""

    def __init__(self) -> None:
        self.ids = itertools.count(1)
        self.scan_rows: list[ScanRecord] = []
        self.verifications: list[tuple[int, VerificationRecord]] = []
        self.known: dict[str, StoredIdentity] = {}
        self.events: list[IdentityEvent] = []
        self.recorded: dict[int, tuple[Inventory, list[tuple[str | None, Finding]]]] = {}
        self.accepted: dict[str, BaselineRecord] = {}
        self.changes: list[ChangeEvent] = []
        self.surfaces: dict[SurfaceKey, ToolSurface] = {}  # insertion order: pin order
        self.runtime: dict[tuple[str, int], RuntimeEvent] = {}
        self.tokens: dict[str, AgentToken] = {}
        self.findings: list[tuple[str | None, Finding]] = []
        self.inputs: dict[int, dict[str, Any]] = {}
        self.points: list[ScorePoint] = []

    def close(self) -> None:
        """Nothing to release."""

    def record_events(self, events: Iterable[RuntimeEvent], *, at: str) -> EventsWritten:
        offered = list(events)
        new = {(e.batch_id, e.seq): e for e in offered if (e.batch_id, e.seq) not in self.runtime}
        self.runtime.update(new)
        return EventsWritten(len(new), len(offered) - len(new))

    def runtime_events(self, *, agent: str | None = None, limit: int = 1_000) -> list[RuntimeEvent]:
        found = [e for e in self.runtime.values() if agent is None or e.agent == agent]
        return sorted(found, key=lambda e: (e.time, e.batch_id, e.seq))[:limit]

    def record_scan(
        self,
        *,
        kind: str,
        started_at: str,
        finished_at: str,
        inputs: dict[str, Any],
        inventory: Inventory,
        findings: Sequence[tuple[str | None, Finding]] = (),
        verifications: Sequence[VerificationRecord] = (),
        identities: Sequence[IdentityUpdate] = (),
        summary: dict[str, int] | None = None,
        changes: Callable[[int], Sequence[ChangeEvent]] | None = None,
    ) -> int:
        scan_id = next(self.ids)
        self.scan_rows.append(ScanRecord(scan_id, kind, started_at, finished_at, summary or {}))
        self.verifications.extend((scan_id, v) for v in verifications)
        self.findings.extend(findings)
        self.recorded[scan_id] = (inventory, list(findings))
        self.inputs[scan_id] = inputs
        for u in identities:
            self._remember(u, finished_at, scan_id)
        if changes is not None:
            self.record_changes(changes(scan_id))
        return scan_id

    def _remember(self, u: IdentityUpdate, at: str, scan_id: int | None) -> None:
        before = self.known.get(u.purl_key)
        if before is not None and before.pinned and scan_id is not None:
            return
        self.known[u.purl_key] = StoredIdentity(u.purl_key, u.identity, at, u.version, u.pinned)
        if before is None or before.identity != u.identity:
            self.events.append(
                IdentityEvent(u.purl_key, u.action, u.identity, u.version, at, scan_id)
            )

    def publisher_identity(self, purl_key: str) -> StoredIdentity | None:
        return self.known.get(purl_key)

    def publisher_identities(self) -> list[StoredIdentity]:
        return [self.known[k] for k in sorted(self.known)]

    def identity_history(self, purl_key: str | None = None) -> list[IdentityEvent]:
        return [e for e in self.events if purl_key in (None, e.purl_key)]

    def last_seen(self, purl_key: str) -> SeenIdentity | None:
        for scan_id, v in reversed(self.verifications):
            if v.purl.startswith(purl_key + "@"):
                return SeenIdentity(v.purl, Status(v.status), v.identity, scan_id)
        return None

    def set_identity(
        self,
        purl_key: str,
        identity: PublisherIdentity | None,
        *,
        action: IdentityAction,
        at: str,
        version: str | None = None,
        pinned: bool = False,
    ) -> None:
        self._remember(IdentityUpdate(purl_key, version, identity, action, pinned), at, None)

    def scans(self, limit: int = 20) -> list[ScanRecord]:
        return list(reversed(self.scan_rows))[:limit]

    def snapshot(self, scan_id: int) -> Snapshot:
        inventory, findings = self.recorded[scan_id]
        verified = [v for i, v in self.verifications if i == scan_id]
        at = next(r.finished_at for r in self.scan_rows if r.id == scan_id)
        return snapshot_of(scan_id, at, inventory, verified, findings)

    def stored_inventory(self, scan_id: int) -> Inventory:
        return self.recorded[scan_id][0]

    def _covering(self, agent: str | None) -> list[int]:
        return [
            i
            for i, (inv, _) in self.recorded.items()
            if agent is None or agent in {a.agent.id for a in inv.agents}
        ]

    def latest_scan_id(self, agent: str | None = None) -> int | None:
        return max(self._covering(agent), default=None)

    def previous_scan_id(self, scan_id: int, agent: str) -> int | None:
        return max((i for i in self._covering(agent) if i < scan_id), default=None)

    def accept_baseline(self, scan_id: int, agents: Sequence[str], at: str) -> None:
        self.accepted.update((a, BaselineRecord(a, scan_id, at)) for a in agents)

    def baselines(self) -> list[BaselineRecord]:
        return [self.accepted[a] for a in sorted(self.accepted)]

    def record_changes(self, events: Sequence[ChangeEvent]) -> None:
        start = len(self.changes) + 1
        self.changes.extend(replace(e, id=start + n) for n, e in enumerate(events))

    def change_events(self, agent: str | None = None, limit: int = 1000) -> list[ChangeEvent]:
        return [e for e in reversed(self.changes) if agent in (None, e.agent)][:limit]

    def tool_surface(self, key: SurfaceKey) -> ToolSurface | None:
        return self.surfaces.get(key)

    def latest_tool_surface(self, component: str, *, other_than: str) -> ToolSurface | None:
        found = [s for k, s in self.surfaces.items() if k.component == component]
        found = [s for s in found if s.key.version != other_than]
        return found[-1] if found else None

    def save_tool_surface(self, surface: ToolSurface) -> None:
        self.surfaces.pop(surface.key, None)
        self.surfaces[surface.key] = surface

    def save_token(self, token: AgentToken) -> None:
        self.tokens[token.token_id] = token

    def agent_token(self, token_id: str) -> AgentToken | None:
        return self.tokens.get(token_id)

    def agent_tokens(self) -> list[AgentToken]:
        return sorted(self.tokens.values(), key=lambda t: (t.created_at, t.token_id))

    def revoke_token(self, token_id: str, *, at: str) -> bool:
        token = self.tokens.get(token_id)
        if token is None or token.revoked_at is not None:
            return False
        self.tokens[token_id] = replace(token, revoked_at=at)
        return True

    def batch_agents(self, batch_ids: Sequence[str]) -> set[str]:
        return {e.agent for e in self.runtime.values() if e.batch_id in set(batch_ids)}

    def recent_events(self, agent: str, *, limit: int = 100) -> list[RuntimeEvent]:
        return list(reversed(self.runtime_events(agent=agent, limit=len(self.runtime))))[:limit]

    def agent_findings(self, agent: str, *, limit: int = 100) -> list[Finding]:
        return [f for a, f in reversed(self.findings) if a == agent][:limit]

    def agent_scans(self, as_of: str) -> list[AgentScan]:
        newest: dict[str, AgentScan] = {}
        for r in self.scan_rows:
            if r.finished_at <= as_of and r.id in self.recorded and r.kind in {"scan", "rescan"}:
                audited = self.inputs[r.id].get("audited")
                for a in self.recorded[r.id][0].agents:
                    newest[a.agent.id] = AgentScan(a.agent.id, r.id, r.finished_at, audited)
        return [newest[a] for a in sorted(newest)]

    def scan_findings(self, scan_id: int) -> list[tuple[str | None, Finding]]:
        return list(self.recorded[scan_id][1])

    def scan_verifications(self, scan_id: int) -> list[VerificationRecord]:
        return [v for i, v in self.verifications if i == scan_id]

    def proxy_findings(self, *, since: str, until: str) -> list[tuple[str | None, Finding]]:
        rows = [r for r in self.scan_rows if r.kind == "proxy" and since < r.finished_at <= until]
        return [f for r in rows for f in self.recorded[r.id][1]]

    def record_scores(self, points: Sequence[ScorePoint]) -> None:
        self.points.extend(points)

    def score_history(
        self, kind: str, subject: str, since: str | None = None, until: str | None = None
    ) -> list[ScorePoint]:
        found = [p for p in self.points if (p.kind, p.subject) == (kind, subject)]
        found = [p for p in found if (since or "") <= p.at <= (until or "~")]
        return sorted(found, key=lambda p: p.at)


def test_a_second_backend_runs_scans_and_trust_on_first_use(tmp_path: Path) -> None:
    store = MemoryStore()
    inventory = fleet(tmp_path / "f", {"s": ["npx", "-y", "sigstore@1.0.0"]})
    with FixtureRegistry() as registry:
        first = scan(registry, inventory, tmp_path, store)
        (verdict,) = first.verdicts.values()
        assert verdict.status is Status.VERIFIED and first.scan_id == 1
        remembered = store.publisher_identity("pkg:npm/sigstore")
        assert remembered is not None and remembered.identity == verdict.identity
        seen = store.last_seen("pkg:npm/sigstore")
        assert seen is not None and seen.identity == verdict.identity
        second = scan(registry, inventory, tmp_path, store)
    assert not [f for _, f in second.findings if f.severity.rank >= 3]
    assert run_inventory(inventory, store) == 3
    assert [s.kind for s in store.scans()] == ["inventory", "scan", "scan"]
    assert [(e.action, e.scan_id) for e in store.identity_history()] == [
        (IdentityAction.FIRST_USE, 1)
    ]
    # Baselines and the diff run on the second backend too: nothing changed between the scans.
    accepted, agents = accept_baseline(store, "t", scan_id=first.scan_id)
    assert (accepted, agents) == (1, [a.agent.id for a in inventory.agents])
    assert second.scan_id is not None
    assert diff_against(store, second.scan_id) == []
    assert store.change_events() == []
    # The score reads the second backend as of a time: the newest scan, its verified package.
    scored = record_fleet_score(store, as_of=recorded_at(), cause="score")
    (agent,) = scored.agents
    provenance = next(f for f in agent.factors if f.name == "provenance")
    assert provenance.value == 100 and provenance.unchecked is None
    assert [p.value for p in store.score_history("agent", agent.subject)] == [agent.value]
