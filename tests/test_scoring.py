"""Tests for scored.scoring: the arithmetic, the bands, monotonicity, blindness to truth, validation, explain()."""
import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scored.scoring import (DEFAULT_SCORECARD, Band, Rule, Scorecard, count_records, counterfactual, counterfactuals,
                            explain, score)
from scored.world import CLASSROOM_PARAMS, KINDS, make_world


@pytest.fixture(scope="module")
def city():
    return make_world(**CLASSROOM_PARAMS)


@pytest.fixture(scope="module")
def scores(city):
    return score(city.records, city.residents)


def tiny(kinds_by_resident, n=None):
    """Residents 0..n-1 and records given as {resident_id: [kind, ...]}."""
    n = n if n is not None else max(kinds_by_resident, default=-1) + 1
    rows = [(r, k) for r, ks in kinds_by_resident.items() for k in ks]
    records = pd.DataFrame(rows, columns=["resident_id", "kind"]).astype({"resident_id": np.int64})
    return records, pd.DataFrame({"resident_id": np.arange(n, dtype=np.int64)})


# ------------------------------------------------------------------------------------------- arithmetic
def test_columns(scores, city):
    assert list(scores.columns) == ["total", "grade", "sanction"] + [f"points_{r.kind}" for r in
                                                                     DEFAULT_SCORECARD.rules]
    assert scores.index.name == "resident_id"
    assert (scores.index == city.residents["resident_id"]).all()


def test_total_is_base_plus_contributions(scores):
    parts = scores.filter(like="points_").sum(axis=1)
    assert (scores["total"] == DEFAULT_SCORECARD.base + parts).all()


def test_contributions_are_counts_times_points(scores, city):
    counts = count_records(city.records, city.residents)
    for r in DEFAULT_SCORECARD.rules:
        assert (scores[f"points_{r.kind}"] == counts[r.kind] * r.points).all()
    assert counts.to_numpy().sum() == len(city.records)


def test_count_records_has_every_resident_and_kind(city):
    counts = count_records(city.records, city.residents)
    assert list(counts.columns) == list(KINDS)
    assert len(counts) == len(city.residents) and (counts.index == city.residents["resident_id"]).all()
    assert (counts.dtypes == np.int64).all() and (counts >= 0).all().all()
    assert (counts.sum(axis=1) == 0).any()  # residents without records are there, with zeros
    expected = city.records.groupby("resident_id")["kind"].value_counts().unstack(fill_value=0)
    assert (counts.loc[expected.index, list(KINDS)].to_numpy() == expected[list(KINDS)].to_numpy()).all()


def test_count_records_with_plain_strings_and_other_ids():
    records = pd.DataFrame({"resident_id": [10, 10, 30], "kind": ["late_bill", "court_debt", "late_bill"]})
    residents = pd.DataFrame({"resident_id": [30, 20, 10]})
    c = count_records(records, residents)
    assert list(c.index) == [30, 20, 10]
    assert c.loc[10, "late_bill"] == 1 and c.loc[10, "court_debt"] == 1 and c.loc[30, "late_bill"] == 1
    assert c.loc[20].sum() == 0


def test_scoring_reads_only_resident_and_kind(city, scores):
    minimal = city.records[["resident_id", "kind"]]
    pd.testing.assert_frame_equal(score(minimal, city.residents[["resident_id"]]), scores)


def test_scoring_ignores_truth_columns(city, scores):
    dropped = city.records.drop(columns=[c for c in city.records.columns if c.startswith("truth_")])
    pd.testing.assert_frame_equal(score(dropped, city.residents), scores)
    shuffled = city.records.copy()
    rng = np.random.default_rng(0)
    for c in [c for c in shuffled.columns if c.startswith("truth_")]:
        shuffled[c] = shuffled[c].to_numpy()[rng.permutation(len(shuffled))]
    pd.testing.assert_frame_equal(score(shuffled, city.residents), scores)
    reordered = city.records.sample(frac=1, random_state=1)
    pd.testing.assert_frame_equal(score(reordered, city.residents), scores)


# ------------------------------------------------------------------------------------------- bands
@pytest.mark.parametrize("i", range(len(DEFAULT_SCORECARD.bands) - 1))
def test_grade_boundaries_are_inclusive(i):
    band, below = DEFAULT_SCORECARD.bands[i], DEFAULT_SCORECARD.bands[i + 1]
    records, residents = tiny({}, n=3)
    for base, grade in ((band.min_score, band.grade), (band.min_score - 1, below.grade),
                        (band.min_score - 0.001, below.grade), (band.min_score + 0.001, band.grade)):
        s = score(records, residents, DEFAULT_SCORECARD.with_base(base))
        assert (s["grade"] == grade).all(), (base, grade)
        assert (s["sanction"] == (band if grade == band.grade else below).sanction).all()


def test_boundaries_reached_through_deductions():
    card = DEFAULT_SCORECARD.with_points(late_bill=-10)
    records, residents = tiny({0: ["late_bill"] * 4, 1: ["late_bill"] * 5, 2: ["late_bill"] * 15})
    s = score(records, residents, card)
    assert list(s["total"]) == [960, 950, 850]
    assert list(s["grade"]) == ["A", "B", "B"]


def test_grades_are_ordered_worst_to_best(scores):
    assert list(scores["grade"].cat.categories) == ["D", "C", "B", "A", "AA", "AAA"]
    assert scores["grade"].cat.ordered
    good = scores["grade"] >= "A"
    assert (scores.loc[good, "total"] >= 960).all() and (scores.loc[~good, "total"] < 960).all()


def test_default_scorecard_matches_the_design():
    d = DEFAULT_SCORECARD
    assert d.base == 1000 and d.grades == ("AAA", "AA", "A", "B", "C", "D")
    assert [b.min_score for b in d.bands] == [1050, 1030, 960, 850, 600, None]
    sanctions = {b.grade: b.sanction for b in d.bands}
    assert sanctions["AAA"] == sanctions["AA"] == "redlist: fast-track services and discounts"
    assert sanctions["A"] == sanctions["B"] == "none"
    assert sanctions["C"] == "extra inspections; loss of some benefits"
    assert sanctions["D"] == "blacklist: travel ban and loss of benefits"
    pts = d.points()
    assert pts["volunteering"] > 0 and all(pts[k] < 0 for k in KINDS if k != "volunteering")
    assert pts["court_debt"] == min(pts.values())


def test_default_scorecard_in_the_classroom_city(scores, city):
    share = scores["grade"].value_counts(normalize=True)
    assert 0.02 <= share["D"] <= 0.08
    assert share["A"] == share.max()
    r = city.residents.set_index("resident_id")
    d = (scores["grade"] == "D").groupby(r["district"]).mean()
    assert d["Eastfield"] > d["Northgate"]
    g = (scores["grade"] == "D").groupby(r["group"]).mean()
    assert 1 < g["Heron"] / g["Kestrel"] < 3  # visible, not absurd


# ------------------------------------------------------------------------------------------- monotonicity
def scorecards():
    points = st.one_of(st.integers(-500, 500), st.floats(-500, 500, allow_nan=False))
    return st.builds(lambda p, base: DEFAULT_SCORECARD.with_points(**dict(zip(KINDS, p))).with_base(base),
                     st.tuples(*[points] * len(KINDS)), st.integers(0, 2000))


@settings(max_examples=60, deadline=None)
@given(card=scorecards(), data=st.data())
def test_adding_a_record_moves_the_score_in_the_direction_of_its_points(card, data):
    n = 5
    history = data.draw(st.dictionaries(st.integers(0, n - 1), st.lists(st.sampled_from(KINDS), max_size=8)))
    who, kind = data.draw(st.integers(0, n - 1)), data.draw(st.sampled_from(KINDS))
    records, residents = tiny(history, n=n)
    more = pd.concat([records, pd.DataFrame({"resident_id": [who], "kind": [kind]})], ignore_index=True)
    before, after = score(records, residents, card), score(more, residents, card)
    p = card.points()[kind]
    delta = after["total"] - before["total"]
    assert math.isclose(delta[who], p, abs_tol=1e-6)
    assert (delta.drop(who) == 0).all()
    codes = lambda s: s["grade"].cat.codes  # noqa: E731 - higher code = better grade
    if p <= 0:
        assert codes(after)[who] <= codes(before)[who]
    else:
        assert codes(after)[who] >= codes(before)[who]


@settings(max_examples=40, deadline=None)
@given(card=scorecards())
def test_total_is_base_plus_contributions_for_any_scorecard(card, city):
    s = score(city.records, city.residents, card)
    assert np.allclose(s["total"], card.base + s.filter(like="points_").sum(axis=1))


# ------------------------------------------------------------------------------------------- scorecards as data
def test_round_trip_through_dict_and_json():
    d = DEFAULT_SCORECARD.to_dict()
    assert Scorecard.from_dict(d) == DEFAULT_SCORECARD
    assert Scorecard.from_dict(json.loads(json.dumps(d))) == DEFAULT_SCORECARD


@settings(max_examples=50, deadline=None)
@given(card=scorecards())
def test_round_trip_any_scorecard(card):
    assert Scorecard.from_dict(card.to_dict()) == card
    assert Scorecard.from_dict(json.loads(json.dumps(card.to_dict()))) == card


def test_with_points_and_band_minimum_return_copies():
    card = DEFAULT_SCORECARD.with_points(flagged_post=0, late_bill=-10)
    assert card.points()["flagged_post"] == 0 and card.points()["late_bill"] == -10
    assert DEFAULT_SCORECARD.points()["flagged_post"] == -50  # the original is untouched
    fewer = Scorecard("no posts", 1000, [r for r in DEFAULT_SCORECARD.rules if r.kind != "flagged_post"],
                      DEFAULT_SCORECARD.bands)
    assert "flagged_post" not in fewer.points()
    assert fewer.with_points(flagged_post=-5).points()["flagged_post"] == -5  # a known kind gets a new rule
    moved = DEFAULT_SCORECARD.with_band_minimum("C", 700)
    assert [b.min_score for b in moved.bands if b.grade == "C"] == [700]
    assert [b.min_score for b in DEFAULT_SCORECARD.bands if b.grade == "C"] == [600]


def test_scores_follow_a_changed_scorecard(city, scores):
    lenient = score(city.records, city.residents, DEFAULT_SCORECARD.with_points(flagged_post=0))
    assert (lenient["total"] >= scores["total"]).all()
    assert (lenient["points_flagged_post"] == 0).all()
    from_dict = score(city.records, city.residents, DEFAULT_SCORECARD.to_dict())
    pd.testing.assert_frame_equal(from_dict, scores)


BAD_CARDS = [
    (lambda: Rule("parking", -5), "parking"),
    (lambda: Rule("late_bill", "-5"), "points"),
    (lambda: Rule("late_bill", math.nan), "points"),
    (lambda: Rule("late_bill", True), "points"),
    (lambda: Rule("late_bill", -5, 3), "label"),
    (lambda: Band("", 10), "grade"),
    (lambda: Band("A", "high"), "min_score"),
    (lambda: Band("A", math.inf), "min_score"),
    (lambda: Scorecard("x", math.inf, DEFAULT_SCORECARD.rules, DEFAULT_SCORECARD.bands), "base"),
    (lambda: Scorecard("x", "1000", DEFAULT_SCORECARD.rules, DEFAULT_SCORECARD.bands), "base"),
    (lambda: Scorecard("x", 1000, [Rule("late_bill", -1), Rule("late_bill", -2)], DEFAULT_SCORECARD.bands),
     "unique"),
    (lambda: Scorecard("x", 1000, ["late_bill"], DEFAULT_SCORECARD.bands), "rules"),
    (lambda: Scorecard("x", 1000, DEFAULT_SCORECARD.rules, []), "bands"),
    (lambda: Scorecard("x", 1000, DEFAULT_SCORECARD.rules, [Band("A", 900), Band("A", None)]), "unique"),
    (lambda: Scorecard("x", 1000, DEFAULT_SCORECARD.rules, [Band("B", 800), Band("A", 900), Band("C", None)]),
     "decreasing"),
    (lambda: Scorecard("x", 1000, DEFAULT_SCORECARD.rules, [Band("A", 900), Band("B", 900), Band("C", None)]),
     "decreasing"),
    (lambda: Scorecard("x", 1000, DEFAULT_SCORECARD.rules, [Band("A", 900), Band("B", 800)]), "last band"),
    (lambda: Scorecard("x", 1000, DEFAULT_SCORECARD.rules, [Band("A", None), Band("B", None)]), "only the last"),
    (lambda: Scorecard.from_dict("not a dict"), "dict"),
    (lambda: Scorecard.from_dict({"name": "x", "base": 1000, "rules": []}), "bands"),
    (lambda: Scorecard.from_dict({**DEFAULT_SCORECARD.to_dict(), "extra": 1}), "extra"),
    (lambda: Scorecard.from_dict({**DEFAULT_SCORECARD.to_dict(), "rules": [{"kind": "late_bill", "pts": 1}]}),
     "rules"),
    (lambda: Scorecard.from_dict({**DEFAULT_SCORECARD.to_dict(), "rules": "late_bill"}), "rules"),
    (lambda: DEFAULT_SCORECARD.with_points(parking=-5), "parking"),
    (lambda: DEFAULT_SCORECARD.with_points(late_bill="a lot"), "points"),
    (lambda: DEFAULT_SCORECARD.with_band_minimum("Z", 10), "Z"),
    (lambda: DEFAULT_SCORECARD.with_band_minimum("D", 10), "lowest"),
    (lambda: DEFAULT_SCORECARD.with_band_minimum("AA", 1100), "decreasing"),
]


@pytest.mark.parametrize("make,word", BAD_CARDS, ids=[w for _, w in BAD_CARDS])
def test_bad_scorecards_are_rejected_clearly(make, word):
    with pytest.raises(ValueError, match=word):
        make()


def test_frozen():
    with pytest.raises(AttributeError):
        DEFAULT_SCORECARD.base = 0


# ------------------------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize("records,residents,word", [
    ("records.csv", pd.DataFrame({"resident_id": [0]}), "records must be a pandas DataFrame"),
    (pd.DataFrame({"resident_id": [0]}), pd.DataFrame({"resident_id": [0]}), "'kind'"),
    (pd.DataFrame({"kind": ["late_bill"]}), pd.DataFrame({"resident_id": [0]}), "'resident_id'"),
    (pd.DataFrame({"resident_id": [0], "kind": ["late_bill"]}), pd.DataFrame({"id": [0]}), "residents has no"),
    (pd.DataFrame({"resident_id": [0], "kind": ["late_bill"]}), [0, 1], "residents must be"),
    (pd.DataFrame({"resident_id": [5], "kind": ["late_bill"]}), pd.DataFrame({"resident_id": [0, 1]}), "not in"),
    (pd.DataFrame({"resident_id": [0], "kind": ["parking"]}), pd.DataFrame({"resident_id": [0]}), "parking"),
    (pd.DataFrame({"resident_id": [0], "kind": [None]}), pd.DataFrame({"resident_id": [0]}), "missing"),
    (pd.DataFrame({"resident_id": [0.5], "kind": ["late_bill"]}), pd.DataFrame({"resident_id": [0]}), "integers"),
    (pd.DataFrame({"resident_id": [0], "kind": ["late_bill"]}), pd.DataFrame({"resident_id": [0, 0]}),
     "duplicates"),
])
def test_bad_inputs_are_named(records, residents, word):
    with pytest.raises(ValueError, match=word):
        count_records(records, residents)
    with pytest.raises(ValueError, match=word):
        score(records, residents)


def test_bad_scorecard_argument(city):
    with pytest.raises(ValueError, match="Scorecard"):
        score(city.records, city.residents, "strict")


# ------------------------------------------------------------------------------------------- explain
def test_explain_sums_to_the_total(city, scores):
    ids = list(city.personas["resident_id"]) + list(range(0, len(scores), 997))
    counts = count_records(city.records, city.residents)
    for rid in ids:
        e = explain(scores, int(rid), DEFAULT_SCORECARD)
        assert e["contribution"].sum() == scores.loc[rid, "total"]
        assert e.iloc[0]["kind"] == "base"
        rules = e.iloc[1:]
        assert rules["contribution"].is_monotonic_increasing  # largest deduction first
        assert set(rules["kind"]) == {r.kind for r in DEFAULT_SCORECARD.rules}
        for _, row in rules.iterrows():
            assert row["count"] == counts.loc[rid, row["kind"]]
            assert row["contribution"] == row["count"] * row["points_each"]


def test_explain_unknown_resident(scores):
    for bad in (-1, len(scores), 10**9):
        with pytest.raises(KeyError, match="not in scores"):
            explain(scores, bad, DEFAULT_SCORECARD)
    for bad in ("7", 1.5, None, True):  # the wrong kind of object: a TypeError, not a KeyError
        with pytest.raises(TypeError, match="resident_id must be a whole number"):
            explain(scores, bad, DEFAULT_SCORECARD)


def test_explain_needs_the_scorecard(city, scores):
    with pytest.raises(TypeError, match="scorecard"):
        explain(scores, 0)  # no silent fallback to the default scorecard
    with pytest.raises(TypeError, match="scorecard must be the Scorecard the scores were made with"):
        explain(scores, 0, None)
    e = explain(scores, 0, DEFAULT_SCORECARD.to_dict())  # the dict form works too
    assert e["contribution"].sum() == scores.loc[0, "total"]


def test_explain_refuses_scores_made_with_another_scorecard(city):
    jules = int(city.personas.set_index("persona").loc["Jules", "resident_id"])  # has flagged posts
    # Only what the scores themselves contradict can be caught (-25 a post read as -50 would pass for half as
    # many posts): that is why explain has no default scorecard.
    cards = {"points": DEFAULT_SCORECARD.with_points(flagged_post=-7),
             "base": DEFAULT_SCORECARD.with_base(900),
             "bands": DEFAULT_SCORECARD.with_band_minimum("C", 500),
             "rules": Scorecard("no posts", 1000, tuple(r for r in DEFAULT_SCORECARD.rules
                                                        if r.kind != "flagged_post"), DEFAULT_SCORECARD.bands)}
    s = score(city.records, city.residents, cards["points"])
    assert s.loc[jules, "points_flagged_post"] != 0
    with pytest.raises(ValueError, match="another scorecard"):
        explain(s, jules, DEFAULT_SCORECARD)  # 15 posts at -7 = -105: not a whole number of posts at -50
    s = score(city.records, city.residents, cards["base"])
    with pytest.raises(ValueError, match="does not add up"):
        explain(s, jules, DEFAULT_SCORECARD)
    s = score(city.records, city.residents, cards["rules"])
    with pytest.raises(ValueError, match="points_flagged_post"):
        explain(score(city.records, city.residents), jules, cards["rules"])
    listed = int(s.index[(s["total"] >= 500) & (s["total"] < 600)][0])
    s = score(city.records, city.residents, cards["bands"])
    with pytest.raises(ValueError, match="grade"):
        explain(s, listed, DEFAULT_SCORECARD)
    assert explain(s, listed, cards["bands"])["contribution"].sum() == s.loc[listed, "total"]


def test_results_carry_no_metadata_in_attrs(city, scores):
    """pandas drops .attrs on many operations, so nothing may depend on it (issue 10, item 2)."""
    counts = count_records(city.records, city.residents)
    assert not scores.attrs
    assert not explain(scores, 0, DEFAULT_SCORECARD).attrs
    cf = counterfactuals(counts)
    assert not cf.attrs and not counterfactual(counts, int(cf.index[0])).attrs
    assert (cf["target_grade"] == "C").all()
    assert counterfactuals(counts, target_grade="B")["target_grade"].eq("B").all()
    # what a student does to a table keeps everything explain needs
    some = pd.concat([scores.iloc[:5], scores.iloc[5:10]]).merge(city.residents.set_index("resident_id")[["group"]],
                                                                 left_index=True, right_index=True)
    some = some[some["total"] > 0]
    rid = int(some.index[0])
    pd.testing.assert_frame_equal(explain(some, rid, DEFAULT_SCORECARD), explain(scores, rid, DEFAULT_SCORECARD))
    joined = cf.join(city.residents.set_index("resident_id")[["work"]])
    assert (joined["target_grade"] == "C").all()


def test_explain_zero_point_rule_has_unknown_count(city):
    s = score(city.records, city.residents, DEFAULT_SCORECARD.with_points(flagged_post=0))
    jules = int(city.personas.set_index("persona").loc["Jules", "resident_id"])
    e = explain(s, jules, DEFAULT_SCORECARD.with_points(flagged_post=0)).set_index("kind")
    assert pd.isna(e.loc["flagged_post", "count"]) and e.loc["flagged_post", "contribution"] == 0


def test_explain_rejects_non_frames():
    with pytest.raises(ValueError, match="DataFrame"):
        explain([1, 2], 0, DEFAULT_SCORECARD)
