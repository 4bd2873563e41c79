"""The HTML report: one self-contained page a person opens to see the fleet's trust scores.

``render_html`` is a pure function of typed values: the fleet's scores, their history and the
behaviour analysis. The page needs no network: CSS and the plots (matplotlib, inline SVG) are in
it, it runs no script, and its Content-Security-Policy forbids every load. What a person sees
first: the counts that matter, what needs attention in words (attributed shifts, caps, pact
violations), then the fleet's scores lowest first. Then one section per agent and the
components. Untrusted text is escaped by html_text.t everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from scanner.behavior.model import FleetBehavior, Maturity, Verdict
from scanner.report import plots
from scanner.report.html_agent import AgentView, deductions_table, section
from scanner.report.html_style import CSP, CSS
from scanner.report.html_text import badge, parse_time, t, when
from scanner.report.interface import ReportError
from scanner.report.text import safe
from scanner.score.model import FleetScore, Score, ScorePoint

MAX_AGENT_PLOTS = 20  # each timeline is ~20 kB of SVG and ~0.1 s to draw
MAX_BARS = 40


def render_html(
    fleet: FleetScore,
    history: Sequence[ScorePoint],
    behavior: FleetBehavior,
    *,
    generated_at: str,
    version: str,
    max_agent_plots: int = MAX_AGENT_PLOTS,
    max_bars: int = MAX_BARS,
    note: str = "",
) -> str:
    """The whole report page as one HTML document."""
    as_of = parse_time(fleet.as_of)
    if as_of is None:
        raise ReportError(
            f"the scores' as-of time {safe(fleet.as_of)!r} is not an RFC 3339 time",
            hint="pass --as-of as e.g. 2026-11-03T12:00:00Z",
        )
    views = agent_views(fleet, history, behavior)
    body = [
        _header(fleet, behavior, generated_at=generated_at, version=version),
        "<main>",
        f'<p class="warn">{t(note)}</p>' if note else "",
        _cards(views),
        _attention(views),
        _fleet(views, max_bars),
        "<h2>Agents</h2>",
        *(section(v, i, as_of=as_of, plot=i <= max_agent_plots) for i, v in enumerate(views, 1)),
        _components(fleet.components, max_bars),
        _footer(),
        "</main>",
    ]
    title = f"chainwatch trust report as of {when(fleet.as_of)}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{escape(CSP)}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{CSS}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def agent_views(
    fleet: FleetScore, history: Sequence[ScorePoint], behavior: FleetBehavior
) -> list[AgentView]:
    """Every agent with a score or behaviour, lowest score first (agents without one last)."""
    scores = {s.subject: s for s in fleet.agents}
    behaviors = {b.agent: b for b in behavior.agents}
    points: dict[str, list[ScorePoint]] = {}
    for p in history:
        if p.kind == "agent":
            points.setdefault(p.subject, []).append(p)
    views = [
        AgentView(
            name,
            scores.get(name),
            behaviors.get(name),
            tuple(sorted(points.get(name, []), key=lambda p: (parse_time(p.at) is None, p.at))),
        )
        for name in scores.keys() | behaviors.keys()
    ]
    # Lowest score first; among equals (or without scores), agents with attributed shifts first.
    return sorted(
        views,
        key=lambda v: (v.score is None, v.score.value if v.score else 0, -v.attributed(), v.name),
    )


def _header(fleet: FleetScore, behavior: FleetBehavior, *, generated_at: str, version: str) -> str:
    meta = f"scores as of {when(fleet.as_of)}"
    if parse_time(behavior.as_of) != parse_time(fleet.as_of):
        meta += f"; behaviour as of {when(behavior.as_of)}"
    meta += f"; generated {when(generated_at)} by chainwatch {t(version)}"
    return f"<header><h1>chainwatch supply-chain trust report</h1><p>{meta}</p></header>"


def _cards(views: Sequence[AgentView]) -> str:
    scored = [v for v in views if v.score is not None]
    lowest = scored[0] if scored else None  # views come lowest score first
    immature = sum(
        v.behavior is not None and v.behavior.fingerprint.maturity is not Maturity.MATURE
        for v in views
    )
    pacts = sum(len(v.behavior.pact_violations) for v in views if v.behavior is not None)
    cards = [
        (str(len(views)), "agents"),
        (
            badge(lowest.score.value) if lowest and lowest.score else badge(None),
            f"lowest score: {t(lowest.name)}" if lowest else "lowest score",
        ),
        (str(sum(v.score is not None and v.score.value < 50 for v in views)), "agents below 50"),
        (str(sum(v.attributed() for v in views)), "changes followed by a shift"),
        (str(pacts), "pact violations"),
        (str(immature), "agents with not enough behaviour data yet"),
    ]
    inner = "".join(f'<div class="card"><b>{a}</b><span>{b}</span></div>' for a, b in cards)
    return f'<div class="cards">{inner}</div>'


def _attention(views: Sequence[AgentView]) -> str:
    items = []
    for i, v in enumerate(views, 1):
        link = f'<a href="#agent-{i}">{t(v.name)}</a>'
        if v.behavior is not None:
            items += [
                f"{link}: {t(a.evidence)}"
                for a in v.behavior.attributions
                if a.verdict is Verdict.SHIFT
            ]
            items += [f"{link}: {t(p.message)}" for p in v.behavior.pact_violations]
        if v.score is not None and v.score.caps:
            cap = min(v.score.caps, key=lambda c: c.limit)
            items.append(
                f"{link}: score capped at {cap.limit} by <code>{t(cap.code)}</code>: "
                f"{t(cap.evidence)}"
            )
    if not items:
        return (
            '<div class="attention calm">No attributed behaviour shift, cap or pact violation.'
            "</div>"
        )
    shown = "".join(f"<li>{x}</li>" for x in items[:20])
    more = f"<li>and {len(items) - 20} more in the sections below</li>" if len(items) > 20 else ""
    return f'<div class="attention"><b>Needs attention</b><ul>{shown}{more}</ul></div>'


def _fleet(views: Sequence[AgentView], max_bars: int) -> str:
    scored = [v for v in views if v.score is not None]
    bars = [plots.Bar(safe(v.name), v.score.value, bool(v.score.caps)) for v in scored if v.score]
    plot = plots.score_bars(
        bars[:max_bars], title="Agents' trust scores, lowest first", plot_id="plot-fleet"
    )
    if len(bars) > max_bars:
        plot += f'<p class="muted">The plot shows the {max_bars} lowest of {len(bars)}.</p>'
    rows = []
    for i, v in enumerate(views, 1):
        s, b = v.score, v.behavior
        lost = s.lost() if s else ()
        worst = lost[0] if lost else None
        if b is None:
            data = "no runtime events"
        elif b.fingerprint.maturity is Maturity.MATURE:
            data = f"{b.fingerprint.calls} calls"
        else:
            data = '<span class="warn">not enough data yet</span>'
        rows.append(
            f'<tr><td class="nw">{badge(s.value if s else None)}</td><td><a href="#agent-{i}">'
            f'{t(v.name)}</a></td><td class="num">{len(s.caps) if s else 0}</td>'
            f'<td class="num">{v.attributed()}</td><td>{data}</td>'
            f"<td>{t(worst.evidence) if worst else ''}</td></tr>"
        )
    head = (
        "<tr><th>score</th><th>agent</th><th>caps</th><th>shifts after a change</th>"
        "<th>behaviour data</th><th>largest loss</th></tr>"
    )
    return f"<h2>Fleet</h2>{plot}<table>{head}{''.join(rows)}</table>"


def _components(components: Sequence[Score], max_bars: int) -> str:
    if not components:
        return '<h2>Components</h2><p class="muted">No component scores.</p>'
    low = sorted(components, key=lambda c: (c.value, c.subject))
    bars = [plots.Bar(safe(c.subject), c.value, bool(c.caps)) for c in low[:max_bars]]
    plot = plots.score_bars(bars, title="Components' trust scores, lowest first", plot_id="plot-c")
    parts = ["<h2>Components</h2>", plot]
    for c in low:
        caps = f" capped at {min(x.limit for x in c.caps)}" if c.caps else ""
        parts.append(
            f"<details{' open' if c.value < 80 else ''}><summary>{badge(c.value)} "
            f'{t(c.subject)}<span class="muted">{caps}</span></summary>'
            f"{deductions_table(c)}</details>"
        )
    return "\n".join(parts)


def _footer() -> str:
    return (
        "<footer>Scores are 0-100: the weighted mean of the factors, then limited by caps for "
        "critical facts. Red below 50, amber below 80, green from 80. A factor that could not be "
        "assessed never counts as full marks, and an agent without enough behaviour data is "
        "reported as such, never as a pass. This page loads nothing from the network.</footer>"
    )
