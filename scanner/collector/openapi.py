"""The collector's OpenAPI document: request bodies from the one event schema the hook writes."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

BATCH_ID_PATTERN = r"^[A-Za-z0-9._:-]{8,64}$"
_PREFIX = "#/components/schemas/Event_"


def _rewrite(node: Any) -> Any:
    """The schema with ``#/$defs/X`` references pointed at ``#/components/schemas/Event_X``."""
    if isinstance(node, dict):
        return {
            k: (
                v.replace("#/$defs/", _PREFIX)
                if k == "$ref" and isinstance(v, str)
                else _rewrite(v)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rewrite(v) for v in node]
    return node


@cache
def event_components() -> dict[str, Any]:
    """``Event`` and its definitions, ready for ``components.schemas``."""
    text = resources.files("scanner.runtime").joinpath("event.schema.json").read_text("utf-8")
    schema = json.loads(text)
    defs = schema.pop("$defs", {})
    schema.pop("$schema", None)
    schema.pop("$id", None)
    out = {"Event": _rewrite(schema)}
    out.update({f"Event_{name}": _rewrite(d) for name, d in defs.items()})
    return out


def batch_body(max_events: int) -> dict[str, Any]:
    """The requestBody of ``POST /v1/events`` (what the hook's HTTP sink sends)."""
    schema = {
        "type": "object",
        "required": ["batch_id", "events"],
        "properties": {
            "batch_id": {"type": "string", "pattern": BATCH_ID_PATTERN},
            "dropped_total": {"type": "integer", "minimum": 0},
            "events": {
                "type": "array",
                "maxItems": max_events,
                "items": {"$ref": "#/components/schemas/Event"},
            },
        },
    }
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def traces_body() -> dict[str, Any]:
    """The requestBody of ``POST /v1/traces``: an OTLP/HTTP JSON ExportTraceServiceRequest."""
    span = {
        "type": "object",
        "properties": {
            "traceId": {"type": "string"},
            "spanId": {"type": "string"},
            "name": {"type": "string"},
            "startTimeUnixNano": {"type": "string"},
            "endTimeUnixNano": {"type": "string"},
            "attributes": {"type": "array", "items": {"type": "object"}},
            "status": {"type": "object"},
        },
    }
    schema = {
        "type": "object",
        "required": ["resourceSpans"],
        "properties": {
            "resourceSpans": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "resource": {"type": "object"},
                        "scopeSpans": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {"spans": {"type": "array", "items": span}},
                            },
                        },
                    },
                },
            }
        },
    }
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def score_response() -> dict[str, Any]:
    """The 200 answer of ``GET /v1/agents/{agent}/score`` (``scanner.score.render.score_json``)."""
    number = {"type": "number"}
    text = {"type": "string"}
    deduction = {
        "type": "object",
        "properties": {
            "factor": text,
            "points": number,
            "code": text,
            "subject": text,
            "evidence": text,
        },
    }
    factor = {
        "type": "object",
        "properties": {
            "name": text,
            "weight": number,
            "value": number,
            "deductions": {"type": "array", "items": deduction},
            "unchecked": {"type": ["string", "null"]},
        },
    }
    cap = {
        "type": "object",
        "properties": {
            "code": text,
            "limit": {"type": "integer"},
            "subject": text,
            "evidence": text,
        },
    }
    point = {
        "type": "object",
        "properties": {
            "kind": text,
            "subject": text,
            "at": text,
            "value": {"type": "integer"},
            "cause": text,
            "uncapped": {"type": ["number", "null"]},
            "why": text,
        },
    }
    schema = {
        "type": "object",
        "required": ["agent", "value", "factors", "caps", "lost"],
        "properties": {
            "agent": text,
            "kind": {"const": "agent"},
            "subject": text,
            "as_of": text,
            "value": {"type": "integer", "minimum": 0, "maximum": 100},
            "uncapped": number,
            "factors": {"type": "array", "items": factor},
            "caps": {"type": "array", "items": cap},
            "unchecked": {"type": "array", "items": text},
            "lost": {"type": "array", "items": deduction},
            "history": {"type": "array", "items": point},
        },
    }
    return {
        "description": "The score as of the time asked (default: now): every factor with its "
        "weight, value and deductions, the caps that applied, every lost point largest first, "
        "and the history kept by scans, checks, imports and `chainwatch score`",
        "content": {"application/json": {"schema": schema}},
    }


NO_SCORE: dict[str, Any] = {"description": "No scan and no runtime events of this agent yet"}
NO_SCORE_NOW: dict[str, Any] = {
    "description": "The score could not be computed; the detail says why"
}

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed JSON, OTLP or batch; the detail says where"},
    401: {"description": "No bearer token, or an unknown or revoked one"},
    403: {"description": "The token's agent is not the agent named"},
    409: {"description": "A batch id another agent's events already carry"},
    413: {"description": "Request body over the size limit"},
    415: {"description": "Not a JSON body"},
    429: {"description": "Rate limit reached; Retry-After says when to try again"},
}
