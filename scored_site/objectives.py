"""The objectives map: each learning objective, the class activities that serve it, the questions that assess it.

Everything is read from the sources, so the map is always the course as it stands:

* **objectives** from each unit's "Learning objectives" admonition (``book/chNN-*.md``, ``book/capstone.md``),
  where an item carries its id with the ``{objective}`` role: ``2. {objective}`ch04-2` **Compute** ...``;
* **quiz questions** from ``book/quizzes/<unit>.yml`` (``objectives: [ch04-2]`` on a question);
* **exercise questions** from ``exercises/<unit>.md`` (``objectives: [ch04-2]`` in a ``# BEGIN QUESTION`` block);
* **activities** from the lesson plans in ``book/instructors/``, where an activity heading is followed by a
  ``{serves}`ch04-1 ch04-2``` line.

``python -m scored_site.objectives`` prints the coverage and every problem (exit status 1 if there is one);
``tests/test_objectives.py`` fails on the same problems; the ``{objectives-map}`` directive draws the table on
the instructor pages.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

import yaml

from scored_site.toc import toc_units

ROOT = Path(__file__).resolve().parent.parent

OBJECTIVE_ID = re.compile(r"^(?:ch\d\d|capstone)-\d+$")
_ADMONITION = re.compile(r"```\{admonition\} Learning objectives\n(.*?)\n```", re.S)
_ITEM = re.compile(r"^(\d+)\.\s+(.*?)(?=^\d+\.\s|\Z)", re.S | re.M)
_ROLE = re.compile(r"\{objective\}`([^`]*)`\s*")
_OTTER_QUESTION = re.compile(r"```otter\n(# BEGIN QUESTION\n.*?)```", re.S)
_SERVES = re.compile(r"^\{serves\}`([^`]*)`\s*$", re.M)  # a line of its own, as the lesson plans write it
_HEADING = re.compile(r"^(#{2,4})\s+(.*)$", re.M)


class ObjectivesError(ValueError):
    """A source that the map cannot read; the message names the file."""


@dataclass
class Objective:
    ident: str          # "ch04-2"
    unit: str           # "ch04-proxies"
    number: int         # position in the unit's list
    text: str           # the objective in plain words
    has_role: bool      # carries an {objective} role in the source
    activities: list[str] = field(default_factory=list)
    quiz: list[str] = field(default_factory=list)       # "quiz Q3"
    exercises: list[str] = field(default_factory=list)  # "exercise q2"

    @property
    def assessments(self) -> list[str]:
        return self.quiz + self.exercises


@dataclass
class ObjectivesMap:
    objectives: dict[str, Objective]
    problems: list[str]

    @property
    def assessed(self) -> int:
        return sum(1 for o in self.objectives.values() if o.assessments)

    @property
    def coverage(self) -> str:
        return f"{self.assessed}/{len(self.objectives)}"


def unit_prefix(unit: str) -> str:
    """'ch04-proxies' -> 'ch04'; 'capstone' -> 'capstone'."""
    return unit.split("-")[0] if re.match(r"ch\d\d-", unit) else unit


def units(root: Path = ROOT) -> list[str]:
    """The units that have learning objectives: chapters and the capstone in the table of contents, in order.

    A chapter dropped from ``_toc.yml`` is not part of the course, so its objectives are not either."""
    if (root / "_toc.yml").exists():
        return [u for u in toc_units(root) if (root / "book" / f"{u}.md").exists()]
    stems = sorted(p.stem for p in (root / "book").glob("ch[0-9][0-9]-*.md"))
    if (root / "book" / "capstone.md").exists():
        stems.append("capstone")
    return stems


def _plain(markdown: str) -> str:
    text = re.sub(r"\*\*([^*]+)\*\*", r"\1", markdown)
    text = re.sub(r"\*([^*]+)\*", r"\1", text)
    text = re.sub(r"\{[a-z:]+\}`([^`<]*?)(?:\s*<[^>]*>)?`", r"\1", text)
    return " ".join(text.replace("`", "").split())


def read_objectives(path: Path) -> list[Objective]:
    """The numbered items of a unit's "Learning objectives" admonition."""
    unit = path.stem
    match = _ADMONITION.search(path.read_text(encoding="utf-8"))
    if not match:
        raise ObjectivesError(f"{path.name}: no ```{{admonition}} Learning objectives block")
    body = match.group(1).split("\n\n", 1)[-1] if "\n\n" in match.group(1) else match.group(1)
    found = []
    for number, item in _ITEM.findall(body):
        role = _ROLE.search(item)
        ident = role.group(1).strip() if role else f"{unit_prefix(unit)}-{int(number)}"
        found.append(Objective(ident, unit, int(number), _plain(_ROLE.sub("", item)), role is not None))
    return found


def read_quiz(path: Path) -> list[tuple[str, list[str]]]:
    """(label, objective ids) for each question of a quiz file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [(f"quiz Q{n}", _ids(q.get("objectives"), f"{path.name}, question {n}"))
            for n, q in enumerate(data.get("questions") or [], start=1)]


def read_exercise(path: Path) -> list[tuple[str, list[str]]]:
    """(label, objective ids) for each ``# BEGIN QUESTION`` block of an exercise source."""
    found = []
    for block in _OTTER_QUESTION.findall(path.read_text(encoding="utf-8")):
        conf = yaml.safe_load(block) or {}
        name = str(conf.get("name", "?"))
        kind = "hand-graded" if conf.get("manual") else "auto-graded"
        found.append((f"exercise {name} ({kind})", _ids(conf.get("objectives"), f"{path.name}, {name}")))
    return found


def read_activities(folder: Path) -> list[tuple[str, list[str]]]:
    """(label, objective ids) for each ``{serves}`` line in the lesson plans, labelled by its heading."""
    found = []
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        for match in _SERVES.finditer(text):
            headings = [h for h in _HEADING.finditer(text, 0, match.start())]
            label = _plain(headings[-1].group(2)) if headings else path.stem
            found.append((label, match.group(1).replace(",", " ").split()))
    return found


def _ids(value, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ObjectivesError(f"{where}: 'objectives' must be a list of ids like [ch04-2], got {value!r}")
    return [v.strip() for v in value]


def build_map(root: Path = ROOT, unit_names: Optional[Sequence[str]] = None) -> ObjectivesMap:
    """Read every unit's objectives, quiz, exercises and lesson-plan activities; list what does not fit."""
    objectives: dict[str, Objective] = {}
    problems: list[str] = []
    for unit in unit_names or units(root):
        for objective in read_objectives(root / "book" / f"{unit}.md"):
            where = f"{unit}.md objective {objective.number}"
            if not objective.has_role:
                problems.append(f"{where}: no {{objective}} id (write {{objective}}`{objective.ident}` before it)")
            if not OBJECTIVE_ID.match(objective.ident):
                problems.append(f"{where}: id {objective.ident!r} is not of the form chNN-K or capstone-K")
            elif not objective.ident.startswith(unit_prefix(unit) + "-"):
                problems.append(f"{where}: id {objective.ident!r} belongs to another unit")
            if objective.ident in objectives:
                problems.append(f"{where}: id {objective.ident!r} is used twice")
            objectives[objective.ident] = objective

    def attach(source: str, items, kind: str) -> None:
        for label, ids in items:
            for ident in ids:
                if ident not in objectives:
                    problems.append(f"{source}, {label}: points at objective {ident!r}, which does not exist")
                else:
                    getattr(objectives[ident], kind).append(label)

    for unit in unit_names or units(root):
        quiz = root / "book" / "quizzes" / f"{unit}.yml"
        if quiz.exists():
            attach(f"book/quizzes/{quiz.name}", read_quiz(quiz), "quiz")
        exercise = root / "exercises" / f"{unit}.md"
        if exercise.exists():
            attach(f"exercises/{exercise.name}", read_exercise(exercise), "exercises")
    attach("book/instructors", read_activities(root / "book" / "instructors"), "activities")

    for objective in objectives.values():
        if not objective.assessments:
            problems.append(f"{objective.ident} ({objective.unit}): no quiz or exercise question assesses it")
    return ObjectivesMap(objectives, problems)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scored_site.objectives", description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the course repository (default: this one)")
    args = parser.parse_args(argv)
    omap = build_map(args.root)
    for objective in omap.objectives.values():
        mark = "ok " if objective.assessments else "-- "
        print(f"{mark}{objective.ident:<12} quiz {len(objective.quiz)}, exercises {len(objective.exercises)}, "
              f"activities {len(objective.activities)}")
    print(f"\ncoverage: {omap.coverage} objectives have at least one quiz or exercise question")
    for problem in omap.problems:
        print("problem:", problem)
    return 1 if omap.problems else 0


if __name__ == "__main__":
    sys.exit(main())
