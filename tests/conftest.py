"""Shared fixtures: the built site, served on localhost, and a headless Chromium driven by Playwright."""

from __future__ import annotations

import functools
import http.server
import os
import socketserver
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Debian's Chromium, with the flags that keep it from calling home: the course PDF's (see DESIGN.md, section 1).
from scored_site.pdf import CHROMIUM, CHROMIUM_FLAGS

ROOT = Path(__file__).resolve().parent.parent
# The book whose built site the browser tests check: this repository, or a preview build
# (python -m scored_site.preview) named by SCORED_BOOK_ROOT.
BOOK_ROOT = Path(os.environ.get("SCORED_BOOK_ROOT", ROOT)).resolve()
SITE = BOOK_ROOT / "_build" / "html"


# ------------------------------------------------------------------------------------------------ test layers
# Every test belongs to one layer (DESIGN.md section 6; docs/ARCHITECTURE.md "Tests"), as a pytest marker:
# `make check` runs the toolkit layer alone, `make test` runs the layers that need no built site while the book
# builds, then the layer that needs it. A test file may set its layer itself (pytestmark = pytest.mark.exercises);
# otherwise it is taken from the file name below, and any test that uses the built site is in the "site" layer.
LAYERS = ("toolkit", "data", "book", "exercises", "site")
_LAYER_OF_FILE = {
    "test_data.py": "data",
    "test_book.py": "book",
    "test_exercises.py": "exercises",
    "test_capstone.py": "exercises",
    "test_site.py": "site",
    "test_quiz.py": "book",
    "test_bibliography.py": "book",
    "test_objectives.py": "book",
    "test_seeds.py": "book",
    "test_editions.py": "book",
    "test_deploy.py": "book",
    "test_math.py": "book",
    "test_grading.py": "exercises",
    "test_gradescope.py": "exercises",
    "test_prepost.py": "exercises",
    "test_kit.py": "exercises",
    "test_warm_kernels.py": "exercises",
}
_SITE_FIXTURES = {"site_dir", "site_url", "browser", "refusing_proxy"}


def pytest_collection_modifyitems(config, items):
    _layers(items)
    _page_by_page(items)


def _layers(items) -> None:
    for item in items:
        if any(item.get_closest_marker(layer) for layer in LAYERS):
            continue
        if _SITE_FIXTURES & set(getattr(item, "fixturenames", ())):
            layer = "site"
        else:
            layer = _LAYER_OF_FILE.get(item.path.name, "toolkit")
        item.add_marker(getattr(pytest.mark, layer))


def _page_by_page(items) -> None:
    """test_site.py's tests run page by page, each page's in the file's order, then the tests of several pages:
    its browser tab then reads each page once, not once per test (see test_site.Tab)."""
    def page(item):
        callspec = getattr(item, "callspec", None)
        return callspec.params.get("path") if callspec else None

    slots = [i for i, item in enumerate(items) if item.path.name == "test_site.py"]
    pages = [path for path in dict.fromkeys(page(items[i]) for i in slots) if path is not None]
    first_seen = {path: n for n, path in enumerate(pages)}
    ordered = [items[i] for i in sorted(slots, key=lambda i: (first_seen.get(page(items[i]), len(first_seen)), i))]
    for slot, item in zip(slots, ordered):
        items[slot] = item


@pytest.fixture(scope="session")
def site_dir() -> Path:
    if not (SITE / "index.html").exists():
        pytest.fail(f"no built site in {SITE}: run 'make book' first (make test does)")
    return SITE


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output readable
        pass


@pytest.fixture(scope="session")
def site_url(site_dir):
    """The built site on an ephemeral localhost port, as a reader's browser would see it."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class RefusingProxy(socketserver.ThreadingTCPServer):
    """The browser's only way out: an HTTP proxy that refuses every request and logs where it was going.

    Chromium sends everything but loopback to it (``--proxy-server``), so a request to another host is caught
    whoever makes it: the page, a web worker, a service worker or the browser itself. A page's request listener
    (``page.on("request")``) sees only the page's own requests.
    """

    daemon_threads = True
    allow_reuse_address = True
    # Chromium's own calls home (component updates, sign-in, network time, the push-messaging check-in at
    # android.clients.google.com), made with or without a page open and in spite of the flags above. They are
    # refused like the rest, but they are the browser's, not the site's.
    BROWSER_HOUSEKEEPING = {"update.googleapis.com", "accounts.google.com", "clients2.google.com",
                            "android.clients.google.com"}

    def __init__(self) -> None:
        self.refused: list[str] = []
        self.housekeeping: list[str] = []
        super().__init__(("127.0.0.1", 0), self._Handler)

    def record(self, target: str) -> None:
        host = urlsplit(target if "://" in target else f"//{target}").hostname or target
        (self.housekeeping if host in self.BROWSER_HOUSEKEEPING else self.refused).append(target)

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    class _Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            line = self.rfile.readline(4096).decode("latin-1").strip()  # "CONNECT host:443 HTTP/1.1" or "GET url ..."
            parts = line.split()
            self.server.record(parts[1] if len(parts) > 1 else line)  # type: ignore[attr-defined]
            self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


@pytest.fixture(scope="session")
def refusing_proxy():
    proxy = RefusingProxy()
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    yield proxy
    proxy.shutdown()
    proxy.server_close()


@pytest.fixture(scope="session")
def browser(refusing_proxy):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium not found: install Debian's package 'chromium' (.ci/run does)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM,
                                              args=CHROMIUM_FLAGS + [f"--proxy-server={refusing_proxy.address}"])
        yield chromium
        chromium.close()
    # Whatever a test did not claim as its own (see test_site.Tab) fails the session here.
    assert refusing_proxy.refused == [], f"the browser tried to reach other hosts: {refusing_proxy.refused}"
