"""The course's Sphinx extension.

* serves the chart bundle (``scored-vega.js``) from the site itself, and loads it only on pages with charts;
* re-executes the chapters when the toolkit or the data change (see :func:`_cache_per_toolkit_version`);
* renders ``{quiz}`` directives (see :mod:`scored_site.quiz`);
* labels bibliography entries "Author Year", matching the author-year citations in the text;
* gives every page its own reference list, even where two pages cite the same work (see
  :func:`_local_citations`);
* shows each glossary term's definition where the term is used, on hover and on keyboard focus, written
  into the page at build time (see :func:`_glossary_tips`);
* ends every page with a link to its source in the repository and a "report a mistake" link that opens a
  new issue naming the page (``repository.url`` in ``_config.yml``; see :func:`_page_links`);
* drops the theme's 1.5 MB icon script (``fontawesome.js``: the theme's stylesheet and font draw the same
  icons) and trims that stylesheet and font to the icons the pages use (:mod:`scored_site.theme_assets`),
  so that a page with charts stays within its weight budget.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import shutil
from pathlib import Path
from urllib.parse import quote, urlencode

import yaml
from docutils import nodes
from docutils.parsers.rst import Directive, directives
from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from sphinx.application import Sphinx

from scored import viz
from scored_site.bundle import BUNDLE_NAME, write_bundle
from scored_site.quiz import QuizError, load_quiz, render_quiz
from scored_site.math import trim_katex
from scored_site.theme_assets import write_trimmed_theme

HERE = Path(__file__).parent
ROOT = HERE.parent


class QuizDirective(Directive):
    """```{quiz} quizzes/chapter.yml``` — the path is relative to the page's own folder."""

    required_arguments = 1
    has_content = False

    def run(self):
        env = self.state.document.settings.env
        rel_path, abs_path = env.relfn2path(directives.path(self.arguments[0]), env.docname)
        env.note_dependency(rel_path)
        try:
            quiz = load_quiz(Path(abs_path))
        except QuizError as error:
            raise self.error(str(error)) from None
        quiz_id = "quiz-" + Path(rel_path).stem
        return [nodes.raw("", render_quiz(quiz, quiz_id), format="html")]


class AuthorYearLabels(BaseLabelStyle):
    """Bibliography labels like "Daum 2018" or "Supreme People's Court 2013" instead of "Dau18"."""

    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            if not people:
                name = entry.key
            else:
                name = " ".join(people[0].last_names) or str(people[0])
                name = name.replace("{", "").replace("}", "")
                if len(people) == 2:
                    name += " and " + " ".join(people[1].last_names)
                elif len(people) > 2:
                    name += " et al."
            yield f"{name} {entry.fields.get('year', 'n.d.')}"


class AuthorYearStyle(UnsrtStyle):
    default_label_style = AuthorYearLabels


register_plugin("pybtex.style.formatting", "scored_authoryear", AuthorYearStyle)


_CITE_ROLE = re.compile(r"\{(cite(?::[a-z]+)?)\}`([^`]+)`")
_BIBLIOGRAPHY = "```{bibliography}\n"


def _local_citations(app: Sphinx, docname: str, source: list[str]) -> None:
    """Let each chapter list the works it cites, even when another chapter cites them too.

    sphinxcontrib-bibtex warns ("duplicate citation") when one key appears in two pages' bibliographies.
    Its remedy is a per-page key prefix (``:keyprefix:``) that every citation on the page must carry.
    Authors write plain keys; this adds the page's prefix to each citation and to the page's
    ``{bibliography}`` directive before the page is parsed.
    """
    text = source[0]
    if _BIBLIOGRAPHY not in text:
        return
    prefix = docname.replace("/", "-") + "-"

    def prefixed(match: re.Match) -> str:
        keys = ",".join(prefix + key.strip() for key in match.group(2).split(","))
        return "{%s}`%s`" % (match.group(1), keys)

    text = _CITE_ROLE.sub(prefixed, text)
    source[0] = text.replace(_BIBLIOGRAPHY, _BIBLIOGRAPHY + f":keyprefix: {prefix}\n", 1)


def toolkit_digest() -> str:
    """A digest of everything a chapter's output depends on besides its own text: the toolkit, the chapters'
    figure modules and the data."""
    digest = hashlib.sha256()
    files = (sorted((ROOT / "scored").rglob("*.py")) + sorted((ROOT / "scored_figures").rglob("*.py"))
             + sorted(p for p in (ROOT / "data").rglob("*") if p.is_file()))
    # A course rebuilt on another city ($SCORED_CITY) must not reuse the charts of the committed one.
    city = os.environ.get("SCORED_CITY", "").strip()
    if city and Path(city).is_dir():
        files += sorted(p for p in Path(city).rglob("*") if p.is_file())
    for path in files:
        digest.update(path.relative_to(ROOT).as_posix().encode() if path.is_relative_to(ROOT) else path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _cache_per_toolkit_version(app: Sphinx, config) -> None:
    """Keep one execution cache per version of the toolkit and data.

    MyST-NB's cache knows only a notebook's own cells, so after a change to ``scored`` or ``data/`` it
    would serve stale charts. Pointing the cache at a folder named by the toolkit's digest makes a changed
    toolkit re-execute every chapter (the changed setting also makes Sphinx re-read them), while a
    rebuild with no change re-runs nothing.
    """
    base = Path(config.nb_execution_cache_path or "_build/.jupyter_cache")
    if not base.is_absolute():
        base = Path(app.srcdir) / base
    current = base / toolkit_digest()
    if base.is_dir():
        for stale in base.iterdir():
            if stale.is_dir() and stale != current:
                shutil.rmtree(stale)
    config.nb_execution_cache_path = str(current)


def _chapter_bibliographies(app: Sphinx, config) -> None:
    """Read every ``book/bib/*.bib`` besides ``book/references.bib``: one file per chapter keeps authors
    from editing the same file. A key defined twice still fails the build."""
    extra = sorted(str(p.relative_to(app.srcdir)) for p in (Path(app.srcdir) / "book" / "bib").glob("*.bib"))
    config.bibtex_bibfiles = list(config.bibtex_bibfiles) + [p for p in extra if p not in config.bibtex_bibfiles]


def _use_course_templates(app: Sphinx, config) -> None:
    # Our templates/static/webpack-macros.html shadows the theme's, minus the fontawesome.js preload.
    config.templates_path.insert(0, str(HERE / "templates"))
    config.html_static_path.append(str(HERE / "static"))


_TERM_LINK = re.compile(
    r'<a class="reference internal" href="(?P<href>[^"#]*#(?P<id>term-[^"]+))">(?P<inner><span class="xref std std-term">.*?</span>)</a>'
)


def glossary_definitions(app: Sphinx) -> dict[str, str]:
    """Each glossary term's anchor ("term-selection-rate") and its definition as plain text."""
    cached = getattr(app.env, "_scored_glossary", None)
    if cached is not None:
        return cached
    std = app.env.get_domain("std")
    docnames = {docname for (kind, _), (docname, _) in std.objects.items() if kind == "term"}
    definitions = {}
    for docname in sorted(docnames):
        for item in app.env.get_doctree(docname).findall(nodes.definition_list_item):
            terms = [n for n in item.children if isinstance(n, nodes.term)]
            body = [n for n in item.children if isinstance(n, nodes.definition)]
            if not body:
                continue
            text = " ".join(body[0].astext().split())
            for term in terms:
                for ident in term["ids"]:
                    definitions[ident] = text
    app.env._scored_glossary = definitions
    return definitions


def _glossary_tips(app: Sphinx, pagename: str, body: str) -> str:
    """Write each glossary term's definition next to every link to it, as a tooltip that shows on hover
    and keyboard focus and that the link names as its description (``aria-describedby``)."""
    definitions = glossary_definitions(app)
    count = 0

    def with_tip(match: re.Match) -> str:
        nonlocal count
        definition = definitions.get(match["id"])
        if not definition:
            return match[0]
        count += 1
        tip = f"scored-tip-{count}"
        return (
            f'<span class="scored-term"><a class="reference internal" href="{match["href"]}" '
            f'aria-describedby="{tip}">{match["inner"]}</a>'
            f'<span class="scored-term-tip" role="tooltip" id="{tip}">{html.escape(definition)}</span></span>'
        )

    return _TERM_LINK.sub(with_tip, body)


def repository(app: Sphinx) -> tuple[str, str]:
    """The repository's address and branch from ``_config.yml`` (``repository.url`` and ``.branch``).

    Jupyter Book passes them to the theme's options, but the book's own ``html_theme_options`` replace
    those, so the file is read here: one place to change for a fork.
    """
    cached = getattr(app, "_scored_repository", None)
    if cached is None:
        options = app.config.html_theme_options or {}
        url, branch = options.get("repository_url") or "", options.get("repository_branch") or ""
        config_file = Path(app.srcdir) / "_config.yml"
        if config_file.is_file():
            section = (yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}).get("repository") or {}
            url, branch = section.get("url") or url, section.get("branch") or branch
        cached = app._scored_repository = (url.rstrip("/"), branch or "main")
    return cached


def _page_links(app: Sphinx, pagename: str, context) -> str:
    """A link to the page's source in the repository, and one that opens an issue naming the page."""
    repo, branch = repository(app)
    if not repo:
        return ""
    source = f"{repo}/blob/{branch}/{quote(pagename + context.get('page_source_suffix', '.md'))}"
    page = f"{pagename}.html"
    issue = f"{repo}/issues/new?" + urlencode({
        "title": f"Mistake on {page}",
        "body": f"Page: {page}\n\nWhat is wrong, and where on the page:\n\nWhat it should say (and a source, if you have one):\n",
    }, quote_via=quote)
    e = lambda s: html.escape(s, quote=True)  # noqa: E731
    return (
        '<nav class="scored-page-links" aria-label="About this page">'
        f'<a href="{e(issue)}">Report a mistake on this page</a>'
        f'<a href="{e(source)}">This page\'s source</a>'
        f'<a href="{e(repo)}">The course\'s repository</a></nav>'
    )


def _page_assets(app: Sphinx, pagename, templatename, context, doctree) -> None:
    body = context.get("body", "")
    if body:
        body = _compiled_charts(pagename, body)
        body = _glossary_tips(app, pagename, body) + _page_links(app, pagename, context)
    # docutils marks a reference list role="list" but its entries role="doc-biblioentry", which is not a list
    # item (axe: aria-required-children) and is deprecated in ARIA (axe: aria-deprecated-role). As list items,
    # screen readers announce the references as a list and say how many there are.
    context["body"] = body = body.replace('role="doc-biblioentry"', 'role="listitem"')
    if 'class="scored-chart"' in body:
        app.add_js_file(BUNDLE_NAME, loading_method="defer")
    if 'class="scored-quiz"' in body:
        app.add_js_file("scored-quiz.js", loading_method="defer")


def _compiled_charts(pagename: str, body: str) -> str:
    """The page with its charts compiled to Vega (``scored.viz.compile_charts``): here, in the build's process,
    and not in each notebook's kernel, so the chart compiler starts once per build."""
    try:
        return viz.compile_charts(body)
    except ValueError as error:  # a chart the site cannot draw (UnsupportedChartError), or a spec vl-convert refuses
        raise ValueError(f"{pagename}: a chart could not be compiled for the site: {error}") from error


def _write_static_assets(app: Sphinx, exception) -> None:
    if exception is None and app.builder.format == "html":
        static = Path(app.outdir) / "_static"
        write_bundle(static)
        write_trimmed_theme(static)
        trim_katex(static)


_OBJECTIVE_ID = re.compile(r"^ch\d\d-[a-z0-9-]+$|^capstone-[a-z0-9-]+$")


def objective_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{objective}`ch04-error-rates``` marks a learning objective with a stable identifier.

    Quiz questions and exercise questions name the objectives they assess by these identifiers
    (``objectives: [ch04-error-rates]``), and the instructor build maps objectives to assessments.
    On the page the role is an anchor (``#obj-ch04-error-rates``) and shows nothing.
    """
    ident = text.strip()
    if not _OBJECTIVE_ID.match(ident):
        msg = inliner.reporter.error(
            f"objective id {ident!r} must look like 'ch04-error-rates' (chapter, a hyphen, lower-case words)",
            line=lineno)
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    return [nodes.inline("", "", ids=["obj-" + ident], classes=["scored-objective"])], []


def setup(app: Sphinx) -> dict:
    # Tells scored.viz, in the kernels MyST-NB starts from this process, to emit each chart's spec for the site
    # (compiled into the page by _compiled_charts).
    os.environ["SCORED_SITE"] = "1"
    app.add_directive("quiz", QuizDirective)
    app.add_role("objective", objective_role)
    app.setup_extension("scored_site.instructor_ext")  # instructor guide, instructor edition, dropped chapters
    app.connect("config-inited", _use_course_templates)
    app.connect("config-inited", _chapter_bibliographies)
    app.connect("config-inited", _cache_per_toolkit_version)
    app.connect("source-read", _local_citations)
    app.connect("html-page-context", _page_assets)
    app.connect("build-finished", _write_static_assets)
    app.add_css_file("scored.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
