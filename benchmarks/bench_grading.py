"""Grading benchmark: 80 submissions of one chapter in the sandbox, on 2 cores, each on its own city.

Prints the wall time for 80 correct submissions, and for 80 submissions of which 5 hang in a cell
(target for both: under 3 minutes on a 2-core machine). Run with ``make bench`` or
``python benchmarks/bench_grading.py [--chapter ch04-proxies] [--n 80] [--hung 5]``.
"""

from __future__ import annotations

import argparse
import copy
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nbformat  # noqa: E402

from scored_site import exercises as ex  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chapter", default="ch04-proxies")
    parser.add_argument("--n", type=int, default=80)
    parser.add_argument("--hung", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cell-timeout", type=float, default=20)
    args = parser.parse_args()
    if shutil.which("bwrap") is None:
        print("bubblewrap (bwrap) is not installed; skipping the grading benchmark")
        return 0
    key = "benchmark-instructor-key-0123456789"
    with tempfile.TemporaryDirectory(prefix="scored-bench-") as tmp:
        root = Path(tmp)
        built = ex.build(root / "build", [args.chapter], log=lambda *a: None)[args.chapter]
        solution = nbformat.read(built.solution_notebook, as_version=4)
        rows = []
        for hung in (0, args.hung):
            subs = root / f"subs-{hung}"
            subs.mkdir()
            for i in range(args.n):
                nb = copy.deepcopy(solution)
                if i < hung:  # hangs in the middle of the notebook
                    nb.cells.insert(len(nb.cells) // 2, nbformat.v4.new_code_cell("while True:\n    pass"))
                nbformat.write(nb, subs / f"student{i:03d}.ipynb")
            started = time.perf_counter()
            report = ex.grade(args.chapter, subs, build_dir=built.root.parent, out=root / f"grades-{hung}",
                              jobs=args.jobs, key=key, cell_timeout=args.cell_timeout, log=lambda *a: None)
            seconds = time.perf_counter() - started
            graded = sum(r["status"] == "graded" for r in report.results)
            flagged = sum(bool((r.get("cells") or {}).get("timed_out")) for r in report.results)
            rows.append((hung, seconds, graded, flagged))
    print(f"Grading {args.n} submissions of {args.chapter} in the sandbox, {args.jobs} jobs, "
          f"per-cell limit {args.cell_timeout:g} s, each on its own city:")
    print(f"{'hung notebooks':>15} {'wall time':>10} {'per submission':>15} {'graded':>7} {'flagged':>8}")
    for hung, seconds, graded, flagged in rows:
        print(f"{hung:>15} {seconds:>9.0f}s {seconds / args.n:>14.2f}s {graded:>7} {flagged:>8}")
    print("target: under 180 s for both")
    return 0


if __name__ == "__main__":
    sys.exit(main())
