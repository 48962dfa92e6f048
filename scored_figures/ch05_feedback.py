"""Chapter 5's figures and glued numbers: measurement bias and feedback loops.

The page ``book/ch05-feedback-loops.md`` computes its lessons in visible cells and hands the results to these
functions from hidden cells: each ``*_chart`` returns an altair chart, each ``glue_*`` glues the numbers the
prose quotes, and the grids behind the controls are computed here.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
from myst_nb import glue

from scored import viz
from scored.dynamics import feedback_grid
from scored.scoring import score
from scored.world import make_world

from .tables import show

WATCHED = ["traffic_offence", "flagged_post"]
KIND_NAMES = {"traffic_offence": "traffic offence", "flagged_post": "flagged post"}
LEVELS = np.round(np.arange(0.1, 1.01, 0.1), 1)
LAYERS = ["what residents did", "what was recorded"]
# Panels of a compound chart: Vega-Lite cannot size these to the container, so they are narrow enough for a
# 360-pixel phone with their axis labels (single charts use the container's width instead).
NARROW = 220


def _watched_events(events: pd.DataFrame, residents: pd.DataFrame) -> pd.Series:
    located = events.merge(residents[["resident_id", "district"]], on="resident_id")
    located = located[located["kind"].isin(WATCHED)]
    return located.groupby(["district", "kind"], observed=True).size()


# --- Records per true offence ---------------------------------------------------------------------------

def records_table(per_offence: pd.Series, districts: pd.DataFrame):
    """The lesson's ``per_offence`` as a table: one row per district, most watched first."""
    wide = per_offence.unstack("kind")
    table = districts.set_index("district")[["surveillance"]].join(wide).sort_values("surveillance",
                                                                                   ascending=False)
    table = table.reset_index().rename(columns={
        "district": "District", "surveillance": "Watched",
        "traffic_offence": "Records per traffic offence", "flagged_post": "Records per flagged post"})
    return show(table, digits={c: 2 for c in table.columns[1:]})


def glue_records(per_offence: pd.Series, districts: pd.DataFrame) -> None:
    traffic = per_offence.xs("traffic_offence", level="kind")
    by_watch = districts.set_index("district")["surveillance"]
    most, least = by_watch.idxmax(), by_watch.idxmin()
    glue("most_watched", most, display=False)
    glue("least_watched", least, display=False)
    glue("east_per_offence", float(traffic[most]), display=False)
    glue("north_per_offence", float(traffic[least]), display=False)
    glue("per_offence_ratio", float(traffic[most] / traffic[least]), display=False)


def records_chart(per_offence: pd.Series, districts: pd.DataFrame) -> alt.LayerChart:
    data = per_offence.rename("per_offence").reset_index().merge(districts[["district", "surveillance"]])
    data["kind"] = data["kind"].map(KIND_NAMES)
    base = alt.Chart(data).encode(
        x=alt.X("surveillance:Q", title="How closely the district is watched", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("per_offence:Q", title="Records per true offence", scale=alt.Scale(domain=[0, 1])))
    kind = {"title": "Kind of offence", "legend": alt.Legend(orient="bottom")}
    points = base.mark_point(size=90, filled=True).encode(
        color=alt.Color("kind:N", **kind), shape=alt.Shape("kind:N", **kind),
        tooltip=[alt.Tooltip("district:N", title="District"), alt.Tooltip("kind:N", title="Kind of offence"),
                 alt.Tooltip("surveillance:Q", title="Surveillance intensity", format=".1f"),
                 alt.Tooltip("per_offence:Q", title="Records per true offence", format=".2f")])
    named = base.transform_filter(alt.datum.kind == "traffic offence")
    # Names to the right of a point, or to its left near the right edge, so none is cut off.
    left = named.transform_filter(alt.datum.surveillance < 0.7).mark_text(align="left", dx=8, dy=-6)
    right = named.transform_filter(alt.datum.surveillance >= 0.7).mark_text(align="right", dx=-8, dy=-6)
    labels = (left + right).encode(text="district:N")
    return (points + labels).properties(
        width="container", height=280, padding={"left": 5, "top": 5, "right": 14, "bottom": 5},
        title=alt.Title("Records per true offence", subtitle="by how closely each district is watched"),
        description=("Scatter plot of records per true offence against each district's surveillance "
                     "intensity, for traffic offences and flagged posts; the points rise in a straight line "
                     "from the least watched district to the most watched."))


def glue_twins(scores: pd.DataFrame, records: pd.DataFrame, pair: list[int]) -> None:
    glue("sasha_score", int(scores.loc[pair[0], "total"]), display=False)
    glue("twin_score", int(scores.loc[pair[1], "total"]), display=False)
    glue("sasha_grade", str(scores.loc[pair[0], "grade"]), display=False)
    glue("twin_grade", str(scores.loc[pair[1], "grade"]), display=False)
    records_of = records["resident_id"].value_counts()
    glue("sasha_records", int(records_of.get(pair[0], 0)), display=False)
    glue("twin_records", int(records_of.get(pair[1], 0)), display=False)


def twins_table(twins: pd.DataFrame, residents: pd.DataFrame, pair: list[int]):
    """Sasha's and the twin's events: one row per kind, one column per person and layer (narrow enough
    for a phone)."""
    names = residents.set_index("resident_id")["name"].str.split().str[0]
    wide = twins.T[[(layer, rid) for rid in pair for layer in ("what they did", "what was recorded")]]
    wide.columns = [f"{names[rid]}: {'did' if layer == 'what they did' else 'recorded'}"
                    for layer, rid in wide.columns]
    table = wide.rename_axis("Kind").reset_index()
    table["Kind"] = table["Kind"].astype(str).str.replace("_", " ")
    return show(table)


def pair_table(pair_scores: pd.DataFrame):
    table = pair_scores.reset_index(drop=True)[["name", "district", "total", "grade"]]
    return show(table.rename(columns={"name": "Resident", "district": "District", "total": "Score",
                                      "grade": "Grade"}))


# --- The same city, watched differently -----------------------------------------------------------------

def district_summary(world) -> pd.DataFrame:
    """Per district: true and recorded watched-kind offences per 100 residents, and the share blacklisted."""
    population = world.residents["district"].value_counts()
    true = _watched_events(world.behaviour, world.residents).groupby(level="district", observed=True).sum()
    recorded = _watched_events(world.records, world.residents).groupby(level="district", observed=True).sum()
    listed = score(world.records, world.residents)["grade"].eq("D")
    blacklisted = listed.groupby(world.residents.set_index("resident_id")["district"], observed=True).mean()
    return pd.DataFrame({"what residents did": 100 * true / population,
                         "what was recorded": 100 * recorded / population,
                         "blacklisted": blacklisted}).rename_axis("district").reset_index()


def experiment(city) -> pd.DataFrame:
    """``district_summary`` for copies of ``city`` that differ only in one district's surveillance."""
    settings = {**city.params, "seed": city.seed}
    cameras = settings.pop("surveillance")
    return pd.concat([
        district_summary(make_world(**settings, surveillance={**cameras, changed: float(level)}))
        .assign(changed=changed, level=level)
        for changed in ["Northgate", "Eastfield"] for level in LEVELS
    ], ignore_index=True)


def glue_experiment(table: pd.DataFrame) -> None:
    def at(changed, level, district, column):
        row = table[(table["changed"] == changed) & np.isclose(table["level"], level)
                    & (table["district"] == district)]
        return float(row[column].iloc[0])

    glue("north_true", at("Northgate", 0.2, "Northgate", "what residents did"), display=False)
    for name, district in (("north", "Northgate"), ("east", "Eastfield")):
        for tag, level in (("low", 0.2), ("high", 0.9)):
            glue(f"{name}_rec_{tag}", at(district, level, district, "what was recorded"), display=False)
            glue(f"{name}_bl_{tag}", at(district, level, district, "blacklisted"), display=False)


def experiment_chart(table: pd.DataFrame, districts: pd.DataFrame) -> alt.VConcatChart:
    order = list(districts["district"])
    changed = alt.param(name="changed", value="Northgate", bind=alt.binding_radio(
        options=["Northgate", "Eastfield"], name="District to re-equip: "))
    level = alt.param(name="level", value=0.2, bind=alt.binding_range(
        min=0.1, max=1.0, step=0.1, name="Its surveillance: "))
    rounded = table.round({"what residents did": 1, "what was recorded": 1, "blacklisted": 4})
    chosen = alt.Chart(viz.compact_data(rounded)).transform_filter(
        (alt.datum.changed == changed) & (abs(alt.datum.level - level) < 0.01))
    offences = chosen.transform_fold(LAYERS, as_=["layer", "per_100"]).mark_bar().encode(
        y=alt.Y("district:N", title=None, sort=order),
        yOffset=alt.YOffset("layer:N", sort=LAYERS),
        x=alt.X("per_100:Q", title="Offences per 100 residents", scale=alt.Scale(domain=[0, 55])),
        color=alt.Color("layer:N", title=None, sort=LAYERS, legend=alt.Legend(orient="bottom", columns=1)),
        tooltip=[alt.Tooltip("district:N", title="District"), alt.Tooltip("layer:N", title="Layer"),
                 alt.Tooltip("per_100:Q", format=".1f", title="Offences per 100 residents")],
    ).properties(width=NARROW, height=alt.Step(12),
                 title=alt.Title("Traffic offences and flagged posts", subtitle="true and recorded"))
    listed = chosen.mark_bar(color=viz.SANCTIONED).encode(
        y=alt.Y("district:N", title=None, sort=order),
        x=alt.X("blacklisted:Q", title="Share blacklisted", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 0.06])),
        tooltip=[alt.Tooltip("district:N", title="District"),
                 alt.Tooltip("blacklisted:Q", format=".1%", title="Share blacklisted")],
    ).properties(width=NARROW, height=alt.Step(18), title="On the blacklist")
    return alt.vconcat(offences, listed).add_params(changed, level).properties(
        description=("Two bar charts by district for a city in which the chosen district's surveillance "
                     "intensity is set with the slider: true and recorded offences per 100 residents, and "
                     "the share of residents blacklisted."))


# --- The feedback loop ----------------------------------------------------------------------------------

def glue_loop(final: pd.Series, start: dict) -> None:
    start_share = start["Eastfield"] / sum(start.values())
    glue("start_share", start_share, display=False)
    glue("equal_mean", float(final.mean()), display=False)
    glue("equal_balanced", float(final.between(0.45, 0.55).mean()), display=False)
    glue("equal_above_start", float((final > start_share).mean()), display=False)


def loop_table(more_east: pd.Series, more_north: pd.Series, start: dict):
    table = pd.DataFrame({
        "Case": ["Eastfield has more incidents", "Northgate has more incidents"],
        "Eastfield's true share": [0.6, 0.4],
        "First allocation to Eastfield": [0.5, start["Eastfield"] / sum(start.values())],
        "Median allocation after 100 rounds": [more_east.median(), more_north.median()]})
    return show(table, percent=table.columns[1:], percent_digits=0)


def glue_runaway(more_east: pd.Series, more_north: pd.Series) -> None:
    glue("more_east_median", float(more_east.median()), display=False)
    glue("more_north_median", float(more_north.median()), display=False)


def explorer_grid() -> pd.DataFrame:
    """The loop on a grid of settings, 200 runs each, sampled every 10 rounds."""
    return feedback_grid(initial_shares=[0.5, 0.6, 0.7, 0.8], true_shares=[0.3, 0.4, 0.5, 0.6, 0.7],
                         reported_shares=[0, 0.5, 1], corrections=[False, True],
                         rounds=100, every=10, runs=200, rng=2026)


def explorer_chart(grid: pd.DataFrame) -> alt.LayerChart:
    first = alt.param(name="first_share", value=0.8, bind=alt.binding_range(
        min=0.5, max=0.8, step=0.1, name="First share of patrols sent to Eastfield: "))
    truth = alt.param(name="true_share", value=0.5, bind=alt.binding_range(
        min=0.3, max=0.7, step=0.1, name="Eastfield's true share of incidents: "))
    reports = alt.param(name="reported", value=0, bind=alt.binding_range(
        min=0, max=1, step=0.5, name="Share of incidents reported by residents: "))
    fix = alt.param(name="fix", value=0, bind=alt.binding_radio(
        options=[0, 1], labels=["off", "on"], name="Ensign et al.'s correction: "))
    # Each combination of settings travels as one number, `setting`, and the shares as whole percentages;
    # the filter computes the same number from the controls.
    columns = ["initial_share", "true_share", "reported_share", "correction"]
    compact = grid.assign(setting=grid.groupby(columns, sort=True).ngroup())
    compact[["median", "low", "high"]] = (100 * compact[["median", "low", "high"]]).round().astype(int)
    setting = ("((round((first_share - 0.5) * 10) * 5 + round((true_share - 0.3) * 10)) * 3"
               " + round(reported * 2)) * 2 + fix")
    runs = (alt.Chart(viz.compact_data(compact[["setting", "round", "median", "low", "high"]]))
            .transform_filter(f"datum.setting == {setting}")
            .transform_calculate(median="datum.median / 100", low="datum.low / 100", high="datum.high / 100"))
    x = alt.X("round:Q", title="Round", scale=alt.Scale(domain=[1, 100]))
    y = alt.Y("median:Q", title="Share of patrols sent to Eastfield", axis=alt.Axis(format="%"),
              scale=alt.Scale(domain=[0, 1]))
    band = runs.mark_area(opacity=0.3, color=viz.PALETTE[0]).encode(x=x, y=alt.Y("low:Q").title(""),
                                                                     y2="high:Q")
    median = runs.mark_line(color=viz.PALETTE[0], strokeWidth=3).encode(
        x=x, y=y, tooltip=[alt.Tooltip("round:Q", title="Round"),
                           alt.Tooltip("median:Q", format=".0%", title="Median share"),
                           alt.Tooltip("low:Q", format=".0%", title="10th percentile"),
                           alt.Tooltip("high:Q", format=".0%", title="90th percentile")])
    fair = alt.Chart(pd.DataFrame({"label": ["fair share"]})).transform_calculate(share="true_share")
    fair_line = fair.mark_rule(color=viz.SANCTIONED, strokeDash=[6, 4], strokeWidth=2).encode(y="share:Q")
    fair_text = fair.mark_text(align="left", x=4, dy=-8, color=viz.SANCTIONED).encode(y="share:Q",
                                                                                     text="label:N")
    return (band + median + fair_line + fair_text).add_params(first, truth, reports, fix).properties(
        width="container", height=300,
        title=alt.Title("Share of patrols sent to Eastfield", subtitle="median and middle 80% of 200 runs"),
        description=("Line chart of the median share of patrols sent to Eastfield over 100 rounds of the "
                     "feedback loop, with a band for the middle 80% of 200 runs and a dashed line at the fair "
                     "share; sliders set the first allocation, the true share of incidents and the share "
                     "reported by residents, and buttons switch Ensign et al.'s correction on or off."))


def glue_corrections(outcomes: pd.DataFrame) -> None:
    for name, key in (("no reports", "no_reports_mean"), ("half reported", "half_reported_mean"),
                      ("correction", "corrected_mean")):
        glue(key, float(outcomes.loc[name, "mean"]), display=False)


def corrections_table(outcomes: pd.DataFrame):
    table = outcomes[["mean", "25%", "75%"]].rename_axis("Setting").reset_index().rename(columns={
        "mean": "Average share to Eastfield", "25%": "Lower quarter of runs", "75%": "Upper quarter of runs"})
    return show(table, percent=table.columns[1:], percent_digits=0)
