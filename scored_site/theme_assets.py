"""Trim the theme's stylesheet and icon fonts to what the built pages use.

pydata-sphinx-theme ships all of Bootstrap's and Font Awesome's styles (400 kB) and three Font Awesome
webfonts (156 kB for the solid style alone), to style pages that use a fraction of them. After the build,
this module writes

* ``_static/styles/scored-theme.css``: the theme's stylesheet without the rules whose class selectors
  match nothing the site can show (the course's templates link this file instead of the original), and
  the same trim, in place, for the other stylesheets every page loads;
* ``_static/vendor/fontawesome/webfonts/scored-*.woff2``: each Font Awesome font cut down to the glyphs
  the remaining rules can show.

"What the site can show" is every class in the built pages plus every word in the scripts the pages
load (Bootstrap and the theme add classes such as ``show`` or ``active`` at run time), so a rule is kept
whenever some page could use it. The chart bundle is not scanned: the theme does not style charts.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

THEME_CSS = "styles/pydata-sphinx-theme.css"
TRIMMED_CSS = "styles/scored-theme.css"
# Other stylesheets every page loads, trimmed in place (Sphinx copies them afresh on each build).
TRIMMED_IN_PLACE = ("basic.css", "styles/sphinx-book-theme.css", "mystnb.*.css")
FONT_DIR = "vendor/fontawesome/webfonts"
FONTS = ("fa-solid-900", "fa-regular-400", "fa-brands-400")
NOT_SCANNED = {"scored-vega.js"}

_CLASS_ATTR = re.compile(r'class="([^"]*)"')
_SCRIPT_SRC = re.compile(r'<script[^>]+src="([^"?#]+)')
_WORD = re.compile(r"[\w-]+")
_CLASS_SELECTOR = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_NEGATION = re.compile(r":not\([^()]*\)")
_NESTING_AT_RULES = ("@media", "@supports", "@layer", "@container")
_ESCAPED = re.compile(r"\\([0-9a-fA-F]{2,6})")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_FONT_SRC = re.compile(
    r"url\(\.\./vendor/fontawesome/webfonts/(?P<name>fa-[\w-]+)\.woff2\) format\(\"woff2\"\),"
    r"url\(\.\./vendor/fontawesome/webfonts/(?P=name)\.ttf\) format\(\"truetype\"\)"
)


def used_classes(site: Path) -> set[str]:
    """Class names the site can show: those in its pages and every word of the scripts they load."""
    used: set[str] = set()
    scripts: set[Path] = set()
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for attribute in _CLASS_ATTR.findall(html):
            used.update(attribute.split())
        for src in _SCRIPT_SRC.findall(html):
            script = (page.parent / src).resolve()
            if script.is_file() and script.name not in NOT_SCANNED:
                scripts.add(script)
    for script in scripts:
        used.update(_WORD.findall(script.read_text(encoding="utf-8", errors="ignore")))
    return used


def css_blocks(css: str) -> list[tuple[str, str | None]]:
    """Split a stylesheet into its top-level (prelude, body) pairs; body is None for a statement."""
    blocks, i, n = [], 0, len(css)
    while i < n:
        j = _skip_to(css, i, "{;")
        if j >= n:
            break
        prelude = css[i:j].strip()
        if css[j] == ";":
            blocks.append((prelude, None))
            i = j + 1
            continue
        depth, k = 1, j + 1
        while k < n and depth:
            k = _skip_to(css, k, "{}")
            depth += 1 if k < n and css[k] == "{" else -1
            k += 1
        blocks.append((prelude, css[j + 1:k - 1]))
        i = k
    return blocks


def _skip_to(css: str, i: int, stops: str) -> int:
    """Index of the next character in ``stops`` at or after ``i``, skipping quoted strings."""
    n = len(css)
    while i < n and css[i] not in stops:
        if css[i] in "\"'":
            quote, i = css[i], i + 1
            while i < n and css[i] != quote:
                i += 2 if css[i] == "\\" else 1
        i += 1
    return i


def purge_css(css: str, used: set[str]) -> str:
    """Keep the selectors whose classes are all in ``used`` (classes inside ``:not()`` do not count)."""
    out = []
    for prelude, body in css_blocks(css):
        if body is None:
            out.append(prelude + ";")
        elif prelude.startswith(_NESTING_AT_RULES):
            inner = purge_css(body, used)
            if inner:
                out.append(f"{prelude}{{{inner}}}")
        elif prelude.startswith("@"):
            out.append(f"{prelude}{{{body}}}")
        else:
            kept = [s for s in prelude.split(",")
                    if set(_CLASS_SELECTOR.findall(_NEGATION.sub("", s))) <= used]
            if kept:
                out.append(f"{','.join(kept)}{{{body}}}")
    return "".join(out)


def glyphs_in(css: str) -> set[int]:
    """Code points in the Private Use Area that a stylesheet can show: escaped ("\\f0c9") or literal."""
    points = {int(code, 16) for code in _ESCAPED.findall(css)}
    points.update(ord(char) for char in _PRIVATE_USE.findall(css))
    return {p for p in points if 0xE000 <= p <= 0xF8FF}


def subset_font(source: Path, glyphs: set[int], hinting: bool = True) -> bytes:
    """``source`` cut down to ``glyphs``, as WOFF2 (without its hinting instructions if ``hinting`` is False)."""
    font = TTFont(source)
    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = hinting
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(glyphs))
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


def write_trimmed_theme(static: Path) -> None:
    """Write the trimmed stylesheets and font subsets into the site's ``_static`` folder."""
    used = used_classes(static.parent)
    for pattern in TRIMMED_IN_PLACE:
        for path in static.glob(pattern):
            write_if_changed(path, purge_css(path.read_text(encoding="utf-8"), used).encode("utf-8"))
    css = (static / THEME_CSS).read_text(encoding="utf-8")
    css = purge_css(css, used)
    glyphs = glyphs_in(css)
    for name in FONTS:
        data = subset_font(static / FONT_DIR / f"{name}.ttf", glyphs)
        write_if_changed(static / FONT_DIR / f"scored-{name}.woff2", data)
    css, fonts = _FONT_SRC.subn(
        lambda m: f'url(../vendor/fontawesome/webfonts/scored-{m.group("name")}.woff2) format("woff2")', css
    )
    if fonts != len(FONTS):
        raise RuntimeError("the theme's @font-face rules changed shape: update scored_site/theme_assets.py")
    write_if_changed(static / TRIMMED_CSS, css.encode("utf-8"))


def write_if_changed(path: Path, data: bytes) -> None:
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
