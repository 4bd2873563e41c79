"""What the score is computed from, as values: per agent and per component, from one scan.

``agent_facts`` sorts a scan's findings to the components they are about; the store side
(``compute.py``) adds tool-surface findings and behaviour. Nothing here reads a store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from scanner.baseline import VerificationRecord
from scanner.behavior.model import AgentBehavior
from scanner.models import Component, Finding, Inventory

# Statuses after which a component counts as checked (the registry answered about it).
CHECKED = frozenset(
    {"verified", "no-attestation", "registry-signed", "attestation-invalid", "digest-mismatch"}
)


@dataclass(frozen=True, slots=True)
class AgentScan:
    """The newest scan of one agent as of a time."""

    agent: str
    scan_id: int
    finished_at: str
    audited: bool | None  # None: the scan did not say (recorded before scans said so)


@dataclass(frozen=True, slots=True)
class ComponentFacts:
    """One component as the latest scan saw it, with every finding about it."""

    purl: str  # with the version it resolved to, when it has one
    key: str  # without version
    name: str
    ecosystem: str
    version: str | None
    status: str | None  # verification status; None: not verified in that scan
    reason: str  # the verifier's reason for the status
    findings: tuple[Finding, ...] = ()
    server: bool = False  # launched by an MCP server entry (so it has a tool surface)
    # Tool-surface findings of its pinned surface; None: no surface pinned for this version.
    tool_findings: tuple[Finding, ...] | None = None

    @property
    def checked(self) -> bool:
        """True when the registry answered about it (any status but unresolved / fetch-failed)."""
        return self.status in CHECKED

    def label(self) -> str:
        """``name@version`` (or the name), as evidence names it."""
        return f"{self.name}@{self.version}" if self.version else self.name


@dataclass(frozen=True, slots=True)
class AgentFacts:
    """One agent as of a time: its latest scan's components and findings, and its behaviour."""

    agent: str
    scan_id: int | None
    scanned_at: str
    audited: bool  # the scan audited every package for advisories
    components: tuple[ComponentFacts, ...]
    findings: tuple[Finding, ...] = ()  # about the agent's servers or files, not one component
    behavior: AgentBehavior | None = None
    behavior_note: str = "no runtime events for this agent"  # why behaviour is None


def agent_facts(
    inventory: Inventory,
    verifications: Sequence[VerificationRecord],
    findings: Sequence[tuple[str | None, Finding]],
    *,
    scan_id: int | None,
    scanned_at: str,
    audited: bool,
) -> list[AgentFacts]:
    """Facts of every agent of one scan (tool surfaces and behaviour are added later)."""
    by_purl = {v.purl: v for v in verifications}
    out: list[AgentFacts] = []
    for ai in inventory.agents:
        own = [f for agent, f in findings if agent == ai.agent.id]
        servers = {c.purl for s in ai.servers for c in s.components}
        components: list[ComponentFacts] = []
        claimed: set[int] = set()
        for c in ai.components():
            v = _verification(c, by_purl)
            facts = _component(c, v, c.purl in servers)
            mine = [
                i
                for i, f in enumerate(own)
                if i not in claimed and _about(f.subject, c, facts.purl)
            ]
            claimed.update(mine)
            components.append(replace(facts, findings=tuple(own[i] for i in mine)))
        rest = tuple(f for i, f in enumerate(own) if i not in claimed)
        out.append(AgentFacts(ai.agent.id, scan_id, scanned_at, audited, tuple(components), rest))
    return out


def _verification(
    c: Component, by_purl: Mapping[str, VerificationRecord]
) -> VerificationRecord | None:
    v = by_purl.get(c.purl)
    if v is None and c.version is None:
        # A floating launch: its verification names the version it resolved to.
        v = next((x for p, x in by_purl.items() if p.startswith(c.key + "@")), None)
    return v


def _component(c: Component, v: VerificationRecord | None, server: bool) -> ComponentFacts:
    purl = v.purl if v is not None else c.purl
    version = c.version
    if version is None and "@" in purl and c.ecosystem in {"pypi", "npm"}:
        version = purl.rsplit("@", 1)[1].split("?", 1)[0]
    return ComponentFacts(
        purl=purl,
        key=c.key,
        name=c.name,
        ecosystem=c.ecosystem,
        version=version,
        status=v.status if v is not None else None,
        reason=v.reason if v is not None else "not verified in this scan",
        server=server,
    )


def _about(subject: str, c: Component, resolved: str) -> bool:
    """True when a finding's subject names this component (any of the ways findings do)."""
    names = {c.purl, resolved, c.key}
    if c.path:
        names.add(c.path)
    if c.url:
        names.add(c.url)
    return subject in names
