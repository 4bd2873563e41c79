"""The HTML report's plots: matplotlib figures rendered to SVG for inlining in the page.

No pyplot: each plot is a ``Figure`` on the SVG canvas, so nothing global (backends, open figures)
is touched and the module is safe to call from the collector. Text stays text (``svg.fonttype``
``none``), so the browser draws it with local fonts and a reader can select it; matplotlib escapes
it as XML. The page inlines several plots, so every ``id`` is prefixed per plot and comments and
metadata are dropped (they carried the label text and matplotlib's home page address).
"""

from __future__ import annotations

import io
import re
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from scanner.report.text import clean

# Score bands: the colour a score is drawn in (kept in step with the page's CSS classes).
RED, AMBER, GREEN, GREY, BLUE = "#c62828", "#b26a00", "#2e7d32", "#9e9e9e", "#1565c0"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_RC: dict[Any, Any] = {  # (matplotlib types the keys as a Literal of every rc name)
    "date.epoch": _EPOCH.strftime("%Y-%m-%dT%H:%M:%S"),  # what _x counts days from
    "svg.fonttype": "none",
    "svg.hashsalt": "chainwatch",  # stable ids: the same data gives the same page
    "text.parse_math": False,  # a "$" in a package name is text, never mathtext
    "text.usetex": False,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_LABEL_MAX = 40
# rc_context swaps matplotlib's global rcParams: one plot at a time, so a collector rendering in
# worker threads never draws with another request's settings half applied.
_DRAWING = threading.Lock()


@dataclass(frozen=True, slots=True)
class Bar:
    """One subject's score in a bar chart."""

    label: str  # control and bidi characters are shown as escapes before drawing
    value: int
    capped: bool


@dataclass(frozen=True, slots=True)
class Point:
    """One score in a subject's history."""

    at: datetime
    value: int


@dataclass(frozen=True, slots=True)
class Mark:
    """A change event or a behaviour shift on the timeline."""

    at: datetime
    tag: str  # "C1", "S2": the row of the table below the plot that explains it
    label: str
    kind: str  # "shift", "no_shift", "fleet_wide", "not_enough_data" (changes); "alarm"
    change_tag: str | None = None  # for a shift: the change it is attributed to


def _x(at: datetime) -> float:
    """A time as matplotlib's date number (days since the epoch set in _RC)."""
    return (at - _EPOCH).total_seconds() / 86400


def band(value: float) -> str:
    """The colour of a score: red below 50, amber below 80, green from 80."""
    return RED if value < 50 else AMBER if value < 80 else GREEN


def _short(text: str) -> str:
    text = clean(text)  # already done by the page; again here, so no caller can forget it
    return text if len(text) <= _LABEL_MAX else text[: _LABEL_MAX - 1] + "\u2026"


def score_bars(bars: Sequence[Bar], *, title: str, plot_id: str) -> str:
    """A horizontal bar per subject, lowest score on top, the score written at the bar's end."""
    height = 0.9 + 0.28 * max(len(bars), 1)
    with _DRAWING, matplotlib.rc_context(_RC):
        fig = Figure(figsize=(7.5, height), layout="constrained")
        ax = fig.add_subplot()
        ys = list(range(len(bars)))
        values = [b.value for b in bars]
        ax.barh(ys, values, color=[band(v) for v in values], height=0.7)
        ax.set_yticks(ys, [_short(b.label) for b in bars])
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("supply-chain trust score (0-100)")
        for y, b in zip(ys, bars, strict=True):
            note = f"{b.value} (capped)" if b.capped else str(b.value)
            ax.text(min(b.value, 100) + 1, y, note, va="center", fontsize=8)
        for limit in (50, 80):
            ax.axvline(limit, color=GREY, linewidth=0.6, linestyle=":")
        if not bars:
            ax.text(50, 0, "no scores", ha="center", va="center", color=GREY)
        return _svg(fig, plot_id, title)


def timeline(
    history: Sequence[Point],
    marks: Sequence[Mark],
    *,
    as_of: datetime,
    title: str,
    plot_id: str,
    since: datetime | None = None,
) -> str:
    """Score history (top) over the change events and shifts that explain it (bottom).

    ``since``: where the behaviour window starts, so the plot spans what was observed.
    """
    times = [p.at for p in history] + [m.at for m in marks] + [as_of]
    times += [since] if since is not None else []
    start, end = min(times), max(times)
    pad = max((end - start) * 0.04, timedelta(hours=6))
    with _DRAWING, matplotlib.rc_context(_RC):
        # Fixed margins (the axis labels are fixed words): the constrained layout engine
        # measured at ~40% of the drawing time, and a page draws up to 20 of these.
        fig = Figure(figsize=(7.5, 3.4))
        fig.subplots_adjust(left=0.1, right=0.98, top=0.96, bottom=0.11, hspace=0.12)
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(2.2, 1))
        _history(top, history, marks)
        _marks(bottom, marks, _x(start - pad), _x(end + pad))
        for ax in (top, bottom):
            ax.axvline(_x(as_of), color=GREY, linewidth=0.8, linestyle="--")
        top.text(_x(as_of), 2, "as of ", fontsize=7, color=GREY, ha="right", va="bottom")
        locator = AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
        bottom.xaxis.set_major_locator(locator)
        formatter = ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
        bottom.xaxis.set_major_formatter(formatter)
        bottom.set_xlim(_x(start - pad), _x(end + pad))
        return _svg(fig, plot_id, title)


def _history(ax: Axes, history: Sequence[Point], marks: Sequence[Mark]) -> None:
    ax.set_ylim(0, 105)
    ax.set_ylabel("score")
    for low, high, colour in ((0, 50, RED), (50, 80, AMBER), (80, 100, GREEN)):
        ax.axhspan(low, high, color=colour, alpha=0.06, linewidth=0)
    if history:
        xs, ys = [_x(p.at) for p in history], [p.value for p in history]
        # A score holds until it is recomputed: a step plot, not a line that invents values.
        ax.step(xs, ys, where="post", color="#37474f", linewidth=1.6)
        ax.scatter(xs, ys, c=[band(v) for v in ys], s=22, zorder=3)
    else:
        ax.text(0.5, 0.5, "no score history yet", transform=ax.transAxes, ha="center", color=GREY)
    for m in marks:
        if m.kind == "shift" and m.change_tag is None:  # a change a shift followed: carry its
            # line up through the history, where the score drop shows
            ax.axvline(_x(m.at), color=RED, linewidth=1, linestyle="--", alpha=0.8)


_OFFSET = "offset points"
_CHANGE_COLOUR = {"shift": RED, "no_shift": GREY, "fleet_wide": BLUE, "not_enough_data": GREY}


def _marks(ax: Axes, marks: Sequence[Mark], left: float, right: float) -> None:
    ax.set_ylim(-0.7, 1.7)
    ax.set_yticks([0, 1], ["shifts", "changes"])
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    where = {m.tag: m for m in marks if m.change_tag is None and m.kind != "alarm"}
    words = len(marks) <= 8  # with many marks only the tags fit; the table below has the words
    # Shifts found at one time (a change's rate, mix and risky tests) share one triangle.
    shifts: dict[tuple[datetime, str | None], list[str]] = {}
    for m in marks:
        if m.kind == "alarm" or m.change_tag is not None:
            shifts.setdefault((m.at, m.change_tag), []).append(m.tag)
    for (at, change_tag), tags in shifts.items():
        ax.scatter([_x(at)], [0], marker="^", s=60, color=RED if change_tag else AMBER, zorder=3)
        change = where.get(change_tag or "")
        if change is not None:
            ax.plot([_x(change.at), _x(at)], [1, 0], color=RED, linewidth=0.9, alpha=0.7)
        label = tags[0] if len(tags) == 1 else f"{tags[0]}-{tags[-1]}"
        ax.annotate(label, (_x(at), 0), xytext=(4, -12), textcoords=_OFFSET, fontsize=7)
    for m in marks:
        if m.kind == "alarm" or m.change_tag is not None:
            continue
        colour = _CHANGE_COLOUR.get(m.kind, GREY)
        hollow = m.kind == "not_enough_data"
        ax.scatter(
            [_x(m.at)],
            [1],
            marker="D",
            s=40,
            zorder=3,
            edgecolors=colour,
            facecolors="none" if hollow else colour,
        )
        text = f"{m.tag} {_short(m.label)}" if words else m.tag
        # Near the right edge the words run leftwards, so they stay inside the figure.
        late = (_x(m.at) - left) > 0.6 * (right - left)
        ax.annotate(
            text,
            (_x(m.at), 1),
            xytext=(-4 if late else 4, 6),
            textcoords=_OFFSET,
            fontsize=7,
            ha="right" if late else "left",
        )
    if not marks:
        ax.text(0.5, 0.5, "no change events or shifts", transform=ax.transAxes, ha="center")


_HEAD = re.compile(r"\A.*?(?=<svg\b)", re.S)
_DROP = re.compile(r"<!--.*?-->\s*|<metadata>.*?</metadata>\s*", re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|href="#)([^)"]+)')
_ROOT_SIZE = re.compile(r'<svg([^>]*?) width="[^"]*" height="[^"]*"')


def _svg(fig: Figure, plot_id: str, title: str) -> str:
    """The figure as an ``<svg>`` element for an HTML page (ids prefixed with ``plot_id``)."""
    FigureCanvasSVG(fig)
    out = io.StringIO()
    with warnings.catch_warnings():
        # Names may use scripts the bundled font lacks; the browser draws them from its own
        # fonts (text stays text), so matplotlib's missing-glyph warning is not a fault here.
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        fig.savefig(out, format="svg", metadata={"Date": None})
    text = _DROP.sub("", _HEAD.sub("", out.getvalue()))
    text = _ID.sub(lambda m: f'id="{plot_id}-{m.group(1)}"', text)
    text = _REF.sub(lambda m: f"{m.group(1)}{plot_id}-{m.group(2)}", text)
    label = escape(title, quote=True)
    root = f'id="{plot_id}" class="plot" role="img" aria-label="{label}"'
    # A function, not a template: the label may hold backslashes (re would read them).
    text = _ROOT_SIZE.sub(lambda m: f"<svg{m.group(1)} {root}", text, count=1)
    # The accessible name, and the tooltip a reader sees over the plot.
    return text.replace(">", f"><title>{escape(title)}</title>", 1)
