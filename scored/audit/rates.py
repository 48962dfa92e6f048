"""Rates and ratios: how often each group is selected, and the ratio the four-fifths rule looks at.

``selection_rates`` gives the share selected per group; ``disparate_impact`` the ratio of the favourable outcome's
rates (the caller says which outcome is favourable); ``four_fifths_check`` applies the rule of thumb and explains it.
"""
from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..validation import ScoredInputError, ScoredTypeError, check_bool, check_bool_column, check_column, check_frame
from ..validation import check_number, check_str, describe
from ._common import pct as _pct

__all__ = ["FOUR_FIFTHS", "selection_rates", "disparate_impact", "FourFifths", "four_fifths_check"]

FOUR_FIFTHS = 0.8

def selection_rates(df: pd.DataFrame, group: Hashable, selected: Hashable) -> pd.Series:
    """The share of rows in each group where the boolean column ``selected`` is True.

    Glossary (selection rate): "The share of a group that a decision selects"

    Parameters
    ----------
    df : DataFrame
        One row per person (or per decision).
    group : column name
        The column whose values are the groups.
    selected : column name
        A boolean column: True where the decision selects the row. An integer 0/1 column or text is refused, so
        that "selected" is never guessed (see ``scored.validation``).

    Returns
    -------
    Series
        Named ``"selection_rate"``, indexed by the values of ``group`` (sorted; a categorical column keeps its
        category order, and categories with no rows are left out).

    Raises
    ------
    ScoredTypeError
        ``df`` is not a DataFrame, or a column name is not one name.
    ScoredInputError
        ``df`` is empty, a column is missing or has missing values, or ``selected`` is not boolean.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "b", "b"], "listed": [True, False, False, False]})
    >>> selection_rates(df, "g", "listed").to_dict()
    {'a': 0.5, 'b': 0.0}
    """
    check_frame(df)
    g = check_column(df, group, "group")
    sel = check_bool_column(df, selected, "selected")
    rates = sel.groupby(g, observed=True, sort=True).mean().astype(np.float64)
    rates.name = "selection_rate"
    rates.index.name = group
    return rates


def disparate_impact(df: pd.DataFrame, group: Hashable, selected: Hashable, *,
                     favourable: bool | None = None) -> float:
    """The lowest group's rate of the favourable outcome divided by the highest group's: 1 = equal, 0.5 = half.

    Glossary (disparate impact): "The disparate-impact ratio divides the lowest group's rate of the favourable
    outcome by the highest group's."

    **The four-fifths rule.** The US *Uniform Guidelines on Employee Selection Procedures* (29 CFR 1607.4(D), 1978)
    call a ratio below 0.8 "generally" evidence of adverse impact. It is a rule of thumb for when to look closer,
    not a legal threshold: a ratio above 0.8 does not show that a process is fair, and small groups make the ratio
    noisy.

    **Which outcome is favourable.** The caller says so, as fairlearn's ``pos_label`` does; nothing is guessed.
    With ``favourable=True`` being selected is good (hired, approved) and the ratio compares selection rates. With
    ``favourable=False`` being selected is harmful (blacklisted) and the ratio compares the rates of *not* being
    selected; the ratio of the harm rates themselves (a relative risk) is ``four_fifths_check(...).harm_ratio``.

    Parameters
    ----------
    df : DataFrame
        One row per person.
    group : column name
        The column whose values are the groups.
    selected : column name
        A boolean column: True where the decision selects the row.
    favourable : bool, keyword-only, required
        Whether being selected is the favourable outcome. Leaving it out raises ``ScoredTypeError``.

    Returns
    -------
    float
        In [0, 1]; 0 when some group never has the favourable outcome.

    Raises
    ------
    ScoredTypeError
        ``favourable`` is not given, or not True/False.
    ScoredInputError
        Bad ``df`` or columns (see ``selection_rates``), fewer than two groups, or no group has the favourable
        outcome (the ratio 0/0 is undefined).

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "b", "b"], "hired": [True, True, True, False]})
    >>> disparate_impact(df, "g", "hired", favourable=True)
    0.5
    >>> df = pd.DataFrame({"g": ["a", "a", "b", "b"], "listed": [False, False, True, False]})
    >>> disparate_impact(df, "g", "listed", favourable=False)
    0.5
    """
    favourable = _named_outcome(favourable, selected, "disparate_impact")
    rates = selection_rates(df, group, selected)
    if len(rates) < 2:
        raise ScoredInputError(f"column {group!r} (group) has only one group ({rates.index[0]!r}): disparate "
                               "impact compares at least two")
    fav = rates if favourable else 1.0 - rates
    hi = fav.max()
    if hi == 0:
        what = "all False" if favourable else "all True"
        raise ScoredInputError(f"column {selected!r} (selected) is {what}, so no group has the favourable outcome: "
                               "the ratio 0/0 is undefined")
    return float(fav.min() / hi)


@dataclass(frozen=True)
class FourFifths:
    """The result of ``four_fifths_check``: the rates compared, their ratio, the verdict and a sentence.

    ``to_dict()`` gives the same as plain Python values (the rates as dicts), e.g. for JSON.

    Attributes
    ----------
    group : column name
        The group column checked.
    selected : column name
        The decision column checked.
    favourable : bool
        Whether being selected is the favourable outcome.
    rates : Series
        The share of rows where ``selected`` is True, per group (``selection_rates``).
    favourable_rates : Series
        The share with the favourable outcome, per group: ``rates`` if ``favourable``, else 1 - ``rates``.
    ratio : float
        The lowest favourable rate divided by the highest, in [0, 1].
    passes : bool
        ``ratio >= threshold``.
    lowest, highest : group value
        The groups with the lowest and the highest favourable rate.
    harm_ratio : float
        The highest group's rate of the *unfavourable* outcome divided by the lowest's (a relative risk; ``inf``
        if the lowest is 0, NaN if nobody has it).
    threshold : float
        The ratio below which the rule flags adverse impact.
    sentence : str
        The result in plain words.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "b", "b"], "hired": [True, True, True, False]})
    >>> check = four_fifths_check(df, "g", "hired", favourable=True)
    >>> check.lowest, check.ratio, check.passes
    ('b', 0.5, False)
    >>> check.to_dict()["rates"]
    {'a': 1.0, 'b': 0.5}
    """

    group: Hashable
    selected: Hashable
    favourable: bool
    rates: pd.Series
    favourable_rates: pd.Series
    ratio: float
    passes: bool
    lowest: Any
    highest: Any
    harm_ratio: float
    threshold: float
    sentence: str

    def to_dict(self) -> dict[str, Any]:
        """The result as plain Python values (rates as dicts), e.g. for JSON."""
        return {"group": self.group, "selected": self.selected, "favourable": self.favourable,
                "rates": self.rates.to_dict(), "favourable_rates": self.favourable_rates.to_dict(),
                "ratio": self.ratio, "passes": self.passes, "lowest": self.lowest, "highest": self.highest,
                "harm_ratio": self.harm_ratio, "threshold": self.threshold, "sentence": self.sentence}


def _named_outcome(favourable: Any, selected: Hashable, caller: str) -> bool:
    """``favourable`` as a bool; leaving it out is an error, since a guess could invert the finding."""
    if favourable is None:
        raise ScoredTypeError(
            f"{caller}() needs favourable=True (being selected is good, e.g. hired) or favourable=False "
            f"(being selected is harmful, e.g. blacklisted) for column {selected!r}, got neither: the ratio is "
            "defined on the favourable outcome, and a harmful one would give a different, misleading number")
    return check_bool(favourable, "favourable")


def four_fifths_check(df: pd.DataFrame, group: Hashable, selected: Hashable, favourable: bool | None = None, *,
                      threshold: float = FOUR_FIFTHS, outcome: str | None = None) -> FourFifths:
    """Apply the four-fifths rule of thumb (29 CFR 1607.4(D), 1978) to column ``selected`` by ``group``.

    ``favourable=True``: being selected is good (hired, approved); the rule compares selection rates.
    ``favourable=False``: being selected is harmful (blacklisted, flagged); the rule compares the rates of *not*
    being selected, and ``harm_ratio`` reports how many times more often the most-harmed group is selected than
    the least-harmed one. For a rare harm the two can disagree sharply: 4% against 2% blacklisted passes the rule
    (96% / 98% = 0.98) although one group is harmed twice as often. The sentence says so.

    ``outcome`` is the words used for "selected" in the sentence (default: the column name), e.g. "blacklisted".
    It is a rule of thumb, not a legal threshold, and passing it does not show a process is fair.

    Parameters
    ----------
    df : DataFrame
        One row per person.
    group : column name
        The column whose values are the groups.
    selected : column name
        A boolean column: True where the decision selects the row.
    favourable : bool, required
        Whether being selected is the favourable outcome (``favourable=False`` for a blacklist). Leaving it out
        raises ``ScoredTypeError``, as in ``disparate_impact``.
    threshold : float, keyword-only
        The ratio below which the rule flags adverse impact, in (0, 1]; default ``FOUR_FIFTHS`` (0.8).
    outcome : str or None, keyword-only
        Words for being selected in the sentence, e.g. ``"blacklisted"``; default: the column name in quotes.

    Returns
    -------
    FourFifths
        The rates, the ratio and whether it passes, the harm ratio and a sentence.

    Raises
    ------
    ScoredTypeError
        ``favourable`` is not given or not True/False, or ``threshold`` or ``outcome`` is of the wrong kind.
    ScoredInputError
        Bad ``df`` or columns (see ``selection_rates``), fewer than two groups, a ``threshold`` outside (0, 1], or
        no group has the favourable outcome (the ratio 0/0 is undefined).

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 4,
    ...                    "listed": [True, False, False, False, True, True, False, False]})
    >>> check = four_fifths_check(df, "g", "listed", favourable=False, outcome="listed")
    >>> round(check.ratio, 3), check.passes, check.harm_ratio
    (0.667, False, 2.0)
    """
    favourable = _named_outcome(favourable, selected, "four_fifths_check")
    threshold = check_number(threshold, "threshold", low=0, high=1, low_open=True)
    if outcome is not None:
        check_str(outcome, "outcome")
    rates = selection_rates(df, group, selected)
    if len(rates) < 2:
        raise ScoredInputError(f"column {group!r} (group) has only one group ({rates.index[0]!r}): "
                               "the four-fifths rule compares at least two")
    fav = rates if favourable else 1.0 - rates
    fav = fav.rename("favourable_rate")
    harm = 1.0 - rates if favourable else rates
    if fav.max() == 0:
        what = f"'{selected}' is all False" if favourable else f"'{selected}' is all True"
        raise ScoredInputError(f"no group has the favourable outcome ({what}): the ratio 0/0 is undefined")
    lowest, highest = fav.idxmin(), fav.idxmax()
    ratio = float(fav.min() / fav.max())
    passes = bool(ratio >= threshold)
    h_lo, h_hi = float(harm.min()), float(harm.max())
    harm_ratio = math.nan if h_hi == 0 else (math.inf if h_lo == 0 else h_hi / h_lo)
    word = outcome or f"'{selected}'"
    verdict = (f"at least {threshold:g}, so the rule of thumb does not flag it (which does not show the process is "
               f"fair)" if passes else f"below {threshold:g}, so under the rule of thumb this is evidence of adverse "
               f"impact worth investigating")
    if favourable:
        sentence = (f"The group with the lowest rate of being {word} ({lowest}, {_pct(fav[lowest])}) has {ratio:.2f} "
                    f"times the rate of the highest ({highest}, {_pct(fav[highest])}): {verdict}.")
    else:
        most, least = harm.idxmax(), harm.idxmin()
        sentence = (f"Being {word} is harmful, so the rule is applied to the rate of not being {word}: "
                    f"{lowest} {_pct(fav[lowest])} against {highest} {_pct(fav[highest])}, a ratio of {ratio:.2f}, "
                    f"{verdict}.")
        if h_hi > 0:
            rel = ("infinitely many" if math.isinf(harm_ratio) else f"{harm_ratio:.1f}")
            sentence += (f" Measured as harm, {most} ({_pct(harm[most])}) are {word} {rel} times as often as "
                         f"{least} ({_pct(harm[least])})")
            sentence += (": for a rare harm the four-fifths rule can hide a large relative difference."
                         if passes and harm_ratio >= 1 / threshold else ".")
    return FourFifths(group=group, selected=selected, favourable=favourable, rates=rates, favourable_rates=fav,
                      ratio=ratio, passes=passes, lowest=lowest, highest=highest, harm_ratio=harm_ratio,
                      threshold=float(threshold), sentence=sentence)


