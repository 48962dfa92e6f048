"""Submissions in, gradebook out: LMS download layouts, scores, hand-graded points, feedback.

Layouts read by :func:`collect` (each gives the student identifier the LMS uses):

* **plain folder**: ``<student>.ipynb`` or ``<student>.zip`` (an otter export zip);
* **Canvas** "Download submissions": ``<name>_<user id>_<submission id>_<file>`` (``LATE`` may follow
  the name); the identifier is the Canvas user id;
* **Moodle** "Download all submissions": one folder per student, ``<Full name>_<participant id>_
  assignsubmission_file_``; the identifier is the participant id;
* **Gradescope** "Export submissions": ``submission_<n>/`` folders and ``submission_metadata.yml``;
  the identifier is the submitter's SID (or e-mail when no SID is set).
"""

from __future__ import annotations

import csv
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

CANVAS = re.compile(r"^(?P<name>[^_]+)_(?:LATE_)?(?P<id>\d+)_\d+_(?P<file>.+)$")
MOODLE = re.compile(r"^(?P<name>.+)_(?P<id>\d+)_assignsubmission_(?:file|onlinetext)_?$")


@dataclass
class Submission:
    student: str
    path: Path  # the notebook to grade
    layout: str


def _notebook_in(folder: Path) -> Optional[Path]:
    found = sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".ipynb", ".zip")
                   and not p.name.startswith(".") and ".ipynb_checkpoints" not in p.parts)
    return found[0] if found else None


def collect(folder: Path) -> list[Submission]:
    """Every submission in ``folder``, with its student identifier (see the module docstring)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"submissions folder not found: {folder}")
    subs: list[Submission] = []
    metadata = folder / "submission_metadata.yml"
    if metadata.exists():
        import yaml

        meta = yaml.safe_load(metadata.read_text()) or {}
        for key, info in meta.items():
            submitters = (info or {}).get(":submitters") or [{}]
            who = submitters[0]
            student = str(who.get(":sid") or who.get(":email") or key)
            nb = _notebook_in(folder / key) if (folder / key).is_dir() else None
            if nb:
                subs.append(Submission(student, nb, "gradescope"))
        return subs
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            m = MOODLE.match(entry.name)
            nb = _notebook_in(entry)
            if nb:
                subs.append(Submission(m.group("id") if m else entry.name, nb, "moodle" if m else "folder"))
        elif entry.suffix.lower() in (".ipynb", ".zip"):
            m = CANVAS.match(entry.name)
            subs.append(Submission(m.group("id") if m else entry.stem, entry, "canvas" if m else "plain"))
    if not subs:
        raise FileNotFoundError(f"no .ipynb or .zip submissions in {folder}")
    seen: dict[str, int] = {}
    for s in subs:  # a student who submitted twice: keep the last file in name order, say so
        seen[s.student] = seen.get(s.student, 0) + 1
    return [s for i, s in enumerate(subs)
            if not any(t.student == s.student for t in subs[i + 1:])]


def notebook_of(sub: Submission, workdir: Path) -> Path:
    """The ``.ipynb`` to grade: the file itself, or the notebook inside an otter export zip."""
    if sub.path.suffix.lower() != ".zip":
        return sub.path
    with zipfile.ZipFile(sub.path) as zf:
        names = [n for n in zf.namelist() if n.endswith(".ipynb") and "/" not in n.strip("/")]
        if not names:
            raise ValueError("the zip file holds no notebook")
        target = Path(tempfile.mkdtemp(dir=workdir)) / "submission.ipynb"
        target.write_bytes(zf.read(names[0]))
        return target


def written_answers(notebook: Path, manual: list[str]) -> dict[str, str]:
    """The Markdown the student wrote for each hand-graded question (the cells after its prompt)."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    answers: dict[str, str] = {}
    current: Optional[str] = None
    for cell in nb.cells:
        text = str(cell.source)
        m = re.search(r"\*\*Question (\d+)\b", text) if cell.cell_type == "markdown" else None
        if m:
            current = f"q{m.group(1)}" if f"q{m.group(1)}" in manual else None
            continue
        if current and cell.cell_type == "markdown" and text.strip():
            answers[current] = (answers.get(current, "") + "\n\n" + text.strip()).strip()
    return answers


def read_manual(path: Path, manual: list[str]) -> dict[str, dict[str, str]]:
    """Hand-graded points typed by the instructor (``manual.csv``); created once, never overwritten."""
    if not path.exists():
        return {}
    with open(path, newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f) if row.get("student")}


def write_manual_template(path: Path, students: list[str], manual: list[dict]) -> None:
    """Add a row for every new student; keep every point already typed in."""
    rows = read_manual(path, [q["name"] for q in manual])
    columns = ["student"] + [q["name"] for q in manual]
    for s in students:
        rows.setdefault(s, {"student": s})
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, columns, extrasaction="ignore")
        writer.writeheader()
        for s in sorted(rows):
            writer.writerow({c: rows[s].get(c, "") for c in columns})


def hand_points(typed: dict[str, dict[str, str]], student: str, manual: list[dict]) -> list[Optional[float]]:
    """The points typed in ``manual.csv`` for ``student``, one per hand-graded question (None: not yet graded).

    A typo must not vanish from a total, so anything that is not a number from 0 to the question's
    points is an error that names the student, the question and what was typed.
    """
    points: list[Optional[float]] = []
    for q in manual:
        text = str(typed.get(student, {}).get(q["name"]) or "").strip()
        if not text:
            points.append(None)
            continue
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"manual.csv, student {student}, {q['name']}: {text!r} is not a number "
                             "(write points with a decimal point, such as 1.5)") from None
        if not 0 <= value <= q["points"]:
            raise ValueError(f"manual.csv, student {student}, {q['name']}: {text} is outside 0 to "
                             f"{q['points']:g}, the question's points")
        points.append(value)
    return points


# The columns Moodle's "Upload grading worksheet" reads (assignfeedback_offline): it finds a student by
# "Identifier" ("Participant <id>", the id in the download's folder names) and needs all three.
MOODLE_WORKSHEET = ("Identifier", "Grade", "Last modified (grade)", "Feedback comments")


def write_moodle_worksheet(path: Path, rows: list[tuple[str, float, str]], when: str) -> None:
    """Write Moodle's offline grading worksheet: ``(participant id, grade, comment)`` per student.

    ``when`` is the time of grading (``YYYY-MM-DD HH:MM``); Moodle keeps a grade changed after it
    unless the instructor ticks "Allow updating records that have been modified more recently".
    """
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(MOODLE_WORKSHEET)
        for participant, grade, comment in rows:
            writer.writerow([f"Participant {participant}", f"{grade:g}", when, comment])
