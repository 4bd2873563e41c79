"""The tests behaviour analysis runs, vectorised over many at once (scipy distributions).

1. Rates: the exact conditional binomial test. With x1 events in n1 calls before and x2 in n2
   after, under "no change" x2 | x1+x2 ~ Bin(x1+x2, n2/(n1+n2)); the rate ratio's exact CI comes
   from the Clopper-Pearson interval of that binomial proportion.
2. Peers: difference in differences, the same conditional test with the expected share moved by
   the peers' own rate ratio (its upper bound: uncertain peers never make the agent look worse).
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
MIN_PEER_EVENTS = 10  # peers' events of a feature below which their ratio says nothing


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

    Difference in differences as an exact conditional test: under "the agent changed as its
    peers did" (ratio rho), x2 | x1+x2 ~ Bin(x1+x2, n2 rho / (n1 + n2 rho)). rho is the upper
    97.5% bound of the peers' own ratio (never below 1), so peers' uncertainty favours the
    agent; peers with fewer than ``MIN_PEER_EVENTS`` events of the feature count as flat.
    """
    peers = rate_tests(y1, m1, y2, m2)
    few = (np.asarray(y1) + np.asarray(y2)) < MIN_PEER_EVENTS
    rho = np.where(few, 1.0, np.maximum(1.0, peers.ci_high))
    x1f, n1f, x2f, n2f = (np.asarray(a, dtype=np.float64) for a in (x1, n1, x2, n2))
    total = x1f + x2f
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(np.isinf(rho), 1.0, n2f * rho / (n1f + n2f * rho))
        p = np.where(total > 0, stats.binom.sf(x2f - 1, total, share), 1.0)
    shown = np.where(few, 1.0, peers.rate_ratio)
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
