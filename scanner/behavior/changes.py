"""The change events attribution tests at: stored ones (scans, rescans) and ones derived from
runtime events (a server reporting another version; a tools_changed notification).

A runtime version change and a stored change of the same component to the same version are one
change: the runtime one keeps its time (when the agent really started talking to the new
version; a scan only notices later) and takes the stored id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta

from packaging.version import InvalidVersion, Version

from scanner.baseline import ChangeEvent
from scanner.behavior.counts import ServerVersion, ToolsChanged
from scanner.behavior.model import ChangeRef
from scanner.behavior.series import parse_time

# Stored change kinds that mean other code (or another publisher) now runs for the agent.
_TESTED_KINDS = {
    "added": "added",
    "upgraded": "upgrade",
    "downgraded": "downgrade",
    "digest-changed": "digest",
    "identity-changed": "identity",
}
RUNTIME_CAUSE = "runtime"  # seen in runtime events (hook or proxy)
_TOOLS_CHANGED_GAP = timedelta(days=1)  # notifications closer than this are one change
_SAME_UPGRADE = timedelta(hours=1)  # a tools_changed this close to a version change is part of it


def stored_changes(events: Iterable[ChangeEvent]) -> list[ChangeRef]:
    """Stored change events of the kinds that change what runs, as ChangeRefs."""
    return [
        ChangeRef(
            e.agent,
            e.component_key,
            _TESTED_KINDS[e.kind],
            e.before,
            e.after,
            e.at,
            e.cause.value,
            e.id,
        )  # fmt: skip
        for e in events
        if e.kind in _TESTED_KINDS
    ]


def runtime_changes(
    servers: Sequence[ServerVersion], notified: Sequence[ToolsChanged]
) -> list[ChangeRef]:
    """Version changes of a server seen by one agent, and tools_changed notifications."""
    out: list[ChangeRef] = []
    by_server: dict[tuple[str, str], list[ServerVersion]] = {}
    for s in servers:
        by_server.setdefault((s.agent, s.server), []).append(s)
    for (agent, server), seen in by_server.items():
        seen.sort(key=lambda s: s.first_at)
        for old, new in zip(seen, seen[1:], strict=False):
            if old.version == new.version:
                continue
            component = _component(new.component, server)
            out.append(ChangeRef(agent, component, _kind(old.version, new.version), old.version,
                                 new.version, new.first_at, RUNTIME_CAUSE))  # fmt: skip
    versions = {(c.agent, c.component.rsplit("/", 1)[-1], parse_time(c.at)) for c in out}
    last: dict[tuple[str, str | None], str] = {}
    for n in sorted(notified, key=lambda n: (n.agent, n.at)):
        key = (n.agent, n.server)
        if key in last and parse_time(n.at) - parse_time(last[key]) < _TOOLS_CHANGED_GAP:
            continue
        when = parse_time(n.at)
        if any(
            a == n.agent and name == n.server and abs(when - at) <= _SAME_UPGRADE
            for a, name, at in versions
        ):
            continue  # the notification of a version change already counted
        last[key] = n.at
        name = n.server or "unknown-server"
        out.append(ChangeRef(n.agent, f"pkg:generic/{name}", "tool_surface", None, None, n.at,
                             RUNTIME_CAUSE))  # fmt: skip
    return out


def merge_changes(stored: Sequence[ChangeRef], runtime: Sequence[ChangeRef]) -> list[ChangeRef]:
    """All changes, oldest first, a stored change seen at runtime too counted once."""
    out = list(runtime)
    for s in stored:
        twin = next((i for i, r in enumerate(out) if r.change_id is None and _same(s, r)), None)
        if twin is None:
            out.append(s)
        else:
            r = out[twin]
            out[twin] = ChangeRef(r.agent, s.component, r.kind, r.before, r.after, r.at,
                                  f"{s.cause}+{RUNTIME_CAUSE}", s.change_id)  # fmt: skip
    return sorted(out, key=lambda c: (c.agent, c.at, c.component))


def _same(stored: ChangeRef, runtime: ChangeRef) -> bool:
    if stored.agent != runtime.agent or stored.after != runtime.after or stored.after is None:
        return False
    if stored.component == runtime.component:
        return True
    return component_name(stored.component) == component_name(runtime.component)


def component_name(component: str) -> str:
    """The name part of a package URL (or of pkg:generic/<server>), lower case."""
    return component.rsplit("/", 1)[-1].replace("%40", "@").lower()


def _component(purl: str | None, server: str) -> str:
    if purl:
        return purl.split("@")[0] if purl.count("@") == 1 else purl.rsplit("@", 1)[0]
    return f"pkg:generic/{server}"


def _kind(before: str | None, after: str | None) -> str:
    if before is None:
        return "added"
    try:
        return "upgrade" if Version(after or "") > Version(before) else "downgrade"
    except InvalidVersion:
        return "version_change"
