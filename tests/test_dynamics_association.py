"""Tests for the association and chilling-effect part of scored.dynamics: the arithmetic on tiny networks,
monotonicity, determinism, purpose limitation, and rejection of bad inputs."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scored import dynamics
from scored.scoring import DEFAULT_SCORECARD, score
from scored.world import AGENCIES, KINDS, make_world


@pytest.fixture(scope="module")
def city():
    return make_world(residents=3_000, seed=11)


@pytest.fixture(scope="module")
def scores(city):
    return score(city.records, city.residents)


def tiny_scores(totals):
    return pd.DataFrame({"total": np.asarray(totals, dtype=np.int64)},
                        index=pd.Index(np.arange(len(totals), dtype=np.int64), name="resident_id"))


def tiny_ties(pairs, tie="family"):
    a, b = zip(*pairs) if pairs else ((), ())
    return pd.DataFrame({"resident_a": np.array(a, dtype=np.int64), "resident_b": np.array(b, dtype=np.int64),
                         "tie": pd.Categorical([tie] * len(pairs), categories=["family", "friend", "coworker"])})


# ------------------------------------------------------------------------------------------- association
def test_chain_spreads_one_step_per_round():
    # 0 is listed (500); 1, 2, 3 sit at 700 in a chain 0-1-2-3; each listed contact costs 150.
    s, t = tiny_scores([500, 700, 700, 700]), tiny_ties([(0, 1), (1, 2), (2, 3)])
    result = dynamics.association_penalty(s, t, weight=150, rounds=3)
    assert result.listed_by_round == [1, 2, 3, 4]
    assert (result.threshold, result.weight, result.rounds, result.per) == (600, 150, 3, "contact")
    r = result.table
    assert r["round_listed"].tolist() == [0, 1, 2, 3]
    assert r["by_association"].tolist() == [False, True, True, True]
    assert r["own_listed"].tolist() == [True, False, False, False]
    assert r["contacts"].tolist() == [1, 2, 2, 1]
    # the penalty and total reflect the list after round 2 (0, 1, 2 listed)
    assert r["blacklisted_contacts"].tolist() == [1, 2, 1, 1]
    assert r["penalty"].tolist() == [150, 300, 150, 150]
    assert (r["total"] == r["own_total"] - r["penalty"]).all()


def test_rounds_zero_and_weight_zero_change_nothing():
    s, t = tiny_scores([500, 700, 590, 1000]), tiny_ties([(0, 1), (1, 2), (2, 3)])
    for r in (dynamics.association_penalty(s, t, 150, 0).table, dynamics.association_penalty(s, t, 0, 5).table):
        assert r["listed"].tolist() == [True, False, True, False]
        assert not r["by_association"].any()
        assert (r["total"] == s["total"]).all()


def test_share_mode_divides_by_contacts():
    # resident 1 has two contacts, one listed: share 0.5 of a weight of 300 is 150
    s, t = tiny_scores([500, 800, 900]), tiny_ties([(0, 1), (1, 2)])
    r = dynamics.association_penalty(s, t, weight=300, rounds=1, per="share").table
    assert r.loc[1, "penalty"] == pytest.approx(150)
    assert not r.loc[1, "listed"]
    r = dynamics.association_penalty(s, t, weight=300, rounds=1, per="contact").table
    assert r.loc[1, "listed"]


def test_tie_types_filter():
    s = tiny_scores([500, 700, 700])
    t = pd.concat([tiny_ties([(0, 1)], "family"), tiny_ties([(0, 2)], "friend")], ignore_index=True)
    r = dynamics.association_penalty(s, t, weight=150, rounds=2, tie_types=["family"]).table
    assert r["by_association"].tolist() == [False, True, False]
    assert r["contacts"].tolist() == [1, 1, 0]


def test_non_contiguous_ids_are_matched_by_id():
    s = tiny_scores([500, 700, 950])
    s.index = pd.Index([10, 20, 30], name="resident_id")
    t = tiny_ties([(10, 20)])
    r = dynamics.association_penalty(s, t, weight=150, rounds=1).table
    assert r.loc[20, "listed"] and not r.loc[30, "listed"]


def test_blacklist_never_shrinks_and_grows_with_weight(scores, city):
    result = dynamics.association_penalty(scores, city.ties, weight=200, rounds=6)
    sizes, r = result.listed_by_round, result.table
    assert sizes == sorted(sizes) and sizes[0] == int((scores["grade"] == "D").sum())
    assert (r["listed"] >= r["own_listed"]).all()
    assert (r["by_association"] == (r["listed"] & ~r["own_listed"])).all()
    light = dynamics.association_penalty(scores, city.ties, weight=100, rounds=6).table
    assert (light["listed"] <= r["listed"]).all()
    # own listing matches the scorecard's grade D
    assert (r["own_listed"] == (scores["grade"] == "D")).all()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 1100), min_size=2, max_size=12), st.data())
def test_property_monotone_in_weight_and_rounds(totals, data):
    n = len(totals)
    pairs = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
                               .filter(lambda p: p[0] != p[1]), max_size=20))
    s, t = tiny_scores(totals), tiny_ties(pairs)
    w1 = data.draw(st.integers(0, 500))
    w2 = data.draw(st.integers(w1, 600))
    rounds = data.draw(st.integers(0, 6))
    low = dynamics.association_penalty(s, t, w1, rounds).table
    high = dynamics.association_penalty(s, t, w2, rounds).table
    more = dynamics.association_penalty(s, t, w1, rounds + 1).table
    assert (low["listed"] <= high["listed"]).all()
    assert (low["listed"] <= more["listed"]).all()
    assert (low["own_listed"] == (s["total"] < 600)).all()


def test_association_is_deterministic(scores, city):
    a = dynamics.association_penalty(scores, city.ties, 150, 4)
    b = dynamics.association_penalty(scores, city.ties, 150, 4)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.listed_by_round == b.listed_by_round


def test_association_result_carries_its_metadata_as_fields(scores, city):
    """No DataFrame.attrs (pandas drops them on many operations): the round-by-round sizes are a field, and they
    agree with the table's round_listed column, so a filtered table loses nothing (issue 10, item 2)."""
    result = dynamics.association_penalty(scores, city.ties, 150, 4)
    assert not result.table.attrs
    assert (result.weight, result.rounds, result.per) == (150, 4, "contact")
    assert result.threshold == dynamics.blacklist_line()
    when = result.table["round_listed"]
    assert result.listed_by_round == [int(when.between(0, r).sum()) for r in range(5)]
    listed = result.table[result.table["listed"]]  # a filter keeps the rows; the sizes stay on the result
    assert len(listed) == result.listed_by_round[-1]
    assert "listed_by_round=[" in repr(result)


def test_spread_table_matches_penalty(scores, city):
    grid = dynamics.association_spread(scores, city.ties, city.residents, [0, 150], rounds=3, group="group")
    assert set(grid.columns) == {"weight", "round", "group", "residents", "listed", "own_listed", "by_association"}
    assert len(grid) == 2 * 4 * 2
    assert (grid.groupby(["weight", "round"])["residents"].sum() == len(city.residents)).all()
    last = grid[(grid["weight"] == 150) & (grid["round"] == 3)]
    r = dynamics.association_penalty(scores, city.ties, 150, 3).table
    assert last["listed"].sum() == r["listed"].sum()
    assert last["by_association"].sum() == r["by_association"].sum()
    assert (grid.loc[grid["weight"] == 0, "by_association"] == 0).all()
    assert (grid["listed"] == grid["own_listed"] + grid["by_association"]).all()


@pytest.mark.parametrize("kwargs, message", [
    ({"weight": -1}, "weight"), ({"weight": float("nan")}, "weight"), ({"weight": "100"}, "weight"),
    ({"weight": True}, "weight"), ({"rounds": -1}, "rounds"), ({"rounds": 2.5}, "rounds"),
    ({"rounds": 101}, "rounds"), ({"per": "friend"}, "per"), ({"tie_types": ["cousin"]}, "tie_types"),
    ({"tie_types": []}, "tie_types"),
])
def test_association_rejects_bad_parameters(kwargs, message):
    s, t = tiny_scores([500, 700]), tiny_ties([(0, 1)])
    args = {"weight": 100, "rounds": 1, **kwargs}
    with pytest.raises(ValueError, match=message):
        dynamics.association_penalty(s, t, **args)


def test_association_rejects_bad_tables():
    s, t = tiny_scores([500, 700]), tiny_ties([(0, 1)])
    with pytest.raises(ValueError, match="scores"):
        dynamics.association_penalty(pd.DataFrame({"x": [1]}), t, 100)
    with pytest.raises(ValueError, match="ties"):
        dynamics.association_penalty(s, [(0, 1)], 100)
    with pytest.raises(ValueError, match="resident_b"):
        dynamics.association_penalty(s, t.drop(columns="resident_b"), 100)
    with pytest.raises(ValueError, match="not in scores"):
        dynamics.association_penalty(s, tiny_ties([(0, 5)]), 100)
    with pytest.raises(ValueError, match="themselves"):
        dynamics.association_penalty(s, tiny_ties([(1, 1)]), 100)
    with pytest.raises(ValueError, match="group must be"):
        dynamics.association_spread(s, t, pd.DataFrame({"resident_id": [0, 1]}), [100], 1, group="district")
    with pytest.raises(ValueError, match="weights"):
        dynamics.association_spread(s, t, pd.DataFrame({"resident_id": [0, 1], "g": ["a", "b"]}), [], 1, group="g")


# ------------------------------------------------------------------------------------------- chilling
def test_chilling_one_row_per_true_flagged_post(city):
    chill = dynamics.chilling_effect(city, 50)
    posts = city.behaviour[city.behaviour["kind"] == "flagged_post"]
    assert len(chill) == len(posts)
    assert set(chill["event_id"]) == set(posts["event_id"])
    assert chill["p_stop"].between(0, 1).all()
    expected = 1 - np.exp(-1.0 * chill["surveillance"] * 50 / 100)
    assert np.allclose(chill["p_stop"], expected)


def test_chilling_zero_points_or_sensitivity_withholds_nothing(city):
    assert not dynamics.chilling_effect(city, 0)["withheld"].any()
    assert not dynamics.chilling_effect(city, 200, sensitivity=0)["withheld"].any()


def test_chilling_is_deterministic_and_monotone(city):
    a, b = dynamics.chilling_effect(city, 80, rng=3), dynamics.chilling_effect(city, 80, rng=3)
    pd.testing.assert_frame_equal(a, b)
    low, high = dynamics.chilling_effect(city, 40, rng=3), dynamics.chilling_effect(city, 120, rng=3)
    assert (low["withheld"] <= high["withheld"]).all() and high["withheld"].sum() > low["withheld"].sum()
    strong = dynamics.chilling_effect(city, 40, sensitivity=3, rng=3)
    assert (low["withheld"] <= strong["withheld"]).all()
    other = dynamics.chilling_effect(city, 80, rng=4)
    assert not a["withheld"].equals(other["withheld"])


def test_chilling_rises_with_surveillance(city):
    chill = dynamics.chilling_effect(city, 100)
    by = chill.groupby("district", observed=True)["p_stop"].first()
    surveillance = city.districts.set_index("district")["surveillance"]
    order = surveillance.sort_values().index
    assert list(by.reindex(order)) == sorted(by)


def test_chilled_records_drop_exactly_the_withheld_posts(city):
    chill = dynamics.chilling_effect(city, 100)
    after = dynamics.chilled_records(city, chill)
    gone = set(chill.loc[chill["withheld"], "event_id"])
    flagged = city.records[city.records["kind"] == "flagged_post"]
    dropped = flagged["truth_event_id"].isin(gone).sum()
    assert len(after) == len(city.records) - dropped
    assert not (after["kind"].eq("flagged_post") & after["truth_event_id"].isin(gone)).any()
    # other kinds of record are untouched
    assert (after["kind"] != "flagged_post").sum() == (city.records["kind"] != "flagged_post").sum()
    none = dynamics.chilled_records(city, dynamics.chilling_effect(city, 0))
    assert len(none) == len(city.records)


def test_chilling_grid_agrees_with_effect(city):
    grid = dynamics.chilling_grid(city, [0, 100])
    assert len(grid) == 2 * len(city.districts)
    chill = dynamics.chilling_effect(city, 100)
    row = grid[grid["points"] == 100]
    assert row["withheld"].sum() == chill["withheld"].sum()
    assert row["posts"].sum() == len(chill)
    assert (grid.loc[grid["points"] == 0, "withheld"] == 0).all()
    assert (grid.loc[grid["points"] == 0, "records_after"] == grid.loc[grid["points"] == 0, "records_before"]).all()
    assert row["records_after"].sum() == (dynamics.chilled_records(city, chill)["kind"] == "flagged_post").sum()


@pytest.mark.parametrize("args, message", [
    ((-5,), "points_at_stake"), ((float("inf"),), "points_at_stake"), (("50",), "points_at_stake"),
    ((50, -1), "sensitivity"), ((50, 11), "sensitivity"), ((50, 1.0, -1), "rng"), ((50, 1.0, 1.5), "rng"),
])
def test_chilling_rejects_bad_parameters(city, args, message):
    with pytest.raises(ValueError, match=message):
        dynamics.chilling_effect(city, *args)


def test_chilling_rejects_bad_inputs(city):
    with pytest.raises(ValueError, match="World"):
        dynamics.chilling_effect(city.residents, 50)
    with pytest.raises(ValueError, match="chilling_effect"):
        dynamics.chilled_records(city, pd.DataFrame({"x": [1]}))
    with pytest.raises(ValueError, match="points_values"):
        dynamics.chilling_grid(city, 50)
    with pytest.raises(ValueError, match="group must be"):
        dynamics.chilling_grid(city, [50], group="shoe_size")


# ------------------------------------------------------------------------------------------- purpose limitation
def test_agency_tables_cover_every_kind():
    assert list(dynamics.AGENCY_PURPOSES) == list(AGENCIES)
    assert dynamics.AGENCY_OF_KIND == dict(zip(KINDS, AGENCIES))


def test_purpose_limited_zeroes_other_agencies(city):
    card = dynamics.purpose_limited(DEFAULT_SCORECARD, ["court"])
    assert card.points()["court_debt"] == DEFAULT_SCORECARD.points()["court_debt"]
    assert all(v == 0 for k, v in card.points().items() if k != "court_debt")
    assert card.bands == DEFAULT_SCORECARD.bands
    full = dynamics.purpose_limited(DEFAULT_SCORECARD, list(AGENCIES))
    assert full.points() == DEFAULT_SCORECARD.points()
    nothing = score(city.records, city.residents, dynamics.purpose_limited(DEFAULT_SCORECARD, []))
    assert (nothing["total"] == DEFAULT_SCORECARD.base).all()
    limited = score(city.records, city.residents, card)
    assert (limited["grade"] == "D").sum() <= (score(city.records, city.residents)["grade"] == "D").sum()


@pytest.mark.parametrize("allowed", [["police"], [3], "courts"])
def test_purpose_limited_rejects_unknown_agencies(allowed):
    with pytest.raises(ValueError, match="agency"):
        dynamics.purpose_limited(DEFAULT_SCORECARD, allowed)


def test_purpose_limited_rejects_non_scorecards():
    with pytest.raises(ValueError, match="scorecard"):
        dynamics.purpose_limited("default", ["court"])
    assert dynamics.blacklist_line(DEFAULT_SCORECARD) == 600


def test_purpose_limitation_grid(city):
    grid = dynamics.purpose_limitation_grid(city, group="group")
    assert len(grid) == 32 * 2
    assert list(grid.columns[:5]) == list(AGENCIES)
    assert (grid.groupby(list(AGENCIES))["residents"].sum() == len(city.residents)).all()
    everything = grid[grid[list(AGENCIES)].eq(1).all(axis=1)]
    assert everything["listed"].sum() == (score(city.records, city.residents)["grade"] == "D").sum()
    nothing = grid[grid[list(AGENCIES)].eq(0).all(axis=1)]
    assert nothing["listed"].sum() == 0
    assert (grid["wrongly_listed"] <= grid["listed"]).all()
    court = grid[(grid["court"] == 1) & (grid[list(AGENCIES)].sum(axis=1) == 1)]
    card = dynamics.purpose_limited(DEFAULT_SCORECARD, ["court"])
    assert court["listed"].sum() == (score(city.records, city.residents, card)["grade"] == "D").sum()
    with pytest.raises(ValueError, match="group must be"):
        dynamics.purpose_limitation_grid(city, group="height")


def test_contacts_reads_both_columns():
    t = tiny_ties([(0, 1), (2, 0), (1, 2)])
    assert dynamics.contacts(t, 0).tolist() == [1, 2]
    assert dynamics.contacts(t, 5).tolist() == []
    with pytest.raises(ValueError, match="resident_id"):
        dynamics.contacts(t, "0")
    with pytest.raises(ValueError, match="ties"):
        dynamics.contacts(t.drop(columns="resident_a"), 0)
