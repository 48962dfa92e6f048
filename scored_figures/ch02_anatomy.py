"""Figures and glued numbers for chapter 2, "Anatomy of a score".

The chapter calls these from hidden cells. :func:`glue_numbers` computes every number the prose quotes
about the city, including which districts are named, so that the text stays right on any city
(``SCORED_CITY``); the chart functions draw the chapter's interactive figures.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
from myst_nb import glue

from scored import viz

# Plain words for the kinds of event, used in the controls, legends and tooltips.
KIND_NAMES = {
    "traffic_offence": "traffic offences",
    "flagged_post": "flagged online posts",
    "late_bill": "late bills",
    "court_debt": "unpaid court judgments",
    "volunteering": "registered volunteering",
}
LAYERS = ["what residents did", "what was recorded"]


def _glue(name: str, value) -> None:
    glue(name, value, display=False)


def _per_100(city, events: pd.DataFrame) -> pd.DataFrame:
    """Events per 100 residents, one row per district, one column per kind of event."""
    located = events.merge(city.residents[["resident_id", "district"]], on="resident_id")
    counts = pd.crosstab(located["district"], located["kind"])
    population = city.residents["district"].value_counts()
    return 100 * counts.div(population, axis=0)


def glue_numbers(city, scores: pd.DataFrame, on_truth: pd.DataFrame) -> None:
    """Glue the numbers and district names the chapter's prose quotes."""
    did, recorded = _per_100(city, city.behaviour), _per_100(city, city.records)
    districts = city.districts.sort_values("surveillance", ascending=False)["district"].tolist()
    most, least = districts[:2], districts[-1]
    _glue("most_watched", " and ".join(most))
    _glue("least_watched", least)
    _glue("traffic_done_per_100", float(did["traffic_offence"].mean()))
    _glue("posts_done_per_100", float(did["flagged_post"].mean()))
    traffic = recorded["traffic_offence"]
    _glue("traffic_record_ratio", float(traffic[most].mean() / traffic[least]))

    blacklisted = scores["grade"] == "D"
    _glue("n_blacklisted", int(blacklisted.sum()))
    _glue("share_blacklisted", float(blacklisted.mean()))
    _glue("median_score", int(scores["total"].median()))
    _glue("score_p10", int(scores["total"].quantile(0.1)))
    _glue("score_p90", int(scores["total"].quantile(0.9)))

    residents = city.residents.set_index("resident_id")
    listed = pd.DataFrame({"records": blacklisted, "truth": on_truth["grade"] == "D"}).join(residents)
    by_district = listed.groupby("district", observed=True)[["records", "truth"]].mean()
    _glue("top_listed_district", str(by_district["records"].idxmax()))
    _glue("bottom_listed_district", str(by_district["records"].idxmin()))
    _glue("listed_district_ratio", float(by_district["records"].max() / by_district["records"].min()))
    by_group = listed.groupby("group", observed=True)["records"].mean()
    _glue("more_listed_group", str(by_group.idxmax()))
    _glue("less_listed_group", str(by_group.idxmin()))
    _glue("least_watched_found", float(by_district.loc[least, "records"] / by_district.loc[least, "truth"]))
    _glue("most_watched_found", float(by_district.loc[most, "records"].sum() / by_district.loc[most, "truth"].sum()))
    _glue("n_wrongly_listed", int((listed["records"] & ~listed["truth"]).sum()))
    _glue("n_missed", int((~listed["records"] & listed["truth"]).sum()))


def events_chart(city, comparison: pd.DataFrame) -> alt.Chart:
    """Events per 100 residents by district, what happened next to what was recorded, one kind at a time."""
    data = comparison.assign(kind_name=comparison["kind"].map(KIND_NAMES))
    names = list(KIND_NAMES.values())
    pick = alt.param(name="kind_shown", value=names[0],
                     bind=alt.binding_radio(options=names, name="Kind of event: "))
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("district:N", title=None, sort=list(city.districts["district"])),
        yOffset=alt.YOffset("layer:N", sort=LAYERS),
        x=alt.X("per_100:Q", title="Events per 100 residents in 2025"),
        color=alt.Color("layer:N", title=None, sort=LAYERS, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("district:N", title="District"), alt.Tooltip("layer:N", title="Layer"),
                 alt.Tooltip("per_100:Q", title="Per 100 residents", format=".1f")],
    ).add_params(pick).transform_filter(alt.datum.kind_name == pick).properties(
        width="container", height=alt.Step(14),
        description=("Bar chart comparing, for each district, events per 100 residents that actually "
                     "happened with events recorded, for the kind of event chosen with the buttons."),
    )


def score_distribution(scores: pd.DataFrame, card) -> alt.Chart:
    """The histogram of scores with a threshold slider (the toolkit's reusable chart)."""
    return viz.score_distribution(scores, card)


def blacklist_explorer(city, counts: pd.DataFrame, card) -> alt.VConcatChart:
    """The scorecard explorer: a slider per rule and for the threshold (the toolkit's reusable chart)."""
    return viz.blacklist_explorer(counts, city.residents, card, personas=city.personas)
