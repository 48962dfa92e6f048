"""Check that the course works on another classroom city before you rebuild it there.

    python -m scored_site.rebuild --seeds 7 2027 31337            # every chapter, on three new cities
    python -m scored_site.rebuild --seeds 7 --chapter ch04-proxies

For each seed this writes a city of 10,000 residents (``python -m scored world``) and executes every chapter of
the table of contents on it, with ``$SCORED_CITY`` pointing at the city, the way the book build does: a cell
that fails or prints a warning, or a chart the site cannot draw, fails the chapter. It executes the notebooks
directly, chapters in parallel, which is several times faster than a full site build per seed. The exercises are
verified on several cities by the grading pipeline's own tests.

To publish a course on another city, set ``SCORED_CITY`` for ``make book`` (see the instructor guide's
"Adapting the course").
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

from scored import viz
from scored_site.toc import ROOT, toc_units

CITY_RESIDENTS = 10_000
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class Run:
    chapter: str
    seed: int
    seconds: float
    problems: list[str]


def write_city(seed: int, folder: Path) -> Path:
    """A classroom-sized city for ``seed`` in ``folder`` (reused if it is already there)."""
    from scored.world import make_world

    if not (folder / "records.csv").exists():
        make_world(CITY_RESIDENTS, seed=seed).to_csv(folder)
    return folder


def chapters(root: Path = ROOT) -> list[Path]:
    """The chapters in the table of contents (the capstone runs on its own city, whatever the seed)."""
    return [root / "book" / f"{u}.md" for u in toc_units(root) if u.startswith("ch")]


def execute(notebook: Any, env: Optional[dict[str, str]] = None, attempts: int = 3, **options: Any) -> None:
    """Execute ``notebook`` in place in a fresh ``python3`` kernel (nbclient's ``options``; ``env``: the
    kernel's environment, by default this process's).

    A kernel that lost a race for a TCP port with another starting at the same moment dies before it
    replies: then another is started, up to ``attempts`` in all (``exercises.retry_lost_kernel_start``).
    """
    from nbclient import NotebookClient

    from scored_site.exercises import retry_lost_kernel_start

    retry_lost_kernel_start(
        lambda: NotebookClient(notebook, kernel_name="python3", **options).execute(env=env or dict(os.environ)),
        attempts)


def execute_chapter(chapter: Path, city: Optional[Path], timeout: int = 600) -> list[str]:
    """Run every cell of a chapter on ``city``; return what went wrong (empty if nothing did)."""
    import jupytext
    from nbclient.exceptions import CellExecutionError

    import nbformat

    notebook = jupytext.read(chapter, fmt="md:myst")
    env = dict(os.environ, SCORED_SITE="1")
    env.pop("SCORED_CITY", None)
    if city is not None:
        env["SCORED_CITY"] = str(city)
    # A first cell that proves the kernel reads the city it was given, not the committed one.
    notebook.cells.insert(0, nbformat.v4.new_code_cell(
        "import os\nassert os.environ.get('SCORED_CITY') == %r, 'the kernel did not get $SCORED_CITY'"
        % (str(city) if city is not None else None)))
    try:
        execute(notebook, env=env, timeout=timeout, resources={"metadata": {"path": str(chapter.parent)}})
    except CellExecutionError as error:
        text = _ANSI.sub("", str(error))
        # The traceback marks the failing line of the chapter's cell with an arrow ("---> 19 assert ...").
        failing = re.findall(r"^-*> ?\d+ (.*)$", text, re.M)
        where = f" at: {failing[0].strip()[:160]}" if failing else ""
        return [f"{chapter.name}: a cell failed with {error.ename}: {error.evalue}{where}"]
    problems = []
    for number, cell in enumerate(notebook.cells, start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                problems.append(f"{chapter.name}, cell {number} printed to stderr: {output['text'].strip()[:300]}")
            page = output.get("data", {}).get("text/html", "")
            try:  # the charts, compiled here as the book build compiles them (scored.viz.compile_charts)
                viz.compile_charts("".join(page) if isinstance(page, list) else page)
            except ValueError as error:
                problems.append(f"{chapter.name}, cell {number}: a chart the site cannot draw: {str(error)[:300]}")
    return problems


def _run(args: tuple[Path, int, Path]) -> Run:
    chapter, seed, city = args
    start = time.perf_counter()
    problems = execute_chapter(chapter, city)
    return Run(chapter.stem, seed, time.perf_counter() - start, problems)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scored_site.rebuild", description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", required=True, help="city seeds to try")
    parser.add_argument("--chapter", action="append", help="only this chapter (repeatable)")
    parser.add_argument("--cities", type=Path, default=ROOT / "_build" / "cities", help="where cities are written")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="chapters executed at once")
    args = parser.parse_args(argv)
    selected = [c for c in chapters() if not args.chapter or c.stem in args.chapter]
    tasks = []
    for seed in args.seeds:
        city = write_city(seed, args.cities / f"seed-{seed}")
        tasks += [(chapter, seed, city) for chapter in selected]
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        runs = list(pool.map(_run, tasks))
    failed = [r for r in runs if r.problems]
    for run in runs:
        print(f"{'ok  ' if not run.problems else 'FAIL'} seed {run.seed:<6} {run.chapter:<36} {run.seconds:6.1f} s")
        for problem in run.problems:
            print("     " + problem)
    print(f"{len(runs) - len(failed)} of {len(runs)} chapter runs passed on seeds {args.seeds} "
          f"in {time.perf_counter() - start:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
