"""Proxies: how much a column that is not group membership tells about group membership."""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..validation import ScoredInputError, check_column, check_column_name, check_frame, check_integer
from ..validation import check_numeric_column

__all__ = ["PROXY_COMBINED", "proxy_strength"]

PROXY_COMBINED = "all together"


def _auc(score: np.ndarray, positive: np.ndarray) -> float:
    """The chance that a random positive row scores higher than a random negative one (ties count half)."""
    ranks = pd.Series(score).rank(method="average").to_numpy(np.float64)
    n1 = int(positive.sum())
    n0 = len(positive) - n1
    return float((ranks[positive].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def proxy_strength(df: pd.DataFrame, group: Hashable, proxies: Hashable | Sequence[Hashable], *,
                   target: Any = None, bins: int = 4) -> pd.DataFrame:
    """How well each column in ``proxies`` -- and all of them together -- predicts membership of one group.

    Every row is put in a *cell*: its value of the proxy (a numeric proxy is first cut into ``bins`` bins of about
    equal size, its quantiles; a boolean, categorical or text proxy, or a numeric one with at most ``bins`` distinct
    values, is used as it is). The best guess of a row's group from the proxy alone is the share of ``target``
    members in its cell. The table says how good that guess is, one row per proxy and, when there are several, a
    last row ``"all together"`` whose cells combine them all:

    - ``cells``: the number of cells with at least one row;
    - ``auc``: the chance that a randomly chosen ``target`` member has a higher best guess than a randomly chosen
      non-member (ties count half). 0.5 means the proxy says nothing about the group, 1.0 that it gives it away;
    - ``top_cell``: the cell with the highest share of ``target`` members (a tuple for "all together"), and
      ``top_share``: that share;
    - ``overall_share``: the share of ``target`` members in the whole frame, to compare with ``top_share``;
    - ``target``: the group whose membership is guessed (the same in every row).

    ``target`` defaults to the least common group (the minority). The guess is measured on the same rows it was
    learned from, which flatters it a little when cells are small.

    Parameters
    ----------
    df : DataFrame
        One row per person.
    group : column name
        The column whose values are the groups.
    proxies : column name or list of column names
        The columns to test; not ``group`` itself, none twice.
    target : group value or None, keyword-only
        The group whose membership is guessed; default: the least common group.
    bins : int, keyword-only
        The number of quantile bins for a numeric proxy, at least 2; default 4.

    Returns
    -------
    DataFrame
        Indexed by ``proxy`` (the column names, then ``"all together"`` for several), with columns ``cells``,
        ``auc``, ``top_cell``, ``top_share``, ``overall_share`` and ``target``, as above.

    Raises
    ------
    ScoredTypeError
        ``df`` is not a DataFrame, or a column name or ``bins`` is of the wrong kind.
    ScoredInputError
        A missing column or missing values, an empty ``proxies``, a proxy that is the group column itself or is
        named twice, an unknown ``target``, a group column with only one group, or ``bins`` below 2.

    Examples
    --------
    >>> df = pd.DataFrame({"group": ["Heron"] * 3 + ["Kestrel"] * 3,
    ...                    "district": ["North", "North", "South", "North", "South", "South"],
    ...                    "income": [10, 12, 14, 30, 32, 34]})
    >>> strength = proxy_strength(df, "group", ["district", "income"], target="Heron", bins=2)
    >>> strength[["cells", "auc", "top_share"]].round(2)
                  cells   auc  top_share
    proxy
    district          2  0.67       0.67
    income            2  1.00       1.00
    all together      4  1.00       1.00
    """
    check_frame(df)
    g = check_column(df, group, "group")
    if isinstance(proxies, str) or not isinstance(proxies, Sequence):
        proxies = [proxies]
    if len(proxies) == 0:
        raise ScoredInputError(f"proxies must be a column name or a non-empty list of them, got {proxies!r}")
    proxies = [check_column_name(p, "every entry of proxies") for p in proxies]
    if len(set(map(repr, proxies))) != len(proxies):
        raise ScoredInputError(f"proxies must not name a column twice, got {proxies!r}")
    if group in proxies:
        raise ScoredInputError(f"proxies must not include the group column {group!r} itself: a proxy stands in "
                              "for it")
    bins = check_integer(bins, "bins", low=2)
    counts = g.value_counts()
    counts = counts[counts > 0]
    if len(counts) < 2:
        raise ScoredInputError(f"column {group!r} (group) has only one group ({counts.index[0]!r}): a proxy can only "
                              "tell groups apart if there are at least two")
    if target is None:
        target = counts.sort_values(kind="stable").index[0]
    elif not isinstance(target, Hashable) or target not in set(counts.index):
        raise ScoredInputError(f"target must be one of the groups in column {group!r} {sorted(map(str, counts.index))}"
                              f", got {target!r}")
    member = (g == target).to_numpy()

    cells = {}
    for p in proxies:
        s = check_column(df, p, "proxy")
        if (pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
                and check_numeric_column(df, p, "proxy").nunique() > bins):
            cut = pd.qcut(s, q=bins, duplicates="drop")  # equal values always share a bin
            # label each bin by the proxy's own range, e.g. "8,808 to 15,045"
            lo = s.groupby(cut, observed=True).transform("min")
            hi = s.groupby(cut, observed=True).transform("max")
            cells[p] = pd.Series([f"{a:,.6g} to {b:,.6g}" for a, b in zip(lo, hi)], index=df.index)
        else:
            cells[p] = s.astype(object)
    keys = list(cells.items())
    if len(proxies) > 1:
        combined = pd.Series(list(zip(*(c.to_numpy() for c in cells.values()))), index=df.index, dtype=object)
        keys.append((PROXY_COMBINED, combined))
    rows = []
    for name, cell in keys:
        share = pd.Series(member.astype(np.float64), index=df.index).groupby(cell.to_numpy(), sort=False)
        by_cell = share.mean()
        guess = share.transform("mean").to_numpy(np.float64)
        rows.append({"proxy": name, "cells": int(len(by_cell)), "auc": _auc(guess, member),
                     "top_cell": by_cell.idxmax(), "top_share": float(by_cell.max()),
                     "overall_share": float(member.mean())})
    out = pd.DataFrame(rows).set_index("proxy")
    out["target"] = [target] * len(out)
    return out


