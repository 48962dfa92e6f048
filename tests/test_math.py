"""Formulas in the built site (scored_site/math.py): drawn at build time by KaTeX, nothing else sent to the reader.

Reads the built HTML and CSS only (no browser), so it is quick: the chapters that carry formulas show KaTeX's
output with MathML for screen readers; no page loads math JavaScript; math-free pages do not link KaTeX's
stylesheet; the stylesheet and its WOFF2 fonts are on the site, cut to what the formulas use, and nothing
points to another host.
"""

from __future__ import annotations

import re

import pytest

from scored_site.math import CSS_NAME

MATH_PAGES = {  # page -> LaTeX fragments its formulas must show (KaTeX keeps the source in a MathML annotation)
    "book/ch09-privacy-engineering.html": [r"e^{\varepsilon}", r"\frac{\Delta}{\varepsilon}", r"\sum_{i=1}^{k}"],
    "book/ch04-proxies.html": [r"\frac{\mathrm{FP}}{\mathrm{FP} + \mathrm{TN}}", r"\mathrm{PPV}"],
}
STYLESHEET = re.compile(r'<link[^>]+href="[^"]*' + re.escape(CSS_NAME) + r'[^"]*"')


@pytest.mark.parametrize("page", sorted(MATH_PAGES))
def test_formulas_are_prerendered(site_dir, page):
    html = (site_dir / page).read_text(encoding="utf-8")
    assert 'class="katex-display"' in html and "<math" in html, f"{page}: no prerendered display formula"
    for latex in MATH_PAGES[page]:
        assert latex.replace("&", "&amp;") in html, f"{page}: formula {latex!r} missing"
    assert "katex-error" not in html, f"{page}: KaTeX could not parse a formula"
    assert STYLESHEET.search(html), f"{page}: KaTeX's stylesheet is not linked"


def test_no_math_javascript_and_no_stylesheet_without_math(site_dir):
    pages = sorted(site_dir.rglob("*.html"))
    assert len(pages) > 10
    math_free = 0
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]+(katex|mathjax|auto-render)", html, re.I), f"{path.name}: math script"
        if "katex" not in html.replace(CSS_NAME, ""):
            math_free += 1
            assert not STYLESHEET.search(html), f"{path.relative_to(site_dir)} has no formula but loads KaTeX's CSS"
            assert "katex-math.css" not in html
    assert math_free >= 10


def test_stylesheet_and_fonts_are_self_hosted(site_dir):
    css = (site_dir / "_static" / CSS_NAME).read_text(encoding="utf-8")
    fonts = re.findall(r"url\(([^)]+)\)", css)
    assert fonts and all(f.startswith("fonts/") and f.endswith(".woff2") for f in fonts), fonts
    for font in set(fonts):
        assert (site_dir / "_static" / "katex" / font).is_file(), f"{font} is not on the site"
    assert "//" not in css.replace("://", "") and "http" not in css


def test_fonts_keep_every_character_the_formulas_draw_and_drop_others(site_dir):
    """scored_site.math.trim_katex: each KaTeX font is cut to the characters drawn on the site, losing none."""
    from fontTools.ttLib import TTFont

    from scored_site.math import KATEX_DIST, drawn_characters

    drawn = {ord(c) for c in drawn_characters(site_dir)}
    assert {ord(c) for c in "ε∑Δ≤"} <= drawn  # ch09's formulas
    for original in sorted((KATEX_DIST / "fonts").glob("*.woff2")):
        cut = site_dir / "_static" / "katex" / "fonts" / original.name
        full, kept = set(TTFont(original).getBestCmap()), set(TTFont(cut).getBestCmap())
        assert full & drawn <= kept, f"{original.name}: lost {sorted(map(chr, full & drawn - kept))}"
        assert kept < full, f"{original.name} was not cut: it kept all {len(full)} characters"
    assert (site_dir / "_static" / CSS_NAME).stat().st_size < 12_000, "KaTeX's stylesheet was not trimmed"


def test_drawn_characters_are_those_of_the_html_rendering_only(tmp_path):
    from scored_site.math import drawn_characters

    (tmp_path / "page.html").write_text(
        '<p>Prose ü</p><span class="katex"><span class="katex-mathml"><math><mi>μ</mi></math></span>'
        '<span class="katex-html"><span class="mord">x</span><br><svg><path d="M0"/></svg>'
        '<span class="mbin">≤</span></span></span><p>after ß</p>', encoding="utf-8")
    assert drawn_characters(tmp_path) == set("()0123456789") | {"x", "≤"}
