"""Tests for scored.appeals: sanction start days, the appeal simulation, summaries, and bad inputs."""
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scored.appeals import (AccessModel, AppealPolicy, appeal_access, policy_grid, safeguard_costs, sanction_starts,
                            simulate_appeals, summarise, timeline)
from scored.audit import ground_truth_labels
from scored.scoring import DEFAULT_SCORECARD, score
from scored.world import load_classroom, make_world


@pytest.fixture(scope="module")
def city():
    return load_classroom()


@pytest.fixture(scope="module")
def starts(city):
    return sanction_starts(city)


@pytest.fixture(scope="module")
def small():
    return make_world(residents=3000, seed=5)


# ------------------------------------------------------------------------------------------- who and since when
def test_sanctions_match_the_audit_on_corrected_records(city, starts):
    labels = ground_truth_labels(city, truth="corrected_records")
    assert (starts["sanctioned"].to_numpy() == labels["predicted"].to_numpy()).all()
    assert (starts["wrongly_sanctioned"].to_numpy() == (labels["predicted"] & ~labels["actual"]).to_numpy()).all()
    assert starts["wrongly_sanctioned"].sum() > 0
    # every wrong sanction carries at least one wrong record
    wrong = starts[starts["wrongly_sanctioned"]]
    assert (wrong[["misattributed", "stale", "duplicate"]].sum(axis=1) > 0).all()


def test_start_day_is_the_day_the_running_score_fell_for_good(city, starts):
    card = DEFAULT_SCORECARD
    listed = starts[starts["sanctioned"]]
    assert listed["start_day"].notna().all() and starts.loc[~starts["sanctioned"], "start_day"].isna().all()
    for rid in listed.index[:40]:  # check by brute force: score the records up to each day
        rec = city.records[city.records["resident_id"] == rid]
        day = int(listed.loc[rid, "start_day"])
        res = city.residents.iloc[[rid]]
        assert score(rec[rec["day"] <= day], res, card)["total"].iloc[0] < 600
        for later in sorted(rec.loc[rec["day"] >= day, "day"].unique()):
            assert score(rec[rec["day"] <= later], res, card)["total"].iloc[0] < 600
        earlier = rec[rec["day"] < day]
        assert score(earlier, res, card)["total"].iloc[0] >= 600 or len(earlier) == 0


def test_kit_is_wrongly_blacklisted_from_the_day_of_the_namesakes_debt(city, starts):
    kit = int(city.personas.set_index("persona").loc["Kit", "resident_id"])
    row = starts.loc[kit]
    assert row["wrongly_sanctioned"] and row["misattributed"] >= 1
    assert row["start_day"] == 320 and row["corrected_grade"] != "D"


# ------------------------------------------------------------------------------------------- the simulation
def test_deterministic_given_a_seed(city, starts):
    a = simulate_appeals(city, days=730, rng=3, starts=starts)
    b = simulate_appeals(city, days=730, rng=3)
    pd.testing.assert_frame_equal(a, b)
    c = simulate_appeals(city, days=730, rng=4, starts=starts)
    assert not a["days_sanctioned"].equals(c["days_sanctioned"])


def test_outcome_invariants(city, starts):
    o = simulate_appeals(city, days=730, rng=1, starts=starts)
    assert len(o) == len(city.residents)
    never = ~o["sanctioned"]
    assert (o.loc[never, "days_sanctioned"] == 0).all() and not o.loc[never, "appealed"].any()
    assert (o["days_sanctioned"] <= 730).all() and (o["days_sanctioned"] >= 0).all()
    # only wrong sanctions are lifted, on a day after they started and after the resident knew
    lifted = o["end_day"].notna()
    assert o.loc[lifted, "wrongly_sanctioned"].all()
    assert (o.loc[lifted, "end_day"] > o.loc[lifted, "aware_day"]).all()
    assert (o.loc[lifted, "days_sanctioned"] == o.loc[lifted, "end_day"] - o.loc[lifted, "start_day"]).all()
    assert o.loc[lifted, "appealed"].all()
    assert (o.loc[o["still_sanctioned"], "days_sanctioned"]
            == 730 - o.loc[o["still_sanctioned"], "start_day"]).all()
    assert np.allclose(o["cost"], 10.0 * o["days_sanctioned"])
    assert (o["appeals"] <= AppealPolicy().max_appeals).all()


def test_no_appeals_means_nothing_is_lifted(city, starts):
    o = simulate_appeals(city, days=730, policy=AppealPolicy(max_appeals=0), starts=starts)
    assert not o["appealed"].any() and o["end_day"].isna().all()
    w = o[o["wrongly_sanctioned"]]
    assert (w["days_sanctioned"] == 730 - w["start_day"]).all()


def test_a_check_before_sanctions_that_finds_every_error_leaves_no_wrongful_day(city, starts):
    o = simulate_appeals(city, days=730, policy=AppealPolicy(review_before_sanction=True, p_error_found=1.0),
                         starts=starts)
    assert o.loc[o["wrongly_sanctioned"], "caught_before"].all()
    assert summarise(o)["sanction_days"].iloc[0] == 0
    right = o["sanctioned"] & ~o["wrongly_sanctioned"]
    assert (o.loc[right, "days_sanctioned"] > 0).all()  # correct sanctions still start


def test_safeguards_do_not_increase_wrongful_days(small):
    s = sanction_starts(small)
    base = AppealPolicy()
    total = lambda p: summarise(simulate_appeals(small, days=730, policy=p, rng=0, starts=s))["sanction_days"].iloc[0]
    t0 = total(base)
    # common random numbers: each safeguard alone can only help, resident by resident
    for better in (replace(base, review_deadline_days=30), replace(base, burden_on_resident=False),
                   replace(base, online_only=False), replace(base, p_error_found=1.0),
                   replace(base, review_before_sanction=True)):
        assert total(better) <= t0, better.describe()
    assert total(replace(base, max_appeals=0)) >= t0


def test_barriers_lower_the_chance_to_appeal(city):
    acc = appeal_access(city, AppealPolicy(notice=True))
    assert (acc.loc[acc["barriers"] == 0, "appeal_chance"] == AccessModel().base_appeal_chance).all()
    assert (acc.loc[acc["barriers"] > 0, "appeal_chance"] < AccessModel().base_appeal_chance).all()
    no_notice = appeal_access(city, AppealPolicy(notice=False))
    assert np.allclose(no_notice["appeal_chance"], 0.7 * acc["appeal_chance"])
    offline = appeal_access(city, AppealPolicy(online_only=False))
    assert not offline["digital"].any() and appeal_access(city)["digital"].any()
    # the simulated language barrier follows the assumed shares
    lang = appeal_access(make_world(residents=40_000, seed=1))["language"]
    groups = make_world(residents=40_000, seed=1).residents["group"].to_numpy()
    assert abs(lang[groups == "Heron"].mean() - 0.25) < 0.03 and abs(lang[groups == "Kestrel"].mean() - 0.05) < 0.01


def test_without_language_barriers_the_language_column_is_empty(city):
    acc = appeal_access(city, access=AccessModel(language_barrier={"Kestrel": 0.0, "Heron": 0.0}))
    assert not acc["language"].any()


# ------------------------------------------------------------------------------------------- summaries
def test_summarise_adds_up(city, starts):
    o = simulate_appeals(city, days=730, rng=2, starts=starts)
    overall = summarise(o).iloc[0]
    by = summarise(o, "district")
    assert by["wrongly_sanctioned"].sum() == overall["wrongly_sanctioned"] == o["wrongly_sanctioned"].sum()
    assert by["sanction_days"].sum() == overall["sanction_days"]
    assert by["residents"].sum() == len(city.residents)
    w = o[o["wrongly_sanctioned"]]
    assert overall["mean_days"] == pytest.approx(w["days_sanctioned"].mean())
    assert overall["appealed"] == pytest.approx(w["appealed"].mean())


def test_timeline_counts_match_the_table(city, starts):
    o = simulate_appeals(city, days=730, rng=2, starts=starts)
    tl = timeline(o, days=730)
    assert len(tl) == 730 and tl["sanctioned"].sum() == summarise(o)["sanction_days"].iloc[0]
    w = o[o["wrongly_sanctioned"]]
    for day in (0, 200, 364, 500, 729):
        on = ((w["start_day"] <= day) & (day < w["start_day"] + w["days_sanctioned"])).sum()
        assert tl.loc[tl["day"] == day, "sanctioned"].item() == on
    by = timeline(o, group="group", who="all", days=730)
    assert set(by["group"].astype(str)) == {"Kestrel", "Heron"}
    assert by["sanctioned"].sum() == o["days_sanctioned"].sum()


def test_outcomes_keep_no_metadata_in_attrs_so_filters_and_concat_lose_nothing(city, starts):
    """pandas drops DataFrame.attrs on many operations; the period is an argument, so a filtered or re-assembled
    table gives the same answers (issue 10, item 2)."""
    o = simulate_appeals(city, days=730, rng=2, starts=starts)
    assert not o.attrs and not starts.attrs
    heron = o[o["group"] == "Heron"]
    assert timeline(heron, days=730)["sanctioned"].sum() == summarise(heron)["sanction_days"].iloc[0]
    halves = pd.concat([o.iloc[1::2], o.iloc[::2]])  # concat keeps no attrs at all
    pd.testing.assert_frame_equal(timeline(halves, "group", days=730), timeline(o, "group", days=730))
    pd.testing.assert_frame_equal(safeguard_costs(halves, AppealPolicy(), days=730),
                                  safeguard_costs(o, AppealPolicy(), days=730))


def test_the_period_must_be_given_and_match_the_outcomes(city, starts):
    o = simulate_appeals(city, days=730, rng=2, starts=starts)
    assert o["still_sanctioned"].any()
    with pytest.raises(TypeError, match="days"):
        timeline(o)  # never a silent default
    with pytest.raises(TypeError, match="days"):
        safeguard_costs(o, AppealPolicy())
    for wrong in (365, 1000):  # too short: a sanction runs past it; too long: the still sanctioned end before it
        with pytest.raises(ValueError, match=f"days={wrong}: pass the days= given to simulate_appeals"):
            timeline(o, days=wrong)
        with pytest.raises(ValueError, match=f"days={wrong}: pass the days= given to simulate_appeals"):
            safeguard_costs(o, AppealPolicy(), days=wrong)
    with pytest.raises(ValueError, match="days must be a whole number"):
        timeline(o, days=0)


def test_policy_grid_shape(small):
    g = policy_grid(small, deadlines=(30, 90), appeal_chances=(0.5, 1.0), notice=(False,), groups=("group",), days=400)
    assert len(g) == 2 * 2 * 1 * 2
    assert {"deadline", "appeal_chance", "notice", "column", "value", "days_per_1000"} <= set(g.columns)


@settings(max_examples=15, deadline=None)
@given(deadline=st.integers(1, 365), p=st.floats(0, 1), notice=st.booleans(), burden=st.booleans(),
       appeals=st.integers(0, 5), days=st.integers(1, 900), seed=st.integers(0, 10_000))
def test_any_valid_policy_runs_and_keeps_the_invariants(small, deadline, p, notice, burden, appeals, days, seed):
    pol = AppealPolicy(notice=notice, review_deadline_days=deadline, p_error_found=p, burden_on_resident=burden,
                       max_appeals=appeals)
    o = simulate_appeals(small, days=days, policy=pol, rng=seed)
    assert ((o["days_sanctioned"] >= 0) & (o["days_sanctioned"] <= days)).all()
    assert o.loc[o["end_day"].notna(), "wrongly_sanctioned"].all()
    assert (o["end_day"].dropna() < days).all()
    assert (o["appeals"] <= appeals).all()


# ------------------------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize("kwargs, words", [
    ({"review_deadline_days": 0}, "review_deadline_days"), ({"review_deadline_days": 400}, "review_deadline_days"),
    ({"review_deadline_days": 30.5}, "review_deadline_days"), ({"p_error_found": 1.5}, "p_error_found"),
    ({"p_error_found": float("nan")}, "p_error_found"), ({"notice": "yes"}, "notice"),
    ({"max_appeals": 6}, "max_appeals"), ({"max_appeals": True}, "max_appeals"), ({"name": 3}, "name"),
])
def test_bad_policy_is_refused_naming_the_field(kwargs, words):
    with pytest.raises(ValueError, match=words):
        AppealPolicy(**kwargs)


@pytest.mark.parametrize("kwargs, words", [
    ({"base_appeal_chance": -0.1}, "base_appeal_chance"), ({"gig_factor": 2}, "gig_factor"),
    ({"discovery_days": 0}, "discovery_days"), ({"prep_days": -3}, "prep_days"),
    ({"barrier_prep_factor": 0.5}, "barrier_prep_factor"), ({"language_barrier": 0.3}, "language_barrier"),
    ({"language_barrier": {"Heron": 2}}, "language_barrier"), ({"notice_days": -1}, "notice_days"),
])
def test_bad_access_model_is_refused_naming_the_field(kwargs, words):
    with pytest.raises(ValueError, match=words):
        AccessModel(**kwargs)


def test_bad_simulation_inputs(city, starts):
    with pytest.raises(ValueError, match="world"):
        simulate_appeals(city.residents)
    with pytest.raises(ValueError, match="days"):
        simulate_appeals(city, days=0)
    with pytest.raises(ValueError, match="days"):
        simulate_appeals(city, days=10_000)
    with pytest.raises(ValueError, match="rng"):
        simulate_appeals(city, rng=-1)
    with pytest.raises(TypeError, match="rng"):
        simulate_appeals(city, rng="seven")
    with pytest.raises(ValueError, match="cost_per_day"):
        simulate_appeals(city, cost_per_day=-5)
    with pytest.raises(ValueError, match="starts"):
        simulate_appeals(city, starts=starts.iloc[:10])
    with pytest.raises(ValueError, match="grade"):
        sanction_starts(city, grade="Z")
    with pytest.raises(ValueError, match="language_barrier"):
        appeal_access(city, access=AccessModel(language_barrier={"Kestrel": 0.1}))
    with pytest.raises(ValueError, match="policy"):
        simulate_appeals(city, policy={"notice": True})
    with pytest.raises(ValueError, match="outcomes"):
        summarise(city.residents)
    o = simulate_appeals(city, starts=starts)
    with pytest.raises(ValueError, match="no column .no_such_column. .given as group"):
        summarise(o, group="no_such_column")
    with pytest.raises(ValueError, match="who"):
        timeline(o, who="everyone", days=365)
