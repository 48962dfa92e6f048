"""The capstone audit: a second city, a sealed scorecard and what its operator publishes.

Students audit a scoring system they cannot read. This module gives them what an outside auditor would get:

- ``capstone_city()``: the city of Port Amsel (practice version: seed 4711), built by ``scored.world.make_world``
  with other parameters than the classroom city -- more residents, a larger Heron minority, a different surveillance
  profile (Eastfield and Old Town watched most) and more wrong records. It is generated on demand (about a second),
  never stored as CSV, and is the same city on every machine.
- ``sealed_scores(records, residents)``: the operator's scorecard as a black box. It returns each resident's
  ``total``, ``grade`` and ``sanction`` -- never its rules, its points per rule or an explanation.
- ``published_release()``: the "de-identified" table the operator publishes (postcode, birth date, sex, grade,
  sanction); ``public_register()``: a public register with names, for the linkage attack;
  ``attack_release(release)``: that attack on a release, generalised or not, measured against the hidden ids.
- ``sealed_labels()``: for instructors and tests, the ground-truth labels of the sealed decision (the reference
  solution builds the same table by hand).

**Practice and graded versions.** Without an instructor, the capstone is the *practice version*: the city of
``CAPSTONE_PARAMS`` and the public ``PRACTICE_RULES``, the same for everyone (audit it from its outputs, then check
your findings against the rules). For marks, the grading pipeline derives from the instructor's key a city and a
scorecard of the same design for each student (:func:`sealed_spec`) and hands them over in a file named by
``$SCORED_CAPSTONE``; nothing graded is in the repository, and no two students audit the same system. The file sits
on the student's machine, so a determined student can read their own rules: the seal keeps the task honest
(audit from outputs), it is not security.

Everything here reads the world only through its public tables; the scorer reads only ``resident_id`` and
``kind`` of the records, like ``scored.scoring.score``.
"""
from __future__ import annotations

import json
import os
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._counting import bincount
from .scoring import count_records
from .validation import ScoredInputError, ScoredTypeError
from .world import KINDS, World, make_world

__all__ = ["CAPSTONE_PARAMS", "CITY_NAME", "QUASI_IDENTIFIERS", "SEALED_GRADES", "PRACTICE_RULES", "capstone_city",
           "sealed_scores", "sealed_labels", "sealed_spec", "is_practice", "version_note", "published_release",
           "public_register", "attack_release"]

CITY_NAME = "Port Amsel"
CAPSTONE_PARAMS: dict[str, Any] = {
    "residents": 12_000,
    "seed": 4711,
    "error_rate": 0.06,
    "minority_share": 0.22,
    # another surveillance profile than the classroom city: Eastfield and Old Town are watched most
    "surveillance": {"Harbour": 0.60, "Eastfield": 0.95, "Old Town": 0.80, "Millbrook": 0.30, "Riverside": 0.50,
                     "Northgate": 0.15},
}
QUASI_IDENTIFIERS = ("postcode", "birth_date", "sex")
SEALED_GRADES = ("A", "B", "C", "D")  # best to worst; D is the blacklist
REGISTER_SHARE = 0.7  # the share of residents on the public register
_REGISTER_SEED = 47

#: The practice version's scorecard. It is public, like the rest of the course: self-learners audit it from its
#: outputs (and can check their findings here afterwards). The graded version's scorecard and city are derived
#: from the instructor's key for each student (:func:`sealed_spec`), so nothing graded is in the repository.
PRACTICE_RULES: dict[str, Any] = {
    "base": 800,
    "per_record": {"late_bill": -30, "traffic_offence": -60, "court_debt": -250, "flagged_post": -60,
                   "volunteering": 15},
    "extra": {"late_bill": [4, -60]},
    "cap": {"volunteering": 3},
    "bands": [["A", 820, "priority lane: faster permits and discounts"], ["B", 760, "none"],
              ["C", 560, "extra checks on benefit claims"], ["D", None, "blacklist: travel ban and loss of benefits"]],
}
CAPSTONE_ENV = "SCORED_CAPSTONE"  # a file written by the grading pipeline: one student's sealed capstone


def sealed_spec(seed: int) -> dict:
    """A graded capstone: another city and another scorecard of the same design, drawn from ``seed``.

    The grading pipeline calls this with a seed derived from the instructor key and the student's id and hands
    the result to that student's notebook (and to the grader) as a file named by ``$SCORED_CAPSTONE``. The points
    keep the practice scorecard's signs and proportions (each scaled by 0.8 to 1.2, rounded to 5); the grade
    bands are placed so that the same shares of residents as in the practice version land in each grade.

    Parameters
    ----------
    seed : int
        Whole number >= 0 that picks the city and the scorecard; the same seed gives the same capstone.

    Returns
    -------
    dict
        ``{"version": "graded", "city": ..., "rules": ...}``: ``city`` holds ``CAPSTONE_PARAMS`` with another
        ``seed``; ``rules`` has the form of ``PRACTICE_RULES`` (``base``, ``per_record``, ``extra``, ``cap``,
        ``bands``). Written as JSON, it is the file ``$SCORED_CAPSTONE`` names.

    Raises
    ------
    ScoredTypeError, ScoredInputError
        ``seed`` is not a whole number (type error), or is negative.

    Examples
    --------
    >>> spec = sealed_spec(12345)
    >>> spec["version"], sorted(spec["rules"])
    ('graded', ['bands', 'base', 'cap', 'extra', 'per_record'])
    >>> all(points * PRACTICE_RULES["per_record"][kind] > 0 for kind, points in spec["rules"]["per_record"].items())
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ScoredTypeError(f"seed must be an integer >= 0, got {seed!r}")
    if seed < 0:
        raise ScoredInputError(f"seed must be an integer >= 0, got {seed!r}")
    rng = np.random.default_rng([int(seed), 4711])
    city = dict(CAPSTONE_PARAMS, seed=int(rng.integers(1, 2**31 - 1)))
    scale = lambda p: int(5 * round(p * rng.uniform(0.8, 1.2) / 5)) or int(np.sign(p) * 5)  # noqa: E731
    rules = {"base": PRACTICE_RULES["base"],
             "per_record": {k: scale(v) for k, v in PRACTICE_RULES["per_record"].items()},
             "extra": {k: [at, scale(p)] for k, (at, p) in PRACTICE_RULES["extra"].items()},
             "cap": dict(PRACTICE_RULES["cap"]), "bands": [list(b) for b in PRACTICE_RULES["bands"]]}
    # Same share of residents in each grade as the practice version has on its own city.
    practice = _totals(_build_city(CAPSTONE_PARAMS), PRACTICE_RULES)
    mine = _totals(_build_city(city), rules)
    candidates = np.unique(mine)
    above = np.array([(mine >= t).mean() for t in candidates])
    for band in rules["bands"][:-1]:
        share = float((practice >= band[1]).mean())
        band[1] = int(candidates[np.argmin(np.abs(above - share))])
    mins = [b[1] for b in rules["bands"][:-1]]
    for i in range(1, len(mins)):  # strictly decreasing
        mins[i] = min(mins[i], mins[i - 1] - 5)
    for band, m in zip(rules["bands"], mins):
        band[1] = m
    return {"version": "graded", "city": city, "rules": rules}


def _spec() -> dict:
    """The capstone in use: the one ``$SCORED_CAPSTONE`` names, else the practice version."""
    path = os.environ.get(CAPSTONE_ENV, "").strip()
    if not path:
        return {"version": "practice", "city": CAPSTONE_PARAMS, "rules": PRACTICE_RULES}
    return _read_spec(path)


@lru_cache(maxsize=4)
def _read_spec(path: str) -> dict:
    try:
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise FileNotFoundError(f"${CAPSTONE_ENV} is {path!r}, which is not a readable capstone file: {error}") \
            from None
    if not isinstance(spec, dict) or not {"city", "rules"} <= set(spec):
        raise ValueError(f"${CAPSTONE_ENV} names {path!r}, which is not a capstone file (needs city and rules)")
    return spec


def is_practice() -> bool:
    """True for the practice version (no instructor's capstone file): public rules, the same city for everyone.

    The version is read from the environment on every call: the graded one when ``$SCORED_CAPSTONE`` names a
    capstone file whose ``version`` is "graded".

    Returns
    -------
    bool
        True for the practice version, False for a graded one.

    Raises
    ------
    FileNotFoundError
        ``$SCORED_CAPSTONE`` names a file that cannot be read (``ValueError`` if it is not a capstone file).

    Examples
    --------
    >>> is_practice()  # in the course repository, without an instructor's file
    True
    """
    return _spec().get("version") != "graded"


def version_note() -> str:
    """One sentence saying which capstone this is, for the top of the notebook.

    Returns
    -------
    str
        Starts with "Practice version:" or "Graded version:" (see ``is_practice``).

    Raises
    ------
    FileNotFoundError
        ``$SCORED_CAPSTONE`` names a file that cannot be read (``ValueError`` if it is not a capstone file).

    Examples
    --------
    >>> print(version_note())
    Practice version: everyone gets the same city and scorecard, ...
    """
    if is_practice():
        return ("Practice version: everyone gets the same city and scorecard, and the scorecard's rules are public "
                "(in scored/capstone.py). For a graded audit your instructor gives you a city and a sealed "
                "scorecard of your own.")
    return "Graded version: this city and its sealed scorecard are yours alone; your classmates audit others."


def _build_city(params: dict) -> World:
    return _cached_city(json.dumps(params, sort_keys=True))


@lru_cache(maxsize=4)
def _cached_city(params_json: str) -> World:
    params = json.loads(params_json)
    extra = {k: v for k, v in params.items() if k not in ("residents", "seed")}
    return make_world(params["residents"], params["seed"], **extra)


def _city() -> World:
    return _build_city(_spec()["city"])


def _totals(world: World, rules: dict) -> np.ndarray:
    counts = count_records(world.records, world.residents).to_numpy(dtype=np.int64)
    return _apply(counts, rules)


def _apply(n: np.ndarray, rules: dict) -> np.ndarray:
    c = {k: n[:, i] for i, k in enumerate(KINDS)}
    for kind, cap in rules["cap"].items():
        c[kind] = np.minimum(c[kind], cap)
    total = np.full(len(n), rules["base"], dtype=np.int64)
    for kind, points in rules["per_record"].items():
        total += c[kind] * points
    for kind, (at_least, points) in rules["extra"].items():
        total += np.where(c[kind] >= at_least, points, 0)
    return total
    params = {k: v for k, v in CAPSTONE_PARAMS.items() if k not in ("residents", "seed")}
    return make_world(int(CAPSTONE_PARAMS["residents"]), int(CAPSTONE_PARAMS["seed"]), **params)


def capstone_city() -> World:
    """The capstone city, Port Amsel: ``make_world`` with ``CAPSTONE_PARAMS`` (seed 4711), the same on every machine.

    The first call builds it (about a second); later calls return fresh copies of the cached tables, so changing
    one copy never changes what the next caller gets. In a graded capstone it is the student's own city, built
    from the ``city`` parameters of the ``$SCORED_CAPSTONE`` file.

    Returns
    -------
    World
        The city's residents, districts, behaviour, records, ties and personas (see ``scored.world.World``).

    Raises
    ------
    FileNotFoundError
        ``$SCORED_CAPSTONE`` names a file that cannot be read (``ValueError`` if it is not a capstone file).

    Examples
    --------
    >>> city = capstone_city()
    >>> len(city.residents)
    12000
    >>> city.residents["income"] = 0  # changes this copy only
    >>> bool(capstone_city().residents["income"].gt(0).all())
    True
    """
    w = _city()
    return replace(w, residents=w.residents.copy(), districts=w.districts.copy(), behaviour=w.behaviour.copy(),
                   records=w.records.copy(), ties=w.ties.copy(), personas=w.personas.copy(), params=dict(w.params))


def sealed_scores(records: pd.DataFrame, residents: pd.DataFrame) -> pd.DataFrame:
    """Score residents with the operator's sealed scorecard: one row per resident (index ``resident_id``).

    Columns: ``total`` (points), ``grade`` (an ordered categorical from D, the worst, to A, so ``grade == "D"``
    and ``grade <= "C"`` work) and ``sanction``. Nothing else: no rules, no points per rule, no explanation.
    Reads only ``records.resident_id``, ``records.kind`` and ``residents.resident_id``, so it scores any table of
    that shape -- the records, the true behaviour, or records after a correction. A bad input raises
    ``ValueError`` naming it.

    Parameters
    ----------
    records : DataFrame
        One row per record (or per true event), with ``resident_id`` (integers, each one in ``residents``) and
        ``kind`` (one of ``scored.world.KINDS``).
    residents : DataFrame
        One row per resident to score, with ``resident_id`` (unique integers).

    Returns
    -------
    DataFrame
        Index ``resident_id`` (the residents' ids, in their order); columns ``total`` (int, points), ``grade``
        (ordered categorical, D < C < B < A) and ``sanction`` (categorical text).

    Raises
    ------
    ScoredTypeError
        ``records`` or ``residents`` is not a DataFrame.
    ScoredInputError
        A missing column, missing or non-integer ids, duplicate resident ids, records of residents not in
        ``residents``, or an unknown or missing ``kind``.
    FileNotFoundError
        ``$SCORED_CAPSTONE`` names a file that cannot be read (``ValueError`` if it is not a capstone file).

    Examples
    --------
    >>> town = make_world(300, seed=5)
    >>> scores = sealed_scores(town.records, town.residents)
    >>> scores.columns.tolist(), scores["grade"].cat.categories.tolist(), len(scores)
    (['total', 'grade', 'sanction'], ['D', 'C', 'B', 'A'], 300)
    """
    counts = count_records(records, residents)  # validates both frames and names the bad input
    rules = _spec()["rules"]
    total = _apply(counts.to_numpy(dtype=np.int64), rules)
    bands = rules["bands"]
    mins = np.array([b[1] for b in bands[:-1]], dtype=np.float64)
    band = len(mins) - np.searchsorted(mins[::-1], total, side="right")  # 0 = best band
    grades = [b[0] for b in bands]
    grade = pd.Categorical.from_codes(len(bands) - 1 - band, categories=grades[::-1], ordered=True)
    sanctions = list(dict.fromkeys(b[2] for b in bands))
    s_code = np.array([sanctions.index(b[2]) for b in bands])[band]
    return pd.DataFrame({"total": total, "grade": grade,
                         "sanction": pd.Categorical.from_codes(s_code, categories=sanctions)}, index=counts.index)


def sealed_labels(world: World | None = None, truth: str = "behaviour") -> pd.DataFrame:
    """One row per resident: the sealed decision on the records (``predicted``: grade D) and on the truth (``actual``).

    ``truth="behaviour"`` scores everything residents really did; ``truth="corrected_records"`` scores the records
    with every error fixed (misattributed records given back to their owner, stale and duplicate ones dropped).
    Columns ``district``, ``group``, ``score``, ``grade``, ``true_score``, ``true_grade``, ``predicted``, ``actual``,
    ``wrong_records``; index ``resident_id``. Default world: ``capstone_city()``.

    Parameters
    ----------
    world : World, optional
        The city to label. Default None: ``capstone_city()``.
    truth : {"behaviour", "corrected_records"}, default "behaviour"
        What the decision is compared with: what residents really did, or the records with every error fixed.

    Returns
    -------
    DataFrame
        Index ``resident_id``, one row per resident. Columns: ``district`` and ``group`` (text); ``score`` and
        ``grade`` (int points, and the grade as in ``sealed_scores``: an ordered categorical from D, the worst,
        to A, so ``grade <= "C"`` means C or worse), on the records; ``true_score`` and ``true_grade`` (the
        same on the truth); ``predicted`` (bool: grade D on the records); ``actual`` (bool: grade D on the truth);
        ``wrong_records`` (int: the resident's records that are wrong).

    Raises
    ------
    ScoredTypeError
        ``world`` is not a ``World``.
    ScoredInputError
        ``truth`` is not one of the two values.
    FileNotFoundError
        ``$SCORED_CAPSTONE`` names a file that cannot be read (``ValueError`` if it is not a capstone file).

    Examples
    --------
    >>> labels = sealed_labels(make_world(300, seed=5))
    >>> labels.columns.tolist()
    ['district', 'group', 'score', 'grade', 'true_score', 'true_grade', 'predicted', 'actual', 'wrong_records']
    >>> labels[["predicted", "actual"]].dtypes.astype(str).tolist()
    ['bool', 'bool']
    """
    world = capstone_city() if world is None else world
    if not isinstance(world, World):
        raise ScoredTypeError(f"world must be a scored.world.World, got {type(world).__name__}")
    if truth not in ("behaviour", "corrected_records"):
        raise ScoredInputError(f"truth must be 'behaviour' or 'corrected_records', got {truth!r}")
    res, rec = world.residents, world.records
    observed = sealed_scores(rec, res)
    err = rec["truth_error"].astype(str).to_numpy()
    if truth == "behaviour":
        true = sealed_scores(world.behaviour, res)
    else:
        keep = (err != "stale") & (err != "duplicate")
        true = sealed_scores(pd.DataFrame({"resident_id": rec["truth_resident_id"].to_numpy()[keep],
                                           "kind": rec["kind"].to_numpy()[keep]}), res)
    wrong = bincount(rec["resident_id"].to_numpy()[err != ""], minlength=len(res))
    return pd.DataFrame({"district": res["district"].to_numpy(), "group": res["group"].to_numpy(),
                         "score": observed["total"].to_numpy(), "grade": observed["grade"].array,
                         "true_score": true["total"].to_numpy(), "true_grade": true["grade"].array,
                         "predicted": (observed["grade"] == "D").to_numpy(),
                         "actual": (true["grade"] == "D").to_numpy(),
                         "wrong_records": wrong[res["resident_id"].to_numpy()].astype(np.int64)},
                        index=observed.index)


def _include_id(include_id: Any) -> Any:
    if not isinstance(include_id, (bool, np.bool_)):
        raise ScoredTypeError(f"include_id must be True or False, got {include_id!r}")
    return bool(include_id)


def published_release(include_id: bool = False) -> pd.DataFrame:
    """The operator's "de-identified" publication: every resident's postcode, birth date, sex, grade and sanction.

    No names, no ids: the operator calls it anonymous. ``include_id=True`` adds ``resident_id`` -- for measuring
    an attack only; the operator never publishes it. Rows are in resident order (index 0..N-1) with text columns,
    so they compare equal to ``public_register()``'s.

    Parameters
    ----------
    include_id : bool, default False
        Whether to add the column ``resident_id`` first (for measuring an attack).

    Returns
    -------
    DataFrame
        Index 0..N-1, row i for resident i of ``capstone_city()``. Columns (all text): ``postcode``,
        ``birth_date`` (ISO, "1984-02-01"), ``sex``, ``grade`` (A to D) and ``sanction``; with ``include_id``,
        ``resident_id`` (int) first.

    Raises
    ------
    ScoredTypeError
        ``include_id`` is not True or False.
    FileNotFoundError
        ``$SCORED_CAPSTONE`` names a file that cannot be read (``ValueError`` if it is not a capstone file).

    Examples
    --------
    >>> release = published_release()
    >>> release.columns.tolist(), len(release)
    (['postcode', 'birth_date', 'sex', 'grade', 'sanction'], 12000)
    """
    city = _city()
    res = city.residents
    scores = sealed_scores(city.records, res)
    out = pd.DataFrame({"postcode": res["postcode"].astype(str).to_numpy(),
                        "birth_date": res["birth_date"].astype(str).to_numpy(),
                        "sex": res["sex"].astype(str).to_numpy(),
                        "grade": scores["grade"].to_numpy(), "sanction": scores["sanction"].to_numpy()})
    if _include_id(include_id):
        out.insert(0, "resident_id", res["resident_id"].to_numpy())
    return out


def public_register(include_id: bool = False) -> pd.DataFrame:
    """A public register with names (think of an electoral roll): 70% of residents, with postcode, birth date, sex.

    ``include_id=True`` adds ``resident_id``, for measuring an attack only. The same residents are on it on every
    call and every machine.

    Parameters
    ----------
    include_id : bool, default False
        Whether to add the column ``resident_id`` first (for measuring an attack).

    Returns
    -------
    DataFrame
        One row per registered resident, in resident order, index 0, 1, ... Columns (all text): ``name``,
        ``postcode``, ``birth_date`` and ``sex``, written as in ``published_release()``; with ``include_id``,
        ``resident_id`` (int) first.

    Raises
    ------
    ScoredTypeError
        ``include_id`` is not True or False.
    FileNotFoundError
        ``$SCORED_CAPSTONE`` names a file that cannot be read (``ValueError`` if it is not a capstone file).

    Examples
    --------
    >>> register = public_register()
    >>> register.columns.tolist(), len(register) / len(published_release())
    (['name', 'postcode', 'birth_date', 'sex'], 0.7)
    """
    res = _city().residents
    rng = np.random.default_rng(_REGISTER_SEED)
    on = np.sort(rng.choice(len(res), int(round(REGISTER_SHARE * len(res))), replace=False))
    out = pd.DataFrame({"name": res["name"].to_numpy()[on],
                        "postcode": res["postcode"].astype(str).to_numpy()[on],
                        "birth_date": res["birth_date"].astype(str).to_numpy()[on],
                        "sex": res["sex"].astype(str).to_numpy()[on]})
    if _include_id(include_id):
        out.insert(0, "resident_id", res["resident_id"].to_numpy()[on])
    return out


def attack_release(release: pd.DataFrame) -> Any:
    """The linkage attack on ``release`` (published or made safer), measured against the hidden ids.

    ``release`` must keep the columns postcode, birth_date and sex, generalised or not, and say which published row
    each of its rows is: either a ``resident_id`` column (``published_release(include_id=True)``) or the index of
    ``published_release()`` (row i is resident i; dropped rows are fine, a reset index is not). The rows are checked
    against the published ones: a row whose quasi-identifiers could not have come from the published row it claims
    to be (after ``reset_index``, say) raises instead of giving a silently wrong share. The attacker coarsens the
    public register the same way, column by column: a register value becomes what the release turned that original
    value into.

    Parameters
    ----------
    release : DataFrame
        ``published_release()`` or a safer version of it: rows may be dropped and the columns ``postcode``,
        ``birth_date`` and ``sex`` coarsened (each original value always to the same released value), other
        columns added. Rows are identified by a ``resident_id`` column or, without it, by the original index.

    Returns
    -------
    scored.privacy.LinkResult
        Of ``link(release, coarsened register, ...)`` with ``true_id="resident_id"``; ``summary["correct"]`` is the
        share of release rows named correctly; ``matches`` keeps every column of the release (grade and sanction
        too) plus the matched ``name`` and ``correct``.

    Raises
    ------
    ScoredTypeError
        ``release`` is not a DataFrame.
    ScoredInputError
        A missing column, an empty release, or rows that do not line up with the published ones.
    FileNotFoundError
        ``$SCORED_CAPSTONE`` names a file that cannot be read (``ValueError`` if it is not a capstone file).

    Examples
    --------
    >>> release = published_release()
    >>> result = attack_release(release)
    >>> safer = release.assign(birth_date=release["birth_date"].str[:4])  # the birth year only
    >>> attack_release(safer).summary["correct"] < result.summary["correct"]
    True
    """
    from .privacy import link
    from .validation import ScoredInputError, check_columns, check_frame

    check_frame(release, "release")
    qi = list(QUASI_IDENTIFIERS)
    check_columns(release, qi, "release")
    original = published_release(include_id=True)
    n = len(original)
    if "resident_id" in release.columns:
        ids = release["resident_id"]
        where = "column 'resident_id'"
    else:
        ids = release.index.to_series()
        where = "index"
    if not (pd.api.types.is_integer_dtype(ids.dtype) and ids.is_unique and ids.min() >= 0 and ids.max() < n):
        raise ScoredInputError(f"release must say which published row each row is: its {where} must hold unique "
                               f"row numbers 0..{n - 1} of published_release(), got {ids.head(3).tolist()}...; "
                               "keep the original index (do not reset it) or a resident_id column")
    pos = ids.to_numpy(dtype=np.int64)
    kept = original.iloc[pos]
    rel = release.copy()  # every column is kept, so the named rows carry their grade
    for c in qi:
        rel[c] = rel[c].astype(str)
    rel["resident_id"] = original["resident_id"].to_numpy()[pos]
    reg = public_register(include_id=True)
    for c in qi:
        pairs = pd.DataFrame({"original": kept[c].to_numpy(), "released": rel[c].to_numpy()})
        # a generalisation maps each original value to one released value; two would mean misaligned rows
        per_value = pairs.drop_duplicates().groupby("original", sort=False).size()
        if (per_value > 1).any():
            value = per_value.index[per_value.to_numpy() > 1][0]
            raise ScoredInputError(f"release rows do not line up with published_release() by their {where}: "
                                   f"published {c} {value!r} became several different values "
                                   f"({sorted(pairs.loc[pairs['original'] == value, 'released'].unique())[:3]}); "
                                   "keep the original index (do not reset it), or pass a resident_id column")
        # a released value that is itself a published value (not coarsened) must be the row's own value
        raw = pairs["released"].isin(set(original[c])) & (pairs["released"] != pairs["original"])
        if raw.any():
            first = pairs[raw].iloc[0]
            raise ScoredInputError(f"release rows do not line up with published_release() by their {where}: a row "
                                   f"claims to be a published row whose {c} is {first['original']!r}, but holds "
                                   f"{first['released']!r}; keep the original index (do not reset it), or pass a "
                                   "resident_id column")
        mapping = pd.Series(pairs["released"].to_numpy(), index=pairs["original"].to_numpy())
        mapping = mapping[~mapping.index.duplicated()]
        coarse = reg[c].map(mapping)
        # values no kept row had cannot match any release row: mark them as such
        reg[c] = coarse.where(coarse.notna(), "<not in release>").astype(str)
    return link(rel, reg, qi, id_column="name", true_id="resident_id")
