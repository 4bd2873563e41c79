"""The event format the hook writes (``event.schema.json`` beside this file is the contract).

The hook keeps the caller's cost to one tuple and one queue append; this module turns those
tuples into JSON lines on the background thread, capping every size on the way. Argument
values of tool calls are never recorded: only the argument names and their JSON types.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

SCHEMA_ID = "chainwatch.event/1"
KINDS = frozenset({"server_info", "tools_list", "tool_call", "tools_changed"})
ACTION_CLASSES = frozenset({"read", "write", "write_destructive", "network", "exec", "unknown"})
# ok: a result came back; error: the tool said isError; failed: the request raised (transport,
# timeout, protocol error); cancelled: the caller gave up.
OUTCOMES = frozenset({"ok", "error", "failed", "cancelled"})
MAX_TEXT = 256  # any one string (names, versions, purls, labels)
MAX_TOOLS = 512  # tool entries in one tools_list event
MAX_ARGS = 64  # argument names in one tool_call event
MAX_DURATION_MS = 86_400_000.0
PROVENANCE = re.compile(r"[a-z][a-z0-9_.-]{0,63}")
JSON_TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array", "null"})

# One recorded event as the caller's thread leaves it: a plain tuple, built without validation.
# (time, kind, agent, session, server, server_version, component, tool, action_class, outcome,
#  duration_ms, provenance, protocol_version, tools, argument_shape)
Raw = tuple[
    float,
    str,
    str,
    str | None,
    str | None,
    str | None,
    str | None,
    str | None,
    str | None,
    str | None,
    float | None,
    str | None,
    str | None,
    Sequence[tuple[str, str]] | None,
    Mapping[str, str] | None,
]


@dataclass(frozen=True)
class Batch:
    """Events sent together under one idempotent id (a store keeps a batch id once)."""

    batch_id: str
    lines: tuple[str, ...]  # one JSON event per line, already capped
    dropped_total: int  # events this hook has dropped so far (queue full, sink failures)

    def body(self) -> bytes:
        """The batch as the collector receives it: one JSON object."""
        head = json.dumps({"batch_id": self.batch_id, "dropped_total": self.dropped_total})
        return (head[:-1] + ', "events": [' + ",".join(self.lines) + "]}").encode()


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    return text[:MAX_TEXT] or None


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_second_cache: list[tuple[int, str]] = [(-1, "")]  # events come in bursts within one second


def iso_time(epoch: float) -> str:
    """RFC 3339 UTC time with microseconds, as every event carries it."""
    micros = round(epoch * 1_000_000)
    second, fraction = divmod(micros, 1_000_000)
    cached_second, prefix = _second_cache[0]
    if cached_second != second:
        prefix = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        _second_cache[0] = (second, prefix)
    return f"{prefix}.{fraction:06d}Z"


def json_type(value: object) -> str:
    """The JSON type name of an argument value (the value itself is never kept)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    return "array" if isinstance(value, list | tuple) else "string"


def event_line(raw: Raw, batch_id: str, seq: int) -> str | None:
    """One recorded tuple as a JSON line, sizes capped; ``None`` when it cannot be an event."""
    (when, kind, agent, session, server, server_version, component, tool, action, outcome,
     duration, provenance, protocol, tools, shape) = raw  # fmt: skip
    if kind not in KINDS or not agent:
        return None
    event: dict[str, object] = {
        "schema": SCHEMA_ID,
        "batch_id": batch_id,
        "seq": seq,
        "time": iso_time(when),
        "agent": _text(agent),
        "kind": kind,
    }
    optional = {
        "session": _text(session),
        "component": _text(component),
        "tool": _text(tool),
        "action_class": action if action in ACTION_CLASSES else None,
        "outcome": outcome if outcome in OUTCOMES else None,
        "provenance": provenance
        if isinstance(provenance, str) and PROVENANCE.fullmatch(provenance)
        else None,
        "protocol_version": _text(protocol),
    }
    event.update((k, v) for k, v in optional.items() if v is not None)
    if _text(server) is not None:
        described = {"name": _text(server), "version": _text(server_version)}
        event["server"] = {k: v for k, v in described.items() if v is not None}
    if duration is not None and duration >= 0:
        event["duration_ms"] = round(min(float(duration), MAX_DURATION_MS), 3)
    if kind == "tool_call" and ("tool" not in event or "outcome" not in event):
        return None  # a call without its tool or outcome says nothing: counted as invalid
    if kind == "server_info" and "server" not in event:
        return None
    if kind == "tools_list":
        event["tools"] = [
            {"name": _text(name), "action_class": cls if cls in ACTION_CLASSES else "unknown"}
            for name, cls in list(tools or ())[:MAX_TOOLS]
            if _text(name) is not None
        ]
    if shape:
        items = sorted(shape.items())[:MAX_ARGS]
        event["argument_shape"] = {
            str(k)[:MAX_TEXT]: (t if t in JSON_TYPES else "string") for k, t in items
        }
    return _ENCODER.encode(event)
