"""Figures and glued numbers for chapter 10, "Contestability by design".

The chapter calls these from hidden cells:

* :func:`glue_compare`, :func:`glue_groups`, :func:`glue_costs`, :func:`glue_kit` glue the numbers the prose
  quotes, so that the text follows the simulation;
* :func:`groups_chart` shows wrongful sanction-days by group under the safeguards ticked in the page;
* :func:`deadline_chart` follows wrongly blacklisted residents over two years for a grid of review deadlines
  and reviewers' skill.
"""

from __future__ import annotations

from dataclasses import replace

import altair as alt
import numpy as np
import pandas as pd
from myst_nb import glue

from scored import viz
from scored.appeals import sanction_starts, simulate_appeals, timeline, with_safeguards

# Panels of the stacked charts are this wide, so that they fit a phone held upright.
PANEL_WIDTH = 170
PANELS = {"group": "By fictional group", "work": "By kind of work", "district": "By district",
          "disability": "By disability"}


def _glue(name: str, value) -> None:
    glue(name, value, display=False)


def glue_compare(compare: pd.DataFrame, city_rows: pd.DataFrame, names: list[str]) -> None:
    """Wrongful sanctions and sanction-days as run and with all five safeguards; the cut of each safeguard."""
    before, after = compare.loc["as run"], compare.loc["all five"]
    _glue("before_wrong", int(before["wrongly_sanctioned"]))
    _glue("after_wrong", int(after["wrongly_sanctioned"]))
    _glue("before_days", int(before["sanction_days"]))
    _glue("after_days", int(after["sanction_days"]))
    _glue("cut_all", float(after["days_cut"]))
    for key, name in (("check", "check before sanction"), ("notice", "notice"), ("deadline", "30-day deadline"),
                      ("burden", "burden on operator"), ("offline", "offline access")):
        _glue(f"cut_{key}", float(compare.loc[name, "days_cut"]))
    no_check = " + ".join(n for n in names if n != "check before sanction")
    _glue("cut_appeals_only", float(1 - city_rows.loc[no_check, "sanction_days"] / before["sanction_days"]))
    _glue("lifted_before", float(before["lifted"]))
    _glue("lifted_after", float(after["lifted"]))
    _glue("prevented", int(before["wrongly_sanctioned"] - after["wrongly_sanctioned"]))


def glue_groups(summary: pd.DataFrame, names: list[str]) -> None:
    by_group = summary[summary["column"] == "group"].set_index(["policy", "value"])["days_per_1000"]
    all5 = " + ".join(names)
    for g in ("Heron", "Kestrel"):
        _glue(f"{g}_before", float(by_group.loc[("as run", g)]))
        _glue(f"{g}_after", float(by_group.loc[(all5, g)]))
    _glue("gap_before", float(abs(by_group.loc[("as run", "Heron")] - by_group.loc[("as run", "Kestrel")])))
    _glue("gap_after", float(abs(by_group.loc[(all5, "Heron")] - by_group.loc[(all5, "Kestrel")])))


def glue_costs(cost_table: pd.DataFrame, costs: pd.DataFrame) -> None:
    _glue("reviews_before", float(cost_table.loc["as run", "reviews_per_year"]))
    _glue("reviews_check", float(cost_table.loc["check before sanction", "reviews_per_year"]))
    _glue("reviews_notice", float(cost_table.loc["notice", "reviews_per_year"]))
    _glue("escaped_before", float(cost_table.loc["as run", "escaped"]))
    _glue("escaped_all", float(cost_table.loc["all five", "escaped"]))
    _glue("correct_n", int(costs["correctly_sanctioned"].iloc[0]))


def glue_kit(odds: pd.DataFrame) -> None:
    for label, key in (("as run", "before"), ("all five", "after")):
        _glue(f"kit_clear_{key}", float(odds.loc["cleared within two years", label]))
        _glue(f"kit_days_{key}", float(odds.loc["mean days sanctioned", label]))
        _glue(f"kit_cost_{key}", float(odds.loc["mean cost (share of income)", label]))


def glue_personas(city) -> None:
    """Jules's age at the city's reference date (the digital barrier starts at 75 in the model)."""
    from scored.world import REFERENCE_DATE
    jules = city.personas.set_index("persona").loc["Jules", "resident_id"]
    born = pd.to_datetime(city.residents.set_index("resident_id").loc[jules, "birth_date"])
    today = pd.Timestamp(REFERENCE_DATE)
    _glue("jules_age", int(today.year - born.year - ((today.month, today.day) < (born.month, born.day))))


def groups_chart(summary: pd.DataFrame, residents: pd.DataFrame, names: list[str]) -> alt.VConcatChart:
    """Wrongful sanction-days per 1,000 by group, work, district and disability, for the ticked safeguards."""
    flags = {n: f"s{i}" for i, n in enumerate(names)}
    bars = summary[summary["column"] != "all"].rename(columns=flags)
    bars = bars[list(flags.values()) + ["column", "value", "days_per_1000"]]
    bars = bars.astype({c: int for c in flags.values()}).round({"days_per_1000": 1})
    bars["value"] = bars["value"].replace({"True": "with a disability", "False": "without a disability"})
    as_run = bars[bars[list(flags.values())].sum(axis=1) == 0][["column", "value", "days_per_1000"]]
    bars = bars.merge(as_run.rename(columns={"days_per_1000": "before"}), on=["column", "value"])

    boxes = [alt.param(name=f, value=False, bind=alt.binding_checkbox(name=f"{n} ")) for n, f in flags.items()]
    test = " && ".join(f"datum.{f} == ({f} ? 1 : 0)" for f in flags.values())
    chosen = alt.Chart(viz.compact_data(bars)).transform_filter(test)
    orders = {c: [str(v) for v in residents[c].cat.categories] for c in ("group", "work", "district")}
    orders["disability"] = ["with a disability", "without a disability"]
    top = 1.25 * bars[["days_per_1000", "before"]].to_numpy().max()   # one scale for every panel; room for labels

    def panel(column):
        rows = chosen.transform_filter(alt.datum.column == column)
        y = alt.Y("value:N", title=None, sort=orders[column],
                  axis=alt.Axis(minExtent=130, maxExtent=130, labelLimit=130))
        x = alt.X("days_per_1000:Q", title=None, scale=alt.Scale(domain=[0, top], nice=False), axis=alt.Axis(tickCount=3))
        after = rows.mark_bar(color=viz.PALETTE[0]).encode(x=x, y=y, tooltip=[
            alt.Tooltip("value:N", title=PANELS[column].removeprefix("By ").capitalize()),
            alt.Tooltip("days_per_1000:Q", format=",.0f", title="With these safeguards"),
            alt.Tooltip("before:Q", format=",.0f", title="As run")])
        tick = rows.mark_tick(color="#777777", thickness=2, size=18).encode(
            x=alt.X("before:Q", scale=alt.Scale(domain=[0, top], nice=False)), y=y)
        label = rows.mark_text(align="left", dx=4, fontSize=12).encode(
            x=x, y=y, text=alt.Text("days_per_1000:Q", format=",.0f"))
        return (after + tick + label).properties(width=PANEL_WIDTH, height=alt.Step(20), title=PANELS[column])

    return alt.vconcat(*[panel(c) for c in PANELS]).add_params(*boxes).properties(
        title=alt.Title("Wrongful sanction-days per 1,000",
                        subtitle=["residents, over two years; bars: your", "safeguards; grey ticks: as run"]),
        description=("Bar charts of wrongful sanction-days per 1,000 residents over two years, by fictional group, "
                     "kind of work, district and disability, under the safeguards ticked in the checkboxes; grey "
                     "ticks mark the policy as run."))


DEADLINES, FINDS = (14, 30, 60, 90, 180), (0.2, 0.4, 0.6, 0.8, 1.0)


def deadline_chart(world, names: list[str]) -> alt.Chart:
    """Wrongly blacklisted per 1,000 residents by group over two years, every safeguard but the check, for a
    grid of review deadlines and chances that a reviewer finds the error."""
    base = with_safeguards([n for n in names if n != "check before sanction"])
    starts = sanction_starts(world)
    lines = []
    for d in DEADLINES:
        for p in FINDS:
            run = simulate_appeals(world, days=730, starts=starts,   # the default random draws
                                   policy=replace(base, review_deadline_days=d, p_error_found=p))
            t = timeline(run, "group", days=730)
            lines.append(t[(t["day"] % 28 == 0) | (t["day"] == 729)].assign(deadline=d, find=p))  # every 4 weeks
    lines = pd.concat(lines, ignore_index=True)
    lines = lines.assign(group=lines["group"].astype(str), per_1000=lines["per_1000"].round(3))
    lines = lines[["deadline", "find", "day", "group", "per_1000"]]
    end = lines[lines["day"] == 729].set_index(["deadline", "find", "group"])["per_1000"]
    _glue("end_good", float(end.loc[(14, 1.0)].max()))
    _glue("end_poor", float(end.loc[(14, 0.2)].max()))
    year_end = lines[lines["day"] == 364].set_index(["deadline", "find", "group"])["per_1000"]
    _glue("year_fast", float(year_end.loc[(14, 0.8)].max()))
    _glue("year_slow", float(year_end.loc[(180, 0.8)].max()))

    deadline = alt.param(name="deadline", value=30,
                         bind=alt.binding_select(options=list(DEADLINES), name="Review deadline (days): "))
    find = alt.param(name="find", value=0.8, bind=alt.binding_range(
        min=0.2, max=1, step=0.2, name="Chance that a reviewer finds the error: "))
    top = float(np.ceil(lines["per_1000"].max() * 2) / 2)
    groups = sorted(lines["group"].unique())
    return alt.Chart(viz.compact_data(lines)).mark_line(interpolate="step-after", strokeWidth=2.5).encode(
        x=alt.X("day:Q", title="Day (records stop at day 364)", scale=alt.Scale(domain=[0, 730]),
                axis=alt.Axis(tickCount=4)),
        y=alt.Y("per_1000:Q", title="Wrongly blacklisted per 1,000", scale=alt.Scale(domain=[0, top])),
        color=alt.Color("group:N", title="Fictional group", sort=groups, legend=alt.Legend(orient="bottom")),
        strokeDash=alt.StrokeDash("group:N", sort=groups, legend=None),
        tooltip=[alt.Tooltip("group:N", title="Group"), alt.Tooltip("day:Q", title="Day"),
                 alt.Tooltip("per_1000:Q", format=".2f", title="Wrongly blacklisted per 1,000")],
    ).add_params(deadline, find).transform_filter(
        "datum.deadline == deadline && abs(datum.find - find) < 0.01").properties(
        width="container", height=240,
        description=("Step chart of wrongly blacklisted residents per 1,000 residents of each fictional group over "
                     "two years, with notice, the burden on the operator, offline access and the review deadline "
                     "and reviewer skill chosen with the controls."))
