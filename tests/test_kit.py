"""The student kit (scored_site/kit.py): a wheel with the classroom city inside, the exercise notebooks, a README.

The expensive part is done once per session: one chapter's exercises are built (otter assign, which also gives the
solution notebook), the kit is built from them, and the solution is run through its checks in a fresh virtual
environment that holds the kit's wheel and no repository. The environment borrows its third-party packages
(pandas, otter-grader, ipykernel) from the course environment through a path entry, so the test needs no network;
the toolkit and the city can only come from the wheel. A real install from PyPI, on Python 3.11 to 3.13, is
measured by hand and reported (it takes a minute or more, too long for a test).
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from scored_site import exercises as ex
from scored_site import kit

CHAPTER = "ch04-proxies"  # uses the classroom city, the toolkit and every kind of check
CHECK_CELL = re.compile(r'^grader\.check\("(\w+)"\)$')
WRONG_INSTALL = re.compile(r"pip install\s+[\"']?scored(?![-\w])")


@pytest.fixture(scope="session")
def built_kit(tmp_path_factory):
    """(kit zip, the chapter's build with its solution notebook, the wheel)."""
    out = tmp_path_factory.mktemp("kit-build")
    source = ex.read_source(ex.EXERCISES_DIR / f"{CHAPTER}.md")
    chapter = ex.build_chapter(source, out / "exercises")
    wheel = kit.build_wheel(out / "wheel")
    return kit.build_kit(out / "exercises", out / "site", wheel=wheel), chapter, wheel


def test_the_wheel_carries_the_classroom_city_as_data_has_it(built_kit):
    _, _, wheel = built_kit
    assert wheel.name.startswith("scored_course-") and wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
        for name in kit_city_files():
            assert f"scored/classroom/{name}" in names, f"{name} missing from the wheel"
            assert whl.read(f"scored/classroom/{name}") == (ROOT / "data" / name).read_bytes(), \
                f"the wheel's {name} differs from data/{name}"
        sums = whl.read("scored/classroom/SHA256SUMS").decode()
        for line in sums.splitlines():
            digest, name = line.split()
            assert hashlib.sha256(whl.read(f"scored/classroom/{name}")).hexdigest() == digest, name
        metadata = whl.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "Name: scored-course" in metadata
    assert not any(n.startswith(("tests/", "exercises/", "data/")) for n in names), "repository files in the wheel"


def kit_city_files() -> list[str]:
    return sorted(p.name for p in (ROOT / "data").iterdir() if p.is_file())


def test_kit_layout_readmes_and_no_solutions(built_kit):
    kit_zip, chapter, wheel = built_kit
    with zipfile.ZipFile(kit_zip) as z:
        names = z.namelist()
        readme = z.read(f"{kit.KIT_NAME}/README.md").decode()
        chapter_readme = z.read(f"{kit.KIT_NAME}/exercises/{CHAPTER}/README.md").decode()
        notebook = nbformat.reads(z.read(f"{kit.KIT_NAME}/exercises/{CHAPTER}/{CHAPTER}.ipynb").decode(),
                                  as_version=4)
    assert f"{kit.KIT_NAME}/{wheel.name}" in names
    assert f"{kit.KIT_NAME}/exercises/{CHAPTER}/scored_checks.py" in names
    assert any(n.startswith(f"{kit.KIT_NAME}/exercises/{CHAPTER}/tests/") for n in names)
    # one install command, naming our distribution, never the unrelated `scored` on PyPI
    commands = [line for line in readme.splitlines() if "pip install" in line]
    assert commands == [kit.install_command(wheel.name)], commands
    for text in (readme, chapter_readme):
        assert not WRONG_INSTALL.search(text)
        assert "scored-course" in text
    # the kit's notebook is the student version (the solution notebook answers, this one does not)
    solution = nbformat.read(chapter.solution_notebook, as_version=4)
    assert "".join(c.source for c in notebook.cells) != "".join(c.source for c in solution.cells)
    assert "# BEGIN SOLUTION" not in "".join(c.source for c in notebook.cells)


def test_student_archive_has_a_readme(built_kit):
    _, chapter, _ = built_kit
    with zipfile.ZipFile(chapter.student_zip) as z:
        text = z.read(f"{CHAPTER}/README.md").decode()
    assert "scored-course-kit.zip" in text and not WRONG_INSTALL.search(text)


def _fresh_venv(tmp_path: Path, wheel: Path) -> Path:
    """A venv with the kit's wheel installed and the course environment's third-party packages on its path."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--disable-pip-version-check", "--no-deps", "--no-index", str(wheel)], check=True)
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # A plain path entry: the course environment's own .pth files (the editable install of this repository)
    # are not processed from it, so `scored` can only be the wheel's.
    (site / "course_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def test_a_solution_passes_its_checks_from_the_kit_alone(built_kit, tmp_path):
    kit_zip, chapter, wheel = built_kit
    with zipfile.ZipFile(kit_zip) as z:
        z.extractall(tmp_path / "unpacked")
    folder = tmp_path / "unpacked" / kit.KIT_NAME / "exercises" / CHAPTER
    python = _fresh_venv(tmp_path, folder.parents[1] / wheel.name)

    # The instructor's solution, dropped into the student's folder, run on a kernel of the fresh venv.
    solution = nbformat.read(chapter.solution_notebook, as_version=4)
    solution.cells.append(nbformat.v4.new_code_cell(
        "import scored, scored.world\nprint(scored.__file__)\nprint(scored.world.DATA_DIR)"))
    nbformat.write(solution, folder / "solution.ipynb")
    kernels = tmp_path / "jupyter" / "kernels" / "kit"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "kit", "language": "python"}))
    runner = ("import nbformat, sys\nfrom nbclient import NotebookClient\n"
              "nb = nbformat.read('solution.ipynb', as_version=4)\n"
              "NotebookClient(nb, timeout=300, kernel_name='kit', allow_errors=True,"
              " resources={'metadata': {'path': '.'}}).execute()\n"
              "nbformat.write(nb, 'executed.ipynb')\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "JUPYTER_PATH": str(tmp_path / "jupyter"),
           "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    subprocess.run([str(python), "-c", runner], cwd=folder, env=env, check=True, timeout=600)
    executed = nbformat.read(folder / "executed.ipynb", as_version=4)

    errors = [(c.source, o.ename, o.evalue) for c in executed.cells if c.cell_type == "code"
              for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors[0]
    where = executed.cells[-1].outputs[0].text.split()
    venv_root = str(python.parent.parent)
    assert where[0].startswith(venv_root) and where[1].startswith(venv_root), \
        f"the toolkit or the city did not come from the kit's wheel: {where}"
    checks = {CHECK_CELL.match(c.source.strip()).group(1): c for c in executed.cells
              if c.cell_type == "code" and CHECK_CELL.match(c.source.strip())}
    auto = [q["name"] for q in json.loads((chapter.instructor_dir / "manifest.json").read_text())["questions"]
            if not q["manual"]]
    assert auto and set(auto) <= set(checks)
    for question in auto:
        text = "\n".join(o.get("data", {}).get("text/plain", "") for o in checks[question].outputs)
        assert re.match(rf"{question}: all \d+ checks pass\.", text), f"{question}: {text}"
