"""The course PDF (scored_site/pdf.py), as `make book` writes it: every chapter, a table of contents, charts.

Reads the PDF only (pypdf), so it is quick; the printing itself is part of the build.
"""

from __future__ import annotations

import re

import pytest

from scored_site import pdf


@pytest.fixture(scope="module")
def course_pdf(site_dir):
    from pypdf import PdfReader

    path = site_dir / pdf.PDF_NAME
    if not path.is_file():
        pytest.fail(f"no {pdf.PDF_NAME} in {site_dir}: `make book` writes it (python -m scored_site.pdf)")
    return PdfReader(path)


def test_every_page_of_the_course_is_in_it(course_pdf):
    entries = pdf.contents()
    assert len(course_pdf.pages) >= 10 * len(entries) // 2, f"only {len(course_pdf.pages)} pages"
    outline = course_pdf.outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    chapters = [child.title for item in outline if isinstance(item, list) for child in item]
    assert "Contents" in titles
    assert len(chapters) + len([t for t in titles if t != "Contents"]) >= len(entries)
    assert any("proxies" in c.lower() for c in chapters) and any("privacy" in c.lower() for c in chapters)


def test_table_of_contents_gives_each_chapter_its_page(course_pdf):
    text = "\n".join(course_pdf.pages[i].extract_text() for i in range(3))
    assert "Contents" in text
    numbered = re.findall(r"^(.+?)\s+(\d+)$", text, re.M)
    assert len(numbered) >= len(pdf.contents()) - 1, numbered
    for title, page in numbered:
        first_words = title.split()[0]
        page_text = course_pdf.pages[int(page) - 1].extract_text()
        assert first_words in page_text, f"the contents send {title!r} to page {page}, which does not start it"


def test_charts_are_vector_graphics(course_pdf):
    """Chapter 4's charts: drawn as paths with their axis labels as text, not pasted in as pictures."""
    start = next(int(p) for t, p in re.findall(r"^(.+?)\s+(\d+)$", course_pdf.pages[1].extract_text(), re.M)
                 if "proxies" in t.lower())
    texts = {i: course_pdf.pages[i].extract_text() for i in range(start - 1, start + 25)}
    # The impossibility explorer's page: its axis ("0% 50% 100%") printed as text beside the rate names.
    chart_pages = [course_pdf.pages[i] for i, text in texts.items()
                   if "false positive rate" in text.lower() and re.search(r"0%\s+50%\s+100%", text)]
    assert chart_pages, "no page of chapter 4 shows its error-rate chart with its axis"
    for page in chart_pages:
        assert not list(page.images), "a chart page carries a bitmap: charts must print as vectors"
