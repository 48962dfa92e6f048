"""A catalogue of the toolkit's public functions with a good call each, and bad values to put in their place.

Used by ``tests/test_toolkit_bad_inputs.py`` (property-based: hypothesis draws a function, an argument and a bad
value) and by ``benchmarks/bench_bad_inputs.py`` (tries every combination and prints the figures).

A call with a bad value must either return (some odd values are still valid, e.g. 1.5 points per record) or raise
a ``ScoredInputError`` (a ``ValueError``; ``ScoredTypeError`` is also a ``TypeError``) whose message names the
argument -- its name, or for a table one of its columns. Anything else (a KeyError, an AttributeError, a numpy
error, an unnamed message) is a failure.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scored import appeals, capstone, dynamics, privacy, scoring, viz
from scored import audit
from scored.validation import ScoredInputError
from scored.world import make_world


@functools.lru_cache(maxsize=1)
def city():
    return make_world(300, seed=1)


@functools.lru_cache(maxsize=1)
def scores():
    return scoring.score(city().records, city().residents)


@functools.lru_cache(maxsize=1)
def counts():
    return scoring.count_records(city().records, city().residents)


@functools.lru_cache(maxsize=1)
def outcomes():
    return appeals.simulate_appeals(city(), days=60)


@functools.lru_cache(maxsize=1)
def labels():
    return audit.ground_truth_labels(city())


def decisions() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 40
    return pd.DataFrame({"g": np.repeat(["a", "b"], n // 2), "sel": rng.random(n) < 0.4,
                         "act": rng.random(n) < 0.3, "score": rng.random(n)})


def people() -> pd.DataFrame:
    return pd.DataFrame({"zip": ["H1", "H1", "H2", "H2", "H2"], "age": [30, 31, 30, 30, 45],
                         "sex": ["F", "F", "M", "M", "F"], "illness": ["flu", "cold", "flu", "flu", "cold"],
                         "name": ["A", "B", "C", "D", "E"]})


@dataclass(frozen=True)
class Case:
    """One public function: how to call it, and the arguments it takes (name -> a good value)."""

    name: str
    func: Callable[..., Any]
    good: Callable[[], dict[str, Any]]

    def call(self, **override: Any) -> Any:
        return self.func(**{**self.good(), **override})


def _report():
    return audit.audit_report(decisions(), "g", selected="sel", actual="act")


CASES = [
    # audit
    Case("audit.selection_rates", audit.selection_rates, lambda: dict(df=decisions(), group="g", selected="sel")),
    Case("audit.disparate_impact", audit.disparate_impact,
         lambda: dict(df=decisions(), group="g", selected="sel", favourable=False)),
    Case("audit.four_fifths_check", audit.four_fifths_check,
         lambda: dict(df=decisions(), group="g", selected="sel", favourable=False, threshold=0.8, outcome="listed")),
    Case("audit.confusion", audit.confusion, lambda: dict(df=decisions(), selected="sel", actual="act")),
    Case("audit.error_rates", audit.error_rates, lambda: dict(df=decisions(), group="g", selected="sel",
                                                              actual="act")),
    Case("audit.calibration_table", audit.calibration_table,
         lambda: dict(df=decisions(), group="g", score="score", actual="act", bins=4)),
    Case("audit.proxy_strength", audit.proxy_strength,
         lambda: dict(df=decisions(), group="g", proxies=["score"], target="a", bins=3)),
    Case("audit.calibrated_scores", audit.calibrated_scores,
         lambda: dict(base_rates={"A": 0.3, "B": 0.5}, n=200, spread=1.5, rng=1)),
    Case("audit.implied_fpr", audit.implied_fpr, lambda: dict(base_rate=0.3, ppv=0.6, fnr=0.2)),
    Case("audit.implied_base_rate", audit.implied_base_rate, lambda: dict(fpr=0.2, fnr=0.2, ppv=0.6)),
    Case("audit.sampling_uncertainty", audit.sampling_uncertainty,
         lambda: dict(df=decisions(), group="g", selected="sel", actual="act", metric="fpr", sizes=(10, 20),
                      reps=5, level=0.9, rng=1)),
    Case("audit.ground_truth_labels", audit.ground_truth_labels,
         lambda: dict(world=city(), scorecard=None, grade="D", truth="behaviour")),
    Case("audit.audit_report", audit.audit_report,
         lambda: dict(data=decisions(), groups="g", selected="sel", actual="act", favourable=False,
                      outcome="listed", title="t")),
    Case("audit.compare_reports", audit.compare_reports,
         lambda: dict(before=_report(), after=_report(), metrics=("fpr",))),
    # privacy
    Case("privacy.uniqueness", privacy.uniqueness, lambda: dict(df=people(), quasi_identifiers=["zip", "age"])),
    Case("privacy.k_anonymity", privacy.k_anonymity, lambda: dict(df=people(), quasi_identifiers=["zip"])),
    Case("privacy.equivalence_classes", privacy.equivalence_classes,
         lambda: dict(df=people(), quasi_identifiers=["zip"], sensitive="illness")),
    Case("privacy.l_diversity", privacy.l_diversity,
         lambda: dict(df=people(), quasi_identifiers=["zip"], sensitive="illness")),
    Case("privacy.link", privacy.link,
         lambda: dict(release=people().drop(columns="name"), auxiliary=people(), quasi_identifiers=["zip", "age"],
                      id_column="name")),
    Case("privacy.generalise_age", privacy.generalise_age, lambda: dict(ages=[30, 41, 57], width=10)),
    Case("privacy.generalise_postcode", privacy.generalise_postcode, lambda: dict(codes=["H1", "H22"], keep=1)),
    Case("privacy.generalise_date", privacy.generalise_date, lambda: dict(dates=["1988-04-17"], to="year")),
    Case("privacy.suppress", privacy.suppress, lambda: dict(df=people(), quasi_identifiers=["zip", "age"], k=2)),
    Case("privacy.make_k_anonymous", privacy.make_k_anonymous,
         lambda: dict(df=people(), quasi_identifiers=["zip", "age"], k=2,
                      hierarchy=[("age", functools.partial(privacy.generalise_age, width=10))],
                      max_suppression=0.2)),
    Case("privacy.laplace_mechanism", privacy.laplace_mechanism,
         lambda: dict(value=10.0, sensitivity=1.0, epsilon=0.5, rng=1)),
    Case("privacy.PrivacyAccountant", privacy.PrivacyAccountant, lambda: dict(total_epsilon=1.0)),
    Case("privacy.noisy_count", privacy.noisy_count,
         lambda: dict(df=people(), condition="age < 40", epsilon=0.5, rng=1, label="young")),
    Case("privacy.anonymity_set_sizes", privacy.anonymity_set_sizes,
         lambda: dict(df=people(), quasi_identifiers=["zip"])),
    Case("privacy.homogeneous_rows", privacy.homogeneous_rows,
         lambda: dict(df=people(), quasi_identifiers=["zip"], sensitive="illness")),
    Case("privacy.suppress_not_diverse", privacy.suppress_not_diverse,
         lambda: dict(df=people(), quasi_identifiers=["zip"], sensitive="illness", l=2)),
    Case("privacy.laplace_error", privacy.laplace_error, lambda: dict(sensitivity=1.0, epsilon=0.5, confidence=0.9)),
    Case("privacy.max_guess_accuracy", privacy.max_guess_accuracy, lambda: dict(epsilon=1.0)),
    # scoring
    Case("scoring.count_records", scoring.count_records,
         lambda: dict(records=city().records, residents=city().residents)),
    Case("scoring.score", scoring.score,
         lambda: dict(records=city().records, residents=city().residents, scorecard=scoring.DEFAULT_SCORECARD)),
    Case("scoring.explain", scoring.explain,
         lambda: dict(scores=scores(), resident_id=3, scorecard=scoring.DEFAULT_SCORECARD)),
    Case("scoring.counterfactuals", scoring.counterfactuals,
         lambda: dict(counts=counts(), scorecard=scoring.DEFAULT_SCORECARD, target_grade="C", everyone=False)),
    Case("scoring.counterfactual", scoring.counterfactual, lambda: dict(counts=counts(), resident_id=3)),
    Case("scoring.Scorecard", scoring.Scorecard,
         lambda: dict(name="s", base=1000, rules=scoring.DEFAULT_SCORECARD.rules,
                      bands=scoring.DEFAULT_SCORECARD.bands)),
    Case("scoring.Rule", scoring.Rule, lambda: dict(kind="late_bill", points=-10, label="late")),
    Case("scoring.Band", scoring.Band, lambda: dict(grade="A", min_score=900, sanction="none")),
    # dynamics
    Case("dynamics.patrol_feedback", dynamics.patrol_feedback,
         lambda: dict(true_rates={"A": 5, "B": 5}, initial_allocation={"A": 0.6, "B": 0.4}, rounds=5, patrols=4,
                      runs=2, rng=1)),
    Case("dynamics.feedback_grid", dynamics.feedback_grid,
         lambda: dict(initial_shares=[0.5], true_shares=[0.5], reported_shares=[0.0], rounds=6, every=3, runs=3,
                      quantiles=(0.1, 0.9), rng=1)),
    Case("dynamics.association_penalty", dynamics.association_penalty,
         lambda: dict(scores=scores(), ties=city().ties, weight=50, rounds=1)),
    Case("dynamics.contacts", dynamics.contacts, lambda: dict(ties=city().ties, resident_id=3)),
    Case("dynamics.chilling_effect", dynamics.chilling_effect,
         lambda: dict(world=city(), points_at_stake=50, sensitivity=1.0, rng=0)),
    Case("dynamics.chilled_records", dynamics.chilled_records,
         lambda: dict(world=city(), chill=dynamics.chilling_effect(city(), 50))),
    Case("dynamics.chilling_grid", dynamics.chilling_grid,
         lambda: dict(world=city(), points_values=[0, 50], sensitivity=1.0, rng=0, group="district")),
    Case("dynamics.purpose_limited", dynamics.purpose_limited,
         lambda: dict(scorecard=scoring.DEFAULT_SCORECARD, allowed_agencies=["court"])),
    Case("dynamics.blacklist_line", dynamics.blacklist_line, lambda: dict(scorecard=scoring.DEFAULT_SCORECARD)),
    # appeals
    Case("appeals.AppealPolicy", appeals.AppealPolicy,
         lambda: dict(notice=True, review_deadline_days=30, p_error_found=0.8, max_appeals=2, name="p")),
    Case("appeals.sanction_starts", appeals.sanction_starts, lambda: dict(world=city(), scorecard=None, grade="D")),
    Case("appeals.simulate_appeals", appeals.simulate_appeals,
         lambda: dict(world=city(), days=60, cost_per_day=10.0, rng=0)),
    Case("appeals.summarise", appeals.summarise, lambda: dict(outcomes=outcomes(), group="group")),
    Case("appeals.timeline", appeals.timeline, lambda: dict(outcomes=outcomes(), group="group", who="all", days=60)),
    Case("appeals.with_safeguards", appeals.with_safeguards, lambda: dict(names=["notice"])),
    Case("appeals.safeguard_costs", appeals.safeguard_costs,
         lambda: dict(outcomes=outcomes(), policy=appeals.AppealPolicy(), days=60, check_days=5,
                      p_wrongly_cleared=0.02)),
    # viz
    Case("viz.compact_data", viz.compact_data, lambda: dict(frame=decisions())),
    Case("viz.blacklist_threshold", viz.blacklist_threshold, lambda: dict(scorecard=scoring.DEFAULT_SCORECARD)),
    Case("viz.score_distribution", viz.score_distribution,
         lambda: dict(scores=scores(), scorecard=scoring.DEFAULT_SCORECARD)),
    Case("viz.blacklist_explorer", viz.blacklist_explorer,
         lambda: dict(counts=counts(), residents=city().residents, scorecard=scoring.DEFAULT_SCORECARD)),
    Case("viz.chart_html", viz.chart_html, lambda: dict(spec={"description": "A chart.", "mark": "bar"})),
]


class _Opaque:
    """An object of no useful kind."""

    def __repr__(self) -> str:
        return "<opaque>"


SCALARS = [None, "text", "", -1, 0, 1.5, -1e308, math.nan, math.inf, -math.inf, 1e308, 10**30, True, [], [1, 2],
           {}, {"a": 1}, (), _Opaque(), np.float64("nan"), pd.DataFrame()]


def frame_variants(df: pd.DataFrame) -> list[pd.DataFrame]:
    """Bad versions of a good table: empty, each column dropped, holding NaN, text, True/False as text."""
    out = [df.iloc[:0], pd.DataFrame({"unrelated": [1, 2]})]
    for c in df.columns[:6]:
        out.append(df.drop(columns=c))
        with_nan = df.copy()
        with_nan[c] = with_nan[c].astype(object)
        with_nan.iloc[0, with_nan.columns.get_loc(c)] = np.nan
        out.append(with_nan)
        as_text = df.copy()
        as_text[c] = as_text[c].astype(str)
        out.append(as_text)
        if pd.api.types.is_bool_dtype(df[c].dtype):
            out.append(df.assign(**{c: np.where(df[c], "True", "False")}))
            out.append(df.assign(**{c: df[c].astype(int)}))
        if pd.api.types.is_numeric_dtype(df[c].dtype) and not pd.api.types.is_bool_dtype(df[c].dtype):
            out.append(df.assign(**{c: np.full(len(df), np.inf)}))
            out.append(df.assign(**{c: np.full(len(df), 10**18, dtype=np.int64)}))
    return out


def bad_values(case: Case, arg: str) -> list[Any]:
    good = case.good()[arg]
    values = list(SCALARS)
    if isinstance(good, pd.DataFrame):
        values += frame_variants(good)
    return values


def names_for(case: Case, arg: str) -> list[str]:
    """Words an error about ``arg`` may use to name it: the argument, or one of its columns or keys."""
    good = case.good()[arg]
    words = [arg]
    if isinstance(good, pd.DataFrame):
        words += [str(c) for c in good.columns] + ["column", "table"]
    if isinstance(good, dict):
        words += [str(k) for k in good]
    if isinstance(good, (list, tuple)):
        words += [str(v) for v in good]
    if hasattr(good, "residents"):
        words += ["world"]
    return words


def outcome(case: Case, arg: str, value: Any) -> str:
    """"ok" (returned), "clear" (a Scored error naming the argument) or a description of what went wrong."""
    try:
        case.call(**{arg: value})
    except ScoredInputError as error:
        message = str(error)
        if any(w in message for w in names_for(case, arg)):
            return "clear"
        return f"unnamed: {type(error).__name__}: {message}"
    except privacy.BudgetExceeded:
        return "clear"
    except Exception as error:  # noqa: BLE001 -- the point is to catch anything else
        return f"raw: {type(error).__name__}: {error}"
    return "ok"


def all_inputs() -> list[tuple[Case, str, int]]:
    """Every (case, argument, index of a bad value): the space the property test draws from."""
    return [(case, arg, i) for case in CASES for arg in case.good() for i in range(len(bad_values(case, arg)))]
