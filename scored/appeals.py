"""Errors and due process: who is sanctioned by mistake, for how long, and who manages to appeal.

A scoring system that reads wrong records sanctions some people wrongly. Whether such an error costs a resident a
week or a year depends less on the score than on the process around it: is the resident told, can they appeal,
how long does the review take, and who has to prove what. This module simulates that process, day by day, on a
``scored.world`` city whose ground truth is known.

Main entry points
-----------------
``sanction_starts(world, scorecard, grade)``
    One row per resident: sanctioned on the records?, wrongly sanctioned?, and the day the sanction started.
``simulate_appeals(world, scorecard, days=365, policy=AppealPolicy(), access=AccessModel(), rng=0)``
    One row per resident: who appealed, when each sanction ended, days sanctioned and their cost.
``summarise(outcomes, group)``, ``timeline(outcomes, group, days=365)``, ``policy_grid(world, ...)``
    Tables for reports and charts (by group, district, work ...; per day; over a grid of policies). The outcomes
    keep no metadata in ``DataFrame.attrs``, so ``timeline`` and ``safeguard_costs`` take the period, ``days``,
    again (the same ``days`` as ``simulate_appeals``) and refuse one that disagrees with the table.

``AppealPolicy`` holds what the *operator* decides (notice, review deadline, burden of proof ...); ``AccessModel``
holds the assumptions about *residents* (who manages to appeal, and how fast). A later chapter reruns the
simulation with safeguards by changing ``AppealPolicy`` alone, e.g. ``dataclasses.replace(policy, notice=True)``.

What counts as "wrong"
----------------------
The sanction follows the scorecard on the *records*: a resident is sanctioned when their score puts them in
``grade`` or a worse grade (default ``"D"``, the blacklist). A sanction is *wrong* when the same scorecard, applied to
the *corrected records* -- misattributed records given back to their true owner, stale and duplicated records
removed -- would not sanction them (``scored.audit.ground_truth_labels(world, truth="corrected_records")``). Offences
that were never recorded are not counted as errors here: this module is about wrong records, not missing ones.

The model, and every assumption in it
-------------------------------------
Time runs in whole days from day 0, the first day of the records' year (2025 in the classroom city). ``days`` is
the length of the period followed; records stop at day 364, so ``days=730`` follows a second year in which
sanctions continue but no new records arrive.

1. **Start.** The city rescores every resident every day on the records so far. A sanction starts on the day of the
   record after which the resident's running score stays below the line of ``grade`` for the rest of the records
   (a resident whose score dips below and recovers is not counted as sanctioned in between; we follow the final
   decision, as ``ground_truth_labels`` does). A sanction that starts on or after day ``days`` is outside the
   period and not counted.
2. **Review before the sanction** (``policy.review_before_sanction``). If the operator has a person check each
   sanction before it takes effect, that person finds a wrong one with chance ``policy.p_error_found`` and it never
   starts. Correct sanctions always start.
3. **Finding out.** With ``policy.notice`` the resident learns of the sanction, and why, ``access.notice_days`` days
   after it starts. Without notice they find out when it bites (a refused ticket, a benefit that does not arrive):
   after a random number of days drawn from an exponential distribution with mean ``access.discovery_days``.
4. **Access to appeal.** Once aware, a resident lodges an appeal with a chance that starts at
   ``access.base_appeal_chance`` and is multiplied by one factor for each barrier the resident faces:

   - *low income* (below 60% of the city's median income, the poverty line the city's district table uses):
     ``access.low_income_factor`` -- no money for advice, no slack for unpaid hours;
   - *gig work*: ``access.gig_factor`` -- irregular hours, no paid leave to visit an office or wait on a phone line;
   - *disability* (the city's ``disability`` column): ``access.disability_factor``;
   - *language or literacy*: the city has no such column, so one is simulated: each resident reads the official
     language with difficulty with chance ``access.language_barrier[group]`` (default 5% of Kestrel and 25% of
     Heron residents, who in the course's story include more recent arrivals). This is a modelling choice, not a
     claim about any real group;
   - *digital access*, only when ``policy.online_only``: residents aged ``access.digital_barrier_age`` or older
     (default 75) are assumed to have no practical use of an online-only procedure: ``access.digital_factor``.

   Without notice a resident knows that something is blocked but not which record caused it, nor how to contest
   it, so every resident's chance is also multiplied by ``access.no_notice_factor`` (default 0.7).

   Preparing an appeal takes a random number of days (exponential, mean ``access.prep_days``), multiplied by
   ``access.barrier_prep_factor`` for every barrier.
5. **Review.** The operator decides each appeal between half the deadline and the deadline
   (``policy.review_deadline_days``), uniformly. A reviewer finds the error in a wrong sanction with chance
   ``policy.p_error_found``. If ``policy.burden_on_resident``, the resident must also prove the record wrong, which
   they manage with chance ``access.evidence_chance``, multiplied by ``access.evidence_barrier_factor`` per barrier.
   An appeal against a correct sanction always fails (the model has no wrongful acquittals).
6. **Trying again.** A resident whose appeal fails may appeal again, up to ``policy.max_appeals`` appeals in all,
   with ``access.retry_factor`` times their first chance of lodging one. Each new appeal starts on the day the
   previous decision arrives.
7. **End and cost.** A wrong sanction ends on the day an appeal succeeds; otherwise every sanction lasts to the end
   of the period (correct sanctions are not lifted in this model: we do not simulate paying off a debt). Each day
   sanctioned costs ``cost_per_day`` (default 10 of the city's currency a day: lost benefits), the same for
   everyone, so the cost as a share of income is largest for the poorest.

Randomness: one int ``rng`` (a seed) gives one result, bit for bit. Every random draw is made for every resident from its own
stream, whatever the policy, so two policies run with the same ``rng`` differ only through the policy (common random
numbers): a resident who would have appealed on day 40 under one deadline appeals on day 40 under another too.

All parameters are validated; a bad value raises ``ValueError`` naming the parameter and its allowed range.
Everything is vectorised over residents: a simulation of 200,000 residents takes well under a second.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ._counting import bincount
from .validation import RngLike, ScoredInputError, ScoredTypeError, accepts_seed, check_bool, check_bool_column
from .validation import check_choice, check_column, check_column_name, check_number, check_numeric_column, check_rng, describe
from .validation import renamed_keywords

__all__ = ["AppealPolicy", "AccessModel", "sanction_starts", "appeal_access", "simulate_appeals", "summarise",
           "timeline", "policy_grid", "MAX_APPEALS", "MAX_DAYS"]

MAX_APPEALS = 5  # the most appeals a policy may allow; every run draws random numbers for this many rounds
MAX_DAYS = 3650  # ten years
_GROUP_COLUMNS = ("district", "group", "work")


# ---------------------------------------------------------------------------------------------------- validation
def _number(owner: str, name: str, value: Any, lo: float, hi: float, integer: bool = False,
            lo_open: bool = False) -> Any:
    return check_number(value, f"{owner}{name}", low=lo, high=hi, low_open=lo_open, integer=integer)


def _flag(owner: str, name: str, value: Any) -> bool:
    return check_bool(value, f"{owner}{name}")


@dataclass(frozen=True)
class AppealPolicy:
    """What the operator of the score decides about errors and appeals.

    The defaults describe a process with few safeguards, like those in the chapter's real cases: no notice, no
    check before the sanction, the burden on the resident, 90 days to decide, online only. The policy is frozen;
    ``dataclasses.replace(policy, notice=True)`` makes a changed copy, and ``describe()`` says it in one sentence.

    Parameters
    ----------
    notice : bool, default False
        Residents are told when a sanction starts, and why (after ``AccessModel.notice_days`` days).
    review_before_sanction : bool, default False
        A person checks each sanction before it takes effect, and stops a wrong one with chance ``p_error_found``.
    review_deadline_days : int, default 90
        An appeal is decided within this many days (1 to 365), at a uniform time between half the deadline and
        the deadline.
    p_error_found : float, default 0.8
        The chance (0 to 1) that a reviewer finds the error in a wrong sanction.
    burden_on_resident : bool, default True
        The resident must prove the record wrong (with ``AccessModel.evidence_chance``); False: the operator must
        check it.
    max_appeals : int, default 2
        Appeals a resident may lodge in all, 0 to ``MAX_APPEALS`` (5); 0: no appeal at all.
    online_only : bool, default True
        Appeals can only be lodged online, which bars the oldest residents (``AccessModel.digital_barrier_age``).
    name : str, default "as run"
        A label for tables and charts.

    Raises
    ------
    ScoredTypeError
        A flag that is not True/False, or a ``name`` that is not a string.
    ScoredInputError
        A number out of its range, naming the field (``AppealPolicy.review_deadline_days ...``).

    Examples
    --------
    >>> from dataclasses import replace
    >>> policy = replace(AppealPolicy(), notice=True, review_deadline_days=30, name="with notice")
    >>> print(policy.describe())
    with notice: residents are told when a sanction starts; no check before sanctions; appeals decided within 30
    days; reviewers find 80% of errors; the resident must prove the error; up to 2 appeals; online only.
    """

    notice: bool = False
    review_before_sanction: bool = False
    review_deadline_days: int = 90
    p_error_found: float = 0.8
    burden_on_resident: bool = True
    max_appeals: int = 2
    online_only: bool = True
    name: str = "as run"

    def __post_init__(self) -> None:
        o = "AppealPolicy."
        for f in ("notice", "review_before_sanction", "burden_on_resident", "online_only"):
            object.__setattr__(self, f, _flag(o, f, getattr(self, f)))
        object.__setattr__(self, "review_deadline_days",
                           _number(o, "review_deadline_days", self.review_deadline_days, 1, 365, integer=True))
        object.__setattr__(self, "p_error_found", _number(o, "p_error_found", self.p_error_found, 0, 1))
        object.__setattr__(self, "max_appeals", _number(o, "max_appeals", self.max_appeals, 0, MAX_APPEALS,
                                                        integer=True))
        if not isinstance(self.name, str):
            raise ScoredTypeError(f"AppealPolicy.name must be a string, got {self.name!r}")

    def describe(self) -> str:
        """The policy in one sentence of plain words."""
        parts = ["residents are told when a sanction starts" if self.notice else "no notice is given",
                 "a person checks each sanction first" if self.review_before_sanction else "no check before sanctions",
                 f"appeals decided within {self.review_deadline_days} days",
                 f"reviewers find {self.p_error_found:.0%} of errors",
                 "the resident must prove the error" if self.burden_on_resident else "the operator must check",
                 f"up to {self.max_appeals} appeal{'s' if self.max_appeals != 1 else ''}",
                 "online only" if self.online_only else "online, by post or in person"]
        return f"{self.name}: " + "; ".join(parts) + "."


_DEFAULT_LANGUAGE = {"Kestrel": 0.05, "Heron": 0.25}


@dataclass(frozen=True)
class AccessModel:
    """Assumptions about residents: who finds out, who manages to appeal, and how fast (see the module docstring).

    Nobody knows these numbers for a real city: they are stated so that they can be varied. A *barrier* is one of
    low income, gig work, disability, a language barrier or (under an online-only policy) old age; every factor
    below multiplies a chance once per barrier that applies.

    Parameters
    ----------
    base_appeal_chance : float, default 0.8
        The chance (0 to 1) that a resident without barriers, once aware, lodges a first appeal.
    low_income_factor, gig_factor, disability_factor, language_factor, digital_factor : float
        Multiply the chance of appealing (0 to 1) when the resident has a low income (below 60% of the city's
        median, default 0.6), does gig work (0.7), has a disability (0.6), reads the official language with
        difficulty (0.5), or is too old for an online-only procedure (0.5).
    no_notice_factor : float, default 0.7
        Multiplies every resident's chance (0 to 1) when the policy gives no notice.
    language_barrier : dict, default {"Kestrel": 0.05, "Heron": 0.25}
        Group -> the share (0 to 1) of its residents simulated as reading the official language with difficulty;
        every group of the city needs an entry.
    digital_barrier_age : int, default 75
        From this age (18 to 200) a resident cannot use an online-only procedure.
    notice_days : int, default 7
        Days (0 to 365) from the start of a sanction to the notice, when the policy gives notice.
    discovery_days : float, default 45.0
        Mean days (above 0) until a resident without notice finds out (exponential).
    prep_days : float, default 14.0
        Mean days (above 0) to prepare an appeal (exponential).
    barrier_prep_factor : float, default 1.5
        Multiplies the preparation time (1 to 10) once per barrier.
    evidence_chance : float, default 0.9
        The chance (0 to 1) that a resident proves a wrong record wrong, when the burden is theirs.
    evidence_barrier_factor : float, default 0.8
        Multiplies ``evidence_chance`` (0 to 1) once per barrier.
    retry_factor : float, default 0.5
        A resident whose appeal failed appeals again with this times (0 to 1) their first chance.

    Raises
    ------
    ScoredTypeError
        ``language_barrier`` that is not a dict, or a value of the wrong kind, naming the field.
    ScoredInputError
        A number out of its range, naming the field (``AccessModel.gig_factor ...``).

    Examples
    --------
    >>> AccessModel(base_appeal_chance=0.5).base_appeal_chance
    0.5
    >>> AccessModel(language_barrier={"Kestrel": 0.1, "Heron": 0.1}).language_barrier
    {'Kestrel': 0.1, 'Heron': 0.1}
    """

    base_appeal_chance: float = 0.8
    low_income_factor: float = 0.6
    gig_factor: float = 0.7
    disability_factor: float = 0.6
    language_factor: float = 0.5
    digital_factor: float = 0.5
    no_notice_factor: float = 0.7
    language_barrier: Mapping = field(default_factory=lambda: dict(_DEFAULT_LANGUAGE))
    digital_barrier_age: int = 75
    notice_days: int = 7
    discovery_days: float = 45.0
    prep_days: float = 14.0
    barrier_prep_factor: float = 1.5
    evidence_chance: float = 0.9
    evidence_barrier_factor: float = 0.8
    retry_factor: float = 0.5

    def __post_init__(self) -> None:
        o = "AccessModel."
        for f in ("base_appeal_chance", "low_income_factor", "gig_factor", "disability_factor", "language_factor",
                  "digital_factor", "no_notice_factor", "evidence_chance", "evidence_barrier_factor", "retry_factor"):
            object.__setattr__(self, f, _number(o, f, getattr(self, f), 0, 1))
        object.__setattr__(self, "digital_barrier_age", _number(o, "digital_barrier_age", self.digital_barrier_age,
                                                                18, 200, integer=True))
        object.__setattr__(self, "notice_days", _number(o, "notice_days", self.notice_days, 0, 365, integer=True))
        for f in ("discovery_days", "prep_days"):
            object.__setattr__(self, f, _number(o, f, getattr(self, f), 0, 3650, lo_open=True))
        object.__setattr__(self, "barrier_prep_factor", _number(o, "barrier_prep_factor", self.barrier_prep_factor,
                                                                1, 10))
        if not isinstance(self.language_barrier, Mapping):
            raise ScoredTypeError(f"AccessModel.language_barrier must be a dict group -> share in [0, 1], "
                             f"got {self.language_barrier!r}")
        shares = {str(g): _number(o, f"language_barrier[{g!r}]", v, 0, 1) for g, v in self.language_barrier.items()}
        object.__setattr__(self, "language_barrier", shares)


# ---------------------------------------------------------------------------------------------------- inputs
def _check_world(world: Any) -> None:
    for attr in ("residents", "records", "behaviour"):
        if not isinstance(getattr(world, attr, None), pd.DataFrame):
            raise ScoredTypeError(f"world must be a scored.world.World (with a {attr!r} table), got a "
                                  f"{type(world).__name__}")
    missing = [c for c in ("resident_id", "district", "group", "work", "income", "age", "disability")
               if c not in world.residents.columns]
    if missing:
        raise ScoredInputError(f"world.residents has no column {', '.join(map(repr, missing))}")
    ids = world.residents["resident_id"].to_numpy()
    if not np.array_equal(ids, np.arange(len(ids))):
        raise ScoredInputError("world.residents.resident_id must run 0, 1, ..., N-1 in order, as scored.world makes it")


def _card(scorecard: Any) -> Any:
    from .scoring import as_scorecard

    return as_scorecard(scorecard)


def _streams(rng: RngLike) -> list[np.random.Generator]:
    """One child stream per use: [0] the access draws, [1] checks, [2] discovery, [3:] one per appeal round.

    For an int ``rng`` these are the streams of ``SeedSequence(rng).spawn(...)``, so a seed gives the same
    result whatever the policy (common random numbers).
    """
    return check_rng(rng).spawn(3 + MAX_APPEALS)


def sanction_starts(world: Any, scorecard: Any = None, grade: str = "D") -> pd.DataFrame:
    """One row per resident (index ``resident_id``): is the resident sanctioned, wrongly, and since when?

    A sanction is wrong when the same scorecard, applied to the corrected records (misattributed records given
    back to their owner, stale and duplicated records removed), would not sanction the resident. Its start is the
    day of the record after which the resident's running score stays below the line of ``grade`` (see the module
    docstring). The table holds no metadata in ``DataFrame.attrs``: the scorecard and grade are the ones you
    passed.

    Parameters
    ----------
    world : World
        A city from ``scored.world`` (``make_world`` or ``load_classroom``): its residents, records and truth.
    scorecard : Scorecard or dict, optional
        The scorecard that decides the sanctions; default ``scored.scoring.DEFAULT_SCORECARD``.
    grade : str, default "D"
        A grade of the scorecard: residents graded ``grade`` or worse are sanctioned ("D" is the blacklist).

    Returns
    -------
    DataFrame
        Index ``resident_id``; columns ``district``, ``group``, ``work``, ``income``, ``score`` (on the records),
        ``corrected_score`` and ``corrected_grade`` (the same scorecard on the corrected records),
        ``sanctioned`` (graded ``grade`` or worse on the records), ``wrongly_sanctioned`` (sanctioned, but not on
        the corrected records), ``misattributed``, ``stale`` and ``duplicate`` (wrong records of each kind filed
        against the resident) and ``start_day`` (the day the sanction started, counted from day 0 of the
        records; <NA> if not sanctioned).

    Raises
    ------
    ScoredTypeError
        ``world`` is not a World, or ``scorecard`` is not a scorecard.
    ScoredInputError
        The world's residents lack a column or are not numbered 0, 1, ..., N-1, or ``grade`` is not one of the
        scorecard's grades.

    Examples
    --------
    >>> from scored.world import make_world
    >>> starts = sanction_starts(make_world(2000, seed=2))
    >>> int(starts["sanctioned"].sum()), int(starts["wrongly_sanctioned"].sum())
    (47, 3)
    >>> starts.loc[starts["wrongly_sanctioned"], ["score", "corrected_score", "start_day"]]
                 score  corrected_score  start_day
    resident_id
    191            580              620        287
    584            400              700        129
    675            570              610        361
    """
    from .audit import ground_truth_labels

    _check_world(world)
    card = _card(scorecard)
    if not isinstance(grade, str) or grade not in card.grades:
        raise ScoredInputError(f"grade must be one of the scorecard's grades {list(card.grades)}, got {grade!r}")
    labels = ground_truth_labels(world, card, grade, truth="corrected_records")
    res, rec = world.residents, world.records
    n = len(res)
    i = card.grades.index(grade)
    line = math.inf if i == 0 else float(card.bands[i - 1].min_score)  # sanctioned: score below this line
    points = card.points()
    kinds = rec["kind"].astype(str).to_numpy()
    value = np.zeros(len(rec))
    for kind, p in points.items():
        value[kinds == kind] = p
    rid = rec["resident_id"].to_numpy()
    day = rec["day"].to_numpy()
    order = np.lexsort((np.arange(len(rec)), day, rid))  # per resident, in time order
    rid_s, day_s, val_s = rid[order], day[order], value[order]
    csum = np.cumsum(val_s)
    first = np.searchsorted(rid_s, np.arange(n), side="left")  # first record of each resident
    before = np.concatenate([[0.0], csum])[first]  # cumulative sum before each resident's first record
    running = card.base + csum - before[rid_s]  # the score after each record
    above = running >= line
    pos = np.arange(len(rid_s))
    # last record after which the resident was still above the line (-1: from their very first record on)
    last_above = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_above, rid_s[above], pos[above])
    start_pos = np.where(last_above >= first, last_above + 1, first)
    count = bincount(rid_s, minlength=n)
    sanctioned = labels["predicted"].to_numpy()
    has_start = sanctioned & (count > 0)
    start = np.full(n, -1, dtype=np.int64)
    start[has_start] = day_s[np.minimum(start_pos[has_start], len(day_s) - 1)]
    # a scorecard whose base is below the line sanctions from day 0 those who never rose above it
    start[sanctioned & ((count == 0) | ((card.base < line) & (last_above < first)))] = 0
    err = rec["truth_error"].astype(str).to_numpy()
    out = pd.DataFrame({
        "district": res["district"].to_numpy(), "group": res["group"].to_numpy(), "work": res["work"].to_numpy(),
        "income": res["income"].to_numpy(),
        "score": labels["score"].to_numpy(),
        "corrected_score": labels["true_score"].to_numpy(),
        "corrected_grade": labels["true_grade"].to_numpy(),
        "sanctioned": sanctioned,
        "wrongly_sanctioned": sanctioned & ~labels["actual"].to_numpy(),
        "misattributed": bincount(rid[err == "misattributed"], minlength=n).astype(np.int64),
        "stale": bincount(rid[err == "stale"], minlength=n).astype(np.int64),
        "duplicate": bincount(rid[err == "duplicate"], minlength=n).astype(np.int64),
        "start_day": pd.array(np.where(sanctioned, start, -1), dtype="Int64"),
    }, index=pd.Index(res["resident_id"].to_numpy(), name="resident_id"))
    out.loc[~out["sanctioned"], "start_day"] = pd.NA
    for col in ("district", "group", "work"):
        out[col] = pd.Categorical(out[col], categories=res[col].cat.categories) \
            if isinstance(res[col].dtype, pd.CategoricalDtype) else out[col]
    return out


@accepts_seed
def appeal_access(world: Any, policy: AppealPolicy | None = None, access: AccessModel | None = None,
                  rng: RngLike = 0) -> pd.DataFrame:
    """Each resident's barriers and chance of lodging an appeal under ``policy`` and ``access``.

    These are the chances ``simulate_appeals`` uses, for a look at who is kept from appealing and why. The
    simulated language barrier depends on ``rng`` only, so with an int seed it is the same under every policy.

    Parameters
    ----------
    world : World
        A city from ``scored.world``.
    policy : AppealPolicy, optional
        The operator's process; default ``AppealPolicy()`` (the process as run).
    access : AccessModel, optional
        The assumptions about residents; default ``AccessModel()``.
    rng : None, int or numpy.random.Generator, default 0
        The randomness of the simulated language barrier: an int seed (the same seed, the same barriers), a
        Generator, or None for fresh randomness. ``seed=`` is its deprecated old name.

    Returns
    -------
    DataFrame
        Index ``resident_id``; columns ``low_income``, ``gig``, ``disability``, ``language``, ``digital``
        (booleans: the barrier applies), ``barriers`` (how many), ``appeal_chance`` (of lodging a first appeal
        once aware, including the ``no_notice_factor`` when the policy gives no notice), ``prep_days`` (mean days
        to prepare one) and ``evidence_chance`` (of proving the error when the burden is on the resident; 1
        otherwise).

    Raises
    ------
    ScoredTypeError
        ``world``, ``policy``, ``access`` or ``rng`` of the wrong kind.
    ScoredInputError
        A world without the needed columns, a group missing from ``access.language_barrier``, or a bad ``rng``.

    Examples
    --------
    >>> from scored.world import make_world
    >>> city = make_world(2000, seed=2)
    >>> access = appeal_access(city, rng=0)
    >>> groups = city.residents.set_index("resident_id")["group"]
    >>> access["appeal_chance"].groupby(groups, observed=True).mean().round(2)
    group
    Kestrel    0.42
    Heron      0.38
    Name: appeal_chance, dtype: float64
    """
    return _access(world, policy, access, _streams(rng)[0])


def _access(world: Any, policy: AppealPolicy | None, access: AccessModel | None,
            rng: np.random.Generator) -> pd.DataFrame:
    _check_world(world)
    policy = AppealPolicy() if policy is None else policy
    access = AccessModel() if access is None else access
    if not isinstance(policy, AppealPolicy):
        raise ScoredTypeError(f"policy must be an AppealPolicy, got a {type(policy).__name__}")
    if not isinstance(access, AccessModel):
        raise ScoredTypeError(f"access must be an AccessModel, got a {type(access).__name__}")
    res = world.residents
    codes, groups = pd.factorize(res["group"])
    groups = [str(g) for g in groups]
    unknown = sorted(set(groups) - set(access.language_barrier))
    if unknown:
        raise ScoredInputError(f"AccessModel.language_barrier has no share for group(s) {unknown}")
    income = res["income"].to_numpy(dtype=np.float64)
    share = np.array([access.language_barrier[g] for g in groups] + [0.0])[codes]  # one entry per group
    barriers = {
        "low_income": income < 0.6 * np.median(income),
        "gig": (res["work"] == "gig").to_numpy(dtype=bool),
        "disability": res["disability"].to_numpy(dtype=bool),
        "language": rng.random(len(res)) < share,
        "digital": (res["age"].to_numpy() >= access.digital_barrier_age) & policy.online_only,
    }
    factors = {"low_income": access.low_income_factor, "gig": access.gig_factor,
               "disability": access.disability_factor, "language": access.language_factor,
               "digital": access.digital_factor}
    chance = np.full(len(res), access.base_appeal_chance * (1.0 if policy.notice else access.no_notice_factor))
    for b, mask in barriers.items():
        chance = np.where(mask, chance * factors[b], chance)
    k = np.sum(list(barriers.values()), axis=0) if len(res) else np.zeros(0, dtype=np.int64)
    out = pd.DataFrame(barriers, index=pd.Index(res["resident_id"].to_numpy(), name="resident_id"))
    out["barriers"] = k.astype(np.int64)
    out["appeal_chance"] = chance
    out["prep_days"] = access.prep_days * access.barrier_prep_factor ** k
    out["evidence_chance"] = (access.evidence_chance * access.evidence_barrier_factor ** k
                              if policy.burden_on_resident else np.ones(len(res)))
    return out


def _check_starts(starts: Any, world: Any) -> None:
    """``starts`` must be ``sanction_starts`` output for this very world, not for another city of the same size."""
    what = "starts must be the output of sanction_starts(world, ...) for this world"
    if not isinstance(starts, pd.DataFrame):
        raise ScoredTypeError(f"{what}, got a {type(starts).__name__}")
    need = ["sanctioned", "wrongly_sanctioned", "start_day", "district", "group", "income"]
    missing = [c for c in need if c not in starts.columns]
    if missing:
        raise ScoredInputError(f"{what}, but it has no column {', '.join(map(repr, missing))}")
    res = world.residents
    same = (len(starts) == len(res)
            and np.array_equal(starts.index.to_numpy(), res["resident_id"].to_numpy())
            and all(_same_text(starts[c], res[c]) for c in ("district", "group"))
            and np.array_equal(starts["income"].to_numpy(dtype=np.float64), res["income"].to_numpy(np.float64)))
    if not same:
        raise ScoredInputError(f"{what}: its residents (ids, districts, groups or incomes) differ from "
                               "world.residents, so it comes from another city")
    for c in ("sanctioned", "wrongly_sanctioned"):
        check_bool_column(starts, c, f"starts column {c!r}", "starts")


def _same_text(a: pd.Series, b: pd.Series) -> bool:
    """Whether two columns hold the same values read as text. The grids check one ``starts`` hundreds of times,
    so the usual cases (the same categories, or the same values) are compared without making text."""
    if isinstance(a.dtype, pd.CategoricalDtype) and a.dtype == b.dtype:
        return np.array_equal(a.cat.codes.to_numpy(), b.cat.codes.to_numpy())
    if np.array_equal(a.to_numpy(), b.to_numpy()):
        return True
    return np.array_equal(a.astype(str).to_numpy(), b.astype(str).to_numpy())


# ---------------------------------------------------------------------------------------------------- simulation
def _days_from(u: Any, mean: Any) -> Any:
    """Whole days (>= 1) from uniform draws ``u`` through an exponential distribution with ``mean``."""
    return np.ceil(-mean * np.log1p(-u)).clip(min=1).astype(np.int64)


@accepts_seed
def simulate_appeals(world: Any, scorecard: Any = None, *, days: int = 365, policy: AppealPolicy | None = None,
                     access: AccessModel | None = None, cost_per_day: float = 10.0, rng: RngLike = 0,
                     grade: str | None = None, starts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Follow every sanction in ``world`` for ``days`` days under an appeal ``policy``; one row per resident.

    See the module docstring for the model and every assumption in it. The same int ``rng`` gives the same
    result, and two policies run with the same ``rng`` differ only through the policy (common random numbers).

    The table keeps no metadata in ``DataFrame.attrs`` (pandas drops them on many operations), so it can be
    filtered, joined and concatenated freely. The period is not stored: ``timeline`` and ``safeguard_costs`` ask
    for the same ``days`` again, and check it against the table.

    Parameters
    ----------
    world : World
        A city from ``scored.world``.
    scorecard : Scorecard or dict, optional
        The scorecard that decides the sanctions; default ``scored.scoring.DEFAULT_SCORECARD``. Give it or
        ``starts``, not both.
    days : int, keyword-only, default 365
        The length of the period followed, in days from day 0 of the records (1 to ``MAX_DAYS``, 3650).
    policy : AppealPolicy, keyword-only, optional
        The operator's process; default ``AppealPolicy()`` (the process as run).
    access : AccessModel, keyword-only, optional
        The assumptions about residents; default ``AccessModel()``.
    cost_per_day : float, keyword-only, default 10.0
        What a day under sanction costs a resident, in the city's currency (0 to 1e9).
    rng : None, int or numpy.random.Generator, keyword-only, default 0
        An int seed (the same seed, the same result, bit for bit), a Generator, or None for fresh randomness.
        ``seed=`` is its deprecated old name.
    grade : str, keyword-only, optional
        Residents graded ``grade`` or worse are sanctioned; default "D". Give it or ``starts``, not both.
    starts : DataFrame, keyword-only, optional
        The output of ``sanction_starts(world, scorecard, grade)``, to save recomputing it when many policies are
        compared; it must belong to ``world`` (same residents, districts, groups and incomes). It already holds
        the sanctions a scorecard decided, so ``scorecard`` and ``grade`` are refused beside it: they would
        be silently ignored.

    Returns
    -------
    DataFrame
        Index ``resident_id``; the columns of ``sanction_starts``, five of ``appeal_access`` (``barriers``,
        ``appeal_chance``, ``low_income``, ``language``, ``digital``), and:

        - ``caught_before``: a wrong sanction stopped by a check before it took effect;
        - ``aware_day``: the day the resident learned of the sanction (<NA> if not sanctioned in the period);
        - ``appeals``: appeals lodged within the period; ``appealed``: at least one;
        - ``end_day``: the day the sanction was lifted on appeal (<NA> if it was not, within the period);
        - ``still_sanctioned``: sanctioned on the last day of the period;
        - ``days_sanctioned``: days under sanction within the period; ``cost``: ``days_sanctioned *
          cost_per_day``; ``cost_share``: the cost as a share of the resident's yearly income.

    Raises
    ------
    ScoredTypeError
        ``world``, ``policy``, ``access``, ``rng`` or ``starts`` of the wrong kind.
    ScoredInputError
        ``days`` or ``cost_per_day`` out of range, a bad ``grade`` or ``rng``, ``starts`` from another city,
        or ``starts`` given with ``scorecard`` or ``grade``.

    Examples
    --------
    >>> from scored.world import make_world
    >>> outcomes = simulate_appeals(make_world(2000, seed=2), days=730, rng=0)
    >>> outcomes.loc[outcomes["wrongly_sanctioned"], ["start_day", "appeals", "end_day", "days_sanctioned"]]
                 start_day  appeals  end_day  days_sanctioned
    resident_id
    191                287        1      489              202
    584                129        0     <NA>              601
    675                361        1      505              144
    """
    _check_world(world)
    policy = AppealPolicy() if policy is None else policy
    access = AccessModel() if access is None else access
    days = _number("", "days", days, 1, MAX_DAYS, integer=True)
    cost_per_day = _number("", "cost_per_day", cost_per_day, 0, 1e9)
    if not isinstance(policy, AppealPolicy):
        raise ScoredTypeError(f"policy must be an AppealPolicy, got a {type(policy).__name__}")
    streams = _streams(rng)
    if starts is None:
        starts = sanction_starts(world, scorecard, "D" if grade is None else grade)
    else:
        given = [name for name, value in (("scorecard", scorecard), ("grade", grade)) if value is not None]
        if given:
            raise ScoredInputError(f"give starts or {' and '.join(given)}, not both: starts already holds the "
                                   f"sanctions a scorecard decided, so {' and '.join(given)} would be ignored")
        _check_starts(starts, world)
    acc = _access(world, policy, access, streams[0])
    n = len(starts)
    streams = streams[1:]
    u_before, u_discover = streams[0].random(n), streams[1].random(n)
    # lodge, prepare, review time, success: one stream per round, so a round's draws never depend on the policy
    rounds = [s.random((4, n)) for s in streams[2:2 + policy.max_appeals]]

    start = starts["start_day"].fillna(-1).to_numpy(dtype=np.int64)
    wrong = starts["wrongly_sanctioned"].to_numpy(dtype=bool)
    active = starts["sanctioned"].to_numpy(dtype=bool) & (start < days)
    caught = active & wrong & policy.review_before_sanction & (u_before < policy.p_error_found)
    active &= ~caught
    aware = start + (access.notice_days if policy.notice else _days_from(u_discover, access.discovery_days))
    end = np.full(n, np.iinfo(np.int64).max)
    appeals = np.zeros(n, dtype=np.int64)
    trying, day = active.copy(), aware.copy()
    chance = acc["appeal_chance"].to_numpy()
    success_chance = policy.p_error_found * acc["evidence_chance"].to_numpy()
    prep = acc["prep_days"].to_numpy()
    for r in range(policy.max_appeals):
        u_lodge, u_prep, u_review, u_success = rounds[r]
        lodges = trying & (u_lodge < chance * (1.0 if r == 0 else access.retry_factor))
        lodge_day = day + _days_from(u_prep, prep)
        decision = lodge_day + np.ceil(policy.review_deadline_days * (0.5 + 0.5 * u_review)).astype(np.int64)
        appeals += lodges & (lodge_day < days)
        won = lodges & wrong & (u_success < success_chance)
        end = np.where(won, decision, end)
        trying, day = lodges & ~won, decision
    lifted = active & (end < days)
    stop = np.where(lifted, end, days)
    seen = active & (aware < days)
    days_sanctioned = np.where(active, stop - start, 0).astype(np.int64)
    cost = days_sanctioned * cost_per_day
    extra = pd.DataFrame({
        "caught_before": caught,
        **{col: acc[col].to_numpy() for col in ("barriers", "appeal_chance", "low_income", "language", "digital")},
        "aware_day": pd.arrays.IntegerArray(np.where(seen, aware, 0), ~seen),
        "appeals": np.where(active, appeals, 0),
        "appealed": active & (appeals > 0),
        "end_day": pd.arrays.IntegerArray(np.where(lifted, end, 0), ~lifted),
        "still_sanctioned": active & ~lifted,
        "days_sanctioned": days_sanctioned,
        "cost": cost,
        "cost_share": cost / np.maximum(starts["income"].to_numpy(dtype=np.float64), 1.0),
    }, index=starts.index)
    return pd.concat([starts, extra], axis=1)


# ---------------------------------------------------------------------------------------------------- summaries
def _outcomes(outcomes: Any) -> Any:
    need = {"sanctioned", "wrongly_sanctioned", "appealed", "end_day", "days_sanctioned", "cost", "cost_share",
            "start_day"}
    if not isinstance(outcomes, pd.DataFrame):
        raise ScoredTypeError(f"outcomes must be the table simulate_appeals returns, got a {type(outcomes).__name__}")
    if not need <= set(outcomes.columns):
        raise ScoredInputError(f"outcomes must be the table simulate_appeals returns (columns {sorted(need)}), "
                               f"but it has no column {sorted(need - set(outcomes.columns))}")
    # "False" or NaN would count as True in a plain conversion to bool: refuse anything but True/False
    for c in ("sanctioned", "wrongly_sanctioned", "appealed"):
        check_bool_column(outcomes, c, f"outcomes column {c!r}", "outcomes")
    for c in ("days_sanctioned", "cost", "cost_share"):
        values = check_numeric_column(outcomes, c, f"outcomes column {c!r}", "outcomes").to_numpy(np.float64)
        if (values < 0).any() or (c == "days_sanctioned" and (values > MAX_DAYS).any()):
            raise ScoredInputError(f"outcomes column {c!r} must hold numbers >= 0"
                                   + (f" and at most {MAX_DAYS}" if c == "days_sanctioned" else "")
                                   + f", got values from {values.min():g} to {values.max():g}")
    start = outcomes["start_day"].dropna()
    if not pd.api.types.is_numeric_dtype(start.dtype) or (start.astype(np.float64) < 0).any():
        raise ScoredInputError("outcomes column 'start_day' must hold days >= 0 (or <NA>), got "
                               f"dtype {outcomes['start_day'].dtype}")
    return outcomes


def _period(o: pd.DataFrame, days: Any) -> int:
    """``days``, checked: a whole number of days, and the period the ``outcomes`` ``o`` were simulated for.

    The outcomes do not store their period (pandas drops ``DataFrame.attrs`` on many operations), so the caller
    passes it again; it must agree with the table: no sanction may run past it, and a resident still sanctioned at
    the end of the period was sanctioned up to exactly that day.
    """
    days = int(_number("", "days", days, 1, MAX_DAYS, integer=True))
    length = o["days_sanctioned"].to_numpy(dtype=np.int64)
    on = length > 0
    end = o["start_day"].fillna(0).to_numpy(dtype=np.int64) + length
    hint = "pass the days= given to simulate_appeals"
    if on.any() and end[on].max() > days:
        raise ScoredInputError(f"days must be the period the outcomes were simulated for, but a sanction in them "
                               f"lasts until day {end[on].max()}, past days={days}: {hint}")
    if "still_sanctioned" in o.columns:
        still = check_bool_column(o, "still_sanctioned", "outcomes column 'still_sanctioned'", "outcomes")
        still = still.to_numpy(dtype=bool) & on
        if still.any() and (end[still] != days).any():
            raise ScoredInputError(f"days must be the period the outcomes were simulated for, but residents still "
                                   f"sanctioned at its end were sanctioned until day {end[still].max()}, not "
                                   f"until days={days}: {hint}")
    return days


@renamed_keywords(by="group")
def summarise(outcomes: pd.DataFrame, group: str | None = None) -> pd.DataFrame:
    """Wrongful sanctions and their cost, overall (``group=None``) or per value of a column such as ``"group"``.

    Only wrong sanctions are counted: those the corrected records would not impose. The table may be filtered
    first (say, to one district); rates are then per resident of the rows given.

    Parameters
    ----------
    outcomes : DataFrame
        The table ``simulate_appeals`` returns, or some of its rows.
    group : str, optional
        A column of ``outcomes`` to summarise by, such as ``"group"``, ``"district"`` or ``"work"``; default
        None, one row for the whole table. ``by=`` is its deprecated old name.

    Returns
    -------
    DataFrame
        One row per value of ``group`` (sorted; index named after ``group``), or a single row ``"all"``. Columns:
        ``residents``; ``wrongly_sanctioned`` (wrongly sanctioned for at least one day of the period: not caught by
        a check first, not starting after the period) and ``per_1000`` (per 1,000 residents); of the wrongly
        sanctioned, the share who ``appealed``, the share whose sanction was ``lifted`` within the period and the
        ``mean_days`` they spent sanctioned; ``sanction_days`` (their days added up) and ``days_per_1000``
        residents; ``cost`` (added up) and ``mean_cost_share`` (their average cost as a share of income). Rates
        over nobody are NaN.

    Raises
    ------
    ScoredTypeError
        ``outcomes`` is not a DataFrame.
    ScoredInputError
        ``outcomes`` lacks a column of ``simulate_appeals``' table or holds bad values (a True/False column with
        other values, negative days or costs), or ``group`` is not one of its columns.

    Examples
    --------
    >>> from scored.world import make_world
    >>> outcomes = simulate_appeals(make_world(2000, seed=2), days=730, rng=0)
    >>> summarise(outcomes, "group")[["residents", "wrongly_sanctioned", "days_per_1000"]].round(1)
             residents  wrongly_sanctioned  days_per_1000
    group
    Kestrel       1701                   1           84.7
    Heron          299                   2         2685.6
    """
    o = _outcomes(outcomes)
    if group is not None:
        check_column(o, group, "group", "outcomes")
        if group not in o.columns:
            raise ScoredInputError(f"group must be one column of the outcomes (e.g. 'group', 'district', 'work'), got {group!r}")
    if group is None:
        return _summary(_wrongful(o), None, pd.Series({"all": len(o)}))
    return _summary(_wrongful(o), o[group], _residents(o[group]))


def _wrongful(o: pd.DataFrame) -> pd.DataFrame:
    """What ``summarise`` adds up, one row for each resident of checked outcomes ``o`` wrongly sanctioned within the
    period (not caught by a check first, not starting after the period), indexed by position in ``o``: a few
    hundred rows of a city's thousands, and the grids make them once a run."""
    w = o["wrongly_sanctioned"].to_numpy(dtype=bool) & (o["days_sanctioned"].to_numpy() > 0)
    return pd.DataFrame({
        "wrongly_sanctioned": np.ones(int(w.sum()), dtype=np.int64),
        "appealed": o["appealed"].to_numpy(dtype=bool)[w],
        "lifted": o["end_day"].notna().to_numpy()[w],
        "sanction_days": o["days_sanctioned"].to_numpy()[w],
        "cost": o["cost"].to_numpy(dtype=np.float64)[w],
        "cost_share": o["cost_share"].to_numpy(dtype=np.float64)[w],
    }, index=np.flatnonzero(w))


def _residents(by: pd.Series) -> pd.Series:
    """How many residents hold each value of the column ``by`` (sorted, as ``summarise`` lists them)."""
    return by.groupby(by, observed=True, sort=True).size()


def _summary(wrongful: pd.DataFrame, by: pd.Series | None, residents: pd.Series) -> pd.DataFrame:
    """``summarise``'s table from ``_wrongful`` rows, overall (``by=None``; ``residents`` one count, ``"all"``) or per
    value of the column ``by`` (``residents`` from ``_residents(by)``)."""
    if by is None:
        sums = wrongful.sum().to_frame("all").T
    else:
        keys = by.iloc[wrongful.index].set_axis(wrongful.index)  # each row's value of ``by``
        sums = wrongful.groupby(keys, observed=True, sort=True).sum()
    sums = sums.reindex(residents.index, fill_value=0)
    sums.insert(0, "residents", residents)
    k = sums["wrongly_sanctioned"].astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame({
            "residents": sums["residents"].astype(np.int64),
            "wrongly_sanctioned": sums["wrongly_sanctioned"].astype(np.int64),
            "per_1000": 1000 * k / sums["residents"],
            "appealed": np.where(k > 0, sums["appealed"] / k, np.nan),
            "lifted": np.where(k > 0, sums["lifted"] / k, np.nan),
            "mean_days": np.where(k > 0, sums["sanction_days"] / k, np.nan),
            "sanction_days": sums["sanction_days"].astype(np.int64),
            "days_per_1000": 1000 * sums["sanction_days"] / sums["residents"],
            "cost": sums["cost"].astype(np.float64),
            "mean_cost_share": np.where(k > 0, sums["cost_share"] / k, np.nan),
        }, index=sums.index)
    return out


@renamed_keywords(by="group")
def timeline(outcomes: pd.DataFrame, group: str | None = None, who: str = "wrongly", *, days: int) -> pd.DataFrame:
    """How many residents are under sanction on each day of the period, overall or per value of column ``group``.

    The outcomes do not store the period they cover, so ``days`` must be given again: the same ``days`` as
    passed to ``simulate_appeals``. A ``days`` that disagrees with the table (a sanction lasting past it, or
    residents still sanctioned at the end of the period whose sanction ends before it) is refused.

    Parameters
    ----------
    outcomes : DataFrame
        The table ``simulate_appeals`` returns, or some of its rows.
    group : str, optional
        A column of ``outcomes`` (``"group"``, ``"district"``, ``"work"`` ...): one line per value; default None,
        one line for the whole table. ``by=`` is its deprecated old name.
    who : {"wrongly", "rightly", "all"}, default "wrongly"
        Which sanctioned residents to count.
    days : int, keyword-only, required
        The length of the period ``outcomes`` were simulated for: the ``days`` given to ``simulate_appeals``.

    Returns
    -------
    DataFrame
        A long table, one row per day (0 to ``days - 1``) and value of ``group``, with a default index and the
        columns ``day``, the ``group`` column (if given), ``sanctioned`` (residents under sanction that day) and
        ``per_1000`` (per 1,000 residents of the row's group, or of the table).

    Raises
    ------
    TypeError
        ``days`` is not given.
    ScoredTypeError
        ``outcomes`` is not a DataFrame.
    ScoredInputError
        ``outcomes`` lacks a column or holds bad values, an unknown ``who`` or ``group``, or a ``days`` out of
        range or not the period of ``outcomes``.

    Examples
    --------
    >>> from scored.world import make_world
    >>> outcomes = simulate_appeals(make_world(2000, seed=2), days=730, rng=0)
    >>> lines = timeline(outcomes, "group", days=730)
    >>> lines[lines["day"] == 400].round(2)
          day    group  sanctioned  per_1000
    400   400  Kestrel           1      0.59
    1130  400    Heron           2      6.69
    """
    o = _outcomes(outcomes)
    check_choice(who, "who", ("wrongly", "rightly", "all"))
    days = _period(o, days)
    wrong = o["wrongly_sanctioned"].to_numpy(dtype=bool)
    sel = {"wrongly": wrong, "rightly": ~wrong, "all": np.ones(len(o), dtype=bool)}[who]
    sel = sel & (o["days_sanctioned"].to_numpy() > 0)
    start = o["start_day"].fillna(0).to_numpy(dtype=np.int64)
    stop = start + o["days_sanctioned"].to_numpy(dtype=np.int64)
    if group is None:
        keys, codes = np.array(["all"]), np.zeros(len(o), dtype=np.int64)
    else:
        check_column(o, group, "group", "outcomes")
        col = o[group]
        codes, keys = pd.factorize(col, sort=True)
        if isinstance(col.dtype, pd.CategoricalDtype):
            keys = np.asarray(keys.astype(object))
    m = len(keys)
    delta = np.zeros((m, days + 1), dtype=np.int64)
    np.add.at(delta, (codes[sel], start[sel]), 1)
    np.add.at(delta, (codes[sel], stop[sel]), -1)
    counts = np.cumsum(delta, axis=1)[:, :days]
    size = bincount(codes, minlength=m)
    out = pd.DataFrame({"day": np.tile(np.arange(days), m), "_k": np.repeat(np.arange(m), days),
                        "sanctioned": counts.ravel()})
    out["per_1000"] = 1000 * out["sanctioned"] / size[out["_k"]]
    if group is not None:
        out.insert(1, group, np.asarray(keys, dtype=object)[out["_k"]])
        if isinstance(o[group].dtype, pd.CategoricalDtype):
            out[group] = pd.Categorical(out[group], categories=o[group].cat.categories)
    return out.drop(columns="_k")


@renamed_keywords(by="groups")
def policy_grid(world: Any, scorecard: Any = None, *, deadlines: Sequence[int] = (14, 30, 60, 90, 180),
                appeal_chances: Sequence[float] = (0.2, 0.4, 0.6, 0.8, 1.0), notice: Sequence[bool] = (False, True),
                groups: Sequence[str] = ("group", "work", "district"), policy: AppealPolicy | None = None,
                access: AccessModel | None = None, days: int = 365, seeds: Sequence[int] = (0,),
                grade: str = "D", cost_per_day: float = 10.0) -> pd.DataFrame:
    """``summarise`` over a grid of review deadlines x base appeal chances x notice, for a chart with sliders.

    Every combination is simulated with ``simulate_appeals`` (one run per seed, common random numbers across the
    grid); every other setting comes from ``policy`` and ``access``. With several ``seeds`` the table holds the
    average over the runs (counts are then averages too).

    Parameters
    ----------
    world : World
        A city from ``scored.world``.
    scorecard : Scorecard or dict, optional
        The scorecard that decides the sanctions; default ``scored.scoring.DEFAULT_SCORECARD``.
    deadlines : list of int, keyword-only, default (14, 30, 60, 90, 180)
        Values of ``AppealPolicy.review_deadline_days`` to try (each 1 to 365).
    appeal_chances : list of float, keyword-only, default (0.2, 0.4, 0.6, 0.8, 1.0)
        Values of ``AccessModel.base_appeal_chance`` to try (each 0 to 1).
    notice : list of bool, keyword-only, default (False, True)
        Values of ``AppealPolicy.notice`` to try.
    groups : list of str, keyword-only, default ("group", "work", "district")
        The columns to summarise by. ``by=`` is its deprecated old name.
    policy : AppealPolicy, keyword-only, optional
        The other settings of the process; default ``AppealPolicy()``.
    access : AccessModel, keyword-only, optional
        The other assumptions about residents; default ``AccessModel()``.
    days : int, keyword-only, default 365
        The period followed, as in ``simulate_appeals``.
    seeds : list of int, keyword-only, default (0,)
        One run per seed; the table averages them.
    grade : str, keyword-only, default "D"
        Residents graded ``grade`` or worse are sanctioned.
    cost_per_day : float, keyword-only, default 10.0
        What a day under sanction costs, as in ``simulate_appeals``.

    Returns
    -------
    DataFrame
        A long table with a default index: ``deadline``, ``appeal_chance``, ``notice``, ``column`` (which of
        ``groups``), ``value`` (the group, as text), then the columns of ``summarise``.

    Raises
    ------
    ScoredTypeError
        ``policy`` or ``access`` of the wrong kind, or a bad argument of ``simulate_appeals``.
    ScoredInputError
        An empty list, a value out of its range, or a column of ``groups`` that the outcomes do not have.

    Examples
    --------
    >>> from scored.world import make_world
    >>> grid = policy_grid(make_world(2000, seed=2), deadlines=[14, 180], appeal_chances=[0.8], notice=[True],
    ...                    groups=["group"], days=730)
    >>> grid[["deadline", "value", "wrongly_sanctioned", "mean_days"]]
       deadline    value  wrongly_sanctioned  mean_days
    0        14  Kestrel                 1.0       22.0
    1        14    Heron                 2.0      311.5
    2       180  Kestrel                 1.0      182.0
    3       180    Heron                 2.0      371.5
    """
    policy = AppealPolicy() if policy is None else policy
    access = AccessModel() if access is None else access
    if not isinstance(policy, AppealPolicy) or not isinstance(access, AccessModel):
        raise ScoredTypeError("policy must be an AppealPolicy and access an AccessModel")
    for name, values in (("deadlines", deadlines), ("appeal_chances", appeal_chances), ("notice", notice),
                         ("groups", groups), ("seeds", seeds)):
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
            raise ScoredInputError(f"{name} must be a non-empty list, got {values!r}")
    starts = sanction_starts(world, scorecard, grade)
    for b in groups:
        if b not in starts.columns:
            raise ScoredInputError(f"groups: outcomes have no column {b!r}; use some of {list(_GROUP_COLUMNS)}")
    residents = {b: _residents(starts[b]) for b in groups}  # every run's outcomes hold starts' columns as they are
    rows = []
    for d in deadlines:
        for c in appeal_chances:
            for nt in notice:
                pol = replace(policy, review_deadline_days=d, notice=nt)
                acc = replace(access, base_appeal_chance=c)
                runs = [simulate_appeals(world, days=days, policy=pol, access=acc, rng=s, starts=starts,
                                         cost_per_day=cost_per_day) for s in seeds]
                wrongful = [_wrongful(r) for r in runs]  # the toolkit's own outcomes: no need to check them again
                for b in groups:
                    table = sum(_summary(f, starts[b], residents[b]) for f in wrongful) / len(runs)
                    table = table.rename_axis("value").reset_index()
                    table.insert(0, "column", b)
                    table.insert(0, "notice", bool(nt))
                    table.insert(0, "appeal_chance", float(c))
                    table.insert(0, "deadline", int(d))
                    table["value"] = table["value"].astype(str)
                    rows.append(table)
    return pd.concat(rows, ignore_index=True)



# ---------------------------------------------------------------------------------------------------- safeguards
# Added for the chapter "Contestability by design": the same simulation, rerun with safeguards switched on one at a
# time and together, and an account of what each safeguard costs.

SAFEGUARDS = {
    "notice": {"notice": True},
    "check before sanction": {"review_before_sanction": True},
    "30-day deadline": {"review_deadline_days": 30},
    "burden on operator": {"burden_on_resident": False},
    "offline access": {"online_only": False},
}
"""Each safeguard as the change it makes to an ``AppealPolicy`` (applied to the policy as run)."""


def _safeguards(safeguards: Any) -> Any:
    if not isinstance(safeguards, Mapping) or not safeguards:
        raise ScoredInputError(f"safeguards must be a non-empty dict name -> {{AppealPolicy field: value}}, got "
                         f"{safeguards!r}")
    fields = set(AppealPolicy.__dataclass_fields__) - {"name"}
    for name, change in safeguards.items():
        if not isinstance(name, str) or not isinstance(change, Mapping) or not change:
            raise ScoredInputError(f"safeguards[{name!r}] must be a non-empty dict of AppealPolicy fields, got {change!r}")
        bad = sorted(set(change) - fields)
        if bad:
            raise ScoredInputError(f"safeguards[{name!r}] changes unknown AppealPolicy field(s) {bad}; "
                             f"use some of {sorted(fields)}")
    return safeguards


def with_safeguards(names: Sequence[str] = (), policy: AppealPolicy | None = None,
                    safeguards: Mapping = SAFEGUARDS) -> AppealPolicy:
    """``policy`` (default: the policy as run) with the safeguards ``names`` switched on.

    The result is named after the safeguards it has, in the order of ``safeguards`` (e.g.
    ``"notice + 30-day deadline"``), or keeps the name of ``policy`` (``"as run"``) when ``names`` is empty.

    Parameters
    ----------
    names : list of str, default ()
        Keys of ``safeguards``: the safeguards to switch on.
    policy : AppealPolicy, optional
        The policy to start from; default ``AppealPolicy()``, the policy as run.
    safeguards : dict, default SAFEGUARDS
        Safeguard name -> the ``AppealPolicy`` fields it changes, as a dict ``{field: value}``.

    Returns
    -------
    AppealPolicy
        A copy of ``policy`` with the changes of every safeguard in ``names``.

    Raises
    ------
    ScoredTypeError
        ``policy`` is not an AppealPolicy, or ``names`` is not a list.
    ScoredInputError
        An unknown safeguard name, or ``safeguards`` that change unknown fields.

    Examples
    --------
    >>> policy = with_safeguards(["30-day deadline", "notice"])
    >>> policy.name, policy.notice, policy.review_deadline_days
    ('notice + 30-day deadline', True, 30)
    """
    policy = AppealPolicy() if policy is None else policy
    if not isinstance(policy, AppealPolicy):
        raise ScoredTypeError(f"policy must be an AppealPolicy, got {type(policy).__name__}")
    safeguards = _safeguards(safeguards)
    if isinstance(names, (str, bytes)) or not isinstance(names, Sequence):
        raise ScoredTypeError(f"names must be a list of safeguard names, got {names!r}")
    unknown = [n for n in names if n not in safeguards]
    if unknown:
        raise ScoredInputError(f"unknown safeguard(s) {unknown}; use some of {list(safeguards)}")
    changes = {}
    ordered = [n for n in safeguards if n in set(names)]
    for n in ordered:
        changes.update(safeguards[n])
    return replace(policy, **changes, name=" + ".join(ordered) if ordered else policy.name)


def safeguard_costs(outcomes: pd.DataFrame, policy: AppealPolicy, *, days: int, check_days: int = 5,
                    p_wrongly_cleared: float = 0.02, operator_burden_factor: float = 2.0) -> pd.DataFrame:
    """What a policy costs, from the ``outcomes`` that ``simulate_appeals`` returned for it; one row.

    The simulation itself has no such costs, so they are counted here, with these stated assumptions:

    - ``reviews_per_year``: cases a person must look at, per 365 days of the period: every sanction that started in
      the period when ``policy.review_before_sanction`` (the check), plus every appeal lodged (``appeals``);
    - a check before a sanction takes ``check_days`` days, and the sanction waits for it: ``delay_days`` adds up
      the days by which *correct* sanctions start later (cut at the end of the period), ``delay_per_correct`` is
      that per correctly sanctioned resident;
    - a reviewer who looks at a correct sanction lifts it by mistake with chance ``p_wrongly_cleared``, multiplied
      by ``operator_burden_factor`` when the operator carries the burden of proof (it cannot always prove a
      correct record in time). ``escaped`` is the expected number of correctly sanctioned residents who escape
      their sanction that way, counted once per review (check or appeal) of a correct sanction.

    The outcomes do not store the period they cover, so ``days`` must be given again, as for ``timeline``.

    Parameters
    ----------
    outcomes : DataFrame
        The table ``simulate_appeals`` returned for ``policy``.
    policy : AppealPolicy
        The policy the outcomes were simulated under.
    days : int, keyword-only, required
        The length of the period ``outcomes`` were simulated for: the ``days`` given to ``simulate_appeals``.
    check_days : int, keyword-only, default 5
        Days a check before a sanction takes (0 to 365).
    p_wrongly_cleared : float, keyword-only, default 0.02
        The chance (0 to 1) that a review of a correct sanction lifts it by mistake.
    operator_burden_factor : float, keyword-only, default 2.0
        Multiplies ``p_wrongly_cleared`` (1 to 100) when the operator carries the burden of proof.

    Returns
    -------
    DataFrame
        One row, indexed by the policy's name (index ``policy``), with ``correctly_sanctioned`` (correct
        sanctions that started in the period), ``checks`` and ``appeals`` (their counts), ``appeals_by_correct``
        (appeals against correct sanctions), ``reviews_per_year``, ``delay_days``, ``delay_per_correct`` (NaN
        when nobody is correctly sanctioned) and ``escaped``, as above.

    Raises
    ------
    TypeError
        ``days`` is not given.
    ScoredTypeError
        ``outcomes`` is not a DataFrame or ``policy`` not an AppealPolicy.
    ScoredInputError
        ``outcomes`` lacks a column of ``simulate_appeals``' table or holds bad values, a number out of its range,
        or a ``days`` that is not the period of ``outcomes``.

    Examples
    --------
    >>> from scored.world import make_world
    >>> policy = with_safeguards(["check before sanction"])
    >>> outcomes = simulate_appeals(make_world(2000, seed=2), days=730, policy=policy, rng=0)
    >>> costs = safeguard_costs(outcomes, policy, days=730)
    >>> costs[["checks", "appeals", "reviews_per_year", "escaped"]].round(2)
                           checks  appeals  reviews_per_year  escaped
    policy
    check before sanction      47       13              30.0     1.14
    """
    o = _outcomes(outcomes)
    if not isinstance(policy, AppealPolicy):
        raise ScoredTypeError(f"policy must be an AppealPolicy, got {type(policy).__name__}")
    check_days = _number("", "check_days", check_days, 0, 365, integer=True)
    p = _number("", "p_wrongly_cleared", p_wrongly_cleared, 0, 1)
    factor = _number("", "operator_burden_factor", operator_burden_factor, 1, 100)
    if "appeals" not in o.columns or "caught_before" not in o.columns:
        raise ScoredInputError("outcomes must be the table simulate_appeals returns (with 'appeals' and 'caught_before')")
    days = _period(o, days)
    start = o["start_day"].fillna(days).to_numpy(dtype=np.int64)
    in_period = o["sanctioned"].to_numpy(dtype=bool) & (start < days)
    wrong = o["wrongly_sanctioned"].to_numpy(dtype=bool)
    correct = in_period & ~wrong
    checks = int(in_period.sum()) if policy.review_before_sanction else 0
    appeals = o["appeals"].to_numpy(dtype=np.int64)
    appeals_correct = int(appeals[correct].sum())
    delay = np.minimum(check_days, days - start[correct]).sum() if policy.review_before_sanction else 0
    reviews_of_correct = appeals_correct + (int(correct.sum()) if policy.review_before_sanction else 0)
    p_clear = min(1.0, p * (1.0 if policy.burden_on_resident else factor))
    n_correct = int(correct.sum())
    return pd.DataFrame({
        "correctly_sanctioned": [n_correct], "checks": [checks], "appeals": [int(appeals.sum())],
        "appeals_by_correct": [appeals_correct],
        "reviews_per_year": [(checks + int(appeals.sum())) * 365 / days],
        "delay_days": [int(delay)], "delay_per_correct": [float(delay) / n_correct if n_correct else np.nan],
        "escaped": [reviews_of_correct * p_clear],
    }, index=pd.Index([policy.name], name="policy"))


@renamed_keywords(by="groups")
def safeguard_grid(world: Any, scorecard: Any = None, *, safeguards: Mapping = SAFEGUARDS, policy: AppealPolicy | None = None,
                   access: AccessModel | None = None, groups: Sequence[str] = ("group", "work", "district", "disability"),
                   days: int = 365, seeds: Sequence[int] = (0,), grade: str = "D", cost_per_day: float = 10.0,
                   **cost_options: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every combination of ``safeguards`` (2 ** len(safeguards) policies) run on ``world``: (summary, costs).

    Each combination is ``with_safeguards`` of ``policy``, simulated with ``simulate_appeals`` once per seed, then
    summarised with ``summarise`` and costed with ``safeguard_costs``. With several ``seeds`` both tables hold
    averages over the runs (common random numbers across policies within a seed).

    Parameters
    ----------
    world : World
        A city from ``scored.world``.
    scorecard : Scorecard or dict, optional
        The scorecard that decides the sanctions; default ``scored.scoring.DEFAULT_SCORECARD``.
    safeguards : dict, keyword-only, default SAFEGUARDS
        Safeguard name -> the ``AppealPolicy`` fields it changes; at most 8 safeguards (256 combinations).
    policy : AppealPolicy, keyword-only, optional
        The policy to add safeguards to; default ``AppealPolicy()``, the policy as run.
    access : AccessModel, keyword-only, optional
        The assumptions about residents; default ``AccessModel()``.
    groups : list of str, keyword-only, default ("group", "work", "district", "disability")
        The columns to summarise by, besides the whole city. ``by=`` is its deprecated old name.
    days : int, keyword-only, default 365
        The period followed, as in ``simulate_appeals``.
    seeds : list of int, keyword-only, default (0,)
        One run per seed; the tables average them.
    grade : str, keyword-only, default "D"
        Residents graded ``grade`` or worse are sanctioned.
    cost_per_day : float, keyword-only, default 10.0
        What a day under sanction costs, as in ``simulate_appeals``.
    **cost_options
        ``check_days``, ``p_wrongly_cleared`` or ``operator_burden_factor``, passed to ``safeguard_costs``.

    Returns
    -------
    summary : DataFrame
        A long table with a default index: one True/False column per safeguard, ``policy`` (its name),
        ``column`` (``"all"`` for the whole city, or which of ``groups``), ``value`` (the group, as text) and the
        columns of ``summarise``.
    costs : DataFrame
        One row per combination, with a default index: the safeguard columns, ``policy`` and the columns of
        ``safeguard_costs``.

    Raises
    ------
    ScoredTypeError
        ``policy`` or ``access`` of the wrong kind, or a bad argument of ``simulate_appeals``.
    ScoredInputError
        Bad ``safeguards`` (empty, more than 8, unknown fields), an empty list, or a column of ``groups`` that
        the outcomes do not have.

    Examples
    --------
    >>> from scored.world import make_world
    >>> two = {name: SAFEGUARDS[name] for name in ["notice", "check before sanction"]}
    >>> summary, costs = safeguard_grid(make_world(2000, seed=2), safeguards=two, groups=["group"], days=730)
    >>> summary.loc[summary["column"] == "all", ["policy", "sanction_days"]]
                               policy  sanction_days
    0                          as run          947.0
    3                          notice          773.0
    6           check before sanction            0.0
    9  notice + check before sanction            0.0
    >>> costs[["policy", "reviews_per_year"]]
                               policy  reviews_per_year
    0                          as run               7.5
    1                          notice              13.5
    2           check before sanction              30.0
    3  notice + check before sanction              36.0
    """
    policy = AppealPolicy() if policy is None else policy
    access = AccessModel() if access is None else access
    if not isinstance(policy, AppealPolicy) or not isinstance(access, AccessModel):
        raise ScoredTypeError("policy must be an AppealPolicy and access an AccessModel")
    safeguards = _safeguards(safeguards)
    if len(safeguards) > 8:
        raise ScoredInputError(f"at most 8 safeguards (256 combinations), got {len(safeguards)}")
    for name, values in (("groups", groups), ("seeds", seeds)):
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
            raise ScoredInputError(f"{name} must be a non-empty list, got {values!r}")
    starts = sanction_starts(world, scorecard, grade)
    starts = starts.assign(disability=world.residents["disability"].to_numpy())
    for b in groups:
        if b not in starts.columns:
            raise ScoredInputError(f"groups: outcomes have no column {b!r}; use some of "
                             f"{list(_GROUP_COLUMNS) + ['disability']}")
    residents = {b: _residents(starts[b]) for b in groups}  # every run's outcomes hold starts' columns as they are
    everyone = pd.Series({"all": len(starts)})
    names = list(safeguards)
    rows, costs = [], []
    for mask in range(2 ** len(names)):
        on = [n for i, n in enumerate(names) if mask >> i & 1]
        pol = with_safeguards(on, policy, safeguards)
        flags = {n: n in on for n in names}
        runs = [simulate_appeals(world, days=days, policy=pol, access=access, rng=s, starts=starts,
                                 cost_per_day=cost_per_day) for s in seeds]
        wrongful = [_wrongful(r) for r in runs]  # the toolkit's own outcomes: no need to check them again
        tables = [(sum(_summary(f, None, everyone) for f in wrongful) / len(runs)).rename_axis("value").reset_index()
                  .assign(column="all")]
        for b in groups:
            t = sum(_summary(f, starts[b], residents[b]) for f in wrongful) / len(runs)
            tables.append(t.rename_axis("value").reset_index().assign(column=b))
        table = pd.concat(tables, ignore_index=True)
        table["value"] = table["value"].astype(str)
        table.insert(0, "policy", pol.name)
        for n in reversed(names):
            table.insert(0, n, flags[n])
        rows.append(table)
        c = sum(safeguard_costs(r, pol, days=days, **cost_options).reset_index(drop=True) for r in runs) / len(runs)
        c.insert(0, "policy", pol.name)
        for n in reversed(names):
            c.insert(0, n, flags[n])
        costs.append(c)
    summary = pd.concat(rows, ignore_index=True)
    cols = ["column", "value"]
    summary = summary[names + ["policy"] + cols + [c for c in summary.columns if c not in names + ["policy"] + cols]]
    return summary, pd.concat(costs, ignore_index=True)


__all__ += ["SAFEGUARDS", "with_safeguards", "safeguard_costs", "safeguard_grid"]
