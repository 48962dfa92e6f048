"""Tests for scored.audit.compare_reports and sampling_uncertainty (chapter "Audits and impact assessments")."""
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scored.audit import (SUMMARY_GROUP, AuditInputError, audit_report, compare_reports, error_rates,
                          ground_truth_labels, sampling_uncertainty)
from scored.scoring import DEFAULT_SCORECARD
from scored.world import load_classroom
from test_audit import hand  # the hand-computed table: group a tp=2 fp=1 fn=1 tn=2; group b fp=1 tn=4


@pytest.fixture(scope="module")
def city():
    return load_classroom()


# ------------------------------------------------------------------------------------------- compare_reports
def test_compare_reports_by_hand():
    df = hand()
    before = audit_report(df, "g", selected="pred", actual="act")
    after = audit_report(df.assign(pred=df["act"]), "g", selected="pred", actual="act")  # a perfect decision
    c = compare_reports(before, after).set_index(["group", "metric"])
    assert c.loc[("a", "selection_rate"), "before"] == pytest.approx(3 / 6)
    assert c.loc[("a", "selection_rate"), "after"] == pytest.approx(3 / 6)
    assert c.loc[("a", "fpr"), "before"] == pytest.approx(1 / 3)
    assert c.loc[("a", "fpr"), "after"] == 0
    assert c.loc[("b", "fpr"), "change"] == pytest.approx(-1 / 5)
    assert c.loc[(SUMMARY_GROUP, "fpr_ratio"), "before"] == pytest.approx((1 / 3) / (1 / 5))
    assert math.isnan(c.loc[(SUMMARY_GROUP, "fpr_ratio"), "after"])  # every fpr is 0: no ratio
    # the harmful outcome: "a" selected 1/2, "b" 1/5 -> relative risk 2.5; favourable 0.5 / 0.8
    assert c.loc[(SUMMARY_GROUP, "harm_ratio"), "before"] == pytest.approx(2.5)
    assert c.loc[(SUMMARY_GROUP, "disparate_impact"), "before"] == pytest.approx(0.5 / 0.8)


def test_error_table_is_stacked_like_the_selection_table():
    """error_table() used to lose its ``group`` and ``column`` columns (code swallowed by a comment)."""
    df = hand().assign(h=["x", "y"] * 5 + ["x"])
    report = audit_report(df, ["g", "h"], selected="pred", actual="act")
    errors, selection = report.error_table(), report.selection_table()
    assert list(errors.columns[:1]) == ["group"] and errors.columns[-1] == "column"
    assert list(errors[["column", "group"]].itertuples(index=False)) == \
        list(selection[["column", "group"]].itertuples(index=False)) == [("g", "a"), ("g", "b"), ("h", "x"), ("h", "y")]
    assert not errors[["column", "group", "fpr"]].isna().any().any() and "h" not in errors.columns
    pd.testing.assert_series_equal(errors.loc[errors["column"] == "g", "fpr"].reset_index(drop=True),
                                   error_rates(df, "g", "pred", "act")["fpr"].reset_index(drop=True))


def test_compare_reports_without_truth_has_no_error_metrics():
    df = hand()
    a = audit_report(df, "g", selected="pred", actual=None)
    b = audit_report(df.assign(pred=False), "g", selected="pred", actual=None)
    c = compare_reports(a, b)
    assert set(c["metric"]) == {"selection_rate", "disparate_impact", "harm_ratio"}
    # one side with truth, the other without: only what both can measure
    c2 = compare_reports(audit_report(df, "g", selected="pred", actual="act"), a)
    assert "fpr" not in set(c2["metric"])


def test_compare_reports_on_the_city(city):
    revised = DEFAULT_SCORECARD.with_points(late_bill=-20, traffic_offence=0, flagged_post=0) \
        .with_band_minimum("C", 700)
    a, b = audit_report(city), audit_report(city, scorecard=revised)
    c = compare_reports(a, b)
    assert list(c.columns) == ["column", "group", "metric", "before", "after", "change"]
    sel = c[(c["column"] == "district") & (c["metric"] == "selection_rate")]
    expected = a.by_group["district"].selection["selection_rate"]
    assert np.allclose(sel["before"].to_numpy(), expected.to_numpy())
    assert np.allclose(c["change"].dropna(), (c["after"] - c["before"]).dropna())


def test_compare_reports_bad_inputs(city):
    df = hand()
    r = audit_report(df, "g", selected="pred", actual="act")
    with pytest.raises(AuditInputError, match="before must be an AuditReport"):
        compare_reports(df, r)
    with pytest.raises(AuditInputError, match="after must be an AuditReport"):
        compare_reports(r, None)
    with pytest.raises(AuditInputError, match="metrics must be among"):
        compare_reports(r, r, metrics=["accuracy"])
    with pytest.raises(AuditInputError, match="metrics must be a non-empty"):
        compare_reports(r, r, metrics=[])
    other = audit_report(df.assign(h=df["g"]), "h", selected="pred", actual="act")
    with pytest.raises(AuditInputError, match="different group columns"):
        compare_reports(r, other)
    fewer = audit_report(df.assign(g=df["g"].replace("b", "c")), "g", selected="pred", actual="act")
    with pytest.raises(AuditInputError, match="different groups"):
        compare_reports(r, fewer)


# ------------------------------------------------------------------------------------------- sampling_uncertainty
def test_sampling_full_population_is_exact():
    df = hand()
    s = sampling_uncertainty(df, "g", "pred", "act", sizes=(len(df),), reps=5).set_index("group")
    truth = error_rates(df, "g", "pred", "act")["fpr"]
    for g in ("a", "b"):
        assert s.loc[g, "true"] == pytest.approx(truth[g])
        assert s.loc[g, "low"] == pytest.approx(truth[g]) and s.loc[g, "high"] == pytest.approx(truth[g])
        assert s.loc[g, "undefined"] == 0


def test_sampling_intervals_narrow_and_cover(city):
    labels = ground_truth_labels(city)
    s = sampling_uncertainty(labels, "group", sizes=(500, 5000), reps=100, rng=1)
    assert list(s.columns) == ["size", "group", "true", "low", "median", "high", "mean_denominator", "undefined",
                               "metric"]
    width = (s["high"] - s["low"]).to_numpy().reshape(2, -1)
    assert (width[1] <= width[0]).all()  # a larger sample never gives a wider range here
    assert ((s["low"] <= s["true"]) & (s["true"] <= s["high"])).all()
    again = sampling_uncertainty(labels, "group", sizes=(500, 5000), reps=100, rng=1)
    pd.testing.assert_frame_equal(s, again)


def test_a_sizes_rows_do_not_depend_on_the_other_sizes(city):
    """Chapter 11 shows a table of two sizes and a chart of twenty-five from the same rng: they must agree."""
    labels = ground_truth_labels(city)
    two = sampling_uncertainty(labels, "group", sizes=(500, 5000), reps=50, rng=11)
    many = sampling_uncertainty(labels, "group", sizes=(100, 500, 1000, 5000), reps=50, rng=11)
    pd.testing.assert_frame_equal(two, many[many["size"].isin([500, 5000])].reset_index(drop=True))


def test_sampling_draws_without_replacement():
    """Ten rows, four of them negatives (the denominator of the fpr), samples of five: a sample holds on average
    two negatives, and none with chance C(6, 5) / C(10, 5) = 6/252. With replacement it would be 0.6**5 = 7.8%."""
    df = pd.DataFrame({"g": ["a"] * 10, "pred": [False] * 10, "act": [True] * 6 + [False] * 4})
    s = sampling_uncertainty(df, "g", "pred", "act", metric="fpr", sizes=(5,), reps=20_000, rng=3).iloc[0]
    assert s["mean_denominator"] == pytest.approx(2.0, abs=0.03)
    assert s["undefined"] == pytest.approx(6 / 252, abs=0.005)


def test_sampling_among_the_selected(city):
    labels = ground_truth_labels(city)
    s = sampling_uncertainty(labels, "district", metric="ppv", among="predicted", sizes=(50,), reps=50)
    assert (s["true"].between(0, 1)).all()
    # sampling only the selected: every sampled row counts for ppv
    assert s["mean_denominator"].sum() == pytest.approx(50)


def test_sampling_undefined_when_group_has_no_denominator():
    df = hand()
    s = sampling_uncertainty(df, "g", "pred", "act", metric="fnr", sizes=(11,), reps=3).set_index("group")
    assert math.isnan(s.loc["b", "true"]) and s.loc["b", "undefined"] == 1 and math.isnan(s.loc["b", "median"])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("xyz"), st.booleans(), st.booleans()), min_size=5, max_size=40),
       st.integers(0, 1000))
def test_sampling_estimates_are_rates(rows, seed):
    df = pd.DataFrame(rows, columns=["g", "p", "a"])
    s = sampling_uncertainty(df, "g", "p", "a", metric="selection_rate", sizes=(len(df) // 2 + 1,), reps=10,
                             rng=seed)
    ok = s.dropna(subset=["median"])
    assert ((ok["low"] >= 0) & (ok["low"] <= ok["median"]) & (ok["median"] <= ok["high"]) & (ok["high"] <= 1)).all()


def test_sampling_bad_inputs():
    df = hand()
    with pytest.raises(AuditInputError, match="metric must be one of"):
        sampling_uncertainty(df, "g", "pred", "act", metric="accuracy")
    with pytest.raises(AuditInputError, match="larger than the 11 rows"):
        sampling_uncertainty(df, "g", "pred", "act", sizes=(20,))
    with pytest.raises(AuditInputError, match="sample size in sizes"):
        sampling_uncertainty(df, "g", "pred", "act", sizes=(0,))
    with pytest.raises(AuditInputError, match="sizes must be a non-empty"):
        sampling_uncertainty(df, "g", "pred", "act", sizes=[])
    with pytest.raises(AuditInputError, match="reps"):
        sampling_uncertainty(df, "g", "pred", "act", sizes=(5,), reps=1)
    with pytest.raises(AuditInputError, match="level"):
        sampling_uncertainty(df, "g", "pred", "act", sizes=(5,), level=1.5)
    with pytest.raises(AuditInputError, match="rng"):
        sampling_uncertainty(df, "g", "pred", "act", sizes=(5,), rng=-1)
    with pytest.raises(AuditInputError, match="'act'"):
        sampling_uncertainty(df.assign(act=1), "g", "pred", "act", sizes=(5,))
    with pytest.raises(AuditInputError, match="nothing to sample"):
        sampling_uncertainty(df.assign(none=False), "g", "pred", "act", sizes=(5,), among="none")
    with pytest.raises(AuditInputError, match="no column 'nope'"):
        sampling_uncertainty(df, "nope", "pred", "act", sizes=(5,))
