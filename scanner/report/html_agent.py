"""One agent's part of the HTML report: score, timeline plot, changes and shifts, lost points."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from scanner.behavior.model import AgentBehavior, Maturity, Shift, Verdict
from scanner.report import plots
from scanner.report.html_text import badge, num, p_value, parse_time, t, when
from scanner.report.text import safe
from scanner.score.model import Cap, Score, ScorePoint


@dataclass(frozen=True, slots=True)
class AgentView:
    """What the report knows about one agent (either side may be missing)."""

    name: str
    score: Score | None
    behavior: AgentBehavior | None
    history: tuple[ScorePoint, ...]  # this agent's, oldest first

    def attributed(self) -> int:
        """How many change events a shift was attributed to."""
        if self.behavior is None:
            return 0
        return sum(a.verdict is Verdict.SHIFT for a in self.behavior.attributions)


@dataclass(frozen=True, slots=True)
class _Tagged:
    tag: str
    shift: Shift
    change_tag: str | None  # None: a continuous alarm not tied to a change event


def _tagged_shifts(behavior: AgentBehavior) -> list[_Tagged]:
    out: list[_Tagged] = []
    for i, a in enumerate(behavior.attributions, 1):
        if a.verdict is Verdict.SHIFT:
            out.extend(_Tagged("", s, f"C{i}") for s in a.shifts)
    out.extend(_Tagged("", s, None) for s in behavior.alarms)
    return [_Tagged(f"S{i}", x.shift, x.change_tag) for i, x in enumerate(out, 1)]


def marks(behavior: AgentBehavior | None) -> tuple[list[plots.Mark], int]:
    """The timeline's marks, and how many were left out because their time did not parse."""
    if behavior is None:
        return [], 0
    out: list[plots.Mark] = []
    bad = 0
    for i, a in enumerate(behavior.attributions, 1):
        at = parse_time(a.change.at)
        if at is None:
            bad += 1
            continue
        out.append(plots.Mark(at, f"C{i}", a.change.label(), a.verdict.value))
    for s in _tagged_shifts(behavior):
        at = parse_time(s.shift.at)
        if at is None:
            bad += 1
            continue
        kind = "shift" if s.change_tag else "alarm"
        out.append(plots.Mark(at, s.tag, s.shift.feature, kind, s.change_tag))
    return out, bad


def history_points(history: Sequence[ScorePoint]) -> tuple[list[plots.Point], int]:
    """The plottable history, and how many points were left out (unparsable time)."""
    out = [plots.Point(at, p.value) for p in history if (at := parse_time(p.at)) is not None]
    return out, len(history) - len(out)


def section(view: AgentView, index: int, *, as_of: datetime, plot: bool) -> str:
    """The agent's section; ``plot`` False leaves the plot out (with a note saying so)."""
    s = view.score
    head = f"<h3>{badge(s.value if s else None)} <span>{t(view.name)}</span></h3>"
    parts = [f'<section class="agent" id="agent-{index}">', head, _facts(view)]
    if plot:
        parts.append(_plot(view, index, as_of))
    else:
        parts.append(
            '<p class="muted">Plot left out: only the lowest-scored agents are plotted; '
            "the tables below are complete.</p>"
        )
    if view.behavior is not None:
        parts += [_changes(view.behavior), _shifts(view.behavior), _pact(view.behavior)]
    if s is not None:
        parts += [_caps(s.caps), factors_table(s), deductions_table(s)]
    parts.append(_history_table(view.history))
    parts.append("</section>")
    return "\n".join(p for p in parts if p)


def _facts(view: AgentView) -> str:
    facts = []
    s, b = view.score, view.behavior
    if s is None:
        facts.append('<span class="warn">no score computed</span>')
    else:
        facts.append(f"as of {when(s.as_of)}; weighted mean before caps {num(s.uncapped)}")
    if b is None:
        facts.append("no runtime events: behaviour not assessed")
    elif b.fingerprint.maturity is Maturity.MATURE:
        f = b.fingerprint
        facts.append(f"behaviour: {f.calls} calls over {f.days:.1f} days")
    else:
        reason = t(b.fingerprint.maturity_reason)
        facts.append(f'<span class="warn">behaviour: not enough data yet</span> ({reason})')
    return f'<p class="muted">{"; ".join(facts)}</p>'


def _plot(view: AgentView, index: int, as_of: datetime) -> str:
    points, bad_points = history_points(view.history)
    found, bad_marks = marks(view.behavior)
    title = f"Score history and behaviour timeline of {safe(view.name)}"
    since = parse_time(view.behavior.fingerprint.start) if view.behavior else None
    svg = plots.timeline(
        points, found, as_of=as_of, title=title, plot_id=f"plot-agent-{index}", since=since
    )
    bad = bad_points + bad_marks
    note = f'<p class="warn">{bad} entries left out of the plot: their time did not parse.</p>'
    return svg + (note if bad else "")


def _changes(b: AgentBehavior) -> str:
    if not b.attributions:
        return '<h4>Changes</h4><p class="muted">No change event was tested.</p>'
    rows = []
    for i, a in enumerate(b.attributions, 1):
        c = a.change
        what = f'{t(c.label())} <span class="muted">({t(c.kind)}, from {t(c.cause)})</span>'
        verdict = a.verdict.value.replace("_", " ")
        rows.append(
            f'<tr><td class="nw">C{i}</td><td class="nw">{when(c.at)}</td><td>{what}</td>'
            f'<td class="nw verdict-{a.verdict.value}">{verdict}</td><td>{t(a.evidence)}</td></tr>'
        )
    head = "<tr><th></th><th>when</th><th>change</th><th>verdict</th><th>evidence</th></tr>"
    return f"<h4>Changes and what followed</h4><table>{head}{''.join(rows)}</table>"


def _shifts(b: AgentBehavior) -> str:
    tagged = _tagged_shifts(b)
    if not tagged:
        return ""
    rows = []
    for x in tagged:
        s = x.shift
        stats = [f"p {p_value(s.p_value)}", f"q {p_value(s.q_value)}"]
        if s.rate_ratio is not None:
            stats.append(f"RR {num(s.rate_ratio)} [{num(s.ci_low)}-{num(s.ci_high)}]")
        if s.jsd_bits is not None:
            stats.append(f"JSD {num(s.jsd_bits, 3)} bits")
        if s.peers_shifted is not None:
            stats.append("peers shifted too" if s.peers_shifted else "peers did not shift")
        cause = x.change_tag or '<span class="muted">none (continuous alarm)</span>'
        rows.append(
            f'<tr><td class="nw">{x.tag}</td><td class="nw">{when(s.at)}</td>'
            f'<td class="id">{t(s.feature)}</td>'
            f'<td class="id">{t(s.detector)}</td><td>{t(s.evidence)}</td>'
            f"<td>{'; '.join(stats)}</td><td>{cause}</td></tr>"
        )
    head = (
        "<tr><th></th><th>when</th><th>feature</th><th>detector</th><th>evidence</th>"
        "<th>statistics</th><th>attributed to</th></tr>"
    )
    return f"<h4>Behaviour shifts</h4><table>{head}{''.join(rows)}</table>"


def _pact(b: AgentBehavior) -> str:
    if not b.pact_violations:
        return ""
    rows = [
        f'<tr><td class="id">{t(v.action_class)}</td><td class="num">{v.calls}</td>'
        f"<td>{when(v.first_at)} \u2013 {when(v.last_at)}</td>"
        f'<td class="num">{_limit(v.observed_per_hour, v.limit_per_hour)}</td>'
        f"<td>{t(v.message)}</td></tr>"
        for v in b.pact_violations
    ]
    head = (
        "<tr><th>action class</th><th>calls</th><th>between</th>"
        "<th>per hour / limit</th><th>message</th></tr>"
    )
    source = f' <span class="muted">(pact from {t(b.pact_source)})</span>' if b.pact_source else ""
    return f"<h4>Pact violations{source}</h4><table>{head}{''.join(rows)}</table>"


def _limit(observed: float | None, limit: float | None) -> str:
    if limit is None:
        return "not allowed by the pact"
    return f"{num(observed)} / {num(limit)}"


_HISTORY_ROWS = 50


def _history_table(history: Sequence[ScorePoint]) -> str:
    if not history:
        return ""
    newest = list(reversed(history))[:_HISTORY_ROWS]
    rows = [
        f'<tr><td class="nw">{when(p.at)}</td><td>{badge(p.value)}</td>'
        f"<td>{t(p.cause)}</td><td>{t(p.why)}</td></tr>"
        for p in newest
    ]
    more = len(history) - len(newest)
    note = f'<p class="muted">and {more} older points</p>' if more else ""
    head = "<tr><th>when</th><th>score</th><th>recomputed by</th><th>why</th></tr>"
    return (
        f"<details><summary>Score history ({len(history)} points, newest first)</summary>"
        f"<table>{head}{''.join(rows)}</table>{note}</details>"
    )


def _caps(caps: Sequence[Cap]) -> str:
    if not caps:
        return ""
    rows = [
        f'<tr><td class="num">{c.limit}</td><td class="id"><code>{t(c.code)}</code></td>'
        f"<td>{t(c.subject)}</td><td>{t(c.evidence)}</td></tr>"
        for c in sorted(caps, key=lambda c: c.limit)
    ]
    head = "<tr><th>capped at</th><th>code</th><th>subject</th><th>evidence</th></tr>"
    return f"<h4>Caps (the lowest decides)</h4><table>{head}{''.join(rows)}</table>"


def factors_table(s: Score) -> str:
    """Each factor's weight and value, and any points lost without recorded evidence."""
    rows = []
    for f in s.factors:
        named = sum(d.points for d in f.deductions)
        status = ""
        if f.unchecked is not None:
            status = f'<span class="warn">not assessed:</span> {t(f.unchecked)}'
        elif 100 - f.value > named + 0.05:
            # Every lost point should name its evidence; say so when some do not.
            missing = 100 - f.value - named
            status = f'<span class="warn">{missing:.1f} points without evidence</span>'
        rows.append(
            f'<tr><td class="nw">{t(f.name.value)}</td><td class="num">{num(f.weight, 2)}</td>'
            f'<td class="num">{num(f.value)}</td><td class="num">{len(f.deductions)}</td>'
            f"<td>{status}</td></tr>"
        )
    head = "<tr><th>factor</th><th>weight</th><th>value</th><th>deductions</th><th></th></tr>"
    return f"<h4>Factors</h4><table>{head}{''.join(rows)}</table>"


def deductions_table(s: Score) -> str:
    """Every lost point with its finding, largest first, and what it cost the score."""
    lost = s.lost()
    if not lost:
        return '<p class="muted">No points lost.</p>'
    weights = {f.name: f.weight for f in s.factors}
    total = sum(weights.values()) or 1.0
    rows = [
        f'<tr><td class="num">-{num(d.points)}</td><td class="num">'
        f"-{num(d.points * weights.get(d.factor, 0.0) / total)}</td>"
        f'<td class="nw">{t(d.factor.value)}</td><td class="id"><code>{t(d.code)}</code></td>'
        f"<td>{t(d.subject)}</td><td>{t(d.evidence)}</td></tr>"
        for d in lost
    ]
    head = (
        "<tr><th>factor points</th><th>score points</th><th>factor</th><th>finding</th>"
        "<th>subject</th><th>evidence</th></tr>"
    )
    return f"<h4>Where the points went</h4><table>{head}{''.join(rows)}</table>"
