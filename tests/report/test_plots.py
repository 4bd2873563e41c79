"""The report's plots: SVG elements that can share one page, with untrusted labels kept as text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from scanner.report import plots
from tests.report.html_values import AS_OF, START

SVG = "{http://www.w3.org/2000/svg}"


def _bars(plot_id: str = "p", label: str = "agent") -> str:
    return plots.score_bars(
        [plots.Bar(label, 35, True), plots.Bar("ok", 90, False)], title="T", plot_id=plot_id
    )


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_a_plot_is_one_svg_element_with_prefixed_ids() -> None:
    svg = _bars("plot-x")
    root = ET.fromstring(svg)  # well-formed XML, one root
    assert root.tag == f"{SVG}svg" and root.get("id") == "plot-x"
    assert root.get("width") is None and root.get("viewBox")  # sized by the page's CSS
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert ids and all(i == "plot-x" or i.startswith("plot-x-") for i in ids)
    refs = re.findall(r'(?:url\(#|href="#)([^)"]+)', svg)
    assert all(r.startswith("plot-x-") for r in refs)
    assert not svg.startswith("<?xml") and "<!--" not in svg and "<metadata" not in svg


def test_two_plots_of_the_same_data_share_no_id() -> None:
    a, b = (ET.fromstring(_bars(p)) for p in ("one", "two"))
    ids_a = {e.get("id") for e in a.iter() if e.get("id")}
    ids_b = {e.get("id") for e in b.iter() if e.get("id")}
    assert ids_a and not ids_a & ids_b


def test_labels_stay_text_escaped_and_short() -> None:
    hostile = '<b>"x"</b> \u202eevil \\1 $\\bad{$' + "y" * 60
    svg = _bars(label=hostile)
    texts = _texts(svg)
    label = next(t for t in texts if t.startswith("<b>"))
    assert label.startswith('<b>"x"</b> \\u202eevil \\1 $\\bad{$')  # as written, made visible
    assert len(label) == 40 and label.endswith("\u2026")
    assert "\u202e" not in svg and "<b>" not in svg
    assert "35 (capped)" in texts and "90" in texts


def test_the_title_is_the_accessible_name() -> None:
    svg = plots.score_bars([], title='a "b" <c>', plot_id="p")
    root = ET.fromstring(svg)
    assert root.get("aria-label") == 'a "b" <c>'
    assert root.find(f"{SVG}title") is not None
    assert "no scores" in _texts(svg)


def test_a_timeline_draws_history_changes_and_shifts() -> None:
    history = [plots.Point(START + timedelta(days=d), v) for d, v in ((1, 90), (5, 40))]
    marks = [
        plots.Mark(START + timedelta(days=4), "C1", "gmail-mcp 1.4.2 -> 1.5.0", "shift"),
        plots.Mark(START + timedelta(days=4.2), "S1", "rate:write", "shift", "C1"),
        plots.Mark(START + timedelta(days=2), "S2", "rate:exec", "alarm"),
    ]
    svg = plots.timeline(history, marks, as_of=AS_OF, title="t", plot_id="t")
    texts = _texts(svg)
    assert "C1 gmail-mcp 1.4.2 -> 1.5.0" in texts and "S1" in texts and "S2" in texts
    assert {"score", "changes", "shifts"} <= set(texts)
    assert svg.count(plots.RED.lstrip("#")) >= 3  # the change, the shift, the line between


def test_an_empty_timeline_says_so() -> None:
    svg = plots.timeline([], [], as_of=AS_OF, title="t", plot_id="t")
    assert {"no score history yet", "no change events or shifts"} <= set(_texts(svg))


def test_plots_drawn_in_threads_match_plots_drawn_one_by_one() -> None:
    serial = [_bars(f"p{i}") for i in range(6)]
    with ThreadPoolExecutor(3) as pool:
        threaded = list(pool.map(_bars, [f"p{i}" for i in range(6)]))
    assert threaded == serial
