"""Chapter 6's figures and glued numbers: errors without appeal.

The page ``book/ch06-errors-without-appeal.md`` runs its lessons in visible cells and hands the results to
these functions from hidden cells: ``*_chart`` returns an altair chart, ``glue_*`` glues the numbers the
prose quotes, ``*_table`` returns a table for reading, and the grids behind the controls are computed here.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
from myst_nb import glue

from scored import viz
from scored.appeals import AppealPolicy, policy_grid, simulate_appeals, timeline

from .tables import show

# Panels of a compound chart cannot take the container's width in Vega-Lite; this fits a 360-pixel phone.
NARROW = 220
BARRIER_WORDS = {"low_income": "a low income", "gig": "gig work", "disability": "a disability",
                 "language": "difficulty with the official language", "digital": "online-only appeals in old age"}
KIND_WORDS = {"misattributed": "a namesake's record", "stale": "an old matter recorded as new",
              "duplicate": "a record entered twice"}


def _words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --- Who is wrongly sanctioned --------------------------------------------------------------------------

def glue_starts(listed: pd.DataFrame, wrong: pd.DataFrame) -> None:
    glue("n_listed", len(listed), display=False)
    glue("n_wrong", len(wrong), display=False)
    glue("share_wrong", len(wrong) / len(listed), display=False)


def kinds_table(kinds: pd.Series):
    table = pd.DataFrame({"Kind of wrong record": [KIND_WORDS.get(k, k) for k in kinds.index],
                          "Wrongly listed residents carrying one": kinds.to_numpy()})
    return show(table)


def glue_kit(starts: pd.DataFrame, access: pd.DataFrame, kit: int) -> None:
    row = starts.loc[kit]
    glue("kit_start", int(row["start_day"]), display=False)
    glue("kit_score", int(row["score"]), display=False)
    glue("kit_corrected", int(row["corrected_score"]), display=False)
    glue("kit_work", str(row["work"]), display=False)
    glue("kit_wrong_records", int(row[["misattributed", "stale", "duplicate"]].sum()), display=False)
    barriers = [BARRIER_WORDS[b] for b in BARRIER_WORDS if bool(access.loc[kit, b])]
    count = {0: "no barrier", 1: "one barrier"}.get(len(barriers), f"{len(barriers)} barriers")
    glue("kit_barriers", f"{_words(barriers)}: {count}" if barriers else "no barrier", display=False)
    glue("kit_chance", float(access.loc[kit, "appeal_chance"]), display=False)


def glue_big(big_starts: pd.DataFrame, by_district: pd.DataFrame) -> None:
    glue("big_wrong", int(big_starts["wrongly_sanctioned"].sum()), display=False)
    glue("big_share", float(big_starts["wrongly_sanctioned"].sum() / big_starts["sanctioned"].sum()),
         display=False)
    rate = by_district["per_1000"]
    glue("most_wrong_districts", _words(list(rate.sort_values(ascending=False).index[:2])), display=False)
    glue("least_wrong_district", str(rate.idxmin()), display=False)
    glue("wrong_district_ratio", float(rate.max() / rate.min()), display=False)


def district_table(by_district: pd.DataFrame):
    table = by_district.reset_index().rename(columns={
        "district": "District", "wrongly_sanctioned": "Wrongly blacklisted",
        "per_1000": "Per 1,000 residents"})
    return show(table, digits={"Per 1,000 residents": 2})


def barriers_table(shares: pd.DataFrame):
    table = shares.rename(columns=lambda b: BARRIER_WORDS.get(b, b)).rename_axis("Group").reset_index()
    return show(table, percent=table.columns[1:])


def glue_outcomes(outcomes: pd.DataFrame, summarise) -> None:
    overall = summarise(outcomes).iloc[0]
    for name in ("appealed", "lifted", "mean_days", "mean_cost_share"):
        glue(f"all_{name}", float(overall[name]), display=False)


def work_table(by_work: pd.DataFrame):
    table = by_work.reset_index().rename(columns={
        "work": "Kind of work", "wrongly_sanctioned": "Wrongly blacklisted", "appealed": "Appealed",
        "lifted": "Cleared within two years", "mean_days": "Average days on the list",
        "days_per_1000": "Wrongful days per 1,000 residents", "mean_cost_share": "Lost, as a share of income"})
    return show(table, percent=["Appealed", "Cleared within two years", "Lost, as a share of income"],
                percent_digits=0, digits={"Average days on the list": 0, "Wrongful days per 1,000 residents": 0})


# --- Which lever matters --------------------------------------------------------------------------------

def lever_grid(big) -> pd.DataFrame:
    """Wrongful sanction-days per 1,000 residents by group, work and district, for every deadline and
    chance of appealing the chart offers (the same residents and random draws each time)."""
    grid = policy_grid(big, deadlines=(30, 60, 90, 120, 150, 180), appeal_chances=(0.2, 0.4, 0.6, 0.8, 1.0),
                       notice=(False,), groups=("group", "work", "district"), days=730)
    return grid[["deadline", "appeal_chance", "column", "value", "days_per_1000", "lifted"]].round(
        {"appeal_chance": 1, "days_per_1000": 0, "lifted": 2})


def lever_chart(grid: pd.DataFrame, residents: pd.DataFrame) -> alt.VConcatChart:
    deadline = alt.param(name="deadline", value=90, bind=alt.binding_range(
        min=30, max=180, step=30, name="Review deadline (days): "))
    chance = alt.param(name="chance", value=0.8, bind=alt.binding_range(
        min=0.2, max=1, step=0.2, name="Chance of appealing, without barriers: "))
    chosen = alt.Chart(viz.compact_data(grid.drop(columns="column"))).transform_filter(
        "datum.deadline == deadline && abs(datum.appeal_chance - chance) < 0.01")

    def panel(title, values):
        rows = chosen.transform_filter(alt.FieldOneOfPredicate(field="value", oneOf=values))
        y = alt.Y("value:N", title=None, sort=values)
        x = alt.X("days_per_1000:Q", title="Wrongful days per 1,000 residents",
                  scale=alt.Scale(domain=[0, 2200], clamp=True), axis=alt.Axis(tickCount=4))
        bars = rows.mark_bar(color=viz.SANCTIONED).encode(x=x, y=y, tooltip=[
            alt.Tooltip("value:N", title=title),
            alt.Tooltip("days_per_1000:Q", format=",.0f", title="Wrongful days per 1,000 residents"),
            alt.Tooltip("lifted:Q", format=".0%", title="Wrongly listed and cleared")])
        labels = rows.mark_text(align="left", dx=4).encode(x=x, y=y,
                                                           text=alt.Text("days_per_1000:Q", format=",.0f"))
        return (bars + labels).properties(width=NARROW, height=alt.Step(20), title=title)

    categories = {c: list(residents[c].cat.categories) for c in ("group", "work", "district")}
    return alt.vconcat(panel("By fictional group", categories["group"]),
                       panel("By kind of work", categories["work"]),
                       panel("By district", categories["district"])).add_params(deadline, chance).properties(
        description=("Bar charts of wrongful sanction-days per 1,000 residents by fictional group, kind of "
                     "work and district, for the review deadline and the chance of appealing chosen with the "
                     "sliders."))


# --- Two years under four policies ----------------------------------------------------------------------

def policy_lines(big, big_starts: pd.DataFrame, presets: dict) -> pd.DataFrame:
    """Wrongly blacklisted per 1,000 residents of each group, every two weeks, under each preset policy."""
    runs = [simulate_appeals(big, days=730, policy=p, rng=0, starts=big_starts) for p in presets.values()]
    lines = pd.concat([timeline(run, group="group", days=730).assign(policy=i) for i, run in enumerate(runs)])
    lines = lines[(lines["day"] % 14 == 0) | (lines["day"] == 729)]
    lines = lines.assign(per_1000=lines["per_1000"].round(2), group=lines["group"].astype(str))
    return lines[["policy", "day", "group", "per_1000"]]


def glue_lines(lines: pd.DataFrame) -> None:
    glue("peak_as_run", float(lines.query("policy == 0")["per_1000"].max()), display=False)
    glue("end_full", float(lines.query("policy == 3 and day == 729")["per_1000"].max()), display=False)


def policy_chart(lines: pd.DataFrame, presets: dict) -> alt.Chart:
    groups = sorted(lines["group"].unique(), key=lambda g: (g != "Kestrel", g))
    pick = alt.param(name="policy_shown", value=0, bind=alt.binding_radio(
        options=list(range(len(presets))), labels=list(presets), name="Policy: "))
    return alt.Chart(viz.compact_data(lines)).mark_line(interpolate="step-after", strokeWidth=2.5).encode(
        x=alt.X("day:Q", title="Day (records stop at day 364)", scale=alt.Scale(domain=[0, 730])),
        y=alt.Y("per_1000:Q", title="Wrongly blacklisted per 1,000", scale=alt.Scale(domain=[0, 2.5])),
        color=alt.Color("group:N", title="Fictional group", sort=groups, legend=alt.Legend(orient="bottom")),
        strokeDash=alt.StrokeDash("group:N", sort=groups, legend=None),
        tooltip=[alt.Tooltip("group:N", title="Fictional group"), alt.Tooltip("day:Q", title="Day"),
                 alt.Tooltip("per_1000:Q", format=".2f", title="Wrongly blacklisted per 1,000")],
    ).add_params(pick).transform_filter(alt.datum.policy == pick).properties(
        width="container", height=260,
        title=alt.Title("Wrongly blacklisted residents", subtitle="per 1,000 residents of each group"),
        description=("Step chart of the number of wrongly blacklisted residents per 1,000 residents of each "
                     "fictional group, day by day over two years, under the appeal policy chosen with the "
                     "buttons."))


# --- Kit's odds, and who pays ---------------------------------------------------------------------------

def glue_futures(futures: pd.DataFrame) -> None:
    glue("kit_appealed", float(futures["appealed"].mean()), display=False)
    glue("kit_lifted", float(futures["end_day"].notna().mean()), display=False)
    glue("kit_days", float(futures["days_sanctioned"].mean()), display=False)
    glue("kit_cost_share", float(futures["cost_share"].mean()), display=False)


def glue_income(by_income: pd.DataFrame) -> None:
    total = by_income["residents"].sum()
    glue("poorest_share_of_wrong", float(by_income["residents"].iloc[0] / total), display=False)
    glue("poorest_cost_share", float(by_income["mean_cost_share"].iloc[0]), display=False)
    glue("poorest_appealed", float(by_income["appealed"].iloc[:2].max()), display=False)
    glue("richest_appealed", float(by_income["appealed"].iloc[-1]), display=False)


def income_table(by_income: pd.DataFrame):
    table = by_income.rename_axis("Income").reset_index().rename(columns={
        "residents": "Wrongly blacklisted", "appealed": "Appealed", "mean_days": "Average days on the list",
        "mean_cost_share": "Lost, as a share of income"})
    return show(table, percent=["Appealed", "Lost, as a share of income"], percent_digits=0,
                digits={"Average days on the list": 0})
