"""The Gradescope autograder zip (scored_site/gradescope.py), run through its own entry points on this machine.

Gradescope runs ``setup.sh`` once (as root) and then ``run_autograder`` per submission in ``/autograder``.
Here both run in a temporary folder given as ``AUTOGRADER_ROOT``: ``setup.sh`` really creates the virtual
environment and installs the zip's wheel and the pinned requirements from the package index (a minute or
so; pip's cache makes it quicker), and nothing of the repository is on the path of what it installs. Then
the reference solution must earn every automatic point and the blank notebook none, in the sandbox Gradescope
would get (bubblewrap here), and again with the fallback for containers that forbid namespaces, where a
submission must still not read the key, the hidden tests or the solution.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import nbformat
import pytest

from scored_site import exercises as ex
from scored_site import gradescope, kit

CHAPTER = "ch04-proxies"
KEY = "gradescope-test-key-0123456789abcdef"

pytestmark = [
    pytest.mark.skipif(os.getuid() != 0, reason="setup.sh and the sandbox user need root, as on Gradescope"),
    pytest.mark.skipif(not any(shutil.which(f"python3.{v}") for v in (11, 12, 13)), reason="needs Python >= 3.11"),
]

LEAK_PROBE = r'''
import os
found = []
for path in [{source!r}, {key!r}, {tests!r}, {solution!r}]:
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path).read(1)  # raises if the path cannot be reached or read
        found.append(path)
    except OSError:
        pass
found += [n for n, v in os.environ.items() if {secret!r} in v]
raise RuntimeError("LEAK:" + ";".join(found) + ":END")
'''


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    """An unpacked, set-up autograder (setup.sh run), and the chapter's build."""
    tmp = tmp_path_factory.mktemp("gradescope")
    built = ex.build(tmp / "build", [CHAPTER], log=lambda *a: None)[CHAPTER]
    wheel = kit.build_wheel(tmp / "wheel")
    zip_path = gradescope.build(built.instructor_dir, tmp / f"{CHAPTER}{gradescope.ZIP_SUFFIX}", KEY, wheel)
    root = tmp / "autograder"
    for folder in [tmp, *tmp.parents]:  # pytest's folders are root's only; /autograder may be entered by all
        folder.chmod(folder.stat().st_mode | 0o711)
        if folder.name.startswith("pytest-of-"):
            break
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(root / "source")
        for info in z.infolist():  # zipfile drops the modes; Gradescope keeps them
            os.chmod(root / "source" / info.filename, (info.external_attr >> 16) & 0o777 or 0o644)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], env={**env, "AUTOGRADER_ROOT": str(root)},
                           capture_output=True, text=True, timeout=900)
    assert setup.returncode == 0, setup.stderr[-2000:]
    return root, built, zip_path, env


def _grade(autograder, notebook, sid: str, isolation: str | None = None) -> dict:
    root, _, _, env = autograder
    shutil.rmtree(root / "submission", ignore_errors=True)
    shutil.rmtree(root / "results", ignore_errors=True)
    (root / "submission").mkdir()
    nbformat.write(notebook, root / "submission" / f"{CHAPTER}.ipynb")
    (root / "submission_metadata.json").write_text(json.dumps(
        {"id": 1, "users": [{"email": f"{sid}@example.org", "id": 7, "name": "A Student", "sid": sid}]}))
    env = {**env, "AUTOGRADER_ROOT": str(root), **({"SCORED_ISOLATION": isolation} if isolation else {})}
    done = subprocess.run([str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=900, cwd="/")
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads((root / "results" / "results.json").read_text())


def test_the_zip_carries_the_toolkit_pinned_and_the_hidden_material(autograder):
    root, built, zip_path, _ = autograder
    names = set(zipfile.ZipFile(zip_path).namelist())
    assert {"setup.sh", "run_autograder", "requirements.txt", "constraints.txt", "instructor/key",
            "instructor/grading.json", f"instructor/{CHAPTER}.ipynb"} <= names
    assert any(n.startswith("wheels/scored_course-") for n in names)
    venv_python = root / "venv" / "bin" / "python"
    where = subprocess.run([str(venv_python), "-c", "import scored, pandas; from scored.world import load_classroom; "
                            "print(scored.__file__, pandas.__version__, len(load_classroom().residents))"],
                           capture_output=True, text=True, cwd="/", check=True).stdout.split()
    assert where[0].startswith(str(root / "venv")), "the toolkit must come from the zip's wheel"
    pinned = dict(line.split("==") for line in (ex.REPO_ROOT / "constraints.txt").read_text().splitlines()
                  if "==" in line)
    assert where[1] == pinned["pandas"] and int(where[2]) > 0
    assert oct((root / "source").stat().st_mode & 0o777) == "0o700", "the hidden material must be root's only"


def test_reference_solution_full_marks_blank_zero(autograder):
    _, built, _, _ = autograder
    solution = nbformat.read(built.solution_notebook, as_version=4)
    blank = nbformat.read(built.student_notebook, as_version=4)
    full = _grade(autograder, solution, "S1001")
    assert full["score"] == built.manifest["auto_points"] == sum(t["max_score"] for t in full["tests"])
    assert "your own city" in full["output"]
    empty = _grade(autograder, blank, "S1002")
    assert empty["score"] == 0 and len(empty["tests"]) == len(full["tests"])
    assert all(t["output"] for t in empty["tests"]), "every question must say why it earned nothing"


def test_container_fallback_grades_the_same_and_hides_the_secrets(autograder):
    root, built, _, _ = autograder
    solution = nbformat.read(built.solution_notebook, as_version=4)
    assert _grade(autograder, solution, "S1001", isolation="user")["score"] == built.manifest["auto_points"]
    probe = LEAK_PROBE
    for name, value in {"source": root / "source", "key": root / "source" / "instructor" / "key",
                        "tests": root / "source" / "instructor" / "grading.json",
                        "solution": root / "source" / "instructor" / f"{CHAPTER}.ipynb", "secret": KEY}.items():
        probe = probe.replace("{%s!r}" % name, repr(str(value)))
    hostile = copy.deepcopy(solution)
    hostile.cells.insert(3, nbformat.v4.new_code_cell(probe))
    results = _grade(autograder, hostile, "S1003", isolation="user")
    assert "LEAK:" in results["output"], "the probe cell did not run"
    leaked = results["output"].split("LEAK:", 1)[1].split(":END", 1)[0]
    assert not leaked, f"in a container, a submission could read {leaked}"
    assert results["score"] == built.manifest["auto_points"], "the probe must cost the honest answers nothing"
