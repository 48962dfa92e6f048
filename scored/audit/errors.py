"""Error rates: a yes/no decision compared with the truth, overall and per group.

``confusion`` and ``error_rates`` count true and false positives and negatives and turn them into rates (false
positive rate, false negative rate, positive predictive value, ...); ``implied_fpr`` and ``implied_base_rate``
are the identity that links them (Chouldechova 2017), behind the impossibility result.
"""
from __future__ import annotations

from typing import Any

from collections.abc import Hashable

import numpy as np
import pandas as pd

from ..validation import check_bool_column, check_column, check_frame, check_share, renamed_keywords

__all__ = ["RATE_COLUMNS", "COUNT_COLUMNS", "confusion", "error_rates", "implied_fpr", "implied_base_rate"]

RATE_COLUMNS = ("base_rate", "selection_rate", "tpr", "fpr", "tnr", "fnr", "ppv", "npv")
COUNT_COLUMNS = ("n", "tp", "fp", "tn", "fn")


def with_rates(c: pd.DataFrame) -> pd.DataFrame:
    """Add rates to counts tp, fp, tn, fn (NaN where the denominator is 0)."""
    c = c.astype(np.int64)
    c.insert(0, "n", c[["tp", "fp", "tn", "fn"]].sum(axis=1))

    def ratio(num: Any, den: Any) -> Any:
        num, den = num.to_numpy(np.float64), den.to_numpy(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)

    pos, neg = c["tp"] + c["fn"], c["fp"] + c["tn"]
    c["base_rate"] = ratio(pos, c["n"])
    c["selection_rate"] = ratio(c["tp"] + c["fp"], c["n"])
    c["tpr"] = ratio(c["tp"], pos)
    c["fpr"] = ratio(c["fp"], neg)
    c["tnr"] = ratio(c["tn"], neg)
    c["fnr"] = ratio(c["fn"], pos)
    c["ppv"] = ratio(c["tp"], c["tp"] + c["fp"])
    c["npv"] = ratio(c["tn"], c["tn"] + c["fn"])
    return c


def cells(df: pd.DataFrame, selected: Hashable, actual: Hashable) -> pd.DataFrame:
    """One row per row of ``df``: which confusion cell (tp, fp, tn, fn) it falls in, as four boolean columns."""
    p = check_bool_column(df, selected, "selected").to_numpy()
    a = check_bool_column(df, actual, "actual").to_numpy()
    return pd.DataFrame({"tp": p & a, "fp": p & ~a, "tn": ~p & ~a, "fn": ~p & a}, index=df.index)


@renamed_keywords(predicted="selected")
def confusion(df: pd.DataFrame, selected: Hashable, actual: Hashable) -> pd.Series:
    """Overall confusion counts and rates of boolean ``selected`` against boolean ``actual``.

    Parameters
    ----------
    df : DataFrame
        One row per person.
    selected, actual : column names
        Boolean columns: the decision (the prediction; ``predicted=`` is the deprecated old name of ``selected``),
        and what the decision should have been (the truth).

    Returns
    -------
    Series
        Named ``"all"``, with ``n, tp, fp, tn, fn`` and the rates ``base_rate`` (share actually positive),
        ``selection_rate`` (share predicted positive), ``tpr`` (sensitivity), ``fpr``, ``tnr`` (specificity),
        ``fnr``, ``ppv`` (precision) and ``npv``; a rate whose denominator is 0 is NaN.

    Raises
    ------
    ScoredInputError
        ``df`` is empty, a column is missing, has missing values or is not boolean (``ScoredTypeError`` if ``df``
        is not a DataFrame).

    Examples
    --------
    >>> df = pd.DataFrame({"listed": [True, True, False, False], "deserved": [True, False, False, True]})
    >>> c = confusion(df, "listed", "deserved")
    >>> int(c["fp"]), float(c["fpr"]), float(c["ppv"])
    (1, 0.5, 0.5)
    """
    check_frame(df)
    counts = cells(df, selected, actual).sum().to_frame().T
    out = with_rates(counts).iloc[0]
    out.name = "all"
    return out


@renamed_keywords(predicted="selected")
def error_rates(df: pd.DataFrame, group: Hashable, selected: Hashable, actual: Hashable) -> pd.DataFrame:
    """Confusion counts and error rates of boolean ``selected`` against boolean ``actual``, per ``group``.

    One row per group (sorted; categoricals in category order) with columns ``n, tp, fp, tn, fn`` and
    ``base_rate`` = (tp+fn)/n, ``selection_rate`` = (tp+fp)/n, ``tpr`` = tp/(tp+fn), ``fpr`` = fp/(fp+tn),
    ``tnr`` = tn/(fp+tn) = 1 - fpr, ``fnr`` = fn/(tp+fn) = 1 - tpr, ``ppv`` = tp/(tp+fp), ``npv`` = tn/(tn+fn).
    A rate is NaN where its denominator is 0 (e.g. ``fnr`` in a group where nobody is actually positive).

    When base rates differ between groups, no imperfect decision can equalise fpr, fnr and ppv across groups at once
    (Chouldechova 2017; Kleinberg, Mullainathan & Raghavan 2017): an audit must say which one it asks for.

    Glossary (false positive rate): "Of the people who should not get an outcome, the share who get it anyway"

    Glossary (false negative rate): "Of the people who should get an outcome (for example, whose true conduct would
    put them on a blacklist), the share who do not."

    Glossary (positive predictive value): "Of the people a decision selects, the share who should have been
    selected"

    Parameters
    ----------
    df : DataFrame
        One row per person.
    group : column name
        The column whose values are the groups.
    selected, actual : column names
        Boolean columns: the decision, and what it should have been.

    Returns
    -------
    DataFrame
        Indexed by the groups, with the columns above.

    Raises
    ------
    ScoredInputError
        As ``confusion``, and for a missing or incomplete ``group`` column.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "b", "b"], "listed": [True, False, True, False],
    ...                    "deserved": [True, False, False, False]})
    >>> error_rates(df, "g", "listed", "deserved")["fpr"].to_dict()
    {'a': 0.0, 'b': 0.5}
    """
    check_frame(df)
    g = check_column(df, group, "group")
    counts = cells(df, selected, actual).groupby(g, observed=True, sort=True).sum()
    counts.index.name = group
    return with_rates(counts)



def implied_fpr(base_rate: float, ppv: float, fnr: float) -> float:
    """The false positive rate that a base rate, a positive predictive value and a false negative rate force.

    For any yes/no decision, FPR = p / (1 - p) * (1 - PPV) / PPV * (1 - FNR), where p is the base rate
    (Chouldechova 2017, eq. 2.6). Two groups with equal PPV and equal FNR but different base rates must
    therefore have different FPRs: the impossibility result in one line.

    Parameters
    ----------
    base_rate : float in (0, 1)
    ppv : float in (0, 1]
    fnr : float in [0, 1]

    Returns
    -------
    float
        The false positive rate the three force (it may exceed 1 when the three are incompatible).

    Raises
    ------
    ScoredInputError
        A value outside its range, NaN or infinite (``ScoredTypeError`` for a value that is not a number).

    Examples
    --------
    >>> round(implied_fpr(0.3, 0.6, 0.2), 4)
    0.2286
    """
    p = check_share(base_rate, "base_rate", low_open=True, high_open=True)
    v = check_share(ppv, "ppv", low_open=True)
    f = check_share(fnr, "fnr")
    return p / (1 - p) * (1 - v) / v * (1 - f)


def implied_base_rate(fpr: float, fnr: float, ppv: float) -> float:
    """The base rate that published error rates imply: the identity of ``implied_fpr`` solved for p.

    p / (1 - p) = FPR * PPV / ((1 - PPV) * (1 - FNR)). Useful when a study reports FPR, FNR and PPV per group
    but not the base rates. Undefined (``ScoredInputError``) when PPV = 1 or FNR = 1.

    Parameters
    ----------
    fpr : float in [0, 1]
    fnr : float in [0, 1)
    ppv : float in [0, 1)

    Returns
    -------
    float
        The base rate, in [0, 1).

    Raises
    ------
    ScoredInputError
        A value outside its range, NaN or infinite (``ScoredTypeError`` for a value that is not a number).

    Examples
    --------
    >>> round(implied_base_rate(implied_fpr(0.3, 0.6, 0.2), 0.2, 0.6), 6)
    0.3
    """
    a = check_share(fpr, "fpr")
    f = check_share(fnr, "fnr", high_open=True)
    v = check_share(ppv, "ppv", high_open=True)
    odds = a * v / ((1 - v) * (1 - f))
    return odds / (1 + odds)


