"""Sphinx pieces for the instructor guide, the instructor edition and a course with chapters dropped.

* ``{instructor-only}`` (directive): discussion notes, answer keys and solution links. The student site shows a
  one-line pointer in their place; the instructor edition (``make instructor``, which sets
  ``SCORED_EDITION=instructor``) shows them.
* ``{serves}`ch04-1 ch04-2``` (role): under an activity of a lesson plan, the objectives it serves, as links.
  :mod:`scored_site.objectives` reads these lines to build the map.
* ``{objectives-map}`` (directive): the objectives → activities → assessments table, read from the sources.
* A chapter left out of ``_toc.yml``: a link to it becomes its title in plain text with a note, instead of
  failing the build, and rows of a table that offer its download are dropped.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from scored_site.objectives import build_map
from scored_site.toc import dropped_chapters, toc_units

EDITION_VARIABLE = "SCORED_EDITION"
DROPPED_NOTE = " (a chapter not included in this course)"


def is_instructor_edition() -> bool:
    return os.environ.get(EDITION_VARIABLE, "").strip().lower() == "instructor"


class InstructorOnly(SphinxDirective):
    """Content for the instructor edition only; students see where it is."""

    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True

    def run(self):
        title = self.arguments[0] if self.arguments else "Notes for instructors"
        if not self.env.app.tags.has("instructor"):
            note = nodes.paragraph(classes=["scored-instructor-pointer"])
            note += nodes.emphasis(text=f"{title}: in the instructor edition of the site (make instructor).")
            return [note]
        box = nodes.container(classes=["scored-instructor-only", "admonition", "note"])
        box += nodes.paragraph("", "", nodes.strong(text=title), classes=["admonition-title"])
        self.state.nested_parse(self.content, self.content_offset, box)
        return [box]


def _unit_docs(root: Path) -> dict[str, str]:
    """'ch04' -> 'book/ch04-proxies' for the units in the table of contents."""
    return {u.split("-")[0] if u != "capstone" else u: f"book/{u}" for u in toc_units(root)}


def _relative_uri(fromdoc: str, todoc: str) -> str:
    return posixpath.relpath(todoc, posixpath.dirname(fromdoc) or ".") + ".html"


def _objective_link(fromdoc: str, ident: str, units: dict[str, str], text: str | None = None) -> nodes.Node:
    prefix = ident.rsplit("-", 1)[0]
    label = text or ident
    if prefix not in units:
        return nodes.inline(text=label)
    uri = _relative_uri(fromdoc, units[prefix]) + "#obj-" + ident
    return nodes.reference("", label, refuri=uri, internal=True)


def serves_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    env = inliner.document.settings.env
    idents = text.replace(",", " ").split()
    units = _unit_docs(Path(env.srcdir))
    node = nodes.inline(classes=["scored-serves"])
    node += nodes.Text("Serves objectives ")
    for number, ident in enumerate(idents):
        if number:
            node += nodes.Text(", ")
        node += _objective_link(env.docname, ident, units)
    node += nodes.Text(".")
    return [node], []


class ObjectivesMapDirective(SphinxDirective):
    """The objectives → activities → assessments table of the whole course."""

    has_content = False

    def run(self):
        root = Path(self.env.srcdir)
        omap = build_map(root)
        for path in [root / "_toc.yml", *sorted((root / "book" / "quizzes").glob("*.yml")),
                     *sorted((root / "exercises").glob("*.md")), *sorted((root / "book" / "instructors").glob("*.md")),
                     *[root / "book" / f"{u}.md" for u in toc_units(root)]]:
            if path.exists():
                self.env.note_dependency(str(path))
        units = _unit_docs(root)
        missing = [o.ident for o in omap.objectives.values() if not o.assessments]
        summary = nodes.paragraph(text=(
            f"{omap.assessed} of {len(omap.objectives)} objectives are assessed by at least one quiz or exercise "
            "question." + (f" Not yet assessed: {', '.join(missing)}." if missing else "")))
        result = [summary]
        current_unit = None
        rows = []

        def flush():
            if current_unit and rows:
                result.append(self._table(current_unit, rows))

        for objective in omap.objectives.values():
            if objective.unit != current_unit:
                flush()
                current_unit, rows = objective.unit, []
            rows.append(objective)
        flush()
        return result

    def _table(self, unit: str, objectives) -> nodes.Node:
        table = nodes.table(classes=["scored-objectives-map"])
        source = Path(self.env.srcdir) / "book" / f"{unit}.md"
        heading = re.search(r"^# (.+)$", source.read_text(encoding="utf-8"), re.M) if source.exists() else None
        title = nodes.title(text=heading.group(1).strip() if heading else unit)
        table += title
        group = nodes.tgroup(cols=4)
        table += group
        for width in (40, 20, 20, 20):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        group += head
        head += self._row(["Objective", "Class activities", "Quiz", "Exercises"])
        body = nodes.tbody()
        group += body
        units = _unit_docs(Path(self.env.srcdir))
        for o in objectives:
            first = nodes.paragraph()
            first += _objective_link(self.env.docname, o.ident, units, o.ident)
            first += nodes.Text(" " + o.text)
            body += self._row([first, "; ".join(o.activities) or "–", ", ".join(o.quiz) or "none",
                               ", ".join(o.exercises) or "none"])
        return table

    @staticmethod
    def _row(cells) -> nodes.row:
        row = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            entry += cell if isinstance(cell, nodes.Node) else nodes.paragraph(text=str(cell))
            row += entry
        return row


# --- A course with a chapter dropped from _toc.yml -------------------------------------------------------

def _dropped_targets(app: Sphinx) -> tuple[dict[str, str], dict[str, str]]:
    cached = getattr(app, "_scored_dropped", None)
    if cached is None:
        dropped = dropped_chapters(Path(app.srcdir))
        docs = {d.docname: d.title for d in dropped.values()}
        labels = {label: d.title for d in dropped.values() for label in d.labels}
        cached = app._scored_dropped = (docs, labels)
    return cached


def _missing_reference(app: Sphinx, env, node, contnode):
    """A link to a dropped chapter: its title (or the link's own text) in plain words, with a note."""
    docs, labels = _dropped_targets(app)
    target = node.get("reftarget", "")
    if node.get("reftype") == "doc":
        from sphinx.util import docname_join
        title = docs.get(docname_join(node.get("refdoc", ""), target)) or docs.get(target.lstrip("/"))
    elif node.get("reftype") in {"ref", "numref"}:
        title = labels.get(target.lower()) or labels.get(target)
    else:
        return None
    if title is None:
        return None
    text = contnode.astext() if node.get("refexplicit") else title
    return nodes.inline("", "", nodes.Text(text), nodes.emphasis(text=DROPPED_NOTE), classes=["scored-dropped-chapter"])


def _drop_download_rows(app: Sphinx, docname: str, source: list[str]) -> None:
    """Rows of a table that offer a dropped chapter's exercise download go: the download is not built."""
    stems = [d.split("/")[-1] for d in _dropped_targets(app)[0]]
    if not stems:
        return
    pattern = re.compile(r"exercises/(?:%s)\.zip" % "|".join(map(re.escape, stems)))
    lines = source[0].split("\n")
    source[0] = "\n".join(line for line in lines if not (line.lstrip().startswith("|") and pattern.search(line)))


# --- The instructor edition ------------------------------------------------------------------------------

def _edition(app: Sphinx, config) -> None:
    if not is_instructor_edition():
        return
    app.tags.add("instructor")
    if config.html_theme != "sphinx_book_theme":
        return
    options = dict(config.html_theme_options or {})
    options["announcement"] = ("Instructor edition: solutions, rubrics and discussion notes. "
                               "For your own machine; never publish it.")
    config.html_theme_options = options


def _noindex(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if app.tags.has("instructor"):
        context["metatags"] = context.get("metatags", "") + '\n<meta name="robots" content="noindex, nofollow">'


_TOGGLE = re.compile(r'(<a class="[^"]*reference internal[^"]*" href="[^"]*">)([^<]*)(</a>\s*<details(?: open="open")?>)<summary>')


def _label_section_toggles(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Name the sidebar's show/hide buttons for pages with sub-pages (the instructor guide's).

    The theme draws each as a <summary> holding only a chevron icon, which screen readers announce as an
    unnamed button (axe: summary-name). Each gets a label naming its section."""
    original = context.get("generate_toctree_html")
    if not callable(original):
        return

    def labelled(*args, **kwargs):
        result = original(*args, **kwargs)

        def name(match: re.Match) -> str:
            title = match.group(2).strip().replace('"', "&quot;")
            return f'{match.group(1)}{match.group(2)}{match.group(3)}<summary aria-label="Pages under {title}">'

        text = _TOGGLE.sub(name, str(result))
        if isinstance(result, str):  # str, or the template engine's Markup
            return type(result)(text)
        return type(result)(text, "html.parser")  # a BeautifulSoup: name the parser, as bs4 asks

    context["generate_toctree_html"] = labelled


def setup(app: Sphinx) -> dict:
    app.add_directive("instructor-only", InstructorOnly)
    app.add_directive("objectives-map", ObjectivesMapDirective)
    app.add_role("serves", serves_role)
    app.connect("config-inited", _edition)
    app.connect("missing-reference", _missing_reference)
    app.connect("source-read", _drop_download_rows)
    app.connect("html-page-context", _noindex)
    app.connect("html-page-context", _label_section_toggles, priority=900)  # after the theme adds its function
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}

