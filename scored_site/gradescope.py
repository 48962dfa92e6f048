"""The Gradescope autograder: the course's own grader, packed as the zip Gradescope asks for.

::

    python -m scored_site.gradescope build ch04-proxies --key-file ~/scored-key.txt

writes ``<chapter>-gradescope.zip`` into the chapter's instructor build (``_build/exercises/<chapter>/
instructor/``). Upload it as the autograder of a Gradescope "Programming Assignment" (base image Ubuntu
22.04 or 24.04). The zip holds:

* ``setup.sh``: run once by Gradescope, as root, when it builds the image. It installs Python 3.11 or later
  and bubblewrap if the image lacks them, makes a virtual environment at ``/autograder/venv`` with the
  toolkit's wheel (the classroom city inside) and the grader's dependencies at the versions the course is
  tested with (``constraints.txt``), and makes the folder with the hidden material readable by root only;
* ``run_autograder``: run by Gradescope for each submission, in a fresh container. It grades the notebook
  exactly as ``python -m scored_site.exercises grade`` does (:mod:`scored_site.grading`): the student's
  own city from the instructor key and the student's SID (or e-mail, as in the gradebook), the
  submission in the sandbox, the hidden tests outside it. It writes ``/autograder/results/results.json``:
  one test per automatically graded question and the feedback a student gets locally;
* ``instructor/``: the hidden tests (``grading.json``), the reference solution, the manifest and the key;
* ``grader/scored_site/``: the grading modules; ``wheels/``: the toolkit.

The key is in the zip, so the zip is as secret as the key: upload it to Gradescope and keep it nowhere
public. Written answers are not in it: grade them as Gradescope's own manually graded questions.

If bubblewrap cannot create its namespaces in Gradescope's container (Docker forbids them by default),
the submission runs with ``isolation="user"`` (see :mod:`scored_site.sandbox`), and ``results.json`` says
which isolation was used. ``AUTOGRADER_ROOT`` (default ``/autograder``) moves the whole layout, which is how
the test suite runs ``setup.sh`` and ``run_autograder`` on this machine; ``SCORED_ISOLATION`` forces one.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Optional

REPO_ROOT = Path(__file__).resolve().parents[1]
ZIP_SUFFIX = "-gradescope.zip"
# The modules the grader imports (grade_submission -> judge -> sandbox -> runner; feedback from exercises).
GRADER_MODULES = ("__init__.py", "checks.py", "exercises.py", "gradebook.py", "gradescope.py", "grading.py",
                  "runner.py", "sandbox.py")
INSTRUCTOR_FILES = ("grading.json", "manifest.json")
REQUIREMENTS = ("ipython", "nbformat")  # beside the toolkit's own: the sandbox's runner and the notebook reader
CELL_SECONDS = 60.0
NOTEBOOK_SECONDS = 600.0

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
# Python 3.11 or later with venv; 3.11 first, the version the course's pins were resolved on.
python=""
for candidate in python3.11 python3.12 python3.13; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c "import ensurepip" >/dev/null 2>&1; then
    python="$candidate"; break
  fi
done
need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
if [ -z "$python" ]; then  # Ubuntu 24.04 has python3.12 without venv; 22.04 has python3.11 in universe
  if command -v python3.12 >/dev/null 2>&1; then python=python3.12; need+=(python3.12-venv)
  else python=python3.11; need+=(python3.11 python3.11-venv); fi
fi
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
"$python" -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  -c "$SOURCE/constraints.txt" -r "$SOURCE/requirements.txt" "$SOURCE"/wheels/*.whl
# The sandbox user must reach the environment; the hidden tests, the reference solution and the key
# are root's only.
chmod 755 "$ROOT" "$ROOT/venv"
chmod 700 "$SOURCE"
chmod 755 "$SOURCE/run_autograder"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for each submission, in a fresh container, as root.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
cd "$ROOT/source/grader" && exec "$ROOT/venv/bin/python" -m scored_site.gradescope run --root "$ROOT"
"""


def build(instructor_dir: Path, out: Path, key: Optional[str], wheel: Path) -> Path:
    """Write the Gradescope autograder zip for the chapter built in ``instructor_dir``; return its path."""
    instructor_dir = Path(instructor_dir)
    manifest = json.loads((instructor_dir / "manifest.json").read_text())
    chapter = manifest["chapter"]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        _add(z, "setup.sh", SETUP_SH, executable=True)
        _add(z, "run_autograder", RUN_AUTOGRADER, executable=True)
        _add(z, "requirements.txt", "\n".join(REQUIREMENTS) + "\n")
        z.write(REPO_ROOT / "constraints.txt", "constraints.txt")
        z.write(wheel, f"wheels/{Path(wheel).name}")
        for name in GRADER_MODULES:
            z.write(Path(__file__).parent / name, f"grader/scored_site/{name}")
        for name in (*INSTRUCTOR_FILES, f"{chapter}.ipynb"):
            z.write(instructor_dir / name, f"instructor/{name}")
        if key:
            _add(z, "instructor/key", key + "\n")
    return out


def _add(z: zipfile.ZipFile, name: str, text: str, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, text)


def submitter(metadata_path: Path) -> str:
    """The student identifier in Gradescope's ``submission_metadata.json``: SID, else e-mail (as the gradebook)."""
    try:
        users = json.loads(Path(metadata_path).read_text()).get("users") or [{}]
    except (OSError, ValueError):
        users = [{}]
    who = users[0] if isinstance(users[0], dict) else {}
    return str(who.get("sid") or who.get("email") or who.get("id") or "unknown")


def results_json(result: dict, manifest: dict, isolation: str, keyed: bool) -> dict:
    """Gradescope's results format: one test per automatically graded question, and the feedback."""
    from scored_site.exercises import _feedback_markdown, _num

    tests = []
    for q in manifest["questions"]:
        if q["manual"]:
            continue
        r = result.get("questions", {}).get(q["name"], {})
        tests.append({"name": q["name"], "score": float(r.get("score", 0)), "max_score": float(q["points"]),
                      "output": r.get("feedback", "not graded: " + result.get("error", "no answer")),
                      "visibility": "visible"})
    city = "your own city (from the instructor key)" if keyed else "the classroom city (no instructor key)"
    note = (f"\nGraded on {city}; sandbox: {'bubblewrap' if isolation == 'bwrap' else 'a user of its own'}. "
            f"Written answers ({_num(manifest['manual_points'])} points) are graded by hand.\n")
    return {"score": sum(t["score"] for t in tests), "output": _feedback_markdown(result, manifest) + note,
            "output_format": "md", "tests": tests, "stdout_visibility": "hidden"}


def run(root: Path) -> dict:
    """Grade the submission in ``root`` (Gradescope's ``/autograder`` layout); write and return results.json."""
    from scored_site import gradebook, grading, sandbox

    root = Path(root)
    instructor = root / "source" / "instructor"
    key_file = instructor / "key"
    key = key_file.read_text(encoding="utf-8").strip() if key_file.exists() else None
    manifest = json.loads((instructor / "manifest.json").read_text())
    student = submitter(root / "submission_metadata.json")
    isolation = os.environ.get("SCORED_ISOLATION") or ("bwrap" if sandbox.bwrap_usable() else "user")
    limits = {"cell_seconds": CELL_SECONDS, "total_seconds": NOTEBOOK_SECONDS}
    found = gradebook._notebook_in(root / "submission")
    result: dict[str, Any]
    if found is None:
        result = {"status": "error", "error": "the submission holds no .ipynb file", "questions": {}, "cells": {}}
    else:
        with tempfile.TemporaryDirectory(prefix="scored-gradescope-") as tmp:
            notebook = gradebook.notebook_of(gradebook.Submission(student, found, "gradescope"), Path(tmp))
            result = grading.grade_submission(instructor, notebook, student, key, limits,
                                              timeout=NOTEBOOK_SECONDS + 120, isolation=isolation)
    result["submission"] = student
    results = results_json(result, manifest, isolation, key is not None)
    (root / "results").mkdir(parents=True, exist_ok=True)
    (root / "results" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    return results


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scored_site.gradescope", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="write <chapter>-gradescope.zip (builds the chapter's exercises if needed)")
    b.add_argument("chapter")
    b.add_argument("--key-file", type=Path, help="instructor key (default: $SCORED_INSTRUCTOR_KEY)")
    b.add_argument("--build-dir", type=Path, help="the exercise build (default: _build/exercises)")
    r = sub.add_parser("run", help="grade one submission in Gradescope's layout (what run_autograder calls)")
    r.add_argument("--root", type=Path, default=Path(os.environ.get("AUTOGRADER_ROOT", "/autograder")))
    args = parser.parse_args(argv)
    if args.command == "run":
        results = run(args.root)
        print(f"score {results['score']:g} of {sum(t['max_score'] for t in results['tests']):g}")
        return 0
    from scored_site import exercises as ex
    from scored_site import grading, kit

    key = grading.load_key(args.key_file)
    build_dir = args.build_dir or ex.DEFAULT_OUT
    built = ex.build(build_dir, [args.chapter], log=print)[args.chapter]
    with tempfile.TemporaryDirectory(prefix="scored-wheel-") as tmp:
        wheel = kit.build_wheel(Path(tmp))
        out = build(built.instructor_dir, built.instructor_dir / f"{args.chapter}{ZIP_SUFFIX}", key, wheel)
    print(f"{args.chapter}: {out} ({out.stat().st_size / 1e6:.1f} MB)"
          + ("" if key else " WITHOUT an instructor key: every student is graded on the classroom city"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
