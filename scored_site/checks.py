"""Plain-language checks for Scored's exercise notebooks (the student side of the framework).

The exercise build copies this file next to every generated notebook as ``scored_checks.py`` and
into each autograder zip, so a downloaded exercise needs only otter-grader and pandas, not the
course package. Keep it standalone: standard library and otter only (pandas/numpy are looked at
only if the student's session already imported them).

Two halves:

* :class:`Notebook` -- otter's ``Notebook`` whose ``check("q1")`` shows one plain sentence
  (the first failing check's message) instead of otter's "Error at line N in test q1" dump.
  It also notices what otter cannot: an answer that is still the ``...`` placeholder, a
  variable that was never defined (otter silently passes ``None``), and a student cell that
  stopped with an exception just before the check.
* helpers for test authors (:func:`expect_number`, :func:`expect_frame`, :func:`call_student`,
  ...) that raise ``AssertionError`` with a kind, specific sentence. Exercise tests import them
  inside each test function: ``from scored_checks import expect_number``.

Otter's exception-based test format records a failure as text only, in this shape (otter 7)::

    ❌ Test case failed
    Error at line 12 in test q1:
          <one line of the test's source>
    AssertionError: <the message>

:func:`failure_sentence` turns that back into the message. If otter's format ever changes, the
fallback is still a sentence ("check 2 of 3 does not pass yet"), never the raw dump.
"""

from __future__ import annotations

import hashlib
import html
import inspect
import math
import numbers
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

__all__ = [
    "Notebook",
    "CheckResult",
    "CheckReport",
    "summarize",
    "failure_sentence",
    "describe",
    "fail",
    "expect_number",
    "expect_text",
    "expect_choice",
    "expect_dict",
    "expect_frame",
    "expect_series",
    "expect_callable",
    "expect_ids",
    "call_student",
    "fingerprint",
    "percent",
    "normalize_text",
]


# --------------------------------------------------------------------------------------------
# Describing values in words
# --------------------------------------------------------------------------------------------

def _plural(n: int, word: str, plural: Optional[str] = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _pandas():
    """pandas if the session already imported it (a value cannot be a DataFrame otherwise)."""
    return sys.modules.get("pandas")


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def describe(value: Any) -> str:
    """A short phrase for what ``value`` is, for sentences like "Your answer is <...>"."""
    if value is Ellipsis:
        return "still the placeholder `...`"
    if value is None:
        return "None (no value)"
    if isinstance(value, bool):
        return f"{value} (a yes/no value)"
    if isinstance(value, numbers.Integral):
        return "a whole number"
    if isinstance(value, numbers.Real):
        return "a number"
    if isinstance(value, str):
        if len(value) <= 24:
            return f"the string {value!r}"
        return "a string"
    pd = _pandas()
    if pd is not None:
        if isinstance(value, pd.DataFrame):
            rows, cols = value.shape
            return f"a DataFrame with {_plural(rows, 'row')} and {_plural(cols, 'column')}"
        if isinstance(value, pd.Series):
            return f"a Series with {_plural(len(value), 'value')}"
        if isinstance(value, pd.Index):
            return f"a pandas Index with {_plural(len(value), 'value')}"
    if isinstance(value, dict):
        return f"a dict with {_plural(len(value), 'entry', 'entries')}"
    if isinstance(value, list):
        return f"a list of {_plural(len(value), 'item')}"
    if isinstance(value, tuple):
        return f"a tuple of {_plural(len(value), 'item')}"
    if isinstance(value, (set, frozenset)):
        return f"a set of {_plural(len(value), 'item')}"
    if inspect.isclass(value):
        return "a class"
    if callable(value):
        return "a function"
    if inspect.ismodule(value):
        return "a module"
    name = type(value).__name__
    shape = getattr(value, "shape", None)
    if shape is not None and name == "ndarray":
        return f"a NumPy array of shape {tuple(shape)}"
    article = "an" if name[:1].lower() in "aeiou" else "a"
    return f"{article} {name} object"


def _subject(name: Optional[str]) -> str:
    return f"`{name}`" if name else "Your answer"


def _tail(what: Optional[str]) -> str:
    return f": {what}" if what else ""


def _single_value_hint(value: Any) -> str:
    pd = _pandas()
    if pd is not None and isinstance(value, (pd.Series, pd.DataFrame)) and value.size == 1:
        return " It holds a single value: add `.item()` to take the number out."
    return ""


def fail(message: str) -> None:
    """Fail a check with ``message``: one or two plain sentences the student will see."""
    raise AssertionError(message)


# --------------------------------------------------------------------------------------------
# Helpers for test authors: each raises AssertionError(sentence) or returns the cleaned value
# --------------------------------------------------------------------------------------------

def expect_number(value: Any, *, name: Optional[str] = None, what: Optional[str] = None,
                  between: Optional[tuple[float, float]] = None) -> float:
    """Require a real number (not a bool, not NaN), optionally within ``between`` (inclusive)."""
    expected = "a number" if between is None else f"a number between {between[0]:g} and {between[1]:g}"
    if not _is_number(value):
        fail(f"{_subject(name)} is {describe(value)}, but {expected} was expected{_tail(what)}."
             + _single_value_hint(value))
    number = float(value)
    if not math.isfinite(number):
        fail(f"{_subject(name)} is {number}, but {expected} was expected{_tail(what)}.")
    if between is not None and not between[0] <= number <= between[1]:
        fail(f"{_subject(name)} is {number:g}, but {expected} was expected{_tail(what)}.")
    return number


def normalize_text(value: str) -> str:
    """Case- and space-insensitive form of an answer string ("  Partly  Accurate" -> "partly accurate")."""
    return " ".join(str(value).split()).lower()


def expect_text(value: Any, *, name: Optional[str] = None, what: Optional[str] = None) -> str:
    """Require a non-empty string; returns it normalized (see :func:`normalize_text`)."""
    if not isinstance(value, str):
        fail(f"{_subject(name)} is {describe(value)}, but a string was expected{_tail(what)}.")
    if not value.strip():
        fail(f"{_subject(name)} is an empty string, but a string was expected{_tail(what)}.")
    return normalize_text(value)


def _or_list(items: Iterable[str]) -> str:
    quoted = [repr(i) for i in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def expect_choice(value: Any, choices: Iterable[str], *, name: Optional[str] = None,
                  what: Optional[str] = None) -> str:
    """Require one of ``choices`` (compared after :func:`normalize_text`)."""
    choices = list(choices)
    expected = f"one of {_or_list(choices)}"
    if not isinstance(value, str):
        fail(f"{_subject(name)} is {describe(value)}, but {expected} was expected{_tail(what)}.")
    text = normalize_text(value)
    if text not in {normalize_text(c) for c in choices}:
        fail(f"{_subject(name)} is {value!r}, but {expected} was expected{_tail(what)}.")
    return text


def expect_dict(value: Any, keys: Iterable[str], *, name: Optional[str] = None,
                what: Optional[str] = None) -> dict:
    """Require a dict with exactly ``keys``, none of whose values is still ``...``."""
    keys = list(keys)
    if not isinstance(value, dict):
        fail(f"{_subject(name)} is {describe(value)}, but a dict was expected{_tail(what)}.")
    missing = [k for k in keys if k not in value]
    if missing:
        fail(f"{_subject(name)} has no entry for {', '.join(map(str, missing))}: "
             f"it needs one entry for each of {', '.join(map(str, keys))}.")
    extra = [k for k in value if k not in keys]
    if extra:
        fail(f"{_subject(name)} has entries that were not asked for ({', '.join(map(repr, extra))}): "
             f"use exactly the keys {', '.join(map(str, keys))}.")
    todo = [k for k in keys if value[k] is Ellipsis]
    if todo:
        fail(f"You have not filled in {', '.join(map(str, todo))} yet: replace each `...` in "
             f"{_subject(name)} with your answer.")
    return value


def expect_frame(value: Any, *, name: Optional[str] = None, what: Optional[str] = None,
                 rows: Optional[int] = None, columns: Iterable[str] = (),
                 rows_hint: str = "") -> Any:
    """Require a pandas DataFrame, optionally with ``rows`` rows and the given ``columns``."""
    pd = _pandas()
    if pd is None or not isinstance(value, pd.DataFrame):
        fail(f"{_subject(name)} is {describe(value)}, but a DataFrame was expected{_tail(what)}.")
    if rows is not None and len(value) != rows:
        fail(f"{_subject(name)} has {_plural(len(value), 'row')}, but {rows} were expected{_tail(what)}."
             + (f" {rows_hint}" if rows_hint else ""))
    missing = [c for c in columns if c not in value.columns]
    if missing:
        have = ", ".join(f"`{c}`" for c in value.columns) or "none"
        fail(f"{_subject(name)} has no column {', '.join(f'`{c}`' for c in missing)} "
             f"(its columns are: {have}){_tail(what)}.")
    return value


def expect_series(value: Any, *, name: Optional[str] = None, what: Optional[str] = None,
                  length: Optional[int] = None) -> Any:
    """Require a pandas Series, optionally of ``length`` values."""
    pd = _pandas()
    if pd is None or not isinstance(value, pd.Series):
        fail(f"{_subject(name)} is {describe(value)}, but a Series was expected{_tail(what)}.")
    if length is not None and len(value) != length:
        fail(f"{_subject(name)} has {_plural(len(value), 'value')}, but {length} were expected"
             f"{_tail(what)}.")
    return value


def expect_callable(value: Any, *, name: Optional[str] = None, what: Optional[str] = None) -> Any:
    """Require a function."""
    if not callable(value) or inspect.isclass(value):
        fail(f"{_subject(name)} is {describe(value)}, but a function was expected{_tail(what)}.")
    return value


def expect_ids(value: Any, *, name: Optional[str] = None, what: Optional[str] = None,
               valid: Optional[Iterable[str]] = None) -> list[str]:
    """Require a collection of ID strings (list, tuple, set, Series or Index); returns them sorted.

    With ``valid``, every ID must be one of them.
    """
    pd = _pandas()
    ok_types = (list, tuple, set, frozenset)
    if pd is not None:
        ok_types = ok_types + (pd.Series, pd.Index)
    if not isinstance(value, ok_types):
        fail(f"{_subject(name)} is {describe(value)}, but a list of IDs was expected{_tail(what)}.")
    items = list(value)
    if any(item is Ellipsis for item in items):
        fail(f"{_subject(name)} still contains the placeholder `...`: replace it with IDs{_tail(what)}.")
    not_text = [item for item in items if not isinstance(item, str)]
    if not_text:
        fail(f"{_subject(name)} contains {describe(not_text[0])}, but every item should be an ID "
             f"string such as 'R01'{_tail(what)}.")
    if len(set(items)) != len(items):
        fail(f"{_subject(name)} lists some IDs more than once: list each ID once.")
    if valid is not None:
        valid = set(valid)
        unknown = sorted(set(items) - valid)
        if unknown:
            fail(f"{_subject(name)} contains {', '.join(map(repr, unknown))}, which "
                 f"{'is not an ID' if len(unknown) == 1 else 'are not IDs'} in the table.")
    return sorted(items)


def _code_repr(value: Any, limit: int = 40) -> Optional[str]:
    """``repr(value)`` if it is short, plain Python; otherwise None (describe it in words)."""
    pd = _pandas()
    if pd is not None and isinstance(value, (pd.Series, pd.DataFrame, pd.Index)):
        return None
    text = repr(value)
    return text if len(text) <= limit and "\n" not in text else None


def call_student(func: Any, *args: Any, name: Optional[str] = None, **kwargs: Any) -> Any:
    """Call the student's function; turn an exception inside it into one plain sentence."""
    label = name or getattr(func, "__name__", "your function")
    expect_callable(func, name=label)
    values = list(args) + list(kwargs.values())
    shown = [_code_repr(v) for v in values]
    if all(s is not None for s in shown):
        keys = [""] * len(args) + [f"{k}=" for k in kwargs]
        call = f"Calling `{label}({', '.join(k + s for k, s in zip(keys, shown))})`"
    else:
        call = f"Calling `{label}` on {describe(values[0])}"
        if len(values) > 1:
            call += f" (and {_plural(len(values) - 1, 'more argument')})"
    try:
        return func(*args, **kwargs)
    except Exception as error:  # the student's own code failed: say so, kindly
        fail(f"{call} stopped with an error in your code: {_error_phrase(error)}. Try your "
             f"function on a small example in a cell of its own to find the problem.")


def percent(value: Any, *limits: float) -> str:
    """``value`` as a percentage, never "nan%", with enough decimals to differ from each of ``limits``.

    A failure message must not say "6.0%, the limit is 6%": ``percent(0.06004, 0.06)`` gives "6.004%".
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "not a number"
    if not math.isfinite(number):
        return "not defined (there is no one to count)"
    for digits in range(1, 5):
        text = f"{number:.{digits}%}"
        if all(number == limit or text != f"{limit:.{digits}%}" for limit in limits):
            return text
    limit = min(limits, key=lambda x: abs(x - number))
    return f"just {'above' if number > limit else 'below'} {limit:.0%}"


def fingerprint(value: Any) -> str:
    """A short digest of an answer, so public tests can check a choice without printing it.

    Strings are compared after :func:`normalize_text`. Compute digests for a test with
    ``python -m scored_site.exercises fingerprint "partly accurate"``.
    """
    text = normalize_text(value) if isinstance(value, str) else repr(value)
    return hashlib.sha256(("scored:" + text).encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# Turning otter's results into sentences
# --------------------------------------------------------------------------------------------

_ERROR_LINE = re.compile(r"^Error at line \d+ in test .*:$")
_EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*): ?(.*)$", re.DOTALL)


def _error_phrase(error: BaseException) -> str:
    text = str(error).strip()
    if len(text) > 160:
        text = text[:157] + "..."
    return f"{type(error).__name__} ({text})" if text else type(error).__name__


def failure_sentence(message: Optional[str], index: int, total: int) -> str:
    """The sentence to show for one failed otter test case, from otter's recorded message."""
    fallback = f"Not yet: check {index} of {total} does not pass."
    lines = (message or "").strip("\n").split("\n")
    at = next((i for i, line in enumerate(lines) if _ERROR_LINE.match(line.strip())), None)
    if at is None or at + 2 >= len(lines):
        return fallback
    match = _EXCEPTION_LINE.match("\n".join(lines[at + 2:]).strip())
    if not match:
        return fallback
    kind, text = match.group(1), match.group(2).strip()
    if kind == "AssertionError":
        return " ".join(text.split()) if text else fallback
    # The test itself crashed while looking at the answer (a wrong kind of value, or the
    # student's function failing when the test called it). Still one sentence, no dump.
    detail = f"{kind} ({text})" if text else kind
    if len(detail) > 180:
        detail = detail[:177] + "..."
    return (f"Not yet: check {index} of {total} could not look at your answer, because it caused "
            f"an error: {detail}. Make sure the answer is the kind of value the question asks for.")


@dataclass
class CheckResult:
    """What a student sees for one question; ``str()`` is the plain text, HTML for Jupyter."""

    question: str
    passed: int
    total: int
    status: str  # "pass", "fail", "unanswered" or "error"
    message: str = ""
    notes: list[str] = field(default_factory=list)
    case_passed: list[bool] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "pass"

    def headline(self) -> str:
        if self.status == "pass":
            if self.total == 1:
                return f"{self.question}: the check passes."
            return f"{self.question}: all {_plural(self.total, 'check')} pass."
        if self.status == "unanswered":
            return f"{self.question}: not answered yet."
        if self.status == "error":
            return f"{self.question}: this check could not run."
        if self.total == 1:
            return f"{self.question}: not yet (the check does not pass)."
        return f"{self.question}: not yet ({self.passed} of {_plural(self.total, 'check')} pass)."

    def lines(self) -> list[str]:
        out = [self.headline()]
        if self.message:
            out.append(self.message)
        out.extend(self.notes)
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.ok else "#9a4d00"
        parts = [f'<p style="margin:0.2em 0"><strong style="color:{colour}">'
                 f"{_html_text(self.headline())}</strong></p>"]
        parts += [f'<p style="margin:0.2em 0">{_html_text(line)}</p>'
                  for line in ([self.message] if self.message else []) + self.notes]
        return '<div class="scored-check" role="status">' + "".join(parts) + "</div>"


@dataclass
class CheckReport:
    """All questions at once (``grader.check_all()``)."""

    results: list[CheckResult]

    def __str__(self) -> str:
        done = sum(r.ok for r in self.results)
        head = f"{done} of {_plural(len(self.results), 'question')} pass all their checks."
        return "\n\n".join([head] + [str(r) for r in self.results])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        done = sum(r.ok for r in self.results)
        head = f"<p><strong>{done} of {_plural(len(self.results), 'question')} pass all their checks.</strong></p>"
        return head + "".join(r._repr_html_() for r in self.results)


def _html_text(text: str) -> str:
    """Escape, then show `code` spans as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text, quote=False))


def summarize(test_file: Any, question: Optional[str] = None) -> CheckResult:
    """A :class:`CheckResult` from an otter ``TestFile`` that has been run."""
    results = list(getattr(test_file, "test_case_results", []) or [])
    name = question or getattr(test_file, "name", "this question")
    total = len(results)
    passed = [bool(r.passed) for r in results]
    if total and all(passed):
        notes = [r.test_case.success_message for r in results if r.test_case.success_message]
        return CheckResult(name, total, total, "pass", notes=notes, case_passed=passed)
    message = ""
    for i, r in enumerate(results, start=1):
        if not r.passed:
            message = failure_sentence(r.message, i, total)
            if r.test_case.failure_message:
                message += " " + r.test_case.failure_message
            break
    return CheckResult(name, sum(passed), total, "fail", message=message, case_passed=passed)


# --------------------------------------------------------------------------------------------
# The notebook-side grader
# --------------------------------------------------------------------------------------------

_LAST_RUN: dict[str, Any] = {}
_HOOKED: set[int] = set()


def _remember_cell(result: Any) -> None:
    """IPython ``post_run_cell`` hook: remember whether the cell that just ran failed."""
    error = getattr(result, "error_in_exec", None) or getattr(result, "error_before_exec", None)
    _LAST_RUN.clear()
    _LAST_RUN["error"] = error


def _hook_cells() -> None:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - otter always brings IPython
        return
    shell = get_ipython()
    if shell is None or id(shell) in _HOOKED:
        return
    shell.events.register("post_run_cell", _remember_cell)
    _HOOKED.add(id(shell))


def _previous_cell_note() -> Optional[str]:
    error = _LAST_RUN.get("error")
    if error is None:
        return None
    if isinstance(error, KeyboardInterrupt):
        what = "was interrupted before it finished"
    else:
        what = f"stopped with an error: {_error_phrase(error)}"
    return (f"The cell you ran just before this check {what}, so your answer may not have been "
            f"(re)computed. Fix that cell and run it again, then run this check.")


def _test_parameters(test_path: str) -> list[str]:
    """The names the question's test functions read from the notebook, in order."""
    names: list[str] = []
    try:
        from otter.test_files import create_test_file
        from otter.nbmeta_config import NBMetadataConfig

        test_file = create_test_file(test_path, NBMetadataConfig())
        for case in test_file.test_cases:
            func = getattr(case.body, "test_func", None)
            if func is None:
                continue
            for param in inspect.signature(func).parameters:
                if param != "env" and param not in names:
                    names.append(param)
    except Exception:
        return []
    return names


try:  # the grader needs otter; the helpers above do not
    import otter as _otter
    from otter.check.utils import list_available_tests as _list_available_tests
    from otter.check.utils import resolve_test_info as _resolve_test_info
    _OtterNotebook = _otter.Notebook
except ImportError:  # pragma: no cover
    _OtterNotebook = object


CITY_FILE = "scored_city.json"  # in a student's own build: the parameters of their city
CAPSTONE_FILE = "scored_capstone.json"  # in a student's own capstone build: their sealed capstone


def use_own_city(folder: str = ".") -> Optional[str]:
    """Point ``scored`` at the student's own city (and capstone) when their build ships one.

    An instructor's per-student build puts ``scored_city.json`` next to the notebook. The city is
    generated from it (about a second, cached in ``~/.cache/scored``) and ``$SCORED_CITY`` set, so
    ``load_classroom()`` returns it. A variable that is already set wins (the grader sets its own).
    Returns a sentence saying which city is in use, or None for the classroom city.
    """
    import json

    note = None
    city_file = os.path.join(folder, CITY_FILE)
    if os.path.isfile(city_file) and not os.environ.get("SCORED_CITY"):
        try:
            spec = json.loads(open(city_file, encoding="utf-8").read())
            from scored.world import make_world

            cache = os.path.join(os.path.expanduser("~"), ".cache", "scored",
                                 f"city-{int(spec['seed'])}-{int(spec['residents'])}")
            if not os.path.isfile(os.path.join(cache, "records.csv")):
                make_world(int(spec["residents"]), seed=int(spec["seed"])).to_csv(cache)
            os.environ["SCORED_CITY"] = cache
            note = "This notebook uses your own city: your numbers differ from your classmates'."
        except Exception as error:  # never stop the notebook over this: say it
            note = f"Your own city could not be set up ({_error_phrase(error)}); ask your instructor."
    capstone_file = os.path.join(folder, CAPSTONE_FILE)
    if os.path.isfile(capstone_file) and not os.environ.get("SCORED_CAPSTONE"):
        os.environ["SCORED_CAPSTONE"] = os.path.abspath(capstone_file)
    if note:
        print(note)
    return note


class Notebook(_OtterNotebook):  # type: ignore[misc,valid-type]
    """otter's ``Notebook`` with plain-sentence feedback: ``grader = Notebook("ch01.ipynb")``.

    Grading is unchanged: ``check`` still runs otter's own check (so it is logged, and tracked
    when otter grades the notebook); only what is displayed differs.
    """

    def __init__(self, nb_path: Optional[str] = None, tests_dir: str = "./tests", **kwargs: Any):
        if nb_path is not None and not os.path.isfile(nb_path):
            # Renamed ("Copy of ...") or graded under another name: otter would raise
            # FileNotFoundError here. The tests live in ./tests, so the name is not needed;
            # otter finds the notebook itself when exporting.
            nb_path = None
        super().__init__(nb_path, tests_dir, **kwargs)
        _hook_cells()
        use_own_city()

    def check(self, question: str, global_env: Optional[dict[str, Any]] = None) -> CheckResult:
        if global_env is None:
            global_env = inspect.currentframe().f_back.f_globals
        return self._check(question, global_env)

    def _check(self, question: str, global_env: dict[str, Any]) -> CheckResult:
        previous = _previous_cell_note()
        try:
            test_path, _ = _resolve_test_info(self._tests_dir, self._notebook, self._tests_url_prefix,
                                              question)
        except Exception:
            test_path = None
        if test_path is None or not os.path.isfile(str(test_path)):
            known = ", ".join(self._questions()) or "none found"
            return CheckResult(question, 0, 0, "error",
                               message=f"There is no check called {question!r} in this notebook "
                                       f"(the checks are: {known}). Check the spelling, and keep the "
                                       f"`tests` folder next to the notebook.")
        try:
            test_file = super().check(question, global_env)
        except Exception as error:
            return CheckResult(question, 0, 0, "error",
                               message=f"The check for {question} could not run ({_error_phrase(error)}). "
                                       f"This is a problem with the exercise, not with your answer: "
                                       f"please tell your instructor.")
        result = summarize(test_file, question)
        if result.ok:
            if previous:
                result.notes.append(previous + " These checks used the answer from before that error.")
            return result

        params = _test_parameters(str(test_path))
        missing = [p for p in params if p not in global_env]
        placeholders = [p for p in params if p in global_env and global_env[p] is Ellipsis]
        if previous:
            result.message = previous
        elif missing:
            names = ", ".join(f"`{p}`" for p in missing)
            verb = "is" if len(missing) == 1 else "are"
            result.message = (f"{names} {verb} not defined yet. Run the cell where you set "
                              f"{'it' if len(missing) == 1 else 'them'} (and the cells above it), "
                              f"then run this check again.")
        elif placeholders:
            names = ", ".join(f"`{p} = ...`" for p in placeholders)
            if len(placeholders) == len(params) or not result.message:
                result.status = "unanswered"
                result.message = (f"Replace the `...` in {names} with your answer, run that cell, "
                                  f"then run this check again.")
            else:  # part answered: the first real failure first, then what is still open
                rest = [p for p in placeholders if f"`{p}`" not in result.message]
                if rest:
                    names = ", ".join(f"`{p} = ...`" for p in rest)
                    verb = "needs" if len(rest) == 1 else "need"
                    result.notes.append(f"Also, {names} still {verb} your answer.")
        return result

    def _questions(self) -> list[str]:
        try:
            return list(_list_available_tests(self._tests_dir, self._nbmeta_config))
        except Exception:
            return []

    def check_all(self) -> Optional[CheckReport]:  # type: ignore[override]
        if type(self)._grading_mode:
            return None
        env = inspect.currentframe().f_back.f_globals
        return CheckReport([self._check(q, env) for q in self._questions()])
