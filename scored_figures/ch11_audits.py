"""Figures and glued numbers for chapter 11, "Audits and impact assessments".

The chapter calls these from hidden cells:

* :func:`glue_findings`, :func:`glue_change`, :func:`glue_dpia` glue the numbers the prose quotes;
* :func:`dashboard` draws the three scorecards' audits, with the scorecard and the grouping chosen in the page;
* :func:`sampling_chart` shows how precisely samples of checked cases estimate a false positive rate.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
from myst_nb import glue

from scored import viz
from scored.audit import SUMMARY_GROUP, sampling_uncertainty

GROUPINGS = ("group", "district", "work")
GROUPING_LABELS = {"district": "district", "group": "fictional group", "work": "kind of work"}
# Panels of the stacked charts are this wide, so that they fit a phone held upright.
PANEL_WIDTH = 165


def _glue(name: str, value) -> None:
    glue(name, value, display=False)


def glue_findings(report) -> None:
    """The overall and per-grouping findings of the default scorecard's audit."""
    o = report.overall
    _glue("n_listed", int(o["selected"]))
    _glue("share_listed", float(o["selection_rate"]))
    _glue("n_fp", int(o["fp"]))
    _glue("n_fn", int(o["fn"]))
    _glue("ppv", float(o["ppv"]))
    _glue("share_wrong", float(o["fp"] / o["selected"]))
    for col in GROUPINGS:
        ga = report.by_group[col]
        _glue(f"di_{col}", float(ga.four_fifths.ratio))
        _glue(f"harm_{col}", float(ga.four_fifths.harm_ratio))
        rates = ga.selection["selection_rate"]
        _glue(f"most_{col}", str(rates.idxmax()))     # the most often blacklisted
        _glue(f"least_{col}", str(rates.idxmin()))    # the least often blacklisted
    d_err = report.by_group["district"].errors
    most, least = report.by_group["district"].selection["selection_rate"].agg(["idxmax", "idxmin"])
    for name, district in (("most", most), ("least", least)):
        _glue(f"fpr_{name}_district", float(d_err.loc[district, "fpr"]))
        _glue(f"fnr_{name}_district", float(d_err.loc[district, "fnr"]))
    _glue("fpr_higher_in", str(most if d_err.loc[most, "fpr"] >= d_err.loc[least, "fpr"] else least))
    _glue("fnr_higher_in", str(most if d_err.loc[most, "fnr"] >= d_err.loc[least, "fnr"] else least))


def glue_change(change: pd.DataFrame, reports: dict) -> None:
    """Before (default) and after (revised) ratios, errors and the retired residents' false positive rate."""
    names = list(reports)
    for col in GROUPINGS:
        for m in ("harm_ratio", "fpr_ratio", "fnr_ratio"):
            for when in ("before", "after"):
                row = change[(change["column"] == col) & (change["group"] == SUMMARY_GROUP) & (change["metric"] == m)]
                _glue(f"{m}_{col}_{when}", float(row[when].iloc[0]))
    errors = {name: int(r.overall["fp"] + r.overall["fn"]) for name, r in reports.items()}
    _glue("errors_default", errors[names[0]])
    _glue("errors_revised", errors[names[2]])
    _glue("errors_direction", "fewer" if errors[names[2]] < errors[names[0]] else "more")
    _glue("listed_revised", float(reports[names[2]].overall["selection_rate"]))
    w_err = {n: reports[n].by_group["work"].errors for n in (names[0], names[2])}
    before, after = float(w_err[names[0]].loc["retired", "fpr"]), float(w_err[names[2]].loc["retired", "fpr"])
    _glue("fpr_retired_before", before)
    _glue("fpr_retired_after", after)
    _glue("fpr_retired_moves", "rises" if after > before else "falls")


def glue_dpia(city) -> None:
    _glue("n_residents", len(city.residents))
    _glue("n_records", len(city.records))


def dashboard(reports: dict) -> alt.VConcatChart:
    """Rate of grade D (with the four-fifths line), false positive and false negative rates, stacked."""
    names = list(reports)
    rows, lines = [], []
    for v, report in enumerate(reports.values()):
        for col in GROUPINGS:
            ga = report.by_group[col]
            e = ga.errors
            for i, g in enumerate(e.index):
                for metric, label in (("selection_rate", "graded D"), ("fpr", "false positive rate"),
                                      ("fnr", "false negative rate")):
                    rows.append({"variant": v, "column": col, "group": str(g), "order": i, "metric": label,
                                 "rate": round(float(e.loc[g, metric]), 5)})
            best = float(ga.selection["selection_rate"].min())   # the best-treated group's rate of harm
            # The rate of grade D at which a group's rate of *not* being in grade D falls to four-fifths of
            # the best-treated group's: where the rule of thumb would start to flag it.
            lines.append({"variant": v, "column": col, "metric": "graded D",
                          "line": round(1 - 0.8 * (1 - best), 5), "label": "four-fifths line"})
    dash, ff = pd.DataFrame(rows), pd.DataFrame(lines)
    _glue("ff_line_district", float(ff.query("variant == 0 and column == 'district'")["line"].iloc[0]))

    variant = alt.param(name="variant", value=0, bind=alt.binding_select(
        options=list(range(len(names))), labels=names, name="Scorecard: "))
    grouping = alt.param(name="grouping", value="district", bind=alt.binding_radio(
        options=list(GROUPING_LABELS), labels=list(GROUPING_LABELS.values()), name="Group by: "))
    chosen = "datum.variant == variant && datum.column == grouping"

    def panel(metric, title, with_line=False):
        base = alt.Chart(viz.compact_data(dash)).transform_filter(chosen).transform_filter(
            alt.datum.metric == metric)
        y = alt.Y("group:N", title=None, sort=alt.SortField("order"),
                  axis=alt.Axis(minExtent=95, maxExtent=95, labelLimit=95))
        fmt = ".0%" if metric == "graded D" else ".1%"
        top = float(dash.loc[dash["metric"] == metric, "rate"].max())
        if with_line:
            top = max(top, float(ff["line"].max()))
        x = alt.X("rate:Q", title=None, axis=alt.Axis(format=fmt, tickCount=3),
                  scale=alt.Scale(domain=[0, top * 1.3], nice=False))   # room for the labels
        colour = viz.SANCTIONED if metric == "graded D" else viz.PALETTE[0]
        bars = base.mark_bar(color=colour).encode(
            x=x, y=y, tooltip=[alt.Tooltip("group:N", title="Group"), alt.Tooltip("rate:Q", title=title, format=".2%")])
        text = base.mark_text(align="left", dx=3, fontSize=12).encode(x=x, y=y, text=alt.Text("rate:Q", format=".2%"))
        layers = [bars, text]
        if with_line:
            rule_data = alt.Chart(viz.compact_data(ff)).transform_filter(chosen)
            layers += [rule_data.mark_rule(color="#777777", strokeDash=[5, 3], strokeWidth=2).encode(x="line:Q")]
        return alt.layer(*layers).properties(width=PANEL_WIDTH, height=alt.Step(20), title=title)

    return alt.vconcat(
        panel("graded D", "Rate of grade D (the blacklist)", with_line=True),
        panel("false positive rate", "False positive rate"),
        panel("false negative rate", "False negative rate"),
    ).add_params(variant, grouping).resolve_scale(x="independent").properties(
        title=alt.Title("Audit of one scorecard", subtitle="dashed line: where the four-fifths rule would flag"),
        description=("Audit dashboard: bar charts of the rate of grade D, the false positive rate and the false "
                     "negative rate for each group, district or kind of work, for the scorecard chosen in the "
                     "drop-down and the grouping chosen with the buttons, with a dashed four-fifths line on the "
                     "grade D panel."))


def sampling_chart(labels: pd.DataFrame) -> alt.LayerChart:
    """Middle 90% of false positive rates estimated from 200 random samples of each size, by group or district."""
    sizes = list(range(1_000, 25_001, 1_000))
    spread = pd.concat([
        sampling_uncertainty(labels, col, metric="fpr", sizes=sizes, reps=200, rng=11).assign(column=col)
        for col in ("group", "district")])
    spread = spread.assign(group=spread["group"].astype(str))[
        ["column", "size", "group", "true", "low", "median", "high"]].round(5)
    at = spread.set_index(["size", "group"])
    for size in (1000, 25000):
        _glue(f"heron_low_{size}", float(at.loc[(size, "Heron"), "low"]))
        _glue(f"heron_high_{size}", float(at.loc[(size, "Heron"), "high"]))
    _glue("fpr_heron", float(at.loc[(25000, "Heron"), "true"]))
    _glue("fpr_kestrel", float(at.loc[(25000, "Kestrel"), "true"]))

    size = alt.param(name="sample_size", value=5_000, bind=alt.binding_range(
        min=1_000, max=25_000, step=1_000, name="Cases the auditor can check: "))
    by = alt.param(name="by", value="group", bind=alt.binding_radio(
        options=["group", "district"], labels=["fictional group", "district"], name="Group by: "))
    base = alt.Chart(viz.compact_data(spread)).transform_filter("datum.size == sample_size && datum.column == by")
    y = alt.Y("group:N", title=None, sort=None)
    top = float(spread["high"].max())
    x_scale = alt.Scale(domain=[0, round(top * 1.05, 4)], clamp=True)
    interval = base.mark_rule(strokeWidth=6, color=viz.PALETTE[4]).encode(
        x=alt.X("low:Q", title="Estimated false positive rate", scale=x_scale,
                axis=alt.Axis(format=".1%", tickCount=4)),
        x2="high:Q", y=y,
        tooltip=[alt.Tooltip("group:N", title="Group"), alt.Tooltip("low:Q", format=".2%", title="5th percentile"),
                 alt.Tooltip("high:Q", format=".2%", title="95th percentile"),
                 alt.Tooltip("true:Q", format=".2%", title="Whole city")])
    median = base.mark_point(shape="diamond", size=90, filled=True, color=viz.PALETTE[0]).encode(x="median:Q", y=y)
    truth = base.mark_tick(color=viz.SANCTIONED, thickness=3, size=22).encode(x="true:Q", y=y)
    return (interval + median + truth).add_params(size, by).properties(
        width="container", height=alt.Step(34),
        title=alt.Title("Estimates from 200 samples",
                        subtitle=["bar: middle 90% of the estimates;", "diamond: their median; red tick: the city's rate"]),
        description=("Interval chart: for the sample size chosen with the slider, the range in which 90% of the "
                     "estimated false positive rates fall for each fictional group or district, with the median "
                     "estimate as a diamond and the whole city's rate as a red tick."))


def glue_listed(wrong: pd.DataFrame) -> None:
    """The range of the share of wrong listings when 400 listed residents are checked."""
    at_400 = wrong[wrong["size"] == 400]
    _glue("listed_low_400", float(at_400["wrong_low"].min()))
    _glue("listed_high_400", float(at_400["wrong_high"].max()))
