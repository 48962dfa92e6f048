"""Scored: the teaching toolkit of an open course on the ethics of surveillance technology.

One module a concept, each importable on its own: ``scored.world`` (the synthetic city), ``scored.scoring``
(scorecards, scores, explanations), and further modules for audits, privacy, dynamics, appeals and charts.
The most used names are available here too, imported on first use::

    from scored import make_world, score
"""
from importlib import import_module

__version__ = "0.1.0"

_LAZY = {
    "World": "world", "make_world": "world", "load_world": "world", "load_classroom": "world",
    "Rule": "scoring", "Band": "scoring", "Scorecard": "scoring", "DEFAULT_SCORECARD": "scoring",
    "count_records": "scoring", "score": "scoring", "explain": "scoring",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'scored' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_LAZY))
