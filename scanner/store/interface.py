"""The store interface: what chainwatch remembers between runs. SQLite is the embedded default
(``sqlite.py``), PostgreSQL the fleet backend (``postgres.py``); both run the SQL of ``base.py``."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from attestations.result import PublisherIdentity
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
    from scanner.behavior.counts import BehaviorCounts, Pact
    from scanner.checks.diff import Snapshot
    from scanner.collector.tokens import AgentToken
    from scanner.events.model import EventsWritten, RuntimeEvent
    from scanner.models import Finding, Inventory
    from scanner.score.facts import AgentScan
    from scanner.score.model import ScorePoint
    from scanner.tools.model import SurfaceKey, ToolSurface


class Store(ABC):
    """A chainwatch store. Every write is one transaction: all or nothing."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @abstractmethod
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
        """Write a whole scan (and the identity changes it made) and return its id.

        ``changes``: given the new scan's id inside the transaction (reads see the scan), the
        change events since earlier scans, written in the same transaction: a scan is never
        stored without them.
        """

    @abstractmethod
    def publisher_identity(self, purl_key: str) -> StoredIdentity | None:
        """The identity remembered for a package, or None when never seen."""

    @abstractmethod
    def publisher_identities(self) -> list[StoredIdentity]:
        """Every remembered identity, by package."""

    @abstractmethod
    def identity_history(self, purl_key: str | None = None) -> list[IdentityEvent]:
        """Changes of remembered identities, oldest first (of one package, or all)."""

    @abstractmethod
    def last_seen(self, purl_key: str) -> SeenIdentity | None:
        """What the most recent scan that checked the package saw (attested results first)."""

    @abstractmethod
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
        """Remember ``identity`` for a package outside a scan (accept, pin), with its history."""

    @abstractmethod
    def scans(self, limit: int = 20) -> list[ScanRecord]:
        """The most recent scans, newest first."""

    @abstractmethod
    def snapshot(self, scan_id: int) -> Snapshot:
        """What one recorded scan saw per agent and package (for the diff)."""

    @abstractmethod
    def stored_inventory(self, scan_id: int) -> Inventory:
        """The inventory one scan recorded, rebuilt as values (to verify it again)."""

    @abstractmethod
    def latest_scan_id(self, agent: str | None = None) -> int | None:
        """The newest scan (that covered ``agent``), or None."""

    @abstractmethod
    def previous_scan_id(self, scan_id: int, agent: str) -> int | None:
        """The newest scan before ``scan_id`` that covered ``agent``, or None."""

    @abstractmethod
    def accept_baseline(self, scan_id: int, agents: Sequence[str], at: str) -> None:
        """Record the state ``scan_id`` saw of ``agents`` as their accepted baseline."""

    @abstractmethod
    def baselines(self) -> list[BaselineRecord]:
        """The accepted baseline of every agent that has one, by agent."""

    @abstractmethod
    def record_changes(self, events: Sequence[ChangeEvent]) -> None:
        """Store change events, all or none."""

    @abstractmethod
    def change_events(self, agent: str | None = None, limit: int = 1000) -> list[ChangeEvent]:
        """Stored change events, newest first (of one agent, or all)."""

    # Tool surfaces (scanner/tools/run.py uses these three; see ToolPins there).

    @abstractmethod
    def tool_surface(self, key: SurfaceKey) -> ToolSurface | None:
        """The tool surface pinned for a component version, or None."""

    @abstractmethod
    def latest_tool_surface(self, component: str, *, other_than: str) -> ToolSurface | None:
        """The most recently pinned surface of another version of the component, or None."""

    @abstractmethod
    def save_tool_surface(self, surface: ToolSurface) -> None:
        """Pin ``surface`` for its component version, replacing an earlier pin; all or nothing."""

    # Runtime events (scanner/events; `chainwatch events import`).

    @abstractmethod
    def record_events(self, events: Iterable[RuntimeEvent], *, at: str) -> EventsWritten:
        """Write runtime events in one transaction; a known (batch_id, seq) is not stored again."""

    @abstractmethod
    def runtime_events(self, *, agent: str | None = None, limit: int = 1_000) -> list[RuntimeEvent]:
        """Stored runtime events in time order (of one agent, or all), at most ``limit``."""

    # Behaviour analysis (scanner/behavior): counts, never one object per event.

    def behavior_counts(
        self, *, since: str, until: str, agents: Sequence[str] | None = None
    ) -> BehaviorCounts:
        """Tool calls counted per agent, hour and class in [since, until), with summaries.

        This reference reads every event; a database backend overrides it with one GROUP BY.
        """
        from scanner.behavior.counts import count_events  # behaviour loads with its first use

        events = self.runtime_events(limit=2**62)
        return count_events(events, since=since, until=until, agents=agents)

    def agent_pacts(self, agents: Sequence[str]) -> dict[str, Pact]:
        """The pact (and limits) of each agent as the newest scan that covered it recorded it."""
        from scanner.behavior.counts import Pact

        pacts: dict[str, Pact] = {}
        inventories: dict[int, Inventory] = {}
        for agent in agents:
            scan_id = self.latest_scan_id(agent)
            if scan_id is None:
                continue
            if scan_id not in inventories:
                inventories[scan_id] = self.stored_inventory(scan_id)
            for ai in inventories[scan_id].agents:
                if ai.agent.id == agent:
                    a = ai.agent
                    pacts[agent] = Pact(agent, a.pact, a.limits, f"scan {scan_id}")
        return pacts

    # Collector tokens and per-agent reads (scanner/collector; `chainwatch serve`, `token`).

    @abstractmethod
    def save_token(self, token: AgentToken) -> None:
        """Store a new token record (its digest only)."""

    @abstractmethod
    def agent_token(self, token_id: str) -> AgentToken | None:
        """The token record with this id, or None."""

    @abstractmethod
    def agent_tokens(self) -> list[AgentToken]:
        """Every token record, oldest first."""

    @abstractmethod
    def revoke_token(self, token_id: str, *, at: str) -> bool:
        """Revoke a token; False when no live token has this id."""

    @abstractmethod
    def agent_findings(self, agent: str, *, limit: int = 100) -> list[Finding]:
        """The most recent findings recorded for an agent, newest first."""

    @abstractmethod
    def batch_agents(self, batch_ids: Sequence[str]) -> set[str]:
        """The agents whose stored events carry any of these batch ids."""

    @abstractmethod
    def recent_events(self, agent: str, *, limit: int = 100) -> list[RuntimeEvent]:
        """An agent's most recent runtime events, newest first."""

    # The score (scanner/score): what it reads as of a time, and its history.

    @abstractmethod
    def agent_scans(self, as_of: str) -> list[AgentScan]:
        """Per agent, the newest scan that covered it and finished at or before ``as_of``."""

    @abstractmethod
    def scan_findings(self, scan_id: int) -> list[tuple[str | None, Finding]]:
        """Every finding one scan recorded, with the agent it was about."""

    @abstractmethod
    def scan_verifications(self, scan_id: int) -> list[VerificationRecord]:
        """The verification status of every component one scan checked."""

    @abstractmethod
    def proxy_findings(self, *, since: str, until: str) -> list[tuple[str | None, Finding]]:
        """Findings the stdio proxy recorded (``proxy`` scans) in (``since``, ``until``]."""

    @abstractmethod
    def record_scores(self, points: Sequence[ScorePoint]) -> None:
        """Append points to the score history, all or none."""

    @abstractmethod
    def score_history(
        self, kind: str, subject: str, since: str | None = None, until: str | None = None
    ) -> list[ScorePoint]:
        """A subject's score history between ``since`` and ``until`` (inclusive), oldest first."""
