"""Grading that carries marks (issue 7): the sandbox, the hidden tests, the student's own city, hostile
submissions and the gradebook. One build of chapter 4 and one grading batch are shared by all tests.

Each hostile notebook is the untouched student version plus one honest answer (question 3, worth 3
points) plus its attack; it must score exactly what the honest answer earns, and none may read the
hidden tests, the solutions, the instructor key or another submission.
"""

from __future__ import annotations

import copy
import csv
import json
import shutil

import nbformat
import pytest

from scored_site import exercises as ex
from scored_site import grading, gradebook, runner, sandbox

CHAPTER = "ch04-proxies"
KEY = "test-instructor-key-0123456789abcdef"
HONEST_Q3 = 3.0

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")

# Each attack is one code cell. It reports what it could reach by raising an error whose message the
# grader records (the only way out of the sandbox besides the answer variables).
LEAK_PROBE = r'''
import os, glob
found = []
for path in [{key_file!r}, {exercises!r}, {instructor!r}, {other!r}, {subs!r}, {out!r}]:
    try:
        if os.path.isdir(path) and os.listdir(path):
            found.append("dir:" + path)
        elif os.path.isfile(path) and open(path).read(1):
            found.append("file:" + path)
    except OSError:
        pass
for name, value in os.environ.items():
    if {key!r} in value or "INSTRUCTOR" in name:
        found.append("env:" + name)
for cmdline in glob.glob("/proc/*/cmdline"):
    try:
        text = open(cmdline, "rb").read().decode(errors="replace")
    except OSError:
        continue
    if {key!r} in text or "instructor" in text or "scored_site" in text or "exercises" in text:
        found.append("cmd:" + text[:60])
raise RuntimeError("LEAK:" + ";".join(found))
'''

ATTACKS = {
    # Patch the checks and forge report lines claiming every answer: the forged values are judged
    # like any others, so they earn nothing unless they are right.
    "patched-runner": r'''
import os, json, scored_checks
scored_checks.fail = lambda *a, **k: None
for fd in range(3, 20):
    try:
        os.write(fd, (json.dumps({"event": "done", "cell": 0, "values": {}, "calls": {}}) + "\n").encode())
        os.write(fd, (json.dumps({"event": "finished", "values": {"harm_ratio": {"t": "float", "v": "6.7"}}}) + "\n").encode())
    except OSError:
        pass
''',
    "background-process": r'''
import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time, pathlib; time.sleep(20); "
                  "pathlib.Path({out!r}, 'scores.csv').write_text('hacked')"], start_new_session=True)
''',
    "write-output": r'''
import pathlib
for target in [{out!r}, {instructor!r}]:
    try:
        pathlib.Path(target, "scores.csv").write_text("student,q1\nwrite-output,999\n")
    except OSError:
        pass
''',
    "brute-force": r'''
for letter in "abcd":
    compas_reading = letter
''',
    "infinite-loop": "while True:\n    pass\n",
    "memory-bomb": "blocks = []\nwhile True:\n    blocks.append(bytearray(256 * 1024 * 1024))\n",
    "fork-bomb": r'''
import os, time
children = 0
try:
    for _ in range(2000):
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        children += 1
except OSError:
    pass
''',
}


def _cell_index(nb, text: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and text in c.source)


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("grading-build")
    return ex.build(out, [CHAPTER], log=lambda *a: None)[CHAPTER]


@pytest.fixture(scope="session")
def batch(built, tmp_path_factory):
    """Grade the solution, the blank notebook, an honest one and every attack in one batch."""
    root = tmp_path_factory.mktemp("grading-batch")
    subs, out = root / "submissions", root / "grades"
    subs.mkdir()
    key_file = root / "key.txt"
    key_file.write_text(KEY)
    student = nbformat.read(built.student_notebook, as_version=4)
    solution = nbformat.read(built.solution_notebook, as_version=4)
    honest = copy.deepcopy(student)
    honest.cells[_cell_index(honest, "base_rate_black = ...")].source = \
        solution.cells[_cell_index(solution, "def implied_p")].source
    nbformat.write(solution, subs / "solution.ipynb")
    nbformat.write(student, subs / "blank.ipynb")
    nbformat.write(honest, subs / "honest.ipynb")
    paths = {"key_file": str(key_file), "exercises": str(ex.EXERCISES_DIR),
             "instructor": str(built.instructor_dir), "other": str(subs / "solution.ipynb"),
             "key": KEY, "out": str(out), "subs": str(subs)}
    attacks = dict(ATTACKS, **{"read-secrets": LEAK_PROBE})
    for name, code in attacks.items():
        nb = copy.deepcopy(honest)
        at = _cell_index(nb, "compas_reading = ...") if name == "brute-force" else \
            _cell_index(nb, "base_rate_black") + 1
        for placeholder, value in paths.items():
            code = code.replace("{%s!r}" % placeholder, repr(value))
        nb.cells.insert(at, nbformat.v4.new_code_cell(code))
        nbformat.write(nb, subs / f"{name}.ipynb")
    report = ex.grade(CHAPTER, subs, build_dir=built.root.parent, out=out, jobs=2, timeout=120,
                      cell_timeout=8, key=KEY, log=lambda *a: None)
    return {r["submission"]: r for r in report.results}, out, report


def _score(result) -> float:
    return sum(q["score"] for q in result["questions"].values())


def test_solution_full_marks_blank_zero(batch):
    results, _, _ = batch
    assert _score(results["solution"]) == 15
    assert _score(results["blank"]) == 0
    assert _score(results["honest"]) == HONEST_Q3


@pytest.mark.parametrize("attack", sorted(ATTACKS) + ["read-secrets"])
def test_hostile_submission_scores_no_more_than_its_honest_answers(batch, attack):
    results, _, _ = batch
    assert results[attack]["status"] == "graded"
    assert _score(results[attack]) <= HONEST_Q3
    if attack not in ("infinite-loop",):
        assert results[attack]["questions"]["q3"]["score"] == HONEST_Q3  # the answer before it counts


def test_hung_cell_is_named_and_earlier_answers_count(batch):
    results, out, _ = batch
    cells = results["infinite-loop"]["cells"]
    assert cells["timed_out"] is not None
    assert results["infinite-loop"]["questions"]["q3"]["score"] == HONEST_Q3
    feedback = (out / "feedback" / "infinite-loop.md").read_text()
    assert f"Cell {cells['timed_out']}" in feedback and "while True" in feedback
    rows = {r["student"]: r for r in csv.DictReader(open(out / "scores.csv"))}
    assert "timed out" in rows["infinite-loop"]["flags"]


def test_sandbox_hides_key_tests_solutions_and_other_submissions(batch):
    results, _, _ = batch
    errors = " ".join(results["read-secrets"]["cells"]["errors"].values())
    assert "LEAK:" in errors, "the probe cell did not run"
    leaked = errors.split("LEAK:", 1)[1]
    assert not leaked.strip(), f"the sandbox let a submission see: {leaked}"


def test_output_folder_untouched_by_submissions(batch):
    _, out, _ = batch
    import time

    time.sleep(1)
    text = (out / "scores.csv").read_text()
    assert "hacked" not in text and "999" not in text
    rows = {r["student"]: r for r in csv.DictReader(open(out / "scores.csv"))}
    assert float(rows["background-process"]["total"]) <= HONEST_Q3


def test_public_checks_do_not_reveal_the_choice(built):
    """The brute-force route: every letter gets the same verdict from the student's checks."""
    ns: dict = {}
    exec((built.student_dir / "tests" / "q4.py").read_text(), ns)  # noqa: S102 - our own build
    verdicts = []
    import sys

    sys.modules.setdefault("scored_checks", __import__("scored_site.checks", fromlist=["x"]))
    for letter in "abcd":
        ok = True
        for name, func in ns.items():
            if name.startswith("test_q"):
                try:
                    func.test_func(compas_reading=letter)
                except AssertionError:
                    ok = False
        verdicts.append(ok)
    assert len(set(verdicts)) == 1
    text = "".join(p.read_text() for p in (built.student_dir / "tests").glob("*.py"))
    assert "fingerprint(" not in text and "# HIDDEN" not in text


def test_student_cities_differ_and_are_derived_from_the_key():
    a, b = grading.city_spec(KEY, "alice"), grading.city_spec(KEY, "bob")
    assert a != b and a == grading.city_spec(KEY, "alice")
    assert grading.city_spec("another-key-0123456789", "alice") != a
    assert grading.city_spec(None, "alice") is None


def test_key_must_be_long(tmp_path):
    short = tmp_path / "k"
    short.write_text("abc")
    with pytest.raises(ValueError, match="shorter than 16"):
        grading.load_key(short)


def test_manual_points_survive_regrading(batch, built):
    results, out, report = batch
    manual = out / "manual.csv"
    rows = list(csv.DictReader(open(manual)))
    assert {r["student"] for r in rows} >= {"solution", "blank"}
    text = manual.read_text().replace("solution,", "solution,4", 1)
    manual.write_text(text)
    typed = gradebook.read_manual(manual, ["q6"])
    assert typed["solution"]["q6"] == "4"
    gradebook.write_manual_template(manual, ["solution", "late-student"], [{"name": "q6"}])
    typed = gradebook.read_manual(manual, ["q6"])
    assert typed["solution"]["q6"] == "4" and "late-student" in typed


def test_hand_graded_typos_are_clear_errors():
    manual = [{"name": "q6", "points": 4}]
    assert gradebook.hand_points({"s1": {"q6": " 2.5 "}}, "s1", manual) == [2.5]
    assert gradebook.hand_points({"s1": {"q6": ""}}, "s1", manual) == [None]
    assert gradebook.hand_points({}, "s2", manual) == [None]
    with pytest.raises(ValueError, match=r"student s1, q6: '2,5' is not a number"):
        gradebook.hand_points({"s1": {"q6": "2,5"}}, "s1", manual)
    with pytest.raises(ValueError, match=r"student s1, q6: 5 is outside 0 to 4"):
        gradebook.hand_points({"s1": {"q6": "5"}}, "s1", manual)


def test_a_moodle_download_gets_moodles_grading_worksheet(built, tmp_path):
    """Moodle finds a student by the participant id of its download, so the worksheet carries it."""
    folder = tmp_path / "downloads" / "Jane Doe_4711_assignsubmission_file_"
    folder.mkdir(parents=True)
    shutil.copy(built.solution_notebook, folder / f"{CHAPTER}.ipynb")
    out = tmp_path / "grades"
    ex.grade(CHAPTER, tmp_path / "downloads", build_dir=built.root.parent, out=out, jobs=1, timeout=120,
             log=lambda *a: None)
    rows = list(csv.DictReader(open(out / "moodle-worksheet.csv", newline="")))
    assert [r["Identifier"] for r in rows] == ["Participant 4711"]
    assert list(rows[0]) == list(gradebook.MOODLE_WORKSHEET)
    assert float(rows[0]["Grade"]) == built.manifest["auto_points"]
    assert "not yet graded" in rows[0]["Feedback comments"]
    (out / "manual.csv").write_text((out / "manual.csv").read_text().replace("4711,", "4711,x", 1))
    with pytest.raises(ValueError, match="student 4711, q6: 'x' is not a number"):
        ex.grade(CHAPTER, tmp_path / "downloads", build_dir=built.root.parent, out=out, jobs=1,
                 log=lambda *a: None)


def test_layouts_give_student_ids(tmp_path):
    canvas = tmp_path / "canvas"
    canvas.mkdir()
    (canvas / "doejane_LATE_12345_67890_ch04-proxies.ipynb").write_text("{}")
    (canvas / "roeric_2222_3333_ch04-proxies.ipynb").write_text("{}")
    assert {s.student for s in gradebook.collect(canvas)} == {"12345", "2222"}
    moodle = tmp_path / "moodle"
    (moodle / "Jane Doe_4711_assignsubmission_file_").mkdir(parents=True)
    (moodle / "Jane Doe_4711_assignsubmission_file_" / "ch04.ipynb").write_text("{}")
    assert [s.student for s in gradebook.collect(moodle)] == ["4711"]
    gs = tmp_path / "gradescope"
    (gs / "submission_1").mkdir(parents=True)
    (gs / "submission_1" / "ch04.ipynb").write_text("{}")
    (gs / "submission_metadata.yml").write_text(
        "submission_1:\n  :submitters:\n  - :name: Jane\n    :sid: 's-99'\n")
    assert [s.student for s in gradebook.collect(gs)] == ["s-99"]


def test_values_round_trip_through_the_report():
    import pandas as pd

    frame = pd.DataFrame({"a": [1, 2], "b": ["x", None]}, index=["r", "s"])
    for value in [1, 2.5, "s", None, [1, "a"], {"k": (1, 2)}, pd.Series([0.5, 0.25], index=["p", "q"]),
                  frame, Ellipsis]:
        back = runner.decode(json.loads(json.dumps(runner.encode(value))))
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(back, value)
        elif isinstance(value, pd.Series):
            pd.testing.assert_series_equal(back, value)
        else:
            assert back == value


def test_parse_test_cell_yaml_list_is_a_clear_error():
    spec, problem = ex._parse_test_cell('""" # BEGIN TEST CONFIG\n- 1\n- 2\n""" # END TEST CONFIG\n'
                                        'def test_x(a):\n    pass\n')
    assert spec is None and "mapping" in problem


def test_forked_jobs_read_their_exit_status_one_thread_at_a_time(tmp_path, monkeypatch):
    """multiprocessing's Process.start() reads the exit status of the other processes it started. Read at the same
    moment by the thread waiting for that process, one of the two finds it gone, and multiprocessing reports exit
    code 255 for a job that succeeded (about 1 in 100 short jobs on 8 threads; it once failed `make book`). So
    every read of a status that is not yet known happens under exercises._EXIT_STATUS_LOCK."""
    import concurrent.futures
    import os
    import time
    from multiprocessing import popen_forkserver

    unlocked = []
    poll = popen_forkserver.Popen.poll

    def watched_poll(self, flag=os.WNOHANG):
        if self.returncode is None and not ex._EXIT_STATUS_LOCK.locked():
            unlocked.append(self.pid)
        return poll(self, flag)

    monkeypatch.setattr(popen_forkserver.Popen, "poll", watched_poll)

    def job(number):
        work = tmp_path / str(number)
        work.mkdir()
        return ex._run_forked(time.sleep, (0.05,), 60, work)[0]

    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        assert list(pool.map(job, range(6))) == [0] * 6
    assert unlocked == [], "an exit status was read outside the lock"


def test_files_outside_the_course_are_refused(tmp_path):
    assert not ex._inside(tmp_path, "../../secret.txt")
    assert not ex._inside(tmp_path, "/etc/passwd")
    assert ex._inside(tmp_path, "data/x.csv")
