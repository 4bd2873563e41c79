"""The fast JSON helpers write exactly what the standard library would."""

from __future__ import annotations

import json

import pytest

from scanner.demo import run_demo
from scanner.models import Finding, Severity
from scanner.report._jsonable import dumps, finding_document, to_jsonable
from scanner.report.json import scan_document
from scanner.report.text import json_escape


def _stdlib(document: object) -> str:
    return json_escape(json.dumps(document, indent=2, sort_keys=False, ensure_ascii=False))


@pytest.mark.parametrize(
    "document",
    [
        {"a": [1, 2.5, {"b": None, "c": True, "d": []}, {}], "e": 'x\u2028y\u00e9"\\\n\x85'},
        {"nan": float("nan"), "inf": float("-inf"), "zero": -0.0, "big": 1e300, "i": [[]]},
        [],
        {},
        "text",
        3,
        [1, [2, [3, {"k": {}}]]],
        {1: "a non-string key", "b": (1, 2)},  # left to the standard library
        {"tuple": (1, "two"), "bool": False},
    ],
)
def test_dumps_writes_what_json_dumps_writes(document: object) -> None:
    assert dumps(document) == _stdlib(document)


def test_dumps_on_a_real_scan_document() -> None:
    document = scan_document(run_demo(None))
    assert dumps(document) == _stdlib(document)


def test_a_finding_document_is_every_field_with_the_evidence_as_an_object() -> None:
    f = Finding("CW109", Severity.HIGH, "pkg:pypi/x@1", "message", (("a", "b"), ("c", "d")))
    expected = to_jsonable(f) | {"evidence": {"a": "b", "c": "d"}}
    assert finding_document(f) == expected
    assert list(finding_document(f)) == list(expected)  # same key order in the output
