"""Tests for the feedback-loop part of scored.dynamics: patrol_feedback and feedback_grid.

The model (after Ensign et al., FAT* 2018) is checked against what its maths says: a Polya urn keeps its
starting share on average, runs away with unequal rates, learns the true shares from reports alone or with
the correction; plus the shape of the table, determinism, and bad inputs.
"""
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scored.dynamics import feedback_grid, patrol_feedback


def final(table, district="A"):
    last = table[(table["round"] == table["round"].max()) & (table["district"] == district)]
    return last.set_index("run")["allocation"]


# ------------------------------------------------------------------------------------------- the table
def test_table_shape_columns_and_bookkeeping():
    t = patrol_feedback({"North": 3, "South": 5, "East": 2}, {"North": 1, "South": 1, "East": 2}, rounds=7,
                        patrols=4, runs=3, reported_share=0.3, rng=1)
    assert list(t.columns) == ["run", "round", "district", "true_rate", "true_share", "allocation", "patrols",
                               "reported", "discovered", "counted", "data_share"]
    assert len(t) == 3 * 7 * 3
    assert list(t["district"].cat.categories) == ["North", "South", "East"]
    assert t["round"].min() == 1 and t["round"].max() == 7 and sorted(t["run"].unique()) == [0, 1, 2]
    by = t.groupby(["run", "round"])
    assert np.allclose(by["allocation"].sum(), 1) and np.allclose(by["data_share"].sum(), 1)
    assert (by["patrols"].sum() == 4).all()
    assert (t["counted"] == t["reported"] + t["discovered"]).all()  # no correction: everything counts
    assert np.allclose(t.loc[t["district"] == "South", "true_share"], 0.5)
    # round 1 starts from the initial allocation, rescaled to shares
    first = t[(t["run"] == 0) & (t["round"] == 1)].set_index("district")["allocation"]
    assert first.to_dict() == pytest.approx({"North": 0.25, "South": 0.25, "East": 0.5})
    # each round's data share is the next round's allocation
    run0 = t[t["run"] == 0].pivot(index="round", columns="district", values=["allocation", "data_share"])
    assert np.allclose(run0["data_share"].iloc[:-1].to_numpy(), run0["allocation"].iloc[1:].to_numpy())


def test_the_data_are_history_plus_everything_counted():
    history = 20.0
    t = patrol_feedback([4, 6], [0.3, 0.7], rounds=12, history=history, rng=9)
    counted = t.pivot(index="round", columns="district", values="counted").cumsum()
    data = counted + history * np.array([0.3, 0.7])
    assert np.allclose(data.div(data.sum(axis=1), axis=0).to_numpy(),
                       t.pivot(index="round", columns="district", values="data_share").to_numpy())


def test_lists_name_districts_a_b_and_series_use_their_index():
    t = patrol_feedback([1, 2], (3, 1), rounds=2)
    assert list(t["district"].cat.categories) == ["A", "B"]
    s = patrol_feedback(pd.Series([1.0, 2.0], index=["x", "y"]), [1, 1], rounds=2)
    assert list(s["district"].cat.categories) == ["x", "y"]


def test_initial_allocation_dict_may_list_districts_in_another_order():
    a = patrol_feedback({"A": 2, "B": 3}, {"B": 0.25, "A": 0.75}, rounds=5, rng=4)
    b = patrol_feedback({"A": 2, "B": 3}, {"A": 0.75, "B": 0.25}, rounds=5, rng=4)
    pd.testing.assert_frame_equal(a, b)


# ------------------------------------------------------------------------------------------- determinism
def test_same_seed_same_table_other_seed_other_table():
    args = ({"A": 5, "B": 5}, {"A": 0.8, "B": 0.2})
    a = patrol_feedback(*args, rounds=30, runs=20, rng=3)
    b = patrol_feedback(*args, rounds=30, runs=20, rng=3)
    c = patrol_feedback(*args, rounds=30, runs=20, rng=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a["allocation"].equals(c["allocation"])


def test_grid_is_deterministic():
    kw = dict(initial_shares=[0.5, 0.7], true_shares=[0.5], reported_shares=[0, 1], corrections=[False, True],
              rounds=20, every=5, runs=30, rng=1)
    pd.testing.assert_frame_equal(feedback_grid(**kw), feedback_grid(**kw))


# ------------------------------------------------------------------------------------------- the model
def test_equal_rates_equal_start_stay_balanced_in_expectation():
    f = final(patrol_feedback([5, 5], [1, 1], rounds=80, runs=2000, rng=11))
    assert abs(f.mean() - 0.5) < 0.01
    # ... but the runs do not all sit at 0.5: the urn keeps whatever the early rounds gave it
    assert f.std() > 0.05


def test_equal_rates_keep_an_unequal_start_on_average():
    f = final(patrol_feedback([5, 5], [0.8, 0.2], rounds=80, runs=2000, rng=12))
    assert abs(f.mean() - 0.8) < 0.02  # a martingale: no drift towards the fair 0.5
    assert f.between(0.45, 0.55).mean() < 0.05


def test_unequal_rates_run_away_past_the_true_share():
    t = patrol_feedback([6, 4], [1, 1], rounds=100, runs=500, rng=13)
    f = final(t)
    assert f.median() > 0.7  # true share is 0.6
    by_round = t[t["district"] == "A"].groupby("round")["allocation"].median()
    assert by_round.iloc[-1] > by_round.iloc[len(by_round) // 2] > by_round.iloc[0]


def test_all_reported_learns_the_true_shares_whatever_the_start():
    for start in ([0.9, 0.1], [0.1, 0.9]):
        f = final(patrol_feedback([6, 4], start, rounds=200, runs=300, reported_share=1.0, rng=14))
        assert abs(f.median() - 0.6) < 0.02
        assert f.quantile(0.9) - f.quantile(0.1) < 0.06


def test_reports_attenuate_but_do_not_remove_the_runaway():
    medians = [final(patrol_feedback([6, 4], [1, 1], rounds=100, runs=400, reported_share=s, rng=15)).median()
               for s in (0.0, 0.5, 1.0)]
    assert medians[0] > medians[1] > medians[2]
    assert medians[1] > 0.61  # still above the true share with half the incidents reported
    assert abs(medians[2] - 0.6) < 0.02


def test_correction_learns_the_true_share_without_reports():
    t = patrol_feedback([6, 4], [1, 1], rounds=100, runs=400, correction=True, rng=16)
    assert abs(final(t).median() - 0.6) < 0.02
    assert (t["counted"] <= t["reported"] + t["discovered"]).all()
    assert (t["counted"] < t["reported"] + t["discovered"]).any()  # some discoveries were set aside
    # the least patrolled district keeps all its discoveries
    least = t.loc[t.groupby(["run", "round"])["allocation"].idxmin()]
    assert (least["counted"] == least["reported"] + least["discovered"]).all()


def test_correction_also_unlearns_an_unequal_start_with_equal_rates():
    f = final(patrol_feedback([5, 5], [0.8, 0.2], rounds=150, runs=300, correction=True, rng=17))
    assert abs(f.median() - 0.5) < 0.05


def test_a_district_with_no_incidents_is_never_recorded():
    t = patrol_feedback({"A": 0, "B": 5}, {"A": 1, "B": 1}, rounds=20, runs=5, rng=2)
    a = t[t["district"] == "A"]
    assert (a["reported"] == 0).all() and (a["discovered"] == 0).all()
    assert (a.groupby("run")["allocation"].last() < 0.5).all()


@settings(max_examples=30, deadline=None)
@given(rates=st.lists(st.floats(0, 20), min_size=2, max_size=5).filter(lambda r: sum(r) > 0),
       share=st.floats(0, 1), correction=st.booleans(), patrols=st.integers(1, 30), seed=st.integers(0, 2**32))
def test_invariants_hold_for_any_valid_input(rates, share, correction, patrols, seed):
    t = patrol_feedback(rates, [1] * len(rates), rounds=5, patrols=patrols, reported_share=share,
                        correction=correction, runs=2, rng=seed)
    by = t.groupby(["run", "round"])
    assert np.allclose(by["allocation"].sum(), 1)
    assert (by["patrols"].sum() == patrols).all()
    assert (t[["patrols", "reported", "discovered", "counted"]] >= 0).all().all()
    assert (t["counted"] <= t["reported"] + t["discovered"]).all()
    if share == 1:
        assert (t["discovered"] == 0).all()
    if share == 0:
        assert (t["reported"] == 0).all()


# ------------------------------------------------------------------------------------------- the grid
def test_grid_rows_rounds_and_quantiles():
    g = feedback_grid([0.5, 0.8], [0.4, 0.6], [0, 0.5, 1], [False, True], rounds=21, every=5, runs=40, rng=3)
    assert list(g.columns) == ["initial_share", "true_share", "reported_share", "correction", "round",
                               "median", "low", "high"]
    assert sorted(g["round"].unique()) == [1, 5, 10, 15, 20, 21]
    assert len(g) == 2 * 2 * 3 * 2 * 6
    assert (g["low"] <= g["median"]).all() and (g["median"] <= g["high"]).all()
    first = g[g["round"] == 1]
    assert np.allclose(first["median"], first["initial_share"])  # round 1 is the starting allocation


def test_grid_matches_the_model():
    g = feedback_grid([0.5], [0.6], [0, 1], [False, True], rounds=100, every=50, runs=300, rng=4)
    last = g[g["round"] == 100].set_index(["reported_share", "correction"])["median"]
    assert last[(0.0, False)] > 0.7
    assert abs(last[(1.0, False)] - 0.6) < 0.03 and abs(last[(0.0, True)] - 0.6) < 0.03


# ------------------------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize("kwargs, message", [
    (dict(true_rates=[5]), "true_rates needs at least two districts"),
    (dict(true_rates=[5, -1]), r"true_rates\['B'\] must be a number at least 0"),
    (dict(true_rates=[5, math.nan]), r"true_rates\['B'\]"),
    (dict(true_rates=[5, math.inf]), r"true_rates\['B'\]"),
    (dict(true_rates=[5, "many"]), r"true_rates\['B'\]"),
    (dict(true_rates=[5, True]), r"true_rates\['B'\]"),
    (dict(true_rates=[0, 0]), "at least one district must have a true rate greater than 0"),
    (dict(true_rates="55"), "true_rates must be a dict"),
    (dict(true_rates=5), "true_rates must be a dict"),
    (dict(initial_allocation=[1, 0]), r"initial_allocation\['B'\] must be a number greater than 0"),
    (dict(initial_allocation=[1, 1, 1]), "initial_allocation must name the same districts"),
    (dict(true_rates={"A": 1, "B": 1}, initial_allocation={"A": 1, "C": 1}),
     "initial_allocation must name the same districts"),
    (dict(rounds=0), "rounds must be a whole number at least 1"),
    (dict(rounds=2.5), "rounds must be a whole number"),
    (dict(rounds=10**6), "rounds must be a whole number"),
    (dict(patrols=0), "patrols must be a whole number at least 1"),
    (dict(reported_share=1.5), "reported_share must be a number at least 0 and at most 1"),
    (dict(reported_share=-0.1), "reported_share"),
    (dict(history=0), "history must be a number greater than 0"),
    (dict(correction="yes"), "correction must be True or False"),
    (dict(runs=0), "runs must be a whole number at least 1"),
    (dict(rng=-1), "rng must be None, a whole number >= 0"),
    (dict(runs=100_000, rounds=1000), "runs x rounds x districts must be at most"),
])
def test_bad_arguments_raise_value_errors_naming_the_parameter(kwargs, message):
    args = {"true_rates": [5, 5], "initial_allocation": [1, 1], **kwargs}
    with pytest.raises(ValueError, match=message):
        patrol_feedback(**args)


@pytest.mark.parametrize("kwargs, message", [
    (dict(initial_shares=[0.0]), "initial_shares value must be a number greater than 0"),
    (dict(initial_shares=[1.0]), "initial_shares values must be less than 1"),
    (dict(initial_shares=[]), "initial_shares must list at least one value"),
    (dict(true_shares=[1.2]), "true_shares value"),
    (dict(reported_shares="0.5"), "reported_shares must be a list"),
    (dict(corrections=["off"]), "corrections must be a non-empty list of True/False"),
    (dict(every=0), "every must be a whole number at least 1"),
    (dict(total_rate=0), "total_rate must be a number greater than 0"),
    (dict(quantiles=(0.1, 2)), "quantiles"),
])
def test_bad_grid_arguments_raise_value_errors_naming_the_parameter(kwargs, message):
    args = {"initial_shares": [0.5], "true_shares": [0.5], "reported_shares": [0], "rounds": 5, "runs": 3,
            **kwargs}
    with pytest.raises(ValueError, match=message):
        feedback_grid(**args)


def test_a_series_allocation_must_name_the_same_districts():
    rates = pd.Series([1.0, 2.0], index=["x", "y"])
    with pytest.raises(ValueError, match="initial_allocation must name the same districts"):
        patrol_feedback(rates, pd.Series([1.0, 1.0], index=["x", "z"]))
    t = patrol_feedback(rates, pd.Series([3.0, 1.0], index=["y", "x"]), rounds=1)
    assert t.set_index("district")["allocation"].to_dict() == pytest.approx({"x": 0.25, "y": 0.75})
