"""From test results to verdicts: which features shifted, whether peers shifted with them, and
the sentence that says so."""

from __future__ import annotations

from dataclasses import replace

from scanner.behavior.evidence import pct, peers_words, shift_words
from scanner.behavior.model import Attribution, ChangeRef, Shift, Verdict
from scanner.behavior.settings import Settings
from scanner.behavior.tests import Results
from scanner.behavior.windows import RATE_FEATURES

PEER_MIX_P = 0.01  # peers' mix test at or below this: their mix moved too


def shifts_of(
    r: Results, i: int, agent: str, at: str, settings: Settings, *, features: tuple[str, ...]
) -> tuple[list[Shift], list[Shift]]:
    """Significant shifts of test ``i``: (the agent's own, those its peers shared)."""
    own: list[Shift] = []
    shared: list[Shift] = []
    has_peers = bool(r.counts.has_peers[i])
    for f in features:
        if f == "mix":
            continue
        t = r.rates[f]
        q = float(r.q_rates[f][i])
        ratio, low = float(t.rate_ratio[i]), float(t.ci_low[i])
        if not (q <= settings.q_max and ratio >= settings.min_rate_ratio and low > 1):
            continue
        peers_shifted = None
        peer_ratio = None
        if has_peers:
            peers_shifted = float(r.did_p[f][i]) > settings.did_p_max
            peer_ratio = float(r.peer_ratio[f][i])
        new = bool(r.new_class[f][i])
        shift = Shift(
            agent=agent,
            feature=f"rate:{f}",
            detector="new_class" if new else "binomial",
            at=at,
            before=float(t.before[i]),
            after=float(t.after[i]),
            p_value=float(t.p_value[i]),
            q_value=q,
            rate_ratio=ratio,
            ci_low=low,
            ci_high=float(t.ci_high[i]),
            peers_shifted=peers_shifted,
        )
        words = f"{shift_words(shift)}; {peers_words(peer_ratio, peers_shifted)}"
        shift = _with_evidence(shift, words)
        (shared if peers_shifted else own).append(shift)
    m = r.mix[i]
    if "mix" in features and m is not None and m.dof > 0:
        q = float(r.q_mix[i])
        if q <= settings.q_max and m.jsd_bits >= settings.min_jsd_bits:
            pm = r.peer_mix[i]
            peers_shifted = None
            if has_peers:
                # Pooled peers' mixes move whenever their volumes do, so any significant move of
                # theirs counts as shared: a mix shift is blamed only against steady peers.
                peers_shifted = bool(pm is not None and pm.p_value <= PEER_MIX_P)
            shift = Shift(agent, "mix", "g_test", at, 0.0, 0.0, m.p_value, q,
                          jsd_bits=m.jsd_bits, peers_shifted=peers_shifted)  # fmt: skip
            peer_words = "no peers to compare"
            if peers_shifted is not None:
                peer_words = "peers shifted too" if peers_shifted else "peers' mix steady"
            shift = _with_evidence(shift, f"{shift_words(shift)}; {peer_words}")
            (shared if peers_shifted else own).append(shift)
    own.sort(key=_strength)
    shared.sort(key=_strength)
    return own, shared


def _strength(s: Shift) -> tuple[bool, bool, float]:
    """A class's rate first (it names what changed), then the risky total, then the mix; the
    smallest p-value first within each."""
    return (s.jsd_bits is not None, s.feature == "rate:risky", s.p_value)


def _with_evidence(shift: Shift, words: str) -> Shift:
    return replace(shift, evidence=words)


def attribution(r: Results, i: int, change: ChangeRef, settings: Settings) -> Attribution:
    """The verdict at one change whose windows were tested as test ``i``."""
    own, shared = shifts_of(
        r, i, change.agent, change.at, settings, features=(*RATE_FEATURES, "mix")
    )
    label = change.label()
    if own:
        top = own[0]
        head, _, peers = top.evidence.partition("; ")
        more = f"; also {', '.join(s.feature for s in own[1:])}" if len(own) > 1 else ""
        return Attribution(
            change, Verdict.SHIFT, tuple(own), f"{head} after {label}; {peers}{more}"
        )
    if shared:
        top = shared[0]
        head, _, peers = top.evidence.partition("; ")
        return Attribution(
            change, Verdict.FLEET_WIDE, (), f"{head} after {label}, but {peers}: not this change"
        )
    t = r.rates["risky"]
    return Attribution(
        change,
        Verdict.NO_SHIFT,
        (),
        f"no shift after {label}: risky {pct(float(t.before[i]))} -> "
        f"{pct(float(t.after[i]))} over {int(r.counts.x1[i].sum())} calls before and "
        f"{int(r.counts.x2[i].sum())} after",
    )


def not_enough(
    change: ChangeRef, before: int, after: int, settings: Settings, why: str = ""
) -> Attribution:
    """The verdict where the windows are too thin to test."""
    reason = why or (
        f"{before} calls before (needs {settings.min_before_calls}), {after} after "
        f"(needs {settings.min_after_calls})"
    )
    return Attribution(
        change, Verdict.NOT_ENOUGH_DATA, (), f"not enough data to test {change.label()}: {reason}"
    )
