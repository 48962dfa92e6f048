"""Formulas drawn at build time: KaTeX prerendered by sphinxcontrib-katex, no math JavaScript in the page.

KaTeX comes from npm, pinned in ``package.json`` / ``package-lock.json`` and installed by ``make`` (``npm ci``);
Node runs it while Sphinx writes the pages. The reader's browser gets HTML (plus MathML for screen readers) and
one stylesheet, ``_static/katex/katex.css``, with KaTeX's fonts as WOFF2 only (every browser the course supports
reads WOFF2; the WOFF and TTF copies would triple the download). Pages without a formula do not link the
stylesheet at all. Nothing comes from another host: sphinxcontrib-katex's default stylesheet is a CDN address,
replaced here. After the build, the stylesheet keeps only the rules the formulas use and each font only the
characters they draw (:func:`trim_katex`): 22 kB of CSS and 26 kB for the main font become a few kB each.

Write display formulas with ``$$ ... $$`` or ``\\begin{aligned}``/``align*``: plain ``align`` numbers its rows in
KaTeX on top of Sphinx's own equation numbers.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from scored_site.theme_assets import purge_css, subset_font, used_classes, write_if_changed

REPO_ROOT = Path(__file__).resolve().parents[1]
KATEX_DIST = REPO_ROOT / "node_modules" / "katex" / "dist"
CSS_NAME = "katex/katex.css"  # relative to _static
_FONT_SRC = re.compile(r"src:url\((fonts/[\w-]+\.woff2)\) format\(\"woff2\"\)(?:,url\([^)]*\) format\(\"[\w]+\"\))*")


def _katex_ready(app: Sphinx, config) -> None:
    script = KATEX_DIST / "katex.min.js"
    if not script.is_file():
        raise ExtensionError(f"KaTeX not found at {script}: run `npm ci` in {REPO_ROOT} (make book does)")
    config.katex_prerender = True
    config.katex_js_path = str(script)  # used by the build-time render server only, never sent to the reader
    config.katex_css_path = CSS_NAME
    config.html_math_renderer = "katex"


def stylesheet() -> str:
    """KaTeX's stylesheet with WOFF2-only fonts, followed by sphinxcontrib-katex's layout rules."""
    css = (KATEX_DIST / "katex-swap.min.css").read_text(encoding="utf-8")
    css, fonts = _FONT_SRC.subn(r'src:url(\1) format("woff2")', css)
    if fonts < 10:  # KaTeX has ~20 faces; fewer means its CSS changed shape and the fonts would not load
        raise ExtensionError(f"KaTeX's stylesheet has an unexpected @font-face format ({fonts} rewritten)")
    import sphinxcontrib.katex as katex

    layout = (Path(katex.__file__).parent / katex.filename_css).read_text(encoding="utf-8")
    layout = re.sub(r"/\*.*?\*/\s*", "", layout, flags=re.S)  # its comments carry issue-tracker addresses
    return css + "\n" + layout


def _write_assets(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "katex"
    fonts = target / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    (target / "katex.css").write_text(stylesheet(), encoding="utf-8")
    for font in (KATEX_DIST / "fonts").glob("*.woff2"):
        shutil.copyfile(font, fonts / font.name)


class _DrawnText(HTMLParser):
    """Collects the characters KaTeX draws on a page: the text inside its ``katex-html`` spans.

    (The MathML copy beside it is for screen readers and is never drawn in KaTeX's fonts.)"""

    _VOID = {"br", "hr", "img", "input", "wbr", "col", "meta", "link", "area", "source"}

    def __init__(self, chars: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.chars, self.depth = chars, 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._VOID:
            return
        if self.depth or "katex-html" in (dict(attrs).get("class") or "").split():
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in self._VOID:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.chars.update(data)


def drawn_characters(site: Path) -> set[str]:
    """Every character KaTeX draws anywhere on the site, plus those of equation numbers ("(12)")."""
    chars = set("()0123456789")
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        if "katex-html" in html:
            parser = _DrawnText(chars)
            parser.feed(html)
            parser.close()
    return chars


def trim_katex(static: Path) -> None:
    """Cut KaTeX's stylesheet to the rules the site's formulas use, and its fonts to the characters they draw.

    A font no formula uses is still written (as an empty subset): browsers fetch a face only when some
    drawn text asks for it, so it costs nothing, and the stylesheet stays valid. Hinting goes too: it is about
    a third of what remains of a subset, and the formulas are drawn unhinted, as most web fonts are.
    """
    css_path = static / CSS_NAME
    if not css_path.is_file():
        return
    write_if_changed(css_path, purge_css(stylesheet(), used_classes(static.parent)).encode("utf-8"))
    points = {ord(c) for c in drawn_characters(static.parent)}
    for font in (KATEX_DIST / "fonts").glob("*.woff2"):
        write_if_changed(static / "katex" / "fonts" / font.name, subset_font(font, points, hinting=False))


def _only_where_math(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Math-free pages drop KaTeX's stylesheets (sphinxcontrib-katex adds them to every page)."""
    import sphinxcontrib.katex as katex

    # The domain's own has_equations() also counts the pages a toctree includes, so the root page would match.
    has_math = bool(doctree) and bool(app.env.get_domain("math").data["has_equations"].get(pagename))
    drop = {katex.filename_css} if has_math else {katex.filename_css, CSS_NAME}
    context["css_files"] = [css for css in context.get("css_files", [])
                            if getattr(css, "filename", str(css)).split("?")[0].removeprefix("_static/") not in drop]


def _start_render_server(cls, rundir: Path, timeout: float):
    """sphinxcontrib-katex's start-up of its Node render server, made patient.

    The server's socket file appears (bind) a moment before it accepts connections (listen); on a busy
    machine (a build beside the test suite) connecting in between is refused, and the upstream code gives up.
    """
    socket_path = rundir / "katex.sock"
    process = subprocess.Popen(cls.build_command(socket=socket_path), stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, cwd=rundir)
    deadline = time.monotonic() + timeout
    while True:
        if socket_path.is_socket():
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(str(socket_path))
                return process, sock
            except ConnectionRefusedError:
                sock.close()
        if time.monotonic() > deadline:
            raise cls.timeout_error(timeout)
        time.sleep(0.01)


def setup(app: Sphinx) -> dict:
    import sphinxcontrib.katex as katex

    katex.KaTeXServer.start_server_process = classmethod(_start_render_server)
    # Its 5-second limits are too tight for a 2-core machine that also runs the tests.
    katex.STARTUP_TIMEOUT = katex.RENDER_TIMEOUT = 60.0
    app.setup_extension("sphinxcontrib.katex")
    app.connect("config-inited", _katex_ready)
    app.connect("builder-inited", _write_assets)
    app.connect("html-page-context", _only_where_math)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
