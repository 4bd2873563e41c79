"""Score and behaviour values for the HTML report's tests, built by hand (no store, no clock).

One fleet: ``mail-assistant`` whose writes jumped after gmail-mcp 1.4.2 -> 1.5.0 (score capped),
``ci-bot`` healthy with a fleet-wide shift that is not its change, ``fresh-agent`` without
enough data, and an agent whose every text field can be replaced by a hostile string.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scanner.behavior.model import (
    AgentBehavior,
    Attribution,
    ChangeRef,
    Fingerprint,
    FleetBehavior,
    Maturity,
    PactViolation,
    Shift,
    Verdict,
)
from scanner.score.model import (
    Cap,
    Deduction,
    Factor,
    FactorName,
    FleetScore,
    Score,
    ScorePoint,
)

START = datetime(2026, 11, 1, tzinfo=UTC)
AS_OF = START + timedelta(days=10)
WEIGHTS = {
    FactorName.PROVENANCE: 0.25,
    FactorName.INTEGRITY: 0.2,
    FactorName.VULNERABILITIES: 0.2,
    FactorName.RISK_SIGNALS: 0.1,
    FactorName.TOOL_SURFACE: 0.1,
    FactorName.BEHAVIOR: 0.15,
}


def at(days: float) -> str:
    """A time ``days`` after START, as the store writes it."""
    return (START + timedelta(days=days)).isoformat(timespec="seconds")


def _factors(lost: dict[FactorName, list[Deduction]], unchecked: str | None = None) -> tuple:
    out = []
    for name, weight in WEIGHTS.items():
        ds = tuple(lost.get(name, []))
        gone = sum(d.points for d in ds)
        skip = unchecked if name is FactorName.BEHAVIOR else None
        out.append(Factor(name, weight, 0.0 if skip else 100.0 - gone, ds, skip))
    return tuple(out)


def _score(subject: str, kind: str, lost: dict, caps: tuple = (), unchecked=None) -> Score:
    factors = _factors(lost, unchecked)
    mean = sum(f.value * f.weight for f in factors) / sum(f.weight for f in factors)
    value = min([round(mean), *(c.limit for c in caps)])
    return Score(kind, subject, at(10), value, mean, factors, caps)


def fingerprint(agent: str, *, calls: int, mature: bool = True) -> Fingerprint:
    """A fingerprint with plausible rates."""
    return Fingerprint(
        agent=agent,
        start=at(0),
        end=at(10),
        calls=calls,
        days=10.0 if mature else 0.5,
        maturity=Maturity.MATURE if mature else Maturity.NOT_ENOUGH_DATA,
        maturity_reason=f"{calls} calls over {'10.0' if mature else '0.5'} days; "
        "needs 200 calls over 3 days",
        mix=(("read", 0.9), ("write", 0.1)),
        tool_rates=(("send_email", 2.0),),
        risky_per_call=0.1,
        risky_per_hour=0.5,
        error_rate=0.01,
        external_follow_share=0.2,
    )


def fleet(name: str = "mail-assistant", *, text: str | None = None) -> tuple:
    """(FleetScore, history, FleetBehavior); ``text`` replaces every free-text field."""
    w = text  # a hostile string for every field, or None for the ordinary values
    comp = "pkg:npm/gmail-mcp"
    change = ChangeRef(name, w or comp, w or "upgrade", w or "1.4.2", w or "1.5.0", at(6), "hook")
    shift = Shift(
        agent=name,
        feature=w or "rate:write",
        detector=w or "binomial",
        at=at(6.2),
        before=0.002,
        after=0.021,
        p_value=1e-9,
        q_value=4e-8,
        rate_ratio=10.5,
        ci_low=4.2,
        ci_high=26.0,
        peers_shifted=False,
        evidence=w or "write 0.2% -> 2.1% (RR 10.5, 95% CI 4.2-26)",
    )
    words = w or "write 0.2% -> 2.1% (RR 10.5, 95% CI 4.2-26) after gmail-mcp 1.4.2 -> 1.5.0; "
    words = w or words + "peers flat"
    mail = AgentBehavior(
        agent=name,
        as_of=at(10),
        fingerprint=fingerprint(name, calls=4200),
        attributions=(
            Attribution(
                ChangeRef(name, "pkg:pypi/fetch-mcp", "added", None, "0.3.0", at(2), "scan"),
                Verdict.NO_SHIFT,
                (),
                "no shift after fetch-mcp added 0.3.0",
            ),
            Attribution(change, Verdict.SHIFT, (shift,), words),
        ),
        alarms=(),
        pact_violations=(
            PactViolation(
                name, w or "write_destructive", 3, at(6.5), at(7), None, None,
                w or "write_destructive is not in the pact (3 calls)",
            ),
        ),
        pact_source=w or "scan 12",
    )  # fmt: skip
    ci_shift = Shift("ci-bot", "rate:exec", "did", at(4), 0.01, 0.03, 0.01, 0.04, 3.0, 1.5, 6.0)
    ci = AgentBehavior(
        "ci-bot",
        at(10),
        fingerprint("ci-bot", calls=900),
        (
            Attribution(
                ChangeRef("ci-bot", "pkg:pypi/git-mcp", "upgrade", "2.0", "2.1", at(4), "rescan"),
                Verdict.FLEET_WIDE,
                (),
                "exec 1% -> 3% after git-mcp 2.0 -> 2.1; peers shifted too",
            ),
        ),
        (ci_shift,),
        (),
    )
    fresh = AgentBehavior("fresh-agent", at(10), fingerprint("fresh-agent", calls=40, mature=False),
                          (), (), ())  # fmt: skip
    behavior = FleetBehavior(at(10), tuple(sorted((ci, fresh, mail), key=lambda b: b.agent)))

    cap = Cap(w or "CW900", 40, w or comp, w or f"behaviour shift attributed to {change.label()}")
    lost = {
        FactorName.BEHAVIOR: [Deduction(FactorName.BEHAVIOR, 60, w or "CW900", w or comp, words)],
        FactorName.PROVENANCE: [
            Deduction(FactorName.PROVENANCE, 30, w or "CW301", w or f"{comp}@1.5.0",
                      w or "no provenance attestation for gmail-mcp 1.5.0"),
        ],
    }  # fmt: skip
    scores = tuple(
        sorted(
            (
                _score("ci-bot", "agent", {}),
                _score("fresh-agent", "agent", {}, unchecked="not enough data yet: 40 calls"),
                _score(name, "agent", lost, (cap,)),
            ),
            key=lambda s: s.subject,
        )
    )
    provenance = {FactorName.PROVENANCE: lost[FactorName.PROVENANCE]}
    components = (
        _score(w or f"{comp}@1.5.0", "component", provenance),
        _score("pkg:pypi/git-mcp@2.1", "component", {}),
    )
    history = [
        ScorePoint("agent", name, at(d), v, "score", why=y)
        for d, v, y in ((1, 92, ""), (3, 90, ""), (6.5, 40, w or "capped at 40 (CW900): shift"))
    ] + [ScorePoint("agent", "ci-bot", at(d), 95, "scan") for d in (1, 5)]
    return FleetScore(at(10), scores, components), history, behavior
