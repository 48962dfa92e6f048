"""The student kit: everything a student needs to work offline, without the repository.

One download per course, ``scored-course-kit.zip``::

    scored-course-kit/
      README.md                                  one install command, then how to open a chapter
      scored_course-<version>-py3-none-any.whl   the toolkit, with the classroom city inside it
      exercises/<chapter>/                       each chapter's student notebook, its checks and a README

The wheel is built from this repository with the classroom city copied into ``scored/classroom/`` (see
``setup.py``); ``data/`` stays the source of truth. The exercise folders are unpacked from the student archives
that ``python -m scored_site.exercises build --student-only`` wrote, so the kit holds no solution.

Commands::

    python -m scored_site.kit --exercises _build/html/exercises --out _build/html/kit
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path
from typing import Optional, Sequence

REPO_ROOT = Path(__file__).resolve().parents[1]
DISTRIBUTION = "scored-course"  # the name on PyPI; the import name stays ``scored``
KIT_NAME = "scored-course-kit"
# What a wheel build reads besides the packages themselves.
BUILD_FILES = ["pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE"]


def build_wheel(out_dir: Path) -> Path:
    """Build the toolkit's wheel (classroom city included) into ``out_dir`` and return its path.

    The build runs on a copy of just what it needs, so it leaves nothing (``build/``, ``*.egg-info``) in the
    repository and two builds at once do not collide. No build isolation: the course environment already
    has the pinned setuptools, and the build needs no network.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = config["tool"]["setuptools"]["packages"]
    with tempfile.TemporaryDirectory(prefix="scored-wheel-") as tmp:
        src = Path(tmp) / "src"
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        src.mkdir()
        for name in BUILD_FILES:
            shutil.copy2(REPO_ROOT / name, src / name)
        for package in {p.split(".")[0] for p in packages} | {"data"}:
            shutil.copytree(REPO_ROOT / package, src / package, ignore=ignore)
        before = set(out_dir.glob("*.whl"))
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
                        "--no-deps", "--no-build-isolation", "--wheel-dir", str(out_dir), str(src)],
                       check=True)
    built = sorted(set(out_dir.glob("scored_course-*.whl")) - before) or sorted(out_dir.glob("scored_course-*.whl"))
    if not built:
        raise RuntimeError(f"pip wheel wrote no scored_course wheel into {out_dir}")
    return built[-1]


def install_command(wheel_name: str) -> str:
    """The one command a student types in the kit's folder (the toolkit, the checks' runner, and Jupyter)."""
    return f'python -m pip install "./{wheel_name}[student]" jupyterlab'


def kit_readme(wheel_name: str, chapters: Sequence[str]) -> str:
    listing = "\n".join(f"- `exercises/{c}/`" for c in chapters)
    return f"""# Scored: the student kit

Everything you need to run the course's code and exercises on your own computer, without the repository.
You need Python 3.11, 3.12 or 3.13.

## Install (once)

Open a terminal in this folder (the one with this README) and run:

```
{install_command(wheel_name)}
```

Tip: do it inside a virtual environment (`python -m venv .venv`, then `source .venv/bin/activate`, or
`.venv\\Scripts\\activate` on Windows) so the course's packages stay apart from your other work.

This installs the course toolkit (`import scored`) with the classroom city inside it, the runner the
exercise checks use (otter-grader), and JupyterLab. Check that it worked:

```
python -c "import scored.world as w; print(w.load_classroom().residents.shape)"
```

## Work on a chapter

```
jupyter lab exercises/ch04-proxies/ch04-proxies.ipynb
```

Keep each notebook in its own folder: its checks (`tests/` and `scored_checks.py`) must stay next to it. After
each answer, run the check cell below it: it tells you in one sentence whether your answer holds and, if not,
what to look at. When you are done, run the last cell and submit what it makes the way your instructor asks.

Chapters in this kit:

{listing}

The course's package on PyPI is `{DISTRIBUTION}` (not `scored`, which is an unrelated project).
"""


def exercise_readme(chapter: str) -> str:
    """The README inside one chapter's exercise archive: what it needs and how to open it."""
    return f"""# Exercises: {chapter}

This folder holds the notebook `{chapter}.ipynb`, its checks (`tests/`) and `scored_checks.py`, which
turns check results into plain sentences. Keep them together.

## What you need

The course's student kit (`{KIT_NAME}.zip`, linked from the course's Exercises page). In the kit's folder,
run the install command its README gives, once:

```
{install_command("scored_course-<version>-py3-none-any.whl")}
```

(with the wheel's real file name). It installs the toolkit `scored` with the classroom city inside, the
checks' runner and JupyterLab. The course's package is called `{DISTRIBUTION}`; a package called `scored`
on PyPI is an unrelated project.

## Work

Open the notebook from this folder (`jupyter lab {chapter}.ipynb`), answer each question, then run the check
cell below it. When you are done, run the last cell and submit what it makes the way your instructor asks.
"""


def build_kit(exercises: Path, out: Path, wheel: Optional[Path] = None) -> Path:
    """Write ``out/scored-course-kit.zip`` from the student archives in ``exercises`` and the toolkit's wheel."""
    exercises, out = Path(exercises), Path(out)
    archives = sorted(exercises.glob("*.zip"))
    if not archives:
        raise FileNotFoundError(f"no exercise archives in {exercises}: run "
                                f"`python -m scored_site.exercises build --student-only --out {exercises}` first")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="scored-kit-") as tmp:
        wheel = Path(wheel) if wheel else build_wheel(Path(tmp) / "wheel")
        target = out / f"{KIT_NAME}.zip"
        partial = target.with_suffix(".zip.partial")
        chapters = [a.stem for a in archives]
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as kit:
            kit.writestr(f"{KIT_NAME}/README.md", kit_readme(wheel.name, chapters))
            kit.write(wheel, f"{KIT_NAME}/{wheel.name}")
            for archive in archives:
                with zipfile.ZipFile(archive) as chapter:
                    for info in chapter.infolist():
                        if not info.is_dir():
                            kit.writestr(f"{KIT_NAME}/exercises/{info.filename}", chapter.read(info))
        partial.replace(target)  # never leave a half-written kit on the site
    return target


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scored_site.kit", description=__doc__.split("\n\n")[0])
    parser.add_argument("--exercises", type=Path, default=REPO_ROOT / "_build" / "html" / "exercises",
                        help="folder of the student exercise archives (default: the built site's)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "_build" / "html" / "kit")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    kit = build_kit(args.exercises, args.out)
    print(f"student kit: {kit} ({kit.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
