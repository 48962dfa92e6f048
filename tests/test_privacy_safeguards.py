"""Tests for the safeguard helpers of scored.privacy (chapter 9): homogeneity, l-diverse suppression, the Laplace
mechanism's error and the attacker's best guess under differential privacy."""
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scored.privacy import (PrivacyInputError, homogeneous_rows, l_diversity, laplace_error, laplace_mechanism,
                            max_guess_accuracy, suppress_not_diverse)


def table():
    # classes: (A, x) has 3 rows all "flu"; (A, y) has 2 rows, 2 values; (B, x) has 1 row
    return pd.DataFrame({"zip": ["A", "A", "A", "A", "A", "B"], "sex": ["x", "x", "x", "y", "y", "x"],
                         "illness": ["flu", "flu", "flu", "flu", "cold", "cold"]}, index=[10, 11, 12, 13, 14, 15])


def test_homogeneous_rows_by_hand():
    h = homogeneous_rows(table(), ["zip", "sex"], "illness")
    assert h.name == "homogeneous"
    assert list(h.index) == [10, 11, 12, 13, 14, 15]
    assert h.tolist() == [True, True, True, False, False, True]


def test_suppress_not_diverse_by_hand():
    kept, dropped = suppress_not_diverse(table(), ["zip", "sex"], "illness", 2)
    assert dropped == 4
    assert list(kept.index) == [13, 14]
    assert l_diversity(kept, ["zip", "sex"], "illness") >= 2
    kept1, dropped1 = suppress_not_diverse(table(), ["zip", "sex"], "illness", 1)
    assert dropped1 == 0 and len(kept1) == 6


def test_bad_inputs_name_the_problem():
    with pytest.raises(PrivacyInputError, match="illness"):
        homogeneous_rows(table(), ["zip", "illness"], "illness")
    with pytest.raises(PrivacyInputError, match="nope"):
        homogeneous_rows(table(), ["zip"], "nope")
    with pytest.raises(PrivacyInputError, match="l must be"):
        suppress_not_diverse(table(), ["zip"], "illness", 0)
    with pytest.raises(PrivacyInputError, match="epsilon"):
        laplace_error(1, 0)
    with pytest.raises(PrivacyInputError, match="confidence"):
        laplace_error(1, 1, confidence=1.0)
    with pytest.raises(PrivacyInputError, match="sensitivity"):
        laplace_error(-1, 1)
    with pytest.raises(PrivacyInputError, match="finite"):
        laplace_error(1e300, 1e-300)
    with pytest.raises(PrivacyInputError, match="epsilon"):
        max_guess_accuracy(float("nan"))


def test_laplace_error_formula_and_simulation():
    assert laplace_error(1, 1.0) == pytest.approx(math.log(20))
    assert laplace_error(1, 0.5) == pytest.approx(2 * laplace_error(1, 1.0))
    assert laplace_error(3, 1.0) == pytest.approx(3 * laplace_error(1, 1.0))
    # the same order as laplace_mechanism(value, sensitivity, epsilon)
    assert laplace_error(sensitivity=2, epsilon=0.5) == pytest.approx(4 * math.log(20))
    w = laplace_error(1, 0.2, confidence=0.9)
    noise = laplace_mechanism(np.zeros(200_000), 1.0, 0.2, rng=1)
    assert np.mean(np.abs(noise) <= w) == pytest.approx(0.9, abs=0.005)


def test_max_guess_accuracy_values():
    assert max_guess_accuracy(1.0) == pytest.approx(math.e / (1 + math.e))
    assert max_guess_accuracy(0.1) == pytest.approx(0.525, abs=1e-3)
    assert max_guess_accuracy(1000) == pytest.approx(1.0)


def test_differencing_attack_respects_the_bound():
    # the best test between count c and c + 1 under Laplace noise: threshold at the midpoint
    eps = 1.0
    rng = np.random.default_rng(3)
    without = laplace_mechanism(np.full(100_000, 10.0), 1.0, eps, rng)
    with_ = laplace_mechanism(np.full(100_000, 11.0), 1.0, eps, rng)
    accuracy = 0.5 * (np.mean(without < 10.5) + np.mean(with_ >= 10.5))
    assert accuracy <= max_guess_accuracy(eps) + 0.005


@settings(max_examples=50, deadline=None)
@given(st.floats(min_value=1e-3, max_value=50), st.floats(min_value=1e-3, max_value=50))
def test_guess_accuracy_monotone(a, b):
    lo, hi = sorted((a, b))
    assert 0.5 < max_guess_accuracy(lo) <= max_guess_accuracy(hi) <= 1.0
    assert laplace_error(1, lo) >= laplace_error(1, hi)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ab"), st.sampled_from("xyz"), st.sampled_from("pqr")), min_size=1,
                max_size=30), st.integers(min_value=1, max_value=3))
def test_suppress_not_diverse_property(rows, l):
    df = pd.DataFrame(rows, columns=["q1", "q2", "s"])
    kept, dropped = suppress_not_diverse(df, ["q1", "q2"], "s", l)
    assert len(kept) + dropped == len(df)
    if len(kept):
        assert l_diversity(kept, ["q1", "q2"], "s") >= l
    h = homogeneous_rows(df, ["q1", "q2"], "s")
    assert int(h.sum()) == suppress_not_diverse(df, ["q1", "q2"], "s", 2).suppressed
