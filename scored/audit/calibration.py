"""Calibration: does a score mean the same in every group? A table to check it, and a score calibrated by design.

``calibration_table`` compares a score with the observed outcome per group and score bin; ``calibrated_scores``
draws a synthetic score that is calibrated within groups by construction, to study the impossibility result.
"""
from __future__ import annotations

import numbers
from collections.abc import Hashable, Mapping, Sequence
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from ..validation import ScoredInputError, ScoredTypeError, accepts_seed, check_bool_column, check_column
from ..validation import check_frame, check_integer, check_number, check_numeric_column, check_rng, check_share
from ..validation import RngLike, describe

__all__ = ["calibration_table", "calibrated_scores"]

MAX_PEOPLE = 20_000_000  # rows calibrated_scores may draw in all: more would exhaust a laptop's memory
def calibration_table(df: pd.DataFrame, group: Hashable, score: Hashable, actual: Hashable,
                      bins: int | Sequence[float] = 10) -> pd.DataFrame:
    """Per group and score bin: the number of rows, their mean score and the observed rate of ``actual``.

    ``score`` is a numeric column, ``actual`` a boolean one. ``bins`` is either a number of equal-width bins over
    the range of all scores (shared by every group, so the bins are comparable) or a strictly increasing sequence of
    bin edges that covers every score. Bins are closed on the right, ``(low, high]``; the first also includes its
    lower edge. Returns a long table with columns ``<group>, bin, bin_low, bin_high, n,
    mean_score, observed_rate`` (empty bins left out), ready to chart.

    A score is *calibrated within groups* when, in every bin, the observed rate is the same for every group. The
    impossibility results (Kleinberg, Mullainathan & Raghavan 2017, "Inherent trade-offs in the fair determination
    of risk scores"; Chouldechova 2017, "Fair prediction with disparate impact") show that when base rates differ,
    a calibrated score cannot also give groups equal false positive and false negative rates, except in trivial
    cases.

    Parameters
    ----------
    df : DataFrame
        One row per person.
    group : column name
        The column whose values are the groups.
    score : column name
        A numeric column without missing values: the score.
    actual : column name
        A boolean column: whether the outcome really happened.
    bins : int or sequence of float, optional
        A number of equal-width bins, 1 to 10,000 (default 10), or strictly increasing bin edges that cover every
        score.

    Returns
    -------
    DataFrame
        Indexed 0, 1, ...: one row per group and non-empty bin (groups in order, then bins from low to high), with
        columns ``<group>`` (named like the group column), ``bin`` (an ordered categorical of intervals),
        ``bin_low``, ``bin_high``, ``n`` (rows), ``mean_score`` and ``observed_rate`` (the share with ``actual``).

    Raises
    ------
    ScoredTypeError
        ``df`` is not a DataFrame, or ``bins`` is neither a whole number nor a sequence of numbers.
    ScoredInputError
        ``df`` is empty, a column is missing or has missing values, ``score`` is not numeric or ``actual`` not
        boolean, or the bins are out of range, not increasing or do not cover every score.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "b", "b"], "risk": [0.2, 0.8, 0.3, 0.9],
    ...                    "paid_late": [False, True, False, False]})
    >>> table = calibration_table(df, "g", "risk", "paid_late", bins=[0, 0.5, 1])
    >>> table[["g", "bin_low", "bin_high", "n", "observed_rate"]]
       g  bin_low  bin_high  n  observed_rate
    0  a      0.0       0.5  1            0.0
    1  a      0.5       1.0  1            1.0
    2  b      0.0       0.5  1            0.0
    3  b      0.5       1.0  1            0.0
    """
    check_frame(df)
    g = check_column(df, group, "group")
    s = check_numeric_column(df, score, "score")
    a = check_bool_column(df, actual, "actual")
    values = s.to_numpy(np.float64)
    if isinstance(bins, (bool, np.bool_)):
        raise ScoredTypeError(f"bins must be a positive integer or a sequence of bin edges, got {bins!r}")
    if isinstance(bins, numbers.Integral):
        bins = check_integer(bins, "bins", low=1, high=10_000)
        lo, hi = values.min(), values.max()
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(lo, hi, int(bins) + 1)
        if (np.diff(edges) <= 0).any():
            raise ScoredInputError(f"column {score!r} (score) must hold values that can be split into {bins} bins, "
                                   f"got values from {lo:g} to {hi:g}, too large for their spread")
    elif isinstance(bins, (Sequence, np.ndarray, pd.Index, pd.Series)) and not isinstance(bins, str):
        try:
            edges = np.asarray(bins, dtype=np.float64)
        except (TypeError, ValueError):
            raise ScoredTypeError(f"bins edges must be numbers, got {describe(bins)}") from None
        if edges.ndim != 1 or len(edges) < 2 or not np.isfinite(edges).all() or (np.diff(edges) <= 0).any():
            raise ScoredInputError(f"bins edges must be at least two finite, strictly increasing numbers, got "
                                   f"{describe(bins)}")
        outside = int(((values < edges[0]) | (values > edges[-1])).sum())
        if outside:
            raise ScoredInputError(f"bins must cover every score, but {outside:,} value(s) of column {score!r} (score) lie outside the bins "
                                  f"[{edges[0]:g}, {edges[-1]:g}]")
    else:
        raise ScoredTypeError(f"bins must be a positive integer or a sequence of bin edges, got {describe(bins)}")
    # bins closed on the right, the first also on the left: (e0, e1] with e0 included, (e1, e2], ...
    code = np.clip(np.searchsorted(edges, values, side="left") - 1, 0, len(edges) - 2)
    b = pd.Categorical.from_codes(code, categories=pd.IntervalIndex.from_breaks(edges, closed="right"), ordered=True)
    frame = pd.DataFrame({"_g": g.to_numpy(), "bin": b, "_s": values, "_a": a.to_numpy(np.float64)})
    if isinstance(g.dtype, pd.CategoricalDtype):
        frame["_g"] = pd.Categorical(frame["_g"], categories=g.cat.categories, ordered=g.cat.ordered)
    out = (frame.groupby(["_g", "bin"], observed=True, sort=True)
           .agg(n=("_s", "size"), mean_score=("_s", "mean"), observed_rate=("_a", "mean"))
           .reset_index().rename(columns={"_g": group}))
    out.insert(2, "bin_low", edges[out["bin"].cat.codes.to_numpy()])
    out.insert(3, "bin_high", edges[out["bin"].cat.codes.to_numpy() + 1])
    out["n"] = out["n"].astype(np.int64)
    return out




_STANDARD_NORMAL = NormalDist()

def _logit_normal_location(p: float, spread: float) -> float:
    """The location mu for which sigmoid(mu + spread * Z), Z standard normal, has mean ``p`` (by bisection)."""
    u = (np.arange(4000) + 0.5) / 4000
    z = np.array([_STANDARD_NORMAL.inv_cdf(x) for x in u])
    lo, hi = -50.0, 50.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if np.mean(1 / (1 + np.exp(-(mid + spread * z)))) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


@accepts_seed
def calibrated_scores(base_rates: Mapping[Any, float], n: int = 10_000, *, spread: float = 1.5,
                      rng: RngLike = 0) -> pd.DataFrame:
    """A synthetic risk score that is calibrated by construction, for groups with the given base rates.

    ``base_rates`` maps each group's name to its base rate (the share who will have the outcome), each strictly
    between 0 and 1. For every group, ``n`` scores are drawn from a logit-normal distribution,
    ``sigmoid(mu + spread * Z)`` with ``Z`` standard normal and ``mu`` chosen so that the scores average the base
    rate; then each person's outcome is drawn with probability equal to their score. So among people scored 0.7,
    about 70% have the outcome, in every group: the score is *calibrated within groups*. A large ``spread``
    pushes scores towards 0 and 1 (a confident, informative score); a small one bunches them around the base rate
    (a score that says little about individuals).

    Returns a DataFrame with columns ``group`` (categorical, in the order given), ``score`` (float in (0, 1)) and
    ``actual`` (bool), ready for ``error_rates(df.assign(predicted=df.score >= t), "group", "predicted",
    "actual")`` and ``calibration_table(df, "group", "score", "actual")``. The same int ``rng`` gives the same frame
    (``rng`` is an int seed, a ``numpy.random.Generator`` or None; ``seed=`` is its deprecated old name).

    Whatever the thresholds, such a score cannot give groups with different base rates equal false positive
    rates, equal false negative rates and equal positive predictive values at once (Chouldechova 2017;
    Kleinberg, Mullainathan & Raghavan 2017); see ``implied_fpr``.

    Parameters
    ----------
    base_rates : dict
        Group name -> its base rate, each strictly between 0 and 1; not empty.
    n : int, optional
        People drawn per group (default 10,000); at most 20,000,000 in all.
    spread : float, keyword-only
        The spread of the scores on the logit scale, in (0, 10]; default 1.5.
    rng : int, numpy.random.Generator or None, keyword-only
        The source of randomness; default 0 (a fixed seed, so the same frame every time).

    Returns
    -------
    DataFrame
        Indexed 0, 1, ...: ``n`` rows per group, in the order of ``base_rates``, with the columns above.

    Raises
    ------
    ScoredTypeError
        ``base_rates`` is not a mapping, or a base rate, ``n``, ``spread`` or ``rng`` is of the wrong kind.
    ScoredInputError
        No groups, a base rate outside (0, 1), or ``n`` or ``spread`` out of range.

    Examples
    --------
    >>> df = calibrated_scores({"Kestrel": 0.2, "Heron": 0.4}, n=5000, rng=1)
    >>> df.groupby("group", observed=True)["actual"].mean().round(1).to_dict()
    {'Kestrel': 0.2, 'Heron': 0.4}
    """
    if not isinstance(base_rates, Mapping):
        raise ScoredTypeError(f"base_rates must be a non-empty mapping of group name to base rate, got "
                              f"{describe(base_rates)}")
    if not base_rates:
        raise ScoredInputError("base_rates must be a non-empty mapping of group name to base rate, got {}")
    rates = {k: check_share(v, f"base_rates[{k!r}] (the base rate of group {k!r})", low_open=True, high_open=True)
             for k, v in base_rates.items()}
    n = check_integer(n, "n", low=1, high=MAX_PEOPLE // len(rates))
    spread = check_number(spread, "spread", low=0, high=10, low_open=True)
    gen = check_rng(rng)
    n = int(n)
    groups: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    actual: list[np.ndarray] = []
    for name, p in rates.items():
        mu = _logit_normal_location(p, float(spread))
        s = 1 / (1 + np.exp(-(mu + spread * gen.standard_normal(n))))
        # keep scores strictly inside (0, 1): a score of exactly 0 or 1 would claim certainty
        s = np.clip(s, 1e-9, 1 - 1e-9)
        groups.append(np.full(n, len(groups), dtype=np.int64))
        scores.append(s)
        actual.append(gen.random(n) < s)
    return pd.DataFrame({
        "group": pd.Categorical.from_codes(np.concatenate(groups), categories=pd.Index(list(rates), dtype=object)),
        "score": np.concatenate(scores),
        "actual": np.concatenate(actual),
    })


