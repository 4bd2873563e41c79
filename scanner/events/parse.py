"""Read an events file (JSON Lines): each line is validated against the event schema on its own.

Events are untrusted input. Per line: 1. a size cap (before parsing); 2. UTF-8 and JSON; 3. the
JSON Schema (``scanner/runtime/event.schema.json``: types, enums, lengths, counts, no unknown
fields); 4. the time must parse; 5. every text is redacted (``scanner.redact``) before it goes
anywhere. A bad line is reported with its number and skipped; the other lines still load.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from scanner.errors import InputError
from scanner.events.model import BadLine, ListedTool, RuntimeEvent
from scanner.redact import redact_text
from scanner.runtime.hook_spool import SpoolError, spool_lines

MAX_LINE = 256 * 1024  # bytes; a tools_list of 512 tools with long names fits
MAX_LINES = 10_000_000
_PROBLEM_CAP = 200


@cache
def _validator() -> jsonschema.Draft202012Validator:
    text = resources.files("scanner.runtime").joinpath("event.schema.json").read_text("utf-8")
    return jsonschema.Draft202012Validator(json.loads(text))


class EventError(ValueError):
    """One line is not a valid event (the message never quotes the line's values)."""


def _problem(error: jsonschema.ValidationError) -> str:
    """Where the event breaks the schema and which rule; never its values (they may be secret)."""
    where = error.json_path
    rule = error.validator
    if rule == "required" or rule == "additionalProperties":
        # The message names the property (capped, redacted below), never its value.
        return f"{where}: {error.message}"
    limit = error.validator_value
    shown = f" {limit}" if isinstance(limit, int | float) and not isinstance(limit, bool) else ""
    return f"{where}: fails {rule}{shown}"


# Events repeat the same few texts (agent, session, tool and argument names): redact each once.
@lru_cache(maxsize=8192)
def _redact(value: str) -> str:
    try:
        # JSON may spell a lone surrogate ("\ud800"): such text cannot be stored or shown.
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise EventError("a text holds an unpaired surrogate (\\ud800-\\udfff)") from None
    return redact_text(value)


def _text(value: Any) -> str | None:
    return _redact(value) if isinstance(value, str) else None


def event_from_json(data: Any, *, fast_check: Callable[[Any], bool] | None = None) -> RuntimeEvent:
    """A validated, redacted event from one parsed JSON value; ``EventError`` when it is not one.

    ``fast_check`` (the collector's compiled validator of the same schema) may vouch for the
    value; when it does not, this schema check runs and names the problem.
    """
    if fast_check is None or not fast_check(data):
        error = jsonschema.exceptions.best_match(_validator().iter_errors(data))
        if error is not None:
            raise EventError(redact_text(_problem(error))[:_PROBLEM_CAP])
    server = data.get("server") or {}
    tools = data.get("tools")
    shape = data.get("argument_shape")
    return RuntimeEvent(
        batch_id=data["batch_id"],
        seq=data["seq"],
        time=_utc_time(data["time"]),
        agent=_redact(data["agent"]),
        kind=data["kind"],
        session=_text(data.get("session")),
        server_name=_text(server.get("name")),
        server_version=_text(server.get("version")),
        component=_text(data.get("component")),
        protocol_version=_text(data.get("protocol_version")),
        tool=_text(data.get("tool")),
        action_class=data.get("action_class"),
        outcome=data.get("outcome"),
        duration_ms=data.get("duration_ms"),
        provenance=data.get("provenance"),
        tools=tuple(ListedTool(_redact(t["name"]), t["action_class"]) for t in tools)
        if tools
        else (),
        argument_shape=tuple(sorted((_redact(k), v) for k, v in shape.items())) if shape else (),
    )


def _utc_time(text: str) -> str:
    """The time as stored: RFC 3339 in UTC with microseconds (``...T12:00:00.000000Z``)."""
    try:
        when = datetime.fromisoformat(text)  # the schema's pattern passed; the date must exist too
    except ValueError:
        raise EventError("$.time: not a valid time") from None
    if len(text) == 27 and text[19] == "." and text[26] == "Z":
        return text  # already the stored form (the hook writes it): no conversion to redo
    return when.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def event_from_line(raw: bytes) -> RuntimeEvent:
    """One line of an events file as an event; ``EventError`` says what is wrong with it."""
    if len(raw) > MAX_LINE:
        raise EventError(f"line longer than {MAX_LINE} bytes")
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant, parse_float=_finite)
    except UnicodeDecodeError:
        raise EventError("not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise EventError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise EventError("not JSON (nested too deeply)") from None
    return event_from_json(data)


def _no_constant(name: str) -> None:
    """NaN and Infinity are not JSON, and would slip past every numeric bound."""
    raise EventError(f"not JSON ({name} is not a number JSON allows)")


def _finite(text: str) -> float:
    value = float(text)
    if value != value or value in {float("inf"), float("-inf")}:
        raise EventError("not JSON (a number too large to be finite)")
    return value


_SQLITE_MAGIC = b"SQLite format 3\x00"


def read_events(path: Path) -> Iterator[RuntimeEvent | BadLine]:
    """Each event of a JSON Lines file (or a hook's spool) in order, or a ``BadLine``."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(str(path), f"cannot read the events file ({exc.strerror})") from None
    with handle:
        if handle.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC:
            # The hook's spool: its lines are numbered in spool order, batch by batch.
            lines: Iterator[bytes] = (line.encode() for line in _spool(path))
        else:
            handle.seek(0)
            lines = _lines(handle)
        for number, raw in enumerate(lines, start=1):
            if number > MAX_LINES:
                yield BadLine(number, f"more than {MAX_LINES} lines: the rest is not read")
                return
            if not raw.strip():
                continue  # a blank line (often the last) is not an event and not an error
            try:
                yield event_from_line(raw)
            except EventError as exc:
                yield BadLine(number, str(exc))


def _spool(path: Path) -> Iterator[str]:
    try:
        yield from spool_lines(path)
    except SpoolError as exc:
        raise InputError(str(path), f"not a chainwatch hook spool ({exc})") from None


def _lines(handle: Any) -> Iterator[bytes]:
    """Lines without reading an overlong one into memory whole (its rest is skipped)."""
    while True:
        raw = handle.readline(MAX_LINE + 1)
        if not raw:
            return
        if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
            while True:  # skip to the end of this line, in bounded pieces
                rest = handle.readline(MAX_LINE)
                if not rest or rest.endswith(b"\n"):
                    break
        yield raw.rstrip(b"\r\n")
