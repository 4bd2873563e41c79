"""The gate: the one place that decides whether a run fails, and says why in a few lines.

Rules, each independent; any rule that trips makes the run fail (exit 1):

1. ``unchecked``: a component that could not be checked (fetch failed, not on the registry, a
   container image, a remote server, a local script, a launch chainwatch cannot identify) fails
   the run unless it is allowed by name (``--allow NAME``) or all are (``--allow-unchecked``).
   Its own CW207/CW212 finding is judged by this rule only, so allowing it really allows it. A run
   that found no component at all is not a pass either (a wrong path must not look clean).
2. ``fail-on``: any other finding at or above the ``--fail-on`` severity.
3. ``require-verified``: a registry package (PyPI, npm) that is not ``verified``.
4. ``min-score`` (``check --min-score N``): an agent whose trust score is below N, or whose
   score could not be computed (fail closed); ``score_trips`` adds these to a decision.

Without a trip, inputs that could not be read make the exit 4; otherwise 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from attestations.result import Status
from scanner.checks.codes import Code, finding
from scanner.checks.status import Unchecked, unchecked
from scanner.models import Component, Finding, Severity
from scanner.verdict import Verdict

if TYPE_CHECKING:
    from scanner.score.model import Score

EXIT_OK, EXIT_GATE, EXIT_PARTIAL = 0, 1, 4
_UNCHECKED_CODES = frozenset({Code.FETCH_FAILED.value, Code.UNRESOLVED.value})
_AUDIT_INCOMPLETE = Code.AUDIT_INCOMPLETE.value
_SHOWN = 4  # names listed per line before "and N more"


class Rule(StrEnum):
    """The gate's rules, as named in its output."""

    UNCHECKED = "unchecked"
    FAIL_ON = "fail-on"
    REQUIRE_VERIFIED = "require-verified"
    MIN_SCORE = "min-score"


@dataclass(frozen=True, slots=True)
class GatePolicy:
    """What fails a run. The defaults fail closed."""

    fail_on: Severity | None = Severity.HIGH  # None: no severity rule ("--fail-on never")
    require_verified: bool = False
    allow_unchecked: bool = False
    allow: frozenset[str] = frozenset()  # names, purls (with or without version) or URLs
    min_score: int | None = None  # `check --min-score N`: agents scoring below N fail


@dataclass(frozen=True, slots=True)
class Trip:
    """One reason the gate failed: the rule and the subject it tripped on."""

    rule: Rule
    subject: str  # name@version, URL or file
    detail: str


@dataclass(frozen=True, slots=True)
class NotChecked:
    """A component the run could not check, why, and whether the policy allows it."""

    subject: str
    why: Unchecked
    allowed: bool


@dataclass(frozen=True, slots=True)
class GateDecision:
    """The gate's verdict on a run."""

    policy: GatePolicy
    total: int
    not_checked: tuple[NotChecked, ...]
    trips: tuple[Trip, ...]
    unreadable_inputs: int = 0

    @property
    def exit_code(self) -> int:
        """1 when any rule tripped, else 4 when some input could not be read, else 0."""
        if self.trips:
            return EXIT_GATE
        return EXIT_PARTIAL if self.unreadable_inputs else EXIT_OK

    def lines(self) -> list[str]:
        """The last lines of a run: what was not checked and why, and what tripped on what."""
        out = [f"checked {self.total - len(self.not_checked)} of {self.total} components"]
        if self.not_checked:
            allowed = sum(n.allowed for n in self.not_checked)
            note = f" ({allowed} allowed)" if allowed else ""
            out[0] += f"; {len(self.not_checked)} NOT checked{note}:"
            by_why: dict[Unchecked, list[str]] = {}
            for n in self.not_checked:
                by_why.setdefault(n.why, []).append(n.subject)
            for why, subjects in sorted(by_why.items(), key=lambda kv: -len(kv[1])):
                out.append(f"  {len(subjects)} {why.value}: {_names(subjects)}")
        if self.unreadable_inputs:
            out.append(f"{self.unreadable_inputs} input(s) could not be read (see errors above)")
        if not self.trips:
            out.append(f"gate: pass (exit {self.exit_code})")
            return out
        out.append(f"gate: FAIL (exit {self.exit_code})")
        by_rule: dict[Rule, list[Trip]] = {}
        for t in self.trips:
            by_rule.setdefault(t.rule, []).append(t)
        for rule, trips in by_rule.items():
            if rule is Rule.MIN_SCORE:
                label_ = f"--min-score {self.policy.min_score}"
                out += [f"  {label_} tripped on {t.subject}: {t.detail}" for t in trips]
                continue
            details = Counter(t.detail for t in trips)
            what = ", ".join(f"{n} {d}" for d, n in details.most_common())
            out.append(f"  {_rule_label(rule, self.policy)} tripped on {what}: ")
            out[-1] += _names([t.subject for t in trips])
            if rule is Rule.UNCHECKED:
                out.append("    allow them with --allow-unchecked, or one by one with --allow NAME")
        return out


def decide(
    verdicts: Iterable[Verdict],
    findings: Sequence[tuple[str | None, Finding]],
    policy: GatePolicy,
    *,
    unreadable_inputs: int = 0,
) -> GateDecision:
    """Apply ``policy`` to a run's verdicts and findings."""
    verdicts = list(verdicts)
    not_checked: list[NotChecked] = []
    trips: list[Trip] = []
    for v in verdicts:
        why = unchecked(v)
        if why is None:
            continue
        ok = policy.allow_unchecked or _allowed(v.component, policy.allow)
        not_checked.append(NotChecked(label(v.component), why, ok))
        if not ok:
            trips.append(Trip(Rule.UNCHECKED, label(v.component), v.status.value))
    if not verdicts and not policy.allow_unchecked:
        trips.append(Trip(Rule.UNCHECKED, "(the inputs)", "no component found"))
    # An audit that could not be completed is "not checked" too: no clean from nothing.
    by_purl = {v.component.purl: v.component for v in verdicts}
    for _, f in findings:
        if f.code != _AUDIT_INCOMPLETE:
            continue
        c = by_purl.get(f.subject)
        ok = policy.allow_unchecked or (c is not None and _allowed(c, policy.allow))
        trip = Trip(Rule.UNCHECKED, _subject(f.subject), "audit incomplete")
        if not ok and trip not in trips:
            trips.append(trip)
    governed = {v.component.purl for v in verdicts if unchecked(v) is not None}
    if policy.fail_on is not None:
        threshold = policy.fail_on.rank
        seen: set[tuple[str, str]] = set()
        for _, f in findings:
            own = f.code in _UNCHECKED_CODES and f.subject in governed
            own = own or f.code == _AUDIT_INCOMPLETE  # judged by the unchecked rule above
            if own or f.severity.rank < threshold:
                continue
            if (f.code, f.subject) not in seen:
                seen.add((f.code, f.subject))
                trips.append(Trip(Rule.FAIL_ON, _subject(f.subject), f"{f.code} {f.severity}"))
    if policy.require_verified:
        trips.extend(
            Trip(Rule.REQUIRE_VERIFIED, label(v.component), v.status.value)
            for v in verdicts
            if v.component.ecosystem in {"pypi", "npm"} and v.status is not Status.VERIFIED
        )
    return GateDecision(policy, len(verdicts), tuple(not_checked), tuple(trips), unreadable_inputs)


def score_trips(
    decision: GateDecision,
    minimum: int,
    agents: Sequence[tuple[str, str]],
    scores: Sequence[Score],
    *,
    unavailable: str = "no score could be computed",
) -> tuple[GateDecision, list[tuple[str | None, Finding]]]:
    """``decision`` with a trip for every agent scoring below ``minimum`` or without a score,
    and a CW610 / CW611 finding for each (on the file that defines the agent).

    ``agents``: (agent id, the file that defines it) of every agent the run checked.
    """
    from scanner.score.render import causes  # the score's model loads with --min-score only

    by_agent = {s.subject: s for s in scores if s.kind == "agent"}
    trips: list[Trip] = []
    found: list[tuple[str | None, Finding]] = []
    for agent, where in agents:
        s = by_agent.get(agent)
        if s is None:
            detail = f"score unavailable ({unavailable})"
            f = finding(Code.SCORE_UNAVAILABLE, where, f"agent {agent}: {detail}", agent=agent)
        elif s.value < minimum:
            detail = f"score {s.value} < {minimum}: " + "; ".join(causes(s, 2))
            f = finding(
                Code.SCORE_BELOW_MINIMUM,
                where,
                f"agent {agent}: trust {detail}",
                agent=agent,
                score=s.value,
                minimum=minimum,
            )
        else:
            continue
        trips.append(Trip(Rule.MIN_SCORE, agent, detail))
        found.append((agent, f))
    policy = replace(decision.policy, min_score=minimum)
    return replace(decision, policy=policy, trips=decision.trips + tuple(trips)), found


def label(c: Component) -> str:
    """``name@version`` for a package, the URL of a remote server."""
    if c.ecosystem == "remote" and c.url:
        return c.url
    if c.ecosystem == "local":
        return c.path or c.name
    return f"{c.name}@{c.version}" if c.version else c.name


def _allowed(c: Component, allow: frozenset[str]) -> bool:
    names = {c.name, c.purl, c.key, c.url, c.path, label(c)}
    return bool(allow & {n for n in names if n})


def _subject(subject: str) -> str:
    # Finding subjects are purls or file paths; keep the part a person recognises.
    if subject.startswith("pkg:"):
        return subject.split("/", 1)[-1].split("?", 1)[0].replace("%40", "@")
    return subject


def _names(subjects: list[str]) -> str:
    unique = list(dict.fromkeys(subjects))
    shown = ", ".join(unique[:_SHOWN])
    return shown + (f" and {len(unique) - _SHOWN} more" if len(unique) > _SHOWN else "")


def _rule_label(rule: Rule, policy: GatePolicy) -> str:
    if rule is Rule.FAIL_ON and policy.fail_on is not None:
        return f"--fail-on {policy.fail_on.value}"
    if rule is Rule.REQUIRE_VERIFIED:
        return "--require-verified"
    return "unchecked (fail closed)"
