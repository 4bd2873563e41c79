"""Typed runtime events, as they are stored (after validation and redaction)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ListedTool:
    """One tool of a ``tools_list`` event."""

    name: str
    action_class: str


@dataclass(frozen=True)
class RuntimeEvent:
    """One validated event. Argument values never exist here: only names and JSON types."""

    batch_id: str
    seq: int
    time: str  # RFC 3339, UTC
    agent: str
    kind: str
    session: str | None = None
    server_name: str | None = None
    server_version: str | None = None
    component: str | None = None
    protocol_version: str | None = None
    tool: str | None = None
    action_class: str | None = None
    outcome: str | None = None
    duration_ms: float | None = None
    provenance: str | None = None
    tools: tuple[ListedTool, ...] = ()
    argument_shape: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class BadLine:
    """A line of an events file that was skipped, and why."""

    line: int
    problem: str


@dataclass(frozen=True)
class EventsWritten:
    """What one write of events to the store did."""

    stored: int  # new events
    duplicates: int  # events whose (batch_id, seq) was already stored


@dataclass(frozen=True)
class ImportResult:
    """What ``events import`` did with one file."""

    path: str
    read: int  # lines that held an event
    stored: int  # events new to the store
    duplicates: int  # events whose (batch id, seq) the store already had
    bad: tuple[BadLine, ...]
