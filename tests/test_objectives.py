"""The objectives map: every learning objective is assessed, and every assessment points at a real objective.

The first two tests read the course's own sources (chapters, quizzes, exercises, lesson plans), so they pass
only when every chapter's objectives carry ids and every objective has a quiz or exercise question. The rest
check the reader on a small course made in a temporary folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scored_site.objectives import ObjectivesError, build_map

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def course_map():
    return build_map(ROOT)


def test_every_objective_is_assessed_by_a_quiz_or_exercise_question(course_map):
    unassessed = [p for p in course_map.problems if "no quiz or exercise question" in p]
    assert not unassessed, (f"coverage {course_map.coverage}; objectives without an assessment:\n"
                            + "\n".join(unassessed))


def test_no_question_or_activity_points_at_a_missing_objective(course_map):
    other = [p for p in course_map.problems if "no quiz or exercise question" not in p]
    assert not other, "\n".join(other)


def test_every_unit_in_the_contents_has_objectives(course_map):
    units = {o.unit for o in course_map.objectives.values()}
    assert {"ch01-social-credit", "ch12-law", "capstone"} <= units
    assert len(course_map.objectives) >= 3 * len(units)


# --- the reader, on a course of one chapter --------------------------------------------------------------

CHAPTER = """# A chapter

```{admonition} Learning objectives
:class: tip

By the end of this chapter you should be able to:

1. {objective}`ch01-1` **Compute** a thing,
   over two lines.
2. {objective}`ch01-2` **Explain** another.
3. **Design** a third, without an id yet.
```
"""

QUIZ = """title: Check
questions:
  - prompt: "?"
    objectives: [ch01-1]
    options:
      - {text: a, feedback: x, correct: true}
      - {text: b, feedback: y}
  - prompt: "??"
    objectives: [ch01-9]
    options:
      - {text: a, feedback: x, correct: true}
      - {text: b, feedback: y}
"""

EXERCISE = """```otter
# BEGIN QUESTION
name: q1
points: 2
objectives: [ch01-3]
```

text

```otter
# END QUESTION
```
"""

PLAN = """# Unit 1

## Activity: something

{serves}`ch01-2 ch01-3`
"""


def make_course(root: Path, exercise: str = EXERCISE) -> Path:
    (root / "book" / "quizzes").mkdir(parents=True)
    (root / "book" / "instructors").mkdir()
    (root / "exercises").mkdir()
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n  - file: book/ch01-a\n")
    (root / "book" / "ch01-a.md").write_text(CHAPTER)
    (root / "book" / "quizzes" / "ch01-a.yml").write_text(QUIZ)
    (root / "exercises" / "ch01-a.md").write_text(exercise)
    (root / "book" / "instructors" / "unit-ch01.md").write_text(PLAN)
    return root


def test_reader_maps_quiz_exercise_and_activity_to_objectives(tmp_path):
    omap = build_map(make_course(tmp_path))
    assert list(omap.objectives) == ["ch01-1", "ch01-2", "ch01-3"]
    assert omap.objectives["ch01-1"].text == "Compute a thing, over two lines."
    assert omap.objectives["ch01-1"].quiz == ["quiz Q1"]
    assert omap.objectives["ch01-3"].exercises == ["exercise q1 (auto-graded)"]
    assert omap.objectives["ch01-2"].activities == ["Activity: something"]
    assert omap.coverage == "2/3"


def test_reader_reports_each_kind_of_problem(tmp_path):
    problems = "\n".join(build_map(make_course(tmp_path)).problems)
    assert "quiz Q2: points at objective 'ch01-9', which does not exist" in problems
    assert "ch01-2 (ch01-a): no quiz or exercise question assesses it" in problems
    assert "objective 3: no {objective} id" in problems


def test_reader_refuses_objectives_that_are_not_a_list(tmp_path):
    make_course(tmp_path, EXERCISE.replace("objectives: [ch01-3]", "objectives: {a: 1}"))
    with pytest.raises(ObjectivesError, match="must be a list of ids"):
        build_map(tmp_path)


def test_a_chapter_dropped_from_the_contents_leaves_the_map(tmp_path):
    make_course(tmp_path)
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/intro\n")
    omap = build_map(tmp_path)
    assert omap.objectives == {}
