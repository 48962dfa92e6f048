"""A synthetic city with known ground truth.

``make_world`` builds one city from one seed, bit for bit. It keeps three layers strictly apart, because every harm
the course studies is the gap between them:

1. **residents** -- who the people are (age, district, income, work, a fictional group ...);
2. **behaviour** -- the truth: what each resident actually did during 2025;
3. **records** -- the observation: what agencies wrote down. Recording depends on how heavily a district is watched,
   and a documented share of records is wrong (misattributed to a namesake, stale, or duplicated). The ground truth
   of each record sits in columns starting with ``truth_``; a scoring system must never read them.

Conditional on income, work and age, true behaviour does not depend on group or district. Every group difference in
the records therefore comes from surveillance and from proxies -- which is the point of the exercise.

The city also has ``districts``, social ``ties`` and five named ``personas`` whose stories hold in the data.
The groups "Heron" (minority) and "Kestrel" (majority) are fictional; all names and data are synthetic.
"""
from __future__ import annotations

import copy
import json
import math
import numbers
import os
import re
import shutil
import tempfile
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._counting import bincount, repeat
from .validation import ScoredInputError, ScoredTypeError, check_number

__all__ = ["World", "make_world", "load_world", "load_classroom", "write_classroom", "KINDS", "AGENCIES",
           "DISTRICTS", "CLASSROOM_PARAMS", "DATA_DIR"]

REFERENCE_DATE = "2026-01-01"  # ages are computed at this date; behaviour covers the calendar year 2025
DAYS = 365
KINDS = ("late_bill", "traffic_offence", "court_debt", "volunteering", "flagged_post")
AGENCIES = ("utility", "traffic_police", "court", "civic_registry", "online_monitoring")  # one per kind, same order
ERRORS = ("", "misattributed", "stale", "duplicate")
ERROR_SPLIT = (0.4, 0.3, 0.3)  # shares of misattributed, stale and duplicate records among the wrong ones
WORK = ("employed", "gig", "unemployed", "retired", "student")
GROUPS = ("Kestrel", "Heron")
SEXES = ("F", "M")
TIES = ("family", "friend", "coworker")

# district: (area km2, population share, surveillance, income level, share of Heron residents living here, postcodes)
_DISTRICT_TABLE = {
    "Harbour":   (3.1, 0.18, 0.85, 0.72, 0.34, ("H1", "H2", "H3", "H4")),
    "Eastfield": (3.6, 0.20, 0.90, 0.65, 0.38, ("E1", "E2", "E3", "E4")),
    "Old Town":  (2.2, 0.16, 0.55, 1.00, 0.08, ("O1", "O2", "O3")),
    "Millbrook": (4.5, 0.18, 0.45, 0.95, 0.08, ("M1", "M2", "M3", "M4")),
    "Riverside": (4.0, 0.15, 0.35, 1.15, 0.07, ("R1", "R2", "R3")),
    "Northgate": (5.8, 0.13, 0.20, 1.50, 0.05, ("N1", "N2", "N3")),
}
DISTRICTS = tuple(_DISTRICT_TABLE)
POSTCODES = tuple(p for row in _DISTRICT_TABLE.values() for p in row[5])

FIRST_NAMES = {  # small pools on purpose: namesakes (identical full names) are common
    "F": ("Ada", "Bea", "Cora", "Dina", "Elin", "Fay", "Greta", "Hana", "Ines", "Juna", "Kira", "Lena", "Mila",
          "Nora", "Orla"),
    "M": ("Arlo", "Bram", "Cato", "Dario", "Emil", "Finn", "Gus", "Hugo", "Ivo", "Jory", "Kai", "Leo", "Milo",
          "Nico", "Otto"),
}
LAST_NAMES = ("Ashby", "Birchley", "Brookes", "Calloway", "Dunmore", "Elsworth", "Fairley", "Fenwick", "Garrow",
              "Hartwell", "Holloway", "Ingram", "Kettering", "Larkin", "Lowther", "Marlow", "Merriman", "Norcott",
              "Oakley", "Pembrook", "Penrose", "Quill", "Radley", "Redfern", "Rooksby", "Sallow", "Selwyn", "Thorne",
              "Tilbury", "Underhill", "Varley", "Wakefield", "Wexley", "Whitlock", "Winslow", "Yarrow", "Alder",
              "Bellamy", "Corrie", "Dovecote")
# persona first names are not in the pools, so renaming a persona's namesake group never merges two groups
PERSONAS = (("Robin", "gig worker"), ("Sasha", "watched district"), ("Kit", "namesake"),
            ("Jules", "journalist"), ("Wren", "model citizen"))

CLASSROOM_PARAMS = {"residents": 10_000, "seed": 2026}
# The classroom city. In the repository it is data/ (the source of truth); a wheel carries a copy inside the
# package, scored/classroom/, written at build time by setup.py, so load_classroom() works without the repository.
_PACKAGED_DATA = Path(__file__).resolve().parent / "classroom"
DATA_DIR = (_PACKAGED_DATA if (_PACKAGED_DATA / "records.csv").is_file()
            else Path(__file__).resolve().parent.parent / "data")
_DEFAULTS = {"error_rate": 0.04, "minority_share": 0.15, "surveillance": None}
_ALLOWED = ("residents", "seed", "error_rate", "surveillance", "minority_share")
_FLOAT_FORMAT = "%.10g"


@dataclass(frozen=True, eq=False, repr=False)
class World:
    """One synthetic city: residents (who), behaviour (truth), records (observation), plus districts, ties, personas.

    ``params`` holds the resolved parameters (``residents``, ``error_rate``, ``minority_share``, ``surveillance``).
    The dataclass is frozen but the frames are ordinary DataFrames: copy them before changing them.

    Build one with ``make_world``, or read one with ``load_classroom`` or ``load_world``. Every table has the index
    0, 1, ... and the columns of ``SCHEMA``; ``observed_records`` is ``records`` without its ``truth_*`` columns,
    and ``to_csv(directory)`` writes the city to a folder.

    Attributes
    ----------
    residents : DataFrame
        One row per adult: ``resident_id`` (0..N-1), ``name``, ``sex``, ``birth_date`` (ISO text), ``age`` (in
        whole years on 2026-01-01), ``district``, ``postcode``, ``household_id``, ``household_size``, ``income``
        (a year), ``work``, ``group`` (the fictional "Kestrel" or "Heron"), ``disability`` and ``journalist``
        (bool).
    districts : DataFrame
        One row per district: ``district``, ``postcodes`` (separated by spaces), ``area_km2``, ``population``,
        ``surveillance`` (recording intensity, 0 to 1), ``cameras_per_km2``, ``income_level``, ``poverty_rate``
        (share below 60% of the city's median income) and ``heron_share``.
    behaviour : DataFrame
        The truth: one row per event in 2025, in order of ``day`` (0 to 364): ``event_id``, ``resident_id``,
        ``day`` and ``kind`` (one of ``KINDS``).
    records : DataFrame
        The observation: one row per record, in order of ``day``: ``record_id``, ``resident_id`` (whose file it
        is in), ``day``, ``kind``, ``agency`` and the ground truth a scoring system must not read:
        ``truth_error`` ("" for a correct record, "misattributed", "stale" or "duplicate"),
        ``truth_resident_id`` (whose event it is), ``truth_event_id`` (the event in ``behaviour``; -1 for a
        stale record) and ``truth_day`` (negative for a stale matter from before 2025).
    ties : DataFrame
        Social ties, one row per pair: ``resident_a``, ``resident_b`` and ``tie`` ("family", "friend" or
        "coworker").
    personas : DataFrame
        Five named residents whose stories hold in the data: ``persona``, ``resident_id``, ``role``, ``story``,
        ``related_resident_id`` (the other resident in the story, -1 if none) and ``fits_story`` (False when a
        small city has no one who fits the story fully).
    params : dict
        ``residents``, ``error_rate``, ``minority_share`` and ``surveillance`` (district -> intensity, 0 to 1).
    seed : int
        The seed the city was built from: its name.

    Examples
    --------
    >>> city = make_world(residents=300, seed=2)
    >>> city.residents.columns.tolist()[:6]
    ['resident_id', 'name', 'sex', 'birth_date', 'age', 'district']
    >>> [c for c in city.records.columns if c not in city.observed_records.columns]
    ['truth_error', 'truth_resident_id', 'truth_event_id', 'truth_day']
    """

    residents: pd.DataFrame
    districts: pd.DataFrame
    behaviour: pd.DataFrame
    records: pd.DataFrame
    ties: pd.DataFrame
    personas: pd.DataFrame
    params: dict = field(default_factory=dict)
    seed: int = 0

    def __repr__(self) -> str:
        sizes = ", ".join(f"{t}={len(getattr(self, t)):,}" for t in _TABLES)
        return f"World(seed={self.seed}, {sizes})"

    @property
    def observed_records(self) -> pd.DataFrame:
        """The records as an agency sees them: every ``truth_*`` column removed."""
        return self.records.loc[:, [c for c in self.records.columns if not c.startswith("truth_")]]

    def to_csv(self, directory: Any) -> Path:
        """Write the six tables as CSV plus ``world.json`` (seed and parameters); the bytes are deterministic.

        Files are written to a temporary folder first, so a failure leaves no half-written city behind.
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".world-", dir=directory))
        try:
            for name in _TABLES:
                getattr(self, name).to_csv(tmp / f"{name}.csv", index=False, lineterminator="\n",
                                           float_format=_FLOAT_FORMAT)
            meta = {"seed": self.seed, "params": self.params, "reference_date": REFERENCE_DATE}
            (tmp / "world.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
            for f in sorted(tmp.iterdir()):
                os.replace(f, directory / f.name)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return directory


_TABLES = ("residents", "districts", "behaviour", "records", "ties", "personas")
_CATEGORIES = {  # column -> categories, used to build frames and to restore dtypes when loading CSV
    "sex": SEXES, "district": DISTRICTS, "postcode": POSTCODES, "work": WORK, "group": GROUPS, "kind": KINDS,
    "agency": AGENCIES, "truth_error": ERRORS, "tie": TIES,
}


def _cat(codes: Any, column: Any) -> Any:
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int8), categories=list(_CATEGORIES[column]))


# ---------------------------------------------------------------------------------------------------- validation
def _check_number(name: str, value: Any, lo: float, hi: float, integer: bool) -> Any:
    return check_number(value, name, low=lo, high=None if hi == math.inf else hi, integer=integer)


def _resolve(residents: Any, seed: Any, params: Any) -> Any:
    unknown = sorted(set(params) - set(_ALLOWED))
    if unknown:
        raise ScoredInputError(f"unknown parameter(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(_ALLOWED)}")
    p = {**_DEFAULTS, **params}
    out = {"residents": _check_number("residents", residents, 100, 5_000_000, True),
           "error_rate": _check_number("error_rate", p["error_rate"], 0.0, 0.5, False),
           "minority_share": _check_number("minority_share", p["minority_share"], 0.0, 0.5, False)}
    seed = _check_number("seed", seed, 0, math.inf, True)
    surv = {d: row[2] for d, row in _DISTRICT_TABLE.items()}
    given = p["surveillance"]
    if given is not None:
        if not isinstance(given, Mapping):
            raise ScoredInputError(f"surveillance must be a dict district -> intensity in 0..1, got {type(given).__name__}")
        for d, v in given.items():
            if d not in surv:
                raise ScoredInputError(f"surveillance: unknown district {d!r}; known: {', '.join(DISTRICTS)}")
            surv[d] = _check_number(f"surveillance[{d!r}]", v, 0.0, 1.0, False)
    out["surveillance"] = surv
    return out, seed


# ---------------------------------------------------------------------------------------------------- generation
def make_world(residents: int = 10_000, seed: int = 0, **params: Any) -> World:
    """Build a synthetic city of ``residents`` adults from ``seed``.

    Every parameter is validated: a bad value raises ``ValueError`` (a ``ScoredInputError``) naming it.

    Each layer draws from its own random stream, so changing ``error_rate`` or ``surveillance`` leaves the residents'
    attributes and their true behaviour unchanged: the same city, watched differently. The same arguments give the
    same city, bit for bit. A city of 10,000 residents takes a fraction of a second.

    Parameters
    ----------
    residents : int, default 10_000
        The number of adults, 100 to 5,000,000.
    seed : int, default 0
        Whole number >= 0: the city's name. It is stored in ``World.seed``, and every random draw comes from it.
    error_rate : float, keyword-only, default 0.04
        The share of records that are wrong (misattributed, stale or duplicated), 0 to 0.5.
    minority_share : float, keyword-only, default 0.15
        The share of residents in the fictional minority group "Heron", 0 to 0.5.
    surveillance : dict, keyword-only, optional
        District name -> recording intensity from 0 to 1, for the districts to change; the others keep their
        default (Eastfield 0.9, Harbour 0.85, Old Town 0.55, Millbrook 0.45, Riverside 0.35, Northgate 0.2).

    Returns
    -------
    World
        The city's residents, districts, behaviour, records, ties and personas, with ``params`` and ``seed``.

    Raises
    ------
    ScoredTypeError
        A number of the wrong kind (``residents=100.5``, ``seed="a"``).
    ScoredInputError
        A number out of range, an unknown keyword, ``surveillance`` that is not a dict or names an unknown district.

    Examples
    --------
    >>> city = make_world(residents=500, seed=1)
    >>> city
    World(seed=1, residents=500, districts=6, behaviour=..., records=..., ties=..., personas=5)
    >>> watched = make_world(residents=500, seed=1, surveillance={"Northgate": 1.0})
    >>> watched.behaviour.equals(city.behaviour), len(watched.records) > len(city.records)
    (True, True)
    """
    p, seed = _resolve(residents, seed, params)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5)]
    res, codes = _make_residents(p, streams[0])
    districts = _make_districts(p, res)
    behaviour = _make_behaviour(res, streams[1])
    records = _make_records(p, res, codes, behaviour, streams[2], streams[3])
    ties = _make_ties(res, codes, streams[4])
    personas = _make_personas(p, res, codes, behaviour, records)
    return World(res, districts, behaviour, records, ties, personas, p, seed)


def _draw(rng: Any, probs: Any, n: Any) -> Any:
    """Draw category codes from a probability vector with inverse-CDF sampling (deterministic, vectorised)."""
    cdf = np.cumsum(probs)
    return np.minimum(np.searchsorted(cdf / cdf[-1], rng.random(n), side="right"), len(probs) - 1)


def _make_residents(p: Any, rng: Any) -> Any:
    n, m = p["residents"], p["minority_share"]
    share = np.array([row[1] for row in _DISTRICT_TABLE.values()])
    heron_dist = np.array([row[4] for row in _DISTRICT_TABLE.values()])
    # Kestrel residents fill the rest so that district sizes keep their population shares
    kestrel_dist = np.clip(share - m * heron_dist, 1e-6, None)
    group = (rng.random(n) < m).astype(np.int8)  # 1 = Heron
    district = np.where(group == 1, _draw(rng, heron_dist, n), _draw(rng, kestrel_dist, n))
    n_pc = np.array([len(row[5]) for row in _DISTRICT_TABLE.values()])
    pc_offset = np.concatenate([[0], np.cumsum(n_pc)[:-1]])
    postcode = pc_offset[district] + (rng.random(n) * n_pc[district]).astype(np.int64)
    sex = (rng.random(n) >= 0.51).astype(np.int8)  # 0 = F
    ages = np.arange(18, 91)
    age = ages[_draw(rng, np.where(ages <= 60, 1.0, 1.0 - 0.75 * (ages - 60) / 30), n)]
    # birth date uniform in the 365/366 days that give exactly this age on 2026-01-01
    year = 2025 - age
    jan1 = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    length = np.where((year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0)), 366, 365)
    born = jan1 + 1 + (rng.random(n) * length).astype(np.int64)
    lo = born.min()
    iso = np.datetime_as_string(np.arange(lo, born.max() + 1).astype("datetime64[D]"), unit="D").astype(object)
    # work is age-consistent: retired only from 66, students mostly under 26
    work_p = {0: (0.25, 0.12, 0.08, 0.0, 0.55), 1: (0.68, 0.17, 0.10, 0.0, 0.05), 2: (0.74, 0.14, 0.12, 0.0, 0.0),
              3: (0.08, 0.04, 0.0, 0.88, 0.0)}
    bracket = np.digitize(age, [26, 35, 66])
    u = rng.random(n)
    work = np.zeros(n, dtype=np.int8)
    for b, probs in work_p.items():
        cdf = np.cumsum(probs)
        sel = bracket == b
        work[sel] = np.minimum(np.searchsorted(cdf / cdf[-1], u[sel], side="right"), 4)
    median = np.array([40_000, 24_000, 9_000, 21_000, 8_000])[work]
    sigma = np.where(work == 1, 0.55, 0.45)
    level = np.array([row[3] for row in _DISTRICT_TABLE.values()])[district]
    income = np.rint(median * level * np.exp(sigma * rng.standard_normal(n))).astype(np.int64)
    disability = rng.random(n) < 0.06 + 0.0018 * (age - 18)
    journalist = (rng.random(n) < 0.009) & (work <= 1)
    # households: consecutive chunks of residents shuffled within a postcode; chunks never cross a postcode
    order = np.lexsort((rng.random(n), postcode))
    sizes = 1 + _draw(rng, [0.30, 0.35, 0.15, 0.12, 0.05, 0.03], n)
    chunk = repeat(np.arange(n), sizes)[:n]
    pc_sorted = postcode[order]
    new = np.ones(n, dtype=bool)
    new[1:] = (chunk[1:] != chunk[:-1]) | (pc_sorted[1:] != pc_sorted[:-1])
    household = np.empty(n, dtype=np.int64)
    household[order] = np.cumsum(new) - 1
    household_size = bincount(household)[household]
    # names: a household mostly shares the last name of its first member
    first = (rng.random(n) * 15).astype(np.int64) + 15 * sex
    last = (rng.random(n) * len(LAST_NAMES)).astype(np.int64)
    head = order[np.flatnonzero(new)]  # first member of each household in shuffled order
    last = np.where(rng.random(n) < 0.75, last[head[household]], last)
    full = first * len(LAST_NAMES) + last  # full-name code: equal codes are namesakes
    res = pd.DataFrame({
        "resident_id": np.arange(n, dtype=np.int64),
        "name": "",  # filled in by _make_personas, which may rename the personas' namesake groups
        "sex": _cat(sex, "sex"),
        "birth_date": pd.array(iso[born - lo], dtype="str"),
        "age": age.astype(np.int64),
        "district": _cat(district, "district"),
        "postcode": _cat(postcode, "postcode"),
        "household_id": household,
        "household_size": household_size.astype(np.int64),
        "income": income,
        "work": _cat(work, "work"),
        "group": _cat(group, "group"),
        "disability": disability,
        "journalist": journalist,
    })
    codes = {"district": district, "work": work, "group": group, "full": full, "last": last,
             "household": household}
    return res, codes


def _make_districts(p: Any, res: Any) -> Any:
    rows = []
    poverty_line = 0.6 * res["income"].median()  # relative poverty: below 60% of the city median income
    for d, (area, share, _, level, _, pcs) in _DISTRICT_TABLE.items():
        inside = res["district"] == d
        s = p["surveillance"][d]
        rows.append({"district": d, "postcodes": " ".join(pcs), "area_km2": area, "population": int(inside.sum()),
                     "surveillance": s, "cameras_per_km2": round(2 + 118 * s, 1), "income_level": level,
                     "poverty_rate": round(float((res.loc[inside, "income"] < poverty_line).mean()), 4)
                     if inside.any() else 0.0,
                     "heron_share": round(float((res.loc[inside, "group"] == "Heron").mean()), 4)
                     if inside.any() else 0.0})
    df = pd.DataFrame(rows)
    df["district"] = pd.Categorical(df["district"], categories=list(DISTRICTS))
    return df


def _behaviour_rates(res: Any) -> Any:
    """Yearly event rates per resident and kind: they depend on income, work and age only, never on group/district.

    Only +, *, / are used, so the rates are bit-identical on every machine.
    """
    inc = res["income"].to_numpy(dtype=np.float64)
    work = res["work"].cat.codes.to_numpy()
    age = res["age"].to_numpy()
    gig, retired, student = work == 1, work == 3, work == 4
    strain = 15_000 / (inc + 15_000)  # near 1 for very low incomes, small for comfortable ones
    return {
        "late_bill": 0.1 + 10.0 * strain ** 3 + 2.0 * gig,  # gig work's swinging income makes bills late
        "traffic_offence": 0.22 * np.where(age < 26, 1.6, np.where(age < 66, 1.0, 0.6)),
        "court_debt": 0.003 + 0.5 * (12_000 / (inc + 12_000)) ** 3,
        "volunteering": np.where(retired, 2.5, np.where(student, 0.9, 0.5)),
        "flagged_post": np.where(res["journalist"].to_numpy(), 10.0, 0.25),  # journalists post far more
    }


def _make_behaviour(res: Any, rng: Any) -> Any:
    n = len(res)
    rid_parts: list[np.ndarray] = []
    kind_parts: list[np.ndarray] = []
    for k, lam in enumerate(_behaviour_rates(res).values()):
        counts = rng.poisson(lam)
        rid_parts.append(repeat(np.arange(n, dtype=np.int64), counts))
        kind_parts.append(np.full(counts.sum(), k, dtype=np.int8))
    rid, kind = np.concatenate(rid_parts), np.concatenate(kind_parts)
    day = rng.integers(0, DAYS, len(rid))
    order = np.lexsort((kind, rid, day))  # a chronological log
    return pd.DataFrame({"event_id": np.arange(len(rid), dtype=np.int64), "resident_id": rid[order],
                         "day": day[order].astype(np.int64), "kind": _cat(kind[order], "kind")})


def _pick_other(rng: Any, members_of: Any, key: Any, size: Any) -> Any:
    """For each position, a random *other* resident with the same ``key`` (namesake or same last name)."""
    order = np.argsort(key, kind="stable")
    first = np.searchsorted(key[order], key, side="left")
    rank = np.empty(len(key), dtype=np.int64)
    rank[order] = np.arange(len(key)) - first[order]  # each resident's position within its key group
    r = members_of
    off = (rng.random(len(r)) * np.maximum(size[r] - 1, 1)).astype(np.int64)
    off += off >= rank[r]  # skip the resident itself
    return order[first[r] + np.minimum(off, size[r] - 1)]


def _make_records(p: Any, res: Any, codes: Any, behaviour: Any, rng: Any, rng_err: Any) -> Any:
    """Observation layer: which true events agencies recorded, plus injected errors with their ground truth."""
    surv = np.array([p["surveillance"][d] for d in DISTRICTS])
    ev_res = behaviour["resident_id"].to_numpy()
    ev_kind = behaviour["kind"].cat.codes.to_numpy()
    s = surv[codes["district"][ev_res]]
    # bills and court debts are recorded wherever you live; cameras and monitoring follow surveillance intensity;
    # volunteering is recorded only when registered
    prob = np.select([ev_kind == 0, ev_kind == 1, ev_kind == 2, ev_kind == 3],
                     [np.full_like(s, 0.97), 0.10 + 0.80 * s, np.full_like(s, 0.99), np.full_like(s, 0.60)],
                     0.10 + 0.80 * s)
    rec = np.flatnonzero(rng.random(len(prob)) < prob)  # event ids that were recorded correctly
    n0, e = len(rec), p["error_rate"]
    total = n0 / (1 - (ERROR_SPLIT[1] + ERROR_SPLIT[2]) * e)  # misattributions replace records, the rest add
    n_err = int(round(e * total))
    n_mis = int(round(ERROR_SPLIT[0] * n_err))
    n_stale = int(round(ERROR_SPLIT[1] * n_err))
    n_dup = n_err - n_mis - n_stale
    full, last = codes["full"], codes["last"]
    full_size, last_size = bincount(full)[full], bincount(last)[last]
    # misattributed: a recorded event lands on a namesake (or, if none, someone with the same last name)
    eligible = np.flatnonzero(last_size[ev_res[rec]] > 1)
    n_mis = min(n_mis, len(eligible))
    mis = np.sort(rng_err.choice(eligible, n_mis, replace=False, shuffle=False)) if n_mis else eligible[:0]
    victim_r = ev_res[rec[mis]]
    by_name = _pick_other(rng_err, victim_r, full, full_size)
    by_last = _pick_other(rng_err, victim_r, last, last_size)
    wrong_res = np.where(full_size[victim_r] > 1, by_name, by_last)
    keep = np.ones(n0, dtype=bool)
    keep[mis] = False
    rest = np.flatnonzero(keep)  # duplicates are copies of correct records
    n_dup = min(n_dup, len(rest))
    dup = np.sort(rng_err.choice(rest, n_dup, replace=False, shuffle=False)) if n_dup else rest[:0]
    # stale: an old matter of the same resident, settled before 2025, recorded again as current
    settle = np.flatnonzero(ev_kind <= 2)
    src = settle[(rng_err.random(n_stale) * len(settle)).astype(np.int64)] if len(settle) else np.zeros(0, np.int64)
    n_stale = len(src)
    stale_day = rng_err.integers(0, DAYS, n_stale)
    stale_old = -rng_err.integers(1, 3 * DAYS + 1, n_stale)

    resident = ev_res[rec].copy()
    resident[mis] = wrong_res
    err = np.zeros(n0, dtype=np.int8)
    err[mis] = 1
    ev_day = behaviour["day"].to_numpy()
    parts = {  # correct + misattributed, then duplicates, then stale
        "resident_id": [resident, resident[dup], ev_res[src]],
        "day": [ev_day[rec], ev_day[rec[dup]], stale_day],
        "kind": [ev_kind[rec], ev_kind[rec[dup]], ev_kind[src]],
        "truth_error": [err, np.full(len(dup), 3, np.int8), np.full(n_stale, 2, np.int8)],
        "truth_resident_id": [ev_res[rec], ev_res[rec[dup]], ev_res[src]],
        "truth_event_id": [rec, rec[dup], np.full(n_stale, -1)],
        "truth_day": [ev_day[rec], ev_day[rec[dup]], stale_old],
    }
    cols: dict[str, Any] = {k: np.concatenate(v) for k, v in parts.items()}
    t = len(cols["day"])
    order = np.lexsort((rng_err.permutation(t), cols["day"]))  # chronological; ties in random order (no leak)
    cols = {k: v[order] for k, v in cols.items()}
    # of the two records of a duplicated event, the later one is "the duplicate"
    pos = np.empty(t, dtype=np.int64)
    pos[order] = np.arange(t)
    a, b = pos[dup], pos[n0 + np.arange(len(dup))]
    cols["truth_error"][np.minimum(a, b)] = 0
    cols["truth_error"][np.maximum(a, b)] = 3
    kind = cols["kind"]
    return pd.DataFrame({
        "record_id": np.arange(t, dtype=np.int64),
        "resident_id": cols["resident_id"].astype(np.int64),
        "day": cols["day"].astype(np.int64),
        "kind": _cat(kind, "kind"),
        "agency": _cat(kind, "agency"),  # one agency per kind, in the same order
        "truth_error": _cat(cols["truth_error"], "truth_error"),
        "truth_resident_id": cols["truth_resident_id"].astype(np.int64),
        "truth_event_id": cols["truth_event_id"].astype(np.int64),
        "truth_day": cols["truth_day"].astype(np.int64),
    })


def _make_ties(res: Any, codes: Any, rng: Any) -> Any:
    n = len(res)
    hh = codes["household"]
    order = np.argsort(hh, kind="stable")
    start = np.searchsorted(hh[order], np.arange(hh.max() + 1))
    size = bincount(hh)
    a: Any = []
    b: Any = []
    t: Any = []
    for i in range(6):  # family: every pair within a household (at most 6 adults)
        for j in range(i + 1, 6):
            h = np.flatnonzero(size > j)
            a.append(order[start[h] + i])
            b.append(order[start[h] + j])
            t.append(np.zeros(len(h), np.int8))

    def within(members: Any, key: Any, stubs: Any, local_share: Any) -> Any:
        """Random partners for each stub, mostly among residents with the same key (district or workplace)."""
        src = repeat(members, stubs)
        k = key[src]
        srt = np.argsort(key[members], kind="stable")
        sorted_keys = key[members][srt]
        lo, hi = np.searchsorted(sorted_keys, k, "left"), np.searchsorted(sorted_keys, k, "right")
        local = members[srt][lo + (rng.random(len(src)) * (hi - lo)).astype(np.int64)]
        anywhere = members[(rng.random(len(src)) * len(members)).astype(np.int64)]
        return src, np.where(rng.random(len(src)) < local_share, local, anywhere)

    everyone = np.arange(n)
    s, d = within(everyone, codes["district"], rng.poisson(1.0, n), 0.8)  # friends: homophily by district
    a.append(s)
    b.append(d)
    t.append(np.ones(len(s), np.int8))
    workers = np.flatnonzero(codes["work"] <= 1)
    workplace = np.zeros(n, dtype=np.int64)
    workplace[workers] = rng.integers(0, max(1, len(workers) // 15), len(workers))
    s, d = within(workers, workplace, rng.poisson(0.8, len(workers)), 1.0)
    a.append(s)
    b.append(d)
    t.append(np.full(len(s), 2, np.int8))
    a, b, t = np.concatenate(a), np.concatenate(b), np.concatenate(t)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    keep = lo != hi
    lo, hi, t = lo[keep], hi[keep], t[keep]
    key = lo * n + hi
    prio = np.array([0, 2, 1])[t]  # one tie per pair: family beats coworker beats friend
    order = np.lexsort((prio, key))
    first = np.ones(len(order), dtype=bool)
    first[1:] = key[order][1:] != key[order][:-1]
    sel = order[first]
    return pd.DataFrame({"resident_a": lo[sel].astype(np.int64), "resident_b": hi[sel].astype(np.int64),
                         "tie": _cat(t[sel], "tie")})


def _make_personas(p: Any, res: Any, codes: Any, behaviour: Any, records: Any) -> Any:
    """Pick five residents whose stories really hold in the data, rename their namesake groups, fill in names.

    Rules are deterministic (ranked, ties broken by the smallest resident_id). Where a small city has no resident
    who fits a story exactly, the closest candidate is taken and ``fits_story`` is False.
    """
    n = len(res)
    k = len(KINDS)
    true = bincount(behaviour["resident_id"] * k + behaviour["kind"].cat.codes, minlength=n * k).reshape(n, k)
    rid_r = records["resident_id"].to_numpy()
    kind_r = records["kind"].cat.codes.to_numpy()
    seen = bincount(rid_r * k + kind_r, minlength=n * k).reshape(n, k)
    err = records["truth_error"].cat.codes.to_numpy()
    involved = np.zeros(n, dtype=bool)
    involved[rid_r[err > 0]] = True
    involved[records["truth_resident_id"].to_numpy()[err > 0]] = True
    full, work, dist = codes["full"], codes["work"], codes["district"]
    surv = np.array([p["surveillance"][d] for d in DISTRICTS])
    heavy, light = int(np.argmax(surv)), int(np.argmin(surv))
    negative = seen[:, [0, 1, 2, 4]].sum(1)
    used_ids: set[int] = set()
    used_names: set[int] = set()
    chosen: dict[Any, Any] = {}

    def pick(name: Any, options: Any) -> Any:
        free = ~np.isin(full, list(used_names)) & ~np.isin(np.arange(n), list(used_ids))
        for fits, mask, *rank in options:  # from the strictest rule to the loosest
            cand = np.flatnonzero(mask & free)
            if len(cand):
                best = cand[np.lexsort([r[cand] for r in reversed(rank)] if rank else [cand])[0]]
                used_ids.add(int(best))
                used_names.add(int(full[best]))
                chosen[name] = (int(best), fits)
                return int(best)
        raise AssertionError("unreachable: the last option admits everyone")

    every = np.ones(n, dtype=bool)
    ids = np.arange(n)
    # (c) Kit: a record that really belongs to a namesake
    mis = (err == 1) & (full[rid_r] == full[records["truth_resident_id"].to_numpy()])
    mis_count = bincount(rid_r[mis], minlength=n)
    mis_court = bincount(rid_r[mis & (kind_r == 2)], minlength=n)
    any_mis = bincount(rid_r[err == 1], minlength=n)
    # Kit's story (chapters 3, 6 and 10) is a wrongful listing: first choice is a namesake's victim whom the
    # default scorecard blacklists on the records but not on the corrected records, so it holds on any city.
    from .scoring import DEFAULT_SCORECARD, score  # here, not at the top: scoring imports this module

    kept = err <= 1  # corrected records: stale and duplicated ones dropped, misattributed ones given back
    corrected = records[kept].assign(resident_id=records["truth_resident_id"].to_numpy()[kept])
    worst = DEFAULT_SCORECARD.grades[-1]  # the blacklist grade
    listed = score(records, res)["grade"].astype(str).reindex(ids).eq(worst).to_numpy()
    listed_corrected = score(corrected, res)["grade"].astype(str).reindex(ids).eq(worst).to_numpy()
    wrongly_listed = listed & ~listed_corrected
    pick("Kit", [(True, (mis_count > 0) & wrongly_listed, -mis_court, -mis_count, ids),
                 (False, mis_count > 0, -mis_court, -mis_count, ids), (False, any_mis > 0, -any_mis, ids),
                 (False, every, ids)])
    # (b) Sasha: ordinary behaviour in the most watched district, more records than a twin in the least watched
    vec = np.zeros(n, dtype=np.int64)
    for j in range(k):
        vec = vec * 64 + np.minimum(true[:, j], 63)
    for j in (0, 2, 3):  # twins also share their records of kinds that do not depend on surveillance
        vec = vec * 64 + np.minimum(seen[:, j], 63)
    twin_key = vec * 8 + work
    rec_total = seen.sum(1)
    ordinary = (true[:, 1] >= 1) & (true[:, 2] == 0) & (true[:, 0] <= 2) & (true[:, 4] <= 1) & ~involved
    lt = np.flatnonzero(ordinary & (dist == light))
    lt = lt[np.lexsort((lt, rec_total[lt], twin_key[lt]))]
    lt = lt[np.diff(twin_key[lt], prepend=-1) != 0]  # per key: the twin with the fewest records
    twin = np.full(n, -1)
    if len(lt):
        pos = np.searchsorted(twin_key[lt], twin_key)
        hit = (pos < len(lt)) & (twin_key[lt][np.minimum(pos, len(lt) - 1)] == twin_key)
        twin[hit] = lt[pos[hit]]
    gap = np.where(twin >= 0, rec_total - rec_total[np.maximum(twin, 0)], 0)
    pick("Sasha", [(True, ordinary & (dist == heavy) & (twin >= 0) & (gap > 0), -gap, ids),
                   (False, dist == heavy, -seen[:, 1], ids), (False, every, ids)])
    # (a) Robin: a gig worker whose swinging income makes bills late
    pick("Robin", [(True, (work == 1) & (true[:, 0] >= 3) & (seen[:, 0] >= 3) & ~involved, -true[:, 0], ids),
                   (False, work == 1, -true[:, 0], ids), (False, every, -true[:, 0], ids)])
    # (d) Jules: a journalist whose harmless posts trip the keyword filter
    journalist = res["journalist"].to_numpy()
    pick("Jules", [(True, journalist & (seen[:, 4] >= 1) & (true[:, 4] >= 1), -seen[:, 4], ids),
                   (False, journalist, ids), (False, every, -seen[:, 4], ids)])
    # (e) Wren: the retired volunteer with no negative record: the "model citizen"
    pick("Wren", [(True, (work == 3) & (seen[:, 3] >= 1) & (negative == 0), -seen[:, 3], ids),
                  (False, work == 3, negative, -seen[:, 3], ids), (False, every, negative, -seen[:, 3], ids)])

    # names: persona namesake groups take the persona's first name, so namesakes stay namesakes
    first_pool = FIRST_NAMES["F"] + FIRST_NAMES["M"]
    table = np.array([f"{f} {l}" for f in first_pool for l in LAST_NAMES], dtype=object)
    for persona, (rid, _) in chosen.items():
        table[full[rid]] = f"{persona} {LAST_NAMES[codes['last'][rid]]}"
    res["name"] = pd.array(table[full], dtype="str")

    rows = []
    for persona, role in PERSONAS:
        rid, fits = chosen[persona]
        r = res.iloc[rid]
        name, related = r["name"], -1
        if persona == "Robin":
            story = (f"{name} ({r['age']}) does gig work in {r['district']}; an income of {r['income']:,} a year "
                     f"that swings from month to month left {true[rid, 0]} bills paid late in 2025.")
        elif persona == "Sasha":
            related = int(twin[rid]) if fits else -1
            story = (f"{name} lives in {DISTRICTS[dist[rid]]}, the most watched district, and did exactly what "
                     f"resident {related} in {DISTRICTS[light]} did in 2025, yet has {rec_total[rid]} records "
                     f"against their {rec_total[related]}." if fits else
                     f"{name} lives in {DISTRICTS[dist[rid]]}, the most watched district, and has "
                     f"{rec_total[rid]} records.")
        elif persona == "Kit":
            rows_k = np.flatnonzero((rid_r == rid) & (mis if fits else err == 1))
            j = rows_k[np.argmax(kind_r[rows_k] == 2)] if fits and mis_court[rid] else rows_k[0] if len(rows_k) \
                else -1
            related = int(records["truth_resident_id"].iat[j]) if j >= 0 else -1
            story = (f"{name} has a {KINDS[kind_r[j]].replace('_', ' ')} on file (day {records['day'].iat[j]}) "
                     f"that belongs to resident {related}, who has the same name." if j >= 0 else
                     f"{name} has no misattributed record in this small city.")
        elif persona == "Jules":
            story = (f"{name} is a journalist in {r['district']}; the keyword filter flagged {seen[rid, 4]} of "
                     f"their posts in 2025, none of them harmful.")
        else:
            story = (f"{name} ({r['age']}) is retired and volunteered {true[rid, 3]} times in 2025 "
                     f"({seen[rid, 3]} registered), with {negative[rid]} negative records.")
        if not fits:
            story += " (The closest fit in this small city: the story does not fully hold.)"
        rows.append({"persona": persona, "resident_id": rid, "role": role, "story": story,
                     "related_resident_id": related, "fits_story": fits})
    return pd.DataFrame(rows).astype({"resident_id": np.int64, "related_resident_id": np.int64})


# ---------------------------------------------------------------------------------------------------- files
_INT_COLUMNS = {"resident_id", "age", "household_id", "household_size", "income", "event_id", "day", "record_id",
                "truth_resident_id", "truth_event_id", "truth_day", "resident_a", "resident_b", "population",
                "related_resident_id"}


#: The columns of each table of a saved city, in order: ``load_world`` checks them.
SCHEMA = {
    "residents": ("resident_id", "name", "sex", "birth_date", "age", "district", "postcode", "household_id",
                  "household_size", "income", "work", "group", "disability", "journalist"),
    "districts": ("district", "postcodes", "area_km2", "population", "surveillance", "cameras_per_km2",
                  "income_level", "poverty_rate", "heron_share"),
    "behaviour": ("event_id", "resident_id", "day", "kind"),
    "records": ("record_id", "resident_id", "day", "kind", "agency", "truth_error", "truth_resident_id",
                "truth_event_id", "truth_day"),
    "ties": ("resident_a", "resident_b", "tie"),
    "personas": ("persona", "resident_id", "role", "story", "related_resident_id", "fits_story"),
}
_BOOL_COLUMNS = ("disability", "journalist", "fits_story")
_FLOAT_COLUMNS = ("area_km2", "surveillance", "cameras_per_km2", "income_level", "poverty_rate", "heron_share")


_WHOLE_NUMBER = r"-?\d{1,18}"
_WHOLE_NUMBERS = re.compile(rf"(?:{_WHOLE_NUMBER}\n)*{_WHOLE_NUMBER}")


def _all_whole_numbers(values: pd.Series) -> bool:
    """Whether every value is a whole number (``-?\\d{1,18}``). One regex pass over the column joined by newlines
    is several times quicker than one per value; a value holding a newline itself fails the count."""
    if len(values) == 0:
        return True
    text = "\n".join(values.tolist())
    return text.count("\n") == len(values) - 1 and _WHOLE_NUMBERS.fullmatch(text) is not None


def _bad_value(file: str, column: str, kind: str, values: pd.Series, ok: np.ndarray) -> ScoredInputError:
    bad = values[~ok]
    return ScoredInputError(f"{file}: column {column!r} must hold {kind}, got {len(bad):,} value(s) that are not, "
                            f"e.g. {bad.iloc[0]!r} (row {int(np.flatnonzero(~ok)[0]) + 2} of the file)")


# The last few cities read, by folder and by each file's size and modification time: a notebook or a grader that
# loads the same city again gets a copy of it instead of reading and checking six files again (0.1 s each time).
_LOADED: OrderedDict[tuple, World] = OrderedDict()
_LOADED_MAX = 4


def _file_stamps(directory: Path) -> tuple:
    """What identifies a saved city's contents without reading them: its folder, and each file's size and time."""
    stamps: list[Any] = [str(directory.resolve())]
    for name in [f"{t}.csv" for t in _TABLES] + ["world.json"]:
        stat = (directory / name).stat()
        stamps.append((name, stat.st_size, stat.st_mtime_ns))
    return tuple(stamps)


def _copy_of(world: World) -> World:
    """A World whose tables and params can be changed without changing ``world`` (pandas copies on write)."""
    return World(**{t: getattr(world, t).copy(deep=False) for t in _TABLES}, params=copy.deepcopy(world.params),
                 seed=world.seed)


def load_world(directory: str | os.PathLike[str]) -> World:
    """Read a city written by ``World.to_csv`` back, with its dtypes (categories, integers, booleans) restored.

    Every file is checked against ``SCHEMA``: a missing or unexpected column, or a value that does not fit its
    column (text in a number column, an unknown district, a boolean that is not True/False), raises
    ``ScoredInputError`` naming the file and the column.

    The last four cities read are kept: loading one again, with none of its files changed (same size and
    modification time), returns a copy of it without reading the files. Each call returns a World of its own, so
    changing one never changes another.

    Parameters
    ----------
    directory : str or path
        A folder written by ``World.to_csv`` or ``python -m scored world --out``.

    Returns
    -------
    World

    Raises
    ------
    FileNotFoundError
        A file is missing.
    ScoredInputError
        A file does not match the schema.

    Examples
    --------
    >>> import tempfile
    >>> folder = make_world(200, seed=4).to_csv(tempfile.mkdtemp())
    >>> load_world(folder).residents.shape
    (200, 14)
    """
    if not isinstance(directory, (str, os.PathLike)):
        raise ScoredTypeError(f"directory must be a folder path, got a {type(directory).__name__}")
    directory = Path(directory)
    missing = [f"{t}.csv" for t in _TABLES if not (directory / f"{t}.csv").is_file()]
    if not (directory / "world.json").is_file():
        missing.append("world.json")
    if missing:
        raise FileNotFoundError(f"{directory} is not a saved city: missing {', '.join(missing)}")
    stamps = _file_stamps(directory)
    if stamps in _LOADED:
        _LOADED.move_to_end(stamps)
        return _copy_of(_LOADED[stamps])
    world = _read_world(directory)
    _LOADED[stamps] = world
    while len(_LOADED) > _LOADED_MAX:
        _LOADED.popitem(last=False)
    return _copy_of(world)


def _read_world(directory: Path) -> World:
    """Read and check the files of the saved city in ``directory`` (see ``load_world``)."""
    try:
        meta = json.loads((directory / "world.json").read_text(encoding="utf-8"))
        params, seed = meta["params"], int(meta["seed"])
    except (ValueError, KeyError, TypeError) as error:
        raise ScoredInputError(f"world.json in {directory} must be JSON with 'params' and 'seed', as World.to_csv "
                               f"writes it: {error}") from None
    frames = {}
    for t in _TABLES:
        file = f"{t}.csv"
        try:
            df = pd.read_csv(directory / file, na_filter=False, dtype=str)
        except (ValueError, pd.errors.ParserError) as error:
            raise ScoredInputError(f"{file}: not a readable CSV table: {str(error).splitlines()[0]}") from None
        missing = [c for c in SCHEMA[t] if c not in df.columns]
        extra = [c for c in df.columns if c not in SCHEMA[t]]
        if missing or extra:
            raise ScoredInputError(f"{file}: expected the columns {list(SCHEMA[t])}, got "
                                   + (f"no column {', '.join(map(repr, missing))}" if missing else "")
                                   + ("; " if missing and extra else "")
                                   + (f"unexpected column(s) {', '.join(map(repr, extra))}" if extra else ""))
        for c in df.columns:
            values = df[c]
            if c in _CATEGORIES:
                categorical = pd.Categorical(values, categories=list(_CATEGORIES[c]))
                ok = categorical.codes >= 0  # no value is missing (na_filter=False): -1 is a value not allowed
                if not ok.all():
                    raise _bad_value(file, c, f"one of {list(_CATEGORIES[c])}", values, ok)
                df[c] = categorical
            elif c in _INT_COLUMNS:
                if not _all_whole_numbers(values):
                    ok = values.str.fullmatch(_WHOLE_NUMBER).to_numpy(dtype=bool)
                    raise _bad_value(file, c, "whole numbers", values, ok)
                df[c] = values.astype(np.int64)
            elif c in _BOOL_COLUMNS:
                ok = values.isin(["True", "False"]).to_numpy()
                if not ok.all():
                    raise _bad_value(file, c, "True or False", values, ok)
                df[c] = (values == "True").to_numpy()
            elif c in _FLOAT_COLUMNS:
                parsed = pd.to_numeric(values, errors="coerce")
                ok = np.isfinite(parsed.to_numpy(dtype=np.float64))
                if not ok.all():
                    raise _bad_value(file, c, "finite numbers", values, ok)
                df[c] = parsed.astype(np.float64)
        frames[t] = df[list(SCHEMA[t])]
    return World(**frames, params=params, seed=seed)


def write_classroom(directory: Any = DATA_DIR) -> Path:
    """Generate the committed classroom city into ``directory`` with its SHA256SUMS (the README is hand-written).

    The city is ``make_world(**CLASSROOM_PARAMS)``; its files are written by ``World.to_csv``, so the same numpy
    and pandas give the same bytes. ``python -m scored classroom`` calls this.

    Parameters
    ----------
    directory : str or path, default DATA_DIR
        The folder to write to, created if needed; files already there with the same names are replaced. The
        default is the classroom data itself.

    Returns
    -------
    Path
        ``directory``, now holding the six tables as CSV, ``world.json`` and ``SHA256SUMS``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     files = sorted(f.name for f in write_classroom(folder).iterdir())
    >>> files
    ['SHA256SUMS', 'behaviour.csv', 'districts.csv', 'personas.csv', 'records.csv', 'residents.csv', 'ties.csv',
     'world.json']
    """
    import hashlib

    directory = Path(directory)
    world = make_world(**CLASSROOM_PARAMS)
    world.to_csv(directory)
    files = sorted([f"{t}.csv" for t in _TABLES] + ["world.json"])
    sums = "".join(f"{hashlib.sha256((directory / f).read_bytes()).hexdigest()}  {f}\n" for f in files)
    (directory / "SHA256SUMS").write_text(sums, encoding="utf-8", newline="\n")
    return directory


CITY_ENV = "SCORED_CITY"


def load_classroom() -> World:
    """Load the classroom city: the committed one in ``data/``, or the one ``$SCORED_CITY`` names.

    ``SCORED_CITY`` is the folder of a city written by ``python -m scored world --out FOLDER`` (or
    ``World.to_csv``). It lets an instructor rebuild the course on another seed, and the grading pipeline
    give each student a city of their own, without any chapter or exercise changing its code.

    Returns
    -------
    World
        The classroom city (10,000 residents, seed 2026), or the city in ``$SCORED_CITY``, with the dtypes
        restored by ``load_world``.

    Raises
    ------
    FileNotFoundError
        ``$SCORED_CITY`` is not a folder, a file of the city is missing, or the classroom data are not there.
    ScoredInputError
        A file of the city does not match ``SCHEMA``.

    Examples
    --------
    >>> city = load_classroom()
    >>> len(city.residents), city.personas["persona"].tolist()
    (10000, ['Robin', 'Sasha', 'Kit', 'Jules', 'Wren'])
    """
    override = os.environ.get(CITY_ENV, "").strip()
    if override:
        if not Path(override).is_dir():
            raise FileNotFoundError(f"${CITY_ENV} is {override!r}, which is not a folder; it must name a city "
                                    f"written by `python -m scored world --out FOLDER`")
        return load_world(override)
    if not (DATA_DIR / "records.csv").is_file():
        raise FileNotFoundError(f"classroom data not found in {DATA_DIR}; regenerate it with `python -m scored "
                                f"classroom` (or use scored.world.make_world(**CLASSROOM_PARAMS))")
    return load_world(DATA_DIR)
