"""The book build: the real configuration fails on a broken cell or a Sphinx warning, and the built site
has the structure readers and the site tests rely on."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
PAGE_HEADER = """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
---
# A page

"""


def build_mini_book(tmp_path: Path, body: str) -> subprocess.CompletedProcess:
    """Build a one-page book with the course's own _config.yml, the way `make book` builds the course."""
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/intro\n")
    (tmp_path / "book" / "_static").mkdir(parents=True)
    shutil.copy(ROOT / "book" / "_static" / "favicon.svg", tmp_path / "book" / "_static")
    (tmp_path / "book" / "references.bib").write_text("@misc{k, title={T}, author={A. Author}, year={2020}}\n")
    (tmp_path / "book" / "intro.md").write_text(PAGE_HEADER + body)
    return subprocess.run(
        [str(JUPYTER_BOOK), "build", str(tmp_path), "--warningiserror", "--keep-going"],
        capture_output=True, text=True, timeout=600,
    )


def test_a_good_page_builds(tmp_path):
    result = build_mini_book(tmp_path, "```{code-cell} ipython3\nprint(6 * 7)\n```\n")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "42" in (tmp_path / "_build" / "html" / "book" / "intro.html").read_text()


def test_a_failing_cell_fails_the_build(tmp_path):
    result = build_mini_book(tmp_path, "```{code-cell} ipython3\nraise RuntimeError('cell broke on purpose')\n```\n")
    assert result.returncode != 0
    assert "cell broke on purpose" in result.stdout + result.stderr


def test_a_sphinx_warning_fails_the_build(tmp_path):
    result = build_mini_book(tmp_path, "See {ref}`no-such-label`.\n")
    assert result.returncode != 0
    assert "no-such-label" in result.stdout + result.stderr


def test_a_chapter_on_another_city_fails_on_a_chart_the_site_cannot_draw_or_a_warning(tmp_path):
    """``rebuild.execute_chapter`` (test_seeds.py runs every chapter with it) compiles each chart in its own
    process, as the book build does: a chart that needs a Vega transform the site leaves out fails the chapter, as
    it fails the book; so does a warning. A chart the site draws, and the city the kernel reads, do not."""
    from scored.world import make_world
    from scored_site.rebuild import execute_chapter

    cells = [
        "import warnings\nimport altair as alt, pandas as pd\nfrom scored import viz\nviz.enable()\n"
        "bars = alt.Chart(pd.DataFrame({'x': [1, 2, 3], 'y': [1, 4, 9]})).mark_bar().encode(x='x:Q', y='y:Q')",
        "from scored.world import load_classroom\nassert len(load_classroom().residents) == 400",
        "bars.properties(description='Bars that the site draws.')",
        "bars.transform_loess('x', 'y').properties(description='A curve the site cannot draw.')",
        "warnings.warn('a warning a reader would see')",
    ]
    page = tmp_path / "ch99-test.md"
    page.write_text(PAGE_HEADER + "".join(f"```{{code-cell}} ipython3\n{code}\n```\n\n" for code in cells))
    problems = execute_chapter(page, make_world(400, seed=3).to_csv(tmp_path / "city"))
    assert len(problems) == 2, problems
    assert "cell 6: a chart the site cannot draw" in problems[0] and "loess" in problems[0]
    assert "cell 7 printed to stderr" in problems[1] and "a warning a reader would see" in problems[1]


def test_no_page_ships_thebe_or_loads_a_script_from_another_host(site_dir):
    pages = list(site_dir.rglob("*.html"))
    assert pages
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "thebe" not in html.lower(), f"{page} mentions thebe"
        external = re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(https?://[^"]+)"', html)
        assert external == [], f"{page} loads {external}"


def test_the_chart_bundle_is_self_hosted_and_wrapped(site_dir):
    bundle = (site_dir / "_static" / "scored-vega.js").read_text(encoding="utf-8")
    assert bundle.startswith("/*") and "(function () {" in bundle[:600]
    assert bundle.rstrip().endswith("})();")
    assert "window.vega=" in bundle and "vegaLite" not in bundle  # Vega only: specs come compiled


def test_every_chapter_shows_charts_compiled_for_the_site(site_dir):
    """The build compiles each page's charts as it writes it (sphinx_ext._compiled_charts): none is left as the
    Vega-Lite spec the kernel showed, and no chapter is left without its charts."""
    chapters = sorted((site_dir / "book").glob("ch[0-9][0-9]-*.html"))
    assert len(chapters) >= 12
    for page in chapters:
        html = page.read_text(encoding="utf-8")
        assert 'class="scored-chart-spec"' in html, f"{page.name}: no chart"
        assert "scored-chart-vegalite" not in html, f"{page.name}: a chart was left uncompiled"


def test_chart_pages_load_the_bundle_and_others_do_not(site_dir):
    for page in (site_dir / "book").glob("*.html"):
        html = page.read_text(encoding="utf-8")
        has_chart = 'class="scored-chart"' in html
        loads_bundle = "scored-vega.js" in html
        assert has_chart == loads_bundle, f"{page.name}: charts={has_chart}, bundle loaded={loads_bundle}"
