"""Tests for the proxy functions of scored.audit: proxy_strength, calibrated_scores, implied_fpr, implied_base_rate."""
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scored.audit import (PROXY_COMBINED, AuditInputError, calibrated_scores, calibration_table, error_rates,
                          implied_base_rate, implied_fpr, proxy_strength)
from scored.world import load_classroom


def people():
    """8 rows. Postcode P1 holds 3 of the 4 'h' members; 'noise' says nothing; 'copy' gives the group away."""
    return pd.DataFrame({
        "g": ["h", "h", "h", "h", "k", "k", "k", "k", "k", "k"],
        "postcode": ["P1", "P1", "P1", "P2", "P1", "P2", "P2", "P2", "P2", "P2"],
        "noise": ["x", "y", "x", "y", "x", "y", "x", "y", "x", "y"],
        "copy": [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    })


# ------------------------------------------------------------------------------------------- proxy_strength
def test_proxy_strength_by_hand():
    t = proxy_strength(people(), "g", ["postcode"])
    assert list(t.index) == ["postcode"]  # one proxy: no "all together" row
    row = t.loc["postcode"]
    assert row["cells"] == 2 and row["top_cell"] == "P1"
    assert row["top_share"] == pytest.approx(3 / 4) and row["overall_share"] == pytest.approx(4 / 10)
    # guesses: members 3x 0.75 and 1x 1/6; non-members 1x 0.75 and 5x 1/6.
    # pairs (member, non-member): 3 members at .75 beat 5 non-members (15) and tie 1 (1.5); the member at 1/6
    # ties 5 (2.5) and loses 1: (15 + 1.5 + 2.5) / 24
    assert row["auc"] == pytest.approx(19 / 24)
    assert (t["target"] == "h").all()  # the least common group by default


def test_proxy_strength_extremes_and_combination():
    t = proxy_strength(people(), "g", ["noise", "copy"])
    assert list(t.index) == ["noise", "copy", PROXY_COMBINED]
    assert t.loc["noise", "auc"] == pytest.approx(0.5)  # x and y each hold half of every group
    assert t.loc["copy", "auc"] == pytest.approx(1.0)
    assert t.loc["copy", "top_share"] == 1.0
    assert t.loc[PROXY_COMBINED, "auc"] == pytest.approx(1.0)
    assert t.loc[PROXY_COMBINED, "cells"] == 4


def test_proxy_strength_target_choice_is_symmetric():
    a = proxy_strength(people(), "g", "postcode", target="h")
    b = proxy_strength(people(), "g", "postcode", target="k")
    assert (b["target"] == "k").all() and b.loc["postcode", "top_cell"] == "P2"
    assert a.loc["postcode", "auc"] == pytest.approx(b.loc["postcode", "auc"])  # two groups: same information


def test_proxy_strength_numeric_proxy_is_binned():
    df = pd.DataFrame({"g": ["a"] * 50 + ["b"] * 50, "income": np.r_[np.arange(50), np.arange(50) + 50]})
    t = proxy_strength(df, "g", "income", target="a", bins=4)
    assert t.loc["income", "cells"] == 4
    assert t.loc["income", "top_cell"] == "0 to 24" and t.loc["income", "top_share"] == 1.0
    assert t.loc["income", "auc"] == pytest.approx(1.0)
    assert proxy_strength(df, "g", "income", target="a", bins=2).loc["income", "cells"] == 2


def test_proxy_strength_on_the_city():
    r = load_classroom().residents
    t = proxy_strength(r, "group", ["district", "income", "work"])
    assert (t["target"] == "Heron").all()
    # district carries much of group membership, work pattern almost none, and together they carry the most
    assert t.loc["district", "auc"] > 0.65
    assert t.loc["work", "auc"] < 0.55
    assert t.loc[PROXY_COMBINED, "auc"] >= t.loc["district", "auc"]
    assert t.loc["district", "top_cell"] in {"Harbour", "Eastfield"}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ab"), st.sampled_from("pqr")), min_size=2, max_size=40))
def test_proxy_strength_auc_bounds(rows):
    df = pd.DataFrame(rows, columns=["g", "c"])
    if df["g"].nunique() < 2:
        with pytest.raises(AuditInputError, match="only one group"):
            proxy_strength(df, "g", "c")
        return
    auc = proxy_strength(df, "g", "c").loc["c", "auc"]
    # the guess is the member share of the cell, so it never ranks members below non-members on average
    assert 0.5 - 1e-12 <= auc <= 1 + 1e-12


@pytest.mark.parametrize("kwargs, message", [
    ({"group": "nope", "proxies": ["postcode"]}, "no column 'nope'"),
    ({"group": "g", "proxies": ["nope"]}, "no column 'nope'"),
    ({"group": "g", "proxies": []}, "non-empty"),
    ({"group": "g", "proxies": ["g"]}, "group column 'g' itself"),
    ({"group": "g", "proxies": ["postcode", "postcode"]}, "twice"),
    ({"group": "g", "proxies": ["postcode"], "target": "z"}, "target must be one of"),
    ({"group": "g", "proxies": ["copy"], "bins": 1}, "bins must be"),
    ({"group": "g", "proxies": ["copy"], "bins": True}, "bins must be"),
])
def test_proxy_strength_bad_inputs(kwargs, message):
    with pytest.raises(AuditInputError, match=message):
        proxy_strength(people(), **kwargs)


def test_proxy_strength_bad_frames():
    with pytest.raises(AuditInputError, match="DataFrame"):
        proxy_strength([1, 2], "g", "c")
    with pytest.raises(AuditInputError, match="only one group"):
        proxy_strength(people().assign(g="h"), "g", "postcode")
    with pytest.raises(AuditInputError, match="missing value"):
        proxy_strength(people().assign(postcode=[None] + ["P1"] * 9), "g", "postcode")
    with pytest.raises(AuditInputError, match="infinite"):
        proxy_strength(people().assign(copy=[math.inf] + [0.0] * 9), "g", "copy")


# ------------------------------------------------------------------------------------------- calibrated_scores
def test_calibrated_scores_shape_and_reproducibility():
    df = calibrated_scores({"A": 0.3, "B": 0.6}, 500, rng=3)
    assert list(df.columns) == ["group", "score", "actual"] and len(df) == 1000
    assert list(df["group"].cat.categories) == ["A", "B"]
    assert df["actual"].dtype == bool
    assert ((df["score"] > 0) & (df["score"] < 1)).all()
    pd.testing.assert_frame_equal(df, calibrated_scores({"A": 0.3, "B": 0.6}, 500, rng=3))
    assert not df.equals(calibrated_scores({"A": 0.3, "B": 0.6}, 500, rng=4))


def test_calibrated_scores_are_calibrated_with_the_base_rates():
    df = calibrated_scores({"low": 0.2, "high": 0.5}, 40_000, rng=0)
    base = df.groupby("group", observed=True)["actual"].mean()
    assert base["low"] == pytest.approx(0.2, abs=0.01) and base["high"] == pytest.approx(0.5, abs=0.01)
    cal = calibration_table(df, "group", "score", "actual", bins=5)
    big = cal[cal["n"] >= 1000]
    assert (big["observed_rate"] - big["mean_score"]).abs().max() < 0.03  # calibrated within every group


def test_calibrated_scores_show_the_impossibility():
    df = calibrated_scores({"low": 0.2, "high": 0.5}, 40_000, rng=0)
    e = error_rates(df.assign(predicted=df["score"] >= 0.5), "group", "predicted", "actual")
    # one threshold for a calibrated score: the group with the higher base rate gets more false positives
    # and fewer false negatives
    assert e.loc["high", "fpr"] > 2 * e.loc["low", "fpr"]
    assert e.loc["high", "fnr"] < e.loc["low", "fnr"]


def test_calibrated_scores_spread_controls_confidence():
    sure = calibrated_scores({"A": 0.4}, 5000, spread=4, rng=1)["score"]
    vague = calibrated_scores({"A": 0.4}, 5000, spread=0.3, rng=1)["score"]
    assert sure.std() > 2 * vague.std()
    for spread in (0.3, 4, 10):  # whatever the spread, the scores average the base rate
        assert calibrated_scores({"A": 0.1}, 50_000, spread=spread, rng=2)["score"].mean() == pytest.approx(
            0.1, abs=0.005)


@pytest.mark.parametrize("args, kwargs, message", [
    (({},), {}, "non-empty mapping"),
    ((["A"],), {}, "non-empty mapping"),
    (({"A": 0.0},), {}, "base rate of group 'A'"),
    (({"A": 1.0},), {}, "base rate of group 'A'"),
    (({"A": "half"},), {}, "base rate of group 'A'"),
    (({"A": True},), {}, "base rate of group 'A'"),
    (({"A": 0.5}, 0), {}, "n must be"),
    (({"A": 0.5}, 2.5), {}, "n must be"),
    (({"A": 0.5},), {"spread": 0}, "spread"),
    (({"A": 0.5},), {"spread": 11}, "spread"),
    (({"A": 0.5},), {"spread": math.nan}, "spread"),
    (({"A": 0.5},), {"rng": -1}, "rng"),
    (({"A": 0.5},), {"rng": "seven"}, "rng"),
])
def test_calibrated_scores_bad_inputs(args, kwargs, message):
    with pytest.raises(AuditInputError, match=message):
        calibrated_scores(*args, **kwargs)


# ------------------------------------------------------------------------------------------- the identity
def test_implied_fpr_by_hand():
    # p = 0.5: odds 1; PPV 0.6: (0.4 / 0.6); FNR 0.3: 0.7  ->  0.7 * 2/3
    assert implied_fpr(0.5, 0.6, 0.3) == pytest.approx(0.7 * 2 / 3)
    assert implied_fpr(0.2, 1.0, 0.1) == 0.0  # a perfectly precise decision has no false positives


def test_implied_fpr_matches_a_confusion_table():
    df = calibrated_scores({"A": 0.35}, 20_000, rng=2)
    e = error_rates(df.assign(predicted=df["score"] >= 0.4), "group", "predicted", "actual").loc["A"]
    assert implied_fpr(e["base_rate"], e["ppv"], e["fnr"]) == pytest.approx(e["fpr"], rel=1e-9)
    assert implied_base_rate(e["fpr"], e["fnr"], e["ppv"]) == pytest.approx(e["base_rate"], rel=1e-9)


def test_implied_base_rate_of_compas():
    # ProPublica's published rates (Black: FPR 44.85%, FNR 27.99%, PPV 0.63; white: 23.45%, 47.72%, 0.59)
    assert implied_base_rate(0.4485, 0.2799, 0.63) == pytest.approx(0.515, abs=0.002)
    assert implied_base_rate(0.2345, 0.4772, 0.59) == pytest.approx(0.392, abs=0.002)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.01, 0.99), st.floats(0.01, 0.99), st.floats(0.0, 0.99))
def test_identity_round_trip(p, ppv, fnr):
    fpr = implied_fpr(p, ppv, fnr)
    if fpr <= 1:  # otherwise no decision has these three numbers
        assert implied_base_rate(fpr, fnr, ppv) == pytest.approx(p, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("func, args, message", [
    (implied_fpr, (0.0, 0.5, 0.5), "base_rate"),
    (implied_fpr, (1.0, 0.5, 0.5), "base_rate"),
    (implied_fpr, (0.5, 0.0, 0.5), "ppv"),
    (implied_fpr, (0.5, 0.5, 1.5), "fnr"),
    (implied_fpr, ("0.5", 0.5, 0.5), "base_rate"),
    (implied_base_rate, (0.2, 1.0, 0.5), "fnr"),
    (implied_base_rate, (0.2, 0.5, 1.0), "ppv"),
    (implied_base_rate, (-0.1, 0.5, 0.5), "fpr"),
    (implied_base_rate, (math.nan, 0.5, 0.5), "fpr"),
])
def test_identity_bad_inputs(func, args, message):
    with pytest.raises(AuditInputError, match=message):
        func(*args)
