"""Audit reports: selection rates, disparate impact and error rates by group, with findings in plain words.

``audit_report`` puts the measures of ``rates`` and ``errors`` together for one or more group columns;
``compare_reports`` sets two reports side by side (before and after a change to the scorecard).
"""
from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..validation import ScoredInputError, ScoredTypeError, check_bool, check_bool_column, check_column, check_frame
from ..validation import check_column_names, check_str, describe
from ._common import pct as _pct
from .errors import RATE_COLUMNS, confusion, error_rates
from .labels import ground_truth_labels, outcome_words
from .rates import FourFifths, four_fifths_check, selection_rates

__all__ = ["SMALL_GROUP", "SUMMARY_GROUP", "GroupAudit", "AuditReport", "audit_report", "compare_reports"]

SMALL_GROUP = 30  # rates of groups smaller than this are flagged as unreliable in findings

@dataclass
class GroupAudit:
    """The audit by one group column: selection table, four-fifths check, error rates (None without truth).

    ``audit_report`` builds one per group column, in ``AuditReport.by_group``.

    Attributes
    ----------
    column : column name
        The group column audited.
    selection : DataFrame
        Indexed by the groups, with ``n`` (rows), ``selected`` (rows selected) and ``selection_rate``.
    four_fifths : FourFifths or None
        The four-fifths check; None with a single group or when no group has the favourable outcome.
    errors : DataFrame or None
        ``error_rates`` by group against the truth; None without ground truth.
    findings : list of str
        The findings for this column, in plain words.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "b", "b"], "listed": [True, False, True, False],
    ...                    "deserved": [True, False, False, False]})
    >>> by_g = audit_report(df, "g", selected="listed", actual="deserved").by_group["g"]
    >>> by_g.selection
       n  selected  selection_rate
    g
    a  2         1             0.5
    b  2         1             0.5
    >>> by_g.four_fifths.ratio, by_g.errors["fpr"].to_dict()
    (1.0, {'a': 0.0, 'b': 0.5})
    """

    column: Hashable
    selection: pd.DataFrame
    four_fifths: FourFifths | None
    errors: pd.DataFrame | None
    findings: list[str] = field(default_factory=list)


@dataclass
class AuditReport:
    """A structured audit: ``overall`` numbers, one ``GroupAudit`` per group column in ``by_group``, ``findings``.

    ``audit_report`` makes it. ``to_markdown()`` renders a readable report; the tables stay available as
    DataFrames, and ``selection_table()`` / ``error_table()`` stack those of every group column for charts.

    Attributes
    ----------
    title : str
        The report's title.
    outcome : str
        The words for the decision, e.g. ``"graded D"``.
    favourable : bool
        Whether being selected is the favourable outcome.
    overall : Series
        ``n``, ``selected`` and ``selection_rate`` over all rows, and with ground truth also the counts and rates
        of ``confusion`` (``tp``, ``fp``, ..., ``fpr``, ``fnr``, ``ppv``, ...).
    by_group : dict
        Group column -> its ``GroupAudit``, in the order asked for.
    findings : list of str
        Plain-language findings, the overall one first.
    has_truth : bool
        Whether the decision was compared with a ground truth (and so error rates were measured).

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "b", "b"], "listed": [True, False, True, False],
    ...                    "deserved": [True, False, False, False]})
    >>> report = audit_report(df, "g", selected="listed", actual="deserved")
    >>> report
    AuditReport('Audit: listed', outcome='listed', n=4, groups=['g'], findings=5)
    >>> print(report.findings[0])
    Overall: 2 of 4 (50.0%) are listed; on the truth it would be 1 (25.0%). 1 are listed wrongly (false
    positives) and 0 escape it wrongly (false negatives); of those listed, 50.0% should be.
    """

    title: str
    outcome: str
    favourable: bool
    overall: pd.Series
    by_group: dict[Hashable, GroupAudit]
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
        """Error-rate tables of every group column stacked like ``selection_table`` (None without ground truth)."""
        if not self.has_truth:
            return None
        # has_truth: every group column has its errors table
        return pd.concat([ga.errors.reset_index()  # type: ignore[union-attr]
                          .rename(columns={c: "group"}).assign(column=c)
                          for c, ga in self.by_group.items()], ignore_index=True)

    def to_markdown(self) -> str:
        """The report as Markdown: findings, then per group column its tables, then notes on the measures."""
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


def _markdown_table(header: Any, rows: Any) -> Any:
    right = [i > 0 for i in range(len(header))]
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---:" if r else "---" for r in right) + "|"]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return out


def _group_findings(col: Any, sel: Any, ff: Any, err: Any, outcome: Any, favourable: Any) -> Any:
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


def audit_report(data: Any, groups: Hashable | Sequence[Hashable] = ("group", "district"), *,
                 selected: Hashable = "predicted", actual: Hashable | None = "actual", favourable: bool = False,
                 outcome: str | None = None, residents: pd.DataFrame | None = None, scorecard: Any = None,
                 grade: str = "D", truth: str = "behaviour", title: str | None = None) -> AuditReport:
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

    Parameters
    ----------
    data : World or DataFrame
        A city, a scores frame or a table with decision columns, as above.
    groups : column name or list of column names, optional
        The group columns to audit by; default ``("group", "district")``.
    selected : column name, keyword-only
        For a plain table: its boolean decision column; default ``"predicted"`` (as ``ground_truth_labels``
        names it).
    actual : column name or None, keyword-only
        For a plain table: its boolean truth column; default ``"actual"``; None for a table without truth.
    favourable : bool, keyword-only
        Whether being selected is the favourable outcome; default False.
    outcome : str or None, keyword-only
        Words for the decision in the findings; default as above.
    residents : DataFrame or None, keyword-only
        For a scores frame: the residents table whose group columns are joined on ``resident_id``.
    scorecard : Scorecard, dict or None, keyword-only
        For a city: the scorecard to apply; default ``DEFAULT_SCORECARD``.
    grade : str, keyword-only
        For a city or a scores frame: the decision is this grade or worse; default ``"D"``.
    truth : {"behaviour", "corrected_records"}, keyword-only
        For a city: which truth to compare with (see ``ground_truth_labels``).
    title : str or None, keyword-only
        The report's title; default ``"Audit: <outcome>"``.

    Returns
    -------
    AuditReport
        The overall numbers, one ``GroupAudit`` per group column and the findings.

    Raises
    ------
    ScoredTypeError, ScoredInputError
        A bad argument; the message names it.

    Examples
    --------
    >>> from scored.world import make_world
    >>> report = audit_report(make_world(800, seed=3), groups="group")
    >>> report.outcome, report.has_truth
    ('graded D', True)
    """
    favourable = check_bool(favourable, "favourable")
    groups = tuple(check_column_names(groups, "groups"))
    if title is not None:
        check_str(title, "title")
    if outcome is not None:
        check_str(outcome, "outcome")
    if not isinstance(data, pd.DataFrame) and hasattr(data, "records") and hasattr(data, "residents"):
        df = ground_truth_labels(data, scorecard, grade, truth)
        selected, actual = "predicted", "actual"
        default_outcome = outcome_words(grade, scorecard)
    else:
        check_frame(data, "data")
        if "grade" in data.columns and selected not in data.columns:
            grades = list(data["grade"].cat.categories) if isinstance(data["grade"].dtype, pd.CategoricalDtype) \
                else []
            if not grades or not data["grade"].cat.ordered:
                raise ScoredInputError("column 'grade' must be the ordered categorical that scored.scoring.score "
                                      "returns")
            if grade not in grades:
                raise ScoredInputError(f"grade must be one of the scores' grades {grades[::-1]}, got {grade!r}")
            df = pd.DataFrame({"predicted": (data["grade"] <= grade).to_numpy()}, index=data.index)
            if residents is not None:
                check_frame(residents, "residents")
                check_column(residents, "resident_id", "join key", "residents")
                missing = [g for g in groups if g not in residents.columns and g not in data.columns]
                if missing:
                    raise ScoredInputError(f"residents has no column {missing[0]!r} (given in groups; columns: "
                                          f"{list(residents.columns)})")
                r = residents.set_index("resident_id")
                pos = r.index.get_indexer(data.index)
                if (pos < 0).any():
                    raise ScoredInputError(f"{int((pos < 0).sum()):,} resident_id(s) of the scores are not in "
                                          "residents")
                for g in groups:
                    df[g] = (data[g] if g in data.columns else r[g].iloc[pos].set_axis(data.index))
            else:
                for g in groups:
                    if g not in data.columns:
                        raise ScoredInputError(f"the scores have no column {g!r} (given in groups): pass "
                                              "residents= to join the group columns on resident_id")
                    df[g] = data[g]
            selected, actual = "predicted", None
            low = grades[0] == grade
            default_outcome = f"graded {grade}" if low else f"graded {grade} or lower"
        else:
            df = data
            default_outcome = str(selected)
    outcome = outcome or default_outcome
    for g in groups:
        check_column(df, g, "groups", "the audited table")
    if actual is not None:
        overall = confusion(df, selected, actual)
        overall = pd.concat([overall[["n"]], pd.Series({"selected": overall["tp"] + overall["fp"]}),
                             overall.drop("n")]).rename("all")
    else:
        sel = check_bool_column(df, selected, "selected")
        overall = pd.Series({"n": len(sel), "selected": int(sel.sum()), "selection_rate": float(sel.mean())},
                            name="all")
    by_group, findings = {}, []
    for g in groups:
        rates = selection_rates(df, g, selected)
        counts = check_bool_column(df, selected, "selected").groupby(check_column(df, g, "group"), observed=True,
                                                               sort=True).agg(["size", "sum"])
        table = pd.DataFrame({"n": counts["size"].astype(np.int64), "selected": counts["sum"].astype(np.int64),
                              "selection_rate": rates})
        table.index.name = g
        ff = None
        if len(rates) >= 2:
            try:
                ff = four_fifths_check(df, g, selected, favourable, outcome=outcome)
            except ScoredInputError:  # nobody has the favourable outcome: no ratio, say so in the findings
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


SUMMARY_GROUP = "(all groups)"
_COMPARE_METRICS = ("selection_rate", "base_rate", "fpr", "fnr", "ppv")


def _report(value: Any, name: str) -> AuditReport:
    if not isinstance(value, AuditReport):
        raise ScoredTypeError(f"{name} must be an AuditReport (from audit_report), got a {type(value).__name__}")
    return value


def compare_reports(before: AuditReport, after: AuditReport, *,
                    metrics: str | Sequence[str] = _COMPARE_METRICS) -> pd.DataFrame:
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

    Parameters
    ----------
    before, after : AuditReport
        The two reports, from ``audit_report``.
    metrics : str or list of str, keyword-only
        Per-group metrics, among ``RATE_COLUMNS``; default ``selection_rate``, ``base_rate``, ``fpr``, ``fnr`` and
        ``ppv``.

    Returns
    -------
    DataFrame
        Indexed 0, 1, ...: per group column, first one row per metric and group, then its summary rows, with the
        columns above.

    Raises
    ------
    ScoredTypeError
        ``before`` or ``after`` is not an ``AuditReport``.
    ScoredInputError
        The group columns or groups differ, or ``metrics`` is empty or names an unknown metric.

    Examples
    --------
    >>> old = pd.DataFrame({"g": ["a", "a", "b", "b"], "listed": [True, False, False, False]})
    >>> new = old.assign(listed=[True, False, True, False])
    >>> before = audit_report(old, "g", selected="listed", actual=None)
    >>> after = audit_report(new, "g", selected="listed", actual=None)
    >>> compare_reports(before, after)
      column         group            metric  before  after  change
    0      g             a    selection_rate     0.5    0.5     0.0
    1      g             b    selection_rate     0.0    0.5     0.5
    2      g  (all groups)  disparate_impact     0.5    1.0     0.5
    3      g  (all groups)        harm_ratio     inf    1.0    -inf
    """
    before, after = _report(before, "before"), _report(after, "after")
    if isinstance(metrics, str):
        metrics = (metrics,)
    if not isinstance(metrics, Sequence) or not metrics:
        raise ScoredInputError(f"metrics must be a non-empty list of metric names, got {metrics!r}")
    unknown = [m for m in metrics if m not in RATE_COLUMNS]
    if unknown:
        raise ScoredInputError(f"metrics must be among {list(RATE_COLUMNS)}, got {unknown[0]!r}")
    if list(before.by_group) != list(after.by_group):
        raise ScoredInputError(f"the reports audit different group columns: {list(before.by_group)} before, "
                              f"{list(after.by_group)} after")
    truth = before.has_truth and after.has_truth
    rows = []

    def spread(rates: Any) -> Any:
        rates = rates.dropna()
        if len(rates) < 2 or rates.max() == 0:
            return math.nan
        return math.inf if rates.min() == 0 else float(rates.max() / rates.min())

    for col in before.by_group:
        a, b = before.by_group[col], after.by_group[col]
        if list(map(str, a.selection.index)) != list(map(str, b.selection.index)):
            raise ScoredInputError(f"the reports have different groups in column {col!r}: "
                                  f"{list(a.selection.index)} before, {list(b.selection.index)} after")
        ta: Any = a.errors if truth else a.selection
        tb: Any = b.errors if truth else b.selection
        for m in metrics:
            if m not in ta.columns:
                continue  # an error metric without ground truth: not measurable
            for g in ta.index:
                rows.append({"column": col, "group": str(g), "metric": m,
                             "before": float(ta.loc[g, m]), "after": float(tb.loc[g, m])})
        summary: dict[str, dict[str, float]] = {}
        for name, ga in (("before", a), ("after", b)):
            ff = ga.four_fifths
            summary.setdefault("disparate_impact", {})[name] = math.nan if ff is None else ff.ratio
            summary.setdefault("harm_ratio", {})[name] = math.nan if ff is None else ff.harm_ratio
            if truth:
                errors: Any = ga.errors
                summary.setdefault("fpr_ratio", {})[name] = spread(errors["fpr"])
                summary.setdefault("fnr_ratio", {})[name] = spread(errors["fnr"])
        for m, v in summary.items():
            rows.append({"column": col, "group": SUMMARY_GROUP, "metric": m, "before": float(v["before"]),
                         "after": float(v["after"])})
    out = pd.DataFrame(rows, columns=["column", "group", "metric", "before", "after"])
    with np.errstate(invalid="ignore"):
        out["change"] = out["after"] - out["before"]
    return out


