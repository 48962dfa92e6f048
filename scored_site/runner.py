"""Run a submitted notebook cell by cell and report the answer variables after each cell.

This file runs in two places:

* **inside the sandbox** (``python runner.py job.json``): it executes the student's code cells one at
  a time in one IPython shell and, after each cell, writes one JSON line on the report channel with the
  cell's outcome and the current value of every answer variable (and the results of calling the
  student's functions on the probe arguments the grader chose). The grader, outside, enforces the time
  limit per cell by watching these lines;
* **in the grader's own process**, which imports :func:`decode` to turn those JSON values back into
  Python and pandas objects. Decoding never runs code from the submission: it builds only plain
  values, pandas/NumPy containers, and a few whitelisted ``scored`` classes from their data.

Nothing the student's code does here can change how it is graded: the tests are not in the sandbox,
the expected values are computed outside from the student's own city, and a forged report line can
only claim answers the student could have given honestly. Standard library only (pandas and NumPy are
used when present).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

MAX_ITEMS = 3_000_000  # values per container exported; larger answers are summarised instead
_PLAIN = (type(None), bool, int, float, str)


def _values(items: list, depth: int) -> dict:
    """A list of values: as plain JSON when every item is a plain scalar (fast, compact)."""
    if all(type(x) in _PLAIN for x in items):
        return {"t": "raw", "v": items}
    return {"t": "list", "v": [encode(x, depth + 1) for x in items]}
FUNCTION = "function"


# --------------------------------------------------------------------------------------------
# Encoding (inside the sandbox) and decoding (in the grader)
# --------------------------------------------------------------------------------------------

def encode(value: Any, depth: int = 0) -> Any:
    """A JSON-able description of ``value`` that :func:`decode` turns back into an equal value."""
    if depth > 20:
        return {"t": "other", "type": type(value).__name__, "repr": "nested too deeply"}
    if value is None or isinstance(value, (bool, str)):
        return {"t": "py", "v": value}
    if isinstance(value, int):
        return {"t": "int", "v": str(int(value))}
    if isinstance(value, float):
        return {"t": "float", "v": repr(float(value))}
    if value is Ellipsis:
        return {"t": "ellipsis"}
    np = sys.modules.get("numpy")
    pd = sys.modules.get("pandas")
    if np is not None:
        if isinstance(value, np.bool_):
            return {"t": "py", "v": bool(value)}
        if isinstance(value, np.integer):
            return {"t": "int", "v": str(int(value))}
        if isinstance(value, np.floating):
            return {"t": "float", "v": repr(float(value))}
        if isinstance(value, np.ndarray):
            if value.size > MAX_ITEMS:
                return _other(value)
            return {"t": "ndarray", "dtype": str(value.dtype), "shape": list(value.shape),
                    "v": [encode(x, depth + 1) for x in value.ravel().tolist()]}
    if pd is not None:
        if isinstance(value, pd.Series):
            if len(value) > MAX_ITEMS:
                return _other(value)
            return {"t": "series", "name": encode(value.name, depth + 1), "dtype": _dtype_info(value.dtype),
                    "index": encode(value.index, depth + 1), "v": _values(value.tolist(), depth)}
        if isinstance(value, pd.DataFrame):
            if value.size > MAX_ITEMS:
                return _other(value)
            return {"t": "frame", "index": encode(value.index, depth + 1),
                    "columns": [encode(c, depth + 1) for c in value.columns],
                    "dtypes": [_dtype_info(d) for d in value.dtypes],
                    "v": [_values(value.iloc[:, j].tolist(), depth) for j in range(value.shape[1])]}
        if isinstance(value, pd.Index):
            if len(value) > MAX_ITEMS:
                return _other(value)
            return {"t": "index", "name": encode(value.name, depth + 1), "dtype": _dtype_info(value.dtype),
                    "v": _values(value.tolist(), depth)}
        if isinstance(value, pd.Interval):
            return {"t": "other", "type": "Interval", "repr": repr(value)[:200]}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
        if len(items) > MAX_ITEMS:
            return _other(value)
        if isinstance(value, (set, frozenset)):
            try:
                items = sorted(items)
            except TypeError:
                pass
        return {"t": type(value).__name__ if type(value) in (list, tuple, set, frozenset) else "list",
                "v": [encode(x, depth + 1) for x in items]}
    if isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            return _other(value)
        return {"t": "dict", "k": [encode(k, depth + 1) for k in value],
                "v": [encode(v, depth + 1) for v in value.values()]}
    module = type(value).__module__ or ""
    if module.split(".")[0] == "scored":
        import dataclasses

        try:
            if hasattr(value, "to_dict"):
                data, how = value.to_dict(), "dict"
            elif dataclasses.is_dataclass(value):
                data, how = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}, "fields"
            else:
                return _other(value)
            return {"t": "scored", "cls": f"{module}.{type(value).__qualname__}", "how": how,
                    "v": encode(data, depth + 1)}
        except Exception:
            return _other(value)
    if callable(value):
        return {"t": FUNCTION, "name": getattr(value, "__name__", "?")}
    return _other(value)


def _dtype_info(dtype: Any) -> Any:
    """A dtype's name, with the categories (in order) of a categorical one."""
    categories = getattr(dtype, "categories", None)
    if categories is not None and len(categories) <= MAX_ITEMS:
        return {"name": "category", "cats": _values(list(categories), 0),
                "ordered": bool(getattr(dtype, "ordered", False))}
    return str(dtype)


def _other(value: Any) -> dict:
    try:
        text = repr(value)[:200]
    except Exception:
        text = "?"
    return {"t": "other", "type": type(value).__name__, "repr": text}


#: ``scored`` classes the grader rebuilds from their data (``cls.from_dict``), nothing else.
SCORED_CLASSES = {"scored.scoring.Scorecard", "scored.appeals.AppealPolicy"}


class Opaque:
    """A value the grader cannot rebuild (an object of some other class): only its type and repr."""

    def __init__(self, type_name: str, text: str):
        self.type_name, self.text = type_name, text

    def __repr__(self) -> str:
        return self.text


class StudentFunction:
    """Stands for a function defined in the submission: calling it looks up what the sandbox recorded.

    The sandbox called the student's function on the probe arguments the grader chose and reported
    each result (or error). Calling this object with equal arguments returns that result, or raises an
    error with the student's error message; with other arguments it raises ``LookupError``.
    """

    def __init__(self, name: str, calls: dict[str, Any]):
        self.__name__ = name
        self.calls = calls

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        key = probe_key(args, kwargs)
        if key not in self.calls:
            raise LookupError(f"{self.__name__} was not run on these arguments in the sandbox "
                              f"(add them to the question's `probes`)")
        outcome = self.calls[key]
        if "error" in outcome:
            raise StudentError(outcome["error"])
        return decode(outcome["value"])

    def __repr__(self) -> str:
        return f"<function {self.__name__}>"


class StudentError(Exception):
    """The student's function raised this (type and message as text)."""


def probe_key(args: tuple, kwargs: dict) -> str:
    return json.dumps([encode(list(args)), encode(dict(sorted(kwargs.items())))], sort_keys=True)


def decode(data: Any) -> Any:
    """Rebuild a value from :func:`encode`'s description (no code from the submission is run)."""
    t = data.get("t") if isinstance(data, dict) else None
    if t == "py":
        return data["v"]
    if t == "raw":
        return [x for x in data["v"] if type(x) in _PLAIN] if isinstance(data["v"], list) else []
    if t == "int":
        return int(data["v"])
    if t == "float":
        return float(data["v"])
    if t == "ellipsis":
        return Ellipsis
    if t in ("list", "tuple", "set", "frozenset"):
        items = [decode(x) for x in data["v"]]
        return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[t](items)
    if t == "dict":
        return {_hashable(decode(k)): decode(v) for k, v in zip(data["k"], data["v"])}
    if t == "ndarray":
        import numpy as np

        return np.array([decode(x) for x in data["v"]], dtype=_dtype(data["dtype"])).reshape(data["shape"])
    if t in ("series", "index", "frame"):
        import pandas as pd

        if t == "index":
            values = _items(data["v"])
            return pd.Index(_typed(values, data["dtype"]), name=decode(data["name"]))
        if t == "series":
            values = _items(data["v"])
            return pd.Series(_typed(values, data["dtype"]), index=decode(data["index"]),
                             name=decode(data["name"]))
        columns = [decode(c) for c in data["columns"]]
        frame = pd.DataFrame({i: pd.Series(_typed(_items(col), dtype))
                              for i, (col, dtype) in enumerate(zip(data["v"], data["dtypes"]))})
        if len(frame.columns) == 0:
            frame = pd.DataFrame(index=range(len(decode(data["index"]))))
        frame.columns = columns
        frame.index = decode(data["index"])
        return frame
    if t == "scored" and data.get("cls") in SCORED_CLASSES:
        import importlib

        module, _, name = data["cls"].rpartition(".")
        cls = getattr(importlib.import_module(module), name)
        fields = decode(data["v"])
        return cls.from_dict(fields) if data.get("how") == "dict" else cls(**fields)
    if t == FUNCTION:
        return StudentFunction(data.get("name", "?"), {})
    if t == "other" or t == "scored":
        return Opaque(str(data.get("type", "?")), str(data.get("repr", "")))
    raise ValueError(f"not an encoded value: {str(data)[:80]}")


def _items(data: Any) -> list:
    """The items of a list written by :func:`_values` (or, from older reports, a list of encodings)."""
    if isinstance(data, dict):
        return list(decode(data))
    return [decode(x) for x in data]


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _dtype(name: str) -> Any:
    import numpy as np

    try:
        return np.dtype(name)
    except TypeError:
        return object


def _typed(values: list, dtype: Any) -> Any:
    """``values`` as a pandas array of ``dtype`` when that is possible, else as they are."""
    import pandas as pd

    if isinstance(dtype, dict):
        try:
            return pd.Categorical(values, categories=_items(dtype["cats"]), ordered=bool(dtype["ordered"]))
        except (TypeError, ValueError, KeyError):
            return values
    try:
        return pd.array(values, dtype=dtype) if dtype != "object" else pd.array(values, dtype=object)
    except (TypeError, ValueError):
        return values


# --------------------------------------------------------------------------------------------
# The runner (inside the sandbox)
# --------------------------------------------------------------------------------------------

def _call_probes(namespace: dict, probes: dict, seen: dict) -> dict:
    """Call each student function on its probe arguments (once per definition of the function)."""
    calls: dict[str, dict] = {}
    for name, arg_list in probes.items():
        func = namespace.get(name)
        if not callable(func):
            continue
        if seen.get(name) is func:
            continue
        seen[name] = func
        recorded = {}
        for encoded in arg_list:
            args, kwargs = decode(encoded["args"]), decode(encoded["kwargs"])
            try:
                result = {"value": encode(func(*args, **kwargs))}
            except BaseException as error:  # noqa: BLE001 - the student's function may raise anything
                if isinstance(error, (KeyboardInterrupt, SystemExit)):
                    raise
                result = {"error": f"{type(error).__name__}: {str(error)[:300]}"}
            recorded[probe_key(tuple(args), kwargs)] = result
        calls[name] = recorded
    return calls


def run(job_path: str) -> None:
    with open(job_path) as f:
        job = json.load(f)
    channel = os.fdopen(os.dup(1), "w", buffering=1)
    # The student's own output goes to a log file, never onto the report channel by accident.
    log = os.open("cells.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    sys.stdout = os.fdopen(1, "w", buffering=1)
    sys.stderr = os.fdopen(2, "w", buffering=1)

    def report(event: dict) -> None:
        channel.write(json.dumps(event) + "\n")
        channel.flush()

    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    answers, probes = job["answers"], job.get("probes", {})
    seen_functions: dict = {}
    exported: dict[str, int] = {}

    def values(everything: bool) -> dict:
        """Answer variables whose object changed since the last report (all of them at the end)."""
        out = {}
        for name in answers:
            if name in shell.user_ns and (everything or exported.get(name) != id(shell.user_ns[name])):
                exported[name] = id(shell.user_ns[name])
                try:
                    out[name] = encode(shell.user_ns[name])
                except Exception as exc:  # a broken __repr__ or the like
                    out[name] = _other(exc)
        return out

    report({"event": "ready"})
    for index, code in enumerate(job["cells"]):
        report({"event": "start", "cell": index})
        result = shell.run_cell(code, store_history=False, silent=True)
        error = result.error_in_exec or result.error_before_exec
        report({"event": "done", "cell": index,
                "error": None if error is None else f"{type(error).__name__}: {str(error)[:300]}",
                "values": values(False), "calls": _call_probes(shell.user_ns, probes, seen_functions)})
    report({"event": "finished", "values": values(True)})


if __name__ == "__main__":
    run(sys.argv[1])
