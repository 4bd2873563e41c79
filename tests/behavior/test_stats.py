"""The statistics against scipy's own reference implementations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from scanner.behavior.stats import bh_q_values, did_p_values, mix_test, rate_tests


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2"), [(2, 1000, 21, 1000), (20, 1000, 22, 1000), (5, 400, 9, 60)]
)
def test_rate_test_is_the_exact_conditional_binomial(x1, n1, x2, n2):
    got = rate_tests(*(np.asarray([v]) for v in (x1, n1, x2, n2)))
    ref = stats.binomtest(x2, x1 + x2, n2 / (n1 + n2), alternative="greater")
    assert got.p_value[0] == pytest.approx(ref.pvalue, rel=1e-9)
    assert got.rate_ratio[0] == pytest.approx((x2 / n2) / (x1 / n1))
    ci = stats.binomtest(x2, x1 + x2, n2 / (n1 + n2)).proportion_ci(method="exact")
    to_rr = lambda pi: pi / (1 - pi) * n1 / n2  # noqa: E731
    assert got.ci_low[0] == pytest.approx(to_rr(ci.low), rel=1e-6)
    assert got.ci_high[0] == pytest.approx(to_rr(ci.high), rel=1e-6)
    assert got.ci_low[0] < got.rate_ratio[0] < got.ci_high[0]


def test_rate_test_with_zero_before_is_unbounded_above_and_still_tested():
    got = rate_tests(np.asarray([0]), np.asarray([500]), np.asarray([5]), np.asarray([100]))
    assert math.isinf(got.rate_ratio[0]) and math.isinf(got.ci_high[0])
    assert got.p_value[0] == pytest.approx((100 / 600) ** 5)
    assert got.ci_low[0] > 1


def test_no_calls_at_all_is_p_one():
    got = rate_tests(np.asarray([0]), np.asarray([0]), np.asarray([0]), np.asarray([0]))
    assert got.p_value[0] == 1.0


def test_g_test_matches_scipy_log_likelihood_and_jsd_is_g_over_2n_ln2():
    before, after = np.asarray([400, 120, 80]), np.asarray([300, 200, 60])
    got = mix_test(before, after)
    g, p, dof, _ = stats.chi2_contingency(
        np.vstack([before, after]), lambda_="log-likelihood", correction=False
    )
    assert got.g == pytest.approx(g)
    assert got.p_value == pytest.approx(p)
    assert got.dof == dof
    assert got.jsd_bits == pytest.approx(g / (2 * 1160 * math.log(2)))


def test_g_test_pools_sparse_cells():
    # Two classes with a handful of calls become one cell; a pool still too sparse joins the
    # next smallest class.
    got = mix_test(np.asarray([500, 100, 4, 3]), np.asarray([480, 110, 3, 4]))
    assert got.dof == 2
    assert got.p_value > 0.05
    assert mix_test(np.asarray([500, 100, 1, 2]), np.asarray([480, 110, 2, 1])).dof == 1


def test_did_blames_the_agent_only_beyond_its_peers():
    agent = [np.asarray([v]) for v in (10, 1000, 100, 1000)]
    flat = [np.asarray([v]) for v in (1000, 100000, 1000, 100000)]
    shifted = [np.asarray([v]) for v in (1000, 100000, 10000, 100000)]
    p_flat, ratio_flat = did_p_values(*agent, *flat)
    p_shift, ratio_shift = did_p_values(*agent, *shifted)
    assert p_flat[0] < 1e-6 and ratio_flat[0] == pytest.approx(1.0, rel=0.01)
    assert p_shift[0] > 0.3 and ratio_shift[0] == pytest.approx(10.0, rel=0.01)


def test_bh_q_values():
    q = bh_q_values(np.asarray([0.01, 0.04, 0.03, 0.5]))
    assert q == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5])


def test_the_peer_comparison_sees_a_new_class_the_peers_did_not_share():
    # The demo's support bot: no writes in 323 calls before, 15 in 73 after; its peers' writes
    # steady (22 in 880, 6 in 208). The Wald test (counts +0.5) put this at p 0.0009, "peers
    # shifted too"; the exact interaction test sees it for what it is.
    one = np.asarray
    p, shown = did_p_values(one([0]), one([323]), one([15]), one([73]),
                            one([22]), one([880]), one([6]), one([208]))  # fmt: skip
    assert p[0] < 1e-6
    assert 0.9 < shown[0] < 1.3
    # The same counts with the peers' writes tripled after: not the agent's own.
    fleet, _ = did_p_values(one([20]), one([323]), one([15]), one([73]),
                            one([40]), one([880]), one([30]), one([208]))  # fmt: skip
    assert fleet[0] > 0.01
