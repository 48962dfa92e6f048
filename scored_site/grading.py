"""Grading that carries marks: the instructor key, each student's city, the judge and the gradebook.

The course is public, solutions included. Grading rests on a secret only the instructor holds, the
**instructor key** (a string in ``$SCORED_INSTRUCTOR_KEY`` or in a file given with ``--key-file``;
never in the repository). From the key and a student identifier, :func:`city_spec` derives that
student's city (an HMAC-SHA256 of the identifier, turned into a seed), so every student's numbers
differ from the reference solution's and from their neighbours'.

Grading one submission (:func:`judge`, run in a process of its own per submission, forked from a server
that has pandas and the toolkit imported already: see ``exercises._run_forked``):

1. write the student's city (derived from the key, never taken from the submission);
2. run the **reference solution** on that city, in the grader's process (trusted code): this gives
   the expected values and every value the tests need that the student's code could have changed;
3. run the **submission** in the sandbox (:mod:`scored_site.sandbox`), one cell at a time, and keep
   the answer variables it reports after each cell;
4. run the chapter's **hidden tests** here, outside the student's kernel, on those values: an
   answer variable comes from the submission, everything else (``city``, ``labels``, ...) from the
   reference run. A question earns its points when all its hidden tests pass (all or nothing), or
   the points its ``partial:`` rubric names for each test that passes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Optional

KEY_ENV = "SCORED_INSTRUCTOR_KEY"
RESIDENTS = 10_000


class KeyError_(ValueError):
    """The instructor key is missing or unusable."""


def load_key(key_file: Optional[Path] = None, required: bool = False) -> Optional[str]:
    """The instructor key from ``key_file`` or ``$SCORED_INSTRUCTOR_KEY``; None without one."""
    if key_file is not None:
        try:
            key = Path(key_file).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise KeyError_(f"cannot read the instructor key file {key_file}: {error.strerror}") from None
    else:
        key = os.environ.get(KEY_ENV, "").strip()
    if key and len(key) < 16:
        raise KeyError_("the instructor key is shorter than 16 characters; make a long random one, e.g. "
                        "`python -c \"import secrets; print(secrets.token_urlsafe(32))\" > key.txt`")
    if required and not key:
        raise KeyError_(f"no instructor key: set ${KEY_ENV} or pass --key-file FILE")
    return key or None


def _digest(key: str, purpose: str, student: str) -> bytes:
    return hmac.new(key.encode(), f"{purpose}\0{student}".encode(), hashlib.sha256).digest()


def city_spec(key: Optional[str], student: str) -> Optional[dict]:
    """The parameters of a student's city (None without a key: the classroom city)."""
    if not key:
        return None
    seed = int.from_bytes(_digest(key, "city", student.strip())[:4], "big") % (2**31 - 1)
    return {"residents": RESIDENTS, "seed": seed}


def capstone_spec(key: Optional[str], student: str) -> Optional[dict]:
    """The student's own capstone (city and sealed scorecard), or None without a key (the practice version)."""
    if not key:
        return None
    from scored.capstone import sealed_spec

    return sealed_spec(int.from_bytes(_digest(key, "capstone", student.strip())[:4], "big"))


def write_city(spec: Optional[dict], folder: Path) -> Path:
    """Write the city of ``spec`` into ``folder`` (the classroom data folder when ``spec`` is None)."""
    from scored.world import DATA_DIR, make_world

    if spec is None:
        return DATA_DIR
    folder = Path(folder)
    if not (folder / "records.csv").exists():
        make_world(spec["residents"], seed=spec["seed"]).to_csv(folder)
    return folder


# --------------------------------------------------------------------------------------------
# The judge: reference run, sandboxed submission, hidden tests
# --------------------------------------------------------------------------------------------

_FRAMEWORK_LINE = re.compile(r"^\s*(grader\s*\.\s*(check|check_all|export)\s*\(.*\)|grader\s*=\s*Notebook\(.*\)"
                             r"|from scored_checks import Notebook|#.*)?\s*$")


def _framework_cell(source: str) -> bool:
    """The init, check and export cells the build adds: not the student's work, not run."""
    lines = source.split("\n")
    return any("grader" in line for line in lines) and all(_FRAMEWORK_LINE.match(line) for line in lines)


def notebook_cells(path: Path) -> list[str]:
    """The code cells of a submitted notebook, with the framework's check/export cells left out."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = str(cell.source)
        cells.append("pass" if _framework_cell(source) else source)
    return cells


def _reference(cells: list[str], city: Path) -> dict:
    """Run the reference solution (trusted) on ``city``; return its namespace."""
    os.environ["SCORED_CITY"] = str(city)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    for code in cells:
        exec(compile(code, "<reference>", "exec"), namespace)  # noqa: S102 - the course's own solution
    return namespace


def _install_checks_alias() -> None:
    """Tests import ``scored_checks`` (the name it has next to a notebook)."""
    from scored_site import checks

    sys.modules.setdefault("scored_checks", checks)


def _run_test(code: str, params: list[str], student: dict, reference: dict, answers: set[str]
              ) -> Optional[str]:
    """None if the test passes, else the sentence it failed with."""
    namespace: dict[str, Any] = {}
    try:
        exec(compile(code, "<hidden test>", "exec"), namespace)  # noqa: S102 - the course's own test
        func = next(v for k, v in namespace.items() if k.startswith("test") and callable(v))
        # ref_<name>: the reference solution's value of <name>, computed on the student's city.
        kwargs = {p: (reference.get(p[4:]) if p.startswith("ref_") else
                      student.get(p) if p in answers else reference.get(p)) for p in params}
        func(**kwargs)
        return None
    except AssertionError as error:
        return str(error) or "a check did not pass"
    except Exception as error:  # noqa: BLE001 - a wrong kind of answer can break a test anywhere
        return f"the answer could not be checked ({type(error).__name__}: {str(error)[:200]})"


def _probe_arguments(probes: dict, setups: dict, reference: dict) -> dict:
    """The arguments the sandbox calls each student function with, computed here (trusted code).

    Each expression gives one call's arguments (a tuple, or one value); an expression starting with
    ``*`` gives a list of such calls. It sees the reference run's names, ``pd``, ``np``, ``math`` and
    ``load_classroom``, plus whatever the question's ``probe_setup`` code defines.
    """
    import math

    import numpy as np
    import pandas as pd

    from scored.world import load_classroom
    from scored_site import runner

    out: dict[str, list] = {}
    for name, expressions in probes.items():
        scope = {**reference, "pd": pd, "np": np, "math": math, "load_classroom": load_classroom}
        if setups.get(name):
            exec(compile(setups[name], "<probe setup>", "exec"), scope)  # noqa: S102 - course code
        for expression in expressions:
            many = expression.lstrip().startswith("*")
            value = eval(expression.lstrip().lstrip("*"), scope)  # noqa: S307 - the course's own probe
            for args in (list(value) if many else [value]):
                args = args if isinstance(args, tuple) else (args,)
                out.setdefault(name, []).append({"args": runner.encode(list(args)),
                                                 "kwargs": runner.encode({})})
    return out


def judge(job: dict) -> dict:
    """Grade one submission (see the module docstring). ``job`` is what :func:`grade_submission` writes."""
    from scored_site import runner, sandbox

    _install_checks_alias()
    key_spec = job.get("city_spec")
    result: dict[str, Any] = {"status": "graded", "questions": {}, "cells": {}}
    # The city stays until the hidden tests are done: they may load it too. The caller removes the
    # whole temporary folder on every way out (see grade_submission).
    tmp = tempfile.mkdtemp(prefix="scored-judge-")
    city = write_city(key_spec, Path(tmp) / "city")
    capstone = None
    if job.get("capstone_spec"):
        capstone = Path(tmp) / "capstone.json"
        capstone.write_text(json.dumps(job["capstone_spec"]))
        os.environ["SCORED_CAPSTONE"] = str(capstone)
    reference = _reference(job["reference_cells"], city)
    probes = _probe_arguments(job["probes"], job.get("probe_setup", {}), reference)
    limits = sandbox.Limits(**job.get("limits", {}))
    try:
        cells = notebook_cells(Path(job["submission"]))
    except Exception as error:  # noqa: BLE001 - not a notebook at all
        return {"status": "error", "error": f"not a readable notebook ({type(error).__name__})",
                "questions": {}, "cells": {}}
    run = sandbox.run_cells(cells, job["answers"], probes, city, limits, slot=job.get("slot", 0),
                            capstone=capstone, isolation=job.get("isolation", "bwrap"))
    student: dict[str, Any] = {}
    for name, encoded in run.values.items():
        try:
            value = runner.decode(encoded)
        except Exception:  # noqa: BLE001 - a malformed report counts as no answer
            continue
        if isinstance(value, runner.StudentFunction):
            value.calls = run.calls.get(name, {}) if isinstance(run.calls.get(name), dict) else {}
        student[name] = value
    answers = set(job["answers"])
    for q in job["questions"]:
        outcomes = {}
        for test in q["tests"]:
            outcomes[test["name"]] = _run_test(test["code"], test["params"], student, reference, answers)
        passed = [n for n, msg in outcomes.items() if msg is None]
        if q.get("partial"):
            score = sum(float(q["partial"].get(n, 0)) for n in passed)
        else:
            score = float(q["points"]) if len(passed) == len(outcomes) else 0.0
        failures = [msg for msg in outcomes.values() if msg]
        result["questions"][q["name"]] = {
            "score": min(score, float(q["points"])), "possible": float(q["points"]),
            "feedback": "all checks pass." if not failures else failures[0],
            "cases": {n: msg is None for n, msg in outcomes.items()},
        }
    result["cells"] = {"errors": {str(k): v for k, v in run.errors.items()},
                       "timed_out": None if run.timed_out_cell is None else run.timed_out_cell + 1,
                       "timed_out_source": (cells[run.timed_out_cell].strip().splitlines() or [""])[0][:80]
                       if run.timed_out_cell is not None and run.timed_out_cell < len(cells) else None,
                       "stopped": run.stopped, "finished": run.finished, "seconds": run.seconds}
    return result


def grade_submission(instructor_dir: Path, submission: Path, student: str, key: Optional[str],
                     limits: Optional[dict] = None, slot: int = 0, timeout: float = 900,
                     city: Optional[dict] = None, isolation: str = "bwrap") -> dict:
    """Grade one submission in a judge process of its own; every temporary file is removed on every way out.

    The city is the student's (from ``key``), or ``city`` (a spec such as ``{"residents": 10000,
    "seed": 7}``) when given, or the classroom city. ``isolation`` is the sandbox's (see
    :mod:`scored_site.sandbox`; ``"user"`` only inside a container made for one submission).
    """
    import shutil
    import subprocess

    from scored_site.exercises import GRADING_SPEC, _run_forked

    instructor_dir = Path(instructor_dir)
    spec = json.loads((instructor_dir / GRADING_SPEC).read_text())
    chapter = spec["chapter"]
    tmp = Path(tempfile.mkdtemp(prefix="scored-grade-"))
    try:
        job = {**spec, "submission": str(Path(submission).resolve()),
               "reference_cells": notebook_cells(instructor_dir / f"{chapter}.ipynb"),
               "city_spec": city if city is not None else city_spec(key, student),
               "capstone_spec": capstone_spec(key, student) if chapter == "capstone" else None, "limits": limits or {}, "slot": slot,
               "isolation": isolation}
        (tmp / "job.json").write_text(json.dumps(job))
        rc, output = _run_forked(main, ([str(tmp / "job.json"), str(tmp / "result.json")],), timeout, tmp,
                                 cwd=Path.cwd())
        try:
            return json.loads((tmp / "result.json").read_text())
        except (OSError, ValueError):
            reason = "timed out" if rc == -9 else f"the grader stopped (exit {rc})"
            last = [line for line in output.splitlines() if line.strip()][-1:] or [""]
            return {"status": "error", "error": f"{reason}: {last[0][:300]}", "questions": {}, "cells": {}}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if os.getuid() == 0 and tmp.exists():
            subprocess.run(["rm", "-rf", "--one-file-system", str(tmp)], check=False)


def main(argv: Optional[list[str]] = None) -> int:
    """The judge process's entry point, ``main([JOB.json, RESULT.json])`` (see :func:`grade_submission`); also
    ``python -m scored_site.grading JOB.json RESULT.json``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    job = json.loads(Path(argv[0]).read_text())
    started = time.perf_counter()
    try:
        result = judge(job)
    except Exception as error:  # noqa: BLE001 - reported, never a silent zero
        result = {"status": "error", "error": f"the grader failed: {type(error).__name__}: {error}",
                  "trace": traceback.format_exc()[-2000:], "questions": {}, "cells": {}}
    result["judge_seconds"] = round(time.perf_counter() - started, 2)
    Path(argv[1]).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
