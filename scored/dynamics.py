"""Systems that change what they measure: feedback loops, guilt by association and chilling effects.

Three parts, each deterministic given an int ``rng`` (a seed):

* **Feedback loops** (chapter "Measurement bias and feedback loops"): where watching more produces more
  records, and records decide where to watch next.
* **Association** (chapter "Association, chilling effects and function creep"): a score that counts the
  scores of a person's contacts, and how a penalty spreads through the city's ties.
* **Chilling effects** (same chapter): residents who change what they do because they are watched, and
  what is lost when they do.
"""

from __future__ import annotations

import math as _math
from collections.abc import Mapping as _Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import replace as _replace
from itertools import product as _product
from typing import Any

import numpy as _np
import pandas as _pd

from ._counting import bincount
from .scoring import DEFAULT_SCORECARD as _DEFAULT_SCORECARD
from .scoring import Scorecard as _Scorecard
from .scoring import as_scorecard as _as_scorecard
from .scoring import count_records as _count_records
from .validation import RngLike, ScoredInputError, ScoredTypeError, accepts_seed, check_bool, check_bool_column
from .validation import check_column_name, check_frame, check_number, check_rng, describe, renamed_keywords
from .world import AGENCIES as _AGENCIES
from .world import KINDS as _KINDS
from .world import TIES as _TIES

# --- Feedback loops ------------------------------------------------------------------------------------
# A patrol-allocation loop after Ensign, Friedler, Neville, Scheidegger & Venkatasubramanian, "Runaway Feedback
# Loops in Predictive Policing" (FAT* 2018, PMLR 81): patrols go where past incidents were recorded, and what
# patrols discover is recorded only where they are. It is a Polya urn: the data reinforce themselves.

__all__ = ["FEEDBACK_LIMITS", "patrol_feedback", "feedback_grid", "AGENCY_PURPOSES", "AGENCY_OF_KIND", "blacklist_line",
           "contacts", "AssociationResult", "association_penalty", "association_spread", "chilling_effect",
           "chilled_records", "chilling_grid", "purpose_limited", "purpose_limitation_grid"]

FEEDBACK_LIMITS = {"rounds": 10_000, "patrols": 1_000_000, "runs": 100_000, "rows": 5_000_000}


def _feedback_number(name: str, value: Any, lo: float, hi: float, *, integer: bool = False,
                     lo_open: bool = False) -> Any:
    return check_number(value, name, low=lo, high=hi, low_open=lo_open, integer=integer)


def _per_district(name: Any, values: Any, *, positive: Any, names: Any = None) -> Any:
    """District names and a float array from a dict or Series ``{district: value}``, or from a list (districts
    named A, B, ...). With ``names``, the districts must be those (a dict may list them in another order)."""
    if isinstance(values, _pd.Series):
        values = dict(zip(map(str, values.index), values.tolist()))
    if isinstance(values, _Mapping):
        keys, raw = [str(k) for k in values], list(values.values())
    elif isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise ScoredTypeError(f"{name} must be a dict {{district: value}} or a list of numbers, one per district, "
                         f"got {type(values).__name__}")
    else:
        raw = list(values)
        keys = list(names) if names is not None and len(names) == len(raw) else [
            chr(ord("A") + i) if i < 26 else f"district {i + 1}" for i in range(len(raw))]
    if len(raw) < 2:
        raise ScoredInputError(f"{name} needs at least two districts, got {len(raw)}")
    if len(set(keys)) != len(keys):
        raise ScoredInputError(f"{name}: district names must be unique, got {keys}")
    if names is not None and sorted(keys) != sorted(names):
        raise ScoredInputError(f"{name} must name the same districts as true_rates ({list(names)}), got {keys}")
    for key, v in zip(keys, raw):
        check_number(v, f"{name}[{key!r}]", low=0, low_open=positive, high=1e12)
    given = dict(zip(keys, map(float, raw)))
    order = list(names) if names is not None else keys
    return order, _np.array([given[k] for k in order])


def _simulate_patrols(rates: Any, start: Any, rounds: Any, patrols: Any, reported: Any, history: Any, correction: Any, rng: Any, keep: Any = None) -> Any:
    """The loop for many independent runs at once: ``rates`` and ``start`` have shape (runs, districts),
    ``reported`` and ``correction`` shape (runs,). Returns arrays of shape (rounds kept, runs, districts);
    with ``keep`` (sorted round indices, from 0) only the allocation of those rounds is kept."""
    runs, k = rates.shape
    counted = history * start / start.sum(axis=1, keepdims=True)  # the data before round 1
    kept_rounds = _np.arange(rounds) if keep is None else _np.asarray(keep)
    names = ("allocation",) if keep is not None else (
        "allocation", "patrols", "reported", "discovered", "counted", "data_share")
    out = {name: _np.empty((len(kept_rounds), runs, k)) for name in names}
    slot = {int(r): i for i, r in enumerate(kept_rounds)}
    share = reported[:, None]
    fix = correction[:, None]
    for r in range(rounds):
        allocation = counted / counted.sum(axis=1, keepdims=True)
        sent = rng.multinomial(patrols, allocation)  # each patrol goes to a district drawn from the data
        reports = rng.poisson(rates * share)  # residents report these wherever the patrols are
        # an unreported incident is discovered if patrols are there: with the district's share of the patrols
        found = rng.poisson(rates * (1 - share) * sent / patrols)
        added = reports + found
        if fix.any():
            # Ensign et al.'s fix: count a discovered incident with probability inversely proportional to the
            # chance that patrols were sent there (scaled so that the least patrolled district keeps them all)
            thinned = rng.binomial(found, allocation.min(axis=1, keepdims=True) / allocation)
            added = _np.where(fix, reports + thinned, added)
        counted = counted + added
        if r in slot:
            i = slot[r]
            out["allocation"][i] = allocation
            if keep is None:
                out["patrols"][i], out["reported"][i], out["discovered"][i] = sent, reports, found
                out["counted"][i], out["data_share"][i] = added, counted / counted.sum(axis=1, keepdims=True)
    return out


@accepts_seed
def patrol_feedback(true_rates: Any, initial_allocation: Any, rounds: int = 50, patrols: int = 10, *,
                    reported_share: float = 0.0, history: float = 20.0, correction: bool = False,
                    runs: int = 1, rng: RngLike = 0) -> _pd.DataFrame:
    """Simulate a patrol-allocation feedback loop and return one row per run, round and district.

    The model follows Ensign et al. (FAT* 2018). Each round:

    1. the *allocation* is each district's share of all incidents recorded so far (before round 1: ``history``
       past incidents split as ``initial_allocation``);
    2. ``patrols`` patrols are sent, each to a district drawn with the allocation's probabilities;
    3. each district has incidents at its true rate (``true_rates``: expected incidents per round). A share
       ``reported_share`` of them is reported by residents and recorded wherever the patrols are; the rest is
       recorded only if discovered, with probability equal to the district's share of the patrols sent;
    4. reported and discovered incidents are added to the data, which sets the next round's allocation.

    With ``reported_share=0`` this is a Polya urn: with equal true rates the allocation keeps its starting
    imbalance on average instead of learning that the districts are alike, and with unequal rates it runs away
    towards the district with the higher rate, past that district's true share. Reports pull the allocation
    towards the true shares (``reported_share=1`` learns them exactly). ``correction=True`` applies the fix
    Ensign et al. propose: a discovered incident is counted with probability proportional to one over the
    chance that patrols were sent there, so that discoveries no longer reinforce where patrols already go.

    ``runs`` independent simulations are run at once, vectorised; the result is the same for the same
    arguments and int ``rng``.

    Parameters
    ----------
    true_rates : dict or list of float
        Expected incidents per round in each district (at least two; each 0 or more, not all 0): a dict
        ``{district: rate}`` (or a Series), or a list, one value per district (named A, B, ...).
    initial_allocation : dict or list of float
        How ``history`` past incidents are split before round 1 (each above 0; rescaled to shares), for the
        same districts as ``true_rates`` (a dict may list them in another order).
    rounds : int, default 50
        Rounds simulated, 1 to 10,000.
    patrols : int, default 10
        Patrols sent each round, 1 to 1,000,000.
    reported_share : float, keyword-only, default 0.0
        The share (0 to 1) of incidents that residents report, recorded wherever the patrols are.
    history : float, keyword-only, default 20.0
        Past incidents in the data before round 1 (above 0): the more, the slower the data move.
    correction : bool, keyword-only, default False
        Apply Ensign et al.'s fix to discovered incidents.
    runs : int, keyword-only, default 1
        Independent simulations, 1 to 100,000 (runs x rounds x districts at most 5,000,000 rows).
    rng : None, int or numpy.random.Generator, keyword-only, default 0
        An int seed (the same seed, the same result), a Generator, or None for fresh randomness. ``seed=`` is its
        deprecated old name.

    Returns
    -------
    DataFrame
        One row per run, round and district, with a default index. Columns: ``run`` (from 0), ``round``
        (1..rounds), ``district`` (categorical), ``true_rate``, ``true_share`` (the district's share of all true
        incidents: what a fair allocation would learn), ``allocation`` (its share of patrols planned this round),
        ``patrols`` (patrols sent), ``reported``, ``discovered``, ``counted`` (added to the data; fewer than
        reported + discovered only under the correction) and ``data_share`` (its share of the data after the
        round, which is the next round's allocation).

    Raises
    ------
    ScoredTypeError
        Rates or allocation that are not a dict or list, or an argument of the wrong kind, naming it.
    ScoredInputError
        Fewer than two districts, districts that differ between the two, a value out of its range, or too
        many rows.

    Examples
    --------
    Two districts with the same true rate, patrolled 60:40 at first. After 50 rounds the data still say 60:40
    on average: the loop never learns that the districts are alike.

    >>> runs = patrol_feedback({"A": 5, "B": 5}, {"A": 0.6, "B": 0.4}, rounds=50, runs=200, rng=0)
    >>> runs[runs["round"] == 50].groupby("district", observed=True)["allocation"].mean().round(2)
    district
    A    0.6
    B    0.4
    Name: allocation, dtype: float64
    """
    names, rates = _per_district("true_rates", true_rates, positive=False)
    if rates.sum() == 0:
        raise ScoredInputError("true_rates: at least one district must have a true rate greater than 0")
    _, start = _per_district("initial_allocation", initial_allocation, positive=True, names=names)
    rounds = _feedback_number("rounds", rounds, 1, FEEDBACK_LIMITS["rounds"], integer=True)
    patrols = _feedback_number("patrols", patrols, 1, FEEDBACK_LIMITS["patrols"], integer=True)
    reported_share = _feedback_number("reported_share", reported_share, 0, 1)
    history = _feedback_number("history", history, 0, 1e9, lo_open=True)
    correction = check_bool(correction, "correction")
    runs = _feedback_number("runs", runs, 1, FEEDBACK_LIMITS["runs"], integer=True)
    gen = check_rng(rng)
    k = len(names)
    if runs * rounds * k > FEEDBACK_LIMITS["rows"]:
        raise ScoredInputError(f"runs x rounds x districts must be at most {FEEDBACK_LIMITS['rows']:,} rows, got "
                         f"{runs:,} x {rounds:,} x {k} = {runs * rounds * k:,}; use fewer runs or rounds")

    sim = _simulate_patrols(_np.tile(rates, (runs, 1)), _np.tile(start, (runs, 1)), rounds, patrols,
                            _np.full(runs, reported_share), history, _np.full(runs, bool(correction)),
                            gen)
    # (rounds, runs, districts) -> rows ordered by run, round, district
    flat = {key: value.transpose(1, 0, 2).reshape(-1) for key, value in sim.items()}
    table = _pd.DataFrame({
        "run": _np.repeat(_np.arange(runs), rounds * k),
        "round": _np.tile(_np.repeat(_np.arange(1, rounds + 1), k), runs),
        "district": _pd.Categorical.from_codes(_np.tile(_np.arange(k), runs * rounds), categories=names),
        "true_rate": _np.tile(rates, runs * rounds),
        "true_share": _np.tile(rates / rates.sum(), runs * rounds),
        "allocation": flat["allocation"],
        **{key: flat[key].astype(_np.int64) for key in ("patrols", "reported", "discovered", "counted")},
        "data_share": flat["data_share"],
    })
    return table


@accepts_seed
def feedback_grid(initial_shares: Any, true_shares: Any, reported_shares: Any, corrections: Any = (False,), *,
                  rounds: int = 60, every: int = 3, total_rate: float = 10.0, patrols: int = 10,
                  history: float = 20.0, runs: int = 200, quantiles: tuple[float, float] = (0.1, 0.9),
                  rng: RngLike = 0) -> _pd.DataFrame:
    """Run the two-district loop of :func:`patrol_feedback` for every combination of parameters; summarise it.

    For a chart that recomputes nothing in the browser: each combination of ``initial_shares`` (the first
    district's share of the first allocation), ``true_shares`` (its share of the true incidents, out of
    ``total_rate`` incidents a round), ``reported_shares`` and ``corrections`` is simulated ``runs`` times, all
    combinations in one vectorised run from ``rng``. The result has one row per combination and sampled round
    (round 1, then every ``every`` rounds, and the last): the median allocation to the first district over the
    runs, and the ``quantiles`` of it as ``low`` and ``high``.

    Parameters
    ----------
    initial_shares : list of float
        The first district's share of the first allocation (each strictly between 0 and 1).
    true_shares : list of float
        The first district's share of the true incidents (each 0 to 1).
    reported_shares : list of float
        Shares of incidents reported by residents (each 0 to 1), as in ``patrol_feedback``.
    corrections : list of bool, default (False,)
        Whether to apply Ensign et al.'s fix.
    rounds : int, keyword-only, default 60
        Rounds simulated, 1 to 10,000.
    every : int, keyword-only, default 3
        Keep every ``every``-th round (1 to ``rounds``), besides the first and the last.
    total_rate : float, keyword-only, default 10.0
        True incidents per round in both districts together (above 0).
    patrols : int, keyword-only, default 10
        Patrols sent each round, 1 to 1,000,000.
    history : float, keyword-only, default 20.0
        Past incidents in the data before round 1 (above 0).
    runs : int, keyword-only, default 200
        Simulations per combination (combinations x runs at most 5,000,000).
    quantiles : pair of float, keyword-only, default (0.1, 0.9)
        The quantiles reported as ``low`` and ``high``, each 0 to 1, low first.
    rng : None, int or numpy.random.Generator, keyword-only, default 0
        An int seed (the same seed, the same table), a Generator, or None for fresh randomness. ``seed=`` is its
        deprecated old name.

    Returns
    -------
    DataFrame
        A default index and the columns ``initial_share``, ``true_share``, ``reported_share``, ``correction``,
        ``round``, ``median``, ``low`` and ``high`` (the allocation to the first district), sorted by the first
        five.

    Raises
    ------
    ScoredTypeError
        A list argument that is not a list, ``corrections`` not all True/False, or ``quantiles`` not a pair.
    ScoredInputError
        An empty list, a value out of its range, or a grid too large.

    Examples
    --------
    The first district has 70% of the true incidents; the data start at 50:50 and overshoot past 70%.

    >>> grid = feedback_grid([0.5], [0.7], [0.0], rounds=30, every=10, runs=100, rng=0)
    >>> grid[["round", "median", "low", "high"]].round(2)
       round  median   low  high
    0      1    0.50  0.50  0.50
    1     10    0.69  0.58  0.79
    2     20    0.78  0.68  0.86
    3     30    0.82  0.74  0.89
    """
    def values(name: Any, given: Any, lo: Any, hi: Any, lo_open: Any = False, hi_open: Any = False) -> Any:
        if isinstance(given, (str, bytes)) or not hasattr(given, "__iter__"):
            raise ScoredTypeError(f"{name} must be a list of numbers, got {describe(given)}")
        out = [_feedback_number(f"{name} value", v, lo, hi, lo_open=lo_open) for v in given]
        if not out:
            raise ScoredInputError(f"{name} must list at least one value")
        if hi_open and hi in out:
            raise ScoredInputError(f"{name} values must be less than {hi}, got {hi}")
        return out

    init = values("initial_shares", initial_shares, 0, 1, lo_open=True, hi_open=True)
    true = values("true_shares", true_shares, 0, 1)
    rep = values("reported_shares", reported_shares, 0, 1)
    if (isinstance(corrections, (str, bytes)) or not hasattr(corrections, "__iter__") or not list(corrections)
            or not all(isinstance(c, (bool, _np.bool_)) for c in corrections)):
        raise ScoredTypeError(f"corrections must be a non-empty list of True/False, got {describe(corrections)}")
    corr = [bool(c) for c in corrections]
    rounds = _feedback_number("rounds", rounds, 1, FEEDBACK_LIMITS["rounds"], integer=True)
    every = _feedback_number("every", every, 1, rounds, integer=True)
    total_rate = _feedback_number("total_rate", total_rate, 0, 1e9, lo_open=True)
    patrols = _feedback_number("patrols", patrols, 1, FEEDBACK_LIMITS["patrols"], integer=True)
    history = _feedback_number("history", history, 0, 1e9, lo_open=True)
    runs = _feedback_number("runs", runs, 1, FEEDBACK_LIMITS["runs"], integer=True)
    if isinstance(quantiles, (str, bytes, _Mapping)) or not hasattr(quantiles, "__len__") or len(quantiles) != 2:
        raise ScoredTypeError(f"quantiles must be a pair of numbers (low, high) in [0, 1], got {describe(quantiles)}")
    lo_q, hi_q = (_feedback_number("each of quantiles", q, 0, 1) for q in quantiles)
    if lo_q > hi_q:
        raise ScoredInputError(f"quantiles must be (low, high) with low <= high, got {tuple(quantiles)!r}")
    gen = check_rng(rng)

    combos = _pd.MultiIndex.from_product([init, true, rep, corr], names=[
        "initial_share", "true_share", "reported_share", "correction"]).to_frame(index=False)
    if len(combos) * runs > FEEDBACK_LIMITS["rows"]:
        raise ScoredInputError(f"the grid is too large: {len(combos):,} combinations x {runs:,} runs is more than "
                         f"{FEEDBACK_LIMITS['rows']:,} simulations; use fewer values or runs")
    each = _np.repeat(_np.arange(len(combos)), runs)
    first = combos["true_share"].to_numpy()[each]
    rates = total_rate * _np.column_stack([first, 1 - first])
    start_first = combos["initial_share"].to_numpy()[each]
    start = _np.column_stack([start_first, 1 - start_first])
    keep = _np.unique(_np.r_[0, _np.arange(every - 1, rounds, every), rounds - 1])
    sim = _simulate_patrols(rates, start, rounds, patrols, combos["reported_share"].to_numpy()[each], history,
                            combos["correction"].to_numpy()[each], gen, keep=keep)
    alloc = sim["allocation"][:, :, 0].reshape(len(keep), len(combos), runs)  # (round, combination, run)
    stats = {name: _np.quantile(alloc, q, axis=2) for name, q in (("median", 0.5), ("low", lo_q), ("high", hi_q))}
    table = combos.loc[_np.tile(_np.arange(len(combos)), len(keep))].reset_index(drop=True)
    table.insert(4, "round", _np.repeat(keep + 1, len(combos)))
    for name, value in stats.items():
        table[name] = value.reshape(-1)
    return table.sort_values(["initial_share", "true_share", "reported_share", "correction", "round"],
                             ignore_index=True)


# --- Association and chilling effects ------------------------------------------------------------------
# A score that counts whom a resident knows, and residents who stop doing lawful things because they are
# watched. Both are models with stated assumptions, not measurements of any real system: no documented
# social credit scheme is known to score people for their contacts' records (see the chapter).


#: What each Brightwater agency collects its records for: the purpose the data were collected for, before
#: the score reused them. One agency per kind of record (``scored.world.AGENCIES`` and ``KINDS``).
AGENCY_PURPOSES = {
    "utility": "billing customers for water and power",
    "traffic_police": "enforcing traffic law with cameras",
    "court": "enforcing court judgments",
    "civic_registry": "registering volunteers for insurance and thanks",
    "online_monitoring": "screening public posts for threats of violence",
}
#: The agency that records each kind of record.
AGENCY_OF_KIND = dict(zip(_KINDS, _AGENCIES))
_PER = ("contact", "share")


def _check_real(name: str, value: Any, lo: float, hi: float) -> float:
    return float(check_number(value, name, low=lo, high=hi))


def _check_int(name: str, value: Any, lo: int, hi: float) -> int:
    return int(check_number(value, name, low=lo, high=None if hi == _math.inf else hi, integer=True))


def blacklist_line(scorecard: Any = _DEFAULT_SCORECARD) -> float:
    """The score below which ``scorecard`` puts a resident in its lowest band (the blacklist).

    Parameters
    ----------
    scorecard : Scorecard or dict, default DEFAULT_SCORECARD
        A scorecard from ``scored.scoring`` (None also means the default).

    Returns
    -------
    float
        The lowest band edge of every band but the last; ``-inf`` for a scorecard with a single band.

    Raises
    ------
    ScoredTypeError
        ``scorecard`` is not a scorecard.

    Examples
    --------
    >>> blacklist_line()
    600.0
    """
    scorecard = _as_scorecard(scorecard)
    return float(min(b.min_score for b in scorecard.bands[:-1])) if len(scorecard.bands) > 1 else -_math.inf


def _tie_ends(ties: Any, index: Any, tie_types: Any) -> Any:
    """Both ends of every tie as positions in ``index`` (the residents being scored)."""
    if not isinstance(ties, _pd.DataFrame):
        raise ScoredInputError(f"ties must be a pandas DataFrame, got {type(ties).__name__}")
    missing = [c for c in ("resident_a", "resident_b") if c not in ties.columns]
    if missing:
        raise ScoredInputError(f"ties has no column {', '.join(map(repr, missing))} (columns: {list(ties.columns)})")
    if tie_types is not None:
        if isinstance(tie_types, str):
            tie_types = [tie_types]
        tie_types = list(tie_types)
        unknown = sorted(set(tie_types) - set(_TIES))
        if unknown or not tie_types:
            raise ScoredInputError(f"tie_types must be a non-empty list of {', '.join(_TIES)}; got {tie_types!r}")
        if "tie" not in ties.columns:
            raise ScoredInputError("tie_types given, but ties has no column 'tie'")
        ties = ties[ties["tie"].isin(tie_types)]
    ends = []
    for col in ("resident_a", "resident_b"):
        s = ties[col]
        if s.isna().any() or not _pd.api.types.is_integer_dtype(s.dtype):
            raise ScoredInputError(f"ties.{col} must hold resident ids (integers without gaps)")
        pos = index.get_indexer(s.to_numpy())
        if (pos < 0).any():
            bad = sorted(set(s.to_numpy()[pos < 0].tolist()))[:5]
            raise ScoredInputError(f"ties.{col} refers to {int((pos < 0).sum())} resident(s) not in scores, e.g. {bad}")
        ends.append(pos)
    a, b = ends
    if (a == b).any():
        raise ScoredInputError("ties must not join a resident to themselves")
    return a, b


def _contacts_flagged(a: Any, b: Any, flagged: Any, n: Any) -> Any:
    """For each resident, how many of their contacts are flagged (ties counted in both directions)."""
    f = flagged.astype(_np.float64)
    return (bincount(a, weights=f[b], minlength=n) + bincount(b, weights=f[a], minlength=n)).astype(_np.int64)


def contacts(ties: _pd.DataFrame, resident_id: int) -> _np.ndarray:
    """The resident ids of everyone tied to ``resident_id`` (in either column of ``ties``), sorted.

    Parameters
    ----------
    ties : DataFrame
        One row per tie, with columns ``resident_a`` and ``resident_b`` (``world.ties``).
    resident_id : int
        The resident whose contacts are wanted.

    Returns
    -------
    numpy.ndarray
        The contacts' ids, sorted; a resident tied twice (say as family and as coworker) appears twice; empty
        for a resident without ties.

    Raises
    ------
    ScoredTypeError
        ``resident_id`` is not a whole number.
    ScoredInputError
        ``ties`` is not a DataFrame with columns ``resident_a`` and ``resident_b``.

    Examples
    --------
    >>> import pandas as pd
    >>> ties = pd.DataFrame({"resident_a": [0, 0, 2], "resident_b": [1, 2, 3]})
    >>> contacts(ties, 2)
    array([0, 3])
    """
    if not isinstance(ties, _pd.DataFrame) or not {"resident_a", "resident_b"} <= set(ties.columns):
        raise ScoredInputError("ties must be a DataFrame with columns resident_a and resident_b")
    if isinstance(resident_id, (bool, _np.bool_)) or not isinstance(resident_id, (int, _np.integer)):
        raise ScoredTypeError(f"resident_id must be a whole number, got {describe(resident_id)}")
    a, b = ties["resident_a"].to_numpy(), ties["resident_b"].to_numpy()
    return _np.sort(_np.concatenate([b[a == resident_id], a[b == resident_id]]))


@_dataclass(frozen=True)
class AssociationResult:
    """What :func:`association_penalty` returns: the table of residents and the blacklist's size round by round.

    The numbers that describe the run are fields beside the table, not ``DataFrame.attrs`` (which pandas drops on
    many operations), so filtering or joining ``table`` loses nothing.

    Attributes
    ----------
    table : DataFrame
        One row per resident (index ``resident_id``): ``own_total``, ``contacts``, ``blacklisted_contacts``,
        ``penalty``, ``total``, ``own_listed``, ``listed``, ``by_association`` and ``round_listed`` (see
        :func:`association_penalty`).
    listed_by_round : list of int
        How many residents are blacklisted after each round, round 0 (own records only) first:
        ``rounds + 1`` numbers that never decrease.
    threshold : float
        The blacklist line: a total below it is blacklisted (:func:`blacklist_line` of the scorecard).
    weight : float
        Points charged per blacklisted contact (``per="contact"``) or for a share of 1 (``per="share"``).
    rounds : int
        Rounds the rule ran.
    per : str
        ``"contact"`` or ``"share"``, as given.

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"total": [500, 700, 700]})       # resident 0 is on the blacklist
    >>> ties = pd.DataFrame({"resident_a": [0, 1], "resident_b": [1, 2]})
    >>> result = association_penalty(scores, ties, weight=150, rounds=2)
    >>> result.listed_by_round, result.threshold
    ([1, 2, 3], 600.0)
    """

    table: _pd.DataFrame
    listed_by_round: list[int]
    threshold: float
    weight: float
    rounds: int
    per: str

    def __repr__(self) -> str:
        return (f"AssociationResult(weight={self.weight:g}, rounds={self.rounds}, per={self.per!r}, "
                f"threshold={self.threshold:g}, listed_by_round={self.listed_by_round}, "
                f"table=<{len(self.table):,} residents>)")


def association_penalty(scores: _pd.DataFrame, ties: _pd.DataFrame, weight: float, rounds: int = 1,
                        scorecard: Any = _DEFAULT_SCORECARD, *, per: str = "contact",
                        tie_types: Any = None) -> AssociationResult:
    """A score that also counts whom you know: each blacklisted contact costs ``weight`` points.

    A hypothetical rule, studied because such proposals and fears exist. Starting from each resident's own
    score (``scores["total"]``, from :func:`scored.scoring.score`), every round

    1. takes the current blacklist (a total below the scorecard's lowest band edge, :func:`blacklist_line`);
    2. charges every resident ``weight`` points per blacklisted contact (``per="contact"``), or ``weight``
       times the share of their contacts who are blacklisted (``per="share"``);
    3. recomputes the totals from the *own* scores minus that penalty, and so the blacklist.

    Penalties never reward, so the blacklist can only grow from round to round. ``rounds=0`` is the
    scorecard without the association rule. ``tie_types`` (e.g. ``["family"]``) limits which ties count.

    Parameters
    ----------
    scores : DataFrame
        One row per resident, indexed by resident id (unique), with a ``total`` column of finite numbers: the
        output of :func:`scored.scoring.score`.
    ties : DataFrame
        One row per tie, with integer columns ``resident_a`` and ``resident_b`` holding ids of the index of
        ``scores`` (a tie joins two different residents and counts for both), and a ``tie`` column when
        ``tie_types`` is given: ``world.ties``.
    weight : float
        Points charged per blacklisted contact, from 0 to 10,000.
    rounds : int, default 1
        How many times the penalty is recomputed, from 0 to 100.
    scorecard : Scorecard or dict, default DEFAULT_SCORECARD
        The scorecard whose lowest band is the blacklist (see :func:`blacklist_line`).
    per : {"contact", "share"}, keyword-only, default "contact"
        ``"contact"``: ``weight`` points per blacklisted contact; ``"share"``: ``weight`` times the share of the
        resident's contacts who are blacklisted (so at most ``weight`` points).
    tie_types : str or list of str, keyword-only, optional
        Only ties of these kinds count (``"family"``, ``"friend"``, ``"coworker"``); default all.

    Returns
    -------
    AssociationResult
        ``listed_by_round`` (the size of the blacklist after each round, round 0 first), the run's
        ``threshold``, ``weight``, ``rounds`` and ``per``, and ``table``: one row per resident (index
        ``resident_id``) with ``own_total``, ``contacts``, ``blacklisted_contacts`` (in the last round's input),
        ``penalty``, ``total`` (``own_total - penalty``; whole numbers when the totals and ``weight`` are and
        ``per="contact"``), ``own_listed`` (blacklisted on their own records), ``listed`` (after the last round),
        ``by_association`` (listed, but not on their own records) and ``round_listed`` (0 for own listing, the
        round that listed them, or -1 for never).

    Raises
    ------
    ScoredInputError
        ``scores`` without a ``total`` column, with duplicate ids or non-finite totals; ``ties`` that are not a
        DataFrame, lack a column, refer to residents not in ``scores`` or join a resident to themselves;
        ``weight`` or ``rounds`` out of range; an unknown ``per`` or tie type.

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"total": [500, 700, 700, 900]})   # a chain 0 - 1 - 2 - 3; 0 is listed
    >>> ties = pd.DataFrame({"resident_a": [0, 1, 2], "resident_b": [1, 2, 3]})
    >>> result = association_penalty(scores, ties, weight=150, rounds=3)
    >>> result.table[["penalty", "total", "by_association", "round_listed"]]
                 penalty  total  by_association  round_listed
    resident_id
    0                150    350           False             0
    1                300    400            True             1
    2                150    550            True             2
    3                150    750           False            -1
    """
    if not isinstance(scores, _pd.DataFrame) or "total" not in scores.columns:
        raise ScoredInputError("scores must be a DataFrame with a 'total' column (the output of scored.scoring.score)")
    weight = _check_real("weight", weight, 0.0, 10_000.0)
    rounds = _check_int("rounds", rounds, 0, 100)
    if per not in _PER:
        raise ScoredInputError(f"per must be one of {', '.join(map(repr, _PER))}, got {per!r}")
    line = blacklist_line(scorecard)
    index = _pd.Index(scores.index)
    if index.has_duplicates:
        raise ScoredInputError("scores has duplicate resident ids in its index")
    own = scores["total"].to_numpy(dtype=_np.float64)
    if not _np.isfinite(own).all():
        raise ScoredInputError("scores.total must be finite numbers")
    n = len(index)
    a, b = _tie_ends(ties, index, tie_types)
    degree = bincount(a, minlength=n) + bincount(b, minlength=n)

    def penalty_for(listed: Any) -> Any:
        count = _contacts_flagged(a, b, listed, n)
        if per == "contact":
            return count, weight * count
        return count, weight * count / _np.maximum(degree, 1)

    listed = own < line
    own_listed = listed.copy()
    round_listed = _np.where(listed, 0, -1)
    sizes = [int(listed.sum())]
    count, penalty = _np.zeros(n, dtype=_np.int64), _np.zeros(n)
    for r in range(1, rounds + 1):
        count, penalty = penalty_for(listed)
        now = (own - penalty) < line
        round_listed[now & ~listed] = r
        listed = now | listed  # already true: penalties only grow as the list grows
        sizes.append(int(listed.sum()))
    total = own - penalty
    integral = _pd.api.types.is_integer_dtype(scores["total"].dtype) and float(weight).is_integer() \
        and per == "contact"
    out = _pd.DataFrame({
        "own_total": scores["total"].to_numpy(),
        "contacts": degree.astype(_np.int64),
        "blacklisted_contacts": count,
        "penalty": penalty.astype(_np.int64) if integral else penalty,
        "total": total.astype(_np.int64) if integral else total,
        "own_listed": own_listed,
        "listed": listed,
        "by_association": listed & ~own_listed,
        "round_listed": round_listed.astype(_np.int64),
    }, index=_pd.Index(index, name="resident_id"))
    return AssociationResult(table=out, listed_by_round=sizes, threshold=line, weight=weight, rounds=rounds, per=per)


@renamed_keywords(by="group")
def association_spread(scores: _pd.DataFrame, ties: _pd.DataFrame, residents: _pd.DataFrame, weights: Any,
                       rounds: int, scorecard: Any = _DEFAULT_SCORECARD, *, group: str = "district", per: str = "contact",
                       tie_types: Any = None) -> _pd.DataFrame:
    """How the association penalty spreads, for several weights and every round up to ``rounds``.

    A tidy table for charts: :func:`association_penalty` run once per weight, with the blacklist after every
    round counted per value of ``group``.

    Parameters
    ----------
    scores : DataFrame
        Each resident's own score, as for :func:`association_penalty`.
    ties : DataFrame
        The ties between residents (``world.ties``), as for :func:`association_penalty`.
    residents : DataFrame
        One row per resident with a ``resident_id`` column and the ``group`` column (``world.residents``); every
        resident of ``scores`` must have a row.
    weights : list of float
        Points per blacklisted contact to try (each 0 to 10,000).
    rounds : int
        The last round counted (0 to 100); rounds 0 to ``rounds`` are all in the table.
    scorecard : Scorecard or dict, default DEFAULT_SCORECARD
        The scorecard whose lowest band is the blacklist.
    group : str, keyword-only, default "district"
        A column of ``residents`` to count by, e.g. ``"district"`` or ``"group"``. ``by=`` is its deprecated old
        name.
    per : {"contact", "share"}, keyword-only, default "contact"
        As for :func:`association_penalty`.
    tie_types : str or list of str, keyword-only, optional
        As for :func:`association_penalty`.

    Returns
    -------
    DataFrame
        One row per weight, round and value of ``group``, with a default index and the columns ``weight``,
        ``round``, the ``group`` column, ``residents``, ``listed`` (blacklisted after that round), ``own_listed``
        (on their own records) and ``by_association`` (listed only because of whom they know).

    Raises
    ------
    ScoredInputError
        ``residents`` without ``resident_id`` or ``group``, or without a row for some resident, an empty or bad
        list of weights, ``rounds`` out of range, or a bad argument of :func:`association_penalty`.

    Examples
    --------
    >>> from scored.scoring import score
    >>> from scored.world import make_world
    >>> city = make_world(2000, seed=2)
    >>> spread = association_spread(score(city.records, city.residents), city.ties, city.residents, [150], 2,
    ...                             group="group")
    >>> spread[["round", "group", "listed", "by_association"]]
       round    group  listed  by_association
    0      0  Kestrel      38               0
    1      0    Heron       9               0
    2      1  Kestrel      53              15
    3      1    Heron      12               3
    4      2  Kestrel      65              27
    5      2    Heron      17               8
    """
    if not isinstance(residents, _pd.DataFrame) or "resident_id" not in residents.columns:
        raise ScoredInputError("residents must be a DataFrame with a 'resident_id' column")
    if group not in residents.columns:
        raise ScoredInputError(f"group must be a column of residents, got {group!r}")
    if isinstance(weights, (str, bytes)) or not hasattr(weights, "__iter__"):
        raise ScoredInputError(f"weights must be a list of numbers, got {weights!r}")
    weights = [_check_real("each weight", w, 0.0, 10_000.0) for w in weights]
    if not weights:
        raise ScoredInputError("weights must not be empty")
    rounds = _check_int("rounds", rounds, 0, 100)
    key = residents.set_index("resident_id")[group].reindex(scores.index)
    if key.isna().any():
        raise ScoredInputError("residents has no row for some resident ids in scores")
    if isinstance(key.dtype, _pd.CategoricalDtype):
        labels = key.cat.remove_unused_categories().cat.categories
        codes = key.cat.remove_unused_categories().cat.codes.to_numpy()
    else:
        codes, labels = _pd.factorize(key, sort=True)
    k = len(labels)
    residents_n = bincount(codes, minlength=k)
    frames = []
    for w in weights:
        result = association_penalty(scores, ties, w, rounds, scorecard, per=per, tie_types=tie_types).table
        when = result["round_listed"].to_numpy()
        own = result["own_listed"].to_numpy()
        own_n = bincount(codes, weights=own, minlength=k)
        for r in range(rounds + 1):
            listed = (when >= 0) & (when <= r)
            listed_n = bincount(codes, weights=listed, minlength=k)
            frames.append(_pd.DataFrame({"weight": w, "round": r, group: labels, "residents": residents_n,
                                         "listed": listed_n, "own_listed": own_n,
                                         "by_association": listed_n - own_n}))
    out = _pd.concat(frames, ignore_index=True)
    return out.astype({"residents": _np.int64, "listed": _np.int64, "own_listed": _np.int64,
                       "by_association": _np.int64, "round": _np.int64})


def _world_tables(world: Any) -> Any:
    for name in ("residents", "districts", "behaviour", "records"):
        if not isinstance(getattr(world, name, None), _pd.DataFrame):
            raise ScoredInputError(f"world must be a scored.world.World (with a {name} table), got {type(world).__name__}")
    return world


@accepts_seed
def chilling_effect(world: Any, points_at_stake: float, sensitivity: float = 1.0, rng: RngLike = 0) -> _pd.DataFrame:
    """Which lawful posts residents would not write if each flagged post cost ``points_at_stake`` points.

    A model of self-censorship, with the assumptions in plain sight: every post in the truth layer that the
    keyword filter would flag (``kind == "flagged_post"``; in Brightwater these posts are lawful and harmless)
    is withheld with probability ::

        p_stop = 1 - exp(-sensitivity * surveillance * points_at_stake / 100)

    where ``surveillance`` is the intensity of the author's district (0..1). The chance rises with how
    closely residents are watched and with what a flag costs, and is 0 when either is 0. ``sensitivity``
    (0..10) scales how strongly residents react; nobody knows its real value, so vary it.

    Deterministic for an int ``rng``: one uniform draw per post from it, shared by every value of the other
    parameters, so a higher ``points_at_stake`` or ``sensitivity`` withholds a superset of the posts.

    Parameters
    ----------
    world : World
        A city from ``scored.world`` (its residents, districts and truth layer ``behaviour``).
    points_at_stake : float
        The points a flagged post would cost (0 to 10,000).
    sensitivity : float, default 1.0
        How strongly residents react (0 to 10).
    rng : None, int or numpy.random.Generator, default 0
        An int seed (the same seed, the same posts withheld), a Generator, or None for fresh randomness.
        ``seed=`` is its deprecated old name.

    Returns
    -------
    DataFrame
        One row per lawful flagged post of the truth layer, in the order of ``world.behaviour``, with a default
        index and the columns ``event_id``, ``resident_id``, ``day``, ``district``, ``surveillance``, ``p_stop``
        and ``withheld`` (bool).

    Raises
    ------
    ScoredTypeError
        ``rng`` of the wrong kind, or a number argument that is not a number.
    ScoredInputError
        ``world`` is not a World, or a number out of its range.

    Examples
    --------
    >>> from scored.world import make_world
    >>> chill = chilling_effect(make_world(2000, seed=2), points_at_stake=100, rng=0)
    >>> len(chill), int(chill["withheld"].sum())
    (581, 235)
    """
    _world_tables(world)
    points = _check_real("points_at_stake", points_at_stake, 0.0, 10_000.0)
    sensitivity = _check_real("sensitivity", sensitivity, 0.0, 10.0)
    gen = check_rng(rng)
    behaviour = world.behaviour
    posts = behaviour.loc[behaviour["kind"] == "flagged_post", ["event_id", "resident_id", "day"]]
    district = world.residents.set_index("resident_id")["district"].reindex(posts["resident_id"])
    intensity = world.districts.set_index("district")["surveillance"].astype(_np.float64)
    s = district.map(intensity).to_numpy(dtype=_np.float64)
    p_stop = -_np.expm1(-sensitivity * s * points / 100.0)
    u = gen.random(len(posts))
    return _pd.DataFrame({
        "event_id": posts["event_id"].to_numpy(), "resident_id": posts["resident_id"].to_numpy(),
        "day": posts["day"].to_numpy(), "district": district.array, "surveillance": s,
        "p_stop": p_stop, "withheld": u < p_stop,
    })


def chilled_records(world: Any, chill: _pd.DataFrame) -> _pd.DataFrame:
    """The agencies' records as they would be if the posts withheld in ``chill`` had never been written.

    Records of a withheld post disappear, including wrong copies of it (a duplicate, or the record that
    landed on a namesake). Uses the simulation's ground truth (``truth_event_id``), which only the
    simulation knows.

    Parameters
    ----------
    world : World
        A city from ``scored.world``.
    chill : DataFrame
        The output of :func:`chilling_effect` for ``world``: at least ``event_id`` and a True/False
        ``withheld`` column.

    Returns
    -------
    DataFrame
        ``world.records`` without the records of withheld posts, with the same columns and a new default index.

    Raises
    ------
    ScoredTypeError
        ``chill`` is not a DataFrame.
    ScoredInputError
        ``world`` is not a World, or ``chill`` lacks a column or has a ``withheld`` column that is not True/False.

    Examples
    --------
    >>> from scored.world import make_world
    >>> city = make_world(2000, seed=2)
    >>> after = chilled_records(city, chilling_effect(city, points_at_stake=100, rng=0))
    >>> int((city.records["kind"] == "flagged_post").sum()), int((after["kind"] == "flagged_post").sum())
    (349, 190)
    """
    _world_tables(world)
    if not isinstance(chill, _pd.DataFrame):
        raise ScoredTypeError(f"chill must be the output of chilling_effect, got a {type(chill).__name__}")
    if not {"event_id", "withheld"} <= set(chill.columns):
        raise ScoredInputError("chill must be the output of chilling_effect (columns event_id and withheld), got "
                               f"columns {list(chill.columns)}")
    # "False" or NaN would count as withheld in a plain conversion to bool: only True/False are accepted
    withheld = check_bool_column(chill, "withheld", "chill column 'withheld'", "chill")
    gone = chill.loc[withheld.to_numpy(), "event_id"].to_numpy()
    records = world.records
    drop = (records["kind"] == "flagged_post").to_numpy() & _np.isin(records["truth_event_id"].to_numpy(), gone)
    return records.loc[~drop].reset_index(drop=True)


@renamed_keywords(seed="rng", by="group")
def chilling_grid(world: Any, points_values: Any, sensitivity: float = 1.0, rng: RngLike = 0, *,
                  group: str = "district") -> _pd.DataFrame:
    """Posts written and withheld for each value in ``points_values``, by ``group`` (a column of residents).

    Runs :func:`chilling_effect` once per points value, with the same ``rng`` each time.

    Parameters
    ----------
    world : World
        A city from ``scored.world``.
    points_values : list of float
        The points a flagged post would cost, each 0 to 10,000.
    sensitivity : float, default 1.0
        How strongly residents react (0 to 10), as in :func:`chilling_effect`.
    rng : None, int or numpy.random.Generator, default 0
        As in :func:`chilling_effect`. ``seed=`` is its deprecated old name.
    group : str, keyword-only, default "district"
        A column of ``world.residents`` to count by. ``by=`` is its deprecated old name.

    Returns
    -------
    DataFrame
        One row per points value and value of ``group``, with a default index and the columns ``points``, the
        ``group`` column, ``residents``, ``posts`` (lawful flagged posts residents would write unwatched),
        ``withheld``, ``records_before`` and ``records_after`` (flagged-post records the agencies hold with and
        without the withheld posts), and ``withheld_per_100`` residents.

    Raises
    ------
    ScoredInputError
        ``world`` is not a World, an empty or bad list of points, or ``group`` not a column of the residents.

    Examples
    --------
    >>> from scored.world import make_world
    >>> grid = chilling_grid(make_world(2000, seed=2), [100], rng=0)
    >>> grid[["district", "posts", "withheld", "withheld_per_100"]].round(1)
        district  posts  withheld  withheld_per_100
    0    Harbour    132        74              20.6
    1  Eastfield    128        73              18.0
    2   Old Town     71        32              11.4
    3  Millbrook     87        22               5.9
    4  Riverside     75        18               5.9
    5  Northgate     88        16               5.8
    """
    _world_tables(world)
    if isinstance(points_values, (str, bytes)) or not hasattr(points_values, "__iter__"):
        raise ScoredInputError(f"points_values must be a list of numbers, got {points_values!r}")
    points_values = [_check_real("each points value", p, 0.0, 10_000.0) for p in points_values]
    if not points_values:
        raise ScoredInputError("points_values must not be empty")
    residents = world.residents
    check_column_name(group, "group")
    if group not in residents.columns:
        raise ScoredInputError(f"group must be a column of world.residents, got {group!r}")
    key = residents.set_index("resident_id")[group]
    population = key.value_counts(sort=False).rename("residents")
    records = world.records[world.records["kind"] == "flagged_post"]
    rec_key = key.reindex(records["resident_id"]).to_numpy()
    rec_event = records["truth_event_id"].to_numpy()
    before = _pd.Series(1, index=rec_key).groupby(level=0, observed=True).sum()
    frames = []
    for p in points_values:
        chill = chilling_effect(world, p, sensitivity, rng)
        post_key = key.reindex(chill["resident_id"]).to_numpy()
        table = _pd.DataFrame({group: post_key, "posts": 1, "withheld": chill["withheld"].to_numpy()})
        agg = table.groupby(group, observed=True).agg(posts=("posts", "sum"), withheld=("withheld", "sum"))
        gone = _np.isin(rec_event, chill.loc[chill["withheld"], "event_id"].to_numpy())
        after = _pd.Series((~gone).astype(_np.int64), index=rec_key).groupby(level=0, observed=True).sum()
        agg = agg.join(population, how="right").join(before.rename("records_before")).join(
            after.rename("records_after")).fillna(0)
        agg.index.name = group
        agg = agg.reset_index()
        agg.insert(0, "points", p)
        frames.append(agg)
    out = _pd.concat(frames, ignore_index=True)
    for c in ("residents", "posts", "withheld", "records_before", "records_after"):
        out[c] = out[c].astype(_np.int64)
    out["withheld_per_100"] = 100 * out["withheld"] / out["residents"].clip(lower=1)
    return out


def purpose_limited(scorecard: Any = _DEFAULT_SCORECARD, allowed_agencies: Any = ()) -> _Scorecard:
    """The scorecard under purpose limitation: only records from ``allowed_agencies`` may count.

    Every rule whose records come from an agency not in ``allowed_agencies`` (see :data:`AGENCY_OF_KIND`)
    is set to 0 points, as if that agency's data could serve only the purpose it was collected for.

    Parameters
    ----------
    scorecard : Scorecard or dict, default DEFAULT_SCORECARD
        The scorecard to limit.
    allowed_agencies : str or list of str, default ()
        The agencies whose records may still count: some of ``scored.world.AGENCIES`` (``"utility"``,
        ``"traffic_police"``, ``"court"``, ``"civic_registry"``, ``"online_monitoring"``); default none.

    Returns
    -------
    Scorecard
        A copy of ``scorecard`` with the other agencies' rules at 0 points, named after the agencies allowed.

    Raises
    ------
    ScoredTypeError
        ``scorecard`` is not a scorecard.
    ScoredInputError
        An unknown agency name, or ``allowed_agencies`` not a list.

    Examples
    --------
    >>> card = purpose_limited(allowed_agencies=["court", "utility"])
    >>> card.points()
    {'late_bill': -40, 'traffic_offence': 0, 'court_debt': -300, 'flagged_post': 0, 'volunteering': 0}
    """
    scorecard = _as_scorecard(scorecard)
    if isinstance(allowed_agencies, str):
        allowed_agencies = [allowed_agencies]
    if not hasattr(allowed_agencies, "__iter__"):
        raise ScoredInputError(f"allowed_agencies must be a list of agency names, got {allowed_agencies!r}")
    allowed = list(allowed_agencies)
    unknown = sorted(set(map(str, allowed)) - set(_AGENCIES))
    if unknown or not all(isinstance(x, str) for x in allowed):
        raise ScoredInputError(f"unknown agency name(s) {unknown or allowed}; agencies: {', '.join(_AGENCIES)}")
    zeroed = {r.kind: 0 for r in scorecard.rules if AGENCY_OF_KIND[r.kind] not in allowed}
    out = scorecard.with_points(**zeroed) if zeroed else scorecard
    return _replace(out, name=f"{scorecard.name}, purpose-limited to {', '.join(allowed) or 'no agency'}")


@renamed_keywords(by="group")
def purpose_limitation_grid(world: Any, scorecard: Any = _DEFAULT_SCORECARD, *, group: str = "district") -> _pd.DataFrame:
    """The blacklist under every way of allowing or forbidding each agency's records to feed the score.

    One row per subset of agencies (2 ** 5 = 32) and value of ``group`` (a column of ``world.residents``):
    one 0/1 column per agency (1 = its records may count, see :func:`purpose_limited`), ``residents``,
    ``listed`` (blacklisted on the records) and ``wrongly_listed`` (of them, not blacklisted when the same
    scorecard is applied to the truth layer: every event that happened, recorded once and correctly).

    Parameters
    ----------
    world : World
        A city from ``scored.world``.
    scorecard : Scorecard or dict, default DEFAULT_SCORECARD
        The scorecard to limit in every way.
    group : str, keyword-only, default "district"
        A column of ``world.residents`` to count by. ``by=`` is its deprecated old name.

    Returns
    -------
    DataFrame
        A default index and the columns ``utility``, ``traffic_police``, ``court``, ``civic_registry``,
        ``online_monitoring`` (1 if the agency's records may count, else 0), the ``group`` column, ``residents``,
        ``listed`` and ``wrongly_listed``.

    Raises
    ------
    ScoredTypeError
        ``scorecard`` is not a scorecard.
    ScoredInputError
        ``world`` is not a World, or ``group`` is not a column of its residents.

    Examples
    --------
    >>> from scored.world import make_world
    >>> grid = purpose_limitation_grid(make_world(2000, seed=2), group="group")
    >>> all_five = grid.iloc[:, :5].all(axis=1)             # every agency's records may count
    >>> grid.loc[all_five, ["group", "residents", "listed", "wrongly_listed"]]
          group  residents  listed  wrongly_listed
    62    Heron        299       9               2
    63  Kestrel       1701      38               3
    """
    _world_tables(world)
    scorecard = _as_scorecard(scorecard)
    residents = world.residents
    if group not in residents.columns:
        raise ScoredInputError(f"group must be a column of world.residents, got {group!r}")
    line = blacklist_line(scorecard)
    kinds = [r.kind for r in scorecard.rules]
    on_records = _count_records(world.records, residents)[kinds].to_numpy(dtype=_np.float64)
    on_truth = _count_records(world.behaviour, residents)[kinds].to_numpy(dtype=_np.float64)
    key = residents.set_index("resident_id")[group].reindex(
        _count_records(world.records.iloc[:0], residents).index).to_numpy()
    frames = []
    for allowed in _product((0, 1), repeat=len(_AGENCIES)):
        card = purpose_limited(scorecard, [a for a, ok in zip(_AGENCIES, allowed) if ok])
        points = _np.array([card.points()[k] for k in kinds], dtype=_np.float64)
        listed = scorecard.base + on_records @ points < line
        wrong = listed & ~(scorecard.base + on_truth @ points < line)
        table = _pd.DataFrame({group: key, "listed": listed, "wrongly_listed": wrong})
        agg = table.groupby(group, observed=True).agg(residents=("listed", "size"), listed=("listed", "sum"),
                                                   wrongly_listed=("wrongly_listed", "sum")).reset_index()
        for agency, ok in zip(_AGENCIES, allowed):
            agg[agency] = ok
        frames.append(agg)
    out = _pd.concat(frames, ignore_index=True)
    return out[[*_AGENCIES, group, "residents", "listed", "wrongly_listed"]].astype(
        {"residents": _np.int64, "listed": _np.int64, "wrongly_listed": _np.int64})
