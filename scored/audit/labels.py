"""Ground truth: the decision made on the records next to the decision the truth would give, per resident.

Only a synthetic city can have this table; real auditors see the records, not what happened.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._counting import bincount
from ..validation import ScoredTypeError, check_choice, check_column
from ..scoring import as_scorecard

__all__ = ["TRUTH_BASES", "ground_truth_labels", "outcome_words"]

TRUTH_BASES = ("behaviour", "corrected_records")

def _sanctioned(scores: pd.DataFrame, grade: str) -> np.ndarray:
    return (scores["grade"] <= grade).to_numpy()


def outcome_words(grade: str, scorecard: Any = None) -> str:
    """Words for the decision "graded ``grade`` or worse" under ``scorecard``, e.g. "graded D" or "graded C or lower".

    Parameters
    ----------
    grade : str
        One of the scorecard's grades.
    scorecard : Scorecard, dict or None, optional
        Default (and None) ``DEFAULT_SCORECARD``.

    Returns
    -------
    str
        ``"graded <grade>"`` for the lowest grade, ``"graded <grade> or lower"`` for any other.

    Raises
    ------
    ScoredTypeError
        ``scorecard`` is not a scorecard.
    ScoredInputError
        ``grade`` is not one of the scorecard's grades.

    Examples
    --------
    >>> outcome_words("D"), outcome_words("C")
    ('graded D', 'graded C or lower')
    """
    card = as_scorecard(scorecard)
    check_choice(grade, "grade (one of the scorecard's grades)", card.grades)
    return f"graded {grade}" if grade == card.grades[-1] else f"graded {grade} or lower"


def ground_truth_labels(world: Any, scorecard: Any = None, grade: str = "D", truth: str = "behaviour") -> pd.DataFrame:
    """One row per resident: the decision made on the records, and the decision the truth would give.

    ``predicted``: the resident's grade, scored by ``scorecard`` (default: ``DEFAULT_SCORECARD``) on the
    *records*, is ``grade`` or worse (with the default ``grade="D"``: blacklisted).
    ``actual``: the same scorecard, applied to the truth, gives ``grade`` or worse. ``truth`` chooses which truth:

    - ``"behaviour"`` (default): everything the resident really did (``world.behaviour``). The gap to the records
      is then both the record errors *and* uneven surveillance (unrecorded offences; unregistered volunteering).
    - ``"corrected_records"``: the records with every error fixed -- misattributed records given back to their
      true owner (``truth_resident_id``), stale and duplicated records dropped. The gap is then only the errors:
      every false positive carries a wrong record, every false negative lost one to a namesake.

    Columns: ``district``, ``group``, ``score`` and ``grade`` (on the records), ``true_score`` and ``true_grade``,
    ``predicted``, ``actual``, ``result`` ("true positive", "false positive", "false negative", "true negative"),
    ``wrong_records`` (records on this resident that are wrong) and ``misattributed`` (records on this resident
    that belong to someone else). Index: ``resident_id``. ``outcome_words(grade, scorecard)`` gives words for the
    decision.

    Parameters
    ----------
    world : scored.world.World
    scorecard : Scorecard, dict or None
        None means ``DEFAULT_SCORECARD``.
    grade : str
        One of the scorecard's grades.
    truth : {"behaviour", "corrected_records"}

    Returns
    -------
    DataFrame
        One row per resident, with the columns above.

    Raises
    ------
    ScoredTypeError
        ``world`` is not a World, or ``scorecard`` not a Scorecard.
    ScoredInputError
        An unknown ``grade`` or ``truth``, or a world table without the columns needed.

    Examples
    --------
    >>> from scored.world import make_world
    >>> labels = ground_truth_labels(make_world(500, seed=1))
    >>> labels.columns[:4].tolist()
    ['district', 'group', 'score', 'grade']
    """
    from ..scoring import score

    for attr in ("residents", "records", "behaviour"):
        if not isinstance(getattr(world, attr, None), pd.DataFrame):
            raise ScoredTypeError(f"world must be a scored.world.World (with a {attr!r} table), "
                                  f"got a {type(world).__name__}")
    card = as_scorecard(scorecard)
    check_choice(grade, "grade (one of the scorecard's grades)", card.grades)
    check_choice(truth, "truth", TRUTH_BASES)
    res, rec = world.residents, world.records
    for col in ("resident_id", "district", "group"):
        check_column(res, col, "residents column", "world.residents")
    needed = ["resident_id", "kind", "truth_error", "truth_resident_id"]
    for col in needed:
        check_column(rec, col, "records column", "world.records")
    observed = score(rec, res, card)
    err = rec["truth_error"].astype(str).to_numpy()
    if truth == "behaviour":
        true_scores = score(world.behaviour, res, card)
    else:
        keep = (err != "stale") & (err != "duplicate")
        fixed = pd.DataFrame({"resident_id": rec["truth_resident_id"].to_numpy()[keep],
                              "kind": rec["kind"].to_numpy()[keep]})
        true_scores = score(fixed, res, card)
    predicted = _sanctioned(observed, grade)
    actual = _sanctioned(true_scores, grade)
    ids = observed.index
    pos = pd.Index(ids).get_indexer(rec["resident_id"].to_numpy())
    n = len(ids)
    wrong = bincount(pos[err != ""], minlength=n)
    mis = bincount(pos[err == "misattributed"], minlength=n)
    labels = np.array(["true negative", "false negative", "false positive", "true positive"])
    out = pd.DataFrame({
        "district": res["district"].to_numpy(),
        "group": res["group"].to_numpy(),
        "score": observed["total"].to_numpy(),
        "grade": observed["grade"].to_numpy(),
        "true_score": true_scores["total"].to_numpy(),
        "true_grade": true_scores["grade"].to_numpy(),
        "predicted": predicted,
        "actual": actual,
        "result": pd.Categorical(labels[2 * predicted + actual],
                                 categories=["true positive", "false positive", "false negative", "true negative"]),
        "wrong_records": wrong.astype(np.int64),
        "misattributed": mis.astype(np.int64),
    }, index=ids)
    for col in ("district", "group"):
        if isinstance(res[col].dtype, pd.CategoricalDtype):
            out[col] = pd.Categorical(out[col], categories=res[col].cat.categories)
    return out


