"""Values as JSON: the helpers every JSON-shaped report shares (json, check JSON, SARIF)."""

from __future__ import annotations

import dataclasses
import json
from enum import Enum
from typing import Any

from scanner.report.text import json_escape

_FIELDS: dict[type, tuple[str, ...]] = {}


def to_jsonable(value: Any) -> Any:
    """Dataclasses, enums, tuples and paths as JSON-ready values."""
    # Plain values first and field names cached per class: a 200,000-entry scan walks
    # millions of values, and dataclasses.fields() per object dominated the JSON report.
    if value is None or isinstance(value, str | bool | int | float) and not isinstance(value, Enum):
        return value
    names = _FIELDS.get(type(value))
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS[type(value)] = tuple(f.name for f in dataclasses.fields(value))
    if names is not None:
        return {name: to_jsonable(getattr(value, name)) for name in names}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    return str(value)


def finding_document(f: Any) -> dict[str, Any]:
    """A finding as JSON, its evidence as an object."""
    return _finding(f)


def _finding(f: Any) -> dict[str, Any]:
    # to_jsonable(f) with the evidence as an object, spelt out: a large check has thousands.
    return {
        "code": f.code,
        "severity": f.severity.value,
        "subject": f.subject,
        "message": f.message,
        "evidence": dict(f.evidence),
    }


def dumps(document: Any) -> str:
    """Serialise a document deterministically: ``json.dumps(indent=2, ensure_ascii=False)``.

    The standard library writes indented JSON in pure Python (its C encoder takes no indent),
    which dominated a large check's report; ``_indented`` writes the same text faster. A value it
    does not know (a non-string key, a custom type) falls back to the standard library.
    """
    try:
        parts: list[str] = []
        _indented(document, parts, "\n")
        text = "".join(parts)
    except _Unsupported:
        text = json.dumps(document, indent=2, sort_keys=False, ensure_ascii=False)
    return json_escape(text)


class _Unsupported(Exception):
    """A value ``_indented`` leaves to the standard library."""


_string = json.encoder.encode_basestring  # the C function json.dumps uses for ensure_ascii=False
_float = json.encoder.JSONEncoder(ensure_ascii=False).iterencode  # NaN/Infinity spelt as json does


def _indented(value: Any, out: list[str], newline: str) -> None:
    """Append ``value`` as json.dumps(indent=2) would write it at the depth ``newline`` implies."""
    if isinstance(value, str):
        out.append(_string(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif type(value) is int:
        out.append(int.__repr__(value))
    elif type(value) is float:
        out.append("".join(_float(value)))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        out.append("{")
        first = True
        for key, item in value.items():
            if type(key) is not str:
                raise _Unsupported
            out.append(inner if first else "," + inner)
            first = False
            out.append(_string(key))
            out.append(": ")
            _indented(item, out, inner)
        out.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        out.append("[")
        first = True
        for item in value:
            out.append(inner if first else "," + inner)
            first = False
            _indented(item, out, inner)
        out.append(newline + "]")
    else:
        raise _Unsupported
