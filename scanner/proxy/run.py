"""One ``chainwatch proxy`` session: the observer wired to the store, the relay started."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.events.parse import EventError, event_from_json
from scanner.models import Finding, Inventory
from scanner.proxy.identity import Identity, resolve_identity
from scanner.proxy.observe import Observer
from scanner.proxy.relay import Relay
from scanner.store import open_store
from scanner.store.interface import Store
from scanner.tools.model import SurfaceKey, ToolSurface


@dataclass(frozen=True, slots=True)
class ProxyOptions:
    """What the CLI passes: the agent, the server command, the store, the pact, enforcement."""

    agent: str
    command: tuple[str, ...]
    db: Path | None
    component: str | None = None
    pact: frozenset[str] | None = None  # None: no pact checks (only rug pulls refuse calls)
    enforce: bool = False
    record: bool = True


class LazyStore:
    """The store, opened on first use by the parser thread (SQLite handles stay in one thread)."""

    def __init__(self, path: Path | None, agent: str, identity: str = "") -> None:
        self._path = path
        self._agent = agent
        self._identity = identity
        self._store: Store | None = None

    def open(self) -> None:
        """Open the store now (creating and migrating it as needed)."""
        self._open()

    def _open(self) -> Store:
        if self._store is None:
            self._store = open_store(self._path)
        return self._store

    def tool_surface(self, key: SurfaceKey) -> ToolSurface | None:
        """The surface pinned for this component version, or None."""
        return self._open().tool_surface(key)

    def latest_tool_surface(self, component: str, *, other_than: str) -> ToolSurface | None:
        """The most recently pinned surface of another version of the component, or None."""
        return self._open().latest_tool_surface(component, other_than=other_than)

    def save_tool_surface(self, surface: ToolSurface) -> None:
        """Pin ``surface`` for its component version."""
        self._open().save_tool_surface(surface)

    def record(self, subject: str, findings: tuple[Finding, ...], at: str) -> None:
        """Record what one tools/list showed as a ``proxy`` scan of the agent, with its findings."""
        self._open().record_scan(
            kind="proxy",
            started_at=at,
            finished_at=at,
            inputs={
                "agent": self._agent,
                "component": subject,
                "identity": self._identity,  # how the component was found, or why not
                "source": "tools/list",
            },
            inventory=Inventory(),
            findings=[(self._agent, f) for f in findings],
            summary={"findings": len(findings)},
        )

    def emit(self, event: dict[str, Any]) -> None:
        """Validate, redact and store one runtime event through the events layer (h10's API)."""
        try:
            parsed = event_from_json(event)
        except EventError as exc:  # e.g. a server name that is not text: said, not stored
            sys.stderr.write(f"chainwatch proxy: event not recorded: {exc}\n")
            return
        self._open().record_events([parsed], at=event["time"])

    def close(self) -> None:
        """Close the store if it was opened."""
        if self._store is not None:
            self._store.close()


def run_proxy(options: ProxyOptions, clock: Callable[[], str]) -> tuple[int, Observer]:
    """Relay between our stdio and the server command until it exits; its status and the session."""
    if options.component is not None:
        identity = Identity(options.component, "given with --component")
    else:  # static: the resolver reads the command, it never runs or fetches anything for it
        identity = resolve_identity(options.command, Path.cwd())
    store = LazyStore(options.db, options.agent, identity.reason) if options.record else None
    observer = Observer(
        agent=options.agent,
        emit=store.emit if store is not None else (lambda event: None),
        component=identity.purl,
        identity=identity.reason,
        pins=store,
        record=(lambda s, f: store.record(s, f, clock())) if store else (lambda s, f: None),
        pact=options.pact,
        clock=clock,
    )
    relay = Relay(observer, enforce=options.enforce)
    if store is not None:
        relay = Relay(observer, enforce=options.enforce, on_start=store.open, on_done=store.close)
    status = relay.run(options.command)
    return status, observer
