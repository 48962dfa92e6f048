"""The toolkit gives the same results on 32-bit WebAssembly (Pyodide) as on 64-bit CPython.

Under Pyodide numpy's index type is int32, and ``numpy.bincount`` and ``numpy.repeat`` refuse int64 codes
("Cannot cast array data from dtype('int64') to dtype('int32') according to the rule 'safe'"). The ``wasm32``
fixture makes numpy as strict as that for every call from the toolkit and sets the toolkit's index type to
int32, as it is there. Each pipeline below then runs twice, as on a laptop and as in the browser, and the results
must be identical.
"""
from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

import scored._counting as counting
from scored import make_world, score
from scored import appeals, capstone, dynamics, privacy
from scored.audit import ground_truth_labels, sampling_uncertainty

pytestmark = pytest.mark.toolkit

REFUSAL = "Cannot cast array data from dtype('{}') to dtype('int32') according to the rule 'safe'"


def _strict(func, position: int, name: str):
    """``func`` as numpy behaves on wasm32 when the toolkit calls it: int64 codes are refused."""
    def strict(*args, **kwargs):
        codes = args[position] if len(args) > position else kwargs.get(name)
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if caller.split(".")[0] == "scored" and not isinstance(codes, (int, type(None))):
            dtype = np.asarray(codes).dtype
            if not np.can_cast(dtype, np.int32, "safe"):
                raise TypeError(REFUSAL.format(dtype))
        return func(*args, **kwargs)
    return strict


def as_on_wasm32(monkeypatch) -> None:
    monkeypatch.setattr(np, "bincount", _strict(np.bincount, 0, "x"))
    monkeypatch.setattr(np, "repeat", _strict(np.repeat, 1, "repeats"))
    monkeypatch.setattr(counting, "INDEX", np.int32)


@pytest.fixture
def wasm32(monkeypatch):
    as_on_wasm32(monkeypatch)


def test_the_strict_numpy_refuses_what_pyodide_refuses(wasm32):
    """The simulation is a real check: an int64 count from the toolkit fails as it does in the browser."""
    codes = np.array([0, 1, 1], dtype=np.int64)
    with pytest.raises(TypeError, match="int64.*int32"):
        eval("np.bincount(codes)", {"__name__": "scored.world", "np": np, "codes": codes})
    with pytest.raises(TypeError, match="int64.*int32"):
        eval("np.repeat(codes, codes)", {"__name__": "scored.world", "np": np, "codes": codes})
    assert counting.bincount(codes).tolist() == [1, 2]  # the toolkit's own route works
    assert counting.bincount(codes).dtype == np.int64
    assert counting.repeat(np.array([7, 8, 9]), codes).tolist() == [8, 9]


def test_codes_too_large_for_the_platform_are_refused(wasm32):
    with pytest.raises(ValueError, match="more than this platform can count to"):
        counting.bincount(np.array([2**31], dtype=np.int64))


def _pipeline() -> dict:
    """One call to each toolkit function that counts by codes, on a small city."""
    city = make_world(1500, seed=11)
    scores = score(city.records, city.residents)
    labels = ground_truth_labels(city)
    res = city.residents
    qi = ["postcode", "age", "sex"]
    release = res[qi + ["resident_id"]].sample(frac=0.5, random_state=1)
    outcomes = appeals.simulate_appeals(city, days=365, rng=1)
    return {
        "residents": res, "records": city.records, "behaviour": city.behaviour, "ties": city.ties,
        "scores": scores, "labels": labels,
        "sampling": sampling_uncertainty(labels, "group", sizes=(200,), reps=20, rng=1),
        "starts": appeals.sanction_starts(city), "outcomes": outcomes,
        "timeline": appeals.timeline(outcomes, "group", who="all", days=365),
        "penalty": dynamics.association_penalty(scores, city.ties, 150, 3).table,
        "spread": dynamics.association_spread(scores, city.ties, res, [0, 150], rounds=2, group="group"),
        "patrols": dynamics.patrol_feedback({"A": 5, "B": 5}, {"A": 0.8, "B": 0.2}, rounds=10, runs=5, rng=3),
        "classes": privacy.equivalence_classes(res, ["postcode", "sex"], sensitive="work"),
        "k": privacy.k_anonymity(res, ["postcode", "sex"]),
        "l": privacy.l_diversity(res, ["district", "sex"], "work"),
        "link": privacy.linkage_outcomes(privacy.link(release, res, qi, id_column="name", true_id="resident_id")),
        "sealed": capstone.sealed_labels(city),
    }


def _same(a, b, name):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=True, obj=name)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, check_exact=True, obj=name)
    else:
        assert a == b, name


def test_every_count_gives_the_same_result_on_wasm32(monkeypatch):
    laptop = _pipeline()
    as_on_wasm32(monkeypatch)
    browser = _pipeline()
    assert laptop.keys() == browser.keys()
    for name in laptop:
        _same(laptop[name], browser[name], name)


def test_the_toolkit_counts_by_codes_only_through_its_portable_helper():
    """A new ``np.bincount`` call elsewhere would pass on a laptop and fail in the browser."""
    import ast
    from pathlib import Path

    package = Path(counting.__file__).parent
    offenders = []
    for path in sorted(package.rglob("*.py")):
        if path.name == "_counting.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "bincount":
                offenders.append(f"{path.relative_to(package.parent)}:{node.lineno}")
    assert not offenders, f"use scored._counting.bincount instead of numpy's: {offenders}"
