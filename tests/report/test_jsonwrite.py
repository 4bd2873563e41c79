"""The fast JSON writer writes exactly what json.dumps(indent=2, ensure_ascii=False) writes.

Property tests on arbitrary nested documents (and on lists of objects that share their keys, the
shape the writer batches), plus the real check document of the demo fleet.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import tomllib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scanner
from scanner.check import check_scan
from scanner.demo import demo_policy, recorded_at, run_demo
from scanner.report import _jsonwrite
from scanner.report._jsonable import dumps
from scanner.report._jsonwrite import Rows, plain, write
from scanner.report.check_json import check_document
from scanner.report.text import json_escape
from scanner.scan import ScanResult
from tests.conftest import REPO


def _stdlib(document: Any) -> str:
    return json.dumps(plain(document), indent=2, ensure_ascii=False)


# Text that trips a naive writer: the batch separator (NUL), %-formatting, quotes, escapes.
_TRICKY = st.sampled_from(["", "%s", "%", "a%%b", "\x00", '"', "\\", "\n", "\x7f\x85\u2028", "é"])
_TEXT = st.text(max_size=8) | _TRICKY
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | _TEXT
)


def _alike(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Lists of dicts that share their keys, and Rows (the writer's batched shape)."""
    keys = st.lists(_TEXT, min_size=1, max_size=4, unique=True)
    dicts = keys.flatmap(
        lambda ks: st.lists(st.fixed_dictionaries(dict.fromkeys(ks, children)), max_size=5)
    )
    rows = st.tuples(keys, st.integers(0, 4)).flatmap(lambda kn: _rows(kn[0], kn[1], children))
    return dicts | rows


def _rows(keys: list[str], count: int, children: st.SearchStrategy[Any]) -> st.SearchStrategy[Rows]:
    columns = st.tuples(*(st.lists(children, min_size=count, max_size=count) for _ in keys))
    return columns.map(lambda c: Rows(tuple(keys), c))


_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=5)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(_TEXT, children, max_size=5)
        | _alike(children)
    ),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(_DOCUMENTS)
def test_write_is_json_dumps_on_any_document(document: Any) -> None:
    assert write(document) == _stdlib(document)


@pytest.mark.parametrize(
    "document",
    [
        {1: "a non-string key", "b": [{2: "x"}, {2: "y"}]},  # left to the standard library
        [{"a": 1}, {"a": "x", "b": None}, {}, [], [1, [2]], "s", Rows(("k",), ([{"n": 1}],))],
        [[1, 2], [3, 4], [5, 6]],  # equally long lists: one template
        [[1], [], [2, 3]],
    ],
)
def test_write_is_json_dumps_on_the_writers_edge_cases(document: Any) -> None:
    assert write(document) == _stdlib(document)


def test_a_value_the_writer_does_not_know_falls_back_to_the_standard_library() -> None:
    class Text(str):
        pass

    with pytest.raises(TypeError):
        write({"a": object()})  # as json.dumps does
    assert write([Text("x"), {"k": Text("y")}]) == _stdlib([Text("x"), {"k": Text("y")}])


def test_rows_needs_a_key_and_equally_long_columns() -> None:
    with pytest.raises(ValueError, match="equally long"):
        Rows(("a", "b"), ([1], [1, 2]))
    with pytest.raises(ValueError, match="at least one key"):
        Rows((), ())
    assert Rows(("a", "b"), ([1, 2], ["x", "y"])).dicts() == [
        {"a": 1, "b": "x"},
        {"a": 2, "b": "y"},
    ]


def test_json_escape_still_escapes_del_and_invisible_characters_in_ascii_documents() -> None:
    assert json_escape('{"a": "x\x7fy"}') == '{"a": "x\\u007fy"}'
    assert json_escape('{"a": "x\u202ey"}') == '{"a": "x\\u202ey"}'
    plain_ascii = '{"a": "plain"}'
    assert json_escape(plain_ascii) is plain_ascii


@pytest.fixture(scope="module")
def demo_scan() -> ScanResult:
    """The demo fleet scanned and audited once for the module."""
    return run_demo(None, audit=True)


@pytest.mark.parametrize(
    ("accepted", "days_later"),
    [(False, 0), (True, 0), (True, 3650)],  # failing; ignores applied; ignores expired
)
def test_the_check_document_is_written_as_json_dumps_writes_it(
    demo_scan: ScanResult, accepted: bool, days_later: int
) -> None:
    result = check_scan(
        demo_scan, demo_policy(accepted=accepted), recorded_at() + dt.timedelta(days=days_later)
    )
    document = check_document(result)
    assert isinstance(document["components"], Rows)
    assert len(document["components"]) == len(result.verdicts) > 0
    assert dumps(document) == json_escape(_stdlib(document))
    written = json.loads(dumps(document))
    assert written["findings"] == [
        {"agent": agent, **plain_finding} for agent, plain_finding in _findings(result)
    ]


def _findings(result: ScanResult) -> list[tuple[str | None, dict[str, Any]]]:
    return [
        (
            agent,
            {
                "code": f.code,
                "severity": f.severity.value,
                "subject": f.subject,
                "message": f.message,
                "evidence": dict(f.evidence),
            },
        )
        for agent, f in result.findings
    ]


def test_the_reported_version_is_the_installed_distributions() -> None:
    # chainwatch_version() reads scanner.__version__ (importlib.metadata is slow to import):
    # it must match what is installed and what pyproject.toml declares.
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert scanner.__version__ == importlib.metadata.version("chainwatch") == declared


def test_without_the_c_encoder_every_document_is_the_standard_librarys(monkeypatch) -> None:
    # An interpreter without CPython's C encoder (json.encoder.c_make_encoder is None) still
    # writes the same text, through the standard library.
    monkeypatch.setattr(_jsonwrite, "_batch", None)
    document = {"a": [1, 2.5, None, True, "x"], "rows": Rows(("k",), (["v", "w"],))}
    expected = json.dumps(plain(document), indent=2, ensure_ascii=False)
    assert write(document) == expected
