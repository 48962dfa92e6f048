"""scored.viz: the course theme and the renderer that works offline."""

from __future__ import annotations

import json

import altair as alt
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


def test_in_jupyter_the_chart_is_vega_lite_json(monkeypatch):
    monkeypatch.delenv(viz.SITE_ENV, raising=False)
    bundle = chart()._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    spec = next(v for k, v in bundle.items() if "vegalite" in k)
    assert spec["description"] == "Bars of a and b."
    assert spec["config"]["range"]["category"] == viz.PALETTE


def test_on_the_site_the_chart_is_html_drawn_by_the_self_hosted_bundle(monkeypatch):
    monkeypatch.setenv(viz.SITE_ENV, "1")
    bundle = chart()._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    html = bundle["text/html"]
    assert set(bundle) == {"text/html", "text/plain"}
    assert "window.vegaEmbed" in html and 'class="scored-chart"' in html
    assert "cdn" not in html.lower() and "<script src" not in html
    assert '"actions":false' in html.replace(" ", "")
    spec = json.loads(html.split("var spec = ", 1)[1].split(";\n", 1)[0])
    assert spec["description"] == "Bars of a and b."


def test_chart_html_cannot_close_its_script_early():
    spec = {"description": "x", "title": "</script><script>alert(1)</script>"}
    html = viz.chart_html(spec)
    assert html.count("</script>") == 1
    assert json.loads(html.split("var spec = ", 1)[1].split(";\n", 1)[0].replace("<\\/", "</"))["title"] == spec["title"]


def test_the_theme_is_opaque_and_uses_the_colour_blind_safe_palette():
    config = viz.theme()["config"]
    assert config["background"] == "#ffffff"
    assert config["range"]["category"] == viz.PALETTE
    assert len(set(viz.PALETTE)) == len(viz.PALETTE) == 8
