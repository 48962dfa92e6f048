"""The toolkit's conventions (docs/ARCHITECTURE.md), and the silent wrong answers of issue 10, each pinned by a test.

- one exception family: ScoredInputError (a ValueError), ScoredTypeError (also a TypeError), the old names kept;
- one ``rng`` keyword (None, an int or a Generator); ``seed=`` and ``by=`` still work, with a DeprecationWarning;
- no silent wrong answer: overflow refused, text and NaN never counted as True, another city's tables refused,
  a misaligned release refused, a broken saved city named by file and column;
- the two mutants that survived the old suite: the small-group boundary and the accountant's tolerance.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from scored import appeals, audit, capstone, dynamics, privacy, scoring, viz
from scored.validation import (ScoredInputError, ScoredLookupError, ScoredTypeError, check_bool_column, check_number,
                               check_numeric_column, check_rng, spawn)
from scored.world import load_world, make_world


@pytest.fixture(scope="module")
def city():
    return make_world(400, seed=2)


# ---------------------------------------------------------------------------------------------------- errors
def test_one_exception_family_and_the_old_names():
    assert issubclass(ScoredInputError, ValueError)
    assert issubclass(ScoredTypeError, TypeError) and issubclass(ScoredTypeError, ValueError)
    assert issubclass(ScoredLookupError, KeyError) and issubclass(ScoredLookupError, ValueError)
    assert audit.AuditInputError is ScoredInputError and privacy.PrivacyInputError is ScoredInputError


def test_a_wrong_kind_of_object_is_a_type_error_naming_the_argument():
    with pytest.raises(TypeError, match="df must be a pandas DataFrame, got a list"):
        audit.selection_rates([1, 2], "g", "s")
    with pytest.raises(TypeError, match="epsilon must be a number greater than 0, got 'a'"):
        privacy.laplace_mechanism(1.0, 1.0, "a")
    with pytest.raises(TypeError, match="rules must be a list of Rule objects"):
        scoring.Scorecard("s", 1000, None, scoring.DEFAULT_SCORECARD.bands)


def test_messages_name_the_argument_what_was_expected_and_what_was_given():
    with pytest.raises(ScoredInputError) as err:
        check_number(1.5, "threshold", low=0, high=1)
    assert str(err.value) == "threshold must be a number at least 0 and at most 1, got 1.5"


# ---------------------------------------------------------------------------------------------------- rng
def test_rng_accepts_none_an_int_or_a_generator():
    assert check_rng(5).random() == np.random.default_rng(5).random()
    gen = np.random.default_rng(1)
    assert check_rng(gen) is gen
    assert isinstance(check_rng(None), np.random.Generator)
    for bad, kind in ((-1, ValueError), (1.5, TypeError), ("1", TypeError), (True, TypeError)):
        with pytest.raises(kind, match="rng must be None, a whole number >= 0 or a numpy.random.Generator"):
            check_rng(bad)


def test_an_int_rng_gives_the_numbers_the_old_seed_gave(city):
    """Chapters glue numbers drawn with seeds: rng=int must reproduce them bit for bit."""
    old = np.random.default_rng(3).random(len(city.behaviour[city.behaviour["kind"] == "flagged_post"]))
    chill = dynamics.chilling_effect(city, 50, rng=3)
    np.testing.assert_array_equal(chill["withheld"].to_numpy(), old < chill["p_stop"].to_numpy())
    a = appeals.simulate_appeals(city, days=100, rng=4)
    b = appeals.simulate_appeals(city, days=100, rng=np.random.default_rng(4))
    pd.testing.assert_frame_equal(a.drop(columns=[]), b)  # a Generator seeded alike gives the same streams


@pytest.mark.parametrize("call", [
    lambda c: audit.calibrated_scores({"A": 0.3}, 50, seed=1),
    lambda c: dynamics.patrol_feedback([1, 1], [1, 1], rounds=2, seed=1),
    lambda c: dynamics.chilling_effect(c, 10, seed=1),
    lambda c: appeals.summarise(appeals.simulate_appeals(c, days=30, rng=0), by="group"),
    lambda c: audit.error_rates(pd.DataFrame({"g": ["a"], "p": [True], "a": [True]}), "g", predicted="p",
                                actual="a"),
])
def test_old_keyword_names_still_work_and_warn(city, call):
    with pytest.warns(DeprecationWarning, match="is deprecated: use"):
        call(city)


def test_old_and_new_name_together_is_an_error():
    with pytest.raises(TypeError, match="not both"):
        audit.calibrated_scores({"A": 0.3}, 50, seed=1, rng=1)


def test_seed_and_rng_give_the_same_result():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old = audit.calibrated_scores({"A": 0.3, "B": 0.6}, 300, seed=9)
    pd.testing.assert_frame_equal(old, audit.calibrated_scores({"A": 0.3, "B": 0.6}, 300, rng=9))


def test_laplace_error_takes_its_arguments_in_laplace_mechanism_order():
    assert privacy.laplace_error(2.0, 0.5) == pytest.approx(2.0 / 0.5 * math.log(20))


# ---------------------------------------------------------------------------------------------------- boolean columns
@pytest.mark.parametrize("values", [["True", "False", "False"], [1, 0, 0], [True, np.nan, False], ["yes", "no", "no"]])
def test_a_boolean_column_must_hold_true_and_false(values):
    df = pd.DataFrame({"flag": values})
    with pytest.raises(ScoredInputError, match="'flag'"):
        check_bool_column(df, "flag", "selected")


def test_object_columns_of_text_are_refused():
    df = pd.DataFrame({"flag": pd.Series(["True", "False"], dtype=object)})
    with pytest.raises(ScoredInputError, match="must be boolean"):
        check_bool_column(df, "flag", "selected")


def test_object_columns_of_real_booleans_are_accepted():
    df = pd.DataFrame({"flag": pd.Series([True, False, np.True_], dtype=object)})
    assert check_bool_column(df, "flag", "selected").tolist() == [True, False, True]


def test_appeal_summaries_refuse_false_as_text_and_nan(city):
    o = appeals.simulate_appeals(city, days=200, rng=1)
    for bad in (o.assign(appealed=o["appealed"].map({True: "True", False: "False"})),
                o.assign(wrongly_sanctioned=o["wrongly_sanctioned"].astype(object).where(o.index > 0, np.nan))):
        with pytest.raises(ScoredInputError, match="must be boolean|must have no missing values"):
            appeals.summarise(bad)
        with pytest.raises(ScoredInputError, match="must be boolean|must have no missing values"):
            appeals.timeline(bad, days=200)


def test_chilled_records_refuse_text_withheld(city):
    chill = dynamics.chilling_effect(city, 80, rng=0)
    with pytest.raises(ScoredInputError, match="withheld"):
        dynamics.chilled_records(city, chill.assign(withheld=chill["withheld"].astype(str)))
    kept = dynamics.chilled_records(city, chill)
    assert len(kept) <= len(city.records)


# ---------------------------------------------------------------------------------------------------- overflow
def test_scores_that_would_overflow_are_refused(city):
    huge = scoring.DEFAULT_SCORECARD.with_points(late_bill=-2.0 ** 52)
    with pytest.raises(ScoredInputError, match="added up exactly"):
        scoring.score(city.records, city.residents, huge)
    with pytest.raises(ScoredInputError, match="at most"):
        scoring.DEFAULT_SCORECARD.with_points(late_bill=-1e300)


def test_counterfactuals_refuse_counts_that_would_overflow(city):
    counts = scoring.count_records(city.records, city.residents)
    counts.iloc[0, 0] = 10 ** 18  # used to come back as INT_MIN, with an empty table
    with pytest.raises(ScoredInputError, match="counts"):
        scoring.counterfactuals(counts)


def test_generalise_age_refuses_what_is_not_an_age():
    with pytest.raises(ScoredInputError, match="ages must be whole numbers from 0 to 1000000"):
        privacy.generalise_age([1e20], 5)
    assert privacy.generalise_age([37], 5).astype(str).tolist() == ["35-39"]


@pytest.mark.parametrize("value,sensitivity,epsilon", [(1.0, 1e300, 1e-300),  # the scale itself is infinite
                                                        (np.full(1000, 1.79e308), 1e306, 0.1)])  # value + noise
def test_laplace_refuses_to_overflow(value, sensitivity, epsilon):
    with pytest.raises(ScoredInputError, match="finite|overflows"):
        privacy.laplace_mechanism(value, sensitivity, epsilon, rng=0)


# ---------------------------------------------------------------------------------------------------- joins
def test_simulate_appeals_refuses_starts_from_another_city(city):
    other = make_world(400, seed=3)  # same size, other people
    with pytest.raises(ScoredInputError, match="another city"):
        appeals.simulate_appeals(city, starts=appeals.sanction_starts(other))
    starts = appeals.sanction_starts(city)
    with pytest.raises(ScoredInputError, match="another city"):
        appeals.simulate_appeals(city, starts=starts.assign(income=starts["income"] + 1))



def test_simulate_appeals_refuses_a_scorecard_it_would_ignore(city):
    """starts already holds one scorecard's sanctions: another scorecard beside it used to be ignored silently."""
    from scored.scoring import DEFAULT_SCORECARD

    starts = appeals.sanction_starts(city)
    harsher = DEFAULT_SCORECARD.with_base(900)
    with pytest.raises(ScoredInputError, match="give starts or scorecard, not both"):
        appeals.simulate_appeals(city, harsher, starts=starts)
    with pytest.raises(ScoredInputError, match="give starts or grade, not both"):
        appeals.simulate_appeals(city, grade="C", starts=starts)
    with_starts = appeals.simulate_appeals(city, days=200, starts=starts)
    pd.testing.assert_frame_equal(with_starts, appeals.simulate_appeals(city, days=200))

def test_attack_release_refuses_a_reset_index_and_joins_on_resident_id():
    release = capstone.published_release()
    kept = release.sample(frac=0.9, random_state=1)
    share = capstone.attack_release(kept).summary["correct"]
    with pytest.raises(ScoredInputError, match="do not line up"):
        capstone.attack_release(kept.reset_index(drop=True))  # used to give 1.7% instead of 69%, silently
    swapped = release.iloc[:400].copy()
    swapped.index = swapped.index[::-1]  # same rows, wrong row numbers: no value maps to two, yet all are wrong
    with pytest.raises(ScoredInputError, match="do not line up"):
        capstone.attack_release(swapped)
    with_ids = capstone.published_release(include_id=True).sample(frac=0.9, random_state=1)
    assert capstone.attack_release(with_ids.reset_index(drop=True)).summary["correct"] == pytest.approx(share)


def test_load_world_names_the_file_and_column(city, tmp_path):
    city.to_csv(tmp_path)
    assert len(load_world(tmp_path).records) == len(city.records)
    records = pd.read_csv(tmp_path / "records.csv", dtype=str, keep_default_na=False)
    records.drop(columns="kind").to_csv(tmp_path / "records.csv", index=False)
    with pytest.raises(ScoredInputError, match="records.csv: expected the columns .* no column 'kind'"):
        load_world(tmp_path)
    records.assign(day="soon").to_csv(tmp_path / "records.csv", index=False)
    with pytest.raises(ScoredInputError, match="records.csv: column 'day' must hold whole numbers"):
        load_world(tmp_path)
    city.to_csv(tmp_path)
    residents = pd.read_csv(tmp_path / "residents.csv", dtype=str, keep_default_na=False)
    residents.assign(disability="yes").to_csv(tmp_path / "residents.csv", index=False)
    with pytest.raises(ScoredInputError, match="residents.csv: column 'disability' must hold True or False"):
        load_world(tmp_path)


@pytest.mark.parametrize("value", ["+5", " 5", "1.0", "1e3", "True", "", "1234567890123456789", "12\n34", "5-"])
def test_load_world_refuses_numbers_that_are_not_plain_whole_numbers(city, tmp_path, value):
    """The check reads the whole column in one pass; each of these must still be caught, and its row named."""
    city.to_csv(tmp_path)
    records = pd.read_csv(tmp_path / "records.csv", dtype=str, keep_default_na=False)
    records.loc[7, "day"] = value
    records.to_csv(tmp_path / "records.csv", index=False)
    with pytest.raises(ScoredInputError, match=r"records.csv: column 'day' must hold whole numbers, got 1 value\(s\) "
                                               r"that are not, .*\(row 9 of the file\)"):
        load_world(tmp_path)


# ---------------------------------------------------------------------------------------------------- crashes
def test_former_raw_crashes_are_clear_errors(city):
    with pytest.raises(TypeError, match="must be a column name"):
        privacy.k_anonymity(pd.DataFrame({"a": [1]}), [["a"]])  # _qi_list's check used to come too late
    with pytest.raises(TypeError, match="quantiles must be a pair"):
        dynamics.feedback_grid([0.5], [0.5], [0.0], quantiles=0.5)
    with pytest.raises(ScoredInputError, match="quantiles"):
        dynamics.feedback_grid([0.5], [0.5], [0.0], quantiles=(0.9, 0.1))
    with pytest.raises(TypeError, match="rules must be a list"):
        scoring.Scorecard("s", 1000, None, ())
    with pytest.raises(TypeError, match="resident_id must be a whole number"):
        scoring.explain(scoring.score(city.records, city.residents), "7", scoring.DEFAULT_SCORECARD)



def test_validators_give_clear_errors_where_they_used_to_crash_or_guess():
    with pytest.raises(ScoredInputError, match="x must be a finite number, got 1000"):
        check_number(10 ** 400, "x")  # an int too large for a float: used to be a raw OverflowError
    with pytest.raises(ScoredInputError, match="must be a finite number at least 0, got 1000"):
        check_number(10 ** 400, "x", low=0)
    assert check_number(10 ** 400, "x", integer=True) == 10 ** 400  # whole numbers are compared exactly
    with pytest.raises(ScoredInputError, match="column 'c' \\(score\\) must be numeric .*complex"):
        check_numeric_column(pd.DataFrame({"c": [1 + 2j]}), "c", "score")  # used to drop the imaginary part
    with pytest.raises(ScoredTypeError, match="n must be a whole number at least 0, got 1.5"):
        spawn(0, 1.5)  # used to give one Generator, silently
    with pytest.raises(ScoredInputError, match="n must be a whole number at least 0, got -1"):
        spawn(0, -1)  # used to be a raw OverflowError
    assert spawn(0, 0) == [] and len(spawn(0, 3)) == 3

@pytest.mark.parametrize("call,message", [
    (lambda c: viz.score_distribution("scores", scoring.DEFAULT_SCORECARD), "scores must be a pandas DataFrame"),
    (lambda c: viz.score_distribution(pd.DataFrame({"x": [1]}), scoring.DEFAULT_SCORECARD), "'total'"),
    (lambda c: viz.score_distribution(scoring.score(c.records, c.residents), "card"), "scorecard must be"),
    (lambda c: viz.blacklist_explorer(None, c.residents, scoring.DEFAULT_SCORECARD), "counts must be"),
    (lambda c: viz.blacklist_explorer(scoring.count_records(c.records, c.residents), c.residents.drop(
        columns="group"), scoring.DEFAULT_SCORECARD), "'group'"),
    (lambda c: viz.blacklist_explorer(scoring.count_records(c.records, c.residents), c.residents,
                                      scoring.DEFAULT_SCORECARD, personas=pd.DataFrame({"x": [1]})), "personas"),
    (lambda c: viz.blacklist_threshold(None.__class__), "scorecard must be"),
    (lambda c: viz.compact_data([1, 2]), "frame must be a pandas DataFrame"),
    (lambda c: viz.chart_html("spec"), "spec must be a Vega-Lite spec"),
    (lambda c: viz.chart_html({"mark": "bar"}), "description"),
    (lambda c: viz.render([]), "spec must be"),
])
def test_viz_validates_its_inputs(city, call, message):
    with pytest.raises(ScoredInputError, match=message):
        call(city)


def test_viz_charts_build_on_good_input(city):
    counts = scoring.count_records(city.records, city.residents)
    personas = city.personas[["persona", "resident_id"]]
    chart = viz.blacklist_explorer(counts, city.residents, scoring.DEFAULT_SCORECARD, personas=personas)
    spec = chart.to_dict()
    assert "persona" in str(spec) and spec["description"].startswith("Share of residents blacklisted")
    dist = viz.score_distribution(scoring.score(city.records, city.residents), scoring.DEFAULT_SCORECARD).to_dict()
    assert dist["params"][0]["value"] == viz.blacklist_threshold(scoring.DEFAULT_SCORECARD)
    html = viz.chart_html(dist)
    assert 'class="scored-chart-spec"' in html and "</script>" in html
    assert viz.compact_data(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})).format.parse == {"a": "number"}


# ---------------------------------------------------------------------------------------------------- mutants
def test_small_group_warning_boundary():
    """Groups of fewer than SMALL_GROUP rows are flagged, a group of exactly SMALL_GROUP is not (kills < -> <=)."""
    n = audit.report.SMALL_GROUP
    df = pd.DataFrame({"g": ["big"] * n + ["small"] * (n - 1),
                       "sel": [True, False] * (n // 2) + [False] * (n % 2) + [True] + [False] * (n - 2),
                       "act": False})
    report = audit.audit_report(df, "g", selected="sel", actual=None, favourable=False)
    flagged = [f for f in report.findings if "unreliable" in f]
    assert len(flagged) == 1 and "small" in flagged[0] and "big" not in flagged[0]


def test_accountant_tolerance_lets_rounding_fit_but_nothing_more():
    """0.1 + 0.1 + 0.1 exceeds 0.3 by rounding; the relative tolerance lets it fit, but not a real overspend."""
    acc = privacy.PrivacyAccountant(0.3)
    assert 0.1 + 0.1 + 0.1 > 0.3  # the rounding the tolerance exists for
    for _ in range(3):
        acc.spend(0.1)
    assert acc.remaining == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(privacy.BudgetExceeded):
        acc.spend(1e-6)  # a real overspend, a million times the tolerance: refused
    tight = privacy.PrivacyAccountant(1.0)
    with pytest.raises(privacy.BudgetExceeded):
        tight.spend(1.0 + 1e-7)
    assert tight.can_spend(1.0 + 1e-10)
