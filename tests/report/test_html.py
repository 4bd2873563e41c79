"""The HTML report page: what it says, that it loads nothing, and that hostile text stays text."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from scanner.report.html import render_html
from scanner.report.html_style import CSP
from scanner.report.interface import ReportError
from scanner.score.model import FleetScore
from tests.report.html_values import at, fleet

HOSTILE = [
    "<script>window.__pwned = 1</script>",
    '"><img src=x onerror="window.__pwned=1">',
    "' onmouseover='window.__pwned=1",
    "</style><style>body{display:none}</style>",
    "</svg></title><script>alert(1)</script>",
    "bidi\u202egnp.exe",
    "ctl\x1b[2J\x00\x07\nforged line",
    "price $\\bad{$ x",  # invalid mathtext: matplotlib would raise if it parsed it
    "-->--!><!--",
    "token ghp_" + "a" * 36,
]


class Page(HTMLParser):
    """Every start tag with its attributes, and the text, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> Page:
    p = Page()
    p.feed(page)
    p.close()
    return p


def render(text: str | None = None, name: str = "mail-assistant", **kwargs: int) -> str:
    f, h, b = fleet(name, text=text)
    return render_html(f, h, b, generated_at=at(10.5), version="0.1.0", **kwargs)


@pytest.fixture(scope="module")
def page() -> str:
    return render()


def test_the_page_names_every_agent_score_shift_and_lost_point(page: str) -> None:
    f, _, b = fleet()
    text = " ".join(parse(page).text)
    for s in f.agents:
        assert s.subject in text
        assert f">{s.value}<" in page
        for d in s.lost():
            assert d.evidence in text and d.code in text  # every lost point names its finding
    mail = next(x for x in b.agents if x.agent == "mail-assistant")
    shifted = mail.attributions[1]
    assert shifted.evidence in text
    assert "gmail-mcp 1.4.2 -> 1.5.0" in text and "attributed to" in text
    assert "not enough data yet" in text  # the immature agent is never shown as a pass
    assert "not assessed:" in text  # its unchecked factor says so
    assert "peers shifted too" in text  # the fleet-wide case is told apart
    assert "(pact from scan 12)" in text
    assert "capped at 40 (CW900): shift" in text and "Score history (3 points" in text


def test_lowest_score_comes_first(page: str) -> None:
    names = re.findall(r'<a href="#agent-\d+">([^<]+)</a></td>', page)
    assert names[:3] == ["mail-assistant", "fresh-agent", "ci-bot"]


def test_the_page_loads_nothing_and_runs_no_script(page: str) -> None:
    p = parse(page)
    head = [tag for tag, _ in p.tags[:4]]
    assert head[:3] == ["html", "head", "meta"]  # charset first, then the policy
    policy = [a for tag, a in p.tags if tag == "meta" and a.get("http-equiv")]
    assert policy == [{"http-equiv": "Content-Security-Policy", "content": CSP}]
    assert "default-src 'none'" in CSP and "script-src" not in CSP  # falls back to 'none'
    for tag, attrs in p.tags:
        assert tag not in {"script", "link", "img", "iframe", "object", "embed", "image"}
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "src" not in attrs
        href = attrs.get("href") or attrs.get("xlink:href")
        assert href is None or href.startswith("#"), href
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert "@import" not in page and "url(http" not in page


def test_plots_are_inline_svg_with_unique_ids(page: str) -> None:
    p = parse(page)
    plots = [a for tag, a in p.tags if tag == "svg"]
    assert len(plots) == 2 + 3  # fleet, components, one timeline per agent
    assert all("viewbox" in a and "plot" in (a.get("class") or "") for a in plots)
    ids = [a["id"] for _, a in p.tags if a.get("id")]
    assert len(ids) == len(set(ids))
    refs = set(re.findall(r'(?:url\(#|href="#)([^)"]+)', page))
    assert refs <= set(ids)  # every clip path and link points into the page
    assert "<!--" not in page and "<metadata>" not in page


def test_only_the_lowest_agents_are_plotted_and_the_page_says_so() -> None:
    page = render(max_agent_plots=1)
    p = parse(page)
    assert len([t for t, _ in p.tags if t == "svg"]) == 2 + 1
    assert page.count("Plot left out") == 2


@pytest.fixture(scope="module")
def clean_tags(page: str) -> list[str]:
    return [tag for tag, _ in parse(page).tags]


@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_stays_text(hostile: str, clean_tags: list[str]) -> None:
    page = render(hostile, name=hostile)  # the agent's name too
    p = parse(page)
    tags = [tag for tag, _ in p.tags]
    assert tags.count("script") == tags.count("img") == 0
    assert tags.count("style") == 1 + 5  # the page's own, one per plot (matplotlib's)
    assert tags == clean_tags  # the text added or removed no element at all
    for _, attrs in p.tags:
        assert not any(name.startswith("on") for name in attrs)
    # Control, bidi and invisible characters never reach the page raw.
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", page)
    assert "ghp_" + "a" * 36 not in page  # secrets are redacted before display
    if "<script>" in hostile:
        assert "&lt;script&gt;" in page


def test_bidi_and_controls_are_shown_as_visible_escapes() -> None:
    text = " ".join(parse(render("bidi\u202egnp.exe ctl\x1b[2J")).text)
    assert "bidi\\u202egnp.exe ctl\\x1b[2J" in text


def test_agents_with_only_a_score_or_only_behaviour_are_both_shown() -> None:
    f, h, b = fleet()
    only_score = FleetScore(f.as_of, f.agents, f.components)
    only_behavior = replace(b, agents=b.agents[:1])
    page = render_html(only_score, h, only_behavior, generated_at=at(10), version="x")
    assert page.count("no runtime events") >= 2  # table row and section of each such agent
    no_scores = render_html(FleetScore(f.as_of, (), ()), [], b, generated_at=at(10), version="x")
    assert "no score computed" in no_scores and "No component scores." in no_scores


def test_an_unparsable_as_of_is_an_error_that_says_what_to_pass() -> None:
    f, h, b = fleet()
    with pytest.raises(ReportError, match="not an RFC 3339 time"):
        render_html(replace(f, as_of="yesterday"), h, b, generated_at=at(10), version="x")


def test_history_with_an_unparsable_time_is_plotted_without_it_and_says_so() -> None:
    f, h, b = fleet()
    bad = [*h, replace(h[0], at="not a time")]
    page = render_html(f, bad, b, generated_at=at(10), version="x")
    assert "1 entries left out of the plot: their time did not parse." in page


def test_points_lost_without_evidence_are_called_out() -> None:
    f, h, b = fleet()
    score = f.agents[-1]
    factor = score.factors[0]
    short = replace(factor, value=factor.value - 12)  # 12 more points lost than named
    bad = replace(score, factors=(short, *score.factors[1:]))
    page = render_html(
        replace(f, agents=(*f.agents[:-1], bad)), h, b, generated_at=at(10), version="x"
    )
    assert "12.0 points without evidence" in page


def test_same_values_give_the_same_page() -> None:
    assert render() == render()
