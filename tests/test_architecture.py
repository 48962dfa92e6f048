"""The layers of docs/ARCHITECTURE.md, enforced: each imports only the layers before it.

``scored`` (the toolkit students import) -> ``scored_figures`` (one module per chapter) -> ``scored_site`` (build
plumbing). The toolkit imports no course layer and nothing but numpy, pandas and altair outside the standard
library, so that it installs anywhere (a student's laptop, Pyodide in the browser). ``scored.validation`` is the
base of the toolkit and imports no other ``scored`` module.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["scored", "scored_figures", "scored_site"]  # each may import only those before it
TOOLKIT_THIRD_PARTY = {"numpy", "pandas", "altair"}


def imports_of(path: Path, package: str) -> set[str]:
    """Top-level names of everything ``path`` imports (relative imports resolved inside ``package``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = path.relative_to(ROOT).with_suffix("").parts[:-node.level]
                base = ".".join(parts)
                found.add(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                found.add(node.module)
    return found


def modules(package: str) -> list[Path]:
    folder = ROOT / package
    return sorted(folder.rglob("*.py")) if folder.is_dir() else []


@pytest.mark.parametrize("package", LAYERS)
def test_a_layer_imports_only_the_layers_before_it(package):
    later = LAYERS[LAYERS.index(package) + 1:]
    for path in modules(package):
        for name in imports_of(path, package):
            top = name.split(".")[0]
            assert top not in later, f"{path.relative_to(ROOT)} imports {name}: {package} must not import {top}"


# Imported only inside a function that the site build alone calls (scored.viz.to_vega compiles charts when
# SCORED_SITE=1), so a student's install never needs them. At module level they would be refused.
SITE_BUILD_ONLY = {"vl_convert"}


def module_level_imports(path: Path) -> set:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {alias.name.split(".")[0] for node in tree.body if isinstance(node, ast.Import) for alias in node.names} | {
        node.module.split(".")[0] for node in tree.body if isinstance(node, ast.ImportFrom) and node.module}


def test_the_toolkit_needs_only_numpy_pandas_and_altair():
    stdlib = set(sys.stdlib_module_names)
    for path in modules("scored"):
        at_top = module_level_imports(path)
        for name in imports_of(path, "scored"):
            top = name.split(".")[0]
            if top in SITE_BUILD_ONLY and top not in at_top:
                continue
            assert top in stdlib or top in TOOLKIT_THIRD_PARTY or top == "scored", (
                f"{path.relative_to(ROOT)} imports {name}: the toolkit may use only the standard library, "
                f"{sorted(TOOLKIT_THIRD_PARTY)} and itself")


def test_validation_is_the_base_of_the_toolkit():
    names = imports_of(ROOT / "scored" / "validation.py", "scored")
    assert not [n for n in names if n.startswith("scored")], "scored.validation must not import other scored modules"


def test_the_checker_sees_violations(tmp_path):
    """The test above can fail: a module that imports a later layer is caught."""
    bad = ROOT / "scored" / "_layer_probe.py"
    assert not bad.exists()
    source = "from scored_site import exercises\nfrom . import world\n"
    probe = tmp_path / "probe.py"
    probe.write_text(source)
    tree_names = {n.split(".")[0] for n in imports_of_text(source)}
    assert "scored_site" in tree_names


def imports_of_text(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found
