"""The course's Sphinx extension.

* serves the chart bundle (``scored-vega.js``) from the site itself, and loads it only on pages with charts;
* renders ``{quiz}`` directives (see :mod:`scored_site.quiz`);
* labels bibliography entries "Author Year", matching the author-year citations in the text;
* drops the theme's 1.5 MB icon script (``fontawesome.js``) in favour of the handful of icons the pages
  use, drawn by CSS (``scored-icons.css``), so that a page with charts stays within its weight budget.
"""

from __future__ import annotations

import os
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from sphinx.application import Sphinx

from scored_site.bundle import BUNDLE_NAME, write_bundle
from scored_site.quiz import QuizError, load_quiz, render_quiz

HERE = Path(__file__).parent


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


def _use_course_templates(app: Sphinx, config) -> None:
    # Our templates/static/webpack-macros.html shadows the theme's, minus the fontawesome.js preload.
    config.templates_path.insert(0, str(HERE / "templates"))
    config.html_static_path.append(str(HERE / "static"))


def _page_assets(app: Sphinx, pagename, templatename, context, doctree) -> None:
    body = context.get("body", "")
    if 'class="scored-chart"' in body:
        app.add_js_file(BUNDLE_NAME, loading_method="defer")
    if 'class="scored-quiz"' in body:
        app.add_js_file("scored-quiz.js", loading_method="defer")


def _write_bundle(app: Sphinx, exception) -> None:
    if exception is None and app.builder.format == "html":
        write_bundle(Path(app.outdir) / "_static")


def setup(app: Sphinx) -> dict:
    # Tells scored.viz, in the kernels MyST-NB starts from this process, to emit the site's chart HTML.
    os.environ["SCORED_SITE"] = "1"
    app.add_directive("quiz", QuizDirective)
    app.connect("config-inited", _use_course_templates)
    app.connect("html-page-context", _page_assets)
    app.connect("build-finished", _write_bundle)
    app.add_css_file("scored.css")
    app.add_css_file("scored-icons.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
