"""Re-identification and privacy safeguards: uniqueness, linkage, k-anonymity, l-diversity, differential privacy.

Removing names does not make a table anonymous. A few ordinary attributes -- *quasi-identifiers* such as postcode,
date of birth and sex -- single most people out, and joining them with a public table that has names re-identifies
them (Sweeney 2000, "Simple demographics often identify people uniquely"; Sweeney 2002, "k-anonymity: a model for
protecting privacy"). This module measures that risk and implements the classic safeguards, with what each does
and does **not** guarantee:

- ``uniqueness``, ``k_anonymity``, ``equivalence_classes``: how identifying the quasi-identifiers are;
- ``link``: the linkage attack itself, with its success measured against a hidden true id;
- ``l_diversity``: k-anonymity does not stop a *homogeneity attack* -- if everyone in a class shares the sensitive
  value, being in the class reveals it (Machanavajjhala, Gehrke, Kifer & Venkitasubramaniam 2006, "l-Diversity:
  Privacy Beyond k-Anonymity");
- ``generalise_age``, ``generalise_postcode``, ``generalise_date``, ``suppress``, ``make_k_anonymous``: turning a
  table into a k-anonymous release, and what it costs in detail and rows;
- ``laplace_mechanism``, ``PrivacyAccountant``, ``noisy_count``: epsilon-differential privacy (Dwork, McSherry,
  Nissim & Smith 2006, "Calibrating Noise to Sensitivity in Private Data Analysis") and its budget.

Errors. A bad input (not a DataFrame, a missing column, missing values in a required column, an empty frame, a bad
parameter such as ``k < 1`` or ``epsilon <= 0``) raises ``PrivacyInputError``, a subclass of ``ValueError`` whose
message names the column or parameter. Overspending a privacy budget raises ``BudgetExceeded``, also a
``ValueError``. Everything is vectorised: a million rows take well under a second per measure.
"""
from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ._counting import bincount
from .validation import RngLike, ScoredInputError, ScoredTypeError, check_column, check_column_name
from .validation import check_column_names, check_frame, check_integer, check_number, check_rng, check_share
from .validation import check_choice, check_str, describe

__all__ = ["PrivacyInputError", "BudgetExceeded", "uniqueness", "k_anonymity", "equivalence_classes", "link",
           "LinkResult", "l_diversity", "generalise_age", "generalise_postcode", "generalise_date", "suppress",
           "Suppressed", "make_k_anonymous", "KAnonymousRelease", "laplace_mechanism", "PrivacyAccountant",
           "noisy_count"]


#: The old name of ``scored.validation.ScoredInputError``, kept so that ``except PrivacyInputError`` still works.
PrivacyInputError = ScoredInputError


class BudgetExceeded(ValueError):
    """A differentially private query would spend more than the remaining privacy budget."""


# ---------------------------------------------------------------------------------------------------- validation
def _frame(df: Any, what: str = "df", empty_ok: bool = False) -> pd.DataFrame:
    return check_frame(df, what, empty_ok=empty_ok)


def _qi_list(quasi_identifiers: Any, what: str = "quasi_identifiers") -> list[Hashable]:
    return check_column_names(quasi_identifiers, what)


def _column(df: pd.DataFrame, col: Any, what: str = "df", role: str = "quasi-identifier") -> pd.Series:
    # missing values are checked where the column is used, with a message that says what for
    return check_column(df, col, role, what, missing_ok=True)


def _codes(s: Any, col: Any, what: Any, role: Any = "quasi-identifier") -> Any:
    """Dense-ish integer codes of a column (-1 never appears: missing values raise)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes, size = s.cat.codes.to_numpy().astype(np.int64), len(s.cat.categories)
    else:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        codes, size = codes.astype(np.int64, copy=False), len(uniques)
    if len(codes) and codes.min() < 0:
        raise PrivacyInputError(f"column {col!r} of {what} ({role}) has {int((codes < 0).sum()):,} missing "
                                "value(s); fill or drop them first")
    return codes, max(size, 1)


def _combine(parts: Any) -> Any:
    """Combine per-column codes into one code per distinct combination, 0..m-1 (hash-based, no sorting)."""
    combined, size = parts[0]
    for codes, n in parts[1:]:
        if size * n >= 2 ** 62:
            combined, uniq = pd.factorize(combined)
            size = len(uniq)
        combined = combined * n + codes
        size *= n
    dense, uniq = pd.factorize(combined)
    return dense.astype(np.int64, copy=False), len(uniq)


def _classes(df: Any, quasi_identifiers: Any, what: Any = "df") -> Any:
    """(class code per row, number of classes, class sizes) for the quasi-identifiers."""
    _frame(df, what)
    qi = _qi_list(quasi_identifiers)
    codes, m = _combine([_codes(_column(df, c, what), c, what) for c in qi])
    return codes, m, bincount(codes, minlength=m), qi


def _int_param(value: Any, name: str, lo: int) -> int:
    return check_integer(value, name, low=lo)


def _positive(value: Any, name: str) -> float:
    return float(check_number(value, name, low=0, low_open=True))


# ---------------------------------------------------------------------------------------------------- measures
def uniqueness(df: pd.DataFrame, quasi_identifiers: Any) -> float:
    """The share of rows whose combination of quasi-identifier values appears in no other row (0..1).

    A row that is unique in a release is unique in the population it was drawn from only if the release is the
    whole population (as the city's residents table is); in a sample, uniqueness in the sample overstates it.
    Sweeney (2000) estimated that 87% of the US population was unique on 5-digit ZIP code, date of birth and sex.

    Parameters
    ----------
    df : DataFrame
        The table to measure, one row per person (a release, or a whole population such as the city's residents).
    quasi_identifiers : column name or list of column names
        The columns an attacker could know from elsewhere, such as postcode, birth date and sex. Their values must
        not be missing.

    Returns
    -------
    float
        The share of rows that are alone in their equivalence class, from 0 (nobody unique) to 1 (everybody).

    Raises
    ------
    ScoredTypeError
        ``df`` is not a DataFrame, or ``quasi_identifiers`` is not a column name or a list of them.
    ScoredInputError
        An empty table, a column that is not in ``df``, or missing values in a quasi-identifier.

    Examples
    --------
    >>> people = pd.DataFrame({"zip": ["H1", "H1", "H2", "H2", "H3"], "sex": ["F", "F", "M", "M", "F"]})
    >>> uniqueness(people, ["zip", "sex"])
    0.2
    """
    codes, m, sizes, _ = _classes(df, quasi_identifiers)
    return float(np.count_nonzero(sizes == 1) / len(codes))


def k_anonymity(df: pd.DataFrame, quasi_identifiers: Any) -> int:
    """The size of the smallest group of rows sharing the same quasi-identifier values: the table's *k*.

    Glossary (k-anonymity): "every row shares its quasi-identifier values with at least k - 1 other rows"

    A table is k-anonymous (Sweeney 2002) when every row is indistinguishable from at least k-1 others on the
    quasi-identifiers, so a linkage attack on those columns can narrow a person down to no fewer than k rows.
    It does **not** protect the sensitive values: if the k rows share one (a homogeneity attack) or the attacker
    knows more (a background-knowledge attack), the value leaks anyway -- see ``l_diversity``. And it holds only
    for the columns declared quasi-identifiers. ``k_anonymity`` of a frame with no rows is undefined and raises.

    Parameters
    ----------
    df : DataFrame
        The table to measure, one row per person (a release, or a whole population such as the city's residents).
    quasi_identifiers : column name or list of column names
        The columns an attacker could know from elsewhere, such as postcode, birth date and sex. Their values must
        not be missing.

    Returns
    -------
    int
        The size of the smallest equivalence class, at least 1; 1 means some row is unique.

    Raises
    ------
    ScoredTypeError
        ``df`` is not a DataFrame, or ``quasi_identifiers`` is not a column name or a list of them.
    ScoredInputError
        An empty table, a column that is not in ``df``, or missing values in a quasi-identifier.

    Examples
    --------
    >>> people = pd.DataFrame({"zip": ["H1", "H1", "H2"], "sex": ["F", "F", "M"]})
    >>> k_anonymity(people, ["zip", "sex"])
    1
    """
    _, _, sizes, _ = _classes(df, quasi_identifiers)
    return int(sizes.min())


def equivalence_classes(df: pd.DataFrame, quasi_identifiers: Any, sensitive: Any = None) -> pd.DataFrame:
    """One row per distinct combination of quasi-identifier values, with its ``size`` (number of rows).

    Sorted from the smallest class (the riskiest) to the largest, ties in order of first appearance. With
    ``sensitive`` (a column name), a column ``distinct_sensitive`` counts the distinct sensitive values per class.

    Parameters
    ----------
    df : DataFrame
        The table to measure, one row per person (a release, or a whole population such as the city's residents).
    quasi_identifiers : column name or list of column names
        The columns an attacker could know from elsewhere, such as postcode, birth date and sex. Their values must
        not be missing.
    sensitive : column name, optional
        A column whose values the release should not reveal (an illness, a grade). Its values must not be missing,
        and it cannot be a quasi-identifier. Default None: no ``distinct_sensitive`` column.

    Returns
    -------
    DataFrame
        One row per class, index 0, 1, ... in the order above. Columns: the quasi-identifiers (the class's values,
        with their dtypes), ``size`` (int, the number of rows in the class) and, with ``sensitive``,
        ``distinct_sensitive`` (int, the number of distinct sensitive values in the class).

    Raises
    ------
    ScoredTypeError
        ``df`` is not a DataFrame, or a column argument is not a column name (or list of them).
    ScoredInputError
        An empty table, a column that is not in ``df``, missing values in a quasi-identifier or in ``sensitive``,
        ``sensitive`` among the quasi-identifiers, or a quasi-identifier named ``size`` (or ``distinct_sensitive``,
        with ``sensitive``), whose values the counts would overwrite.

    Examples
    --------
    >>> people = pd.DataFrame({"zip": ["H1", "H1", "H2", "H2", "H3"], "sex": ["F", "F", "M", "M", "F"],
    ...                        "illness": ["flu", "cold", "flu", "flu", "cold"]})
    >>> equivalence_classes(people, ["zip", "sex"], sensitive="illness")
      zip sex  size  distinct_sensitive
    0  H3   F     1                   1
    1  H1   F     2                   2
    2  H2   M     2                   1
    """
    codes, m, sizes, qi = _classes(df, quasi_identifiers)
    for counted in ["size"] + (["distinct_sensitive"] if sensitive is not None else []):
        if counted in qi:
            raise PrivacyInputError(f"quasi-identifier {counted!r} has the name of the result's column of counts, "
                                    "which would replace its values: rename it first")
    # class codes are numbered in order of first appearance (pd.factorize), so a row starts a class exactly when
    # its code exceeds every code before it
    is_first = np.ones(len(codes), dtype=bool)
    is_first[1:] = codes[1:] > np.maximum.accumulate(codes)[:-1]
    first = np.flatnonzero(is_first)
    out = df.iloc[first][qi].reset_index(drop=True)
    out["size"] = sizes.astype(np.int64)
    if sensitive is not None:
        out["distinct_sensitive"] = _distinct_per_class(df, codes, m, sensitive, qi)
    order = np.lexsort((first, sizes))
    return out.iloc[order].reset_index(drop=True)


def _distinct_per_class(df: Any, codes: Any, m: Any, sensitive: Any, qi: Any) -> Any:
    check_column_name(sensitive, "sensitive")
    if sensitive in qi:
        raise PrivacyInputError(f"column {sensitive!r} cannot be both a quasi-identifier and the sensitive column")
    s_codes, ns = _codes(_column(df, sensitive, role="sensitive"), sensitive, "df", role="sensitive")
    pairs = pd.unique(codes * ns + s_codes)
    return bincount(pairs // ns, minlength=m).astype(np.int64)


def l_diversity(df: pd.DataFrame, quasi_identifiers: Any, sensitive: Any) -> int:
    """The smallest number of distinct values of ``sensitive`` within any equivalence class (distinct l-diversity).

    Glossary (l-diversity): "in the simplest (distinct) form at least l different values"

    Machanavajjhala, Gehrke, Kifer & Venkitasubramaniam (2006) showed that a k-anonymous table still leaks when a
    class is *homogeneous*: if all k people in your class share one sensitive value, knowing your quasi-identifiers
    reveals it. A table is (distinct) l-diverse if every class holds at least l distinct sensitive values. Always
    1 <= l <= k. What it does **not** guarantee: distinct values can be very unequal in frequency (99 of 100 rows
    sharing one value is still "2-diverse"), and the values can be semantically close (skewness and similarity
    attacks; the entropy and recursive variants of the paper, and t-closeness, Li, Li & Venkatasubramanian 2007,
    tighten this).

    Parameters
    ----------
    df : DataFrame
        The table to measure, one row per person (a release, or a whole population such as the city's residents).
    quasi_identifiers : column name or list of column names
        The columns an attacker could know from elsewhere, such as postcode, birth date and sex. Their values must
        not be missing.
    sensitive : column name
        The column whose values the release should not reveal (an illness, a grade). Its values must not be
        missing, and it cannot be a quasi-identifier.

    Returns
    -------
    int
        The smallest number of distinct sensitive values in any equivalence class, at least 1; 1 means some class
        is homogeneous.

    Raises
    ------
    ScoredTypeError
        ``df`` is not a DataFrame, or a column argument is not a column name (or list of them).
    ScoredInputError
        An empty table, a column that is not in ``df``, missing values in a quasi-identifier or in ``sensitive``,
        or ``sensitive`` among the quasi-identifiers.

    Examples
    --------
    >>> people = pd.DataFrame({"zip": ["H1", "H1", "H2", "H2"], "illness": ["flu", "cold", "flu", "flu"]})
    >>> l_diversity(people, "zip", "illness")
    1
    """
    codes, m, _, qi = _classes(df, quasi_identifiers)
    return int(_distinct_per_class(df, codes, m, sensitive, qi).min())


# ---------------------------------------------------------------------------------------------------- linkage
def _kind(s: Any) -> Any:
    """The kind of values a column holds, so that a join on text against numbers is caught instead of matching
    nobody."""
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _kind(pd.Series(dtype.categories))
    if dtype == object:
        inferred = pd.api.types.infer_dtype(s, skipna=True)
        return {"integer": "numeric", "floating": "numeric", "mixed-integer-float": "numeric", "decimal": "numeric",
                "boolean": "boolean", "datetime": "datetime", "datetime64": "datetime", "date": "datetime",
                "string": "text"}.get(inferred, "mixed")
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    return "text"


@dataclass(frozen=True, eq=False)
class LinkResult:
    """The outcome of a linkage attack (``link``).

    ``matches``: the release rows that match exactly one auxiliary row, with the matched identity (and, with a
    ``true_id``, a boolean ``correct``); ``candidates``: for every release row, how many auxiliary rows match it
    (0 = unmatched, 1 = re-identified, more = ambiguous), indexed like the release; ``summary``: counts and shares.

    Attributes
    ----------
    matches : DataFrame
        The re-identified release rows, in release order with the release's index and every release column, plus
        the matched auxiliary row's ``id_column`` (named ``<id_column>_matched`` if the release already has that
        column) and, with a ``true_id``, ``correct`` (bool: the matched row is the same person).
    candidates : Series of int
        Named ``candidates``, indexed like the release: how many auxiliary rows match each release row.
    summary : dict
        ``n`` (release rows), ``n_reidentified``, ``n_ambiguous``, ``n_unmatched`` (counts) and ``reidentified``,
        ``ambiguous``, ``unmatched`` (shares of ``n``); with a ``true_id`` also ``n_correct``, ``correct`` (a share
        of ``n``) and ``precision`` (the share of re-identifications that are right; NaN if there are none),
        otherwise these three are None.
    sentence : str
        The summary in plain words (a property).

    Examples
    --------
    >>> release = pd.DataFrame({"zip": ["H1", "H2", "H3"], "born": [1980, 1975, 1990]})
    >>> register = pd.DataFrame({"name": ["Ada", "Bram", "Cora"], "zip": ["H1", "H2", "H2"],
    ...                          "born": [1980, 1975, 1975]})
    >>> result = link(release, register, ["zip", "born"])
    >>> result.candidates.tolist(), result.summary["n_reidentified"]
    ([1, 2, 0], 1)
    """

    matches: pd.DataFrame
    candidates: pd.Series
    summary: dict

    def __repr__(self) -> str:
        s = self.summary
        extra = f", correct={s['correct']:.1%}" if s.get("correct") is not None else ""
        return (f"LinkResult(n={s['n']:,}, reidentified={s['reidentified']:.1%}, ambiguous={s['ambiguous']:.1%}, "
                f"unmatched={s['unmatched']:.1%}{extra})")

    @property
    def sentence(self) -> str:
        """The result in plain words."""
        s = self.summary
        text = (f"Of {s['n']:,} released rows, {s['n_reidentified']:,} ({s['reidentified']:.1%}) match exactly one "
                f"person in the auxiliary table, {s['n_ambiguous']:,} ({s['ambiguous']:.1%}) match several and "
                f"{s['n_unmatched']:,} ({s['unmatched']:.1%}) match nobody.")
        if s.get("correct") is not None:
            text += (f" {s['n_correct']:,} ({s['correct']:.1%} of all rows) are re-identified correctly; "
                     f"{s['precision']:.1%} of the claimed re-identifications are right.")
        return text


def link(release: pd.DataFrame, auxiliary: pd.DataFrame, quasi_identifiers: Any, id_column: Any = "name",
         true_id: Any = None) -> LinkResult:
    """A linkage attack: join a "de-identified" ``release`` to an ``auxiliary`` table with identities.

    Each release row is compared with the auxiliary rows on the ``quasi_identifiers`` (exact equality of every
    value; both tables must hold them in the same form, e.g. both ISO date strings). A release row that matches
    exactly one auxiliary row is *re-identified* as that row's ``id_column`` (a name, say); one that matches several
    is *ambiguous*, one that matches none is *unmatched*. This is Sweeney's attack on the Massachusetts hospital
    release, linked to a voter register (Sweeney 2002).

    ``true_id``, for measurement only: a column present in both tables that identifies the person (e.g.
    ``resident_id``, hidden from the attacker). A re-identification is *correct* when the matched auxiliary row has
    the release row's true id -- a unique match can still be wrong when the auxiliary table misses the real person.

    Parameters
    ----------
    release : DataFrame
        The "de-identified" table, one row per person, with the quasi-identifiers (and whatever it reveals, such
        as an illness or a grade).
    auxiliary : DataFrame
        A table the attacker holds with identities, such as a public register: the quasi-identifiers and
        ``id_column``.
    quasi_identifiers : column name or list of column names
        The columns to join on, present in both tables, with no missing values and the same kind of values in
        both (numbers with numbers, text with text; a categorical column counts as its categories' kind).
    id_column : column name, default "name"
        The column of ``auxiliary`` that names the person; it cannot be a quasi-identifier.
    true_id : column name, optional
        For measuring the attack only: a column in both tables that identifies the person (such as
        ``resident_id``), with no missing values and the same kind of values in both. Default None: no measure.

    Returns
    -------
    LinkResult
        ``matches`` (the re-identified release rows with the matched ``id_column``), ``candidates`` (how many
        auxiliary rows match each release row) and ``summary``: ``n``, ``n_reidentified``, ``n_ambiguous``,
        ``n_unmatched`` and the shares ``reidentified``, ``ambiguous``, ``unmatched`` (of all release rows), plus
        with ``true_id`` ``n_correct``, ``correct`` (share of all release rows) and ``precision`` (share of the
        re-identifications that are correct); without it those are None.

    Raises
    ------
    ScoredTypeError
        A table that is not a DataFrame, or a column argument that is not a column name (or list of them).
    ScoredInputError
        An empty table; a column missing from a table; missing values in a quasi-identifier or ``true_id``;
        a quasi-identifier or ``true_id`` holding different kinds of values in the two tables; ``id_column``
        among the quasi-identifiers.

    Examples
    --------
    >>> release = pd.DataFrame({"zip": ["H1", "H2", "H3"], "born": [1980, 1975, 1990],
    ...                         "illness": ["flu", "asthma", "cold"]})
    >>> register = pd.DataFrame({"name": ["Ada", "Bram", "Cora"], "zip": ["H1", "H2", "H2"],
    ...                          "born": [1980, 1975, 1975]})
    >>> result = link(release, register, ["zip", "born"])
    >>> result
    LinkResult(n=3, reidentified=33.3%, ambiguous=33.3%, unmatched=33.3%)
    >>> result.matches[["illness", "name"]]
      illness name
    0     flu  Ada
    """
    _frame(release, "release")
    _frame(auxiliary, "auxiliary")
    qi = _qi_list(quasi_identifiers)
    ident = _column(auxiliary, id_column, "auxiliary", role="id_column")
    for c in qi:
        r, a = _column(release, c, "release"), _column(auxiliary, c, "auxiliary")
        for s, w in ((r, "release"), (a, "auxiliary")):
            if s.isna().any():
                raise PrivacyInputError(f"column {c!r} of {w} (quasi-identifier) has {int(s.isna().sum()):,} "
                                        "missing value(s); fill or drop them first")
        kr, ka = _kind(r), _kind(a)
        if kr != ka or kr == "mixed":
            raise PrivacyInputError(f"quasi-identifier {c!r} holds {kr} values ({r.dtype}) in release but {ka} "
                                    f"values ({a.dtype}) in auxiliary: convert them to one type so that equal values "
                                    "compare equal")
    if id_column in qi:
        raise PrivacyInputError(f"id_column {id_column!r} cannot also be a quasi-identifier")
    if true_id is not None:
        t_rel = _column(release, true_id, "release", role="true_id")
        t_aux = _column(auxiliary, true_id, "auxiliary", role="true_id")
        for s, w in ((t_rel, "release"), (t_aux, "auxiliary")):
            if s.isna().any():
                raise PrivacyInputError(f"column {true_id!r} of {w} (true_id) has missing values")
        kr, ka = _kind(t_rel), _kind(t_aux)
        if kr != ka or kr == "mixed":
            raise PrivacyInputError(f"true_id {true_id!r} holds {kr} values ({t_rel.dtype}) in release but {ka} "
                                    f"values ({t_aux.dtype}) in auxiliary: convert them to one type so that equal ids "
                                    "compare equal")
    n_rel = len(release)
    parts = []
    for c in qi:
        r, a = release[c], auxiliary[c]
        if isinstance(r.dtype, pd.CategoricalDtype):
            r = r.astype(r.cat.categories.dtype)
        if isinstance(a.dtype, pd.CategoricalDtype):
            a = a.astype(a.cat.categories.dtype)
        both = pd.concat([r.reset_index(drop=True), a.reset_index(drop=True)], ignore_index=True)
        parts.append(_codes(both, c, "release and auxiliary"))
    codes, m = _combine(parts)
    rel_codes, aux_codes = codes[:n_rel], codes[n_rel:]
    aux_count = bincount(aux_codes, minlength=m)
    aux_row = np.full(m, -1, dtype=np.int64)
    aux_row[aux_codes] = np.arange(len(aux_codes))  # for classes of size 1 this is their only row
    count = aux_count[rel_codes]
    unique = count == 1
    candidates = pd.Series(count.astype(np.int64), index=release.index, name="candidates")
    hit = np.flatnonzero(unique)
    matched_rows = aux_row[rel_codes[hit]]
    matches = release.iloc[hit].copy()
    name = id_column if id_column not in matches.columns else f"{id_column}_matched"
    matches[name] = ident.to_numpy()[matched_rows]
    n_unique, n_amb = int(unique.sum()), int((count > 1).sum())
    summary = {"n": n_rel, "n_reidentified": n_unique, "n_ambiguous": n_amb,
               "n_unmatched": n_rel - n_unique - n_amb, "reidentified": n_unique / n_rel,
               "ambiguous": n_amb / n_rel, "unmatched": (n_rel - n_unique - n_amb) / n_rel,
               "n_correct": None, "correct": None, "precision": None}
    if true_id is not None:
        correct = release[true_id].to_numpy()[hit] == auxiliary[true_id].to_numpy()[matched_rows]
        matches["correct"] = np.asarray(correct, dtype=bool)
        n_ok = int(matches["correct"].sum())
        summary.update(n_correct=n_ok, correct=n_ok / n_rel, precision=n_ok / n_unique if n_unique else math.nan)
    return LinkResult(matches=matches, candidates=candidates, summary=summary)


# ---------------------------------------------------------------------------------------------------- generalisation
def _series(values: Any, what: Any) -> Any:
    if isinstance(values, pd.Series):
        return values
    if isinstance(values, (pd.DataFrame, str, bytes)) or not hasattr(values, "__len__"):
        raise ScoredTypeError(f"{what} must be a Series or a list/array of values, got {type(values).__name__}")
    return pd.Series(values)


def _from_labels(s: Any, codes_of_unique: Any, labels: Any, order: Any) -> Any:
    """A categorical Series from per-unique-value label codes; categories are ``labels`` sorted by ``order``."""
    rank = np.argsort(order, kind="stable")
    inv = np.empty(len(rank), dtype=np.int64)
    inv[rank] = np.arange(len(rank))
    cats = [labels[i] for i in rank]
    return pd.Series(pd.Categorical.from_codes(inv[codes_of_unique], categories=cats, ordered=True),
                     index=s.index, name=s.name)


MAX_AGE = 1_000_000  # ages, and years used like ages (birth years); far larger values overflow the band arithmetic


def generalise_age(ages: Any, width: int) -> pd.Series:
    """Replace each age by its band of ``width`` years, aligned to multiples of the width: 37, width 5 -> "35-39".

    ``width=1`` keeps the age ("37"). Ages must be whole, non-negative numbers without missing values. Returns an
    ordered categorical Series (bands in age order), keeping the index and name of a Series input.

    Parameters
    ----------
    ages : Series or list-like of numbers
        Ages in whole years (or years used like ages), from 0 to ``MAX_AGE``, with no missing values.
    width : int
        The width of a band in years, from 1 to ``MAX_AGE``.

    Returns
    -------
    Series of ordered categorical
        One text label per age ("35-39", or "37" with ``width=1``); categories are the bands that occur, youngest
        first. Index and name of ``ages`` if it is a Series, else 0, 1, ... and no name.

    Raises
    ------
    ScoredTypeError
        ``ages`` is not a Series or list-like (a DataFrame or a string, say), or ``width`` is not a whole number.
    ScoredInputError
        Ages that are not numbers, are missing, negative, fractional or above ``MAX_AGE``; ``width`` out of range.

    Examples
    --------
    >>> generalise_age([23, 37, 41], 10).astype(str).tolist()
    ['20-29', '30-39', '40-49']
    """
    width = check_integer(width, "width", low=1, high=MAX_AGE)
    s = _series(ages, "ages")
    if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
        raise PrivacyInputError(f"ages must be numbers, got dtype {s.dtype}")
    if s.isna().any():
        raise PrivacyInputError(f"ages has {int(s.isna().sum()):,} missing value(s)")
    v = s.to_numpy(dtype=np.float64)
    if len(v) and (not np.isfinite(v).all() or (v < 0).any() or (v > MAX_AGE).any() or (v != np.floor(v)).any()):
        bad = v[~(np.isfinite(v) & (v >= 0) & (v <= MAX_AGE) & (v == np.floor(v)))][0]
        raise PrivacyInputError(f"ages must be whole numbers from 0 to {MAX_AGE} (an age band needs a whole age), "
                                f"got {bad!r}")
    lo = (v.astype(np.int64) // width) * width
    uniq, inv = np.unique(lo, return_inverse=True)
    labels = [str(u) if width == 1 else f"{u}-{u + width - 1}" for u in uniq]
    return _from_labels(s, inv, labels, uniq)


def _text_categories(s: Any, what: Any) -> Any:
    """(codes, unique values as str) of a text Series, categorical or not; missing values raise."""
    if s.isna().any():
        raise PrivacyInputError(f"{what} has {int(s.isna().sum()):,} missing value(s)")
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes, uniq = s.cat.codes.to_numpy().astype(np.int64), list(s.cat.categories)
    else:
        codes, uniq = pd.factorize(s)
        uniq = np.asarray(uniq, dtype=object).tolist()
    bad = [u for u in uniq if not isinstance(u, str)]
    if bad:
        raise PrivacyInputError(f"{what} must be text, got {bad[0]!r} ({type(bad[0]).__name__})")
    return codes, uniq


def generalise_postcode(codes: Any, keep: int) -> pd.Series:
    """Keep the first ``keep`` characters of each postcode and replace the rest with one "*": "H3" -> "H*".

    ``keep=0`` gives "*" for every code; a code no longer than ``keep`` is left as it is. Returns a categorical
    Series (sorted categories), keeping the index and name of a Series input.

    Parameters
    ----------
    codes : Series or list-like of str
        Postcodes as text (a categorical column of text works too), with no missing values.
    keep : int
        How many leading characters to keep, 0 or more.

    Returns
    -------
    Series of categorical
        One generalised code per input value, categories sorted as text. Index and name of ``codes`` if it is a
        Series, else 0, 1, ... and no name.

    Raises
    ------
    ScoredTypeError
        ``codes`` is not a Series or list-like, or ``keep`` is not a whole number.
    ScoredInputError
        A code that is missing or not text; ``keep`` below 0.

    Examples
    --------
    >>> generalise_postcode(["H12", "K3"], 1).astype(str).tolist()
    ['H*', 'K*']
    """
    keep = _int_param(keep, "keep", 0)
    s = _series(codes, "codes")
    c, uniq = _text_categories(s, "codes")
    labels = [u if len(u) <= keep else u[:keep] + "*" for u in uniq]
    new_uniq, inv = np.unique(np.array(labels, dtype=object), return_inverse=True)
    return pd.Series(pd.Categorical.from_codes(inv[c] if len(c) else c, categories=list(new_uniq)),
                     index=s.index, name=s.name)


_PRECISION = {"year": 0, "month": 1, "day": 2}
_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?")


def generalise_date(dates: Any, to: str = "year") -> pd.Series:
    """Coarsen dates to their ``to="year"`` ("1988") or ``to="month"`` ("1988-04").

    Accepts ISO text ("1988-04-17", also "1988-04" when coarsening to the year) or datetime values. A value coarser
    than the target (e.g. "1988" with ``to="month"``) raises instead of inventing a month. Returns an ordered
    categorical Series (in date order), keeping the index and name of a Series input.

    Parameters
    ----------
    dates : Series or list-like
        ISO date strings or datetime values, with no missing values.
    to : {"year", "month"}, default "year"
        The precision to keep.

    Returns
    -------
    Series of ordered categorical
        One text label per date ("1988" or "1988-04"); categories are the years or months that occur, earliest
        first. Index and name of ``dates`` if it is a Series, else 0, 1, ... and no name.

    Raises
    ------
    ScoredTypeError
        ``dates`` is not a Series or list-like.
    ScoredInputError
        A missing value, a text that is not an ISO date (or not a valid one), a date coarser than ``to``, or a
        ``to`` other than "year" and "month".

    Examples
    --------
    >>> generalise_date(["1988-04-17", "1990-12-01"], to="month").astype(str).tolist()
    ['1988-04', '1990-12']
    """
    check_choice(to, "to", ("year", "month"))
    s = _series(dates, "dates")
    if s.isna().any():
        raise PrivacyInputError(f"dates has {int(s.isna().sum()):,} missing value(s)")
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        codes, uniq = pd.factorize(s)
        parsed = pd.DatetimeIndex(uniq)
    else:
        codes, texts = _text_categories(s, "dates")
        days = _full_iso_dates(texts)
        parsed = pd.DatetimeIndex(days) if days is not None else _parse_iso_dates(texts, to)
    years, months = parsed.year.to_numpy(dtype=np.int64), parsed.month.to_numpy(dtype=np.int64)
    key = years * 100 + (months if to == "month" else 0)
    ukey, first, inv = np.unique(key, return_index=True, return_inverse=True)
    labels = [f"{years[i]:04d}" if to == "year" else f"{years[i]:04d}-{months[i]:02d}" for i in first]
    return _from_labels(s, inv[codes] if len(codes) else codes.astype(np.int64), labels, ukey)


def _full_iso_dates(texts: list[str]) -> np.ndarray | None:
    """The days of ``texts`` (datetime64[D]) if every one is a full ISO date from 1678 to 2261 ("1988-04-17"), the
    usual case, checked and parsed for all at once; None if any is not (``_parse_iso_dates`` then checks each)."""
    chars = np.asarray(texts, dtype=str)
    if not len(chars) or chars.dtype.itemsize != 10 * 4:  # numpy keeps 4 bytes a character
        return None
    code = chars.view(np.uint32).reshape(len(chars), 10)
    digits = code[:, [0, 1, 2, 3, 5, 6, 8, 9]]
    if not (((digits >= ord("0")) & (digits <= ord("9"))).all() and (code[:, [4, 7]] == ord("-")).all()):
        return None
    try:
        days = chars.astype("datetime64[D]")  # a day that does not exist ("1988-02-30") fails here
    except ValueError:
        return None
    if not ((days >= np.datetime64("1678-01-01")) & (days < np.datetime64("2262-01-01"))).all():
        return None
    return days


def _parse_iso_dates(texts: list[str], to: str) -> pd.DatetimeIndex:
    """Check each text is an ISO date at least as fine as ``to``, and parse them (see ``generalise_date``)."""
    need = _PRECISION[to]
    for t in texts:
        m = _ISO.match(t)
        if not m:
            raise PrivacyInputError(f"dates must be ISO dates like '1988-04-17', got {t!r}")
        have = 0 if m.group(1) is None else (1 if m.group(2) is None else 2)
        if have < need:
            raise PrivacyInputError(f"date {t!r} is coarser than a {to}: it cannot be generalised to one")
    try:
        return pd.DatetimeIndex(pd.to_datetime(pd.Series(texts, dtype=object), format="ISO8601"))
    except (ValueError, TypeError) as e:
        raise PrivacyInputError(f"dates holds a value that is not a valid date: "
                                f"{str(e).splitlines()[0]}") from None


class Suppressed(NamedTuple):
    """``suppress``'s result: the kept rows and how many rows were dropped (unpacks as a tuple).

    ``suppress_not_diverse`` returns one too.

    Attributes
    ----------
    release : DataFrame
        The rows kept, with the input's index and columns, in the input's order.
    suppressed : int
        The number of rows dropped.

    Examples
    --------
    >>> people = pd.DataFrame({"zip": ["H1", "H1", "H2"], "sex": ["F", "F", "M"]})
    >>> result = suppress(people, ["zip", "sex"], 2)
    >>> result.release.index.tolist(), result.suppressed
    ([0, 1], 1)
    """

    release: pd.DataFrame
    suppressed: int


def suppress(df: pd.DataFrame, quasi_identifiers: Any, k: int) -> Suppressed:
    """Drop every row whose equivalence class has fewer than ``k`` rows; return ``(kept, number_suppressed)``.

    The kept frame (original index, all columns) is k-anonymous on the quasi-identifiers, or empty. Suppression
    costs rows, and it removes exactly the people who are unusual on the quasi-identifiers, which can bias analyses
    of the release against them.

    Parameters
    ----------
    df : DataFrame
        The table to release, one row per person.
    quasi_identifiers : column name or list of column names
        The columns an attacker could know from elsewhere. Their values must not be missing.
    k : int
        The smallest class size to keep, 1 or more (``k=1`` keeps every row).

    Returns
    -------
    Suppressed
        A named tuple ``(release, suppressed)``: the kept rows (index, columns and order of ``df``) and the number
        of rows dropped.

    Raises
    ------
    ScoredTypeError
        ``df`` is not a DataFrame, ``quasi_identifiers`` is not a column name or a list of them, or ``k`` is not a
        whole number.
    ScoredInputError
        An empty table, a column that is not in ``df``, missing values in a quasi-identifier, or ``k`` below 1.

    Examples
    --------
    >>> people = pd.DataFrame({"zip": ["H1", "H1", "H2", "H2", "H3"], "sex": ["F", "F", "M", "M", "F"]})
    >>> kept, dropped = suppress(people, ["zip", "sex"], 2)
    >>> len(kept), dropped
    (4, 1)
    """
    k = _int_param(k, "k", 1)
    codes, _, sizes, _ = _classes(df, quasi_identifiers)
    keep = sizes[codes] >= k
    return Suppressed(df.loc[keep], int((~keep).sum()))


@dataclass(frozen=True, eq=False)
class KAnonymousRelease:
    """``make_k_anonymous``'s result.

    ``release``: the generalised, suppressed table; ``steps``: one row per state tried (the original first), with
    the step's ``column`` and ``label``, the number of ``classes``, the smallest class ``min_class`` and
    ``rows_below_k`` (rows that would be suppressed at that point); ``generalised``: column -> label of its final
    generalisation; ``suppressed``: rows dropped; ``suppressed_share``: as a share of the input rows; ``k``: as asked.

    Attributes
    ----------
    release : DataFrame
        The table to publish: the input's rows that were kept (with their index) and its columns, the generalised
        ones replaced by their coarser values.
    steps : DataFrame
        One row per state tried, index 0, 1, ...; columns ``step`` (0 for the original table), ``column`` and
        ``label`` of the step ("" and "original" first), ``classes`` (number of equivalence classes),
        ``min_class`` (size of the smallest) and ``rows_below_k`` (rows in classes smaller than ``k``).
    generalised : dict
        Column -> label of the generalisation it ends with; columns left as they were are not in it.
    suppressed : int
        The number of rows dropped.
    suppressed_share : float
        ``suppressed`` as a share of the input's rows, 0 to 1.
    k : int
        The ``k`` asked for.

    Examples
    --------
    >>> import functools
    >>> people = pd.DataFrame({"age": [23, 27, 34, 38, 41, 61], "zip": ["H1", "H1", "H2", "H2", "H1", "H2"]})
    >>> result = make_k_anonymous(people, ["age", "zip"], 2, [("age", functools.partial(generalise_age, width=10))])
    >>> result.steps[["label", "classes", "rows_below_k"]]
                          label  classes  rows_below_k
    0                  original        6             6
    1  generalise_age(width=10)        4             2
    >>> result.release["age"].astype(str).tolist(), round(result.suppressed_share, 2)
    (['20-29', '20-29', '30-39', '30-39'], 0.33)
    """

    release: pd.DataFrame
    steps: pd.DataFrame
    generalised: dict
    suppressed: int
    suppressed_share: float
    k: int

    def __repr__(self) -> str:
        return (f"KAnonymousRelease(k={self.k}, rows={len(self.release):,}, suppressed={self.suppressed:,} "
                f"({self.suppressed_share:.1%}), generalised={self.generalised})")


def _step(item: Any, qi: Any, i: Any) -> Any:
    if isinstance(item, Sequence) and not isinstance(item, str) and len(item) in (2, 3):
        column, func = item[0], item[1]
        label = item[2] if len(item) == 3 else None
    else:
        raise PrivacyInputError(f"hierarchy step {i} must be (column, function) or (column, function, label), "
                                f"got {item!r}")
    if column not in qi:
        raise PrivacyInputError(f"hierarchy step {i} generalises {column!r}, which is not a quasi-identifier {qi}")
    if not callable(func):
        raise PrivacyInputError(f"hierarchy step {i}: the function for {column!r} is not callable: {func!r}")
    if label is None:
        inner = getattr(func, "func", func)  # functools.partial
        args = ", ".join([repr(a) for a in getattr(func, "args", ())]
                         + [f"{k}={v!r}" for k, v in getattr(func, "keywords", {}).items()])
        label = f"{getattr(inner, '__name__', 'generalise')}({args})" if args else getattr(inner, "__name__", "step")
    return column, func, str(label)


def make_k_anonymous(df: pd.DataFrame, quasi_identifiers: Any, k: int,
                     hierarchy: Sequence[tuple[str, Callable]], max_suppression: float = 0.0) -> KAnonymousRelease:
    """Generalise step by step along ``hierarchy`` until few enough rows break k-anonymity, then suppress those.

    ``hierarchy`` is an ordered list of steps ``(column, function)`` or ``(column, function, label)``; ``function``
    takes the column's **original** values and returns coarser ones, e.g.
    ``("birth_date", functools.partial(generalise_date, to="month"))``. A later step for the same column replaces
    the earlier one (so list the levels of one column from fine to coarse).

    The algorithm is simple, greedy and deterministic: start from the original table; while more than
    ``max_suppression`` (a share of the rows, default 0) of the rows lie in classes smaller than ``k``, apply the
    next step; then suppress the rows still in small classes. If the steps run out, whatever is left is suppressed.
    It follows one fixed path through the generalisation lattice; it is not optimal (finding the least-distorting
    k-anonymous generalisation is NP-hard, Meyerson & Williams 2004), and it protects only against linkage on the
    listed quasi-identifiers -- not against homogeneity attacks (see ``l_diversity``).

    Parameters
    ----------
    df : DataFrame
        The table to release, one row per person; it is not changed.
    quasi_identifiers : column name or list of column names
        The columns an attacker could know from elsewhere. Their values must not be missing.
    k : int
        The smallest class size the release must have, 1 or more.
    hierarchy : list of tuples
        The generalisation steps in order, each ``(column, function)`` or ``(column, function, label)``: the column
        is a quasi-identifier, the function maps its original values to one coarser value per row, and the label
        names the step in ``steps`` (by default the function's name and arguments).
    max_suppression : float, default 0.0
        The share of rows (0 to 1) that may be suppressed instead of generalising further.

    Returns
    -------
    KAnonymousRelease
        The ``release`` (k-anonymous on the quasi-identifiers, or empty), the ``steps`` taken, which column ends
        with which ``generalised`` label, and how many rows were ``suppressed`` (also as ``suppressed_share``).

    Raises
    ------
    ScoredTypeError
        ``df`` is not a DataFrame, ``quasi_identifiers`` is not a column name or a list of them, ``hierarchy`` is
        not a list, or ``k`` or ``max_suppression`` is not a number.
    ScoredInputError
        An empty table, a column that is not in ``df``, missing values in a quasi-identifier, ``k`` below 1,
        ``max_suppression`` outside 0..1, a step that is not ``(column, function[, label])``, that names a column
        that is not a quasi-identifier or whose function fails or returns the wrong number of values.

    Examples
    --------
    >>> people = pd.DataFrame({"age": [23, 27, 34, 38, 41, 61], "zip": ["H1", "H1", "H2", "H2", "H1", "H2"]})
    >>> decades = ("age", lambda ages: generalise_age(ages, 10), "decades")
    >>> twenties = ("age", lambda ages: generalise_age(ages, 20), "20-year bands")
    >>> make_k_anonymous(people, ["age", "zip"], 2, [decades, twenties], max_suppression=0.4)
    KAnonymousRelease(k=2, rows=4, suppressed=2 (33.3%), generalised={'age': 'decades'})
    """
    _frame(df)
    qi = _qi_list(quasi_identifiers)
    k = _int_param(k, "k", 1)
    max_suppression = check_share(max_suppression, "max_suppression")
    if isinstance(hierarchy, (str, bytes)) or not isinstance(hierarchy, Sequence):
        raise ScoredTypeError(f"hierarchy must be a list of (column, function) steps, got {hierarchy!r}")
    steps = [_step(item, qi, i) for i, item in enumerate(hierarchy)]
    n = len(df)
    allowed = math.floor(max_suppression * n + 1e-9)
    current = df.copy()
    log: list[dict[str, Any]] = []
    generalised: dict[str, str] = {}

    def measure(column: Any, label: Any) -> Any:
        codes, m, sizes, _ = _classes(current, qi)
        below = int((sizes < k).astype(np.int64) @ sizes)
        log.append({"step": len(log), "column": column, "label": label, "classes": m, "min_class": int(sizes.min()),
                    "rows_below_k": below})
        return below

    below = measure("", "original")
    for column, func, label in steps:
        if below <= allowed:
            break
        try:
            new = func(df[column])
        except PrivacyInputError:
            raise
        except Exception as e:  # a user-supplied function failed: say which step
            raise PrivacyInputError(f"hierarchy step {label!r} on column {column!r} failed: {e}") from e
        if isinstance(new, pd.Series):
            new = new.array  # positional: the function may have returned a fresh index
        if not hasattr(new, "__len__") or len(new) != n:
            raise PrivacyInputError(f"hierarchy step {label!r} on column {column!r} must return one value per row "
                                    f"({n:,}), got {type(new).__name__}")
        current[column] = new
        generalised[column] = label
        below = measure(column, label)
    release, n_sup = suppress(current, qi, k)
    return KAnonymousRelease(release=release, steps=pd.DataFrame(log), generalised=generalised, suppressed=n_sup,
                             suppressed_share=n_sup / n, k=k)


# ---------------------------------------------------------------------------------------- differential privacy
def _rng(rng: Any) -> np.random.Generator:
    return check_rng(rng)


def _finite_noise(result: Any, scale: float) -> Any:
    """``result`` if every entry is finite; a clear error instead of a silent ``inf`` when the noise overflows."""
    if not np.isfinite(np.asarray(result, dtype=np.float64)).all():
        raise PrivacyInputError(f"the noisy answer overflows (noise scale sensitivity / epsilon = {scale:g}, or a "
                                "value too close to the largest float): use a smaller sensitivity, a larger epsilon "
                                "or smaller values")
    return result


def laplace_mechanism(value: Any, sensitivity: float, epsilon: float, rng: RngLike = None) -> Any:
    """``value`` plus Laplace noise of scale ``sensitivity / epsilon``: the Laplace mechanism.

    Glossary (differential privacy): "Smaller epsilon means more privacy and noisier answers."

    Glossary (epsilon): "Smaller epsilon means more noise and more privacy"

    If ``value`` is a query whose result changes by at most ``sensitivity`` when one person is added or removed,
    the noisy answer is epsilon-differentially private (Dwork, McSherry, Nissim & Smith 2006): whatever is
    released, its probability changes by a factor of at most e^epsilon whether or not any one person is in the data.
    Smaller epsilon = more noise = more privacy. What it does **not** promise: that nothing can be learned about
    groups -- aggregate inferences ("people in Harbour are more often in debt") remain possible, and are the point
    of releasing statistics; nor that the sensitivity you declare is right (that is on you).

    ``value``: a number, a numpy array or a pandas Series (each entry gets independent noise; the same type is
    returned, a number as a float). ``epsilon`` and ``sensitivity``: positive and finite. ``rng``: a numpy
    Generator, an integer seed (same seed, same noise) or None (fresh randomness).

    Parameters
    ----------
    value : float, numpy array or Series of numbers
        The true answer of the query (a count, a sum ...), finite, with no missing values.
    sensitivity : float > 0
        How much one person can change the answer at most (1 for a count), in the answer's unit.
    epsilon : float > 0
        The privacy parameter: smaller means more noise and more privacy.
    rng : None, int or numpy.random.Generator, default None
        The source of the noise: None for fresh randomness, an int seed (the same seed, the same noise) or a
        Generator.

    Returns
    -------
    float, numpy array or Series
        ``value`` plus independent noise per entry: a float for a number, a float array of the same shape for an
        array or a list, a float Series with the same index and name for a Series.

    Raises
    ------
    ScoredTypeError
        ``value`` is not a number, array or Series (or is True/False); ``sensitivity``, ``epsilon`` or ``rng`` of
        the wrong kind.
    ScoredInputError
        ``value`` holds something other than numbers, or missing or infinite ones; ``sensitivity`` or ``epsilon``
        not positive and finite; a noise scale ``sensitivity / epsilon`` or a noisy answer too large for a float.

    Examples
    --------
    >>> noisy = laplace_mechanism(120, sensitivity=1, epsilon=0.5, rng=7)
    >>> noisy == laplace_mechanism(120, sensitivity=1, epsilon=0.5, rng=7), abs(noisy - 120) < 30
    (True, True)
    """
    epsilon = _positive(epsilon, "epsilon")
    sensitivity = _positive(sensitivity, "sensitivity")
    gen = _rng(rng)
    scale = sensitivity / epsilon
    if not math.isfinite(scale):
        raise PrivacyInputError(f"sensitivity / epsilon must be finite (the noise scale), got {sensitivity:g} / "
                                f"{epsilon:g}")
    if isinstance(value, (bool, np.bool_)):
        raise ScoredTypeError(f"value must be a number or an array of numbers, got {value!r}")
    if isinstance(value, numbers.Real):
        if not math.isfinite(value):
            raise PrivacyInputError(f"value must be finite, got {value!r}")
        return _finite_noise(float(value) + float(gen.laplace(0.0, scale)), scale)
    if isinstance(value, (pd.Series, np.ndarray, list, tuple)):
        arr = value.to_numpy() if isinstance(value, pd.Series) else np.asarray(value)
        if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
            raise PrivacyInputError(f"value must hold numbers, got dtype {arr.dtype}")
        arr = arr.astype(np.float64)
        if not np.isfinite(arr).all():
            raise PrivacyInputError("value holds missing or infinite numbers")
        noisy = _finite_noise(arr + gen.laplace(0.0, scale, size=arr.shape), scale)
        if isinstance(value, pd.Series):
            return pd.Series(noisy, index=value.index, name=value.name)
        return noisy
    raise ScoredTypeError(f"value must be a number, a numpy array or a pandas Series, got {type(value).__name__}")


class PrivacyAccountant:
    """A privacy budget ``total_epsilon`` spent query by query under basic sequential composition.

    Answering queries that are epsilon_1-, epsilon_2-, ... differentially private about the same people is
    (epsilon_1 + epsilon_2 + ...)-differentially private (Dwork, McSherry, Nissim & Smith 2006; Dwork & Roth 2014).
    The accountant adds up what was spent and refuses (``BudgetExceeded``) a query that would take
    the sum above the budget; a refused query is not recorded. Basic composition is a safe upper bound; advanced
    composition theorems allow more queries for a slightly weaker guarantee.

    ``spent``, ``remaining`` and ``history`` (a DataFrame: ``query``, ``label``, ``epsilon``, ``spent``,
    ``remaining``) show the state.

    ``spend(epsilon, label="")`` records a query and returns the budget remaining, or raises ``BudgetExceeded``
    and records nothing; ``can_spend(epsilon)`` says whether it would fit. A rounding slack of one part in a
    billion lets ten spends of 0.1 fit a budget of 1.

    Parameters
    ----------
    total_epsilon : float > 0
        The whole privacy budget for the data, finite.

    Attributes
    ----------
    total : float
        The budget, ``total_epsilon``.
    spent : float
        The sum of the epsilons recorded so far.
    remaining : float
        ``total - spent``, never below 0.
    history : DataFrame
        One row per recorded query, index 0, 1, ...; columns ``query`` (1, 2, ...), ``label`` (text),
        ``epsilon``, ``spent`` (the running total) and ``remaining`` (after the query).

    Raises
    ------
    ScoredTypeError
        ``total_epsilon`` (or a spend's ``epsilon``) is not a number, or a ``label`` is not text.
    ScoredInputError
        ``total_epsilon`` (or a spend's ``epsilon``) is not positive and finite.
    BudgetExceeded
        From ``spend``: the query would take the total spent above the budget.

    Examples
    --------
    >>> budget = PrivacyAccountant(1.0)
    >>> budget.spend(0.4, "district counts"), budget.can_spend(0.7)
    (0.6, False)
    """

    _TOL = 1e-9  # relative slack so that e.g. ten spends of 0.1 fit a budget of 1.0 despite rounding

    def __init__(self, total_epsilon: float) -> None:
        self.total = _positive(total_epsilon, "total_epsilon")
        self._spends: list[tuple[str, float]] = []

    @property
    def spent(self) -> float:
        return math.fsum(e for _, e in self._spends)

    @property
    def remaining(self) -> float:
        return max(self.total - self.spent, 0.0)

    def can_spend(self, epsilon: float) -> bool:
        epsilon = _positive(epsilon, "epsilon")
        return self.spent + epsilon <= self.total * (1 + self._TOL)

    def spend(self, epsilon: float, label: str = "") -> float:
        """Record a query costing ``epsilon``; raise ``BudgetExceeded`` (and record nothing) if it does not fit."""
        epsilon = _positive(epsilon, "epsilon")
        if not isinstance(label, str):
            raise ScoredTypeError(f"label must be a string, got {label!r}")
        if not self.can_spend(epsilon):
            what = f" for {label!r}" if label else ""
            raise BudgetExceeded(f"spending epsilon={epsilon:g}{what} would exceed the privacy budget: "
                                 f"{self.spent:g} of {self.total:g} already spent, {self.remaining:g} remaining")
        self._spends.append((label, epsilon))
        return self.remaining

    @property
    def history(self) -> pd.DataFrame:
        eps = np.array([e for _, e in self._spends], dtype=np.float64)
        spent = np.array([math.fsum(eps[:i + 1]) for i in range(len(eps))], dtype=np.float64)
        return pd.DataFrame({"query": np.arange(1, len(eps) + 1, dtype=np.int64),
                             "label": pd.array([lbl for lbl, _ in self._spends], dtype="str"),
                             "epsilon": eps, "spent": spent, "remaining": np.maximum(self.total - spent, 0.0)})

    def __repr__(self) -> str:
        return (f"PrivacyAccountant(total_epsilon={self.total:g}, spent={self.spent:g}, "
                f"remaining={self.remaining:g}, queries={len(self._spends)})")


def _mask(df: Any, condition: Any) -> Any:
    if isinstance(condition, str):
        try:
            condition = df.eval(condition)
        except Exception as e:
            raise PrivacyInputError(f"condition {condition!r} could not be evaluated on df: {e}") from None
    elif callable(condition):
        condition = condition(df)
    if isinstance(condition, pd.Series):
        if len(condition) != len(df) or not condition.index.equals(df.index):
            raise PrivacyInputError("condition must be a boolean Series with the same index as df")
        m = condition
    elif isinstance(condition, (np.ndarray, list, tuple)):
        m = pd.Series(np.asarray(condition))
        if m.ndim != 1 or len(m) != len(df):
            raise PrivacyInputError(f"condition must have one value per row of df ({len(df):,}), got {len(m):,}")
    else:
        raise ScoredTypeError("condition must be a boolean mask, a callable df -> mask, or a query string, got "
                                f"{type(condition).__name__}")
    if not pd.api.types.is_bool_dtype(m.dtype):
        raise PrivacyInputError(f"condition must be boolean (True/False), got dtype {m.dtype}")
    if m.isna().any():
        raise PrivacyInputError("condition has missing values")
    return m.to_numpy(dtype=bool)


def noisy_count(df: pd.DataFrame, condition: Any, epsilon: float, accountant: PrivacyAccountant | None = None,
                rng: Any = None, label: str | None = None) -> float:
    """An epsilon-differentially private count of the rows of ``df`` where ``condition`` holds.

    ``condition``: a boolean mask (Series aligned with ``df``, or array), a callable ``df -> mask`` or a query
    string for ``df.eval`` (e.g. ``"district == 'Harbour' and age < 30"``). A count changes by at most 1 when one
    person is added or removed, so the Laplace mechanism with sensitivity 1 and scale 1/epsilon makes it
    epsilon-DP (Dwork, McSherry, Nissim & Smith 2006). With an ``accountant``, epsilon is spent *before* the answer
    is computed; if the budget is exceeded, ``BudgetExceeded`` is raised and nothing is released.

    The result is a float, possibly negative or fractional. Rounding or clipping it at 0 is post-processing and
    costs no privacy. The guarantee is about individuals: the count of a large group stays accurate, so what the
    data say about groups can still be learned.

    Parameters
    ----------
    df : DataFrame
        The data, one row per person; it may be empty.
    condition : boolean Series or array, callable or str
        Which rows to count: a mask with one True/False per row (a Series must have ``df``'s index), a function
        that takes ``df`` and returns such a mask, or a query string for ``df.eval``.
    epsilon : float > 0
        The privacy parameter of this one count; smaller means more noise (scale 1 / epsilon).
    accountant : PrivacyAccountant, optional
        A budget to spend ``epsilon`` from before answering. Default None: no budget is kept.
    rng : None, int or numpy.random.Generator, default None
        The source of the noise: None for fresh randomness, an int seed or a Generator.
    label : str, optional
        The query's name in the accountant's ``history``. Default None: "count: <condition>" for a query string,
        else "count".

    Returns
    -------
    float
        The count plus Laplace noise of scale 1 / epsilon.

    Raises
    ------
    ScoredTypeError
        ``df`` is not a DataFrame, ``condition`` is not a mask, callable or string, ``accountant`` is not a
        ``PrivacyAccountant``, ``label`` is not text, or ``epsilon`` or ``rng`` of the wrong kind.
    ScoredInputError
        A condition that cannot be evaluated, is not boolean, has missing values or does not match ``df``'s rows;
        ``epsilon`` not positive and finite. Nothing is spent.
    BudgetExceeded
        ``epsilon`` does not fit the accountant's remaining budget. Nothing is spent or released.

    Examples
    --------
    >>> people = pd.DataFrame({"district": ["Harbour", "Harbour", "Old Town"], "age": [24, 51, 33]})
    >>> budget = PrivacyAccountant(1.0)
    >>> answer = noisy_count(people, "district == 'Harbour'", epsilon=0.5, accountant=budget, rng=1)
    >>> round(answer), budget.remaining
    (2, 0.5)
    """
    _frame(df, empty_ok=True)
    epsilon = _positive(epsilon, "epsilon")
    if accountant is not None and not isinstance(accountant, PrivacyAccountant):
        raise ScoredTypeError(f"accountant must be a PrivacyAccountant, got {type(accountant).__name__}")
    gen = _rng(rng)
    if label is not None and not isinstance(label, str):
        raise ScoredTypeError(f"label must be a string, got {label!r}")
    mask = _mask(df, condition)
    if accountant is not None:
        accountant.spend(epsilon, label if label is not None else
                         (f"count: {condition}" if isinstance(condition, str) else "count"))
    return laplace_mechanism(float(np.count_nonzero(mask)), 1.0, epsilon, gen)


# ---------------------------------------------------------------------------------------------------- who is exposed
def anonymity_set_sizes(df: pd.DataFrame, quasi_identifiers: Any) -> pd.Series:
    """For every row, how many rows (itself included) share its quasi-identifier values: its *anonymity set*.

    1 means the row is unique: anyone who knows this person's quasi-identifiers finds exactly one row, theirs.
    ``uniqueness`` is the share of 1s, ``k_anonymity`` the smallest value; this keeps the value per row, so that
    one can ask *who* is exposed (e.g. by age group) and how many people a given person hides among. Returns an
    integer Series named ``anonymity_set``, indexed like ``df``.

    Parameters
    ----------
    df : DataFrame
        The table to measure, one row per person.
    quasi_identifiers : column name or list of column names
        The columns an attacker could know from elsewhere, such as postcode, birth date and sex. Their values must
        not be missing.

    Returns
    -------
    Series of int
        Named ``anonymity_set``, indexed like ``df``: the size of each row's equivalence class, at least 1.

    Raises
    ------
    ScoredTypeError
        ``df`` is not a DataFrame, or ``quasi_identifiers`` is not a column name or a list of them.
    ScoredInputError
        An empty table, a column that is not in ``df``, or missing values in a quasi-identifier.

    Examples
    --------
    >>> people = pd.DataFrame({"zip": ["H1", "H1", "H2"], "sex": ["F", "F", "M"]})
    >>> anonymity_set_sizes(people, ["zip", "sex"]).tolist()
    [2, 2, 1]
    """
    codes, _, sizes, _ = _classes(df, quasi_identifiers)
    return pd.Series(sizes[codes].astype(np.int64), index=df.index, name="anonymity_set")


LINK_OUTCOMES = ("re-identified correctly", "re-identified wrongly", "ambiguous", "unmatched")


def linkage_outcomes(result: LinkResult) -> pd.Series:
    """The outcome of a linkage attack for every release row, as an ordered categorical Series.

    With a ``true_id`` given to ``link``, the categories are ``LINK_OUTCOMES``: "re-identified correctly" (exactly
    one auxiliary row matches, and it is the right person), "re-identified wrongly" (exactly one matches, and it
    is someone else: the attacker names the wrong person and cannot tell), "ambiguous" (several match) and
    "unmatched" (none does). Without a ``true_id`` the first two are one category, "re-identified". The Series is
    indexed like the release and named ``outcome``; its counts add up to the ``summary`` of the ``LinkResult``.

    Parameters
    ----------
    result : LinkResult
        What ``link`` returned, with or without a ``true_id``.

    Returns
    -------
    Series of ordered categorical
        Named ``outcome``, indexed like the release: one outcome per release row, categories in the order above.

    Raises
    ------
    ScoredTypeError
        ``result`` is not a ``LinkResult``.

    Examples
    --------
    >>> release = pd.DataFrame({"pid": [1, 2, 3], "zip": ["H1", "H2", "H3"], "born": [1980, 1975, 1990]})
    >>> register = pd.DataFrame({"pid": [1, 5, 6, 7], "name": ["Ada", "Bram", "Cora", "Dina"],
    ...                          "zip": ["H1", "H2", "H2", "H3"], "born": [1980, 1975, 1975, 1990]})
    >>> linkage_outcomes(link(release, register, ["zip", "born"], true_id="pid")).tolist()
    ['re-identified correctly', 'ambiguous', 're-identified wrongly']
    """
    if not isinstance(result, LinkResult):
        raise ScoredTypeError(f"result must be the LinkResult returned by link(), got {type(result).__name__}")
    count = result.candidates.to_numpy()
    with_truth = result.summary.get("correct") is not None
    categories = list(LINK_OUTCOMES) if with_truth else ["re-identified", "ambiguous", "unmatched"]
    codes = np.where(count == 0, len(categories) - 1, np.where(count > 1, len(categories) - 2, 0))
    if with_truth:
        # ``link`` keeps the matched rows in release order, so they are the rows with exactly one candidate
        # (positions, not index labels: a release index may repeat)
        position = np.flatnonzero(count == 1)
        codes[position[~result.matches["correct"].to_numpy(dtype=bool)]] = 1
    return pd.Series(pd.Categorical.from_codes(codes, categories=categories, ordered=True),
                     index=result.candidates.index, name="outcome")


__all__ += ["anonymity_set_sizes", "LINK_OUTCOMES", "linkage_outcomes"]


# ---------------------------------------------------------------------------------------------------- safeguards
def homogeneous_rows(df: pd.DataFrame, quasi_identifiers: Any, sensitive: Any) -> pd.Series:
    """For every row, whether everyone in its equivalence class has the same value of ``sensitive``.

    These are the rows a *homogeneity attack* (Machanavajjhala et al. 2006) exposes: whoever knows a person's
    quasi-identifiers learns their sensitive value without having to find their row, however large the class.
    k-anonymity does not prevent it; ``l_diversity`` of at least 2 does. Returns a boolean Series named
    ``homogeneous``, indexed like ``df``.

    Parameters
    ----------
    df : DataFrame
        The table to release, one row per person.
    quasi_identifiers : column name or list of column names
        The columns an attacker could know from elsewhere. Their values must not be missing.
    sensitive : column name
        The column whose values the release should not reveal (an illness, a grade). Its values must not be
        missing, and it cannot be a quasi-identifier.

    Returns
    -------
    Series of bool
        Named ``homogeneous``, indexed like ``df``: True where the row's class holds one sensitive value only.

    Raises
    ------
    ScoredTypeError
        ``df`` is not a DataFrame, or a column argument is not a column name (or list of them).
    ScoredInputError
        An empty table, a column that is not in ``df``, missing values in a quasi-identifier or in ``sensitive``,
        or ``sensitive`` among the quasi-identifiers.

    Examples
    --------
    >>> people = pd.DataFrame({"zip": ["H1", "H1", "H2", "H2"], "illness": ["flu", "cold", "flu", "flu"]})
    >>> homogeneous_rows(people, "zip", "illness").tolist()
    [False, False, True, True]
    """
    codes, m, _, qi = _classes(df, quasi_identifiers)
    distinct = _distinct_per_class(df, codes, m, sensitive, qi)
    return pd.Series(distinct[codes] == 1, index=df.index, name="homogeneous")


def suppress_not_diverse(df: pd.DataFrame, quasi_identifiers: Any, sensitive: Any, l: int) -> Suppressed:
    """Drop every row whose equivalence class holds fewer than ``l`` distinct values of ``sensitive``.

    The kept frame is (distinct) l-diverse on the quasi-identifiers, or empty; returns ``(kept, number_dropped)``
    like ``suppress``. Like all suppression, it removes exactly the groups that are most uniform, which can bias
    what the release says about them.

    Parameters
    ----------
    df : DataFrame
        The table to release, one row per person.
    quasi_identifiers : column name or list of column names
        The columns an attacker could know from elsewhere. Their values must not be missing.
    sensitive : column name
        The column whose values the release should not reveal (an illness, a grade). Its values must not be
        missing, and it cannot be a quasi-identifier.
    l : int
        The smallest number of distinct sensitive values a class must hold to be kept, 1 or more.

    Returns
    -------
    Suppressed
        A named tuple ``(release, suppressed)``: the kept rows (index, columns and order of ``df``) and the number
        of rows dropped.

    Raises
    ------
    ScoredTypeError
        ``df`` is not a DataFrame, or a column argument is not a column name (or list of them), or ``l`` is
        not a whole number.
    ScoredInputError
        An empty table, a column that is not in ``df``, missing values in a quasi-identifier or in ``sensitive``,
        ``sensitive`` among the quasi-identifiers, or ``l`` below 1.

    Examples
    --------
    >>> people = pd.DataFrame({"zip": ["H1", "H1", "H2", "H2"], "illness": ["flu", "cold", "flu", "flu"]})
    >>> kept, dropped = suppress_not_diverse(people, "zip", "illness", 2)
    >>> kept["zip"].tolist(), dropped
    (['H1', 'H1'], 2)
    """
    l = _int_param(l, "l", 1)
    codes, m, _, qi = _classes(df, quasi_identifiers)
    keep = _distinct_per_class(df, codes, m, sensitive, qi)[codes] >= l
    return Suppressed(df.loc[keep], int((~keep).sum()))


def laplace_error(sensitivity: float, epsilon: float, *, confidence: float = 0.95) -> float:
    """How far the Laplace mechanism's answer can stray: the ``w`` with P(|noise| <= w) = ``confidence``.

    Laplace noise of scale ``b = sensitivity / epsilon`` has P(|noise| > w) = exp(-w / b), so
    ``w = b * ln(1 / (1 - confidence))``: about 3.0 / epsilon for a count (sensitivity 1) at 95%. Halving epsilon
    doubles it. The arguments come in the order of ``laplace_mechanism(value, sensitivity, epsilon)``.

    Parameters
    ----------
    sensitivity : float > 0
        How much one person can change the query's answer (1 for a count).
    epsilon : float > 0
        The privacy parameter.
    confidence : float in (0, 1), keyword-only
        The chance that the noise is within the returned distance.

    Returns
    -------
    float
        The distance ``w``, in the unit of the query's answer.

    Raises
    ------
    ScoredInputError
        A value out of range (``ScoredTypeError`` for a value that is not a number).

    Examples
    --------
    >>> round(laplace_error(1, 0.5), 2)
    5.99
    """
    sensitivity = _positive(sensitivity, "sensitivity")
    epsilon = _positive(epsilon, "epsilon")
    confidence = check_share(confidence, "confidence", low_open=True, high_open=True)
    width = sensitivity / epsilon * math.log(1.0 / (1.0 - confidence))
    if not math.isfinite(width):
        raise PrivacyInputError(f"sensitivity / epsilon must be finite, got {sensitivity:g} / {epsilon:g}")
    return width


def max_guess_accuracy(epsilon: float) -> float:
    """The best chance an attacker has of guessing whether one person is in the data, from an epsilon-DP release.

    Start from even odds (in or out, 50:50). Whatever the attacker does with the output of an epsilon-differentially
    private mechanism, their guess is right with probability at most e^epsilon / (1 + e^epsilon): 52.5% at
    epsilon = 0.1, 73.1% at 1, 99.3% at 5 (the hypothesis-testing reading of the definition; Dwork & Roth 2014).
    The bound is about one person's presence; it says nothing about what the data reveal about groups.

    Parameters
    ----------
    epsilon : float > 0
        The privacy parameter of the release (for several releases about the same people, the sum of theirs).

    Returns
    -------
    float
        The highest chance of a right guess, between 0.5 and 1.

    Raises
    ------
    ScoredTypeError
        ``epsilon`` is not a number.
    ScoredInputError
        ``epsilon`` is not positive and finite.

    Examples
    --------
    >>> round(max_guess_accuracy(1.0), 3)
    0.731
    """
    epsilon = _positive(epsilon, "epsilon")
    return 1.0 / (1.0 + math.exp(-epsilon))


__all__ += ["homogeneous_rows", "suppress_not_diverse", "laplace_error", "max_guess_accuracy"]
