"""OTLP/HTTP JSON traces -> runtime events: tool-call spans only, everything else is skipped.

A span is a tool call when ``gen_ai.operation.name`` is ``execute_tool`` or ``mcp.method.name``
is ``tools/call``; the tool is ``gen_ai.tool.name``. Each span becomes one ``tool_call`` event in
the hook's event format (``scanner/runtime/event.schema.json``) with batch id
``otlp:<trace id><span id>``, so an exporter that re-sends a span stores it once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scanner.errors import ChainwatchError

_HEX_TRACE = re.compile(r"^[0-9a-fA-F]{32}$")
_HEX_SPAN = re.compile(r"^[0-9a-fA-F]{16}$")
_ERROR_CODES = {2, "STATUS_CODE_ERROR"}
AGENT_KEYS = ("gen_ai.agent.name", "gen_ai.agent.id")


class OtlpError(ChainwatchError):
    """The body is not an OTLP traces export (the message says where)."""


@dataclass(frozen=True)
class SpanEvents:
    """Events made from an export's tool spans, the spans that could not be, and the rest."""

    events: tuple[dict[str, Any], ...]
    rejected: tuple[str, ...]  # one problem per rejected tool span
    skipped: int  # spans that are not tool calls
    agents: frozenset[str]  # agent names the spans or resources claim


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise OtlpError(f"{where}: expected a list")
    return value


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise OtlpError(f"{where}: expected an object")
    return value


def attributes(value: Any, where: str) -> dict[str, Any]:
    """OTLP ``[{key, value: {stringValue|intValue|...}}]`` as a plain dict of scalars."""
    out: dict[str, Any] = {}
    for i, item in enumerate(_list(value, where)):
        item = _object(item, f"{where}[{i}]")
        key, wrapped = item.get("key"), item.get("value")
        if not isinstance(key, str):
            raise OtlpError(f"{where}[{i}].key: expected a string")
        if isinstance(wrapped, dict) and len(wrapped) == 1:
            out[key] = next(iter(wrapped.values()))
    return out


def _nanos(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) <= 20:
        return int(value)
    return None


def _event(span: dict[str, Any], attrs: dict[str, Any], agent: str) -> dict[str, Any] | str:
    """The event for one tool span, or why it cannot be one."""
    trace, span_id = span.get("traceId"), span.get("spanId")
    if not (isinstance(trace, str) and _HEX_TRACE.match(trace)):
        return "traceId: expected 32 hex digits"
    if not (isinstance(span_id, str) and _HEX_SPAN.match(span_id)):
        return "spanId: expected 16 hex digits"
    tool = attrs.get("gen_ai.tool.name")
    if not isinstance(tool, str) or not tool:
        return "gen_ai.tool.name: missing on a tool span"
    start, end = _nanos(span.get("startTimeUnixNano")), _nanos(span.get("endTimeUnixNano"))
    if start is None or start >= 2**63:
        return "startTimeUnixNano: expected a count of nanoseconds"
    when = datetime.fromtimestamp(start // 1_000_000_000, UTC).replace(
        microsecond=(start % 1_000_000_000) // 1000
    )
    status = span.get("status")
    code = status.get("code") if isinstance(status, dict) else None
    event: dict[str, Any] = {
        "schema": "chainwatch.event/1",
        "batch_id": f"otlp:{trace.lower()}{span_id.lower()}",
        "seq": 0,
        "time": when.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        "agent": agent,
        "kind": "tool_call",
        "tool": tool,
        "action_class": "unknown",
        "outcome": "error" if code in _ERROR_CODES else "ok",
    }
    if end is not None and start <= end <= start + 86_400_000 * 1_000_000:
        event["duration_ms"] = (end - start) / 1_000_000
    session = attrs.get("mcp.session.id")
    if isinstance(session, str) and session:
        event["session"] = session
    return event


def _is_tool_span(attrs: dict[str, Any]) -> bool:
    return (
        attrs.get("gen_ai.operation.name") == "execute_tool"
        or attrs.get("mcp.method.name") == "tools/call"
    )


def spans_to_events(doc: Any, *, agent: str) -> SpanEvents:
    """The tool-call events of an OTLP traces export; ``OtlpError`` when it is not one."""
    doc = _object(doc, "$")
    if "resourceSpans" not in doc:
        raise OtlpError("$: not an OTLP traces export (no resourceSpans)")
    events: list[dict[str, Any]] = []
    rejected: list[str] = []
    agents: set[str] = set()
    skipped = 0
    for r, rs in enumerate(_list(doc["resourceSpans"], "$.resourceSpans")):
        where = f"$.resourceSpans[{r}]"
        rs = _object(rs, where)
        resource = _object(rs.get("resource") or {}, f"{where}.resource")
        res_attrs = attributes(resource.get("attributes"), f"{where}.resource.attributes")
        for s, ss in enumerate(_list(rs.get("scopeSpans"), f"{where}.scopeSpans")):
            swhere = f"{where}.scopeSpans[{s}]"
            ss = _object(ss, swhere)
            for n, span in enumerate(_list(ss.get("spans"), f"{swhere}.spans")):
                span = _object(span, f"{swhere}.spans[{n}]")
                attrs = {**res_attrs, **attributes(span.get("attributes"), f"{swhere}.spans[{n}]")}
                agents.update(str(attrs[k]) for k in AGENT_KEYS if k in attrs)
                if not _is_tool_span(attrs):
                    skipped += 1
                    continue
                made = _event(span, attrs, agent)
                if isinstance(made, str):
                    rejected.append(f"{swhere}.spans[{n}]: {made}")
                else:
                    events.append(made)
    return SpanEvents(tuple(events), tuple(rejected), skipped, frozenset(agents))
