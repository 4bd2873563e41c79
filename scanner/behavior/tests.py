"""Run every planned test at once: rate tests per feature, mix tests, peers, one BH pool."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scanner.behavior.series import Ints
from scanner.behavior.stats import (
    Floats,
    MixTest,
    RateTests,
    bh_q_values,
    did_p_values,
    mix_test,
    rate_tests,
)
from scanner.behavior.windows import RATE_FEATURES, WindowCounts


@dataclass(frozen=True)
class Results:
    """Per test and feature: the rate tests, peers' comparison, mix tests and q-values."""

    counts: WindowCounts
    rates: dict[str, RateTests]
    did_p: dict[str, Floats]
    peer_ratio: dict[str, Floats]
    mix: list[MixTest | None]
    peer_mix: list[MixTest | None]
    q_rates: dict[str, Floats]
    q_mix: Floats
    new_class: dict[str, np.ndarray]  # the class had no call in the agent's history before


def run_tests(counts: WindowCounts, history: Ints, mix_rows: set[int]) -> Results:
    """Test every window pair; ``history`` is each test's class counts before its window."""
    n1 = counts.x1.sum(axis=1)
    n2 = counts.x2.sum(axis=1)
    m1 = counts.y1.sum(axis=1)
    m2 = counts.y2.sum(axis=1)
    rates: dict[str, RateTests] = {}
    did_p: dict[str, Floats] = {}
    peer_ratio: dict[str, Floats] = {}
    new_class: dict[str, np.ndarray] = {}
    for f in RATE_FEATURES:
        x1, x2 = WindowCounts.rate(counts.x1, f), WindowCounts.rate(counts.x2, f)
        rates[f] = rate_tests(x1, n1, x2, n2)
        y1, y2 = WindowCounts.rate(counts.y1, f), WindowCounts.rate(counts.y2, f)
        did_p[f], peer_ratio[f] = did_p_values(x1, n1, x2, n2, y1, m1, y2, m2)
        seen = WindowCounts.rate(history, f) if f != "risky" else None
        new_class[f] = (
            (x1 == 0) & (seen == 0) if seen is not None else np.zeros(len(n1), dtype=bool)
        )
    mix: list[MixTest | None] = [None] * len(n1)
    peer_mix: list[MixTest | None] = [None] * len(n1)
    for i in sorted(mix_rows):
        mix[i] = mix_test(counts.x1[i], counts.x2[i])
        if counts.has_peers[i]:
            peer_mix[i] = mix_test(counts.y1[i], counts.y2[i])
    # One BH pool: every rate test with any call of its feature, and every mix test.
    pooled: list[float] = []
    where: list[tuple[str, int]] = []
    for f in RATE_FEATURES:
        informative = (WindowCounts.rate(counts.x1, f) + WindowCounts.rate(counts.x2, f)) > 0
        for k in np.flatnonzero(informative):
            pooled.append(float(rates[f].p_value[k]))
            where.append((f, int(k)))
    for i in sorted(mix_rows):
        m = mix[i]
        if m is not None and m.dof > 0:
            pooled.append(m.p_value)
            where.append(("mix", i))
    q = bh_q_values(np.asarray(pooled, dtype=np.float64))
    q_rates = {f: np.ones(len(n1)) for f in RATE_FEATURES}
    q_mix = np.ones(len(n1))
    for (f, i), value in zip(where, q, strict=True):
        (q_mix if f == "mix" else q_rates[f])[i] = value
    return Results(counts, rates, did_p, peer_ratio, mix, peer_mix, q_rates, q_mix, new_class)


def class_history(cum: Ints, agent: Ints, before_start: Ints) -> Ints:
    """Each test's agent class counts from the window's start of data to its before window."""
    return cum[agent, :, before_start] - cum[agent, :, 0]
