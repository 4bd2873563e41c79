"""The thresholds behaviour analysis judges by, fixed in one place.

They were tuned on the evaluation's development seeds (``python eval/run.py --dev``, seeds from
10,000: 10 fleets with injected shifts, 30 fleet-wide controls) and committed before the
reporting seeds (0-99) were run. A change here is a change of the method: run the evaluation
again. The comments say why each value is what it is.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Settings:
    """Windows, maturity and decision thresholds of behaviour analysis."""

    lookback_days: float = 28.0  # counts read from the store: as_of minus this
    half_life_days: float = 7.0  # decayed baselines: a call a week old weighs half
    # Maturity: below either, the agent is "not enough data yet" (never a pass).
    min_calls: int = 200
    min_days: float = 3.0
    # The before/after test at a change: the before window is at most this long, and both
    # windows need enough calls to say anything.
    before_days: float = 7.0
    after_days: float = 7.0
    min_before_calls: int = 100
    min_after_calls: int = 20
    # A shift: BH q-value at most q_max across all agents x changes x features, an effect at
    # least min_rate_ratio (point estimate) with its CI above 1, or a mix JSD of min_jsd_bits.
    q_max: float = 0.001
    min_rate_ratio: float = 2.0
    min_jsd_bits: float = 0.02
    # Peers: a shift counts for the agent only when its rate ratio exceeds its peers' (one-sided
    # difference-in-differences p at most did_p_max); peers need min_peer_calls per window, or
    # as many calls as the agent's own there where those are fewer (``attribute.py``).
    did_p_max: float = 0.0001
    min_peer_calls: int = 500
    # The continuous alarm: Bernoulli CUSUM tuned to a risky rate cusum_ratio times the
    # baseline, alarming at cusum_h (log-likelihood units), over the last monitor_days.
    cusum_ratio: float = 3.0
    cusum_h: float = 12.0
    monitor_days: float = 7.0
    # "First seen" tools and servers: new within this many days of as_of.
    recent_days: float = 7.0


DEFAULT = Settings()
