"""Shared input checks: one family of errors and one set of validators for every ``scored`` module.

Every public function of the toolkit checks its arguments with these helpers before it computes anything, the way
scikit-learn's ``utils.validation`` does. A bad argument raises one of:

- ``ScoredInputError``, a ``ValueError``: the argument has the right kind but a bad value (a missing column, a
  number out of range, missing values, an empty table);
- ``ScoredTypeError``, a ``TypeError`` *and* a ``ScoredInputError``: the argument is the wrong kind of object
  (a list where a DataFrame is needed, text where a number is needed). Code that catches ``ValueError`` still
  catches it;
- ``ScoredLookupError``, a ``KeyError`` and a ``ScoredInputError``: a key (a resident id) that is not there.

Every message names the argument, says what was expected and what was given:
``epsilon must be a number greater than 0, got -1``.

The validators come in four families. Each returns the checked value (converted where it says so), so a function
can write ``epsilon = check_number(epsilon, "epsilon", low=0, low_open=True)`` and use the result:

- tables: ``check_frame``, ``check_columns``, ``check_column``, ``check_bool_column``, ``check_numeric_column``,
  ``check_column_name``, ``check_column_names``;
- single values: ``check_number``, ``check_integer``, ``check_share``, ``check_bool``, ``check_str``,
  ``check_choice``;
- randomness: ``check_rng``, ``spawn``;
- keyword names: ``renamed_keywords``, ``accepts_seed``.

``describe`` writes the "got ..." part of a message.

``scored.audit.AuditInputError`` and ``scored.privacy.PrivacyInputError`` are other names for
``ScoredInputError``, kept so that older code keeps working.

Boolean columns. A column that says yes or no (``selected``, ``actual``, ``withheld``) must hold only ``True`` and
``False``: a ``bool`` column, a nullable ``boolean`` column without missing values, or an ``object`` column whose
values are all ``True``/``False``. Numbers (0/1), text (``"False"``) and missing values are refused, never guessed:
``bool("False")`` is ``True``, and a guess would silently count it. Convert explicitly, e.g. ``df.flag == 1``.

Randomness follows the Scientific Python SPEC 7: a function that draws random numbers takes one keyword, ``rng``,
which may be ``None`` (fresh randomness), an ``int`` seed (the same seed gives the same result) or a
``numpy.random.Generator``. ``check_rng`` turns it into a ``Generator``.

Examples
--------
>>> check_number(0.5, "epsilon", low=0, low_open=True)
0.5
>>> check_number(-1, "epsilon", low=0, low_open=True)
Traceback (most recent call last):
...
scored.validation.ScoredInputError: epsilon must be a number greater than 0, got -1
"""
from __future__ import annotations

import functools
import math
import numbers
import warnings
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, TypeAlias, TypeVar

import numpy as np
import pandas as pd

__all__ = ["ScoredInputError", "ScoredTypeError", "ScoredLookupError", "check_frame", "check_columns",
           "check_column", "check_bool_column", "check_numeric_column", "check_number", "check_integer",
           "check_share", "check_bool", "check_str", "check_choice", "check_column_name", "check_column_names",
           "check_rng", "RngLike", "spawn", "accepts_seed", "renamed_keywords", "describe"]


class ScoredInputError(ValueError):
    """A bad argument to a ``scored`` function; the message names the argument, what was expected and given."""


class ScoredTypeError(ScoredInputError, TypeError):
    """An argument of the wrong kind (a ``TypeError``; also a ``ScoredInputError``, so a ``ValueError``)."""


class ScoredLookupError(ScoredInputError, KeyError):
    """A key that is not there, e.g. a resident id (a ``KeyError``; also a ``ScoredInputError``)."""

    def __str__(self) -> str:  # KeyError would print the message with quotes around it
        return str(self.args[0]) if self.args else ""


def describe(value: Any) -> str:
    """A short description of ``value`` for an error message: its repr, cut to 80 characters, or its type.

    Tables and arrays are described by their type and shape, never printed; a repr longer than 80 characters is cut
    to 77 and ends with ``...``; an object whose ``repr`` fails is described by its type, so that the real error is
    not hidden.

    Parameters
    ----------
    value : object
        Whatever the caller passed.

    Returns
    -------
    str
        The text that follows "got" in an error message.

    Examples
    --------
    >>> describe("seven")
    "'seven'"
    >>> describe(pd.DataFrame({"a": [1, 2, 3]}))
    'a DataFrame of shape (3, 1)'
    """
    if isinstance(value, (pd.DataFrame, pd.Series, np.ndarray)):
        return f"a {type(value).__name__} of shape {getattr(value, 'shape', '?')}"
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not hide the real error
        text = f"a {type(value).__name__}"
    return text if len(text) <= 80 else text[:77] + "..."


# ---------------------------------------------------------------------------------------------------- tables
def check_frame(df: Any, name: str = "df", *, empty_ok: bool = False) -> pd.DataFrame:
    """``df`` if it is a DataFrame (with at least one row unless ``empty_ok``); an error naming ``name`` otherwise.

    Nothing is converted: a list, a dict, a Series or a numpy array is refused, not turned into a table.

    Parameters
    ----------
    df : object
        The value to check.
    name : str, default "df"
        The argument's name, for the message.
    empty_ok : bool, keyword-only, default False
        Whether a table with no rows is accepted.

    Returns
    -------
    DataFrame
        ``df`` itself (the same object, not a copy).

    Raises
    ------
    ScoredTypeError
        ``df`` is not a DataFrame: "records must be a pandas DataFrame, got a list".
    ScoredInputError
        ``df`` has no rows and ``empty_ok`` is False: "records must have at least one row, got an empty table".

    Examples
    --------
    >>> check_frame(pd.DataFrame({"resident_id": [0, 1]}), "records").shape
    (2, 1)
    >>> check_frame([1, 2], "records")
    Traceback (most recent call last):
    ...
    scored.validation.ScoredTypeError: records must be a pandas DataFrame, got a list
    """
    if not isinstance(df, pd.DataFrame):
        raise ScoredTypeError(f"{name} must be a pandas DataFrame, got a {type(df).__name__}")
    if not empty_ok and len(df) == 0:
        raise ScoredInputError(f"{name} must have at least one row, got an empty table")
    return df


def check_column_name(col: Any, name: str) -> Hashable:
    """``col`` if it can name one column (hashable, not a list or tuple); ``ScoredTypeError`` otherwise.

    A list, tuple, set, dict, Series, Index or array is refused even where pandas would accept it, because it names
    several columns (or a tuple of a MultiIndex, which the toolkit does not use). Whether the column exists is
    checked by ``check_column``.

    Parameters
    ----------
    col : object
        The value given as a column name.
    name : str
        The argument's name, for the message.

    Returns
    -------
    Hashable
        ``col`` unchanged.

    Raises
    ------
    ScoredTypeError
        ``col`` is not one label: "group must be a column name (one label, not a list), got ['group']".

    Examples
    --------
    >>> check_column_name("group", "group")
    'group'
    >>> check_column_name(["group"], "group")
    Traceback (most recent call last):
    ...
    scored.validation.ScoredTypeError: group must be a column name (one label, not a list), got ['group']
    """
    if isinstance(col, (list, tuple, set, dict, pd.Series, pd.Index, np.ndarray)) or not isinstance(col, Hashable):
        raise ScoredTypeError(f"{name} must be a column name (one label, not a list), got {describe(col)}")
    return col


def check_column_names(cols: Any, name: str) -> list[Hashable]:
    """A list of column names from one name or a list of them (repeats dropped, order kept); never empty.

    One string becomes a list of one (``"zip"`` gives ``["zip"]``, never its letters); any other list-like (list,
    tuple, Index, Series) becomes a list. Each entry must pass ``check_column_name``. Whether the columns exist is
    checked by ``check_columns``.

    Parameters
    ----------
    cols : column name or list-like of column names
        The value given.
    name : str
        The argument's name, for the message.

    Returns
    -------
    list
        The names in their first order, each once.

    Raises
    ------
    ScoredTypeError
        ``cols`` is neither a name nor a list of names (bytes, a dict, a number), or an entry is not one label.
    ScoredInputError
        ``cols`` is empty: "quasi_identifiers must name at least one column, got an empty list".

    Examples
    --------
    >>> check_column_names("zip", "quasi_identifiers")
    ['zip']
    >>> check_column_names(["zip", "age", "zip"], "quasi_identifiers")
    ['zip', 'age']
    """
    if isinstance(cols, str):
        cols = [cols]
    if isinstance(cols, (bytes, dict)) or not pd.api.types.is_list_like(cols):
        raise ScoredTypeError(f"{name} must be a column name or a list of column names, got {describe(cols)}")
    items = list(cols)
    for c in items:  # check before dict.fromkeys, which would fail on an unhashable item with a raw TypeError
        check_column_name(c, f"every entry of {name}")
    out = list(dict.fromkeys(items))
    if not out:
        raise ScoredInputError(f"{name} must name at least one column, got an empty list")
    return out


def check_columns(df: pd.DataFrame, columns: Iterable[Hashable], frame: str = "df") -> pd.DataFrame:
    """``df`` if it has every column in ``columns``; the message lists what is missing and what is there.

    Only presence is checked: not the values, and not whether a name appears twice (``check_column`` does both for
    one column). Pass a list: a string would be read letter by letter.

    Parameters
    ----------
    df : DataFrame
        The table (already checked with ``check_frame``).
    columns : iterable of column names
        The columns the caller needs.
    frame : str, default "df"
        The table's argument name, for the message.

    Returns
    -------
    DataFrame
        ``df`` itself.

    Raises
    ------
    ScoredInputError
        A column is missing; the message names every missing column and lists the table's columns.

    Examples
    --------
    >>> labels = pd.DataFrame({"group": ["a", "b"], "selected": [True, False]})
    >>> check_columns(labels, ["group", "actual"], "labels")
    Traceback (most recent call last):
    ...
    scored.validation.ScoredInputError: labels has no column 'actual': expected it among its columns,
    got columns ['group', 'selected']
    """
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ScoredInputError(f"{frame} has no column {', '.join(map(repr, missing))}: expected it among its columns, "
                               f"got columns {list(df.columns)}")
    return df


def check_column(df: pd.DataFrame, col: Any, role: str, frame: str = "df", *, missing_ok: bool = False) -> pd.Series:
    """The Series ``df[col]``; ``role`` names the argument that named the column (for messages).

    Refuses a name that is not one column name, a column that is not there or is there twice, and (unless
    ``missing_ok``) missing values. The values are not converted and their dtype is not checked: see
    ``check_bool_column`` and ``check_numeric_column``.

    Parameters
    ----------
    df : DataFrame
        The table (already checked with ``check_frame``).
    col : column name
        The column to take.
    role : str
        The argument that named the column (``"group"``, ``"selected"``), for the message.
    frame : str, default "df"
        The table's argument name, for the message.
    missing_ok : bool, keyword-only, default False
        Whether missing values (NaN, None, ``pd.NA``) are accepted.

    Returns
    -------
    Series
        ``df[col]``, unchanged.

    Raises
    ------
    ScoredTypeError
        ``col`` is not one column name.
    ScoredInputError
        The column is missing or duplicated, or holds missing values; the message names the column, the role and
        (for a missing column) the table's columns.

    Examples
    --------
    >>> df = pd.DataFrame({"group": ["a", "b"], "selected": [True, False]})
    >>> check_column(df, "group", "group").tolist()
    ['a', 'b']
    >>> check_column(df, "grp", "group")
    Traceback (most recent call last):
    ...
    scored.validation.ScoredInputError: df has no column 'grp' (given as group;
    expected one of the columns ['group', 'selected'])
    """
    check_column_name(col, role)
    if col not in df.columns:
        raise ScoredInputError(f"{frame} has no column {col!r} (given as {role}; expected one of the columns "
                               f"{list(df.columns)})")
    s = df[col]
    if isinstance(s, pd.DataFrame):
        raise ScoredInputError(f"{frame} has more than one column named {col!r} ({role}): expected one, got "
                               f"{s.shape[1]}")
    if not missing_ok:
        n_missing = int(s.isna().sum())
        if n_missing:
            raise ScoredInputError(f"column {col!r} ({role}) must have no missing values, got {n_missing:,}; "
                                   "fill or drop them first")
    return s


def _is_bool_values(s: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(s.dtype):
        return True
    if s.dtype == object:
        return all(isinstance(v, (bool, np.bool_)) for v in s.to_numpy())
    return False


def check_bool_column(df: pd.DataFrame, col: Any, role: str, frame: str = "df") -> pd.Series:
    """The column ``df[col]`` as a ``bool`` Series, if it holds only True and False (see the module's rule).

    Accepted: a ``bool`` column, a nullable ``boolean`` column without missing values, or an ``object`` column whose
    values are all ``True``/``False`` (numpy's too); each is returned with dtype ``bool``. Refused, never converted:
    numbers (0/1), text (``"False"``, ``"yes"``) and missing values, because a guess would count ``"False"`` as
    True. The message suggests the explicit conversion.

    Parameters
    ----------
    df : DataFrame
        The table (already checked with ``check_frame``).
    col : column name
        The yes/no column.
    role : str
        The argument that named the column (``"selected"``, ``"actual"``), for the message.
    frame : str, default "df"
        The table's argument name, for the message.

    Returns
    -------
    Series
        The column with dtype ``bool``, same index.

    Raises
    ------
    ScoredTypeError
        ``col`` is not one column name.
    ScoredInputError
        The column is missing or duplicated, has missing values, or holds anything but True and False; the message
        names the column, the role, the dtype and the first value.

    Examples
    --------
    >>> check_bool_column(pd.DataFrame({"flag": [True, False]}), "flag", "selected").tolist()
    [True, False]
    >>> frame = pd.DataFrame({"flag": ["True", "False"]})
    >>> check_bool_column(frame, "flag", "selected")
    Traceback (most recent call last):
    ...
    scored.validation.ScoredInputError: column 'flag' (selected) must be boolean (True/False), got dtype str ...
    """
    s = check_column(df, col, role, frame)
    if not _is_bool_values(s):
        example = describe(s.iloc[0]) if len(s) else "nothing"
        raise ScoredInputError(
            f"column {col!r} ({role}) must be boolean (True/False), got dtype {s.dtype} (first value {example}); "
            f"convert it explicitly, e.g. df[{col!r}] == 1 or df['grade'] == 'D'")
    return s.astype(bool)


def check_numeric_column(df: pd.DataFrame, col: Any, role: str, frame: str = "df") -> pd.Series:
    """The column ``df[col]`` if it holds finite real numbers (booleans are not numbers here).

    Accepted: integer and float columns, numpy's or pandas' nullable ones, without missing values or infinities.
    Refused, never converted: booleans, complex numbers, and numbers stored as text (``"3"``).

    Parameters
    ----------
    df : DataFrame
        The table (already checked with ``check_frame``).
    col : column name
        The numeric column.
    role : str
        The argument that named the column, for the message.
    frame : str, default "df"
        The table's argument name, for the message.

    Returns
    -------
    Series
        ``df[col]``, unchanged (its dtype kept).

    Raises
    ------
    ScoredTypeError
        ``col`` is not one column name.
    ScoredInputError
        The column is missing or duplicated, has missing values, is not of a real numeric dtype, or holds an
        infinity; the message names the column, the role and the dtype.

    Examples
    --------
    >>> scores = pd.DataFrame({"total": ["990", "1010"]})
    >>> check_numeric_column(scores, "total", "scores column 'total'", "scores")
    Traceback (most recent call last):
    ...
    scored.validation.ScoredInputError: column 'total' (scores column 'total') must be numeric (real numbers),
    got dtype str
    """
    s = check_column(df, col, role, frame)
    if (pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_complex_dtype(s.dtype)
            or not pd.api.types.is_numeric_dtype(s.dtype)):
        raise ScoredInputError(f"column {col!r} ({role}) must be numeric (real numbers), got dtype {s.dtype}")
    if not np.isfinite(s.to_numpy(dtype=np.float64)).all():
        raise ScoredInputError(f"column {col!r} ({role}) must hold finite numbers, got infinite values")
    return s


# ---------------------------------------------------------------------------------------------------- scalars
def _fmt(x: float) -> str:
    """A bound for a message: whole numbers in full with thousands separators (5,000,000), others as %g."""
    return f"{int(x):,}" if float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


def _range_words(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    parts = []
    if low is not None:
        parts.append(f"greater than {_fmt(low)}" if low_open else f"at least {_fmt(low)}")
    if high is not None:
        parts.append(f"less than {_fmt(high)}" if high_open else f"at most {_fmt(high)}")
    return " and ".join(parts)


def check_number(value: Any, name: str, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False, integer: bool = False) -> Any:
    """``value`` as a float (an int with ``integer=True``) if it is a finite number in the range given.

    ``low``/``high`` are included unless ``low_open``/``high_open``. ``True`` and ``False`` are not numbers here.
    A value of the wrong kind raises ``ScoredTypeError``; a number out of range, NaN or infinite,
    ``ScoredInputError``.

    Accepted: any real number (Python's, numpy's, a ``Fraction``), or with ``integer=True`` any whole number type
    (``int``, ``numpy.int64``); a float such as ``3.0`` is not a whole number here. Refused, never converted:
    text (``"3"``), booleans, ``Decimal``, and for a float an int too large to become one.

    Parameters
    ----------
    value : object
        The value to check.
    name : str
        The argument's name, for the message.
    low, high : float or None, keyword-only, default None
        The bounds of the allowed range; None means no bound on that side.
    low_open, high_open : bool, keyword-only, default False
        Whether the bound itself is excluded (``low=0, low_open=True`` means "greater than 0").
    integer : bool, keyword-only, default False
        Whether only whole numbers are allowed.

    Returns
    -------
    float or int
        ``float(value)``, or ``int(value)`` with ``integer=True``.

    Raises
    ------
    ScoredTypeError
        ``value`` is not a number (or not a whole number with ``integer=True``).
    ScoredInputError
        ``value`` is NaN, infinite or out of range. The message names the argument and states the range in words:
        "threshold must be a number at least 0 and at most 1, got 1.5".

    Examples
    --------
    >>> check_number(3, "k", low=1, integer=True)
    3
    >>> check_number(2.5, "k", low=1, integer=True)
    Traceback (most recent call last):
    ...
    scored.validation.ScoredTypeError: k must be a whole number at least 1, got 2.5
    """
    kind = "a whole number" if integer else "a number"
    words = _range_words(low, high, low_open, high_open)
    expected = f"{kind} {words}".strip()
    ok_type = isinstance(value, numbers.Integral) if integer else isinstance(value, numbers.Real)
    if isinstance(value, (bool, np.bool_)) or not ok_type:
        raise ScoredTypeError(f"{name} must be {expected}, got {describe(value)}")
    if not integer:
        try:
            finite = math.isfinite(value)
        except OverflowError:  # an int too large for a float
            finite = False
        if not finite:
            raise ScoredInputError(f"{name} must be {'a finite number ' + words if words else 'a finite number'}, "
                                   f"got {describe(value)}")
    if ((low is not None and (value < low or (low_open and value == low)))
            or (high is not None and (value > high or (high_open and value == high)))):
        raise ScoredInputError(f"{name} must be {expected}, got {value!r}")
    return int(value) if integer else float(value)


def check_integer(value: Any, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an int if it is a whole number (not a bool) in [``low``, ``high``].

    ``check_number(value, name, low=low, high=high, integer=True)``: Python and numpy integers are accepted and
    returned as ``int``; floats (even ``3.0``), text and booleans are refused.

    Parameters
    ----------
    value : object
        The value to check.
    name : str
        The argument's name, for the message.
    low, high : int or None, keyword-only, default None
        The smallest and largest allowed values (both included); None means no bound.

    Returns
    -------
    int
        ``int(value)``.

    Raises
    ------
    ScoredTypeError
        ``value`` is not a whole number.
    ScoredInputError
        ``value`` is out of range: "residents must be a whole number at least 1, got 0".

    Examples
    --------
    >>> check_integer(np.int64(400), "residents", low=1)
    400
    >>> check_integer(0, "residents", low=1)
    Traceback (most recent call last):
    ...
    scored.validation.ScoredInputError: residents must be a whole number at least 1, got 0
    """
    return int(check_number(value, name, low=low, high=high, integer=True))


def check_share(value: Any, name: str, *, low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a float in [0, 1] (open at an end if asked): a share, a rate or a probability.

    A share is written as a fraction, never as a percentage: ``0.2``, not ``20``.

    Parameters
    ----------
    value : object
        The value to check.
    name : str
        The argument's name, for the message.
    low_open, high_open : bool, keyword-only, default False
        Whether 0 (``low_open``) or 1 (``high_open``) is excluded.

    Returns
    -------
    float
        ``float(value)``.

    Raises
    ------
    ScoredTypeError
        ``value`` is not a number.
    ScoredInputError
        ``value`` is NaN or outside the range: "error_rate must be a number at least 0 and at most 1, got 20".

    Examples
    --------
    >>> check_share(0.2, "error_rate")
    0.2
    >>> check_share(20, "error_rate")
    Traceback (most recent call last):
    ...
    scored.validation.ScoredInputError: error_rate must be a number at least 0 and at most 1, got 20
    """
    return float(check_number(value, name, low=0, high=1, low_open=low_open, high_open=high_open))


def check_bool(value: Any, name: str) -> bool:
    """``value`` as a ``bool`` if it is ``True`` or ``False`` (numpy's too); never a truthy guess.

    ``1``, ``"yes"`` and ``"False"`` are refused: ``bool("False")`` is True.

    Parameters
    ----------
    value : object
        The value to check.
    name : str
        The argument's name, for the message.

    Returns
    -------
    bool
        ``bool(value)`` (a numpy bool becomes Python's).

    Raises
    ------
    ScoredTypeError
        ``value`` is anything else: "favourable must be True or False, got 'yes'".

    Examples
    --------
    >>> check_bool(np.True_, "favourable")
    True
    >>> check_bool("yes", "favourable")
    Traceback (most recent call last):
    ...
    scored.validation.ScoredTypeError: favourable must be True or False, got 'yes'
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ScoredTypeError(f"{name} must be True or False, got {describe(value)}")
    return bool(value)


def check_str(value: Any, name: str, *, empty_ok: bool = True) -> str:
    """``value`` if it is text (non-empty unless ``empty_ok``).

    Nothing is converted: a number or ``None`` is refused, not turned into ``"3"`` or ``"None"``.

    Parameters
    ----------
    value : object
        The value to check.
    name : str
        The argument's name, for the message.
    empty_ok : bool, keyword-only, default True
        Whether the empty string is accepted.

    Returns
    -------
    str
        ``value`` unchanged.

    Raises
    ------
    ScoredTypeError
        ``value`` is not a ``str``: "name must be text (a str), got 3".
    ScoredInputError
        ``value`` is ``""`` and ``empty_ok`` is False.

    Examples
    --------
    >>> check_str("Brightwater", "name", empty_ok=False)
    'Brightwater'
    >>> check_str(3, "name")
    Traceback (most recent call last):
    ...
    scored.validation.ScoredTypeError: name must be text (a str), got 3
    """
    if not isinstance(value, str):
        raise ScoredTypeError(f"{name} must be text (a str), got {describe(value)}")
    if not empty_ok and not value:
        raise ScoredInputError(f"{name} must be non-empty text, got ''")
    return value


def check_choice(value: Any, name: str, choices: Sequence[Any]) -> Any:
    """``value`` if it is one of ``choices``.

    A value matches a choice only if it is the same object or of exactly the same type and equal, so ``1`` does not
    match ``True`` nor ``1.0``, and a ``numpy.str_`` does not match a ``str``.

    Parameters
    ----------
    value : object
        The value to check.
    name : str
        The argument's name, for the message.
    choices : sequence
        The allowed values; the message lists them.

    Returns
    -------
    object
        ``value`` unchanged.

    Raises
    ------
    ScoredInputError
        ``value`` is not among the choices: "metric must be one of ['mean', 'max'], got 'median'".

    Examples
    --------
    >>> check_choice("max", "metric", ["mean", "max"])
    'max'
    >>> check_choice("median", "metric", ["mean", "max"])
    Traceback (most recent call last):
    ...
    scored.validation.ScoredInputError: metric must be one of ['mean', 'max'], got 'median'
    """
    try:
        ok = any(value is c or (type(value) is type(c) and value == c) for c in choices)
    except (TypeError, ValueError):  # e.g. an array, whose == gives an array
        ok = False
    if not ok:
        raise ScoredInputError(f"{name} must be one of {list(choices)}, got {describe(value)}")
    return value


# ---------------------------------------------------------------------------------------------------- randomness
#: What an ``rng`` argument may be (SPEC 7).
RngLike: TypeAlias = "np.random.Generator | np.random.SeedSequence | int | None"


def check_rng(rng: Any, name: str = "rng") -> np.random.Generator:
    """A ``numpy.random.Generator`` from ``None`` (fresh randomness), an int seed >= 0, or a Generator (SPEC 7).

    The same int gives the same numbers: ``check_rng(7)`` is ``numpy.random.default_rng(7)``. A Generator is
    returned as it is (the same object, so drawing from it advances the caller's stream); a
    ``numpy.random.SeedSequence`` is also accepted. Booleans, floats and text are refused.

    Parameters
    ----------
    rng : None, int, numpy.random.Generator or numpy.random.SeedSequence
        The source of randomness.
    name : str, default "rng"
        The argument's name, for the message.

    Returns
    -------
    numpy.random.Generator
        The generator to draw from.

    Raises
    ------
    ScoredTypeError
        ``rng`` is of another kind (a float, text, a bool, numpy's legacy ``RandomState``).
    ScoredInputError
        ``rng`` is a negative int.

    Examples
    --------
    >>> float(check_rng(7).random()) == float(np.random.default_rng(7).random())
    True
    >>> check_rng("seven")
    Traceback (most recent call last):
    ...
    scored.validation.ScoredTypeError: rng must be None, a whole number >= 0 or a numpy.random.Generator, got 'seven'
    """
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, np.random.SeedSequence):
        return np.random.default_rng(rng)
    if isinstance(rng, numbers.Integral) and not isinstance(rng, (bool, np.bool_)):
        if rng < 0:
            raise ScoredInputError(f"{name} must be None, a whole number >= 0 or a numpy.random.Generator, "
                                   f"got {rng!r}")
        return np.random.default_rng(int(rng))
    raise ScoredTypeError(f"{name} must be None, a whole number >= 0 or a numpy.random.Generator, "
                          f"got {describe(rng)}")


def spawn(rng: Any, n: int, name: str = "rng") -> list[np.random.Generator]:
    """``n`` independent child Generators of ``rng`` (for an int seed, those of ``SeedSequence(seed).spawn(n)``).

    Use it to give each part of a simulation its own stream, so that changing how many numbers one part draws does
    not change the others. With a Generator, each call spawns new children (the parent's spawn counter advances).

    Parameters
    ----------
    rng : None, int, numpy.random.Generator or numpy.random.SeedSequence
        The parent, as for ``check_rng``.
    n : int
        How many children, at least 0.
    name : str, default "rng"
        The parent's argument name, for the message.

    Returns
    -------
    list of numpy.random.Generator
        ``n`` generators; an int seed gives the same ones every time.

    Raises
    ------
    ScoredTypeError, ScoredInputError
        A bad ``rng`` (see ``check_rng``), or ``n`` is not a whole number at least 0.

    Examples
    --------
    >>> first, second = spawn(7, 2)
    >>> float(first.random()) == float(spawn(7, 2)[0].random())
    True
    """
    n = check_integer(n, "n", low=0)
    return check_rng(rng, name).spawn(n)


F = TypeVar("F", bound=Callable[..., Any])


def renamed_keywords(**old_to_new: str) -> Callable[[F], F]:
    """Let old keyword names keep working for a while: each is passed on under its new name with a DeprecationWarning.

    ``@renamed_keywords(seed="rng", by="group")`` on ``f`` makes ``f(seed=3)`` call ``f(rng=3)`` and warn. Only
    keyword arguments are renamed; positional ones pass through. The test suite turns these warnings into errors,
    so that no page or test keeps using an old name.

    Parameters
    ----------
    **old_to_new : str
        Each old keyword name, mapped to its new one.

    Returns
    -------
    callable
        A decorator; the function it returns keeps the wrapped function's name and docstring.

    Raises
    ------
    ScoredTypeError
        (When the decorated function is called.) The old and the new name are both given: "f() takes rng (the new
        name) or seed (the old one), not both".

    Examples
    --------
    >>> @renamed_keywords(by="group")
    ... def groups(df, group):
    ...     return df[group].nunique()
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     groups(pd.DataFrame({"g": ["a", "b", "a"]}), by="g")
    2
    >>> print(caught[0].message)
    groups(by=...) is deprecated: use group=...
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in old_to_new.items():
                if old in kwargs:
                    if new in kwargs:
                        raise ScoredTypeError(f"{func.__name__}() takes {new} (the new name) or {old} (the old "
                                              "one), not both")
                    warnings.warn(f"{func.__name__}({old}=...) is deprecated: use {new}=...", DeprecationWarning,
                                  stacklevel=2)
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def accepts_seed(func: F) -> F:
    """Let ``seed=``, the old name of ``rng=`` (SPEC 7), keep working, with a DeprecationWarning.

    ``@accepts_seed`` is ``@renamed_keywords(seed="rng")``: ``f(seed=3)`` calls ``f(rng=3)`` and warns; giving both
    raises ``ScoredTypeError``.

    Parameters
    ----------
    func : callable
        A function that takes the keyword ``rng``.

    Returns
    -------
    callable
        ``func`` wrapped, with its name and docstring.

    Examples
    --------
    >>> @accepts_seed
    ... def draw(rng=None):
    ...     return round(float(check_rng(rng).random()), 3)
    >>> with warnings.catch_warnings(record=True):
    ...     warnings.simplefilter("always")
    ...     draw(seed=7) == draw(rng=7)
    True
    """
    return renamed_keywords(seed="rng")(func)
