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
    """A short description of ``value`` for an error message: its repr, cut to 80 characters, or its type."""
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

    Examples
    --------
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
    """``col`` if it can name a column (hashable, not a list or tuple); ``ScoredTypeError`` otherwise."""
    if isinstance(col, (list, tuple, set, dict, pd.Series, pd.Index, np.ndarray)) or not isinstance(col, Hashable):
        raise ScoredTypeError(f"{name} must be a column name (one label, not a list), got {describe(col)}")
    return col


def check_column_names(cols: Any, name: str) -> list[Hashable]:
    """A list of column names from one name or a list of them (repeats dropped, order kept); never empty."""
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
    """``df`` if it has every column in ``columns``; the message lists what is missing and what is there."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ScoredInputError(f"{frame} has no column {', '.join(map(repr, missing))}: expected it among its columns, "
                               f"got columns {list(df.columns)}")
    return df


def check_column(df: pd.DataFrame, col: Any, role: str, frame: str = "df", *, missing_ok: bool = False) -> pd.Series:
    """The Series ``df[col]``; ``role`` names the argument that named the column (for messages).

    Refuses a name that is not one column name, a column that is not there or is there twice, and (unless
    ``missing_ok``) missing values.
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

    Examples
    --------
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
    """The column ``df[col]`` if it holds finite numbers (booleans are not numbers here)."""
    s = check_column(df, col, role, frame)
    if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
        raise ScoredInputError(f"column {col!r} ({role}) must be numeric, got dtype {s.dtype}")
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
    if not integer and not math.isfinite(value):
        raise ScoredInputError(f"{name} must be {'a finite number ' + words if words else 'a finite number'}, "
                               f"got {value!r}")
    if ((low is not None and (value < low or (low_open and value == low)))
            or (high is not None and (value > high or (high_open and value == high)))):
        raise ScoredInputError(f"{name} must be {expected}, got {value!r}")
    return int(value) if integer else float(value)


def check_integer(value: Any, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an int if it is a whole number (not a bool) in [``low``, ``high``]."""
    return int(check_number(value, name, low=low, high=high, integer=True))


def check_share(value: Any, name: str, *, low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a float in [0, 1] (open at an end if asked): a share, a rate or a probability."""
    return float(check_number(value, name, low=0, high=1, low_open=low_open, high_open=high_open))


def check_bool(value: Any, name: str) -> bool:
    """``value`` if it is ``True`` or ``False`` (numpy's too); never a truthy guess."""
    if not isinstance(value, (bool, np.bool_)):
        raise ScoredTypeError(f"{name} must be True or False, got {describe(value)}")
    return bool(value)


def check_str(value: Any, name: str, *, empty_ok: bool = True) -> str:
    """``value`` if it is text (non-empty unless ``empty_ok``)."""
    if not isinstance(value, str):
        raise ScoredTypeError(f"{name} must be text (a str), got {describe(value)}")
    if not empty_ok and not value:
        raise ScoredInputError(f"{name} must be non-empty text, got ''")
    return value


def check_choice(value: Any, name: str, choices: Sequence[Any]) -> Any:
    """``value`` if it is one of ``choices``."""
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

    The same int gives the same numbers: ``check_rng(7)`` is ``numpy.random.default_rng(7)``.

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
    """``n`` independent child Generators of ``rng`` (for an int seed, those of ``SeedSequence(seed).spawn(n)``)."""
    return check_rng(rng, name).spawn(n)


F = TypeVar("F", bound=Callable[..., Any])


def renamed_keywords(**old_to_new: str) -> Callable[[F], F]:
    """Let old keyword names keep working for a while: each is passed on under its new name with a DeprecationWarning.

    ``@renamed_keywords(seed="rng", by="group")`` on ``f`` makes ``f(seed=3)`` call ``f(rng=3)`` and warn.
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


#: ``seed=`` is the old name of ``rng=`` (SPEC 7): it still works, with a DeprecationWarning.
accepts_seed = renamed_keywords(seed="rng")
