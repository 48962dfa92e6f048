"""The student site served from a sub-path, as GitHub Pages, GitLab Pages and university web servers do.

The built site is served at ``http://127.0.0.1:<port>/course/`` and nothing is served at the root, so any URL
that assumes the site is at ``/`` fails. In headless Chromium: pages load with no failed request, charts draw,
search finds course text, and every local link of every page resolves under ``/course/``.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

PREFIX = "/course"
# Pages with the most that can break: the home page, a chapter with interactive charts and a quiz, the page of
# downloads, the glossary, and the instructor guide's objectives map.
PAGES = ["", "index.html", "book/ch04-proxies.html", "book/exercises.html", "book/glossary.html",
         "book/instructors/objectives-map.html"]
ROOT_ABSOLUTE = re.compile(r'(?:href|src)="(/(?!/)[^"]*)"')


class _SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site under PREFIX only; anything else is a 404, as on a shared web server."""

    def translate_path(self, path):
        parsed = urlparse(path).path
        if parsed != PREFIX and not parsed.startswith(PREFIX + "/"):
            return str(Path(self.directory) / "__not_under_the_prefix__")
        return super().translate_path(path[len(PREFIX):] or "/")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def course_url(site_dir):
    handler = functools.partial(_SubPathHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}/"
    server.shutdown()
    server.server_close()


def test_the_server_really_serves_only_the_sub_path(course_url):
    with urllib.request.urlopen(course_url + "index.html") as response:
        assert response.status == 200
    root = course_url[: -len(PREFIX) - 1] + "/index.html"
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(root)


def test_no_page_links_to_the_server_root(site_dir):
    found = []
    for page in site_dir.rglob("*.html"):
        found += [f"{page.relative_to(site_dir)}: {url}" for url in ROOT_ABSOLUTE.findall(page.read_text())]
    assert found == [], "root-absolute URLs break under a sub-path:\n" + "\n".join(found[:20])


@pytest.mark.parametrize("path", PAGES)
def test_page_works_under_the_sub_path(browser, course_url, path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    failed, errors = [], []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
    page.on("pageerror", lambda e: errors.append(str(e)))
    # Chromium may ask the server root for /favicon.ico on its own (the site names its icon); that request is
    # the browser's, not the site's, and a shared server answers it or not.
    page.on("console", lambda m: errors.append(f"{m.text} ({m.location.get('url')})")
            if m.type == "error" and not str(m.location.get("url", "")).endswith("/favicon.ico") else None)
    page.goto(course_url + path, wait_until="load")
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.scored-chart')).every(c => c.querySelector('svg, canvas'))",
        timeout=20_000)
    charts = page.query_selector_all(".scored-chart")
    assert all(c.query_selector("svg.marks, canvas") for c in charts)
    if path == "book/ch04-proxies.html":
        assert charts, "the chapter's charts did not render under the sub-path"
    assert failed == [] and errors == [], f"{path}: {failed + errors}"
    context.close()


def test_search_works_under_the_sub_path(browser, course_url):
    context = browser.new_context()
    page = context.new_page()
    page.goto(course_url + "search.html?q=blacklist")
    page.wait_for_selector("#search-results li", timeout=20_000)
    first = page.query_selector("#search-results li a")
    assert urlparse(first.get_attribute("href") and urljoin(page.url, first.get_attribute("href"))).path.startswith(
        PREFIX + "/")
    first.click()
    page.wait_for_load_state("load")
    assert urlparse(page.url).path.startswith(PREFIX + "/book/") and page.title()
    context.close()


def test_every_local_link_resolves_under_the_sub_path(site_dir, course_url):
    """Each page's local links, resolved as a browser would against the page's /course/ URL, answer 200."""
    seen, broken = set(), []
    for page in sorted(site_dir.rglob("*.html")):
        page_url = course_url + page.relative_to(site_dir).as_posix()
        for href in re.findall(r'<a[^>]+href="([^"]+)"', page.read_text(encoding="utf-8")):
            if href.startswith(("http:", "https:", "mailto:", "#", "javascript:", "data:")):
                continue
            url = urljoin(page_url, href).split("#")[0].split("?")[0]
            if url in seen:
                continue
            seen.add(url)
            if not urlparse(url).path.startswith(PREFIX + "/"):
                broken.append(f"{page.name} -> {href} (leaves {PREFIX}/)")
                continue
            try:
                urllib.request.urlopen(urllib.request.Request(url, method="HEAD")).close()
            except urllib.error.HTTPError as error:
                broken.append(f"{page.name} -> {href} ({error.code})")
    assert seen and broken == [], "\n".join(broken)
