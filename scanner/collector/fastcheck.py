"""The event schema compiled by jsonschema-rs: ~200x faster than ``jsonschema`` on valid events.

It only ever vouches for an event: when it says no, ``event_from_json`` runs the ``jsonschema``
check of the same schema file, which decides and names the problem.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs


@cache
def event_check() -> Callable[[Any], bool]:
    """``is_valid`` of the event schema (scanner/runtime/event.schema.json), compiled once."""
    text = resources.files("scanner.runtime").joinpath("event.schema.json").read_text("utf-8")
    validator = jsonschema_rs.validator_for(json.loads(text))
    return validator.is_valid


@cache
def batch_check() -> Callable[[Any], bool]:
    """``is_valid`` of a list of events: one call checks a whole batch (no per-event overhead)."""
    text = resources.files("scanner.runtime").joinpath("event.schema.json").read_text("utf-8")
    event = json.loads(text)
    # The event schema embedded whole: its "$id" makes it a resource of its own, so its "#/$defs"
    # references still resolve inside it.
    batch = {
        "$schema": event["$schema"],
        "type": "array",
        "items": {"$ref": event["$id"]},
        "$defs": {"event": event},
    }
    return jsonschema_rs.validator_for(batch).is_valid
