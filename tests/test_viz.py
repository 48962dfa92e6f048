"""scored.viz: the course theme and the renderer that works offline."""

from __future__ import annotations

import json

import altair as alt
import nbformat
import pandas as pd
import pytest

from scored import viz


@pytest.fixture(autouse=True)
def course_renderer(monkeypatch):
    viz.enable()
    yield


def chart(description="Bars of a and b."):
    data = pd.DataFrame({"k": ["a", "b"], "v": [1, 2]})
    c = alt.Chart(data).mark_bar().encode(x="k:N", y="v:Q")
    return c.properties(description=description) if description is not None else c


def test_a_chart_without_description_is_refused():
    with pytest.raises(ValueError, match="description"):
        chart(description=None)._repr_mimebundle_()
    with pytest.raises(ValueError, match="description"):
        chart(description="  ")._repr_mimebundle_()


def test_in_jupyter_the_chart_is_vega_lite_5_json_which_jupyterlab_draws(monkeypatch):
    monkeypatch.delenv(viz.SITE_ENV, raising=False)
    bundle = chart()._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    # JupyterLab 4 draws this mime type offline; altair 6's own (vegalite.v6.json) it does not draw.
    assert set(bundle) == {"application/vnd.vegalite.v5+json", "text/plain"}
    spec = bundle["application/vnd.vegalite.v5+json"]
    assert spec["$schema"] == "https://vega.github.io/schema/vega-lite/v5.json"
    assert spec["description"] == "Bars of a and b."
    assert spec["config"]["range"]["category"] == viz.PALETTE
    # A notebook that keeps the chart is still a valid notebook (nbclient, nbconvert and papermill check).
    output = nbformat.v4.new_output("display_data", data=bundle)
    nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("chart", outputs=[output])]))


def test_every_chart_of_the_course_compiles_with_vega_lite_5(site_dir, monkeypatch):
    """What a chapter run in JupyterLab sends (see the test above) must be a chart Vega-Lite 5 can draw: each
    chart of the built course, as the book build's notebooks showed it, goes through the renderer's Jupyter
    path and the newest Vega-Lite 5 compiler."""
    import vl_convert

    sources = []
    for notebook in (site_dir.parent / ".jupyter_cache").rglob("*.ipynb"):  # the build's executed chapters
        for cell in nbformat.read(notebook, as_version=4).cells:
            for output in cell.get("outputs", []):
                html = output.get("data", {}).get("text/html", "")
                sources += [json.loads(found) for found in viz._SOURCES.findall(html)]  # chart_source_html's
    on_site = sum(page.read_text().count('class="scored-chart-spec"') for page in site_dir.rglob("*.html"))
    assert len(sources) >= on_site > 0, f"{len(sources)} chart sources in the execution cache, {on_site} on the site"
    monkeypatch.delenv(viz.SITE_ENV, raising=False)
    newest_5 = max((v for v in vl_convert.get_vegalite_versions() if v.startswith("5.")),
                   key=lambda v: tuple(map(int, v.split("."))))
    for spec in sources:
        bundle, _ = viz.render(spec)
        vega = vl_convert.vegalite_to_vega(bundle[viz.JUPYTER_MIME_TYPE], vl_version=newest_5)
        assert vega.get("marks"), f"{spec['description'][:60]!r} compiles to no marks with Vega-Lite {newest_5}"


def _spec_in(html: str) -> dict:
    return json.loads(html.split('class="scored-chart-spec">', 1)[1].rsplit("</script>", 1)[0].replace("<\\/", "</"))


def test_on_the_site_the_chart_is_compiled_to_vega_for_the_self_hosted_runtime(monkeypatch):
    monkeypatch.setenv(viz.SITE_ENV, "1")
    bundle = chart()._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    assert set(bundle) == {"text/html", "text/plain"}
    source = bundle["text/html"]  # the kernel's output: the Vega-Lite spec, compiled by the build's process
    assert source == viz.chart_source_html(chart().to_dict())
    page = viz.compile_charts(f"<p>Before</p>{source}<p>Between</p>{source}<p>After</p>")
    html = viz.chart_html(chart().to_dict())
    assert page == f"<p>Before</p>{html}<p>Between</p>{html}<p>After</p>"
    assert 'class="scored-chart"' in html and 'type="application/json"' in html
    assert "cdn" not in html.lower() and "<script src" not in html
    spec = _spec_in(html)
    assert spec["description"] == "Bars of a and b."
    assert "marks" in spec and "$schema" not in spec  # Vega, not Vega-Lite


def test_a_page_without_charts_is_left_as_it_is():
    page = '<p>No chart</p><script type="application/json" class="other">{"a": "</p>"}</script>'
    assert viz.compile_charts(page) == page
    with pytest.raises(TypeError, match="page_html must be text"):
        viz.compile_charts(None)


def test_chart_html_cannot_close_its_script_early():
    spec = chart(description="</script><script>alert(1)</script>").to_dict()
    source = viz.chart_source_html(spec)
    assert source.count("</script>") == 1
    html = viz.compile_charts(source)
    assert html == viz.chart_html(spec) and html.count("</script>") == 1
    assert _spec_in(html)["description"] == spec["description"]


def test_a_chart_the_site_cannot_draw_fails_the_page_it_is_on():
    data = pd.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2]})
    spec = alt.Chart(data).mark_line().encode(x="x", y="y").transform_loess("x", "y").properties(
        description="A curve.").to_dict()
    with pytest.raises(viz.UnsupportedChartError, match="loess"):
        viz.compile_charts("<p>Text</p>" + viz.chart_source_html(spec))


def test_a_chart_needing_a_transform_the_runtime_leaves_out_is_refused():
    data = pd.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2]})
    nearest = alt.selection_point(nearest=True, on="pointerover")
    spec = alt.Chart(data).mark_point().encode(x="x", y="y").add_params(nearest).properties(description="d").to_dict()
    with pytest.raises(viz.UnsupportedChartError, match="voronoi"):
        viz.to_vega(spec)


def test_the_theme_is_opaque_and_uses_the_colour_blind_safe_palette():
    config = viz.theme()["config"]
    assert config["background"] == "#ffffff"
    assert config["range"]["category"] == viz.PALETTE
    assert len(set(viz.PALETTE)) == len(viz.PALETTE) == 8


def test_dark_mode_colours_reach_wcag_contrast_on_the_dark_background():
    dark = lambda colour: viz.DARK_COLOURS.get(colour, colour)  # noqa: E731
    # Marks: every palette colour, as drawn in dark mode, at least 3:1 (WCAG 1.4.11).
    assert min(viz.contrast_ratio(dark(c), viz.DARK_BACKGROUND) for c in viz.PALETTE) >= 3
    # Text: at least 4.5:1 in both modes (WCAG 1.4.3).
    assert viz.contrast_ratio(viz.TEXT, "#ffffff") >= 4.5
    assert viz.contrast_ratio(dark(viz.TEXT), viz.DARK_BACKGROUND) >= 4.5
    assert viz.contrast_ratio(dark(viz.DOMAIN), viz.DARK_BACKGROUND) >= 3


def test_contrast_ratio_matches_wcag_reference_values():
    assert viz.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert viz.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert viz.contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)


def test_compact_data_sends_booleans_the_browser_reads_as_booleans():
    """pandas writes True/False, which Vega read as the text "False" -- true in a filter, so every row passed."""
    import vl_convert

    frame = pd.DataFrame({"k": ["a", "b", "c"], "flag": [True, False, False], "n": [1, 2, 3]})
    data = viz.compact_data(frame)
    assert data.format.parse == {"flag": "boolean", "n": "number"}
    assert data.values.splitlines()[1] == "a,true,1"
    spec = (alt.Chart(data).mark_point().encode(x="k:N").transform_filter("datum.flag")
            .properties(description="The rows flagged.").to_dict())
    svg = vl_convert.vegalite_to_svg(spec, vl_version=viz.vegalite_version())
    assert svg.count('aria-roledescription="point"') == 1  # only the row whose flag is True


def test_threshold_sliders_reach_the_scorecards_own_threshold():
    """A slider cannot show a value outside its range: the browser would draw it at an end, not where it acts."""
    from scored import scoring

    scores = pd.DataFrame({"total": [900.0, 990.0, 1010.0]})  # nobody near the blacklist line of 600
    param = viz.score_distribution(scores, scoring.DEFAULT_SCORECARD).to_dict()["params"][0]
    assert param["bind"]["min"] <= param["value"] == 600 <= param["bind"]["max"]
    residents = pd.DataFrame({"resident_id": [0, 1], "district": ["North", "East"], "group": ["Kestrel", "Heron"]})
    counts = scoring.count_records(pd.DataFrame({"resident_id": [1], "kind": ["court_debt"]}), residents)
    low_line = scoring.DEFAULT_SCORECARD.with_band_minimum("C", 450)  # more than 400 below the base
    params = viz.blacklist_explorer(counts, residents, low_line).to_dict()["params"]
    threshold = next(p for p in params if p["name"] == "threshold")
    assert threshold["bind"]["min"] <= threshold["value"] == 450 <= threshold["bind"]["max"]
