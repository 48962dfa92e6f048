"""The self-hosted chart runtime: Vega, and the course's small embed script, in one file served by the site.

Charts reach the page already compiled from Vega-Lite to Vega (:func:`scored.viz.to_vega`), so the page
needs neither the Vega-Lite compiler nor vega-embed. ``vl_convert.javascript_bundle()`` bundles, from the
Vega modules vl-convert carries (no network), only what a compiled Vega-Lite chart needs: the view, the
parser and the data, view and encoding transforms (about 445 kB, against 900 kB for vega,
vega-lite and vega-embed, or 585 kB for all of Vega). Left out are the transforms Vega-Lite never emits
for the course's charts (maps, force layouts, trees, word clouds, labels, Voronoi, regression and loess
curves);
:func:`scored.viz.to_vega` refuses a chart that needs one. ``scored-charts.js`` then draws each chart,
fits it to its column and follows the page's dark mode.

The bundle's top level declares short names (``const n``, ``function t`` ...) that would collide with the
globals of Sphinx's own scripts, so it is wrapped in a function and only assigns ``window.vega``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import vl_convert

from scored import viz

BUNDLE_NAME = "scored-vega.js"
EMBED_SCRIPT = Path(__file__).parent / "scored-charts.js"

# The Vega version vl-convert carries, and the versions of the Vega modules inside it. vl-convert resolves
# these addresses from the copies compiled into it (it never fetches them); a new vl-convert may carry
# others, and then the bundle fails to build with an error saying so.
VEGA_VERSION = "6.2.0"
_MODULE = "https://cdn.jsdelivr.net/npm/{}/+esm"
VEGA_SNIPPET = f"""
import {{extend}} from "{_MODULE.format('vega-util@2.1.0')}";
import {{transforms}} from "{_MODULE.format('vega-dataflow@6.1.0')}";
import * as data from "{_MODULE.format('vega-transforms@5.1.0')}";
import * as view from "{_MODULE.format('vega-view-transforms@5.1.0')}";
import * as encode from "{_MODULE.format('vega-encode@5.1.0')}";
import {{View}} from "{_MODULE.format('vega-view@6.1.0')}";
import {{parse}} from "{_MODULE.format('vega-parser@7.1.0')}";
extend(transforms, data, view, encode);
window.vega = {{View: View, parse: parse, version: "{VEGA_VERSION}"}};
"""


def embed_source() -> str:
    """The embed script, with the dark-mode colours of :mod:`scored.viz` filled in."""
    dark = {light.lower(): dark for light, dark in viz.DARK_COLOURS.items()}
    source = EMBED_SCRIPT.read_text(encoding="utf-8")
    if "/*DARK_COLOURS*/ {}" not in source:
        raise RuntimeError(f"{EMBED_SCRIPT} lost its /*DARK_COLOURS*/ placeholder")
    return source.replace("/*DARK_COLOURS*/ {}", json.dumps(dark, sort_keys=True))


def bundle_source() -> str:
    """The wrapped Vega bundle followed by the embed script."""
    if vl_convert.get_vega_version() != VEGA_VERSION:
        raise RuntimeError(
            f"vl-convert {vl_convert.__version__} carries Vega {vl_convert.get_vega_version()}, not {VEGA_VERSION}: "
            "update VEGA_VERSION and the module versions in scored_site/bundle.py (see Vega's package.json)"
        )
    body = vl_convert.javascript_bundle(VEGA_SNIPPET, vl_version=viz.vegalite_version())
    return (
        f"/* vega {VEGA_VERSION} (view, parser and the transforms compiled charts use), bundled by vl-convert {vl_convert.__version__} "
        "(licences: BSD-3-Clause for vega, and those of its dependencies), and the course's chart embed. "
        "Wrapped so that its names stay private. */\n"
        "(function () {\n\"use strict\";\n" + body + "\n})();\n" + embed_source()
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
