"""Tool-surface findings of an agent's components as of a time, from the store.

1. A server component's surface pinned for its exact version (by ``chainwatch tools scan`` or
   the proxy) at or before the time is checked again: poisoning, and changes against the pin of
   the previous version. No pin: None (the score says "not assessed").
2. Tool findings the stdio proxy recorded at runtime (a rug pull mid-session is never pinned)
   are added to the component they name, or to the agent when they name none of its components.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from scanner.errors import InputError
from scanner.models import Finding
from scanner.score.facts import AgentFacts, ComponentFacts
from scanner.store import Store
from scanner.tools.model import SurfaceKey, ToolDef, ToolList
from scanner.tools.pinning import scan_tools, surface_key


def with_surfaces(
    store: Store, components: Sequence[ComponentFacts], at: str
) -> tuple[ComponentFacts, ...]:
    """The components with the tool findings of their pinned surfaces (None: none pinned)."""
    return tuple(
        replace(c, tool_findings=_surface_findings(store, c, at)) if c.server else c
        for c in components
    )


def _surface_findings(store: Store, c: ComponentFacts, at: str) -> tuple[Finding, ...] | None:
    """Findings of the tool surface pinned for this exact version, or None when none is."""
    if not c.version:
        return None
    try:
        key = surface_key(c.purl)
    except InputError:
        return None  # not a package URL (a remote server, a local script): nothing pinned
    key = SurfaceKey(key.component, key.version or c.version)
    pinned = store.tool_surface(key)
    if pinned is None or (pinned.pinned_at and pinned.pinned_at > at):
        return None
    tools = ToolList(
        f"pinned tool surface of {c.label()}",
        tuple(ToolDef(p.name, json.loads(p.canonical), i) for i, p in enumerate(pinned.pins)),
    )
    previous = store.latest_tool_surface(key.component, other_than=key.version)
    if previous is not None and previous.pinned_at and previous.pinned_at > at:
        previous = None
    return scan_tools(tools, key, pinned=None, previous=previous, at=at).findings


def with_proxy(facts: AgentFacts, proxy: Sequence[tuple[str | None, Finding]]) -> AgentFacts:
    """Tool findings the proxy saw at runtime (a rug pull mid-session), on their component."""
    mine = list(dict.fromkeys(f for a, f in proxy if a == facts.agent))
    if not mine:
        return facts
    components = []
    for c in facts.components:
        found = [f for f in mine if f.subject in {c.purl, c.key}]
        if found:
            seen = {(f.code, f.message) for f in c.tool_findings or ()}
            extra = tuple(f for f in found if (f.code, f.message) not in seen)
            c = replace(c, tool_findings=(*(c.tool_findings or ()), *extra))
            mine = [f for f in mine if f not in found]
        components.append(c)
    return replace(facts, components=tuple(components), findings=(*facts.findings, *mine))
