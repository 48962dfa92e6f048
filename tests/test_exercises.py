"""Exercises (DESIGN.md section 6, layer 4), for every source in exercises/.

* every source is valid and builds (otter assign, offline, no Docker);
* the solution scores full marks and every check passes on it; on the untouched student version
  every check fails and it scores 0 (graded with otter's local grader, per question and per check);
* garbage answers (a string, None, a wrong-shaped DataFrame, an exception raised in the student's
  cell, a student function that raises) get a plain sentence from ``grader.check``, never a
  traceback or otter's "Error at line ..." dump;
* the student version contains no solution code and no rubric text.

Everything expensive is done once per session: one build of all chapters, then one grading batch
per chapter (solution, untouched student version, one notebook per garbage kind) with the executed
notebooks kept, and one real student session (nbclient, outside grading mode).
"""

from __future__ import annotations

import ast
import concurrent.futures
import contextlib
import copy
import csv
import json
import os
import re
import shutil
import sys
import tempfile
import zipfile

import nbformat
import pytest

from scored_site import checks, warm_kernels
from scored_site import exercises as ex
from scored_site.rebuild import execute

SOURCES = ex.discover()
CHAPTERS = [p.stem for p in SOURCES]
GARBAGE = ["string", "none", "dataframe", "cell-exception", "raising-function"]
CHECK_CELL = re.compile(r'^grader\.check\("(\w+)"\)$')
# What must never reach a student from a check: tracebacks, otter's raw report, doctest output.
FORBIDDEN = ["Traceback", "Error at line", "AssertionError", 'File "', "Test case failed", "❌",
             "Failed example", "Expected:", "<module>"]


def test_sources_exist_and_are_valid():
    assert SOURCES, "no exercise sources found in exercises/"
    sources = ex.check_sources()
    assert sorted(sources) == sorted(CHAPTERS)


# ------------------------------------------------------------------------------------------------
# Session fixtures: build once, grade once, run one student session
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def sources():
    return ex.check_sources()


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("exercises")
    return ex.build(out, log=lambda *a: None)


def _check_cells(nb) -> dict[str, int]:
    return {m.group(1): i for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and (m := CHECK_CELL.match(c.source.strip()))}


def _answer_cells(nb) -> dict[str, list[int]]:
    """Answer cells (tagged by otter) of each question: those before its check cell."""
    found, pending = {}, []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "otter_answer_cell" in cell.metadata.get("tags", []):
            pending.append(i)
        m = CHECK_CELL.match(cell.source.strip()) if cell.cell_type == "code" else None
        if m:
            found[m.group(1)], pending = pending, []
    return found


def _defined(code: str) -> tuple[list[str], list[str]]:
    """(names assigned, functions defined) at the top level of a cell."""
    names, funcs = [], []
    for node in ast.parse(code).body:
        if isinstance(node, ast.FunctionDef):
            funcs.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names, funcs


def _answers(nb, manifest) -> dict[str, dict[str, list[str]]]:
    """For each auto-graded question: the answer variables its tests read, and which are functions."""
    cells = _answer_cells(nb)
    out = {}
    for q in manifest["questions"]:
        if q["manual"]:
            continue
        names, funcs = [], []
        for i in cells.get(q["name"], []):
            n, f = _defined(nb.cells[i].source)
            names += n
            funcs += f
        wanted = [v for v in q["variables"] if v in names + funcs] or q["variables"]
        out[q["name"]] = {"vars": wanted, "funcs": [f for f in funcs if f in wanted]}
    return out


def _garbage_notebook(student_nb, answers, kind):
    """The untouched student notebook with garbage put in, question by question."""
    nb = copy.deepcopy(student_nb)
    if kind == "cell-exception":  # the student's own cell raises before assigning anything
        for q, cells in _answer_cells(nb).items():
            if q in answers:
                for i in cells:
                    nb.cells[i].source = f"{answers[q]['vars'][0]} = 1 / 0"
        return nb
    value = {"string": "'garbage'", "none": "None",
             "dataframe": "__import__('pandas').DataFrame({'x': [1, 2]})"}.get(kind)
    cells = []
    for cell in nb.cells:
        m = CHECK_CELL.match(cell.source.strip()) if cell.cell_type == "code" else None
        if m and m.group(1) in answers:
            a = answers[m.group(1)]
            if kind == "raising-function":
                code = "\n".join(f"def {f}(*args, **kwargs):\n    raise ZeroDivisionError('division by zero')"
                                 for f in a["funcs"])
            else:
                code = "\n".join(f"{v} = {value}" for v in a["vars"])
            if code:
                cells.append(nbformat.v4.new_code_cell(code))
        cells.append(cell)
    nb.cells = cells
    return nb


@pytest.fixture(scope="session")
def graded(built, tmp_path_factory):
    """Per chapter: grading report, executed notebooks by submission id, answers per question.

    Two chapters at a time, each grading two notebooks at a time: a chapter's last, slow notebook then
    leaves no core idle."""
    def grade(chapter, b, subs):
        shutil.copy(b.solution_notebook, subs / "solution.ipynb")
        shutil.copy(b.student_notebook, subs / "untouched.ipynb")
        student_nb = nbformat.read(b.student_notebook, as_version=4)
        answers = _answers(student_nb, b.manifest)
        for kind in GARBAGE:
            if kind == "raising-function" and not any(a["funcs"] for a in answers.values()):
                continue  # nothing to call (the test for this kind skips)
            nbformat.write(_garbage_notebook(student_nb, answers, kind), subs / f"garbage-{kind}.ipynb")
        (subs / "broken.ipynb").write_text("this is not a notebook")
        report = ex.grade_checks(chapter, subs, build_dir=b.root.parent, out=subs / "_grades", jobs=2,
                          timeout=300, keep_executed=True, log=lambda *a: None)
        executed = {p.stem: nbformat.read(p, as_version=4)
                    for p in (report.out_dir / "executed").glob("*.ipynb")}
        return chapter, {"report": report, "executed": executed, "answers": answers,
                         "by_id": {r["submission"]: r for r in report.results}}

    jobs = [(chapter, b, tmp_path_factory.mktemp(f"submissions-{chapter}")) for chapter, b in built.items()]
    warm_kernels.start()  # otter's kernels are forked from a warm server (scored_site.warm_kernels)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        return dict(pool.map(lambda job: grade(*job), jobs))


@contextlib.contextmanager
def _kernel_environment(modules: list[str]):
    """This environment's ``python3`` kernel, forked from a warm server that imported ``modules``: the session's
    server for ``warm_kernels.PRELOAD`` (it stops with pytest, as the other fixtures' does), else one of its own."""
    saved = dict(os.environ)
    if modules == warm_kernels.PRELOAD:
        warm_kernels.start()
        stop = None
    else:
        os.environ.pop(warm_kernels.ENV, None)
        stop = warm_kernels.start(modules)
    os.environ.update(ex.kernel_env())
    try:
        yield
    finally:
        if stop:
            stop()
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="session")
def student_session(built, tmp_path_factory):
    """Run the untouched student notebook the way a student would (nbclient, outside grading), and the solution.

    Both run in kernels forked from a warm server: the same Python, kernel and cells, about 36 CPU-s less in all
    than ordinary kernels. The student notebooks' server has imported only the kernel and the packages
    (``warm_kernels.PACKAGES``), not the toolkit, so a notebook that forgot to import a toolkit module fails here
    as it would on a student's machine. Ordinary kernels run in the book build and the light layers (the student
    kit's, the pre/post measure's)."""
    probe = ("import sys, importlib.util\n"
             "print(sys.executable)\n"
             "print(importlib.util.find_spec('scored') is not None)")
    jobs = []
    for chapter, b in built.items():
        for label, directory in (("student", b.student_dir), ("solution", b.instructor_dir)):
            work = tmp_path_factory.mktemp(f"session-{chapter}-{label}")
            shutil.copytree(directory, work, dirs_exist_ok=True)
            nb = nbformat.read(work / f"{chapter}.ipynb", as_version=4)
            nb.cells.append(nbformat.v4.new_code_cell(probe))
            jobs.append((chapter, label, nb, work))

    def run(job):
        chapter, label, nb, work = job
        execute(nb, timeout=300, allow_errors=True, resources={"metadata": {"path": str(work)}})
        return (chapter, label), nb

    sessions = {}
    for label, modules in (("solution", warm_kernels.PRELOAD), ("student", warm_kernels.PACKAGES)):
        with _kernel_environment(modules), concurrent.futures.ThreadPoolExecutor(2) as pool:
            sessions.update(pool.map(run, [job for job in jobs if job[1] == label]))
    return sessions


def _check_output(nb, question) -> tuple[str, str, list]:
    """(text/plain, text/html, error outputs) of the check cell for ``question``."""
    cell = nb.cells[_check_cells(nb)[question]]
    texts = [o for o in cell.outputs if o.output_type in ("execute_result", "display_data")]
    errors = [o for o in cell.outputs if o.output_type == "error"]
    plain = "\n".join(o.data.get("text/plain", "") for o in texts)
    html = "\n".join(o.data.get("text/html", "") for o in texts)
    return plain, html, errors


def _auto(manifest):
    return [q for q in manifest["questions"] if not q["manual"]]


def _assert_plain_sentence(plain: str, html: str, errors: list, question: str, where: str):
    assert not errors, f"{where}: the check for {question} raised {errors[0].ename}: {errors[0].evalue}"
    assert plain, f"{where}: the check for {question} printed nothing"
    for bad in FORBIDDEN:
        assert bad not in plain and bad not in html, f"{where}, {question}: {bad!r} in:\n{plain}"
    lines = plain.strip().split("\n")
    assert lines[0].startswith(f"{question}: "), plain
    assert len(lines) >= 2 and len(lines[1]) > 20 and lines[1].rstrip().endswith((".", ".)", "?")), \
        f"{where}, {question}: expected a sentence of feedback, got:\n{plain}"


# ------------------------------------------------------------------------------------------------
# Generation
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("chapter", CHAPTERS)
def test_build_layout(chapter, built, sources):
    b, source = built[chapter], sources[chapter]
    auto = [q.name for q in source.autograded]
    assert b.student_notebook.is_file() and b.solution_notebook.is_file()
    assert (b.student_dir / ex.HELPER_NAME).is_file()
    assert sorted(p.stem for p in (b.student_dir / "tests").glob("*.py")) == sorted(auto)
    assert sorted(p.stem for p in (b.instructor_dir / "tests").glob("*.py")) == sorted(auto)
    with zipfile.ZipFile(b.autograder_zip) as zf:
        names = set(zf.namelist())
    assert {f"tests/{q}.py" for q in auto} <= names and f"files/{ex.HELPER_NAME}" in names
    with zipfile.ZipFile(b.student_zip) as zf:
        names = set(zf.namelist())
    assert f"{chapter}/{chapter}.ipynb" in names and f"{chapter}/{ex.HELPER_NAME}" in names
    assert not any("instructor" in n or "autograder" in n for n in names)
    manifest = b.manifest
    assert [q["name"] for q in manifest["questions"]] == [q.name for q in source.questions]
    assert manifest["auto_points"] == sum(q.points for q in source.autograded)
    rubrics = (b.instructor_dir / "rubrics.md").read_text()
    for q in source.manual:
        assert q.name in rubrics and q.rubric.split("\n")[0] in rubrics
    # every auto-graded question has a check cell in the student version
    student_nb = nbformat.read(b.student_notebook, as_version=4)
    assert sorted(_check_cells(student_nb)) == sorted(auto)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_student_version_has_no_solutions_or_rubrics(chapter, built, sources):
    b, source = built[chapter], sources[chapter]
    nb = nbformat.read(b.student_notebook, as_version=4)
    code_lines = {line.strip() for c in nb.cells if c.cell_type == "code" for line in c.source.split("\n")}
    text = json.dumps(nb) + "".join(p.read_text() for p in (b.student_dir / "tests").glob("*.py"))
    for marker in ("# SOLUTION", "BEGIN SOLUTION", "END SOLUTION", "BEGIN PROMPT", "END PROMPT",
                   "# BEGIN QUESTION", "ASSIGNMENT CONFIG"):
        assert marker not in text, f"{marker!r} left in the student version"
    for q in source.questions:
        kept = {line.strip() for line in q.prompt_lines}
        for line in q.solution_lines:
            line = line.strip()
            if len(line) >= 6 and line not in kept:
                assert line not in code_lines, f"{q.name}: solution line in student version: {line}"
        for block in q.solution_markdown:
            for sentence in re.split(r"(?<=[.:])\s+", block):
                if len(sentence) > 40:
                    assert sentence not in text, f"{q.name}: rubric/model answer in student version"
    assert not re.search(r"\brubric\b", text, re.IGNORECASE)


# ------------------------------------------------------------------------------------------------
# Grading: solution full marks, untouched student version zero, check by check
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("chapter", CHAPTERS)
def test_solution_passes_every_check(chapter, graded, built):
    result = graded[chapter]["by_id"]["solution"]
    assert result["status"] == "graded", result.get("error")
    for q in _auto(built[chapter].manifest):
        r = result["questions"][q["name"]]
        assert r["score"] == r["possible"] == q["points"], (q["name"], r["feedback"])
        assert r["cases"] and all(r["cases"]), (q["name"], r["feedback"])
        plain, html, errors = _check_output(graded[chapter]["executed"]["solution"], q["name"])
        passed = (f"{q['name']}: the check passes." if len(r["cases"]) == 1
                  else f"{q['name']}: all {len(r['cases'])} checks pass.")
        assert not errors and plain.startswith(passed), plain


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_untouched_student_version_fails_every_check(chapter, graded, built):
    result = graded[chapter]["by_id"]["untouched"]
    assert result["status"] == "graded", result.get("error")
    for q in _auto(built[chapter].manifest):
        r = result["questions"][q["name"]]
        assert r["score"] == 0, (q["name"], r)
        assert r["cases"] and not any(r["cases"]), f"{q['name']}: a check passes on the placeholder"
        plain, html, errors = _check_output(graded[chapter]["executed"]["untouched"], q["name"])
        _assert_plain_sentence(plain, html, errors, q["name"], "untouched")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_scores_csv(chapter, graded, built):
    manifest = built[chapter].manifest
    with open(graded[chapter]["report"].csv_path, newline="") as f:
        rows = {r["submission"]: r for r in csv.DictReader(f)}
    auto, manual = _auto(manifest), [q for q in manifest["questions"] if q["manual"]]
    sol, untouched, broken = rows["solution"], rows["untouched"], rows["broken"]
    assert float(sol["auto_total"]) == float(sol["auto_possible"]) == manifest["auto_points"]
    assert all(float(sol[q["name"]]) == q["points"] for q in auto)
    assert float(untouched["auto_total"]) == 0
    assert broken["status"] == "error" and float(broken["auto_total"]) == 0 and broken["note"]
    for q in manual:  # hand-graded: left blank for the grader
        column = f"{q['name']} (manual, /{q['points']:g})"
        assert sol[column] == "" and untouched[column] == ""
    feedback = (graded[chapter]["report"].out_dir / "feedback" / "untouched.md").read_text()
    assert all(q["name"] in feedback for q in manifest["questions"])
    assert not any(bad in feedback for bad in FORBIDDEN)


def test_a_notebook_that_never_ends_times_out_and_leaves_nothing_behind(built, tmp_path, monkeypatch):
    chapter = CHAPTERS[0]
    nb = nbformat.read(built[chapter].student_notebook, as_version=4)
    # A loop that never ends but sleeps: the time-out is on the clock, and a spinning loop would only take a core
    # from the other tests for ten seconds (the judge's own tests spin one, against its CPU limit).
    nb.cells.insert(1, nbformat.v4.new_code_cell("import time\nwhile True:\n    time.sleep(0.1)"))
    subs = tmp_path / "submissions"
    subs.mkdir()
    nbformat.write(nb, subs / "loop.ipynb")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    ex._fork_server()  # started before the temporary folder moves: its socket must outlive this test
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where this process and the grading's keep
    monkeypatch.setenv("TMPDIR", str(scratch))                # their temporary files
    report = ex.grade_checks(chapter, subs, build_dir=built[chapter].root.parent, out=tmp_path / "grades",
                             timeout=10, log=lambda *a: None)
    [result] = report.results
    assert result["status"] == "error" and result["error"].startswith("timed out"), result
    assert list(scratch.iterdir()) == [], "a timed-out grading left files behind"


# ------------------------------------------------------------------------------------------------
# Garbage answers: a sentence, never a traceback
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", GARBAGE)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_garbage_answers_get_a_plain_sentence(chapter, kind, graded, built):
    g = graded[chapter]
    questions = [q for q in _auto(built[chapter].manifest)
                 if kind != "raising-function" or g["answers"][q["name"]]["funcs"]]
    if not questions:
        pytest.skip(f"no question in {chapter} asks for a function")
    result = g["by_id"][f"garbage-{kind}"]
    assert result["status"] == "graded", result.get("error")
    nb = g["executed"][f"garbage-{kind}"]
    for q in questions:
        plain, html, errors = _check_output(nb, q["name"])
        _assert_plain_sentence(plain, html, errors, q["name"], f"garbage {kind}")
        assert result["questions"][q["name"]]["score"] < q["points"], (q["name"], plain)
        if kind == "cell-exception":
            assert "stopped with an error: ZeroDivisionError" in plain, plain
        if kind == "raising-function":
            assert "stopped with an error in your code: ZeroDivisionError" in plain, plain


# ------------------------------------------------------------------------------------------------
# A real student session (not grading mode)
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("chapter", CHAPTERS)
def test_student_session(chapter, student_session, built):
    manifest = built[chapter].manifest
    student = student_session[(chapter, "student")]
    solution = student_session[(chapter, "solution")]
    for label, nb in (("student", student), ("solution", solution)):
        errors = [(i, o.ename) for i, c in enumerate(nb.cells) if c.cell_type == "code"
                  for o in c.get("outputs", []) if o.output_type == "error"]
        assert not errors, f"{label} notebook: cells raised {errors}"
        probe = "".join(o.get("text", "") for o in nb.cells[-1].outputs).split("\n")
        assert probe[0] == sys.executable, "the kernel is not this environment's Python"
        assert probe[1] == "True", "the kernel cannot import the course package `scored`"
    for q in _auto(manifest):
        plain, html, errors = _check_output(student, q["name"])
        _assert_plain_sentence(plain, html, errors, q["name"], "student session")
        assert re.match(rf"{q['name']}: not (answered )?yet", plain), plain
        assert 'class="scored-check"' in html
        plain, _, errors = _check_output(solution, q["name"])
        assert not errors and re.match(rf"{q['name']}: (all \d+ checks pass|the check passes)\.", plain), plain


# ------------------------------------------------------------------------------------------------
# The feedback helpers and otter's message format (fast, no kernel)
# ------------------------------------------------------------------------------------------------

def test_expect_number_sentences():
    with pytest.raises(AssertionError) as e:
        checks.expect_number("0.3 or so", between=(0, 1), what="the share of residents on the blacklist")
    assert str(e.value) == ("Your answer is the string '0.3 or so', but a number between 0 and 1 was "
                            "expected: the share of residents on the blacklist.")
    with pytest.raises(AssertionError, match="^Your answer is a string, but a number"):
        checks.expect_number("about a third of the residents, I think")
    with pytest.raises(AssertionError, match=r"^`share` is still the placeholder `\.\.\.`"):
        checks.expect_number(..., name="share")
    with pytest.raises(AssertionError, match=r"is None \(no value\), but a number"):
        checks.expect_number(None)
    with pytest.raises(AssertionError, match="is 1.5, but a number between 0 and 1"):
        checks.expect_number(1.5, between=(0, 1))
    with pytest.raises(AssertionError, match="yes/no"):
        checks.expect_number(True)
    assert checks.expect_number(0.25, between=(0, 1)) == 0.25


def test_a_kernel_that_lost_its_start_is_started_again_and_nothing_else_is():
    calls = []

    def starts_on_the_third_try():
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return "graded"

    assert ex.retry_lost_kernel_start(starts_on_the_third_try) == "graded" and len(calls) == 3
    calls.clear()
    with pytest.raises(RuntimeError, match="Kernel died"):
        ex.retry_lost_kernel_start(starts_on_the_third_try, attempts=2)
    assert len(calls) == 2

    def fails_otherwise():
        calls.append(1)
        raise RuntimeError("the student's cell raised")

    calls.clear()
    with pytest.raises(RuntimeError, match="student's cell"):
        ex.retry_lost_kernel_start(fails_otherwise)
    assert len(calls) == 1


def test_describe_and_helpers():
    import pandas as pd

    assert checks.describe(pd.DataFrame({"x": [1]})) == "a DataFrame with 1 row and 1 column"
    assert checks.describe({"a": 1, "b": 2}) == "a dict with 2 entries"
    assert checks.describe(len) == "a function"
    with pytest.raises(AssertionError, match="You have not filled in C2 yet"):
        checks.expect_dict({"C1": "x", "C2": ...}, ["C1", "C2"], name="verdicts")
    with pytest.raises(AssertionError, match="has no entry for C2"):
        checks.expect_dict({"C1": "x"}, ["C1", "C2"])
    with pytest.raises(AssertionError, match=r"'R99', which is not an ID"):
        checks.expect_ids(["R01", "R99"], valid=["R01", "R02"])
    with pytest.raises(AssertionError, match=r"^Calling `f\(1\)` stopped with an error in your code: "
                                             r"ZeroDivisionError \(division by zero\)\."):
        checks.call_student(lambda x: x / 0, 1, name="f")
    assert checks.fingerprint("  Partly  ACCURATE ") == checks.fingerprint("partly accurate")


def _otter_run(test_source: str, env: dict):
    from otter.test_files.exception_test import ExceptionTestFile

    test_file = ExceptionTestFile.from_string(test_source, path="q9.py")
    test_file.run(env)
    return test_file


OTTER_TEST = '''from otter.test_files import test_case
OK_FORMAT = False
name = "q9"
points = 2

@test_case(points=None, hidden=False)
def test_type(x):
    assert isinstance(x, int), "`x` should be a whole number."

@test_case(points=None, hidden=False)
def test_value(x):
    assert x + 1 == 3, "Not yet: `x` should be two. Hint: count again."
'''


def test_otter_messages_become_one_sentence():
    """Guards against a change in otter's message format (it is parsed, see scored_site/checks.py)."""
    result = checks.summarize(_otter_run(OTTER_TEST, {"x": 5}))
    assert str(result) == "q9: not yet (1 of 2 checks pass).\nNot yet: `x` should be two. Hint: count again."
    result = checks.summarize(_otter_run(OTTER_TEST, {"x": "5"}))
    assert result.message == "`x` should be a whole number."
    crash = OTTER_TEST.replace('assert isinstance(x, int), "`x` should be a whole number."', "x.missing")
    result = checks.summarize(_otter_run(crash, {"x": 5}))
    assert result.message.startswith("Not yet: check 1 of 2 could not look at your answer, because it "
                                     "caused an error: AttributeError")
    assert str(checks.summarize(_otter_run(OTTER_TEST, {"x": 2}))) == "q9: all 2 checks pass."
    assert checks.failure_sentence("something otter never printed", 2, 3) == \
        "Not yet: check 2 of 3 does not pass."


# ------------------------------------------------------------------------------------------------
# Source validation fails clearly
# ------------------------------------------------------------------------------------------------

TINY = '''---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
---

```otter
# ASSIGNMENT CONFIG
name: tiny
```

# Tiny

```otter
# BEGIN QUESTION
name: q1
objectives: [tiny-1]
points: 1
```

What is one?

```otter
# BEGIN SOLUTION
```

```{code-cell} ipython3
x = 1  # SOLUTION
```

```otter
# END SOLUTION
```

```otter
# BEGIN TESTS
```

```{code-cell} ipython3
def test_a(x):
    assert x is not None, "a"
```

```{code-cell} ipython3
# HIDDEN
def test_b(x):
    assert x > 0, "b"
```

```{code-cell} ipython3
# HIDDEN
def test_c(x):
    assert x == 1, "c"
```

```otter
# END TESTS
```

```otter
# END QUESTION
```

```otter
# BEGIN QUESTION
name: q2
objectives: [tiny-2]
manual: true
points: 2
```

Reflect.

```otter
# BEGIN SOLUTION
```

**Rubric.** One point each.

```otter
# END SOLUTION
```

```otter
# END QUESTION
```
'''

BROKEN = {
    "no points": (("points: 1\n", ""), "needs `points:`"),
    "no hidden test": (("# HIDDEN\n", "", ), "needs at least one hidden test"),
    "no public check": (('def test_a(x):\n    assert x is not None, "a"', '# HIDDEN\ndef test_a(x):\n    assert x is not None, "a"'),
                        "needs at least one public check"),
    "public fingerprint": (('    assert x is not None, "a"', '    assert fingerprint(x) == "ab", "a"'),
                           "compares a fingerprint"),
    "public ref value": (('def test_a(x):', 'def test_a(x, ref_x):'), "reads a `ref_` value"),
    "no objectives": (("objectives: [tiny-1]\n", ""), "needs `objectives:"),
    "objective of another chapter": (("objectives: [tiny-1]", "objectives: [ch04-1]"),
                                     "is not one of this chapter's"),
    "support file outside": (("name: tiny\n", "name: tiny\nfiles: [../../secret.txt]\n"),
                             "outside the exercises folder"),
    "YAML list as test config": (('def test_a(x):', '""" # BEGIN TEST CONFIG\n- 1\n""" # END TEST CONFIG\ndef test_a(x):'),
                                 "must be a mapping"),
    "no solution": (("x = 1  # SOLUTION", "x = 1"), "has no solution"),
    "marker outside block": (("```otter\n# BEGIN SOLUTION\n```\n\n```{code-cell}", "```{code-cell}"),
                             "must sit inside a `# BEGIN SOLUTION`"),
    "manual without rubric": (("**Rubric.** One point each.", "A model answer."), "needs a rubric"),
    "wrong name": (("name: tiny", "name: other"), "must be 'tiny'"),
    "framework key": (("name: tiny\n", "name: tiny\ninit_cell: true\n"), "which the framework controls"),
    "unclosed question": (("```otter\n# END QUESTION\n```\n", "", 1), "never closed"),
    "two statements in a test": (('    assert x == 1, "c"\n', '    assert x == 1, "c"\nimport os\nprint(os)\n'),
                                 "exactly one test function"),
    "plain code blocks": (("```{code-cell} ipython3", "```python"), "has no code cells"),
}


def test_tiny_source_is_valid(tmp_path):
    path = tmp_path / "tiny.md"
    path.write_text(TINY)
    source = ex.check_sources([path])["tiny"]
    assert [q.name for q in source.autograded] == ["q1"] and [q.name for q in source.manual] == ["q2"]


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_sources_fail_clearly(case, tmp_path):
    replacement, expected = BROKEN[case]
    old, new, *count = replacement
    assert old in TINY, case
    path = tmp_path / "tiny.md"
    if case == "unclosed question":  # drop the last END QUESTION only
        head, _, tail = TINY.rpartition(old)
        path.write_text(head + tail)
    else:
        path.write_text(TINY.replace(old, new))
    with pytest.raises(ex.SourceError) as error:
        ex.check_sources([path])
    assert expected in str(error.value), str(error.value)
    assert "tiny.md" in str(error.value)


# ------------------------------------------------------------------------------------------------
# Every chapter on other cities (issue 7, item 1): the reference solution, run in the sandbox on
# another city, must earn full marks from the hidden tests computed on that city.
# ------------------------------------------------------------------------------------------------

OTHER_SEEDS = (7, 11)


@pytest.fixture(scope="session")
def other_cities(built):
    from scored_site import grading

    def run(args):
        chapter, seed = args
        b = built[chapter]
        return (chapter, seed), grading.grade_submission(
            b.instructor_dir, b.solution_notebook, "solution", None,
            limits={"cell_seconds": 300, "total_seconds": 600}, slot=seed % 2,
            city={"residents": 10_000, "seed": seed})

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        return dict(pool.map(run, [(c, s) for c in CHAPTERS for s in OTHER_SEEDS]))


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
@pytest.mark.parametrize("seed", OTHER_SEEDS)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_solution_full_marks_on_other_cities(chapter, seed, other_cities):
    result = other_cities[(chapter, seed)]
    assert result["status"] == "graded", result.get("error")
    wrong = {q: r["feedback"] for q, r in result["questions"].items() if r["score"] != r["possible"]}
    assert not wrong, f"{chapter} on seed {seed}: {wrong}"
