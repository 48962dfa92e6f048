"""The whole course as one PDF, printed by Chromium from the built pages.

Each page of the table of contents is opened in headless Chromium with print media (the site's own print
rules apply, plus :data:`PRINT_CSS`, which only adds what a book needs: controls hidden, tables and code
wrapped instead of clipped, charts kept whole on a page). Charts are printed in their default state, as the
SVG that vega drew, so they stay vector graphics. The pages are joined with pypdf behind a title page and a
table of contents with page numbers, and the PDF gets bookmarks (parts, then chapters).

    python -m scored_site.pdf [--site _build/html] [--out _build/html/scored-course.pdf]

Every page links to the PDF from its footer (:func:`setup`, a Sphinx hook).
"""

from __future__ import annotations

import argparse
import datetime
import functools
import html
import http.server
import io
import shutil
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional, Sequence

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
PDF_NAME = "scored-course.pdf"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Debian's Chromium, with the flags that keep it from calling home (DESIGN.md, section 1); the browser tests
# (tests/conftest.py) launch it with the same flags.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
# Nothing from another host, ever: everything but loopback goes to a proxy on a closed port, so it fails (the
# browser's cache stays on, which intercepting requests would turn off).
DEAD_PROXY_FLAG = "--proxy-server=http://127.0.0.1:9"
MARGIN = {"top": "16mm", "bottom": "16mm", "left": "15mm", "right": "15mm"}
VIEWPORT = {"width": 760, "height": 1000}  # about an A4 column at 96 dpi, so charts size themselves as printed

# What the PDF needs beyond the site's print rules.
PRINT_CSS = """
@page { size: A4; }
html, body { background: #fff !important; color: #000 !important; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-footer, .bd-footer-article, .prev-next-area,
.header-article-items, .headerlink, .copybtn, .toggle-button, .search-button-field, .vega-bindings,
.vega-actions, .scored-quiz-check, .scored-quiz-feedback, button, .scored-pdf-link, .skip-link,
.bd-header-announcement, #pst-back-to-top { display: none !important; }
.bd-main, .bd-content, .bd-article-container, .bd-article, .bd-page-width { max-width: none !important;
  width: auto !important; margin: 0 !important; display: block !important; }
.pst-scrollable-table-container, .table-wrapper, .cell_output, .output, .highlight, div.math, .katex-html {
  overflow: visible !important; max-height: none !important; }
table { width: 100% !important; table-layout: auto; font-size: 9pt; }
td, th { white-space: normal !important; overflow-wrap: anywhere; }
pre { white-space: pre-wrap !important; overflow-wrap: anywhere; font-size: 8pt; }
.scored-chart { break-inside: avoid; }
.scored-chart svg { max-width: 100% !important; height: auto !important; }
h1, h2, h3 { break-after: avoid; }
details.hide { display: none !important; }  /* "Show code cell source": the figure's plumbing, not the lesson */
* { box-shadow: none !important; text-shadow: none !important; }  /* Chromium prints shadows as bitmaps */
"""


@dataclass
class Entry:
    part: str
    path: str  # relative to the site root, e.g. "book/ch04-proxies.html"
    title: str = ""
    first_page: int = 0  # 0-based index in the final PDF
    pages: int = 0


def contents(book_root: Path = REPO_ROOT) -> list[Entry]:
    """Every page of ``_toc.yml`` in reading order, with the caption of its part."""
    toc = yaml.safe_load((book_root / "_toc.yml").read_text(encoding="utf-8"))
    entries = [Entry("", toc["root"] + ".html")]

    def walk(part: str, items) -> None:
        for item in items or []:
            if "file" in item:
                entries.append(Entry(part, item["file"] + ".html"))
            walk(part, item.get("sections"))

    for part in toc.get("parts", [{"caption": "", "chapters": toc.get("chapters")}]):
        walk(part.get("caption", ""), part["chapters"])
    return entries


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """The built site on an ephemeral localhost port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _print_page(page, url: str) -> tuple[str, bytes]:
    """Open ``url`` in ``page`` (a tab set to print media) and print it; returns its title and the PDF."""
    page.goto(url, wait_until="load")
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.scored-chart')).every(c => c.querySelector('svg'))",
        timeout=60_000)
    page.add_style_tag(content=PRINT_CSS)
    page.evaluate("document.fonts.ready")
    title = page.evaluate("(document.querySelector('article h1') || document.querySelector('h1'))"
                          "?.textContent.replace('#', '').trim() || document.title")
    return title, page.pdf(format="A4", margin=MARGIN, print_background=False, outline=True, tagged=True,
                           prefer_css_page_size=True)


def _front_matter(browser, entries: list[Entry], offset: int, course_title: str) -> bytes:
    """Title page and table of contents (page numbers as the PDF viewer shows them, counted from 1)."""
    rows, part = [], None
    for e in entries:
        if e.part != part and e.part:
            rows.append(f'<tr class="part"><td colspan="2">{html.escape(e.part)}</td></tr>')
        part = e.part
        rows.append(f'<tr><td>{html.escape(e.title)}</td><td class="n">{e.first_page + offset + 1}</td></tr>')
    doc = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><style>
      body {{ font-family: sans-serif; color: #000; }}
      .title {{ height: 240mm; display: flex; flex-direction: column; justify-content: center; break-after: page; }}
      .title h1 {{ font-size: 26pt; margin: 0 0 8mm; }} .title p {{ font-size: 12pt; margin: 2mm 0; }}
      h2 {{ font-size: 18pt; }} table {{ width: 100%; border-collapse: collapse; font-size: 11pt; }}
      td {{ padding: 1.2mm 0; }} td.n {{ text-align: right; width: 15mm; }}
      tr.part td {{ font-weight: bold; padding-top: 5mm; }}
    </style></head><body>
      <section class="title"><h1>{html.escape(course_title)}</h1>
        <p>The course as one document, printed from its web pages on {datetime.date.today():%d %B %Y}.</p>
        <p>Charts appear in their default state; the web version lets you move their controls, run the
           quizzes and download the exercises.</p>
        <p>Course text licensed CC BY 4.0; code licensed MIT. All people, groups and places in the synthetic
           city are fictional.</p></section>
      <h2>Contents</h2><table>{''.join(rows)}</table></body></html>"""
    page = browser.new_page()
    try:
        page.set_content(doc)
        return page.pdf(format="A4", margin=MARGIN, outline=False, tagged=True)
    finally:
        page.close()


def build_pdf(site: Path, out: Path, book_root: Path = REPO_ROOT, log=print) -> Path:
    """Print every page of the course and join them into ``out``; returns ``out``."""
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader, PdfWriter

    site, out = Path(site), Path(out)
    if not (site / "index.html").is_file():
        raise FileNotFoundError(f"no built site in {site}: run `make book` first")
    course_title = yaml.safe_load((book_root / "_config.yml").read_text(encoding="utf-8"))["title"]
    entries = contents(book_root)
    printed: list[bytes] = []
    with serve(site) as origin, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS + [DEAD_PROXY_FLAG])
        try:
            # One tab reads the pages one after another, as a reader would: shared files come from its cache.
            page = browser.new_page(viewport=VIEWPORT)
            page.emulate_media(media="print", color_scheme="light")
            first = 0
            for e in entries:
                e.title, pdf = _print_page(page, f"{origin}/{e.path}")
                e.pages, e.first_page = len(PdfReader(io.BytesIO(pdf)).pages), first
                first += e.pages
                printed.append(pdf)
            # The front matter's own length shifts every page number: print it twice if it has to.
            front = _front_matter(browser, entries, 0, course_title)
            offset = len(PdfReader(io.BytesIO(front)).pages)
            front = _front_matter(browser, entries, offset, course_title)
            if len(PdfReader(io.BytesIO(front)).pages) != offset:
                raise RuntimeError("the table of contents changed length when numbered")
        finally:
            browser.close()

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(front)), import_outline=False)
    writer.add_outline_item(title="Contents", page_number=1 if offset > 1 else 0)
    parts: dict[str, object] = {}
    for e, pdf in zip(entries, printed):
        writer.append(PdfReader(io.BytesIO(pdf)), import_outline=False)
        parent = None
        if e.part:
            if e.part not in parts:
                parts[e.part] = writer.add_outline_item(title=e.part, page_number=offset + e.first_page)
            parent = parts[e.part]
        writer.add_outline_item(title=e.title, page_number=offset + e.first_page, parent=parent)
    writer.add_metadata({"/Title": course_title, "/Author": "The Scored authors"})
    writer.page_mode = "/UseOutlines"
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".pdf.partial")
    with open(partial, "wb") as fh:
        writer.write(fh)
    partial.replace(out)
    return out


# ---------------------------------------------------------------------------------------------------------------
# Sphinx: a link to the PDF in every page's footer
# ---------------------------------------------------------------------------------------------------------------

def _footer_link(app, pagename, templatename, context, doctree) -> None:
    href = context["pathto"](PDF_NAME, 1)
    link = (f'<p class="scored-pdf-link"><a href="{href}" download>Download the whole course as a PDF</a> '
            f'(for reading offline or printing).</p>')
    context["theme_extra_footer"] = (context.get("theme_extra_footer") or "") + link


def setup(app) -> dict:
    app.connect("html-page-context", _footer_link)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scored_site.pdf", description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=REPO_ROOT / "_build" / "html")
    parser.add_argument("--out", type=Path, default=None, help=f"default: SITE/{PDF_NAME}")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    out = build_pdf(args.site, args.out or args.site / PDF_NAME)
    from pypdf import PdfReader

    print(f"course PDF: {out} ({len(PdfReader(out).pages)} pages, {out.stat().st_size / 1e6:.1f} MB) "
          f"in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
