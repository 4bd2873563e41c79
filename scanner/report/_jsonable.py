"""Values as JSON: the helpers every JSON-shaped report shares (json, check JSON, SARIF)."""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any

from scanner.report._jsonwrite import write
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

    Then C1, bidi and invisible characters become ``\\uXXXX`` escapes (json_escape). The text is
    written by ``_jsonwrite.write`` (the same text, faster); a ``Rows`` in the document is
    written as the list of objects it stands for.
    """
    return json_escape(write(document))
