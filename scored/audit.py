"""Fairness and error metrics: who is selected, how often the selection is wrong, and for whom.

The functions take an ordinary DataFrame with one row per person (or per decision) and the *names* of its columns:

- ``selection_rates``, ``disparate_impact`` and ``four_fifths_check`` compare how often each group is selected;
- ``confusion`` and ``error_rates`` compare a decision (``predicted``) with the truth (``actual``), overall and by
  group: false positive and false negative rates, predictive values, base rates;
- ``calibration_table`` compares a score with the observed outcome per group and score bin;
- ``ground_truth_labels`` turns a ``scored.world`` city and a scorecard into one row per resident with the decision
  made on the *records* and the decision the same scorecard would make on the *true behaviour*;
- ``audit_report`` puts it together into a report with tables and plain-language findings.

Errors. Every function validates its inputs. A bad input -- not a DataFrame, a missing column, a column of the wrong
type, missing values, an empty frame, a bad parameter -- raises ``AuditInputError``, a subclass of ``ValueError``
whose message names the column or parameter. A result that is mathematically undefined (a ratio 0/0) also raises
``AuditInputError`` rather than returning a silent NaN; rates with a zero denominator *inside* a table are NaN.

In the synthetic city we know the truth, so error rates can be measured. Real auditors almost never can: they see
the records, not what happened.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["AuditInputError", "selection_rates", "disparate_impact", "FourFifths", "four_fifths_check",
           "confusion", "error_rates", "calibration_table", "ground_truth_labels", "GroupAudit", "AuditReport",
           "audit_report", "TRUTH_BASES"]

FOUR_FIFTHS = 0.8
SMALL_GROUP = 30  # rates of groups smaller than this are flagged as unreliable in findings
TRUTH_BASES = ("behaviour", "corrected_records")
RATE_COLUMNS = ("base_rate", "selection_rate", "tpr", "fpr", "tnr", "fnr", "ppv", "npv")
COUNT_COLUMNS = ("n", "tp", "fp", "tn", "fn")


class AuditInputError(ValueError):
    """A bad input to a ``scored.audit`` function (a ``ValueError``; the message names the column or parameter)."""


# ---------------------------------------------------------------------------------------------------- validation
def _frame(df, what="df", empty_ok=False):
    if not isinstance(df, pd.DataFrame):
        raise AuditInputError(f"{what} must be a pandas DataFrame, got {type(df).__name__}")
    if not empty_ok and len(df) == 0:
        raise AuditInputError(f"{what} is empty: rates need at least one row")
    return df


def _column(df, col, role, what="df"):
    """The Series ``df[col]``; ``role`` says which argument named it (for messages)."""
    if not isinstance(col, Hashable) or isinstance(col, (list, tuple)):
        raise AuditInputError(f"{role} must be a column name, got {col!r}")
    if col not in df.columns:
        raise AuditInputError(f"{what} has no column {col!r} (given as {role}; columns: {list(df.columns)})")
    s = df[col]
    if isinstance(s, pd.DataFrame):
        raise AuditInputError(f"{what} has more than one column named {col!r} ({role})")
    n_missing = int(s.isna().sum())
    if n_missing:
        raise AuditInputError(f"column {col!r} ({role}) has {n_missing:,} missing value(s); fill or drop them first")
    return s


def _bool_column(df, col, role, what="df"):
    s = _column(df, col, role, what)
    if not pd.api.types.is_bool_dtype(s.dtype):
        raise AuditInputError(
            f"column {col!r} ({role}) must be boolean (True/False), got dtype {s.dtype}; convert it explicitly, "
            f"e.g. df[{col!r}] == 1 or df['grade'] == 'D'")
    return s.astype(bool)


def _numeric_column(df, col, role, what="df"):
    s = _column(df, col, role, what)
    if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
        raise AuditInputError(f"column {col!r} ({role}) must be numeric, got dtype {s.dtype}")
    values = s.to_numpy(dtype=np.float64)
    if not np.isfinite(values).all():
        raise AuditInputError(f"column {col!r} ({role}) has infinite values")
    return s


def _bool_param(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise AuditInputError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _pct(x, digits=1):
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}%}"


# ---------------------------------------------------------------------------------------------------- selection
def selection_rates(df: pd.DataFrame, group, selected) -> pd.Series:
    """The share of rows in each group where the boolean column ``selected`` is True.

    Returns a Series named ``"selection_rate"``, indexed by the values of column ``group`` (sorted; a categorical
    column keeps its category order, and categories with no rows are left out).
    ``selected`` must be a boolean column: an integer 0/1 column is refused, so that "selected" is never guessed.
    """
    _frame(df)
    g = _column(df, group, "group")
    sel = _bool_column(df, selected, "selected")
    rates = sel.groupby(g, observed=True, sort=True).mean().astype(np.float64)
    rates.name = "selection_rate"
    rates.index.name = group
    return rates


def disparate_impact(df: pd.DataFrame, group, selected) -> float:
    """The lowest group's selection rate divided by the highest group's: 1 = equal rates, 0.5 = half as often.

    **The four-fifths rule.** The US *Uniform Guidelines on Employee Selection Procedures* (29 CFR 1607.4(D), 1978)
    call a ratio below 0.8 "generally" evidence of adverse impact. It is a rule of thumb for when to look closer,
    not a legal threshold: a ratio above 0.8 does not show that a process is fair, and small groups make the ratio
    noisy.

    **Which direction "selected" means.** The rule was written for *favourable* outcomes (being hired). If being
    selected is *harmful* -- being blacklisted -- the ratio of harm rates (lowest / highest) says how much *less*
    often the best-treated group is harmed, and a rare harm gives misleading results. Either apply it to the rate
    of *not* being selected (``disparate_impact(df.assign(ok=~df.blacklisted), group, "ok")``), or report the ratio
    of the harm rates highest / lowest (a relative risk). ``four_fifths_check(..., favourable=False)`` does both.

    Raises ``AuditInputError`` if there are fewer than two groups, or if no group has any selected row (the ratio
    0/0 is undefined). The result lies in [0, 1]; it is 0 when some group is never selected.
    """
    rates = selection_rates(df, group, selected)
    if len(rates) < 2:
        raise AuditInputError(f"column {group!r} (group) has only one group ({rates.index[0]!r}): "
                              "disparate impact compares at least two")
    hi = rates.max()
    if hi == 0:
        raise AuditInputError(f"no row of any group is selected ({selected!r} is all False): the ratio of selection "
                              "rates 0/0 is undefined")
    return float(rates.min() / hi)


@dataclass(frozen=True)
class FourFifths:
    """The result of ``four_fifths_check``.

    ``rates``: share of rows where ``selected`` is True, per group; ``favourable_rates``: share with the favourable
    outcome (``rates`` if ``favourable`` else 1 - ``rates``); ``ratio``: lowest / highest favourable rate;
    ``passes``: ``ratio >= threshold``; ``lowest``/``highest``: the groups with the lowest and highest favourable
    rate; ``harm_ratio``: highest / lowest rate of the *unfavourable* outcome (a relative risk; ``inf`` if the
    lowest is 0, NaN if nobody has it); ``sentence``: the result in plain words.
    """

    group: str
    selected: str
    favourable: bool
    rates: pd.Series
    favourable_rates: pd.Series
    ratio: float
    passes: bool
    lowest: object
    highest: object
    harm_ratio: float
    threshold: float
    sentence: str

    def to_dict(self) -> dict:
        return {"group": self.group, "selected": self.selected, "favourable": self.favourable,
                "rates": self.rates.to_dict(), "favourable_rates": self.favourable_rates.to_dict(),
                "ratio": self.ratio, "passes": self.passes, "lowest": self.lowest, "highest": self.highest,
                "harm_ratio": self.harm_ratio, "threshold": self.threshold, "sentence": self.sentence}


def four_fifths_check(df: pd.DataFrame, group, selected, favourable: bool = True, *, threshold: float = FOUR_FIFTHS,
                      outcome: str | None = None) -> FourFifths:
    """Apply the four-fifths rule of thumb (29 CFR 1607.4(D), 1978) to column ``selected`` by ``group``.

    ``favourable=True``: being selected is good (hired, approved); the rule compares selection rates.
    ``favourable=False``: being selected is harmful (blacklisted, flagged); the rule compares the rates of *not*
    being selected, and ``harm_ratio`` reports how many times more often the most-harmed group is selected than
    the least-harmed one. For a rare harm the two can disagree sharply: 4% against 2% blacklisted passes the rule
    (96% / 98% = 0.98) although one group is harmed twice as often. The sentence says so.

    ``outcome`` is the words used for "selected" in the sentence (default: the column name), e.g. "blacklisted".
    It is a rule of thumb, not a legal threshold, and passing it does not show a process is fair.
    """
    favourable = _bool_param(favourable, "favourable")
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) or not 0 < threshold <= 1:
        raise AuditInputError(f"threshold must be a number in (0, 1], got {threshold!r}")
    if outcome is not None and not isinstance(outcome, str):
        raise AuditInputError(f"outcome must be a string (words for 'selected'), got {outcome!r}")
    rates = selection_rates(df, group, selected)
    if len(rates) < 2:
        raise AuditInputError(f"column {group!r} (group) has only one group ({rates.index[0]!r}): "
                              "the four-fifths rule compares at least two")
    fav = rates if favourable else 1.0 - rates
    fav = fav.rename("favourable_rate")
    harm = 1.0 - rates if favourable else rates
    if fav.max() == 0:
        what = f"'{selected}' is all False" if favourable else f"'{selected}' is all True"
        raise AuditInputError(f"no group has the favourable outcome ({what}): the ratio 0/0 is undefined")
    lowest, highest = fav.idxmin(), fav.idxmax()
    ratio = float(fav.min() / fav.max())
    passes = bool(ratio >= threshold)
    h_lo, h_hi = float(harm.min()), float(harm.max())
    harm_ratio = math.nan if h_hi == 0 else (math.inf if h_lo == 0 else h_hi / h_lo)
    word = outcome or f"'{selected}'"
    verdict = (f"at least {threshold:g}, so the rule of thumb does not flag it (which does not show the process is "
               f"fair)" if passes else f"below {threshold:g}, so under the rule of thumb this is evidence of adverse "
               f"impact worth investigating")
    if favourable:
        sentence = (f"The group with the lowest rate of being {word} ({lowest}, {_pct(fav[lowest])}) has {ratio:.2f} "
                    f"times the rate of the highest ({highest}, {_pct(fav[highest])}): {verdict}.")
    else:
        most, least = harm.idxmax(), harm.idxmin()
        sentence = (f"Being {word} is harmful, so the rule is applied to the rate of not being {word}: "
                    f"{lowest} {_pct(fav[lowest])} against {highest} {_pct(fav[highest])}, a ratio of {ratio:.2f}, "
                    f"{verdict}.")
        if h_hi > 0:
            rel = ("infinitely many" if math.isinf(harm_ratio) else f"{harm_ratio:.1f}")
            sentence += (f" Measured as harm, {most} ({_pct(harm[most])}) are {word} {rel} times as often as "
                         f"{least} ({_pct(harm[least])})")
            sentence += (": for a rare harm the four-fifths rule can hide a large relative difference."
                         if passes and harm_ratio >= 1 / threshold else ".")
    return FourFifths(group=group, selected=selected, favourable=favourable, rates=rates, favourable_rates=fav,
                      ratio=ratio, passes=passes, lowest=lowest, highest=highest, harm_ratio=harm_ratio,
                      threshold=float(threshold), sentence=sentence)


# ---------------------------------------------------------------------------------------------------- errors
def _with_rates(c: pd.DataFrame) -> pd.DataFrame:
    """Add rates to counts tp, fp, tn, fn (NaN where the denominator is 0)."""
    c = c.astype(np.int64)
    c.insert(0, "n", c[["tp", "fp", "tn", "fn"]].sum(axis=1))

    def ratio(num, den):
        num, den = num.to_numpy(np.float64), den.to_numpy(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)

    pos, neg = c["tp"] + c["fn"], c["fp"] + c["tn"]
    c["base_rate"] = ratio(pos, c["n"])
    c["selection_rate"] = ratio(c["tp"] + c["fp"], c["n"])
    c["tpr"] = ratio(c["tp"], pos)
    c["fpr"] = ratio(c["fp"], neg)
    c["tnr"] = ratio(c["tn"], neg)
    c["fnr"] = ratio(c["fn"], pos)
    c["ppv"] = ratio(c["tp"], c["tp"] + c["fp"])
    c["npv"] = ratio(c["tn"], c["tn"] + c["fn"])
    return c


def _cells(df, predicted, actual):
    p = _bool_column(df, predicted, "predicted").to_numpy()
    a = _bool_column(df, actual, "actual").to_numpy()
    return pd.DataFrame({"tp": p & a, "fp": p & ~a, "tn": ~p & ~a, "fn": ~p & a}, index=df.index)


def confusion(df: pd.DataFrame, predicted, actual) -> pd.Series:
    """Overall confusion counts and rates of boolean ``predicted`` against boolean ``actual``.

    A Series with ``n, tp, fp, tn, fn`` and the rates ``base_rate`` (share actually positive), ``selection_rate``
    (share predicted positive), ``tpr`` (sensitivity), ``fpr``, ``tnr`` (specificity), ``fnr``, ``ppv`` (precision)
    and ``npv``; a rate whose denominator is 0 is NaN.
    """
    _frame(df)
    counts = _cells(df, predicted, actual).sum().to_frame().T
    out = _with_rates(counts).iloc[0]
    out.name = "all"
    return out


def error_rates(df: pd.DataFrame, group, predicted, actual) -> pd.DataFrame:
    """Confusion counts and error rates of boolean ``predicted`` against boolean ``actual``, per ``group``.

    One row per group (sorted; categoricals in category order) with columns ``n, tp, fp, tn, fn`` and
    ``base_rate`` = (tp+fn)/n, ``selection_rate`` = (tp+fp)/n, ``tpr`` = tp/(tp+fn), ``fpr`` = fp/(fp+tn),
    ``tnr`` = tn/(fp+tn) = 1 - fpr, ``fnr`` = fn/(tp+fn) = 1 - tpr, ``ppv`` = tp/(tp+fp), ``npv`` = tn/(tn+fn).
    A rate is NaN where its denominator is 0 (e.g. ``fnr`` in a group where nobody is actually positive).

    When base rates differ between groups, no imperfect decision can equalise fpr, fnr and ppv across groups at once
    (Chouldechova 2017; Kleinberg, Mullainathan & Raghavan 2017): an audit must say which one it asks for.
    """
    _frame(df)
    g = _column(df, group, "group")
    cells = _cells(df, predicted, actual)
    counts = cells.groupby(g, observed=True, sort=True).sum()
    counts.index.name = group
    return _with_rates(counts)


def calibration_table(df: pd.DataFrame, group, score, actual, bins=10) -> pd.DataFrame:
    """Per group and score bin: the number of rows, their mean score and the observed rate of ``actual``.

    ``score`` is a numeric column, ``actual`` a boolean one. ``bins`` is either a number of equal-width bins over
    the range of all scores (shared by every group, so the bins are comparable) or a strictly increasing sequence of
    bin edges that covers every score. Bins are closed on the right, ``(low, high]``; the first also includes its
    lower edge. Returns a long table with columns ``<group>, bin, bin_low, bin_high, n,
    mean_score, observed_rate`` (empty bins left out), ready to chart.

    A score is *calibrated within groups* when, in every bin, the observed rate is the same for every group. The
    impossibility results (Kleinberg, Mullainathan & Raghavan 2017, "Inherent trade-offs in the fair determination
    of risk scores"; Chouldechova 2017, "Fair prediction with disparate impact") show that when base rates differ,
    a calibrated score cannot also give groups equal false positive and false negative rates, except in trivial
    cases.
    """
    _frame(df)
    g = _column(df, group, "group")
    s = _numeric_column(df, score, "score")
    a = _bool_column(df, actual, "actual")
    values = s.to_numpy(np.float64)
    if isinstance(bins, (bool, np.bool_)):
        raise AuditInputError(f"bins must be a positive integer or a sequence of bin edges, got {bins!r}")
    if isinstance(bins, numbers.Integral):
        if bins < 1:
            raise AuditInputError(f"bins must be a positive integer or a sequence of bin edges, got {bins!r}")
        lo, hi = values.min(), values.max()
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(lo, hi, int(bins) + 1)
    elif isinstance(bins, (Sequence, np.ndarray, pd.Index, pd.Series)) and not isinstance(bins, str):
        try:
            edges = np.asarray(bins, dtype=np.float64)
        except (TypeError, ValueError):
            raise AuditInputError(f"bins edges must be numbers, got {bins!r}") from None
        if edges.ndim != 1 or len(edges) < 2 or not np.isfinite(edges).all() or (np.diff(edges) <= 0).any():
            raise AuditInputError(f"bins edges must be at least two finite, strictly increasing numbers, got {bins!r}")
        outside = int(((values < edges[0]) | (values > edges[-1])).sum())
        if outside:
            raise AuditInputError(f"{outside:,} value(s) of column {score!r} (score) lie outside the bins "
                                  f"[{edges[0]:g}, {edges[-1]:g}]")
    else:
        raise AuditInputError(f"bins must be a positive integer or a sequence of bin edges, got {bins!r}")
    # bins closed on the right, the first also on the left: (e0, e1] with e0 included, (e1, e2], ...
    code = np.clip(np.searchsorted(edges, values, side="left") - 1, 0, len(edges) - 2)
    b = pd.Categorical.from_codes(code, categories=pd.IntervalIndex.from_breaks(edges, closed="right"), ordered=True)
    frame = pd.DataFrame({"_g": g.to_numpy(), "bin": b, "_s": values, "_a": a.to_numpy(np.float64)})
    if isinstance(g.dtype, pd.CategoricalDtype):
        frame["_g"] = pd.Categorical(frame["_g"], categories=g.cat.categories, ordered=g.cat.ordered)
    out = (frame.groupby(["_g", "bin"], observed=True, sort=True)
           .agg(n=("_s", "size"), mean_score=("_s", "mean"), observed_rate=("_a", "mean"))
           .reset_index().rename(columns={"_g": group}))
    out.insert(2, "bin_low", edges[out["bin"].cat.codes.to_numpy()])
    out.insert(3, "bin_high", edges[out["bin"].cat.codes.to_numpy() + 1])
    out["n"] = out["n"].astype(np.int64)
    return out


# ---------------------------------------------------------------------------------------------------- the city
def _sanctioned(scores, grade):
    return (scores["grade"] <= grade).to_numpy()


def _outcome_words(grade, card):
    return f"graded {grade}" if grade == card.grades[-1] else f"graded {grade} or lower"


def ground_truth_labels(world, scorecard=None, grade: str = "D", truth: str = "behaviour") -> pd.DataFrame:
    """One row per resident: the decision made on the records, and the decision the truth would give.

    ``predicted``: the resident's grade, scored by ``scorecard`` (default: ``DEFAULT_SCORECARD``) on the
    *records*, is ``grade`` or worse (with the default ``grade="D"``: blacklisted).
    ``actual``: the same scorecard, applied to the truth, gives ``grade`` or worse. ``truth`` chooses which truth:

    - ``"behaviour"`` (default): everything the resident really did (``world.behaviour``). The gap to the records
      is then both the record errors *and* uneven surveillance (unrecorded offences; unregistered volunteering).
    - ``"corrected_records"``: the records with every error fixed -- misattributed records given back to their
      true owner (``truth_resident_id``), stale and duplicated records dropped. The gap is then only the errors:
      every false positive carries a wrong record, every false negative lost one to a namesake.

    Columns: ``district``, ``group``, ``score`` and ``grade`` (on the records), ``true_score`` and ``true_grade``,
    ``predicted``, ``actual``, ``result`` ("true positive", "false positive", "false negative", "true negative"),
    ``wrong_records`` (records on this resident that are wrong) and ``misattributed`` (records on this resident
    that belong to someone else). Index: ``resident_id``. ``attrs["outcome"]`` holds words for the decision.
    """
    from .scoring import DEFAULT_SCORECARD, Scorecard, score

    for attr in ("residents", "records", "behaviour"):
        if not isinstance(getattr(world, attr, None), pd.DataFrame):
            raise AuditInputError(f"world must be a scored.world.World (with a {attr!r} table), "
                                  f"got {type(world).__name__}")
    card = DEFAULT_SCORECARD if scorecard is None else scorecard
    if isinstance(card, dict):
        card = Scorecard.from_dict(card)
    if not isinstance(card, Scorecard):
        raise AuditInputError(f"scorecard must be a Scorecard, got {type(card).__name__}")
    if not isinstance(grade, str) or grade not in card.grades:
        raise AuditInputError(f"grade must be one of the scorecard's grades {list(card.grades)}, got {grade!r}")
    if truth not in TRUTH_BASES:
        raise AuditInputError(f"truth must be one of {list(TRUTH_BASES)}, got {truth!r}")
    res, rec = world.residents, world.records
    for col in ("resident_id", "district", "group"):
        _column(res, col, "residents column", "world.residents")
    needed = ["resident_id", "kind", "truth_error", "truth_resident_id"]
    for col in needed:
        _column(rec, col, "records column", "world.records")
    observed = score(rec, res, card)
    err = rec["truth_error"].astype(str).to_numpy()
    if truth == "behaviour":
        true_scores = score(world.behaviour, res, card)
    else:
        keep = (err != "stale") & (err != "duplicate")
        fixed = pd.DataFrame({"resident_id": rec["truth_resident_id"].to_numpy()[keep],
                              "kind": rec["kind"].to_numpy()[keep]})
        true_scores = score(fixed, res, card)
    predicted = _sanctioned(observed, grade)
    actual = _sanctioned(true_scores, grade)
    ids = observed.index
    pos = pd.Index(ids).get_indexer(rec["resident_id"].to_numpy())
    n = len(ids)
    wrong = np.bincount(pos[err != ""], minlength=n)
    mis = np.bincount(pos[err == "misattributed"], minlength=n)
    labels = np.array(["true negative", "false negative", "false positive", "true positive"])
    out = pd.DataFrame({
        "district": res["district"].to_numpy(),
        "group": res["group"].to_numpy(),
        "score": observed["total"].to_numpy(),
        "grade": observed["grade"].to_numpy(),
        "true_score": true_scores["total"].to_numpy(),
        "true_grade": true_scores["grade"].to_numpy(),
        "predicted": predicted,
        "actual": actual,
        "result": pd.Categorical(labels[2 * predicted + actual],
                                 categories=["true positive", "false positive", "false negative", "true negative"]),
        "wrong_records": wrong.astype(np.int64),
        "misattributed": mis.astype(np.int64),
    }, index=ids)
    for col in ("district", "group"):
        if isinstance(res[col].dtype, pd.CategoricalDtype):
            out[col] = pd.Categorical(out[col], categories=res[col].cat.categories)
    out.attrs["outcome"] = _outcome_words(grade, card)
    out.attrs["truth"] = truth
    return out


# ---------------------------------------------------------------------------------------------------- the report
@dataclass
class GroupAudit:
    """The audit by one group column: selection table, four-fifths check, error rates (None without truth)."""

    column: str
    selection: pd.DataFrame
    four_fifths: FourFifths | None
    errors: pd.DataFrame | None
    findings: list[str] = field(default_factory=list)


@dataclass
class AuditReport:
    """A structured audit: ``overall`` numbers, one ``GroupAudit`` per group column in ``by_group``, ``findings``.

    ``overall`` holds ``n``, ``selected`` and ``selection_rate``, and with ground truth also the counts and rates
    of ``confusion``.

    ``to_markdown()`` renders a readable report; the tables stay available as DataFrames.
    """

    title: str
    outcome: str
    favourable: bool
    overall: pd.Series
    by_group: dict[str, GroupAudit]
    findings: list[str]
    has_truth: bool

    def __repr__(self) -> str:
        return (f"AuditReport({self.title!r}, outcome={self.outcome!r}, n={int(self.overall['n']):,}, "
                f"groups={list(self.by_group)}, findings={len(self.findings)})")

    def selection_table(self) -> pd.DataFrame:
        """Selection tables of every group column stacked, with a ``column`` and a ``group`` column (for charts)."""
        return pd.concat([ga.selection.reset_index().rename(columns={c: "group"}).assign(column=c)
                          for c, ga in self.by_group.items()], ignore_index=True)

    def error_table(self) -> pd.DataFrame | None:
        """Error-rate tables of every group column stacked (None without ground truth)."""
        if not self.has_truth:
            return None
        return pd.concat([ga.errors.reset_index().rename(columns={c: "group"}).assign(column=c)
                          for c, ga in self.by_group.items()], ignore_index=True)

    def to_markdown(self) -> str:
        o = self.overall
        lines = [f"# {self.title}", ""]
        harm = "" if self.favourable else (" Being selected is harmful, so the four-fifths rule is applied to the "
                                           f"rate of *not* being {self.outcome}.")
        lines += [f"Outcome audited: **{self.outcome}**.{harm} {int(o['n']):,} rows, of which "
                  f"{int(o['selected']):,} ({_pct(o['selection_rate'])}) are {self.outcome}.", ""]
        lines += ["## Findings", ""] + [f"- {f}" for f in self.findings] + [""]
        for col, ga in self.by_group.items():
            lines += [f"## By {col}", "", "### Selection rates", ""]
            t = ga.selection.reset_index()
            lines += _markdown_table(
                [col, "n", self.outcome, "rate"],
                [[str(r[col]), f"{int(r['n']):,}", f"{int(r['selected']):,}", _pct(r["selection_rate"])]
                 for _, r in t.iterrows()])
            lines.append("")
            if ga.four_fifths is not None:
                lines += [f"Disparate impact ratio (favourable outcome): **{ga.four_fifths.ratio:.2f}** -- "
                          f"{'passes' if ga.four_fifths.passes else 'fails'} the four-fifths rule of thumb. "
                          + ga.four_fifths.sentence, ""]
            if ga.errors is not None:
                lines += ["### Errors against ground truth", ""]
                e = ga.errors.reset_index()
                lines += _markdown_table(
                    [col, "n", "base rate", "FP", "FN", "FPR", "FNR", "PPV"],
                    [[str(r[col]), f"{int(r['n']):,}", _pct(r["base_rate"]), f"{int(r['fp']):,}",
                      f"{int(r['fn']):,}", _pct(r["fpr"]), _pct(r["fnr"]), _pct(r["ppv"])] for _, r in e.iterrows()])
                lines.append("")
        lines += ["## Notes", "",
                  "- FPR (false positive rate): the share of people who should not have the outcome but got it. "
                  "FNR (false negative rate): the share who should have it but did not. PPV: the share of those "
                  "with the outcome who should have it.",
                  "- The four-fifths rule (29 CFR 1607.4(D), 1978) is a rule of thumb for when to look closer, "
                  "not a legal threshold; passing it does not show that a process is fair.",
                  "- When base rates differ, error rates and predictive values cannot all be equal across groups "
                  "(Chouldechova 2017; Kleinberg, Mullainathan & Raghavan 2017).",
                  "- Ground truth is known only because the city is synthetic; real audits rarely have it.", ""]
        return "\n".join(lines)


def _markdown_table(header, rows):
    right = [i > 0 for i in range(len(header))]
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---:" if r else "---" for r in right) + "|"]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return out


def _group_findings(col, sel, ff, err, outcome, favourable):
    f = []
    if len(sel) < 2:
        f.append(f"By {col}: only one group ({sel.index[0]}), nothing to compare.")
        return f
    rates = sel["selection_rate"]
    hi, lo = rates.idxmax(), rates.idxmin()
    parts = ", ".join(f"{g} {_pct(r)}" for g, r in rates.items())
    s = f"By {col}: {outcome} rates are {parts}."
    if rates[lo] > 0 and rates[hi] > rates[lo]:
        s += f" {hi} ({_pct(rates[hi])}) are {outcome} {rates[hi] / rates[lo]:.1f} times as often as {lo}."
    elif rates[lo] == 0 and rates[hi] > 0:
        s += f" No {lo} row is {outcome}."
    f.append(s)
    if ff is not None:
        f.append(f"By {col}: " + ff.sentence)
    else:
        f.append(f"By {col}: no group has the favourable outcome, so there is no disparate impact ratio.")
    small = sel.index[sel["n"] < SMALL_GROUP].tolist()
    if small:
        f.append(f"By {col}: group(s) {', '.join(map(str, small))} have fewer than {SMALL_GROUP} rows; their rates "
                 "are unreliable.")
    if err is not None:
        fpr, fnr = err["fpr"].dropna(), err["fnr"].dropna()
        if len(fpr) >= 2 and fpr.max() > 0:
            g1, g0 = fpr.idxmax(), fpr.idxmin()
            f.append(f"By {col}: among people who should not be {outcome}, {_pct(fpr[g1], 2)} of {g1} were "
                     f"{outcome} anyway (false positive rate), against {_pct(fpr[g0], 2)} of {g0}.")
        if len(fnr) >= 2 and fnr.max() > 0:
            g1, g0 = fnr.idxmax(), fnr.idxmin()
            f.append(f"By {col}: among people whose true conduct would get them {outcome}, {_pct(fnr[g1])} of "
                     f"{g1} were not (false negative rate), against {_pct(fnr[g0])} of {g0}.")
    return f


def audit_report(data, groups=("group", "district"), *, selected: str = "predicted", actual: str | None = "actual",
                 favourable: bool = False, outcome: str | None = None, residents: pd.DataFrame | None = None,
                 scorecard=None, grade: str = "D", truth: str = "behaviour", title: str | None = None) -> AuditReport:
    """Audit a decision by one or more group columns: selection rates, disparate impact, errors against the truth.

    ``data`` can be:

    - a ``scored.world.World``: labelled with ``ground_truth_labels(world, scorecard, grade, truth)``; the decision
      is "graded ``grade`` or worse on the records", checked against the same decision on the truth;
    - a scores frame from ``scored.scoring.score`` (it has a ``grade`` column): the decision is
      ``grade`` or worse; pass ``residents`` to bring in the group columns (joined on ``resident_id``). A scores
      frame carries no truth, so the report has no error rates;
    - any DataFrame with a boolean column ``selected`` and, unless ``actual=None``, a boolean column ``actual``.

    ``favourable=False`` (the default) means being selected is harmful (a blacklist). ``outcome`` gives the words
    for the decision in the findings (default: from the labels, e.g. "graded D", or the column name).

    Example::

        world = load_classroom()
        print(audit_report(world).to_markdown())
    """
    favourable = _bool_param(favourable, "favourable")
    if isinstance(groups, str):
        groups = (groups,)
    if not isinstance(groups, Sequence) or not groups:
        raise AuditInputError(f"groups must be a column name or a non-empty list of them, got {groups!r}")
    groups = tuple(groups)
    if title is not None and not isinstance(title, str):
        raise AuditInputError(f"title must be a string, got {title!r}")
    if outcome is not None and not isinstance(outcome, str):
        raise AuditInputError(f"outcome must be a string, got {outcome!r}")
    if not isinstance(data, pd.DataFrame) and hasattr(data, "records") and hasattr(data, "residents"):
        df = ground_truth_labels(data, scorecard, grade, truth)
        selected, actual = "predicted", "actual"
        default_outcome = df.attrs["outcome"]
    else:
        _frame(data, "data")
        if "grade" in data.columns and selected not in data.columns:
            grades = list(data["grade"].cat.categories) if isinstance(data["grade"].dtype, pd.CategoricalDtype) \
                else []
            if not grades or not data["grade"].cat.ordered:
                raise AuditInputError("column 'grade' must be the ordered categorical that scored.scoring.score "
                                      "returns")
            if grade not in grades:
                raise AuditInputError(f"grade must be one of the scores' grades {grades[::-1]}, got {grade!r}")
            df = pd.DataFrame({"predicted": (data["grade"] <= grade).to_numpy()}, index=data.index)
            if residents is not None:
                _frame(residents, "residents")
                _column(residents, "resident_id", "join key", "residents")
                missing = [g for g in groups if g not in residents.columns and g not in data.columns]
                if missing:
                    raise AuditInputError(f"residents has no column {missing[0]!r} (given in groups; columns: "
                                          f"{list(residents.columns)})")
                r = residents.set_index("resident_id")
                pos = r.index.get_indexer(data.index)
                if (pos < 0).any():
                    raise AuditInputError(f"{int((pos < 0).sum()):,} resident_id(s) of the scores are not in "
                                          "residents")
                for g in groups:
                    df[g] = (data[g] if g in data.columns else r[g].iloc[pos].set_axis(data.index))
            else:
                for g in groups:
                    if g not in data.columns:
                        raise AuditInputError(f"the scores have no column {g!r} (given in groups): pass "
                                              "residents= to join the group columns on resident_id")
                    df[g] = data[g]
            selected, actual = "predicted", None
            low = grades[0] == grade
            default_outcome = f"graded {grade}" if low else f"graded {grade} or lower"
        else:
            df = data
            default_outcome = data.attrs.get("outcome", selected if isinstance(selected, str) else str(selected))
    outcome = outcome or default_outcome
    if actual is not None:
        overall = confusion(df, selected, actual)
        overall = pd.concat([overall[["n"]], pd.Series({"selected": overall["tp"] + overall["fp"]}),
                             overall.drop("n")]).rename("all")
    else:
        sel = _bool_column(df, selected, "selected")
        overall = pd.Series({"n": len(sel), "selected": int(sel.sum()), "selection_rate": float(sel.mean())},
                            name="all")
    by_group, findings = {}, []
    for g in groups:
        rates = selection_rates(df, g, selected)
        counts = _bool_column(df, selected, "selected").groupby(_column(df, g, "group"), observed=True,
                                                               sort=True).agg(["size", "sum"])
        table = pd.DataFrame({"n": counts["size"].astype(np.int64), "selected": counts["sum"].astype(np.int64),
                              "selection_rate": rates})
        table.index.name = g
        ff = None
        if len(rates) >= 2:
            try:
                ff = four_fifths_check(df, g, selected, favourable, outcome=outcome)
            except AuditInputError:  # nobody has the favourable outcome: no ratio, say so in the findings
                ff = None
        err = error_rates(df, g, selected, actual) if actual is not None else None
        fs = _group_findings(g, table, ff, err, outcome, favourable)
        by_group[g] = GroupAudit(g, table, ff, err, fs)
        findings += fs
    if actual is not None:
        o = overall
        findings.insert(0, f"Overall: {int(o['selected']):,} of {int(o['n']):,} ({_pct(o['selection_rate'])}) "
                           f"are {outcome}; on the truth it would be {int(o['tp'] + o['fn']):,} "
                           f"({_pct(o['base_rate'])}). {int(o['fp']):,} are {outcome} wrongly (false positives) "
                           f"and {int(o['fn']):,} escape it wrongly (false negatives); of those {outcome}, "
                           f"{_pct(o['ppv'])} should be.")
    else:
        findings.insert(0, f"Overall: {int(overall['selected']):,} of {int(overall['n']):,} "
                           f"({_pct(overall['selection_rate'])}) are {outcome}. No ground truth was given, so "
                           "errors cannot be measured.")
    return AuditReport(title=title or f"Audit: {outcome}", outcome=outcome, favourable=favourable, overall=overall,
                       by_group=by_group, findings=findings, has_truth=actual is not None)


# ---------------------------------------------------------------------------------------------------- proxies
# Added for the chapter "Discrimination through proxies": how much a column that is not group membership tells
# about group membership, a synthetic calibrated score to study the impossibility result, and the identity behind it.
__all__ += ["PROXY_COMBINED", "proxy_strength", "calibrated_scores", "implied_fpr", "implied_base_rate"]

PROXY_COMBINED = "all together"

from collections.abc import Mapping  # noqa: E402  (kept with the functions that need it)
from statistics import NormalDist  # noqa: E402

_STANDARD_NORMAL = NormalDist()


def _auc(score: np.ndarray, positive: np.ndarray) -> float:
    """The chance that a random positive row scores higher than a random negative one (ties count half)."""
    ranks = pd.Series(score).rank(method="average").to_numpy(np.float64)
    n1 = int(positive.sum())
    n0 = len(positive) - n1
    return float((ranks[positive].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def proxy_strength(df: pd.DataFrame, group, proxies, *, target=None, bins: int = 4) -> pd.DataFrame:
    """How well each column in ``proxies`` -- and all of them together -- predicts membership of one group.

    Every row is put in a *cell*: its value of the proxy (a numeric proxy is first cut into ``bins`` bins of about
    equal size, its quantiles; a boolean, categorical or text proxy, or a numeric one with at most ``bins`` distinct
    values, is used as it is). The best guess of a row's group from the proxy alone is the share of ``target``
    members in its cell. The table says how good that guess is, one row per proxy and, when there are several, a
    last row ``"all together"`` whose cells combine them all:

    - ``cells``: the number of cells with at least one row;
    - ``auc``: the chance that a randomly chosen ``target`` member has a higher best guess than a randomly chosen
      non-member (ties count half). 0.5 means the proxy says nothing about the group, 1.0 that it gives it away;
    - ``top_cell``: the cell with the highest share of ``target`` members (a tuple for "all together"), and
      ``top_share``: that share;
    - ``overall_share``: the share of ``target`` members in the whole frame, to compare with ``top_share``.

    ``target`` defaults to the least common group (the minority). The guess is measured on the same rows it was
    learned from, which flatters it a little when cells are small.

    Raises ``AuditInputError`` for a missing or bad column, an empty ``proxies``, a proxy that is the group column
    itself, an unknown ``target``, a group with only one value, or ``bins`` below 2.
    """
    _frame(df)
    g = _column(df, group, "group")
    if isinstance(proxies, str) or not isinstance(proxies, Sequence):
        proxies = [proxies]
    if len(proxies) == 0:
        raise AuditInputError(f"proxies must be a column name or a non-empty list of them, got {proxies!r}")
    proxies = list(proxies)
    if len(set(map(repr, proxies))) != len(proxies):
        raise AuditInputError(f"proxies must not name a column twice, got {proxies!r}")
    if group in proxies:
        raise AuditInputError(f"proxies must not include the group column {group!r} itself: a proxy stands in "
                              "for it")
    if isinstance(bins, bool) or not isinstance(bins, numbers.Integral) or bins < 2:
        raise AuditInputError(f"bins must be a whole number of at least 2, got {bins!r}")
    counts = g.value_counts()
    counts = counts[counts > 0]
    if len(counts) < 2:
        raise AuditInputError(f"column {group!r} (group) has only one group ({counts.index[0]!r}): a proxy can only "
                              "tell groups apart if there are at least two")
    if target is None:
        target = counts.sort_values(kind="stable").index[0]
    elif target not in set(counts.index):
        raise AuditInputError(f"target must be one of the groups in column {group!r} {sorted(map(str, counts.index))}"
                              f", got {target!r}")
    member = (g == target).to_numpy()

    cells = {}
    for p in proxies:
        s = _column(df, p, "proxy")
        if (pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
                and _numeric_column(df, p, "proxy").nunique() > bins):
            cut = pd.qcut(s, q=bins, duplicates="drop")  # equal values always share a bin
            # label each bin by the proxy's own range, e.g. "8,808 to 15,045"
            lo = s.groupby(cut, observed=True).transform("min")
            hi = s.groupby(cut, observed=True).transform("max")
            cells[p] = pd.Series([f"{a:,.6g} to {b:,.6g}" for a, b in zip(lo, hi)], index=df.index)
        else:
            cells[p] = s.astype(object)
    keys = list(cells.items())
    if len(proxies) > 1:
        combined = pd.Series(list(zip(*(c.to_numpy() for c in cells.values()))), index=df.index, dtype=object)
        keys.append((PROXY_COMBINED, combined))
    rows = []
    for name, cell in keys:
        share = pd.Series(member.astype(np.float64), index=df.index).groupby(cell.to_numpy(), sort=False)
        by_cell = share.mean()
        guess = share.transform("mean").to_numpy(np.float64)
        rows.append({"proxy": name, "cells": int(len(by_cell)), "auc": _auc(guess, member),
                     "top_cell": by_cell.idxmax(), "top_share": float(by_cell.max()),
                     "overall_share": float(member.mean())})
    out = pd.DataFrame(rows).set_index("proxy")
    out.attrs["target"] = target
    return out


def _rate(value, name, *, low_open=False, high_open=False):
    """A number in [0, 1] (or open at an end); ``AuditInputError`` naming ``name`` otherwise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise AuditInputError(f"{name} must be a number between 0 and 1, got {value!r}")
    value = float(value)
    if value < 0 or value > 1 or (low_open and value == 0) or (high_open and value == 1):
        lo, hi = ("(0" if low_open else "[0"), ("1)" if high_open else "1]")
        raise AuditInputError(f"{name} must lie in {lo}, {hi}, got {value!r}")
    return value


def _logit_normal_location(p: float, spread: float) -> float:
    """The location mu for which sigmoid(mu + spread * Z), Z standard normal, has mean ``p`` (by bisection)."""
    u = (np.arange(4000) + 0.5) / 4000
    z = np.array([_STANDARD_NORMAL.inv_cdf(x) for x in u])
    lo, hi = -50.0, 50.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if np.mean(1 / (1 + np.exp(-(mid + spread * z)))) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def calibrated_scores(base_rates, n: int = 10_000, *, spread: float = 1.5, seed: int = 0) -> pd.DataFrame:
    """A synthetic risk score that is calibrated by construction, for groups with the given base rates.

    ``base_rates`` maps each group's name to its base rate (the share who will have the outcome), each strictly
    between 0 and 1. For every group, ``n`` scores are drawn from a logit-normal distribution,
    ``sigmoid(mu + spread * Z)`` with ``Z`` standard normal and ``mu`` chosen so that the scores average the base
    rate; then each person's outcome is drawn with probability equal to their score. So among people scored 0.7,
    about 70% have the outcome, in every group: the score is *calibrated within groups*. A large ``spread``
    pushes scores towards 0 and 1 (a confident, informative score); a small one bunches them around the base rate
    (a score that says little about individuals).

    Returns a DataFrame with columns ``group`` (categorical, in the order given), ``score`` (float in (0, 1)) and
    ``actual`` (bool), ready for ``error_rates(df.assign(predicted=df.score >= t), "group", "predicted",
    "actual")`` and ``calibration_table(df, "group", "score", "actual")``. The same ``seed`` gives the same frame.

    Whatever the thresholds, such a score cannot give groups with different base rates equal false positive
    rates, equal false negative rates and equal positive predictive values at once (Chouldechova 2017;
    Kleinberg, Mullainathan & Raghavan 2017); see ``implied_fpr``.
    """
    if not isinstance(base_rates, Mapping) or not base_rates:
        raise AuditInputError(f"base_rates must be a non-empty mapping of group name to base rate, got {base_rates!r}")
    rates = {k: _rate(v, f"base rate of group {k!r}", low_open=True, high_open=True) for k, v in base_rates.items()}
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise AuditInputError(f"n must be a positive whole number (people per group), got {n!r}")
    if (isinstance(spread, bool) or not isinstance(spread, numbers.Real) or not math.isfinite(spread)
            or not 0 < spread <= 10):
        raise AuditInputError(f"spread must be a number in (0, 10], got {spread!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise AuditInputError(f"seed must be a non-negative whole number, got {seed!r}")
    rng = np.random.default_rng(int(seed))
    n = int(n)
    groups, scores, actual = [], [], []
    for name, p in rates.items():
        mu = _logit_normal_location(p, float(spread))
        s = 1 / (1 + np.exp(-(mu + spread * rng.standard_normal(n))))
        # keep scores strictly inside (0, 1): a score of exactly 0 or 1 would claim certainty
        s = np.clip(s, 1e-9, 1 - 1e-9)
        groups.append(np.full(n, len(groups), dtype=np.int64))
        scores.append(s)
        actual.append(rng.random(n) < s)
    return pd.DataFrame({
        "group": pd.Categorical.from_codes(np.concatenate(groups), categories=pd.Index(list(rates), dtype=object)),
        "score": np.concatenate(scores),
        "actual": np.concatenate(actual),
    })


def implied_fpr(base_rate: float, ppv: float, fnr: float) -> float:
    """The false positive rate that a base rate, a positive predictive value and a false negative rate force.

    For any yes/no decision, FPR = p / (1 - p) * (1 - PPV) / PPV * (1 - FNR), where p is the base rate
    (Chouldechova 2017, eq. 2.6). Two groups with equal PPV and equal FNR but different base rates must
    therefore have different FPRs: the impossibility result in one line.
    """
    p = _rate(base_rate, "base_rate", low_open=True, high_open=True)
    v = _rate(ppv, "ppv", low_open=True)
    f = _rate(fnr, "fnr")
    return p / (1 - p) * (1 - v) / v * (1 - f)


def implied_base_rate(fpr: float, fnr: float, ppv: float) -> float:
    """The base rate that published error rates imply: the identity of ``implied_fpr`` solved for p.

    p / (1 - p) = FPR * PPV / ((1 - PPV) * (1 - FNR)). Useful when a study reports FPR, FNR and PPV per group
    but not the base rates. Undefined (``AuditInputError``) when PPV = 1 or FNR = 1.
    """
    a = _rate(fpr, "fpr")
    f = _rate(fnr, "fnr", high_open=True)
    v = _rate(ppv, "ppv", high_open=True)
    odds = a * v / ((1 - v) * (1 - f))
    return odds / (1 + odds)


# ---------------------------------------------------------------------------------------------------- audits
# Added for the chapter "Audits and impact assessments": comparing two audit reports (before and after a change to
# the scorecard), and how precisely an auditor who can check only a sample of the truth can estimate error rates.
__all__ += ["compare_reports", "sampling_uncertainty", "SUMMARY_GROUP"]

SUMMARY_GROUP = "(all groups)"
_COMPARE_METRICS = ("selection_rate", "base_rate", "fpr", "fnr", "ppv")


def _report(value, name):
    if not isinstance(value, AuditReport):
        raise AuditInputError(f"{name} must be an AuditReport (from audit_report), got {type(value).__name__}")
    return value


def compare_reports(before: AuditReport, after: AuditReport, *, metrics=_COMPARE_METRICS) -> pd.DataFrame:
    """Put two audit reports side by side: one row per group column, group and metric, before and after.

    ``before`` and ``after`` are ``AuditReport`` objects of the same population audited under two designs (for
    example the default scorecard and a revised one). They must have the same group columns and the same groups.

    The result is a long table with columns ``column`` (the group column, e.g. ``"district"``), ``group``,
    ``metric``, ``before``, ``after`` and ``change`` (after - before), ready to chart or pivot. For every group it
    holds the ``metrics`` asked for: ``selection_rate`` always, and the error metrics (``base_rate``, ``fpr``,
    ``fnr``, ``ppv``, or any of ``tpr``, ``tnr``, ``npv``) only when *both* reports have ground truth; without
    truth they are left out, as a real audit without truth would have to leave them out. For every group column
    there are also summary rows with ``group == SUMMARY_GROUP`` ("(all groups)"):

    - ``disparate_impact``: the four-fifths ratio of the favourable outcome (lowest / highest);
    - ``harm_ratio``: the highest group's rate of the harmful outcome divided by the lowest's (a relative risk);
    - ``fpr_ratio`` and ``fnr_ratio`` (with truth): the highest group's error rate divided by the lowest's
      (``inf`` when the lowest is 0, NaN when all are 0).

    Raises ``AuditInputError`` if either argument is not an ``AuditReport``, if the group columns or groups differ,
    or if a metric is unknown.
    """
    before, after = _report(before, "before"), _report(after, "after")
    if isinstance(metrics, str):
        metrics = (metrics,)
    if not isinstance(metrics, Sequence) or not metrics:
        raise AuditInputError(f"metrics must be a non-empty list of metric names, got {metrics!r}")
    unknown = [m for m in metrics if m not in RATE_COLUMNS]
    if unknown:
        raise AuditInputError(f"metrics must be among {list(RATE_COLUMNS)}, got {unknown[0]!r}")
    if list(before.by_group) != list(after.by_group):
        raise AuditInputError(f"the reports audit different group columns: {list(before.by_group)} before, "
                              f"{list(after.by_group)} after")
    truth = before.has_truth and after.has_truth
    rows = []

    def spread(rates):
        rates = rates.dropna()
        if len(rates) < 2 or rates.max() == 0:
            return math.nan
        return math.inf if rates.min() == 0 else float(rates.max() / rates.min())

    for col in before.by_group:
        a, b = before.by_group[col], after.by_group[col]
        if list(map(str, a.selection.index)) != list(map(str, b.selection.index)):
            raise AuditInputError(f"the reports have different groups in column {col!r}: "
                                  f"{list(a.selection.index)} before, {list(b.selection.index)} after")
        tables = [(a.errors, b.errors) if truth else (a.selection, b.selection)]
        ta, tb = tables[0]
        for m in metrics:
            if m not in ta.columns:
                continue  # an error metric without ground truth: not measurable
            for g in ta.index:
                rows.append({"column": col, "group": str(g), "metric": m,
                             "before": float(ta.loc[g, m]), "after": float(tb.loc[g, m])})
        summary = {}
        for name, ga in (("before", a), ("after", b)):
            ff = ga.four_fifths
            summary.setdefault("disparate_impact", {})[name] = math.nan if ff is None else ff.ratio
            summary.setdefault("harm_ratio", {})[name] = math.nan if ff is None else ff.harm_ratio
            if truth:
                summary.setdefault("fpr_ratio", {})[name] = spread(ga.errors["fpr"])
                summary.setdefault("fnr_ratio", {})[name] = spread(ga.errors["fnr"])
        for m, v in summary.items():
            rows.append({"column": col, "group": SUMMARY_GROUP, "metric": m, "before": float(v["before"]),
                         "after": float(v["after"])})
    out = pd.DataFrame(rows, columns=["column", "group", "metric", "before", "after"])
    with np.errstate(invalid="ignore"):
        out["change"] = out["after"] - out["before"]
    return out


def _whole(value, name, low):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < low:
        raise AuditInputError(f"{name} must be a whole number of at least {low}, got {value!r}")
    return int(value)


_RATE_PARTS = {  # metric: (numerator cell, denominator cells)
    "fpr": ("fp", ("fp", "tn")), "tnr": ("tn", ("fp", "tn")),
    "fnr": ("fn", ("tp", "fn")), "tpr": ("tp", ("tp", "fn")),
    "ppv": ("tp", ("tp", "fp")), "npv": ("tn", ("tn", "fn")),
    "base_rate": (("tp", "fn"), ("tp", "fp", "tn", "fn")),
    "selection_rate": (("tp", "fp"), ("tp", "fp", "tn", "fn")),
}


def sampling_uncertainty(df: pd.DataFrame, group, predicted="predicted", actual="actual", *, metric: str = "fpr",
                         sizes=(250, 500, 1000, 2500, 5000, 10000), reps: int = 200, level: float = 0.9,
                         among=None, seed: int = 0) -> pd.DataFrame:
    """How precisely a rate can be estimated per group when the truth is checked for a random sample only.

    An auditor rarely gets the ground truth for everyone: checking what really happened costs a case review per
    person. Suppose they draw a simple random sample of ``size`` rows (without replacement) and check the truth for
    those. This function repeats that ``reps`` times for every size in ``sizes`` and reports, per group, how the
    estimated ``metric`` (one of ``fpr``, ``fnr``, ``tpr``, ``tnr``, ``ppv``, ``npv``, ``base_rate``,
    ``selection_rate``) varies from sample to sample.

    ``among`` optionally names a boolean column that restricts the sampling frame: ``among="predicted"`` samples
    only people with the decision (e.g. the blacklisted), which is how an auditor can check the share of listings
    that are wrong (``metric="ppv"``) with far fewer case reviews. ``sizes`` larger than the frame are refused.

    Returns one row per size and group with columns ``size``, ``group``, ``true`` (the rate in the whole frame),
    ``low`` and ``high`` (the central ``level`` range of the estimates, e.g. the 5th and 95th percentiles for
    0.9), ``median``, ``mean_denominator`` (the average number of sampled rows the rate is computed from: for
    ``fpr``, the people who should not be selected) and ``undefined`` (the share of samples with no such row, so
    no estimate). Estimates from those samples are left out of ``low``, ``median`` and ``high`` (all NaN when every
    sample is undefined). The same ``seed`` gives the same table.
    """
    _frame(df)
    g = _column(df, group, "group")
    cells = _cells(df, predicted, actual)
    if metric not in _RATE_PARTS:
        raise AuditInputError(f"metric must be one of {list(_RATE_PARTS)}, got {metric!r}")
    if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
        sizes = (sizes,)
    if not isinstance(sizes, (Sequence, np.ndarray)) or isinstance(sizes, str) or len(sizes) == 0:
        raise AuditInputError(f"sizes must be a non-empty list of sample sizes, got {sizes!r}")
    sizes = [_whole(s, "every sample size in sizes", 1) for s in sizes]
    reps = _whole(reps, "reps", 2)
    level = _rate(level, "level", low_open=True, high_open=True)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise AuditInputError(f"seed must be a non-negative whole number, got {seed!r}")
    frame = np.ones(len(df), dtype=bool) if among is None else _bool_column(df, among, "among").to_numpy()
    pool = np.flatnonzero(frame)
    if len(pool) == 0:
        raise AuditInputError(f"no row has {among!r} (among) True: there is nothing to sample")
    too_big = [s for s in sizes if s > len(pool)]
    if too_big:
        raise AuditInputError(f"sample size {too_big[0]:,} (in sizes) is larger than the {len(pool):,} rows that can "
                              "be sampled")
    num_cells, den_cells = _RATE_PARTS[metric]
    num_cells = (num_cells,) if isinstance(num_cells, str) else num_cells
    num = cells[list(num_cells)].sum(axis=1).to_numpy(np.float64)
    den = cells[list(den_cells)].sum(axis=1).to_numpy(np.float64)
    if isinstance(g.dtype, pd.CategoricalDtype):
        codes = g.cat.codes.to_numpy()
        names = list(g.cat.categories)
    else:
        codes, uniques = pd.factorize(g, sort=True)
        names = list(uniques)
    present = np.unique(codes[pool])
    k = len(names)
    true_num = np.bincount(codes[pool], weights=num[pool], minlength=k)
    true_den = np.bincount(codes[pool], weights=den[pool], minlength=k)
    rng = np.random.default_rng(int(seed))
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    rows = []
    for size in sizes:
        est = np.full((reps, k), np.nan)
        dens = np.zeros((reps, k))
        for r in range(reps):
            idx = pool[rng.choice(len(pool), size=size, replace=False)]
            n_ = np.bincount(codes[idx], weights=num[idx], minlength=k)
            d_ = np.bincount(codes[idx], weights=den[idx], minlength=k)
            dens[r] = d_
            with np.errstate(invalid="ignore", divide="ignore"):
                est[r] = np.where(d_ > 0, n_ / np.where(d_ > 0, d_, 1), np.nan)
        for j in present:
            e = est[:, j]
            ok = e[~np.isnan(e)]
            rows.append({
                "size": size, "group": names[j],
                "true": float(true_num[j] / true_den[j]) if true_den[j] > 0 else math.nan,
                "low": float(np.quantile(ok, lo_q)) if len(ok) else math.nan,
                "median": float(np.median(ok)) if len(ok) else math.nan,
                "high": float(np.quantile(ok, hi_q)) if len(ok) else math.nan,
                "mean_denominator": float(dens[:, j].mean()),
                "undefined": float(np.isnan(e).mean()),
            })
    out = pd.DataFrame(rows, columns=["size", "group", "true", "low", "median", "high", "mean_denominator",
                                      "undefined"])
    out.attrs.update(metric=metric, level=level, reps=reps, among=among)
    return out
