"""The tests behaviour analysis runs, vectorised over many at once (scipy distributions).

1. Rates: the exact conditional binomial test. With x1 events in n1 calls before and x2 in n2
   after, under "no change" x2 | x1+x2 ~ Bin(x1+x2, n2/(n1+n2)); the rate ratio's exact CI comes
   from the Clopper-Pearson interval of that binomial proportion.
2. Peers: difference in differences of the log rate ratios (agent's against its peers'), a
   Wald test with counts +0.5; few peer events widen it, which spares the agent.
3. Mixes: the G-test on the before/after table of action classes, cells with expected counts
   under 5 pooled; effect size is the window-weighted JSD, G / (2 N ln 2) bits.
4. Many tests at once: Benjamini-Hochberg q-values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

Floats = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class RateTests:
    """The conditional binomial test of many before/after pairs (arrays of equal length)."""

    before: Floats  # x1 / n1
    after: Floats  # x2 / n2
    p_value: Floats  # one-sided: the rate went up
    rate_ratio: Floats  # (x2 / n2) / (x1 / n1); inf when x1 = 0 < x2
    ci_low: Floats
    ci_high: Floats


def rate_tests(
    x1: NDArray[np.int64], n1: NDArray[np.int64], x2: NDArray[np.int64], n2: NDArray[np.int64]
) -> RateTests:
    """Exact conditional binomial tests that the rate went up, with 95% CIs of the ratio."""
    x1f, n1f, x2f, n2f = (np.asarray(a, dtype=np.float64) for a in (x1, n1, x2, n2))
    total = x1f + x2f
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(n1f + n2f > 0, n2f / (n1f + n2f), 0.0)
        p = np.where(total > 0, stats.binom.sf(x2f - 1, total, share), 1.0)
        before = np.where(n1f > 0, x1f / n1f, 0.0)
        after = np.where(n2f > 0, x2f / n2f, 0.0)
        ratio = np.where(before > 0, after / before, np.where(after > 0, np.inf, 1.0))
        # Clopper-Pearson bounds on pi = x2 / (x1 + x2), mapped to RR = pi / (1 - pi) * n1 / n2.
        lo_pi = np.where(x2f > 0, stats.beta.ppf(0.025, x2f, x1f + 1), 0.0)
        hi_pi = np.where(x1f > 0, stats.beta.ppf(0.975, x2f + 1, x1f), 1.0)
        scale = np.where(n2f > 0, n1f / n2f, np.nan)
        ci_low = np.where(total > 0, lo_pi / (1 - lo_pi) * scale, 0.0)
        ci_high = np.where((total > 0) & (hi_pi < 1), hi_pi / (1 - hi_pi) * scale, np.inf)
    return RateTests(before, after, np.asarray(p, dtype=np.float64), ratio, ci_low, ci_high)


def did_p_values(
    x1: NDArray[np.int64],
    n1: NDArray[np.int64],
    x2: NDArray[np.int64],
    n2: NDArray[np.int64],
    y1: NDArray[np.int64],
    m1: NDArray[np.int64],
    y2: NDArray[np.int64],
    m2: NDArray[np.int64],
) -> tuple[Floats, Floats]:
    """One-sided p-values that the agent's rate ratio exceeds its peers', and the peers' ratio.

    The exact interaction test of a Poisson model (difference in differences): given the
    agent's and the peers' calls of the feature (the 2x2 table after/before x agent/peers with
    its margins fixed), the agent's after count follows Fisher's noncentral hypergeometric law
    with odds ratio (n2/n1) / (m2/m1) when the agent's rate ratio equals its peers'. Exact, so a
    class the agent never called before (a zero cell) is judged on what it did, where the Wald
    test this replaced (counts +0.5, standard error at least sqrt(2)) could never tell it from
    its peers; few peer events still widen the law, which spares the agent. Peers without a
    single such call before or after did not start making them: then the agent's own exact
    test against a ratio of 1 stands.
    """
    x1_, x2_, y1_, y2_ = (np.asarray(v, dtype=np.int64) for v in (x1, x2, y1, y2))
    exposure = [np.asarray(v, dtype=np.float64) for v in (n1, n2, m1, m2)]
    an1, an2, pm1, pm2 = (np.maximum(v, 1.0) for v in exposure)
    odds = (an2 / an1) / (pm2 / pm1)
    agent_total = x1_ + x2_
    never = (y1_ + y2_) == 0
    # Only where both rows hold calls: an empty row's law is degenerate (nothing to compare).
    rows = (agent_total > 0) & ~never
    exact = np.ones(len(x1_), dtype=np.float64)
    if rows.any():
        exact[rows] = stats.nchypergeom_fisher.sf(
            x2_[rows] - 1,
            (agent_total + y1_ + y2_)[rows],
            agent_total[rows],
            (x2_ + y2_)[rows],
            odds[rows],
        )
    own = rate_tests(x1, n1, x2, n2).p_value
    p = np.where(never, own, np.clip(exact, 0.0, 1.0))
    shown = np.where(never, 1.0, rate_tests(y1, m1, y2, m2).rate_ratio)
    return np.asarray(p, dtype=np.float64), np.asarray(shown, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class MixTest:
    """The G-test of one before/after mix table."""

    g: float
    dof: int
    p_value: float
    jsd_bits: float


def mix_test(before: NDArray[np.int64], after: NDArray[np.int64]) -> MixTest:
    """G-test of a 2 x k table (cells with expected < 5 pooled), with the JSD in bits."""
    table = np.vstack([before, after]).astype(np.float64)
    table = table[:, table.sum(axis=0) > 0]
    n = table.sum()
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return MixTest(0.0, 0, 1.0, 0.0)
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    sparse = (expected < 5).any(axis=0)
    if sparse.any():
        # Pool the sparse classes into one cell; when even the pool is sparse, into the largest.
        pooled = table[:, sparse].sum(axis=1, keepdims=True)
        table = np.hstack([table[:, ~sparse], pooled])
        expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
        if table.shape[1] > 1 and (expected[:, -1] < 5).any():
            table = np.hstack([table[:, :-2], table[:, -2:].sum(axis=1, keepdims=True)])
            expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    if table.shape[1] < 2:
        return MixTest(0.0, 0, 1.0, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(table > 0, table * np.log(table / expected), 0.0)
    g = float(2 * terms.sum())
    dof = table.shape[1] - 1
    return MixTest(g, dof, float(stats.chi2.sf(g, dof)), float(g / (2 * n * math.log(2))))


def bh_q_values(p_values: Floats) -> Floats:
    """Benjamini-Hochberg adjusted p-values (q-values), in the input's order."""
    p = np.asarray(p_values, dtype=np.float64)
    if p.size == 0:
        return p
    return np.asarray(stats.false_discovery_control(p, method="bh"), dtype=np.float64)
