"""The course's charts: one look, and a renderer that works offline.

Call :func:`enable` once at the top of a chapter or notebook::

    from scored import viz
    viz.enable()

After that every altair chart uses the course theme (colour-blind-safe colours, readable type, an opaque
background) and is rendered by :func:`render`, whose output works in two places:

* in JupyterLab, which draws the chart, sliders and all, with the Vega-Lite 5 renderer it bundles:
  :func:`render` hands it the spec under the Vega-Lite 5 mime type (see :data:`JUPYTER_MIME_TYPE`);
* in the course's static web pages, which draw it with the Vega runtime the site serves itself
  (``scored-vega.js``). The site build sets the environment variable ``SCORED_SITE=1`` (see
  ``scored_site.sphinx_ext``); the renderer then emits the chart's Vega-Lite spec in a script element
  (:func:`chart_source_html`), and the build's own process compiles every chart of a page from Vega-Lite to
  Vega (vl-convert) into the page's HTML (:func:`compile_charts`, :func:`chart_html`), so that pages do not need
  the Vega-Lite compiler and no notebook kernel starts a compiler of its own. Altair's own HTML output would
  load its libraries from a public CDN: that breaks offline and tells a third party about every reader's
  visit.

On the site every chart fits its column and follows the page's light/dark switch: the page's chart script
(``scored_site/static/scored-charts.js``) stacks side-by-side panels, wraps long titles and narrows the plot
on a small screen, and swaps the theme's light neutrals for :data:`DARK_COLOURS` in dark mode.

A chart must say what it shows: :func:`render` refuses a chart without a ``description``, which vega-embed
turns into the chart's accessible name.
"""

from __future__ import annotations

import html
import json
import os
import re
from typing import Any

import altair as alt
import pandas as pd

from .validation import ScoredInputError, ScoredTypeError, check_columns, check_frame, check_numeric_column

__all__ = ["PALETTE", "SANCTIONED", "NOT_SANCTIONED", "theme", "render", "chart_html", "chart_source_html",
           "compile_charts", "enable", "compact_data",
           "blacklist_threshold", "score_distribution", "blacklist_explorer"]

THEME_NAME = "scored"
RENDERER_NAME = "scored"

# Okabe & Ito's palette, distinguishable with the common forms of colour-vision deficiency.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# Two colours with a special meaning in the course.
SANCTIONED = "#D55E00"
NOT_SANCTIONED = "#0072B2"

# The theme's neutrals, and what each becomes in dark mode (the page's chart script swaps them; the
# background follows the page's own). The palette stays: each colour reaches at least 3:1 against the
# dark background, except black, which turns light. ``tests/test_viz.py`` checks the contrast figures.
TEXT = "#222222"
GRID = "#e4e4e4"
DOMAIN = "#767676"
DARK_BACKGROUND = "#14181e"  # pydata-sphinx-theme's --pst-color-background in dark mode
DARK_COLOURS = {
    TEXT: "#e3e7eb",
    GRID: "#3a4350",
    DOMAIN: "#8f99a6",
    "#000000": "#f0f0f0",
}



def contrast_ratio(colour: str, background: str) -> float:
    """WCAG 2.1 contrast ratio of two "#rrggbb" colours, from 1 (none) to 21 (black on white).

    Marks need 3:1 against the background (WCAG 1.4.11), text 4.5:1 (1.4.3).
    """
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(colour), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


def theme() -> dict:
    """The course's altair theme as a Vega-Lite config.

    Colours from :data:`PALETTE` (Okabe and Ito's, safe for the common forms of colour-vision deficiency), 13-pixel
    labels in the system font, an opaque white background, and a 520 x 300 plot unless a chart sets its own size.
    :func:`enable` registers it with altair under the name ``"scored"``; calling ``theme()`` changes nothing.

    Returns
    -------
    dict
        ``{"config": {...}}``: a Vega-Lite ``config`` object (background, font, view, axis, legend, header, title,
        range, mark, bar and text settings). Each call builds a new dict.

    Examples
    --------
    >>> config = theme()["config"]
    >>> config["background"], config["range"]["category"] == PALETTE
    ('#ffffff', True)
    >>> config["axis"]["labelFontSize"]
    13
    """
    axis = {
        "labelFontSize": 13,
        "titleFontSize": 13,
        "titleFontWeight": "normal",
        "labelColor": TEXT,
        "titleColor": TEXT,
        "gridColor": GRID,
        "domainColor": DOMAIN,
        "tickColor": DOMAIN,
    }
    return {
        "config": {
            "background": "#ffffff",
            "font": FONT,
            "view": {"stroke": None, "continuousWidth": 520, "continuousHeight": 300},
            "axis": axis,
            "legend": {"orient": "top", "labelFontSize": 13, "titleFontSize": 13, "titleFontWeight": "normal",
                       "labelColor": TEXT, "titleColor": TEXT, "labelLimit": 300},
            "header": {"labelFontSize": 13, "titleFontSize": 13, "labelColor": TEXT, "titleColor": TEXT},
            "title": {"fontSize": 15, "fontWeight": "bold", "anchor": "start", "color": TEXT,
                      "subtitleColor": TEXT},
            "range": {"category": PALETTE, "ordinal": {"scheme": "viridis"}, "ramp": {"scheme": "viridis"}},
            "mark": {"color": PALETTE[0]},
            "bar": {"color": PALETTE[0]},
            "text": {"fontSize": 13, "color": TEXT},
        }
    }


SITE_ENV = "SCORED_SITE"
# Outside the site, charts go out as Vega-Lite 5, which JupyterLab 4 draws offline with the renderer it bundles.
# altair 6's own mime type, "application/vnd.vegalite.v6.json", has no renderer there (the reader saw only
# "<Chart: ...>"), and, lacking "+json", it makes a saved notebook invalid for nbformat. Every chart of the
# course compiles with Vega-Lite 5 (tests/test_viz.py).
JUPYTER_MIME_TYPE = "application/vnd.vegalite.v5+json"
JUPYTER_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def render(spec: dict, **metadata: Any) -> tuple[dict, dict]:
    """Return a chart's mime bundle: Vega-Lite JSON for Jupyter, HTML for the static site.

    altair calls this when it displays a chart once :func:`enable` has made it the renderer; there is rarely a reason
    to call it yourself. With the environment variable ``SCORED_SITE`` set to ``"1"`` (the site build) the bundle
    holds the HTML of :func:`chart_source_html`, which the build turns into :func:`chart_html`. Otherwise it holds
    the spec under :data:`JUPYTER_MIME_TYPE`, marked as Vega-Lite 5, which JupyterLab draws without going
    online. Vega-Lite 5 misses a few refinements of 6: a stacked bar, for one, is stacked in the ascending
    order of the values its colours stand for, not in the order of the legend. Either way ``"text/plain"`` says
    ``<Chart: description>``.

    Parameters
    ----------
    spec : dict
        A Vega-Lite spec, as ``chart.to_dict()`` gives it; it must have a non-empty ``description``.
    **metadata
        Options for Jupyter's renderer (altair's ``embed_options``, for instance); not used on the site.

    Returns
    -------
    tuple of (dict, dict)
        The mime bundle (mime type -> content) and its metadata.

    Raises
    ------
    ScoredTypeError
        ``spec`` is not a dict.
    ScoredInputError
        The chart has no description, or an empty one.

    Examples
    --------
    >>> bars = alt.Chart(pd.DataFrame({"k": ["a", "b"], "v": [1, 2]})).mark_bar().encode(x="k:N", y="v:Q")
    >>> bundle, _ = render(bars.properties(description="Bars of a and b.").to_dict())
    >>> bundle["text/plain"]
    '<Chart: Bars of a and b.>'
    >>> sorted(bundle)
    ['application/vnd.vegalite.v5+json', 'text/plain']
    >>> render(bars.to_dict())
    Traceback (most recent call last):
    ...
    scored.validation.ScoredInputError: every course chart needs a description saying what it shows:
    add .properties(description='...') to the chart
    """
    _check_spec(spec)
    description = spec.get("description")
    if not isinstance(description, str) or not description.strip():
        raise ScoredInputError(
            "every course chart needs a description saying what it shows: "
            "add .properties(description='...') to the chart"
        )
    text = f"<Chart: {description}>"
    if os.environ.get(SITE_ENV) == "1":
        return {"text/html": chart_source_html(spec), "text/plain": text}, {}
    bundle = {JUPYTER_MIME_TYPE: {**spec, "$schema": JUPYTER_SCHEMA}, "text/plain": text}
    return bundle, ({JUPYTER_MIME_TYPE: metadata} if metadata else {})


def vegalite_version() -> str:
    """The Vega-Lite minor version altair writes specs for, as vl-convert names it ("6.4")."""
    major, minor = alt.VEGALITE_VERSION.split(".")[:2]
    return f"{major}.{minor}"


def _check_spec(spec: Any) -> dict:
    if not isinstance(spec, dict):
        raise ScoredTypeError(f"spec must be a Vega-Lite spec (a dict, e.g. chart.to_dict()), got a "
                              f"{type(spec).__name__}")
    return spec


# Vega transforms the site's chart runtime leaves out (see scored_site/bundle.py): maps, contours,
# force layouts, trees, labels, Voronoi cells, word clouds, regression and loess curves.
UNSUPPORTED_TRANSFORMS = frozenset({
    "contour", "loess", "regression", "crossfilter", "force", "geojson", "geopath", "geopoint", "geoshape", "graticule", "heatmap",
    "isocontour", "kde2d", "label", "nest", "pack", "partition", "resolvefilter", "stratify", "tree",
    "treelinks", "treemap", "voronoi", "wordcloud",
})


class UnsupportedChartError(ValueError):
    """A chart that needs a part of Vega the course's pages do not ship."""


def to_vega(spec: dict) -> dict:
    """Compile a Vega-Lite spec to Vega, so that the page needs only the Vega runtime."""
    import vl_convert  # imported here: only the site build needs it

    vega = vl_convert.vegalite_to_vega(spec, vl_version=vegalite_version())
    vega.pop("$schema", None)  # a URL the page never needs
    used = set(_transform_types(vega)) & UNSUPPORTED_TRANSFORMS
    if used:
        raise UnsupportedChartError(
            f"chart {spec.get('description', '')[:60]!r} needs the Vega transform(s) {sorted(used)}, which the "
            "site's chart runtime leaves out (nearest-point selections, maps, trees ...); draw it another way "
            "or add the module to scored_site/bundle.py"
        )
    return vega


def _transform_types(node):
    """Every Vega transform type in a spec, in data pipelines and in marks."""
    if isinstance(node, dict):
        for transform in node.get("transform", []) if isinstance(node.get("transform"), list) else []:
            if isinstance(transform, dict) and "type" in transform:
                yield transform["type"]
        for value in node.values():
            yield from _transform_types(value)
    elif isinstance(node, list):
        for item in node:
            yield from _transform_types(item)


def chart_html(spec: dict) -> str:
    """The HTML the static site uses to draw ``spec``: an empty box, and the compiled Vega spec as JSON.

    The site's chart script (``scored-vega.js``, loaded once per page) draws every box from the JSON that
    follows it, so no id is needed and two identical charts on one page cannot clash. Vega names the box
    after the spec's description and puts any sliders or buttons into it.

    The Vega-Lite spec is compiled to Vega here, offline, with vl-convert (``vl-convert-python``, in the ``dev``
    extra, not in a student's install). The description is escaped for the HTML attribute, and ``</`` in the JSON
    is written ``<\\/`` so that no text in the chart can close the ``<script>`` element early.

    Parameters
    ----------
    spec : dict
        A Vega-Lite spec, as ``chart.to_dict()`` gives it, with a ``description`` (text).

    Returns
    -------
    str
        Two lines: a ``<div class="scored-chart">`` with a fallback sentence for readers without JavaScript, and a
        ``<script type="application/json" class="scored-chart-spec">`` holding the Vega spec.

    Raises
    ------
    ScoredTypeError
        ``spec`` is not a dict.
    ScoredInputError
        ``spec`` has no ``description`` text.
    UnsupportedChartError
        The compiled chart needs a Vega transform the site's runtime leaves out (nearest-point selections, maps,
        trees, regression curves ...); the message names it.

    Examples
    --------
    >>> spec = alt.Chart(pd.DataFrame({"k": ["a", "b"], "v": [1, 2]})).mark_bar().encode(
    ...     x="k:N", y="v:Q").properties(description="Bars of a and b.").to_dict()
    >>> print(chart_html(spec))
    <div class="scored-chart" data-description="Bars of a and b.">This interactive chart needs JavaScript.</div>
    <script type="application/json" class="scored-chart-spec">{...}</script>
    """
    _check_described(spec)
    spec_json = _script_json(to_vega(spec))
    label = html.escape(spec["description"], quote=True)
    return (
        f'<div class="scored-chart" data-description="{label}">'
        "This interactive chart needs JavaScript.</div>\n"
        f'<script type="application/json" class="scored-chart-spec">{spec_json}</script>'
    )


_SOURCE_START = '<script type="application/json" class="scored-chart-vegalite">'
_SOURCES = re.compile(re.escape(_SOURCE_START) + r"(.*?)</script>", re.S)


def chart_source_html(spec: dict) -> str:
    """A chart as a notebook the site build runs shows it: its Vega-Lite spec in a script element, for
    :func:`compile_charts` to turn into :func:`chart_html` in the build's own process.

    Compiling there, not in each notebook's kernel, starts the chart compiler (vl-convert, about half a second of
    CPU) once per build instead of once per notebook.

    Parameters
    ----------
    spec : dict
        A Vega-Lite spec, as ``chart.to_dict()`` gives it, with a ``description`` (text).

    Returns
    -------
    str
        One ``<script type="application/json" class="scored-chart-vegalite">`` element holding the spec.

    Raises
    ------
    ScoredTypeError
        ``spec`` is not a dict.
    ScoredInputError
        ``spec`` has no ``description`` text.

    Examples
    --------
    >>> spec = alt.Chart(pd.DataFrame({"k": ["a", "b"], "v": [1, 2]})).mark_bar().encode(
    ...     x="k:N", y="v:Q").properties(description="Bars of a and b.").to_dict()
    >>> compile_charts("<p>Before</p>" + chart_source_html(spec)) == "<p>Before</p>" + chart_html(spec)
    True
    """
    _check_described(spec)
    return _SOURCE_START + _script_json(spec) + "</script>"


def compile_charts(page_html: str) -> str:
    """``page_html`` with every :func:`chart_source_html` element replaced by the chart's :func:`chart_html`.

    Parameters
    ----------
    page_html : str
        HTML, e.g. the body of a page the site build writes.

    Returns
    -------
    str
        The same HTML, every chart compiled to Vega; HTML without a chart comes back unchanged.

    Raises
    ------
    ScoredTypeError
        ``page_html`` is not text.
    UnsupportedChartError
        A chart needs a part of Vega the site's pages do not ship (see :func:`chart_html`).

    Examples
    --------
    >>> spec = alt.Chart(pd.DataFrame({"k": ["a", "b"], "v": [1, 2]})).mark_bar().encode(
    ...     x="k:N", y="v:Q").properties(description="Bars of a and b.").to_dict()
    >>> page = compile_charts("<h2>Bars</h2>" + chart_source_html(spec))
    >>> page.startswith('<h2>Bars</h2><div class="scored-chart" data-description="Bars of a and b.">')
    True
    """
    if not isinstance(page_html, str):
        raise ScoredTypeError(f"page_html must be text (HTML), got a {type(page_html).__name__}")
    if _SOURCE_START not in page_html:
        return page_html
    return _SOURCES.sub(lambda found: chart_html(json.loads(found.group(1))), page_html)


def _check_described(spec: Any) -> None:
    _check_spec(spec)
    if not isinstance(spec.get("description"), str):
        raise ScoredInputError("spec must have a 'description' (text saying what the chart shows), got "
                               f"{spec.get('description')!r}")


def _script_json(value: Any) -> str:
    """``value`` as JSON to put inside a ``<script>`` element: "</" must not appear there, and "<\\/" is the
    same string in JSON."""
    return json.dumps(value, separators=(",", ":")).replace("</", "<\\/")


def enable() -> None:
    """Use the course theme and renderer for every altair chart from now on.

    Call it once at the top of a notebook. It registers and enables the theme of :func:`theme` and the renderer
    :func:`render` (both named ``"scored"``), and limits the data embedded in a chart to 5,000 rows, so that a
    chart of the whole city fails with altair's ``MaxRowsError`` instead of making a page heavy: aggregate first,
    or pass a table through :func:`compact_data`. Calling it again changes nothing.

    Returns
    -------
    None
        It changes altair's global settings: its active theme, renderer and data transformer.

    Examples
    --------
    >>> enable()
    >>> alt.theme.active, alt.renderers.active
    ('scored', 'scored')
    """
    if THEME_NAME not in alt.theme.names():
        alt.theme.register(THEME_NAME, enable=False)(theme)
    alt.theme.enable(THEME_NAME)
    alt.renderers.register(RENDERER_NAME, render)
    alt.renderers.enable(RENDERER_NAME)
    # Charts carry aggregated data; this guard stops a chapter from shipping the whole city by mistake.
    alt.data_transformers.enable("default", max_rows=5000)


# --- Reusable interactive charts -------------------------------------------------------------------------
# Each aggregates in Python first (a few hundred to a few thousand rows) and leaves to the browser only
# what the reader controls, expressed as Vega-Lite transforms driven by params.


def compact_data(frame: pd.DataFrame) -> alt.InlineData:
    """A table as inline CSV: a third of the bytes of altair's JSON rows, for the larger chart tables.

    Numeric columns are declared so that the browser parses them as numbers. Boolean columns are written as
    ``true``/``false`` and declared boolean, so that a filter such as ``datum.flag`` keeps only the True rows (as
    text, ``"False"`` would pass it). Every other column arrives as text; a missing value arrives as null (an empty
    field). The index is left out: :meth:`~pandas.DataFrame.reset_index` first to keep it.

    Parameters
    ----------
    frame : DataFrame
        The chart's table, aggregated first (a few thousand rows at most); it may be empty.

    Returns
    -------
    altair.InlineData
        ``values`` holds the CSV text (a header line, then one line per row); ``format`` says CSV and maps each
        numeric column to ``"number"`` and each boolean column to ``"boolean"``. Pass it where altair takes data:
        ``alt.Chart(compact_data(table))``.

    Raises
    ------
    ScoredTypeError
        ``frame`` is not a DataFrame.

    Examples
    --------
    >>> data = compact_data(pd.DataFrame({"district": ["Harbour", "Eastfield"], "share": [0.02, 0.05]}))
    >>> print(data.values)
    district,share
    Harbour,0.02
    Eastfield,0.05
    >>> data.format.parse
    {'share': 'number'}
    """
    check_frame(frame, "frame", empty_ok=True)
    parse: dict[Any, str] = {}
    table = frame
    for i, column in enumerate(frame.columns):
        values = frame.iloc[:, i]
        if pd.api.types.is_bool_dtype(values.dtype):
            # pandas writes True/False; Vega reads "False" as true. Written in lower case and declared boolean,
            # each arrives as a real boolean (a missing value as null).
            if table is frame:
                table = frame.copy()
            table.isetitem(i, values.map({True: "true", False: "false"}))
            parse[column] = "boolean"
        elif pd.api.types.is_numeric_dtype(values.dtype):
            parse[column] = "number"
    return alt.InlineData(
        values=table.to_csv(index=False, lineterminator="\n"),
        format=alt.DataFormat(type="csv", parse=parse),
    )


def _points_slider(rule: Any) -> alt.Parameter:
    """A slider for one rule's points, from 0 to twice its default (at least 100 for a penalty)."""
    low, high = (min(-100, 2 * rule.points), 0) if rule.points <= 0 else (0, max(50, 2 * rule.points))
    return alt.param(
        name=f"points_{rule.kind}",
        value=rule.points,
        bind=alt.binding_range(min=low, max=high, step=1, name=f"Points per {rule.label}: "),
    )


def _scorecard(scorecard: Any) -> Any:
    from .scoring import as_scorecard

    card = as_scorecard(scorecard)
    if not any(band.min_score is not None for band in card.bands):
        raise ScoredInputError(f"scorecard must have at least two bands (a blacklist line), got {card.name!r} "
                               "with one")
    return card


def _counts(counts: Any, scorecard: Any, name: str = "counts") -> pd.DataFrame:
    check_frame(counts, name)
    kinds = [rule.kind for rule in scorecard.rules]
    missing = [k for k in kinds if k not in counts.columns]
    if missing:
        raise ScoredInputError(f"{name} has no column for the scorecard's rules {missing}: pass "
                               "scored.scoring.count_records(records, residents)")
    for k in kinds:
        check_numeric_column(counts, k, f"count of {k!r}", name)
    return counts


def _score_expression(scorecard: Any) -> str:
    """The scorecard's total as a Vega expression over count columns and the points sliders."""
    terms = " + ".join(f"points_{rule.kind} * datum.{rule.kind}" for rule in scorecard.rules)
    return f"{scorecard.base} + {terms}"


def blacklist_threshold(scorecard: Any) -> float:
    """The score below which the scorecard blacklists: the lowest band's upper edge.

    That is the smallest ``min_score`` of the scorecard's bands: a total below it falls into the last band (grade D
    and its blacklist in the default scorecard).

    Parameters
    ----------
    scorecard : Scorecard, dict or None
        A :class:`scored.scoring.Scorecard`, its ``to_dict()`` form, or None for
        ``scored.scoring.DEFAULT_SCORECARD``. It needs at least two bands.

    Returns
    -------
    float
        The threshold, in points.

    Raises
    ------
    ScoredTypeError
        ``scorecard`` is of another kind.
    ScoredInputError
        The scorecard has one band only (no line to draw), or its dict form is malformed.

    Examples
    --------
    >>> blacklist_threshold(None)  # the default scorecard: D below 600
    600.0
    >>> from scored.scoring import DEFAULT_SCORECARD
    >>> blacklist_threshold(DEFAULT_SCORECARD.with_band_minimum("C", 500))
    500.0
    """
    scorecard = _scorecard(scorecard)
    return float(min(band.min_score for band in scorecard.bands if band.min_score is not None))


def score_distribution(scores: Any, scorecard: Any) -> alt.LayerChart:
    """Histogram of scores with a slider for the blacklist threshold and the share below it.

    ``scores`` is the output of :func:`scored.scoring.score`.

    The scores are counted in bins of 10 points in Python (the chart carries one row per bin, never one per
    resident); the counts are drawn on a logarithmic (symlog) scale so that the few residents near the bottom stay
    visible. The slider starts at the scorecard's blacklist line and runs from the lowest bin (or the line, if
    lower) to the scorecard's base; bins that start below it are drawn in :data:`SANCTIONED` orange, and the text
    above says how many residents, and what share, are below. A bin counts as below when its start is, so a line
    that is not a multiple of 10 is rounded up to the next bin.

    Parameters
    ----------
    scores : DataFrame
        One row per resident with a numeric ``total`` column (points), without missing values.
    scorecard : Scorecard, dict or None
        The scorecard whose blacklist line the slider starts at (see :func:`blacklist_threshold`); None means
        ``scored.scoring.DEFAULT_SCORECARD``.

    Returns
    -------
    altair.LayerChart
        The bars and the text, 560 x 260 pixels, with the parameter ``threshold`` bound to the slider and a
        ``description``. Display it, or call ``.to_dict()`` for the Vega-Lite spec.

    Raises
    ------
    ScoredTypeError
        ``scores`` is not a DataFrame, or ``scorecard`` is of another kind.
    ScoredInputError
        ``scores`` is empty, has no numeric ``total`` column or has missing or infinite totals, or the scorecard
        has one band only.

    Examples
    --------
    >>> scores = pd.DataFrame({"total": [1010, 990, 960, 960, 580]})
    >>> spec = score_distribution(scores, None).to_dict()
    >>> spec["params"][0]["value"], spec["params"][0]["bind"]["min"], spec["params"][0]["bind"]["max"]
    (600.0, 580.0, 1000.0)
    """
    scorecard = _scorecard(scorecard)
    check_frame(scores, "scores")
    check_numeric_column(scores, "total", "scores column 'total'", "scores")
    width = 10
    binned = (scores["total"] // width * width).value_counts().sort_index()
    data = binned.rename_axis("score").reset_index(name="residents")
    line = blacklist_threshold(scorecard)
    # The slider's range holds the line itself: a browser draws a value outside the range at an end.
    threshold = alt.param(
        name="threshold", value=line,
        bind=alt.binding_range(min=min(float(data["score"].min()), line), max=max(float(scorecard.base), line),
                               step=width, name="Blacklist everyone scoring below: "),
    )
    base = alt.Chart(data)
    bars = base.mark_bar(width={"band": 0.9}).encode(
        x=alt.X("score:Q", bin=alt.BinParams(step=width, binned=True), title="Score"),
        x2="score_end:Q",
        y=alt.Y("residents:Q", title="Residents (logarithmic scale)", scale=alt.Scale(type="symlog"),
                axis=alt.Axis(values=[0, 1, 10, 100, 1000])),
        color=alt.condition(
            f"datum.score < threshold", alt.value(SANCTIONED), alt.value(NOT_SANCTIONED)
        ),
        tooltip=[alt.Tooltip("score:Q", title="Score from"), alt.Tooltip("residents:Q")],
    ).transform_calculate(score_end=f"datum.score + {width}")
    share = base.transform_calculate(
        below=f"datum.score < threshold ? datum.residents : 0"
    ).transform_aggregate(
        below="sum(below)", total="sum(residents)"
    ).transform_calculate(
        label="format(datum.below, ',') + ' residents blacklisted (' + format(datum.below / datum.total, '.1%') + ')'"
    ).mark_text(align="left", x=5, y=-12, fontSize=14, fontWeight="bold").encode(text="label:N")
    return (bars + share).add_params(threshold).properties(
        width=560, height=260,
        description=(
            "Histogram of residents' scores on a logarithmic count scale; residents below the blacklist "
            "threshold set by the slider are drawn in orange, and the share blacklisted is printed above."
        ),
    )


def blacklist_explorer(counts: Any, residents: Any, scorecard: Any, personas: Any = None) -> alt.VConcatChart:
    """Sliders for every rule's points and for the blacklist threshold; bars show who lands on the list.

    ``counts`` is :func:`scored.scoring.count_records` output (one column per rule kind, indexed by
    resident_id); ``residents`` supplies district and group. With ``personas`` (a table with ``persona``
    and ``resident_id``), a third panel shows each persona's score, rule by rule.

    The browser recomputes every score from the sliders: the chart carries one row per distinct combination of
    district, group and counts (a few thousand at most, as :func:`compact_data` CSV), never one per resident. Each
    rule's slider starts at its points: a reward's runs from 0 to twice them (at least to 50), a penalty's (or a
    rule worth 0) from twice them (at least down to -100) to 0. The threshold's starts at the blacklist line and
    runs from 400 below the base (or the line, if lower) to the base, in steps of 10. Residents in ``counts`` but
    not in ``residents`` are left out. The share axis stops at 30 %; a longer bar is cut there, its label still
    exact.

    Parameters
    ----------
    counts : DataFrame
        Records per resident, indexed by ``resident_id``, with a numeric column for every rule of the scorecard.
    residents : DataFrame
        One row per resident with ``resident_id``, ``district`` and ``group``; categorical columns keep their order.
    scorecard : Scorecard, dict or None
        The scorecard the sliders start from; None means ``scored.scoring.DEFAULT_SCORECARD``.
    personas : DataFrame or None, default None
        With ``persona`` (a name) and ``resident_id`` columns, for the third panel; every id must be in ``counts``.

    Returns
    -------
    altair.VConcatChart
        The panels stacked (by district, by group, then the personas), with one parameter per rule
        (``points_<kind>``) and ``threshold``, and a ``description``.

    Raises
    ------
    ScoredTypeError
        A table is not a DataFrame, or ``scorecard`` is of another kind.
    ScoredInputError
        A table is empty or lacks a column named above, a count column is not numeric, a persona is not in
        ``counts``, or the scorecard has one band only.

    Examples
    --------
    >>> from scored.scoring import count_records
    >>> from scored.world import make_world
    >>> city = make_world(residents=300, seed=1)
    >>> chart = blacklist_explorer(count_records(city.records, city.residents), city.residents, None)
    >>> [param["name"] for param in chart.to_dict()["params"]]
    ['points_late_bill', 'points_traffic_offence', 'points_court_debt', 'points_flagged_post',
     'points_volunteering', 'threshold']
    """
    scorecard = _scorecard(scorecard)
    kinds = [rule.kind for rule in scorecard.rules]
    _counts(counts, scorecard)
    check_frame(residents, "residents")
    check_columns(residents, ["resident_id", "district", "group"], "residents")
    if personas is not None:
        check_frame(personas, "personas")
        check_columns(personas, ["persona", "resident_id"], "personas")
        unknown = sorted(set(personas["resident_id"].tolist()) - set(counts.index.tolist()))
        if unknown:
            raise ScoredInputError(f"personas has resident_id(s) {unknown[:5]} that are not in counts")
    people = residents.set_index("resident_id")[["district", "group"]]
    table = counts[kinds].join(people, how="inner")
    # One row per distinct combination of counts, district and group: the browser scores a few thousand
    # rows instead of every resident, with the same result.
    combos = table.groupby(["district", "group", *kinds], observed=True).size().rename("n").reset_index()

    sliders = [_points_slider(rule) for rule in scorecard.rules]
    line = blacklist_threshold(scorecard)
    threshold = alt.param(
        name="threshold", value=line,
        bind=alt.binding_range(min=min(float(scorecard.base) - 400, line), max=max(float(scorecard.base), line),
                               step=10, name="Blacklist everyone scoring below: "),
    )
    scored_rows = alt.Chart(compact_data(combos)).transform_calculate(
        score=_score_expression(scorecard)
    ).transform_calculate(listed="datum.score < threshold ? datum.n : 0")

    def share_by(field: str, title: str) -> alt.LayerChart:
        shares = scored_rows.transform_aggregate(
            listed="sum(listed)", total="sum(n)", groupby=[field]
        ).transform_calculate(share="datum.listed / datum.total", label="format(datum.share, '.1%')")
        column = residents[field]
        order = list(column.cat.categories) if isinstance(column.dtype, pd.CategoricalDtype) else "ascending"
        y = alt.Y(f"{field}:N", title=None, sort=order)
        bars = shares.mark_bar(color=SANCTIONED).encode(
            x=alt.X("share:Q", title="Share blacklisted", axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, 0.3], clamp=True)),
            y=y,
            tooltip=[alt.Tooltip(f"{field}:N", title=field.capitalize()),
                     alt.Tooltip("share:Q", format=".1%", title="blacklisted"),
                     alt.Tooltip("listed:Q", title="residents listed"), alt.Tooltip("total:Q", title="residents")],
        )
        labels = shares.mark_text(align="left", dx=4).encode(x="share:Q", y=y, text="label:N")
        return (bars + labels).properties(width=420, height=alt.Step(24), title=title)

    panels = [share_by("district", "By district"), share_by("group", "By fictional group")]
    if personas is not None:
        panels.append(_persona_panel(counts, personas, scorecard))
    chart = alt.vconcat(*panels).add_params(*sliders, threshold)
    return chart.properties(description=(
        "Share of residents blacklisted by district and by fictional group"
        + (", and each persona's score rule by rule," if personas is not None else ",")
        + " recomputed from the points per rule and the blacklist threshold set with the sliders."
    ))


def _persona_panel(counts: Any, personas: Any, scorecard: Any) -> alt.VConcatChart:
    kinds = [rule.kind for rule in scorecard.rules]
    labels = {rule.kind: rule.label for rule in scorecard.rules}
    rows = (
        counts.loc[personas["resident_id"], kinds]
        .assign(persona=personas["persona"].to_numpy())
        .melt(id_vars="persona", var_name="kind", value_name="count")
    )
    rows["rule"] = rows["kind"].map(labels)
    # Each row picks its own rule's slider.
    points = " : ".join(f"datum.kind === '{k}' ? points_{k}" for k in kinds) + " : 0"
    contributions = alt.Chart(rows).transform_calculate(points=points).transform_calculate(
        contribution="datum.count * datum.points"
    )
    bars = contributions.mark_bar().encode(
        x=alt.X("sum(contribution):Q", title=f"Points above or below the base of {scorecard.base}"),
        y=alt.Y("persona:N", title="Persona"),
        color=alt.Color("rule:N", title="Rule", legend=alt.Legend(orient="bottom", columns=1)),
        tooltip=[alt.Tooltip("persona:N", title="Persona"), alt.Tooltip("rule:N", title="Rule"),
                 alt.Tooltip("count:Q", title="Records"), alt.Tooltip("contribution:Q", title="Points")],
    )
    totals = contributions.transform_aggregate(
        change="sum(contribution)", groupby=["persona"]
    ).transform_calculate(
        total=f"{scorecard.base} + datum.change",
        label=f"datum.persona + ': score ' + ({scorecard.base} + datum.change) + "
              "(datum.total < threshold ? ' (blacklisted)' : '')",
    ).mark_text(align="left", fontWeight="bold").encode(
        x=alt.value(0), y=alt.Y("persona:N", axis=None), text="label:N"
    ).properties(width=300, height=alt.Step(28))
    bars = bars.properties(width=300, height=alt.Step(28))
    # Stacked, not side by side: the totals stay readable in a phone's column.
    return alt.vconcat(totals, bars, title="The personas, rule by rule")
