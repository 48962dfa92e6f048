"""The two editions, and a course with a chapter dropped from the table of contents.

* A link to a chapter that is not in ``_toc.yml`` becomes its title in plain text with a note, and the build
  has no warning; the table row offering its download goes, and its archive is not built or is removed.
* The student site never holds instructor material; the guard that the deployment workflows run finds it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from scored_site.edition import instructor_material, prune_downloads, render_rubrics
from scored_site.instructor_ext import DROPPED_NOTE
from scored_site.toc import dropped_chapters, toc_units

ROOT = Path(__file__).resolve().parent.parent


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


@pytest.fixture
def small_course(tmp_path) -> Path:
    """A course of two chapters whose table of contents lists only the first."""
    src = tmp_path / "src"
    write(src / "_toc.yml", """
        format: jb-book
        root: book/intro
        chapters:
          - file: book/ch01-a
          - file: book/instructors
        """)
    write(src / "conf.py", """
        extensions = ["myst_parser", "scored_site.instructor_ext"]
        root_doc = "book/intro"
        exclude_patterns = ["_build", "book/ch02-b.md"]  # what only_build_toc_files does
        """)
    write(src / "book" / "intro.md", """
        # Intro

        ```{toctree}
        ch01-a
        instructors
        ```

        Read {doc}`ch01-a`, then {doc}`ch02-b`, {doc}`the second chapter <ch02-b>` and {ref}`ch-b`.

        | Chapter | Notebook |
        |---|---|
        | {doc}`ch01-a` | <a href="../exercises/ch01-a.zip" download>ch01-a.zip</a> |
        | {doc}`ch02-b` | <a href="../exercises/ch02-b.zip" download>ch02-b.zip</a> |
        """)
    write(src / "book" / "ch01-a.md", "(ch-a)=\n# Chapter A\n\nText.\n")
    write(src / "book" / "ch02-b.md", "(ch-b)=\n# Feedback loops\n\nText.\n")
    write(src / "book" / "instructors.md", """
        # For instructors

        ```{instructor-only} Notes on the discussion questions
        A good answer names the **denominator**.
        ```
        """)
    return src


def sphinx_build(src: Path, out: Path, edition: str = "") -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), SCORED_EDITION=edition)
    return subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(src), str(out)],
                          capture_output=True, text=True, env=env, cwd=src)


def test_dropped_chapter_is_found_with_its_title_and_labels(small_course):
    dropped = dropped_chapters(small_course)
    assert list(dropped) == ["book/ch02-b"]
    assert dropped["book/ch02-b"].title == "Feedback loops"
    assert dropped["book/ch02-b"].labels == ("ch-b",)
    assert toc_units(small_course) == ["ch01-a"]


def test_links_to_a_dropped_chapter_become_plain_text_with_a_note(small_course, tmp_path):
    result = sphinx_build(small_course, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out" / "book" / "intro.html").read_text()
    assert page.count(DROPPED_NOTE.strip()) == 3           # {doc} twice, {ref} once (its table row is gone)
    assert "Feedback loops" in page and "the second chapter" in page
    assert 'href="ch02-b.html"' not in page
    assert "ch02-b.zip" not in page and "ch01-a.zip" in page


def test_instructor_notes_appear_only_in_the_instructor_edition(small_course, tmp_path):
    student = sphinx_build(small_course, tmp_path / "student")
    instructor = sphinx_build(small_course, tmp_path / "instructor", edition="instructor")
    assert student.returncode == 0 and instructor.returncode == 0, student.stderr + instructor.stderr
    student_page = (tmp_path / "student" / "book" / "instructors.html").read_text()
    instructor_page = (tmp_path / "instructor" / "book" / "instructors.html").read_text()
    assert "denominator" not in student_page and "in the instructor edition" in student_page
    assert "<strong>denominator</strong>" in instructor_page
    assert instructor_material(tmp_path / "student") == []
    assert "book/instructors.html" in instructor_material(tmp_path / "instructor")


def test_downloads_of_dropped_units_are_removed(small_course, tmp_path):
    downloads = tmp_path / "exercises"
    downloads.mkdir()
    for stem in ("ch01-a", "ch02-b"):
        (downloads / f"{stem}.zip").write_bytes(b"PK")
    removed = prune_downloads(downloads, small_course)
    assert [p.name for p in removed] == ["ch02-b.zip"]
    assert sorted(p.name for p in downloads.iterdir()) == ["ch01-a.zip"]


def test_the_guard_finds_solutions_and_rubrics_in_a_site(tmp_path):
    site = tmp_path / "site"
    write(site / "index.html", "<html></html>")
    write(site / "exercises" / "ch01-a" / "instructor" / "rubrics.md", "# Rubrics\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    found = instructor_material(site)
    assert "exercises/ch01-a/instructor" in found and "exercises/ch01-a/instructor/rubrics.md" in found
    [page] = render_rubrics(site / "exercises")
    assert "<table>" in page.read_text() and 'content="noindex' in page.read_text()
    result = subprocess.run([sys.executable, "-m", "scored_site.edition", "check-student", str(site)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1 and "do not publish" in result.stderr


def test_the_course_lists_its_units_for_the_download_build():
    result = subprocess.run([sys.executable, "-m", "scored_site.toc", "--chapter-args"],
                            capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.split()[:2] == ["--chapter", "ch01-social-credit"]
    assert result.stdout.count("--chapter") == len(toc_units())


def test_the_built_student_site_holds_no_instructor_material(site_dir):
    assert instructor_material(site_dir) == []
