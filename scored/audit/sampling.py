"""Sampling uncertainty: how precisely an auditor who checks the truth for a sample can estimate a rate."""
from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._counting import bincount
from ..validation import ScoredInputError, ScoredTypeError, renamed_keywords, check_bool_column, check_column
from ..validation import RngLike, check_choice, check_frame, check_integer, check_rng, check_share, describe
from .errors import cells as _cells

__all__ = ["sampling_uncertainty"]

_RATE_PARTS = {  # metric: (numerator cell, denominator cells)
    "fpr": ("fp", ("fp", "tn")), "tnr": ("tn", ("fp", "tn")),
    "fnr": ("fn", ("tp", "fn")), "tpr": ("tp", ("tp", "fn")),
    "ppv": ("tp", ("tp", "fp")), "npv": ("tn", ("tn", "fn")),
    "base_rate": (("tp", "fn"), ("tp", "fp", "tn", "fn")),
    "selection_rate": (("tp", "fp"), ("tp", "fp", "tn", "fn")),
}


MAX_SAMPLES = 1_000_000  # samples in all (sizes x reps): each holds a count per group and cell, in memory at once


@renamed_keywords(seed="rng", predicted="selected")
def sampling_uncertainty(df: pd.DataFrame, group: Hashable, selected: Hashable = "predicted",
                         actual: Hashable = "actual", *, metric: str = "fpr",
                         sizes: int | Sequence[int] = (250, 500, 1000, 2500, 5000, 10000), reps: int = 200,
                         level: float = 0.9, among: Hashable | None = None, rng: RngLike = 0) -> pd.DataFrame:
    """How precisely a rate can be estimated per group when the truth is checked for a random sample only.

    An auditor rarely gets the ground truth for everyone: checking what really happened costs a case review per
    person. Suppose they draw a simple random sample of ``size`` rows (without replacement) and check the truth for
    those. This function repeats that ``reps`` times for every size in ``sizes`` and reports, per group, how the
    estimated ``metric`` (one of ``fpr``, ``fnr``, ``tpr``, ``tnr``, ``ppv``, ``npv``, ``base_rate``,
    ``selection_rate``) varies from sample to sample. It draws how many rows of each group and confusion cell a
    sample holds rather than the rows themselves: the same in distribution, and as quick for any sample size.

    ``among`` optionally names a boolean column that restricts the sampling frame: ``among="predicted"`` samples
    only people with the decision (e.g. the blacklisted), which is how an auditor can check the share of listings
    that are wrong (``metric="ppv"``) with far fewer case reviews. ``sizes`` larger than the frame are refused.

    Returns one row per size and group with columns ``size``, ``group``, ``true`` (the rate in the whole frame),
    ``low`` and ``high`` (the central ``level`` range of the estimates, e.g. the 5th and 95th percentiles for
    0.9), ``median``, ``mean_denominator`` (the average number of sampled rows the rate is computed from: for
    ``fpr``, the people who should not be selected) and ``undefined`` (the share of samples with no such row, so
    no estimate). Estimates from those samples are left out of ``low``, ``median`` and ``high`` (all NaN when every
    sample is undefined), and ``metric`` (the metric asked for, so that tables for several metrics can be
    stacked). The same int ``rng`` gives the same table, and a size's rows do not depend on the other sizes asked
    for; ``rng`` may also be a ``numpy.random.Generator`` or None (``seed=`` is its deprecated old name).

    Parameters
    ----------
    df : DataFrame
        One row per person, e.g. ``ground_truth_labels`` output.
    group : column name
        The column whose values are the groups.
    selected : column name, optional
        A boolean column: the decision; default ``"predicted"`` (``predicted=`` is the deprecated old name of this
        argument).
    actual : column name, optional
        A boolean column: what the decision should have been; default ``"actual"``.
    metric : str, keyword-only
        The rate to estimate, one of the eight above; default ``"fpr"``.
    sizes : int or list of int, keyword-only
        Sample sizes, each at least 1 and at most the number of rows that can be sampled.
    reps : int, keyword-only
        Samples drawn per size, at least 2; default 200. ``sum(sizes) * reps`` may be at most 1,000,000,000.
    level : float, keyword-only
        The central share of the estimates that ``low`` and ``high`` enclose, in (0, 1); default 0.9.
    among : column name or None, keyword-only
        A boolean column: sample only the rows where it is True; default: every row.
    rng : int, numpy.random.Generator or None, keyword-only
        The source of randomness; default 0.

    Returns
    -------
    DataFrame
        Indexed 0, 1, ...: one row per size (in the order given) and group present in the sampling frame, with the
        columns above.

    Raises
    ------
    ScoredTypeError
        ``df`` is not a DataFrame, or ``sizes``, ``reps``, ``level`` or ``rng`` is of the wrong kind.
    ScoredInputError
        A missing or non-boolean column, an unknown ``metric``, sizes or reps out of range, too many draws, or an
        ``among`` column that is never True.

    Examples
    --------
    >>> df = pd.DataFrame({"group": ["a"] * 20 + ["b"] * 20, "predicted": [True, False] * 20,
    ...                    "actual": ([True] * 10 + [False] * 10) * 2})
    >>> table = sampling_uncertainty(df, "group", metric="fpr", sizes=[10, 40], reps=50, rng=1)
    >>> spread = table["high"] - table["low"]  # the range of the middle 90% of the estimates
    >>> spread[table["size"] == 40].tolist()  # the truth checked for everyone: nothing left to vary
    [0.0, 0.0]
    >>> bool((spread[table["size"] == 10] > 0).all())  # checked for 10 of 40 rows: the estimate varies
    True
    """
    check_frame(df)
    g = check_column(df, group, "group")
    cells = _cells(df, selected, actual)
    check_choice(metric, "metric", list(_RATE_PARTS))
    given: Any = (sizes,) if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool) else sizes
    if not isinstance(given, (Sequence, np.ndarray)) or isinstance(given, str) or len(given) == 0:
        raise ScoredTypeError(f"sizes must be a non-empty list of sample sizes (or one size), got {describe(given)}")
    sizes = [check_integer(s, "every sample size in sizes", low=1) for s in given]
    reps = check_integer(reps, "reps", low=2)
    level = check_share(level, "level", low_open=True, high_open=True)
    if len(sizes) * reps > MAX_SAMPLES:
        raise ScoredInputError(f"sizes x reps must be at most {MAX_SAMPLES:,} samples in all, got "
                               f"{len(sizes):,} sizes x {reps:,} reps; use fewer reps or fewer sizes")
    gen = check_rng(rng)
    frame = np.ones(len(df), dtype=bool) if among is None else check_bool_column(df, among, "among").to_numpy()
    pool = np.flatnonzero(frame)
    if len(pool) == 0:
        raise ScoredInputError(f"no row has {among!r} (among) True: there is nothing to sample")
    too_big = [s for s in sizes if s > len(pool)]
    if too_big:
        raise ScoredInputError(f"sample size {too_big[0]:,} (in sizes) is larger than the {len(pool):,} rows that can "
                              "be sampled")
    num_cells, den_cells = _RATE_PARTS[metric]
    num_cells = (num_cells,) if isinstance(num_cells, str) else num_cells
    if isinstance(g.dtype, pd.CategoricalDtype):
        codes = g.cat.codes.to_numpy()
        names = list(g.cat.categories)
    else:
        codes, uniques = pd.factorize(g, sort=True)
        names = list(uniques)
    present = np.unique(codes[pool])
    k = len(names)
    # A row counts towards the rate only through its group and its confusion cell, so a sample is known by how
    # many rows of each (group, cell) kind it holds. Those counts are drawn directly, as a multivariate
    # hypergeometric draw: the same in distribution as drawing the rows one by one without replacement, and as
    # fast for a sample of 25,000 as for one of 10.
    kinds = list(cells.columns)  # tp, fp, tn, fn: exactly one is True in each row
    kind = codes[pool] * len(kinds) + np.argmax(cells.to_numpy(dtype=bool), axis=1)[pool]
    available = bincount(kind, minlength=k * len(kinds))
    held = np.flatnonzero(available)  # the kinds the frame holds: only they can be drawn
    group_of, cell_of = np.divmod(held, len(kinds))
    in_num, in_den = np.isin(kinds, num_cells)[cell_of], np.isin(kinds, den_cells)[cell_of]
    true_num = bincount(group_of, weights=available[held] * in_num, minlength=k)
    true_den = bincount(group_of, weights=available[held] * in_den, minlength=k)
    chunk = max(1, 20_000_000 // len(held))  # samples drawn at once, so that a fine grouping stays in memory
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    rows = []
    # Each size draws from a generator of its own, derived from ``rng`` and the size: the rows for 1,000 cases are
    # the same whichever other sizes are asked for alongside (a table of two sizes agrees with a chart of twenty).
    base = int(gen.integers(2**63))
    for size in sizes:
        nums, dens = np.zeros((reps, k)), np.zeros((reps, k))
        draws = np.random.default_rng([base, size])
        for first in range(0, reps, chunk):
            drawn = draws.multivariate_hypergeometric(available[held], size, size=min(chunk, reps - first))
            for r, counts in enumerate(drawn, start=first):
                nums[r] = bincount(group_of, weights=counts * in_num, minlength=k)
                dens[r] = bincount(group_of, weights=counts * in_den, minlength=k)
        with np.errstate(invalid="ignore", divide="ignore"):
            est = np.where(dens > 0, nums / np.where(dens > 0, dens, 1), np.nan)
        for j in present:
            e = est[:, j]
            ok = e[~np.isnan(e)]
            rows.append({
                "size": size, "group": names[j],
                "true": float(true_num[j] / true_den[j]) if true_den[j] > 0 else math.nan,
                "low": float(np.quantile(ok, lo_q)) if len(ok) else math.nan,
                "median": float(np.median(ok)) if len(ok) else math.nan,
                "high": float(np.quantile(ok, hi_q)) if len(ok) else math.nan,
                "mean_denominator": float(dens[:, j].mean()),
                "undefined": float(np.isnan(e).mean()),
            })
    out = pd.DataFrame(rows, columns=["size", "group", "true", "low", "median", "high", "mean_denominator",
                                      "undefined"])
    out["metric"] = metric
    return out

