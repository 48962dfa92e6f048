"""Scored's exercise framework: one source per chapter -> student and instructor versions, grading.

Sources are jupytext MyST-markdown notebooks in ``exercises/<chapter>.md`` written in otter-grader's
``otter assign`` format (``otter`` fenced blocks mark questions, solutions, tests, rubrics; see
``exercises/README.md``). For each source the build

1. validates it (:func:`check_sources`: every question has points; auto-graded ones have a
   solution and at least three checks; manual ones have a rubric),
2. converts it to ``.ipynb`` in a temporary directory, fixes the framework's settings (Python
   exception-based test files, our own init cell that imports the plain-language checker
   ``scored_checks``, an export cell without PDF),
3. runs ``otter assign`` (which also runs the solution against every test and fails otherwise),
4. writes ``<out>/<chapter>.zip`` (the student version, to hand out or publish), and, unless
   ``--student-only``, ``<out>/<chapter>/student/`` (notebook, ``tests/``, ``scored_checks.py``)
   and ``<out>/<chapter>/instructor/`` (solution notebook, all tests,
   ``<chapter>-autograder.zip``, ``rubrics.md``, ``manifest.json``).

Grading runs otter's local, Docker-free grader (the engine behind ``otter run``) once per
submission, in a subprocess with a time limit, and writes ``scores.csv`` plus plain-sentence
feedback per submission.

Commands::

    python -m scored_site.exercises check
    python -m scored_site.exercises build [--out _build/exercises] [--chapter CH] [--verify]
    python -m scored_site.exercises build --student-only --out _build/html/exercises
    python -m scored_site.exercises grade CH SUBMISSIONS_DIR [--out DIR] [--jobs N]
    python -m scored_site.exercises fingerprint "partly accurate"
"""

from __future__ import annotations

import argparse
import ast
import atexit
import concurrent.futures
import copy
import csv
import hashlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

REPO_ROOT = Path(__file__).resolve().parents[1]
EXERCISES_DIR = REPO_ROOT / "exercises"
DEFAULT_OUT = REPO_ROOT / "_build" / "exercises"
HELPER_SOURCE = Path(__file__).resolve().parent / "checks.py"
HELPER_NAME = "scored_checks.py"  # what notebooks and tests import: ``from scored_checks import ...``
MIN_CHECKS = 3  # test cases per auto-graded question
DEFAULT_TIMEOUT = 600  # seconds per submission when grading

#: Settings the framework owns; a source may not set them (see ``AUTHOR_KEYS``).
FRAMEWORK_CONFIG: dict[str, Any] = {
    "init_cell": False,  # we insert our own, importing the plain-language checker
    "check_all_cell": True,
    "export_cell": {
        "pdf": False,  # no LaTeX needed; students submit the zip (or the .ipynb)
        "run_tests": False,
        "instructions": "Submit the zip file it creates (or this .ipynb file) the way your "
                        "instructor asks.",
    },
    "tests": {"files": True, "ok_format": False},  # Python (exception-based) test files
    "generate": {"pdf": False},
    "run_tests": False,  # hidden tests need the grader (ref_ values); `build --verify` checks the solution
    "solutions_pdf": False,
    "template_pdf": False,
}
AUTHOR_KEYS = {"name", "files", "requirements", "seed", "show_question_points"}
#: Question settings read by Scored's grader and removed before otter sees the question.
GRADER_KEYS = {"objectives", "partial", "probes", "probe_setup"}

INIT_CELL = (
    "# Run this cell first. It sets up the checks: `grader.check(\"q1\")` tells you in a sentence\n"
    "# whether your answer to q1 is right yet.\n"
    "from scored_checks import Notebook\n"
    "grader = Notebook(\"{notebook}\")"
)

_BLOCK = re.compile(r"#\s+(begin|end)\s+(question|solution|tests|prompt)\b", re.IGNORECASE)
_CONFIG = re.compile(r"#\s+assignment\s+config\b", re.IGNORECASE)
_SOLUTION_LINE = re.compile(r"#\s?SOLUTION(\s+NO\s+PROMPT)?\s*$")
_BEGIN_SOLUTION_LINE = re.compile(r"^\s*#\s?BEGIN SOLUTION( NO PROMPT)?\s*$")
_END_SOLUTION_LINE = re.compile(r"^\s*#\s?END SOLUTION\s*$")
_QUESTION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SourceError(ValueError):
    """One or more exercise sources are malformed; ``problems`` lists each, with its location."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("exercise sources are not valid:\n" + "\n".join(f"  - {p}" for p in problems))


class BuildError(RuntimeError):
    """``otter assign`` failed for a chapter (for instance, the solution does not pass its tests)."""


# --------------------------------------------------------------------------------------------
# Reading and validating sources
# --------------------------------------------------------------------------------------------

@dataclass
class TestSpec:
    function: str
    params: list[str]
    hidden: bool
    points: Optional[float]
    code: str = ""


@dataclass
class Question:
    name: str
    points: Optional[float]
    manual: bool
    tests: list[TestSpec] = field(default_factory=list)
    solution_lines: list[str] = field(default_factory=list)  # solution code, markers removed
    prompt_lines: list[str] = field(default_factory=list)  # other code in answer cells (kept)
    solution_markdown: list[str] = field(default_factory=list)  # model answers / rubrics
    prompt_markdown: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)  # names the solution assigns or defines
    objectives: list[str] = field(default_factory=list)
    partial: dict[str, float] = field(default_factory=dict)  # rubric: test function -> points
    probes: dict[str, list[str]] = field(default_factory=dict)  # function -> argument expressions
    probe_setup: str = ""  # code run before the probe expressions (in the grader, trusted)

    @property
    def rubric(self) -> str:
        return "\n\n".join(self.solution_markdown)

    @property
    def variables(self) -> list[str]:
        """Names the tests read from the student's notebook."""
        names: list[str] = []
        for test in self.tests:
            names += [p for p in test.params if p != "env" and p not in names]
        return names


@dataclass
class Source:
    path: Path
    chapter: str
    notebook: Any  # nbformat.NotebookNode, fenced otter blocks turned into raw cells
    config: dict
    questions: list[Question]
    problems: list[str]

    @property
    def autograded(self) -> list[Question]:
        return [q for q in self.questions if not q.manual]

    @property
    def manual(self) -> list[Question]:
        return [q for q in self.questions if q.manual]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def discover(exercises_dir: Path = EXERCISES_DIR) -> list[Path]:
    """Every exercise source: ``exercises/*.md`` except README.md and files starting with ``_``."""
    return sorted(p for p in Path(exercises_dir).glob("*.md")
                  if p.name.lower() != "readme.md" and not p.name.startswith("_"))


def _source_lines(cell: Any) -> list[str]:
    return str(cell.get("source", "")).split("\n")


def _yaml(text: str) -> Any:
    import yaml

    return yaml.safe_load(text)


def _parse_test_cell(code: str) -> tuple[Optional[TestSpec], Optional[str]]:
    """Mirror otter assign's rules for an exception-based test cell; return (spec, problem)."""
    lines = code.split("\n")
    config: dict = {}
    hidden = False
    start = 0
    if lines and re.match(r'(?:.\s*=\s*)?""?"?\s*#\s*BEGIN\s*TEST\s*CONFIG', lines[0], re.IGNORECASE):
        end = next((i for i, line in enumerate(lines)
                    if re.match(r'""?"?\s*#\s*END\s*TEST\s*CONFIG', line, re.IGNORECASE)), None)
        if end is None:
            return None, "its TEST CONFIG block is not closed"
        try:
            config = _yaml("\n".join(lines[1:end])) or {}
        except Exception as error:
            return None, f"its TEST CONFIG is not valid YAML ({error})"
        if not isinstance(config, dict):
            return None, (f"its TEST CONFIG must be a mapping such as `hidden: true`, not a "
                          f"{type(config).__name__}")
        start = end + 1
    elif lines and lines[0].lstrip().startswith("#"):
        hidden = bool(re.search(r"\bhidden\b", lines[0], re.IGNORECASE))
    try:
        tree = ast.parse("\n".join(lines[start:]))
    except SyntaxError as error:
        return None, f"a test cell has a syntax error (line {error.lineno}: {error.msg})"
    body = tree.body
    if not body or not isinstance(body[0], ast.FunctionDef) or len(body) > 2:
        return None, ("each test cell must hold exactly one test function (optionally followed by a "
                      "call to it); put imports inside the function")
    func = body[0]
    params = [a.arg for a in func.args.args + func.args.kwonlyargs]
    points = config.get("points")
    return TestSpec(func.name, params, bool(config.get("hidden", hidden)), points,
                    "\n".join(lines[start:])), None


def _normalize_cells(nb: Any) -> Any:
    """Turn ```otter fenced blocks inside Markdown cells into raw cells, as otter assign does."""
    from otter.assign.blocks import extract_all_fenced_otter_cells

    nb = copy.deepcopy(nb)
    nb.cells = extract_all_fenced_otter_cells(nb.cells)
    return nb


def read_source(path: Path) -> Source:
    """Parse one source and collect every problem found in it (it does not raise)."""
    import jupytext

    path = Path(path)
    chapter = path.stem
    where = _rel(path)
    problems: list[str] = []
    try:
        nb = jupytext.read(path)
    except Exception as error:
        return Source(path, chapter, None, {}, [], [f"{where}: cannot be read as a notebook ({error})"])
    fmt = nb.metadata.get("jupytext", {}).get("text_representation", {}).get("format_name")
    if fmt != "myst":
        problems.append(f"{where}: is not a MyST notebook (jupytext read it as {fmt!r}): write code "
                        f"cells as ```{{code-cell}} ipython3 blocks and copy the header of an existing "
                        f"exercise")
    if not any(c.cell_type == "code" for c in nb.cells):
        problems.append(f"{where}: has no code cells: write code as ```{{code-cell}} ipython3 blocks "
                        f"(a plain ```python block is only text in a MyST notebook)")
    try:
        nb = _normalize_cells(nb)
    except Exception as error:
        return Source(path, chapter, nb, {}, [], problems + [f"{where}: {error}"])

    config: Optional[dict] = None
    questions: list[Question] = []
    question: Optional[Question] = None
    blocks: list[str] = []  # open nested blocks inside the current question

    def problem(text: str) -> None:
        label = f"{where}, question {question.name}" if question else where
        problems.append(f"{label}: {text}")

    for cell in nb.cells:
        first = _source_lines(cell)[0].strip() if cell.get("source") else ""
        if cell.cell_type == "raw" and _CONFIG.match(first):
            if config is not None:
                problem("more than one ASSIGNMENT CONFIG block")
            try:
                config = _yaml(cell.source) or {}
            except Exception as error:
                problem(f"the ASSIGNMENT CONFIG is not valid YAML ({error})")
                config = {}
            continue
        if cell.cell_type == "raw" and _BLOCK.match(first):
            kind, block = (s.lower() for s in _BLOCK.match(first).groups())
            if block == "question" and kind == "begin":
                if question is not None:
                    problem("a new question begins before this one ends (add `# END QUESTION`)")
                try:
                    qconf = _yaml(cell.source) or {}
                except Exception as error:
                    problems.append(f"{where}: a BEGIN QUESTION block is not valid YAML ({error})")
                    qconf = {}
                if not isinstance(qconf, dict):
                    problems.append(f"{where}: a BEGIN QUESTION block must be a mapping (name:, "
                                    f"points:, ...), not a {type(qconf).__name__}")
                    qconf = {}
                name = str(qconf.get("name", ""))
                question = Question(name or f"<unnamed #{len(questions) + 1}>", qconf.get("points"),
                                    bool(qconf.get("manual", False)))
                question.objectives = [str(o) for o in (qconf.get("objectives") or [])]
                question.partial = dict(qconf.get("partial") or {})
                question.probes = {str(k): [str(e) for e in v]
                                   for k, v in dict(qconf.get("probes") or {}).items()}
                question.probe_setup = str(qconf.get("probe_setup") or "")
                questions.append(question)
                blocks = []
                if not _QUESTION_NAME.match(name):
                    problem("needs a `name:` that is a Python identifier, such as q1")
                unknown = set(qconf) - {"name", "points", "manual", "check_cell", "export",
                                        "all_or_nothing"} - GRADER_KEYS
                if unknown:
                    problem(f"unknown question settings: {', '.join(sorted(unknown))}")
            elif block == "question":
                if question is None:
                    problems.append(f"{where}: `# END QUESTION` without a question")
                elif blocks:
                    problem(f"`# END QUESTION` while a {blocks[-1].upper()} block is still open")
                question, blocks = None, []
            elif question is None:
                problems.append(f"{where}: `# {kind.upper()} {block.upper()}` outside a question")
            elif kind == "begin":
                if blocks:
                    problem(f"a {block.upper()} block starts inside a {blocks[-1].upper()} block")
                blocks.append(block)
            else:
                if not blocks or blocks[-1] != block:
                    problem(f"`# END {block.upper()}` without a matching BEGIN")
                else:
                    blocks.pop()
            continue
        if cell.cell_type == "raw":
            continue
        source = str(cell.source)
        if cell.cell_type == "code" and re.search(r"\botter\.Notebook\(|^\s*grader\s*=", source, re.M):
            problem("do not create `grader` yourself: the build adds the init cell")
        if question is None:
            if cell.cell_type == "code" and _split_solution(source)[0]:
                problems.append(f"{where}: a `# SOLUTION` marker outside any question")
            continue
        in_block = blocks[-1] if blocks else None
        if in_block == "tests":
            if cell.cell_type != "code":
                problem("the TESTS block may contain only code cells")
                continue
            spec, issue = _parse_test_cell(source)
            if issue:
                problem(issue)
            else:
                question.tests.append(spec)
        elif in_block == "solution":
            if cell.cell_type == "markdown":
                question.solution_markdown.append(source.strip())
            else:
                solution, other = _split_solution(source)
                if not solution:
                    problem("a code cell in a SOLUTION block has no `# SOLUTION` marker and no "
                            "`# BEGIN SOLUTION` lines, so students would get it unchanged")
                question.solution_lines += solution
                question.prompt_lines += other
                question.answers += [n for n in _assigned_names(source) if n not in question.answers]
        elif cell.cell_type == "code":
            if _split_solution(source)[0]:
                problem("a code cell with solution markers must sit inside a `# BEGIN SOLUTION` / "
                        "`# END SOLUTION` block: otherwise otter keeps the solution in the student "
                        "version and locks the cell")
        elif cell.cell_type == "markdown":
            question.prompt_markdown.append(source.strip())

    if question is not None:
        problem("is never closed (add `# END QUESTION`)")
    if config is None:
        problems.append(f"{where}: no ASSIGNMENT CONFIG block; start the file with an ```otter block "
                        f"containing `# ASSIGNMENT CONFIG` and `name: {chapter}`")
        config = {}
    else:
        if config.get("name") != chapter:
            problems.append(f"{where}: ASSIGNMENT CONFIG `name` must be {chapter!r} (the file name), "
                            f"not {config.get('name')!r}")
        owned = sorted(set(config) - AUTHOR_KEYS)
        if owned:
            problems.append(f"{where}: ASSIGNMENT CONFIG sets {', '.join(owned)}, which the framework "
                            f"controls; allowed keys are {', '.join(sorted(AUTHOR_KEYS))}")
        for file in config.get("files", []) or []:
            if not _inside(path.parent, file):
                problems.append(f"{where}: support file {file!r} is outside the exercises folder; "
                                f"list files by a relative path inside it")
            elif not (path.parent / file).exists():
                problems.append(f"{where}: support file {file!r} not found next to the source")
    if not questions:
        problems.append(f"{where}: has no questions")

    seen: set[str] = set()
    for question in questions:
        label = f"{where}, question {question.name}"
        if question.name in seen:
            problems.append(f"{label}: the name is used twice")
        seen.add(question.name)
        if not isinstance(question.points, (int, float)) or isinstance(question.points, bool) \
                or question.points <= 0:
            problems.append(f"{label}: needs `points:` with a positive number")
        prefix = "capstone" if chapter == "capstone" else chapter[:4]
        if not question.objectives:
            problems.append(f"{label}: needs `objectives: [{prefix}-K]`, the learning objectives it "
                            f"assesses (K = position in the chapter's list)")
        for objective in question.objectives:
            if not re.fullmatch(rf"{re.escape(prefix)}-\d+", objective):
                problems.append(f"{label}: objective {objective!r} is not one of this chapter's "
                                f"({prefix}-1, {prefix}-2, ...)")
        if question.manual:
            if question.tests:
                problems.append(f"{label}: a manual question is graded by hand; remove its tests "
                                f"or drop `manual: true`")
            if not any(re.search(r"\brubric\b", md, re.IGNORECASE) for md in question.solution_markdown):
                problems.append(f"{label}: a manual question needs a rubric: a Markdown cell "
                                f"mentioning **Rubric** inside `# BEGIN SOLUTION` / `# END SOLUTION`")
        else:
            if not question.solution_lines:
                problems.append(f"{label}: has no solution (mark lines with `# SOLUTION` or wrap "
                                f"them in `# BEGIN SOLUTION` / `# END SOLUTION`)")
            public = [t for t in question.tests if not t.hidden]
            hidden = [t for t in question.tests if t.hidden]
            if not public:
                problems.append(f"{label}: needs at least one public check (type, shape, "
                                f"plausibility) so students get feedback")
            if not hidden:
                problems.append(f"{label}: needs at least one hidden test (`# HIDDEN` on its first "
                                f"line): only hidden tests carry points")
            for test in public:
                if any(p.startswith("ref_") for p in test.params):
                    problems.append(f"{label}: public check {test.function} reads a `ref_` value (an "
                                    f"expected answer); only hidden tests may")
                if "fingerprint(" in test.code:
                    problems.append(f"{label}: public check {test.function} compares a fingerprint: "
                                    f"a hash of a choice is an answer; make it a hidden test")
            unknown_tests = set(question.partial) - {t.function for t in hidden}
            if unknown_tests:
                problems.append(f"{label}: `partial:` names {', '.join(sorted(unknown_tests))}, "
                                f"which is not a hidden test")
            for func in question.probes:
                if func not in question.answers:
                    problems.append(f"{label}: `probes:` names {func!r}, which the solution does "
                                    f"not define")
            names = [t.function for t in question.tests]
            if len(set(names)) != len(names):
                problems.append(f"{label}: two test functions share a name")
    return Source(path, chapter, nb, config, questions, problems)


def _inside(folder: Path, relative: Any) -> bool:
    """Whether ``relative`` names a path inside ``folder`` (no absolute path, no ``..`` escape)."""
    if not isinstance(relative, str) or not relative or Path(relative).is_absolute():
        return False
    root = Path(folder).resolve()
    return (root / relative).resolve().is_relative_to(root)


def _assigned_names(source: str) -> list[str]:
    """Top-level names a solution cell assigns or defines (its answer variables)."""
    lines = []
    for line in source.split("\n"):
        if _BEGIN_SOLUTION_LINE.match(line) or _END_SOLUTION_LINE.match(line):
            continue
        lines.append(_SOLUTION_LINE.sub("", line))
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return []
    names: list[str] = []

    def targets(node: ast.AST) -> None:
        if isinstance(node, ast.Name):
            names.append(node.id)
        elif isinstance(node, (ast.Tuple, ast.List)):
            for elt in node.elts:
                targets(elt)

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                targets(target)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets(node.target)
    return list(dict.fromkeys(names))


def _split_solution(source: str) -> tuple[list[str], list[str]]:
    """(solution lines without markers, other lines) of a code cell in a SOLUTION block.

    Solution lines are those ending in ``# SOLUTION`` and those between ``# BEGIN SOLUTION`` and
    ``# END SOLUTION``; prompt-marker lines are dropped from both lists.
    """
    solution: list[str] = []
    other: list[str] = []
    inside = False
    for line in source.split("\n"):
        if _BEGIN_SOLUTION_LINE.match(line):
            inside = True
            continue
        if _END_SOLUTION_LINE.match(line):
            inside = False
            continue
        if re.search(r"#\s?(BEGIN|END) PROMPT\s*$", line):
            continue
        if _SOLUTION_LINE.search(line):
            solution.append(_SOLUTION_LINE.sub("", line).rstrip())
        elif inside and line.strip():
            solution.append(line.rstrip())
        elif line.strip():
            other.append(line.rstrip())
    return solution, other


def check_sources(paths: Optional[Iterable[Path]] = None) -> dict[str, Source]:
    """Validate every exercise source; raise :class:`SourceError` listing all problems."""
    paths = list(paths) if paths is not None else discover()
    if not paths:
        raise SourceError([f"no exercise sources found in {_rel(EXERCISES_DIR)}"])
    sources = {}
    problems: list[str] = []
    for path in paths:
        source = read_source(path)
        sources[source.chapter] = source
        problems += source.problems
    if problems:
        raise SourceError(problems)
    return sources


# --------------------------------------------------------------------------------------------
# Environment for kernels and otter
# --------------------------------------------------------------------------------------------

_KERNEL_DIRS: dict[str, str] = {}  # kernel launcher module -> a folder with a ``python3`` kernel spec using it
# Names the tests' warm server (scored_site.warm_kernels.ENV; not imported: the graders' bundle leaves it out).
WARM_KERNELS_ENV = "SCORED_WARM_KERNELS"


def retry_lost_kernel_start(run: Any, attempts: int = 3) -> Any:
    """``run()``, again (up to ``attempts`` in all) if its kernel died before it replied.

    A kernel that lost a race for a TCP port with another starting at the same moment dies before it runs any
    code, so starting another is safe even for a student's notebook. Anything else is a real failure.
    """
    for attempt in range(attempts):
        try:
            return run()
        except RuntimeError as error:
            if "Kernel died before replying" not in str(error) or attempt == attempts - 1:
                raise


def kernel_env() -> dict[str, str]:
    """Environment for otter and its kernels: the ``python3`` kernel is *this* interpreter.

    A kernelspec pointing at ``sys.executable`` is put first on ``JUPYTER_PATH`` (so a user-level
    ``python3`` kernel from another Python cannot win), and the repository root is put on
    ``PYTHONPATH`` so notebooks can ``import scored`` even from an uninstalled checkout. While the tests'
    warm server runs (``$SCORED_WARM_KERNELS``), the kernels are forked from it (:mod:`scored_site.warm_kernels`).
    """
    launcher = "scored_site.warm_kernels" if os.environ.get(WARM_KERNELS_ENV) else "ipykernel_launcher"
    if launcher not in _KERNEL_DIRS:
        folder = _KERNEL_DIRS[launcher] = tempfile.mkdtemp(prefix="scored-kernel-")
        atexit.register(shutil.rmtree, folder, True)
        spec_dir = Path(folder) / "kernels" / "python3"
        spec_dir.mkdir(parents=True)
        spec = {"argv": [sys.executable, "-m", launcher, "-f", "{connection_file}"],
                "display_name": "Python 3 (ipykernel)", "language": "python",
                "metadata": {"debugger": False}}
        (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [_KERNEL_DIRS[launcher], env.get("JUPYTER_PATH")]))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # no debugger warnings in outputs
    return env


# What every grading process imports before it starts (otter for the public checks; pandas and the toolkit for
# the judge): loaded once in a fork server, so each submission's process starts from a copy of it instead of
# importing them again (about a second of CPU for otter).
_GRADER_PRELOAD = ["otter.api", "otter.assign", "nbformat", "scored_site.checks", "scored.world", "scored_site.grading",
                   "scored_site.sandbox", "scored_site.runner"]


def _forked_entry(function: Any, args: tuple, env: dict[str, str], work: str, cwd: str) -> None:
    """In the forked child: its own process group, the kernel environment, working directory ``cwd``,
    temporary files in ``work``/tmp and output in ``work``/output.log."""
    os.setsid()
    os.environ.clear()
    os.environ.update(env, TMPDIR=os.path.join(work, "tmp"))
    tempfile.tempdir = None  # read $TMPDIR again: the server may have looked it up before
    os.chdir(cwd)
    log = os.open(os.path.join(work, "output.log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    function(*args)


def _fork_server() -> Any:
    """The multiprocessing context of this process's fork server, started with :data:`_GRADER_PRELOAD` on first
    use. Its socket lives in the temporary folder of that moment, for as long as this process."""
    import multiprocessing
    import multiprocessing.forkserver

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_GRADER_PRELOAD)
    multiprocessing.forkserver.ensure_running()
    return context


# Process.start() reads the exit status of every other running process it started, to reap them; a thread that
# reads its own at the same moment finds the status gone (the fork server sends it once) and multiprocessing then
# reports exit code 255 for a process that succeeded (7 in 300 short jobs on 6 threads). Starting and reading
# a status only under this lock, and waiting without reading, keeps the two apart.
_EXIT_STATUS_LOCK = threading.Lock()


def _run_forked(function: Any, args: tuple, timeout: Optional[float], work: Path,
                cwd: Path = REPO_ROOT) -> tuple[int, str]:
    """``function(*args)`` in a fresh process forked from a server with :data:`_GRADER_PRELOAD` imported.

    One process per call, killed with its process group on time-out. ``work`` is a folder the caller removes
    afterwards, whatever happened: the process keeps its temporary files in ``work``/tmp. Returns (exit code,
    output).

    As with any multiprocessing code, a script that grades must call it under
    ``if __name__ == "__main__":`` (each process imports the script again); the command line does.
    """
    from multiprocessing.connection import wait

    (work / "tmp").mkdir()
    process = _fork_server().Process(target=_forked_entry, args=(function, args, kernel_env(), str(work), str(cwd)))
    with _EXIT_STATUS_LOCK:
        process.start()
    timed_out = not wait([process.sentinel], timeout)  # waits without reading the exit status
    if timed_out:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:  # killed before it made its own group
            process.kill()
    with _EXIT_STATUS_LOCK:
        process.join()
    try:
        output = (work / "output.log").read_text(errors="replace")
    except OSError:
        output = ""
    if timed_out:
        return -9, output + f"\n[timed out after {timeout:g} s]"
    return (process.exitcode if process.exitcode is not None else -1), output


def _rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------------------------

@dataclass
class BuiltChapter:
    chapter: str
    root: Path
    assign_seconds: float

    @property
    def student_dir(self) -> Path:
        return self.root / "student"

    @property
    def instructor_dir(self) -> Path:
        return self.root / "instructor"

    @property
    def student_notebook(self) -> Path:
        return self.student_dir / f"{self.chapter}.ipynb"

    @property
    def solution_notebook(self) -> Path:
        return self.instructor_dir / f"{self.chapter}.ipynb"

    @property
    def autograder_zip(self) -> Path:
        return self.instructor_dir / f"{self.chapter}-autograder.zip"

    @property
    def checks_zip(self) -> Path:
        """The autograder with the public checks only (for ``grade_checks``)."""
        return self.instructor_dir / f"{self.chapter}-public-checks.zip"

    @property
    def student_zip(self) -> Path:
        """The archive to hand out (the student folder), next to the chapter's directory."""
        return self.root.parent / f"{self.chapter}.zip"

    @property
    def manifest(self) -> dict:
        return json.loads((self.instructor_dir / "manifest.json").read_text())


def _master_notebook(source: Source) -> Any:
    """The notebook handed to otter assign: framework config merged in, our init cell added."""
    import nbformat

    nb = copy.deepcopy(source.notebook)
    config = {**FRAMEWORK_CONFIG, **{k: v for k, v in source.config.items()}}
    config["files"] = [HELPER_NAME] + list(source.config.get("files", []) or [])
    import yaml

    cells = []
    for cell in nb.cells:
        first = _source_lines(cell)[0].strip()
        if cell.cell_type == "raw" and _CONFIG.match(first):
            continue
        if cell.cell_type == "raw" and re.match(r"#\s+begin\s+question\b", first, re.IGNORECASE):
            # Scored's own question settings are not otter's: otter must never see them.
            qconf = {k: v for k, v in (_yaml(cell.source) or {}).items() if k not in GRADER_KEYS}
            cell = nbformat.v4.new_raw_cell("# BEGIN QUESTION\n" + yaml.safe_dump(qconf, sort_keys=False))
        cells.append(cell)
    config_cell = nbformat.v4.new_raw_cell("# ASSIGNMENT CONFIG\n" + yaml.safe_dump(config, sort_keys=False))
    init = nbformat.v4.new_code_cell(INIT_CELL.format(notebook=f"{source.chapter}.ipynb"))
    init.metadata.update({"editable": False, "deletable": False})
    first_code = next((i for i, c in enumerate(cells) if c.cell_type == "code"), len(cells))
    cells.insert(first_code, init)
    nb.cells = [config_cell] + cells
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def _rubrics_markdown(source: Source) -> str:
    lines = [f"# {source.chapter}: rubrics for the hand-graded questions", "",
             f"Generated from `{_rel(source.path)}`. Not part of the student version.", ""]
    if not source.manual:
        lines.append("This chapter has no hand-graded questions.")
    for q in source.manual:
        lines += [f"## {q.name} ({q.points:g} points)", "", "### Prompt", ""]
        lines += [md for md in q.prompt_markdown if md] + ["", "### Rubric and model answer", ""]
        lines += q.solution_markdown + [""]
    return "\n".join(lines).rstrip() + "\n"


def _public_checks_zip(built: "BuiltChapter") -> None:
    """The autograder with the student's public checks only (what ``grade_checks`` runs; no marks)."""
    with zipfile.ZipFile(built.autograder_zip) as src, \
            zipfile.ZipFile(built.checks_zip, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if not item.filename.startswith("tests/"):
                dst.writestr(item, src.read(item.filename))
        for test in sorted((built.student_dir / "tests").glob("*.py")):
            dst.write(test, f"tests/{test.name}")


GRADING_SPEC = "grading.json"  # hidden tests, answer variables, probes: the instructor build only


def grading_spec(source: Source) -> dict:
    """What the grader needs besides the reference notebook (see :mod:`scored_site.grading`)."""
    answers: list[str] = []
    for q in source.autograded:
        answers += [n for n in q.answers if n not in answers]
    return {
        "chapter": source.chapter,
        "answers": answers,
        "probes": {f: e for q in source.autograded for f, e in q.probes.items()},
        "probe_setup": {f: q.probe_setup for q in source.autograded for f in q.probes},
        "questions": [{"name": q.name, "points": q.points, "partial": q.partial,
                       "objectives": q.objectives,
                       "tests": [{"name": t.function, "params": t.params, "code": t.code}
                                 for t in q.tests if t.hidden]}
                      for q in source.autograded],
    }


def _zip_dir(directory: Path, target: Path, arc_root: str) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(directory.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                zf.write(file, f"{arc_root}/{file.relative_to(directory).as_posix()}")


def _otter_version() -> str:
    from importlib.metadata import version

    return version("otter-grader")


def build_chapter(source: Source, out: Path = DEFAULT_OUT, student_only: bool = False) -> BuiltChapter:
    """Build one chapter (see module docstring); raises :class:`BuildError` if otter assign fails.

    ``student_only`` writes only the student archive ``<out>/<chapter>.zip``: use it for anything
    published (the book's download links), since the instructor directory holds solutions and
    rubrics.
    """
    import nbformat

    out = Path(out)
    work = Path(tempfile.mkdtemp(prefix=f"scored-{source.chapter}-"))
    try:
        master_dir = work / "master"
        master_dir.mkdir()
        master = master_dir / f"{source.chapter}.ipynb"
        nbformat.write(_master_notebook(source), master)
        shutil.copy(HELPER_SOURCE, master_dir / HELPER_NAME)
        for file in source.config.get("files", []) or []:
            if not _inside(source.path.parent, file):
                raise SourceError([f"{_rel(source.path)}: support file {file!r} is outside the "
                                   f"exercises folder"])
            src = source.path.parent / file
            dst = master_dir / file
            dst.parent.mkdir(parents=True, exist_ok=True)
            (shutil.copytree if src.is_dir() else shutil.copy)(src, dst)
        result = work / "result"
        started = time.perf_counter()
        # otter assign changes the working folder, so it runs in a process of its own: forked from the fork
        # server that has otter imported already (a new Python would spend about a second importing it).
        rc, output = _run_forked(_otter_assign, (master, result), DEFAULT_TIMEOUT, work)
        seconds = time.perf_counter() - started
        if rc != 0:
            tail = "\n".join(line for line in output.splitlines()[-40:] if "WARNING | Kernel" not in line)
            raise BuildError(f"otter assign failed for {source.chapter} (exit {rc}); its output "
                             f"ends with:\n{tail}")

        for cache in result.rglob("__pycache__"):
            shutil.rmtree(cache, ignore_errors=True)
        dest = out / source.chapter
        built = BuiltChapter(source.chapter, dest, seconds)
        out.mkdir(parents=True, exist_ok=True)
        from .kit import exercise_readme  # how to install the student kit and open this notebook
        (result / "student" / "README.md").write_text(exercise_readme(source.chapter), encoding="utf-8")
        _zip_dir(result / "student", built.student_zip, source.chapter)
        if student_only:
            return built
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        shutil.move(str(result / "student"), dest / "student")
        shutil.move(str(result / "autograder"), dest / "instructor")
        zips = list(built.instructor_dir.glob(f"{source.chapter}-autograder_*.zip"))
        if len(zips) != 1:
            raise BuildError(f"expected one autograder zip for {source.chapter}, found {len(zips)}")
        zips[0].rename(built.autograder_zip)
        _public_checks_zip(built)
        # The solution notebook's check cells run the public checks, as the student's do; the hidden
        # tests need the grader (ref_ values) and live in grading.json and the autograder zip.
        shutil.rmtree(built.instructor_dir / "tests")
        shutil.copytree(built.student_dir / "tests", built.instructor_dir / "tests")
        (built.instructor_dir / "rubrics.md").write_text(_rubrics_markdown(source))
        manifest = {
            "chapter": source.chapter,
            "source": _rel(source.path),
            "source_sha256": source.sha256,
            "helper_sha256": hashlib.sha256(HELPER_SOURCE.read_bytes()).hexdigest(),
            "otter_grader": _otter_version(),
            "autograder_zip": built.autograder_zip.name,
            "questions": [{"name": q.name, "points": q.points, "manual": q.manual,
                           "checks": len(q.tests), "variables": q.variables,
                           "objectives": q.objectives}
                          for q in source.questions],
            "auto_points": sum(q.points for q in source.autograded),
            "manual_points": sum(q.points for q in source.manual),
        }
        (built.instructor_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        (built.instructor_dir / GRADING_SPEC).write_text(json.dumps(grading_spec(source), indent=2) + "\n")
        return built
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _otter_assign(master: Path, result: Path) -> None:
    """``otter assign --no-pdfs master result`` (in a process of its own: see build_chapter)."""
    from otter.assign import main as assign

    assign(str(master), str(result), no_pdfs=True)


def build(out: Path = DEFAULT_OUT, chapters: Optional[Iterable[str]] = None,
          jobs: Optional[int] = None, verify: bool = False, student_only: bool = False,
          log=print) -> dict[str, BuiltChapter]:
    """Validate all sources, then build the requested chapters (default: all) in parallel.

    Each chapter's ``otter assign`` runs in a process forked from the grading fork server, so a script that builds
    must call this under ``if __name__ == "__main__":``, as for grading (see :func:`_run_forked`)."""
    if not student_only and "html" in Path(out).resolve().parts:
        log(f"WARNING: {_rel(Path(out))} looks like part of the published site, and the instructor "
            f"versions (solutions, rubrics, autograder) are written there too. Use --student-only "
            f"for anything that is published.")
    sources = check_sources()
    wanted = list(chapters) if chapters else list(sources)
    unknown = [c for c in wanted if c not in sources]
    if unknown:
        raise SourceError([f"no exercise source for chapter {c!r} (have: {', '.join(sources)})"
                           for c in unknown])
    jobs = max(1, jobs or min(len(wanted), os.cpu_count() or 1))
    built: dict[str, BuiltChapter] = {}
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        futures = {pool.submit(build_chapter, sources[c], Path(out), student_only): c for c in wanted}
        for future in concurrent.futures.as_completed(futures):
            done = future.result()
            built[done.chapter] = done
            log(f"{done.chapter}: built in {done.assign_seconds:.1f} s (otter assign) "
                f"-> {_rel(done.student_zip if student_only else done.root)}")
    if verify and not student_only:
        for chapter in wanted:
            problems = verify_chapter(built[chapter], log=log)
            if problems:
                raise BuildError(f"{chapter} failed verification:\n" + "\n".join(problems))
    return {c: built[c] for c in wanted}


def student_builds(built: BuiltChapter, key: str, students: Sequence[str]) -> Path:
    """One archive per student, ``<out>/students/<student>/<chapter>.zip``: the student version plus
    ``scored_city.json`` (their city, derived from the key) and, for the capstone, their sealed
    ``scored_capstone.json``. The notebook's first cell sets them up (``scored_checks.use_own_city``).
    """
    from scored_site import checks, grading

    root = built.root.parent / "students"
    for student in students:
        target = root / _safe(student) / f"{built.chapter}.zip"
        target.parent.mkdir(parents=True, exist_ok=True)
        _zip_dir(built.student_dir, target, built.chapter)
        with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"{built.chapter}/{checks.CITY_FILE}",
                        json.dumps(grading.city_spec(key, student)) + "\n")
            if built.chapter == "capstone":
                zf.writestr(f"{built.chapter}/{checks.CAPSTONE_FILE}",
                            json.dumps(grading.capstone_spec(key, student)) + "\n")
    return root


def read_roster(path: Path) -> list[str]:
    """Student identifiers, one a line (the first column of a CSV; a header line is skipped)."""
    ids = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        first = line.split(",")[0].strip().strip('"')
        if first and first.lower() not in ("id", "student", "student id", "identifier"):
            ids.append(first)
    if not ids:
        raise ValueError(f"the roster {path} lists no students")
    return ids


def verify_chapter(built: BuiltChapter, log=print) -> list[str]:
    """Grade the solution (must score 100%) and the untouched student notebook (must score 0)."""
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "submissions"
        subs.mkdir()
        shutil.copy(built.solution_notebook, subs / "solution.ipynb")
        shutil.copy(built.student_notebook, subs / "untouched-student.ipynb")
        report = grade(built.chapter, subs, build_dir=built.root.parent, out=Path(tmp) / "grades",
                       log=lambda *_: None, cell_timeout=120)
        for row in report.results:
            for q, r in row["questions"].items():
                if row["submission"] == "solution" and r["score"] != r["possible"]:
                    problems.append(f"solution scores {r['score']}/{r['possible']} on {q}")
                if row["submission"] == "untouched-student" and r["score"] != 0:
                    problems.append(f"the untouched student notebook scores {r['score']} on {q}")
            if row["status"] != "graded":
                problems.append(f"{row['submission']}: {row['error']}")
    log(f"{built.chapter}: verified (solution 100%, untouched student version 0)"
        if not problems else f"{built.chapter}: verification FAILED")
    return problems


# --------------------------------------------------------------------------------------------
# Grading
# --------------------------------------------------------------------------------------------

@dataclass
class GradeReport:
    chapter: str
    csv_path: Path
    results: list[dict]  # one dict per submission (see _grade_one)
    out_dir: Path


def _manifest_is_current(built: BuiltChapter) -> bool:
    try:
        manifest = built.manifest
    except (OSError, ValueError):
        return False
    source = EXERCISES_DIR / f"{built.chapter}.md"
    return (built.autograder_zip.exists() and source.exists()
            and manifest.get("source_sha256") == hashlib.sha256(source.read_bytes()).hexdigest()
            and manifest.get("helper_sha256") == hashlib.sha256(HELPER_SOURCE.read_bytes()).hexdigest())


def grade(chapter: str, submissions: Path, build_dir: Path = DEFAULT_OUT,
          out: Optional[Path] = None, jobs: Optional[int] = None,
          timeout: float = DEFAULT_TIMEOUT, keep_executed: bool = False, log=print,
          key: Optional[str] = None, cell_timeout: float = 60.0) -> GradeReport:
    """Grade every submission in ``submissions`` (any layout :mod:`scored_site.gradebook` reads).

    Each runs in the sandbox, on the student's own city when an instructor ``key`` is given, and is
    judged by the hidden tests outside it (:mod:`scored_site.grading`). Writes into ``out``:
    ``scores.csv`` (one row per student: points per question, automatic total, hand-graded points
    from ``manual.csv``, grand total, flags), ``gradebook.csv`` (to import into Canvas, or Moodle's
    gradebook), ``moodle-worksheet.csv`` (for a Moodle download: the assignment's grading worksheet),
    ``manual.csv`` (created once; type the hand-graded points there, re-grading keeps them),
    ``feedback/<student>.md``, ``written/<question>.md`` and ``results/<student>.json``.
    """
    from scored_site import gradebook, grading

    build_dir, submissions = Path(build_dir), Path(submissions)
    built = BuiltChapter(chapter, build_dir / chapter, 0.0)
    if not _manifest_is_current(built) or not (built.instructor_dir / GRADING_SPEC).exists():
        if (EXERCISES_DIR / f"{chapter}.md").exists():
            log(f"{chapter}: no current build in {_rel(build_dir)}; building it first")
            built = build(build_dir, [chapter], log=log)[chapter]
        elif not built.autograder_zip.exists():
            raise FileNotFoundError(f"no exercise {chapter!r}: neither {_rel(EXERCISES_DIR)}/"
                                    f"{chapter}.md nor a build in {_rel(build_dir)}")
    manifest = built.manifest
    subs = gradebook.collect(submissions)

    out = Path(out) if out else built.root / "grades"
    for sub in ("results", "feedback", "written"):
        shutil.rmtree(out / sub, ignore_errors=True)
        (out / sub).mkdir(parents=True, exist_ok=True)
    (out / "moodle-worksheet.csv").unlink(missing_ok=True)  # written again if this batch is Moodle's
    manual = [q for q in manifest["questions"] if q["manual"]]
    auto = [q for q in manifest["questions"] if not q["manual"]]
    manual_path = out / "manual.csv"
    typed = gradebook.read_manual(manual_path, [q["name"] for q in manual])
    for student in typed:  # a typo in the hand-graded points stops us before the batch, not after
        gradebook.hand_points(typed, student, manual)
    limits = {"cell_seconds": cell_timeout, "total_seconds": timeout}
    jobs = max(1, jobs or min(len(subs), os.cpu_count() or 1))
    slots = list(range(jobs))
    lock = __import__("threading").Lock()

    def one(sub) -> dict:
        with lock:
            slot = slots.pop()
        started = time.perf_counter()
        try:
            with tempfile.TemporaryDirectory(prefix="scored-unpack-") as tmp:
                try:
                    notebook = gradebook.notebook_of(sub, Path(tmp))
                    result = grading.grade_submission(built.instructor_dir, notebook, sub.student, key,
                                                      limits, slot, timeout=timeout + 120)
                    result["written"] = gradebook.written_answers(notebook, [q["name"] for q in manual])
                except Exception as error:  # a broken file must not stop the batch
                    result = {"status": "error", "error": f"{type(error).__name__}: {error}",
                              "questions": {}, "cells": {}}
        finally:
            with lock:
                slots.append(slot)
        result.update(submission=sub.student, file=str(sub.path.name), layout=sub.layout,
                      seconds=round(time.perf_counter() - started, 2))
        (out / "results" / f"{_safe(sub.student)}.json").write_text(json.dumps(result, indent=2) + "\n")
        return result

    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        results = list(pool.map(one, subs))

    gradebook.write_manual_template(manual_path, [r["submission"] for r in results], manual)
    typed = gradebook.read_manual(manual_path, [q["name"] for q in manual])
    possible = manifest["auto_points"] + manifest["manual_points"]
    csv_path = out / "scores.csv"
    moodle: list[tuple[str, float, str]] = []
    with open(csv_path, "w", newline="") as f, open(out / "gradebook.csv", "w", newline="") as g:
        writer = csv.writer(f)
        writer.writerow(["student", "status"] + [q["name"] for q in auto] + ["auto_total"]
                        + [f"{q['name']} (by hand)" for q in manual] + ["hand_total", "total", "possible",
                                                                        "flags"])
        lms = csv.writer(g)
        column = f"{chapter} ({_num(possible)} points)"
        lms.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column])
        for r in results:
            scores = [r["questions"].get(q["name"], {}).get("score", 0) for q in auto]
            hand = gradebook.hand_points(typed, r["submission"], manual)
            auto_total = sum(scores)
            hand_total = sum(h for h in hand if h is not None)
            writer.writerow([r["submission"], r["status"]] + [_num(s) for s in scores] + [_num(auto_total)]
                            + ["" if h is None else _num(h) for h in hand]
                            + [_num(hand_total), _num(auto_total + hand_total), _num(possible), _flags(r)])
            lms.writerow(["", r["submission"], "", "", "", _num(auto_total + hand_total)])
            if r.get("layout") == "moodle":
                ungraded = sum(h is None for h in hand)
                comment = (f"Automatic {_num(auto_total)} of {_num(manifest['auto_points'])}, by hand "
                           f"{_num(hand_total)} of {_num(manifest['manual_points'])}"
                           + (f" ({ungraded} written answer(s) not yet graded)" if ungraded else "") + ".")
                moodle.append((r["submission"], auto_total + hand_total, comment))
    if moodle:
        gradebook.write_moodle_worksheet(out / "moodle-worksheet.csv", moodle,
                                         time.strftime("%Y-%m-%d %H:%M"))
    for r in results:
        (out / "feedback" / f"{_safe(r['submission'])}.md").write_text(_feedback_markdown(r, manifest))
    for q in manual:
        lines = [f"# {chapter}, {q['name']} ({_num(q['points'])} points): written answers", ""]
        for r in sorted(results, key=lambda r: r["submission"]):
            text = (r.get("written") or {}).get(q["name"], "").strip() or "*(no answer)*"
            lines += [f"## {r['submission']}", "", text, ""]
        (out / "written" / f"{q['name']}.md").write_text("\n".join(lines))
    log(f"{chapter}: graded {len(results)} submission(s) -> {_rel(csv_path)}")
    for r in results:
        total = sum(q.get("score", 0) for q in r["questions"].values())
        state = r["status"] if r["status"] != "graded" else f"{_num(total)}/{_num(manifest['auto_points'])}"
        log(f"  {r['submission']}: {state}" + (f" ({r['error']})" if r.get("error") else "")
            + (f" [{_flags(r)}]" if _flags(r) else ""))
    return GradeReport(chapter, csv_path, results, out)


def grade_checks(chapter: str, submissions: Path, build_dir: Path = DEFAULT_OUT,
          out: Optional[Path] = None, jobs: Optional[int] = None,
          timeout: float = DEFAULT_TIMEOUT, keep_executed: bool = False, log=print) -> GradeReport:
    """Run the *public checks* on every ``*.ipynb`` / ``*.zip`` with otter's local grader (no marks).

    For authors and the exercise tests: what each check tells a student about each notebook. It runs
    student code unsandboxed, inside the kernel, so it never gives marks; :func:`grade` does.

    Writes ``<out>/scores.csv`` (one row per submission; manual questions left blank for the
    grader), ``<out>/feedback/<submission>.md`` (plain sentences) and
    ``<out>/results/<submission>.json``; with ``keep_executed`` also the executed notebooks.
    Rebuilds the chapter first if it was never built or its source changed.
    """
    build_dir, submissions = Path(build_dir), Path(submissions)
    built = BuiltChapter(chapter, build_dir / chapter, 0.0)
    if not _manifest_is_current(built):
        if (EXERCISES_DIR / f"{chapter}.md").exists():
            log(f"{chapter}: no current build in {_rel(build_dir)}; building it first")
            built = build(build_dir, [chapter], log=log)[chapter]
        elif not built.autograder_zip.exists():
            raise FileNotFoundError(f"no exercise {chapter!r}: neither {_rel(EXERCISES_DIR)}/"
                                    f"{chapter}.md nor a build in {_rel(build_dir)}")
    manifest = built.manifest
    if not submissions.is_dir():
        raise FileNotFoundError(f"submissions directory not found: {submissions}")
    files = sorted(p for p in submissions.iterdir()
                   if p.suffix.lower() in (".ipynb", ".zip") and not p.name.startswith("."))
    if not files:
        raise FileNotFoundError(f"no .ipynb or .zip submissions in {submissions}")
    stems = [p.stem for p in files]
    ids = [p.name if stems.count(p.stem) > 1 else p.stem for p in files]

    out = Path(out) if out else built.root / "grades"
    for sub in ("results", "feedback", "executed"):
        shutil.rmtree(out / sub, ignore_errors=True)
    (out / "results").mkdir(parents=True, exist_ok=True)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    if keep_executed:
        (out / "executed").mkdir(parents=True, exist_ok=True)

    def one(path: Path, ident: str) -> dict:
        result_json = out / "results" / f"{ident}.json"
        executed = out / "executed" / f"{ident}.ipynb" if keep_executed else None
        started = time.perf_counter()
        # The student's kernel may outlive a time-out by a second (it stops when its parent has gone).
        with tempfile.TemporaryDirectory(prefix="scored-checks-", ignore_cleanup_errors=True) as work:
            rc, output = _run_forked(_grade_one, (built.checks_zip, path, result_json, executed), timeout,
                                     Path(work))
        try:
            result = json.loads(result_json.read_text())
        except (OSError, ValueError):
            reason = "timed out" if rc == -9 else f"the grader stopped (exit {rc})"
            last = [line for line in output.splitlines() if line.strip()][-1:] or [""]
            result = {"status": "error", "error": f"{reason}: {last[0][:300]}", "questions": {}}
        result["submission"] = ident
        result["file"] = path.name
        result["seconds"] = round(time.perf_counter() - started, 2)
        result_json.write_text(json.dumps(result, indent=2) + "\n")
        return result

    jobs = max(1, jobs or min(len(files), os.cpu_count() or 1))
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        results = list(pool.map(one, files, ids))

    auto = [q for q in manifest["questions"] if not q["manual"]]
    manual = [q for q in manifest["questions"] if q["manual"]]
    csv_path = out / "scores.csv"
    moodle: list[tuple[str, float, str]] = []
    with open(csv_path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["submission", "status"] + [q["name"] for q in auto]
                        + ["auto_total", "auto_possible"]
                        + [f"{q['name']} (manual, /{q['points']:g})" for q in manual] + ["note"])
        for r in results:
            scores = [r["questions"].get(q["name"], {}).get("score", 0) for q in auto]
            writer.writerow([r["submission"], r["status"]] + [_num(s) for s in scores]
                            + [_num(sum(scores)), _num(manifest["auto_points"])]
                            + ["" for _ in manual] + [r.get("error", "")])
    for r in results:
        (out / "feedback" / f"{r['submission']}.md").write_text(_feedback_markdown(r, manifest))
    log(f"{chapter}: graded {len(results)} submission(s) -> {_rel(csv_path)}")
    for r in results:
        total = sum(q.get("score", 0) for q in r["questions"].values())
        state = r["status"] if r["status"] != "graded" else f"{_num(total)}/{_num(manifest['auto_points'])}"
        log(f"  {r['submission']}: {state}" + (f" ({r['error']})" if r.get("error") else ""))
    return GradeReport(chapter, csv_path, results, out)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.@-]", "_", name)[:100] or "_"


def _flags(result: dict) -> str:
    cells = result.get("cells") or {}
    flags = []
    if cells.get("timed_out"):
        flags.append(f"cell {cells['timed_out']} timed out")
    if cells.get("errors"):
        flags.append("errors in cell " + ", ".join(str(int(k) + 1) for k in cells["errors"]))
    if result.get("status") != "graded":
        flags.append("not graded")
    return "; ".join(flags)


def _num(value: float) -> str:
    return f"{value:.4g}" if isinstance(value, float) and not float(value).is_integer() else f"{value:g}"


def _feedback_markdown(result: dict, manifest: dict) -> str:
    lines = [f"# {manifest['chapter']}: feedback for {result['submission']}", ""]
    if result["status"] != "graded":
        lines += [f"This submission could not be graded automatically: {result.get('error', '')}",
                  "Please contact your instructor.", ""]
        return "\n".join(lines)
    cells = result.get("cells") or {}
    if cells.get("timed_out"):
        lines += [f"Cell {cells['timed_out']} (`{cells.get('timed_out_source') or ''}`) ran too long and "
                  f"was stopped; the answers you gave before it count, later ones could not run.", ""]
    elif cells.get("stopped") and not cells.get("finished"):
        lines += [f"The notebook could not run to its end ({cells['stopped']}); the answers given before that "
                  "count.", ""]
    if cells.get("errors"):
        lines += ["These cells stopped with an error: " + "; ".join(
            f"cell {int(k) + 1}: {v}" for k, v in cells["errors"].items()), ""]
    for q in manifest["questions"]:
        if q["manual"]:
            lines.append(f"- **{q['name']}** ({q['points']:g} points): graded by hand.")
            continue
        r = result["questions"].get(q["name"], {})
        text = " ".join(r.get("feedback", "").split("\n"))
        text = text[len(q["name"]) + 2:] if text.startswith(f"{q['name']}: ") else text
        lines.append(f"- **{q['name']}** ({_num(r.get('score', 0))}/{_num(q['points'])}): {text}")
    return "\n".join(lines) + "\n"


def _prepare_submission(path: Path, workdir: Path) -> Path:
    """Copy the submission; point a notebook at the ``python3`` kernel whatever it was saved with."""
    import nbformat

    target = workdir / path.name
    shutil.copy(path, target)
    if target.suffix.lower() == ".ipynb":
        nb = nbformat.read(target, as_version=4)
        nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                     "name": "python3"}
        nbformat.write(nb, target)
    return target


def _grade_one(autograder_zip: Path, submission: Path, result_json: Path,
               executed: Optional[Path] = None) -> None:
    """Grade one submission with otter, write a small JSON result (in a process of its own: see grade_checks)."""
    import nbformat
    from otter.api import grade_submission

    from scored_site.checks import summarize  # the same formatter students see

    result: dict[str, Any] = {"status": "graded", "questions": {}}
    try:
        with tempfile.TemporaryDirectory(prefix="scored-grade-") as tmp:
            sub = _prepare_submission(Path(submission), Path(tmp))
            graded = retry_lost_kernel_start(lambda: grade_submission(str(sub), str(autograder_zip), quiet=True))
        if graded.catastrophic_error is not None:
            result = {"status": "error", "error": f"otter could not grade it: {graded.catastrophic_error}",
                      "questions": {}}
        for name, test_file in sorted(graded.results.items()):
            summary = summarize(test_file, name)
            result["questions"][name] = {
                "score": test_file.score, "possible": test_file.possible,
                "feedback": str(summary), "cases": summary.case_passed,
            }
        if executed is not None and graded.notebook is not None:
            nbformat.write(graded.notebook, str(executed))
    except Exception as error:  # a broken file must not stop the batch
        result = {"status": "error", "error": f"{type(error).__name__}: {error}", "questions": {}}
    Path(result_json).write_text(json.dumps(result, indent=2) + "\n")


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------

def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scored_site.exercises",
                                     description="Build and grade Scored's exercise notebooks.")
    sub = parser.add_subparsers(dest="command", required=True,
                                metavar="{check,build,grade,fingerprint}")
    sub.add_parser("check", help="validate every exercise source")
    p = sub.add_parser("build", help="generate student and instructor versions")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default: %(default)s)")
    p.add_argument("--chapter", action="append", help="only this chapter (repeatable)")
    p.add_argument("--jobs", type=int, help="chapters built in parallel (default: CPU count)")
    p.add_argument("--verify", action="store_true",
                   help="also grade the solution (must be 100%%) and the untouched student version (must be 0)")
    p.add_argument("--student-only", action="store_true",
                   help="write only the student archives <out>/<chapter>.zip (for the published site)")
    p.add_argument("--roster", type=Path, help="student ids, one a line: also write each student's own "
                   "archive <out>/students/<id>/<chapter>.zip (needs the instructor key)")
    p.add_argument("--key-file", type=Path, help="instructor key (default: $SCORED_INSTRUCTOR_KEY)")
    p = sub.add_parser("grade", help="grade submitted notebooks into a CSV")
    p.add_argument("chapter")
    p.add_argument("submissions", type=Path, help="directory of .ipynb or .zip submissions")
    p.add_argument("--build-dir", type=Path, default=DEFAULT_OUT)
    p.add_argument("--out", type=Path, help="output directory (default: <build-dir>/<chapter>/grades)")
    p.add_argument("--jobs", type=int, help="submissions graded in parallel (default: CPU count)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per submission")
    p.add_argument("--cell-timeout", type=float, default=60.0, help="seconds per cell (default: %(default)s)")
    p.add_argument("--key-file", type=Path, help="instructor key (default: $SCORED_INSTRUCTOR_KEY; "
                   "without one, every student is graded on the classroom city)")
    p.add_argument("--keep-executed", action="store_true", help="keep the executed notebooks")
    p = sub.add_parser("fingerprint", help="digest of an answer, for tests that must not print it")
    p.add_argument("values", nargs="+")
    args = parser.parse_args(argv)

    try:
        if args.command == "check":
            sources = check_sources()
            for s in sources.values():
                print(f"{_rel(s.path)}: ok ({len(s.autograded)} auto-graded, {len(s.manual)} manual; "
                      f"{sum(q.points for q in s.questions):g} points)")
        elif args.command == "build":
            built = build(args.out, args.chapter, args.jobs, args.verify, args.student_only)
            if args.roster:
                from scored_site.grading import load_key

                key = load_key(args.key_file, required=True)
                students = read_roster(args.roster)
                for b in built.values():
                    where = student_builds(b, key, students)
                print(f"wrote {len(students)} students' own archives to {_rel(where)}")
        elif args.command == "grade":
            from scored_site.grading import load_key

            grade(args.chapter, args.submissions, args.build_dir, args.out, args.jobs, args.timeout,
                  args.keep_executed, key=load_key(args.key_file), cell_timeout=args.cell_timeout)
        elif args.command == "fingerprint":
            from scored_site.checks import fingerprint

            for value in args.values:
                print(f"{fingerprint(value)}  {value!r}")
    except (SourceError, BuildError, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
