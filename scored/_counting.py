"""Counting and repeating by integer codes, the same on a laptop and in the browser.

numpy's ``bincount`` and ``repeat`` take their codes in the platform's index type (``numpy.intp``): int64 on
64-bit CPython, int32 under Pyodide (32-bit WebAssembly), where int64 codes are refused with "Cannot cast array
data from dtype('int64') to dtype('int32') according to the rule 'safe'". Codes in the toolkit are int64 (they
come from pandas columns and random draws), so every count goes through here: the codes are converted to the
index type after checking that they fit, and counts come back as int64 on every platform, so results are
identical. ``tests/test_wasm32.py`` runs the toolkit with ``INDEX`` set to int32 and numpy made as strict as
it is in the browser.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .validation import ScoredInputError

INDEX: Any = np.intp  # the platform's index type; the 32-bit test sets np.int32


def as_index(codes: Any) -> np.ndarray:
    """Integer codes as an array of the platform's index type; refuses codes that do not fit in it."""
    a = np.asarray(codes)
    if a.dtype.kind not in "biu":
        raise TypeError(f"codes must be integers, got dtype {a.dtype}")  # a toolkit bug, not a user's input
    if a.size and a.dtype.kind != "b":
        top = np.iinfo(INDEX).max
        if a.max() > top:
            raise ScoredInputError(f"a count index of {a.max():,} is more than this platform can count to "
                                   f"({top:,}); use a smaller city or table")
    return a.astype(INDEX, copy=False)


def bincount(codes: Any, minlength: int = 0, weights: Any = None) -> np.ndarray:
    """``numpy.bincount`` on any platform: int64 counts (float64 sums with ``weights``)."""
    out = np.bincount(as_index(codes), weights=weights, minlength=int(minlength))
    return out if weights is not None else out.astype(np.int64, copy=False)


def repeat(values: Any, times: Any) -> np.ndarray:
    """``numpy.repeat(values, times)`` on any platform, with ``times`` an array of counts."""
    return np.repeat(values, as_index(times))
