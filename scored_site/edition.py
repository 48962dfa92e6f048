"""The two editions of the site: what goes into each, and a guard that keeps instructor material off the public one.

``make book`` builds the student site into ``_build/html``; ``make instructor`` builds the instructor edition into
``_build/instructor`` (``SCORED_EDITION=instructor``: discussion notes shown, solutions and rubrics beside it).

    python -m scored_site.edition rubrics _build/instructor/exercises   # rubrics.md -> rubrics.html per unit
    python -m scored_site.edition check-student _build/html             # fails if instructor material is there
    python -m scored_site.edition prune-downloads _build/html/exercises # drops downloads of units not in _toc.yml

The deployment workflows run ``check-student`` before they publish anything.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path
from typing import Optional, Sequence

from scored_site.toc import toc_units

# Anything matching these in a published folder is instructor material.
INSTRUCTOR_FILES = ("rubrics.md", "rubrics.html", "*-autograder.zip", "manifest.json")
INSTRUCTOR_MARKERS = ("scored-instructor-only", "Instructor edition: solutions")

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow"><title>{title}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}}
pre,code{{background:#f4f4f4}}pre{{padding:.5rem;overflow-x:auto}}
@media (prefers-color-scheme: dark){{body{{background:#15181c;color:#e6e6e6}}pre,code{{background:#252a30}}
a{{color:#8ab4f8}}}}</style></head>
<body><p><a href="../../../index.html">Back to the instructor edition</a></p>
{body}</body></html>
"""


def render_rubrics(exercises_dir: Path) -> list[Path]:
    """Write ``rubrics.html`` next to each unit's ``instructor/rubrics.md``, so a browser shows it as a page."""
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark").enable("table")
    written = []
    for source in sorted(exercises_dir.glob("*/instructor/rubrics.md")):
        unit = source.parent.parent.name
        target = source.with_suffix(".html")
        body = renderer.render(source.read_text(encoding="utf-8"))
        target.write_text(_PAGE.format(title=html.escape(f"Rubrics: {unit}"), body=body), encoding="utf-8")
        written.append(target)
    return written


def instructor_material(site: Path) -> list[str]:
    """Paths in a built site that belong to the instructor edition only (empty for a clean student site)."""
    found = [str(p.relative_to(site)) for p in site.rglob("instructor") if p.is_dir() and "exercises" in p.parts]
    for pattern in INSTRUCTOR_FILES:
        found += [str(p.relative_to(site)) for p in site.rglob(pattern) if "exercises" in p.relative_to(site).parts]
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8", errors="replace")
        if any(marker in text for marker in INSTRUCTOR_MARKERS):
            found.append(str(page.relative_to(site)))
    return sorted(set(found))


def prune_downloads(downloads: Path, root: Optional[Path] = None) -> list[Path]:
    """Remove exercise archives of units that are no longer in the table of contents."""
    keep = set(toc_units(root) if root else toc_units())
    removed = []
    for archive in sorted(downloads.glob("*.zip")) if downloads.is_dir() else []:
        if archive.stem not in keep:
            archive.unlink()
            removed.append(archive)
    return removed


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2 or args[0] not in {"rubrics", "check-student", "prune-downloads"}:
        print(__doc__, file=sys.stderr)
        return 2
    command, folder = args[0], Path(args[1])
    if command == "rubrics":
        written = render_rubrics(folder)
        print(f"rubrics: {len(written)} pages written in {folder}")
        return 0
    if command == "prune-downloads":
        for archive in prune_downloads(folder):
            print(f"removed {archive} (its unit is not in _toc.yml)")
        return 0
    if not (folder / "index.html").exists():
        print(f"check-student: no site in {folder}", file=sys.stderr)
        return 1
    found = instructor_material(folder)
    if found:
        print(f"check-student: instructor material in {folder}; do not publish it:", file=sys.stderr)
        for path in found[:20]:
            print("  " + path, file=sys.stderr)
        return 1
    print(f"check-student: {folder} holds no instructor material")
    return 0


if __name__ == "__main__":
    sys.exit(main())
