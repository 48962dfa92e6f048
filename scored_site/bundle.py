"""The self-hosted chart runtime: vega, vega-lite and vega-embed in one file served by the site.

``vl_convert.javascript_bundle()`` gives the three libraries with every dependency, ready for a <script>
tag. Its top level declares short names (``const n``, ``function t`` ...) that would collide with the
globals of Sphinx's own scripts, so the bundle is wrapped in a function and only assigns
``window.vegaEmbed``, ``window.vega`` and ``window.vegaLite``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import altair as alt
import vl_convert

BUNDLE_NAME = "scored-vega.js"


def vegalite_version() -> str:
    """The Vega-Lite minor version altair writes specs for, as vl-convert names it ("6.4")."""
    major, minor = alt.VEGALITE_VERSION.split(".")[:2]
    return f"{major}.{minor}"


def bundle_source() -> str:
    """The wrapped bundle's JavaScript."""
    body = vl_convert.javascript_bundle(vl_version=vegalite_version())
    return (
        f"/* vega, vega-lite {alt.VEGALITE_VERSION} and vega-embed, bundled by vl-convert "
        f"{vl_convert.__version__}; licences: BSD-3-Clause (vega, vega-lite, vega-embed) and those of "
        "their dependencies. Wrapped so that its names stay private. */\n"
        "(function () {\n\"use strict\";\n" + body + "\n})();\n"
    )


def write_bundle(directory: Path) -> Path:
    """Write the bundle into ``directory`` unless an identical one is there; return its path.

    Regenerating costs about a second, and leaving an unchanged file alone keeps its timestamp, so
    Sphinx does not treat the static files as changed on a no-change rebuild.
    """
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / BUNDLE_NAME
    source = bundle_source()
    if path.exists() and _digest(path.read_text(encoding="utf-8")) == _digest(source):
        return path
    path.write_text(source, encoding="utf-8")
    return path


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
