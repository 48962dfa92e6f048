"""Build figures for the closing notes: clean build time, no-change rebuild time, page weights.

Run from the repository root with the project's venv:  .venv/bin/python benchmarks/bench_build.py
It builds into a temporary copy of the repository, so the working tree's _build is left alone.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"


def build(root: Path) -> float:
    start = time.perf_counter()
    subprocess.run([str(JUPYTER_BOOK), "build", str(root), "--warningiserror", "--keep-going"],
                   check=True, capture_output=True)
    return time.perf_counter() - start


def page_weights(site: Path) -> dict[str, int]:
    """Bytes each page loads on a first visit in Chromium, as the site tests count them: every file
    the browser requests from the site (page, scripts, styles, fonts, chart bundle)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import CHROMIUM, CHROMIUM_FLAGS
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    weights = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for page_file in sorted((site / "book").glob("*.html")):
            context = browser.new_context()
            page = context.new_page()
            paths = set()
            page.on("request", lambda request: paths.add(urlparse(request.url).path))
            page.goto(f"{base}/book/{page_file.name}", wait_until="load")
            page.wait_for_timeout(500)
            files = {site / p.lstrip("/") for p in paths}
            weights[page_file.name] = sum(f.stat().st_size for f in files if f.is_file())
            context.close()
        browser.close()
    server.shutdown()
    return weights


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


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
        for name, weight in page_weights(site).items():
            print(f"page weight {name:38s} {weight:>10,} bytes")


if __name__ == "__main__":
    main()
