"""Ingest: a batch (or an OTLP export) checked against the caller's agent and the event schema."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from fastapi import HTTPException

from scanner.collector.fastcheck import batch_check, event_check
from scanner.collector.openapi import BATCH_ID_PATTERN
from scanner.collector.otlp import OtlpError, spans_to_events
from scanner.events.model import EventsWritten, RuntimeEvent
from scanner.events.parse import EventError, event_from_json

_BATCH_ID = re.compile(BATCH_ID_PATTERN)


class EventSink(Protocol):
    """The part of the store ingest writes to."""

    def record_events(self, events: list[RuntimeEvent], *, at: str) -> EventsWritten:
        """Write events in one transaction; a known (batch_id, seq) is counted, not stored."""
        ...

    def batch_agents(self, batch_ids: Sequence[str]) -> set[str]:
        """The agents whose stored events carry any of these batch ids."""
        ...


@dataclass(frozen=True)
class Rejected:
    """An event of a batch that was not stored, and why (never its values)."""

    index: int
    problem: str


@dataclass(frozen=True)
class BatchResult:
    """What one batch did: new events, events already stored, events refused."""

    batch_id: str
    stored: int
    duplicates: int
    rejected: tuple[Rejected, ...]


def _forbid_other_agents(claimed: set[str], agent: str) -> None:
    if claimed - {agent}:
        raise HTTPException(403, "this token writes events of its own agent only")


def _forbid_taken_batch_ids(store: EventSink, batch_ids: Sequence[str], agent: str) -> None:
    """Refuse a batch id another agent's events already carry (409)."""
    # Acknowledged as a duplicate, it would let one agent's token suppress another's events.
    if store.batch_agents(batch_ids) - {agent}:
        raise HTTPException(409, "batch id already used by another agent's events")


def ingest_batch(
    store: EventSink, doc: Any, agent: str, *, max_events: int, at: str
) -> BatchResult:
    """Validate and store one hook batch for ``agent``; 400 or 403 refuse the whole batch."""
    if not isinstance(doc, dict):
        raise HTTPException(400, "$: expected an object with batch_id and events")
    batch_id, events = doc.get("batch_id"), doc.get("events")
    if not isinstance(batch_id, str) or not _BATCH_ID.match(batch_id):
        raise HTTPException(400, f"$.batch_id: expected a string matching {BATCH_ID_PATTERN}")
    if not isinstance(events, list):
        raise HTTPException(400, "$.events: expected a list of events")
    if len(events) > max_events:
        raise HTTPException(400, f"$.events: more than {max_events} events in one batch")
    # One pass: the events are checked and built, and the agents they claim gathered; nothing
    # is stored before the claims are checked, so a batch writing for another agent is refused
    # whole.
    claimed: set[str] = set()
    good: list[RuntimeEvent] = []
    rejected: list[Rejected] = []
    # One compiled check of the whole batch (the usual case: all valid) vouches for every event;
    # otherwise each event is checked on its own and the bad ones are named.
    vouch = _vouched if batch_check()(events) else event_check()
    for i, raw in enumerate(events):
        if not isinstance(raw, dict):
            rejected.append(Rejected(i, "$: expected an event object"))
            continue
        who = raw.get("agent")
        if isinstance(who, str):
            claimed.add(who)
        if raw.get("batch_id") != batch_id:
            rejected.append(Rejected(i, "$.batch_id: differs from the batch's id"))
            continue
        try:
            good.append(event_from_json(raw, fast_check=vouch))
        except EventError as exc:
            rejected.append(Rejected(i, str(exc)))
    _forbid_other_agents(claimed, agent)
    _forbid_taken_batch_ids(store, [batch_id], agent)
    written = store.record_events(good, at=at)
    return BatchResult(batch_id, written.stored, written.duplicates, tuple(rejected))


def _vouched(_: Any) -> bool:
    """The batch's compiled check already passed every event."""
    return True


def ingest_traces(store: EventSink, doc: Any, agent: str, *, at: str) -> list[str]:
    """Store the tool-call spans of an OTLP export for ``agent``; the rejected spans' problems."""
    try:
        made = spans_to_events(doc, agent=agent)
    except OtlpError as exc:
        raise HTTPException(400, exc.message) from None
    _forbid_other_agents(set(made.agents), agent)
    _forbid_taken_batch_ids(store, [e["batch_id"] for e in made.events], agent)
    good: list[RuntimeEvent] = []
    rejected = list(made.rejected)
    for event in made.events:
        try:
            good.append(event_from_json(event, fast_check=event_check()))
        except EventError as exc:
            rejected.append(f"span {event['batch_id']}: {exc}")
    store.record_events(good, at=at)
    return rejected
