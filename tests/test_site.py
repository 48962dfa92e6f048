"""The built site in a real browser: what a reader gets.

Every page of the table of contents is opened in headless Chromium from a localhost server, on a desktop
(1280 px) and on a phone (360 px). Each page must draw all its charts, let the reader move every control
and see the marks change, show no console or page error, request nothing from any other host, pass
axe-core's WCAG 2.1 AA rules without a serious or critical violation, and stay within the page-weight
budgets. At both widths nothing is wider than the screen and no chart scrolls sideways; in dark mode every
chart redraws on the dark background; quizzes keep their score and answers across a reload; glossary
terms show their definition on keyboard focus; printing hides navigation and controls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from conftest import BOOK_ROOT

PAGE_BUDGET_BYTES = 1_000_000  # first visit, uncompressed, charts included
NEXT_PAGE_BUDGET_BYTES = 350_000  # what a page adds to the files other pages share (see the test)
PHONE, DESKTOP = 360, 1280
AXE_FAILING_IMPACTS = {"serious", "critical"}
# Only violations come back: axe then skips collecting every passing node (about half its time on a chapter).
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}


def toc_pages() -> list[str]:
    """Every page in _toc.yml, as a path relative to the site root."""
    toc = yaml.safe_load((BOOK_ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", [{"chapters": toc.get("chapters")}]):
        walk(part["chapters"])
    return [f + ".html" for f in files]


PAGES = toc_pages()
CHAPTER_PAGES = [p for p in PAGES if p.startswith("book/ch")]


@dataclass
class Visit:
    """What a page did in a reader's tab: errors, requests to other hosts, the local files it asked for."""
    tab: Tab
    path: str
    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    local_paths: set[str] = field(default_factory=set)

    @property
    def page(self):
        """The tab, showing this page (it goes back to it if it has moved on)."""
        return self.tab.show(self.path)


class Tab:
    """A reader's browser tab at ``width`` px that goes from page to page, as a reader's does.

    The tab's requests are watched, not intercepted: interception would turn off the browser's cache. Any request
    to another host goes to the session's refusing proxy (the browser's only way out), which also catches what
    the page set off (a web worker's request, say); what it refused while a page loaded is charged to the page.
    A tab opens in ``context`` (a reader's browser, whose cache and storage its tabs share) or in a context of
    its own. One tab reads every page: a new tab for each page would cost a new renderer process each time.
    """

    def __init__(self, browser, site_url: str, proxy=None, width: int = DESKTOP, context=None):
        self.site_url, self.proxy = site_url, proxy
        self.context = context or browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.visits: dict[str, Visit] = {}
        self.current: Visit | None = None
        self.page.on("request", self._watch)
        self.page.on("console", lambda m: self._error(f"console {m.type}: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self._error(f"page error: {e}"))

    def _watch(self, request) -> None:
        url = request.url
        if url.startswith(self.site_url + "/"):
            self.current.local_paths.add(urlparse(url).path)
        elif not url.startswith("data:"):
            self.current.external.append(url)

    def _error(self, text: str) -> None:
        self.current.errors.append(text)

    def __getitem__(self, path: str) -> Visit:
        """The page's visit; the tab reads the page first if it never has."""
        if path not in self.visits:
            self.show(path)
        return self.visits[path]

    def show(self, path: str):
        """Go to ``path`` unless the tab shows it already, wait for its charts, and return the Playwright page."""
        if self.current is not None and self.current.path == path:
            return self.page
        self.current = self.visits.setdefault(path, Visit(self, path))
        refused_before = len(self.proxy.refused) if self.proxy else 0
        self.page.goto(f"{self.site_url}/{path}", wait_until="load")
        # Charts draw once the deferred bundle has run; wait until every chart holds its SVG.
        self.page.wait_for_function(
            "Array.from(document.querySelectorAll('.scored-chart')).every(c => c.querySelector('svg, canvas'))",
            timeout=20_000,
        )
        if self.proxy:
            self.current.external += self.proxy.refused[refused_before:]
            del self.proxy.refused[refused_before:]  # claimed by this page's test, not left for the session's check
        return self.page


# The tests of this file run page by page (conftest.py orders them), so each tab reads each page once.
@pytest.fixture(scope="module")
def visits(browser, site_url, refusing_proxy):
    tab = Tab(browser, site_url, refusing_proxy, DESKTOP)
    yield tab
    tab.context.close()


@pytest.fixture(scope="module")
def phone_visits(browser, site_url, refusing_proxy):
    tab = Tab(browser, site_url, refusing_proxy, PHONE)
    yield tab
    tab.context.close()


def test_the_toc_pages_exist(site_dir):
    missing = [p for p in PAGES if not (site_dir / p).exists()]
    assert not missing, f"pages in _toc.yml that were not built: {missing}"


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_console_or_page_errors(visits, path):
    assert visits[path].errors == [], f"{path}: {visits[path].errors}"


@pytest.mark.parametrize("path", PAGES)
def test_page_requests_nothing_from_another_host(visits, path):
    assert visits[path].external == [], f"{path} requested {visits[path].external}"


def test_a_request_from_a_web_worker_is_caught_too(browser, site_url, refusing_proxy):
    """The check above is only as good as its net: a worker's request, which the page's own listener misses, is
    refused and logged by the session's proxy."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{site_url}/book/glossary.html", wait_until="load")
        before = len(refusing_proxy.refused)
        page.evaluate("""() => new Promise(done => {
            const code = "fetch('http://tracker.invalid/pixel').catch(() => 0).finally(() => postMessage(1))";
            const worker = new Worker(URL.createObjectURL(new Blob([code], {type: "text/javascript"})));
            worker.onmessage = () => done();
        })""")
        caught = refusing_proxy.refused[before:]
        del refusing_proxy.refused[before:]  # made on purpose: not a finding for the session's check
        assert "http://tracker.invalid/pixel" in caught
    finally:
        context.close()


@pytest.mark.parametrize("path", PAGES)
def test_every_chart_renders_with_an_accessible_name(visits, path):
    page = visits[path].page
    charts = page.query_selector_all(".scored-chart")
    for number, chart in enumerate(charts, start=1):
        svg = chart.query_selector("svg.marks")
        assert svg is not None, f"{path}: chart {number} drew no SVG"
        marks = svg.eval_on_selector_all("path, rect, circle, line, text, symbol", "marks => marks.length")
        assert marks > 5, f"{path}: chart {number} drew almost nothing ({marks} elements)"
        # Vega names the chart's container after the spec's description.
        assert chart.get_attribute("role") == "graphics-document", f"{path}: chart {number} has no role"
        label = chart.get_attribute("aria-label") or ""
        assert label.strip() == (chart.get_attribute("data-description") or "").strip() != "", (
            f"{path}: chart {number} has no accessible name from its description"
        )
        # Vega gives every chart a box for controls; a chart without any must not show the box empty.
        empty_box = chart.evaluate("""c => { const b = c.querySelector('.vega-bindings');
            return !!b && !b.querySelector('input, select') && b.getBoundingClientRect().height > 0; }""")
        assert not empty_box, f"{path}: chart {number} shows an empty box where its controls would be"


# The drawn marks as a fingerprint the page computes (their markup runs to hundreds of kilobytes, and moving it to
# the test for every comparison cost more than the drawing).
_MARKS_FINGERPRINT = """c => { const s = c.querySelector('svg.marks').innerHTML; let h = 0;
    for (let i = 0; i < s.length; i++) { h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0; }
    return s.length + ':' + h; }"""


def _marks(chart) -> str:
    return chart.evaluate(_MARKS_FINGERPRINT)


def _settle(page, chart) -> None:
    """Wait until the chart has redrawn: its marks are the same in two readings 200 ms apart."""
    previous = None
    for _ in range(25):
        current = _marks(chart)
        if current == previous:
            return
        previous = current
        page.wait_for_timeout(200)


def _wait_for_change(page, chart, before: str) -> bool:
    try:
        page.wait_for_function(f"([c, b]) => ({_MARKS_FINGERPRINT})(c) !== b", arg=[chart, before], timeout=3000,
                               polling=50)
        return True
    except Exception:
        return False


@pytest.mark.parametrize("path", PAGES)
def test_every_control_changes_the_marks_from_the_keyboard(visits, path):
    """Each slider, drop-down, checkbox and radio group bound to a chart, operated by keyboard, redraws it."""
    page = visits[path].page
    for number, chart in enumerate(page.query_selector_all(".scored-chart"), start=1):
        for control in chart.query_selector_all(".vega-bind input[type=range], .vega-bind select"):
            name = control.evaluate("e => e.closest('.vega-bind').textContent.trim()")
            original = control.input_value()
            before = _marks(chart)
            changed = False
            for key in ("End", "Home"):
                control.focus()
                page.keyboard.press(key)
                if _wait_for_change(page, chart, before):
                    changed = True
                    break
            assert changed, f"{path}: chart {number}: moving '{name}' did not change the drawn marks"
            # Put the control back, so that the next one is tried from the chart's initial state.
            control.evaluate(
                "(e, v) => { e.value = v; e.dispatchEvent(new Event(e.tagName === 'SELECT' ? 'change' : 'input',"
                " {bubbles: true})); }", original,
            )
            _settle(page, chart)
        for box in chart.query_selector_all(".vega-bind input[type=checkbox]"):
            name = box.evaluate("e => e.closest('.vega-bind').textContent.trim()")
            before = _marks(chart)
            box.focus()
            page.keyboard.press("Space")
            assert _wait_for_change(page, chart, before), (
                f"{path}: chart {number}: ticking '{name}' did not change the drawn marks"
            )
            page.keyboard.press("Space")  # back to the chart's initial state
            _settle(page, chart)
        radios = chart.query_selector_all(".vega-bind input[type=radio]")
        if radios:
            before = _marks(chart)
            radios[0].focus()
            page.keyboard.press("ArrowDown")
            assert _wait_for_change(page, chart, before), (
                f"{path}: chart {number}: choosing another option did not change the drawn marks"
            )


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_serious_or_critical_violation(visits, path):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(visits[path].page, options=AXE_OPTIONS)
    failing = [
        f"{v['id']} ({v['impact']}): {v['help']} — e.g. {v['nodes'][0]['target']}"
        for v in results.response["violations"]
        if v["impact"] in AXE_FAILING_IMPACTS
    ]
    assert failing == [], f"{path}:\n" + "\n".join(failing)


@pytest.mark.parametrize("path", PAGES)
def test_page_weight_within_budget(visits, site_dir, path):
    # Every file the page asked for, whether the browser's cache answered or the server did.
    files = {site_dir / Path(p.lstrip("/")) for p in visits[path].local_paths}
    weight = sum(f.stat().st_size for f in files if f.is_file())
    assert weight <= PAGE_BUDGET_BYTES, f"{path} loads {weight:,} bytes (budget {PAGE_BUDGET_BYTES:,})"


def test_the_next_page_with_shared_files_cached_is_within_budget(visits, site_dir):
    """Reading on: what a page adds once the files other pages share (theme, chart runtime, quiz script)
    are in the browser's cache, that is, the files no other page loads."""
    over = []
    for path in PAGES:
        shared = set().union(*(visits[other].local_paths for other in PAGES if other != path))
        files = {site_dir / Path(p.lstrip("/")) for p in visits[path].local_paths - shared}
        weight = sum(f.stat().st_size for f in files if f.is_file())
        if weight > NEXT_PAGE_BUDGET_BYTES:
            over.append(f"{path}: {weight:,} bytes")
    assert over == [], f"budget {NEXT_PAGE_BUDGET_BYTES:,}: " + "; ".join(over)


# Elements past the right edge of the screen, ignoring those inside a box that scrolls or clips (code
# blocks and wide tables scroll inside their own box) and those the page hides (the closed sidebar).
_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = e => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true; } return false; };
  const found = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (!r.width || r.right <= width + 1 || e.closest('[hidden], dialog:not([open])')) continue;
    const style = getComputedStyle(e);
    if (style.visibility === 'hidden' || style.position === 'fixed' || clipped(e)) continue;
    found.push(`${e.tagName.toLowerCase()}.${String(e.className.baseVal ?? e.className).split(' ')[0]}`
               + ` ends at ${Math.round(r.right)} px`);
  }
  return {scroll: document.documentElement.scrollWidth, width, found: found.slice(0, 5)};
}"""

# Every chart's drawing and controls inside its column: no chart scrolls or is cut off.
_CHART_FIT = """() => Array.from(document.querySelectorAll('.scored-chart')).map((c, i) => {
  const box = c.getBoundingClientRect();
  const parts = Array.from(c.querySelectorAll('svg.marks, .vega-bindings'));
  const widest = Math.max(0, ...parts.map(p => p.getBoundingClientRect().right - box.left));
  return {chart: i + 1, column: Math.round(box.width), drawn: Math.round(widest), scrolls: c.scrollWidth > c.clientWidth + 1};
}).filter(c => c.drawn > c.column + 1 || c.scrolls)"""


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("path", PAGES)
def test_nothing_is_wider_than_the_screen(visits, phone_visits, path, width):
    page = (phone_visits if width == PHONE else visits)[path].page
    result = page.evaluate(_OVERFLOW)
    assert result["scroll"] <= result["width"], f"{path} at {width} px scrolls sideways: {result}"
    assert result["found"] == [], f"{path} at {width} px: {result['found']}"
    assert page.evaluate(_CHART_FIT) == [], f"{path} at {width} px: charts wider than their column"


def _background(page) -> list[str]:
    """Each chart's background colour (Vega paints it as the SVG's background)."""
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('.scored-chart svg.marks')).map(s => getComputedStyle(s).backgroundColor)"
    )


def _is_dark(colour: str) -> bool:
    values = [float(v) for v in re.findall(r"[\d.]+", colour)[:3]]
    return len(values) == 3 and max(values) < 80


@pytest.mark.parametrize("path", CHAPTER_PAGES)
def test_charts_follow_dark_mode_and_keep_their_controls(phone_visits, path):
    page = phone_visits[path].page
    charts = page.query_selector_all(".scored-chart")
    if not charts:
        pytest.skip("no chart on this page")
    assert not any(_is_dark(c) for c in _background(page)), f"{path}: a chart is dark in light mode"
    # A reader has moved a slider before switching: the setting survives the redraw.
    slider = page.query_selector(".scored-chart .vega-bind input[type=range]")
    if slider:
        slider.focus()
        page.keyboard.press("Home")
        page.wait_for_timeout(300)
        moved = slider.input_value()
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    try:
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.scored-chart')).every(c => c.querySelector('svg.marks'))"
            " && Array.from(document.querySelectorAll('.scored-chart svg.marks')).every(svg => {"
            " const f = getComputedStyle(svg).backgroundColor;"
            " return Math.max(...(f.match(/[\\d.]+/g) || [255]).slice(0, 3).map(Number)) < 80; })",
            timeout=10_000,
        )
        if slider:
            again = page.query_selector(".scored-chart .vega-bind input[type=range]")
            assert again.input_value() == moved, f"{path}: the slider went back to its default in dark mode"
        assert len(page.query_selector_all(".scored-chart svg.marks")) == len(charts)
        assert phone_visits[path].errors == [], f"{path}: {phone_visits[path].errors}"
    finally:
        page.evaluate("document.documentElement.dataset.theme = 'light'")
        page.wait_for_timeout(300)


@pytest.mark.parametrize("path", PAGES)
def test_every_glossary_term_shows_its_definition_on_focus(visits, path):
    page = visits[path].page
    for link in page.query_selector_all(".scored-term > a"):
        tip_id = link.get_attribute("aria-describedby")
        tip = page.query_selector(f"#{tip_id}")
        assert tip is not None and tip.text_content().strip(), f"{path}: a glossary term has no definition"
        link.focus()
        assert tip.is_visible(), f"{path}: the definition of {link.inner_text()!r} does not show on focus"
        assert tip.get_attribute("role") == "tooltip"
    page.evaluate("document.activeElement && document.activeElement.blur()")


def test_terms_used_in_chapters_are_defined(site_dir):
    pages = [p for p in PAGES if 'class="scored-term"' in (site_dir / p).read_text(encoding="utf-8")]
    assert pages, "no page shows a glossary definition"


@pytest.mark.parametrize("path", PAGES)
def test_every_page_links_to_its_source_and_to_reporting_a_mistake(visits, path):
    links = visits[path].page.query_selector_all(".scored-page-links a")
    hrefs = [a.get_attribute("href") for a in links]
    assert any("/issues/new?" in h and path.rsplit("/", 1)[-1] in h.replace("%2F", "/") for h in hrefs), (
        f"{path}: no 'report a mistake' link naming the page: {hrefs}"
    )
    assert any("/blob/" in h for h in hrefs), f"{path}: no link to the page's source"


@pytest.mark.parametrize("path", CHAPTER_PAGES)
def test_printing_hides_navigation_and_controls_and_keeps_the_charts(visits, path):
    page = visits[path].page
    page.emulate_media(media="print")
    try:
        shown = page.evaluate("""() => Array.from(document.querySelectorAll(
            '.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .prev-next-area, .vega-bindings, button'))
            .filter(e => e.getBoundingClientRect().width > 0 && getComputedStyle(e).display !== 'none')
            .map(e => e.tagName + '.' + e.className)""")
        assert shown == [], f"{path}: printed with {shown[:5]}"
        charts = page.query_selector_all(".scored-chart svg.marks")
        assert all(c.is_visible() for c in charts), f"{path}: a chart does not print"
    finally:
        page.emulate_media(media="screen")


def test_quiz_score_and_answers_survive_a_reload(browser, site_url, refusing_proxy):
    tab = Tab(browser, site_url, refusing_proxy)  # a reader of its own: no answers stored yet
    visit = tab[CHAPTER_PAGES[0]]
    page = visit.page
    try:
        forms = page.query_selector_all("form.scored-quiz-question")
        first_right = forms[0].query_selector("input[data-correct=true]")
        second_wrong = forms[1].query_selector("input[data-correct=false]")
        wrong_value = second_wrong.get_attribute("value")
        for form, option in ((forms[0], first_right), (forms[1], second_wrong)):
            option.check()
            form.query_selector(".scored-quiz-check").click()
        score = page.query_selector(".scored-quiz-score-text")
        assert score.inner_text().startswith(f"Score: 1 of {len(forms)}")
        page.reload(wait_until="load")
        forms = page.query_selector_all("form.scored-quiz-question")
        assert forms[0].query_selector("input[data-correct=true]").is_checked()
        assert forms[1].query_selector("input:checked").get_attribute("value") == wrong_value
        assert page.query_selector(".scored-quiz-score-text").inner_text().startswith(f"Score: 1 of {len(forms)}")
        assert "Correct." in forms[0].query_selector(".scored-quiz-feedback").inner_text()
        page.query_selector(".scored-quiz-reset").click()
        page.reload(wait_until="load")
        assert page.query_selector_all(".scored-quiz input:checked") == []
        assert page.query_selector(".scored-quiz-score-text").inner_text().startswith(f"Score: 0 of {len(forms)}")
        assert visit.errors == [] and visit.external == []
    finally:
        tab.context.close()


@pytest.mark.parametrize("path", PAGES)
def test_page_has_title_navigation_search_and_prev_next(visits, path):
    page = visits[path].page
    assert "Scored" in page.title()
    assert page.query_selector("nav.bd-docs-nav a.reference"), f"{path}: no table of contents"
    assert page.query_selector(".search-button-field, .search-button"), f"{path}: no search"
    if path != PAGES[0] or len(PAGES) > 1:
        assert page.query_selector(".prev-next-area a"), f"{path}: no previous/next link"


def test_every_local_link_leads_somewhere(site_dir):
    """Links between pages, to anchors' pages, and to downloads (the exercise notebooks) all resolve."""
    broken = []
    for page in site_dir.rglob("*.html"):
        for href in re.findall(r'<a[^>]+href="([^"]+)"', page.read_text(encoding="utf-8")):
            if href.startswith(("http:", "https:", "mailto:", "#", "javascript:")):
                continue
            target = (page.parent / href.split("#")[0].split("?")[0]).resolve()
            if not target.exists():
                broken.append(f"{page.relative_to(site_dir)} -> {href}")
    assert broken == [], "broken links:\n" + "\n".join(sorted(set(broken)))


@pytest.mark.parametrize("path", CHAPTER_PAGES)
def test_quizzes_work_from_the_keyboard(visits, path):
    page = visits[path].page
    forms = page.query_selector_all("form.scored-quiz-question")
    assert forms, f"{path}: the chapter has no quiz"
    for form in forms:
        options = form.query_selector_all("input[type=radio]")
        feedback = form.query_selector(".scored-quiz-feedback")
        correct = [o for o in options if o.get_attribute("data-correct") == "true"]
        wrong = [o for o in options if o.get_attribute("data-correct") != "true"]
        assert len(correct) == 1 and wrong, f"{path}: a question needs one right and some wrong options"
        for option, verdict in ((wrong[0], "Not quite."), (correct[0], "Correct.")):
            option.focus()
            page.keyboard.press("Space")
            page.keyboard.press("Tab")  # leaves the radio group for the Check button
            page.keyboard.press("Enter")
            text = feedback.inner_text()
            assert text.startswith(verdict), f"{path}: after choosing an option the feedback was {text!r}"
            assert option.get_attribute("data-feedback") in text


def test_search_finds_course_text(browser, site_url):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site_url}/search.html?q=blacklist")
    page.wait_for_selector("#search-results li", timeout=20_000)
    assert len(page.query_selector_all("#search-results li")) >= 1
    context.close()
