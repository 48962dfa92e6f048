"""Which units this edition of the course contains: the pages listed in ``_toc.yml``.

An instructor drops a chapter by deleting its line from ``_toc.yml``. Everything that publishes a unit's
material asks this module first: the exercise downloads (``python -m scored_site.toc --chapter-args``, used by
``make book``), the objectives map, and the Sphinx extension that turns links to a dropped chapter into plain
text (:mod:`scored_site.instructor_ext`).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import yaml

ROOT = Path(__file__).resolve().parent.parent
_LABEL = re.compile(r"^\(([^)\s]+)\)=\s*$", re.M)
_TITLE = re.compile(r"^# (.+)$", re.M)


def toc_files(root: Path = ROOT) -> list[str]:
    """Every file named in ``_toc.yml`` (root, chapters and sections), without suffix, in order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(str(entry["file"]).removesuffix(".md"))
            walk(entry.get("sections"))

    walk(toc.get("chapters"))
    for part in toc.get("parts") or []:
        walk(part.get("chapters"))
    return files


def is_unit(stem: str) -> bool:
    """Chapters and the capstone are units: they have objectives, a quiz or exercises."""
    return bool(re.match(r"ch\d\d-", stem)) or stem == "capstone"


def toc_units(root: Path = ROOT) -> list[str]:
    """The units in this edition, in the order of the table of contents: ['ch01-social-credit', ...]."""
    return [f.split("/")[-1] for f in toc_files(root) if f.startswith("book/") and is_unit(f.split("/")[-1])]


@dataclass(frozen=True)
class DroppedChapter:
    docname: str          # "book/ch05-feedback-loops"
    title: str            # the page's first heading
    labels: tuple[str, ...]


def dropped_chapters(root: Path = ROOT) -> dict[str, DroppedChapter]:
    """Units whose source is in ``book/`` but not in the table of contents, by docname."""
    listed = set(toc_files(root))
    dropped = {}
    for path in sorted((root / "book").glob("*.md")):
        docname = f"book/{path.stem}"
        if docname in listed or not is_unit(path.stem):
            continue
        text = path.read_text(encoding="utf-8")
        title = _TITLE.search(text)
        dropped[docname] = DroppedChapter(docname, title.group(1).strip() if title else path.stem,
                                          tuple(_LABEL.findall(text)))
    return dropped


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--chapter-args"]:
        # The exercise sources of the units in the table of contents, as arguments to
        # `python -m scored_site.exercises build`: a dropped chapter's download is not built.
        print(" ".join(f"--chapter {u}" for u in toc_units() if (ROOT / "exercises" / f"{u}.md").exists()))
        return 0
    if args == ["--dropped"]:
        print("\n".join(dropped_chapters()))
        return 0
    print("usage: python -m scored_site.toc --chapter-args | --dropped", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
