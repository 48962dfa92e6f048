"""Tests for the counterfactual explanations in scored.scoring: counterfactuals() and counterfactual()."""
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scored.scoring import (DEFAULT_SCORECARD, Band, Rule, Scorecard, count_records, counterfactual,
                            counterfactuals, score)
from scored.world import CLASSROOM_PARAMS, KINDS, make_world

POINTS = DEFAULT_SCORECARD.points()
NEGATIVE = [k for k, p in POINTS.items() if p < 0]


def counts_of(rows, index=None):
    """A counts table (as count_records returns) from a list of {kind: n} dicts."""
    frame = pd.DataFrame([{k: row.get(k, 0) for k in KINDS} for row in rows], dtype=np.int64)
    frame.index = pd.Index(index if index is not None else range(len(rows)), name="resident_id")
    return frame


@pytest.fixture(scope="module")
def city():
    return make_world(**CLASSROOM_PARAMS)


@pytest.fixture(scope="module")
def counts(city):
    return count_records(city.records, city.residents)


# ------------------------------------------------------------------------------------------- the city
def test_rows_are_exactly_the_blacklisted(city, counts):
    cf = counterfactuals(counts)
    scores = score(city.records, city.residents)
    assert list(cf.index) == list(scores.index[scores["grade"] == "D"])
    assert (cf["total"] == scores.loc[cf.index, "total"]).all()
    assert (cf["grade"] == "D").all() and (cf["target_grade"] == "C").all()
    assert (cf["shortfall"] == 600 - cf["total"]).all() and (cf["shortfall"] > 0).all()


def test_everyone_gives_every_resident_and_zero_for_those_above(counts):
    cf = counterfactuals(counts, everyone=True)
    assert len(cf) == len(counts) and (cf.index == counts.index).all()
    fine = cf["total"] >= 600
    assert (cf.loc[fine, ["shortfall", "records_to_remove", "add_volunteering"]] == 0).all().all()


def test_the_changes_really_reach_the_target(counts):
    cf = counterfactuals(counts)
    removed_points = sum(-POINTS[k] * cf[f"remove_{k}"] for k in NEGATIVE)
    assert (cf["total"] + removed_points >= 600).all()
    assert (cf["records_to_remove"] == sum(cf[f"remove_{k}"] for k in NEGATIVE)).all()
    for k in NEGATIVE:  # never more records removed than are on file
        assert (cf[f"remove_{k}"] <= counts.loc[cf.index, k]).all()
    vol = cf["add_volunteering"].astype(int)
    assert (cf["total"] + 10 * vol >= 600).all() and (cf["total"] + 10 * (vol - 1) < 600).all()


def test_kit_counterfactual_points_at_the_late_bill_not_the_wrong_court_debt(city, counts):
    kit = int(city.personas.set_index("persona").loc["Kit", "resident_id"])
    row = counterfactual(counts, kit)  # 570: 30 short; the gentlest single record is the late bill
    assert row["grade"] == "D" and row["records_to_remove"] == 1
    assert row["remove_late_bill"] == 1 and row["remove_court_debt"] == 0
    assert row["add_volunteering"] == math.ceil(row["shortfall"] / 10)


def test_caps_decide_achievable(counts):
    cf = counterfactuals(counts, max_added={"volunteering": 12})
    assert (cf["achievable"] == (cf["add_volunteering"] <= 12)).all()
    assert not counterfactuals(counts, max_added={"volunteering": 0})["achievable"].any()
    assert counterfactuals(counts)["achievable"].all()  # no cap: volunteering always gets there


def test_per_resident_caps_from_a_series(counts):
    cap = pd.Series(np.where(counts.index % 2 == 0, 100, 0), index=counts.index)
    cf = counterfactuals(counts, max_added={"volunteering": cap})
    assert (cf["achievable"] == (cf.index % 2 == 0)).all()
    shuffled = cap.sample(frac=1, random_state=1)  # aligned by resident_id, not by position
    assert (counterfactuals(counts, max_added={"volunteering": shuffled})["achievable"] == cf["achievable"]).all()


# ------------------------------------------------------------------------------------------- small cases
def test_gentlest_records_among_equally_few():
    # 1 court debt (-300) and 1 late bill (-40): 560, 40 short. One record is enough either way: the late bill.
    row = counterfactual(counts_of([{"court_debt": 1, "late_bill": 1}]), 0)
    assert row["total"] == 660 and row["shortfall"] == 0
    row = counterfactual(counts_of([{"court_debt": 1, "late_bill": 3}]), 0)  # 1000-300-120 = 580
    assert row["records_to_remove"] == 1 and row["remove_late_bill"] == 1 and row["remove_court_debt"] == 0
    # 130 short with 1 court debt and 4 late bills: one court debt beats four late bills
    row = counterfactual(counts_of([{"court_debt": 1, "late_bill": 4, "traffic_offence": 1}]), 0)
    assert row["total"] == 490 and row["records_to_remove"] == 1 and row["remove_court_debt"] == 1


def test_removal_that_cannot_reach_is_missing():
    card = DEFAULT_SCORECARD.with_base(500)  # even a clean record is below 600
    row = counterfactual(counts_of([{"late_bill": 1}]), 0, card)
    assert pd.isna(row["records_to_remove"]) and pd.isna(row["remove_late_bill"])
    assert row["add_volunteering"] == 14  # 460 + 14 * 10 = 600


def test_removable_restricts_the_kinds():
    table = counts_of([{"court_debt": 1, "late_bill": 4}])  # 540, 60 short
    row = counterfactual(table, 0, removable=["late_bill"])
    assert row["records_to_remove"] == 2 and "remove_court_debt" not in row.index
    assert pd.isna(counterfactual(counts_of([{"court_debt": 2}]), 0, removable=["late_bill"])["records_to_remove"])


def test_other_target_grade():
    row = counterfactual(counts_of([{"late_bill": 2}]), 0, target_grade="AAA")  # 920 -> 1050
    assert row["target"] == 1050 and row["shortfall"] == 130 and row["add_volunteering"] == 13
    assert pd.isna(row["records_to_remove"])  # removing both bills gives only 1000


def test_float_points_do_not_round_up():
    card = Scorecard("floats", 1.0, (Rule("late_bill", -0.3), Rule("volunteering", 0.1)),
                     (Band("ok", 0.7), Band("low", None)))
    row = counterfactual(counts_of([{"late_bill": 1}]), 0, card)  # 0.7 exactly: not short
    assert row["shortfall"] == 0
    row = counterfactual(counts_of([{"late_bill": 2}]), 0, card)  # 0.4: 0.3 short = 3 x 0.1
    assert row["add_volunteering"] == 3 and row["records_to_remove"] == 1


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(*[st.integers(0, 6) for _ in NEGATIVE], st.integers(0, 3)), min_size=1, max_size=8))
def test_fewest_and_gentlest_match_brute_force(rows):
    table = counts_of([dict(zip(NEGATIVE + ["volunteering"], r)) for r in rows])
    cf = counterfactuals(table, everyone=True)
    for i, row in cf.iterrows():
        have = [int(table.loc[i, k]) for k in NEGATIVE]
        best = None
        for pick in itertools.product(*[range(h + 1) for h in have]):
            gained = sum(-POINTS[k] * n for k, n in zip(NEGATIVE, pick))
            if gained >= row["shortfall"]:
                best = min(best or (math.inf, math.inf), (sum(pick), gained))
        got = (int(row["records_to_remove"]), sum(-POINTS[k] * int(row[f"remove_{k}"]) for k in NEGATIVE))
        assert got == best


# ------------------------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize("bad, message", [
    ("not a frame", "must be a pandas DataFrame"),
    (pd.DataFrame({"late_bill": [1]}), "has no column"),
])
def test_bad_counts(bad, message):
    with pytest.raises(ValueError, match=message):
        counterfactuals(bad)


def test_scores_instead_of_counts_gets_a_hint(city):
    scores = score(city.records, city.residents)
    with pytest.raises(ValueError, match="look like scores"):
        counterfactuals(scores)


@pytest.mark.parametrize("value", [-1, 1.5, np.nan])
def test_counts_must_be_whole_and_non_negative(value):
    table = counts_of([{"late_bill": 1}]).astype(float)
    table.loc[0, "late_bill"] = value
    with pytest.raises(ValueError, match="late_bill"):
        counterfactuals(table)


def test_text_counts_are_rejected():
    table = counts_of([{"late_bill": 1}]).astype({"late_bill": object})
    table.loc[0, "late_bill"] = "one"
    with pytest.raises(ValueError, match="whole numbers"):
        counterfactuals(table)


@pytest.mark.parametrize("grade, message", [("Z", "unknown target_grade"), ("D", "lowest band"),
                                            (3, "unknown target_grade")])
def test_bad_target_grade(grade, message):
    with pytest.raises(ValueError, match=message):
        counterfactuals(counts_of([{}]), target_grade=grade)


@pytest.mark.parametrize("removable, message", [("late_bill", "list of kinds"), (["volunteering"], "deducts"),
                                                (["nonsense"], "deducts")])
def test_bad_removable(removable, message):
    with pytest.raises(ValueError, match=message):
        counterfactuals(counts_of([{}]), removable=removable)


@pytest.mark.parametrize("max_added, message", [
    (12, "must be a dict"),
    ({"late_bill": 3}, "not a kind the scorecard rewards"),
    ({"volunteering": -1}, ">= 0"),
    ({"volunteering": "many"}, "must be a number"),
    ({"volunteering": True}, "must be a number"),
    ({"volunteering": pd.Series([5], index=[99])}, "no value for 1 resident"),
    ({"volunteering": pd.Series([5, 6], index=[0, 0])}, "duplicate"),
])
def test_bad_caps(max_added, message):
    with pytest.raises(ValueError, match=message):
        counterfactuals(counts_of([{"late_bill": 12}]), max_added=max_added)


def test_bad_resident_and_options():
    table = counts_of([{"late_bill": 12}])
    with pytest.raises(KeyError, match="not in counts"):
        counterfactual(table, 5)
    with pytest.raises(TypeError, match="resident_id must be a whole number"):
        counterfactual(table, "0")
    with pytest.raises(ValueError, match="everyone"):
        counterfactual(table, 0, everyone=False)
    with pytest.raises(ValueError, match="True or False"):
        counterfactuals(table, everyone="yes")
    with pytest.raises(ValueError, match="Scorecard"):
        counterfactuals(table, scorecard="default")
    single = Scorecard("one band", 0, (), (Band("all", None),))
    with pytest.raises(ValueError, match="single band"):
        counterfactuals(table, single)


def test_a_dict_scorecard_works_and_input_is_not_changed():
    table = counts_of([{"late_bill": 12}])
    before = table.copy()
    a = counterfactuals(table, DEFAULT_SCORECARD.to_dict())
    b = counterfactuals(table)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(table, before)
