"""Build figures for the closing notes: clean build time, no-change rebuild time, page weights.

Run from the repository root with the project's venv:  .venv/bin/python benchmarks/bench_build.py
It builds into a temporary copy of the repository, so the working tree's _build is left alone.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"


def build(root: Path) -> float:
    start = time.perf_counter()
    subprocess.run([str(JUPYTER_BOOK), "build", str(root), "--warningiserror", "--keep-going"],
                   check=True, capture_output=True)
    return time.perf_counter() - start


def page_weight(site: Path, page: Path) -> int:
    """Bytes a first visit loads: the page plus every local script, stylesheet and font it references."""
    html = page.read_text(encoding="utf-8")
    total = page.stat().st_size
    seen = set()
    for ref in re.findall(r'(?:src|href)="([^"#?]+)(?:\?[^"]*)?"', html):
        if ref.startswith(("http:", "https:", "mailto:")) or not ref.endswith((".js", ".css")):
            continue
        path = (page.parent / ref).resolve()
        if path.is_file() and path not in seen:
            seen.add(path)
            total += path.stat().st_size
    # The theme's stylesheet pulls in one icon font.
    total += sum(f.stat().st_size for f in site.rglob("fa-solid-900.woff2"))
    return total


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "scored"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", "_build", ".git", "*.egg-info"))
        clean = build(copy)
        again = build(copy)
        site = copy / "_build" / "html"
        print(f"clean build:            {clean:6.1f} s")
        print(f"no-change rebuild:      {again:6.1f} s")
        print(f"chart bundle:           {(site / '_static' / 'scored-vega.js').stat().st_size:,} bytes")
        for page in sorted((site / "book").glob("*.html")):
            print(f"page weight {page.name:28s} {page_weight(site, page):>10,} bytes")


if __name__ == "__main__":
    main()
