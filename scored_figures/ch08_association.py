"""Chapter 8's figures and glued numbers: association, chilling effects and function creep.

The page ``book/ch08-association-chilling-creep.md`` runs its lessons in visible cells and hands the results
to these functions from hidden cells: ``*_grid`` computes what a chart's controls choose from, ``*_chart``
draws it, ``glue_*`` glues the numbers the prose quotes and ``*_table`` returns a table for reading.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
from myst_nb import glue

from scored import dynamics, viz
from scored.scoring import DEFAULT_SCORECARD

from .tables import show

# Panels of a compound chart cannot take the container's width in Vega-Lite; this fits a 360-pixel phone.
NARROW = 220
WEIGHTS = range(0, 301, 50)
ROUNDS = 10
REASONS = ["on their own records", "only because of whom they know"]


def _group_order(residents: pd.DataFrame) -> list[str]:
    return list(residents["group"].cat.categories) if hasattr(residents["group"], "cat") else sorted(
        residents["group"].unique())


# --- Guilt by association -------------------------------------------------------------------------------

def glue_ties(ties: pd.DataFrame) -> None:
    glue("n_ties", len(ties), display=False)
    for kind in ("family", "friend", "coworker"):
        glue(f"n_{kind}_ties", int((ties["tie"] == kind).sum()), display=False)


def glue_linked(linked: pd.DataFrame) -> None:
    own_listed = int(linked["own_listed"].sum())
    glue("n_own_listed", own_listed, display=False)
    glue("n_by_association", int(linked["by_association"].sum()), display=False)
    glue("rounds_growth", f"{linked['listed'].sum() / own_listed - 1:.0%}", display=False)


def glue_clean(by_association: pd.Series, on_truth: pd.DataFrame) -> None:
    glue("n_assoc_clean", int((by_association & (on_truth["total"] >= 600)).sum()), display=False)
    glue("n_assoc_good", int((by_association & (on_truth["total"] >= 850)).sum()), display=False)


def glue_where(by_district: pd.DataFrame, by_group: pd.DataFrame, districts: pd.DataFrame) -> None:
    watch = districts.set_index("district")["surveillance"]
    most, least = watch.idxmax(), watch.idxmin()
    glue("most_watched", most, display=False)
    glue("least_watched", least, display=False)
    glue("assoc_most", f"{by_district.loc[most, 'by_association']:.1f}%", display=False)
    glue("assoc_least", f"{by_district.loc[least, 'by_association']:.2f}%", display=False)
    for group in ("Heron", "Kestrel"):
        glue(f"assoc_{group.lower()}", f"{by_group.loc[group, 'by_association']:.1f}%", display=False)
    own = by_group.loc["Heron", "own_listed"] / by_group.loc["Kestrel", "own_listed"]
    assoc = by_group.loc["Heron", "by_association"] / by_group.loc["Kestrel", "by_association"]
    glue("own_ratio_groups", f"{own:.1f}", display=False)
    glue("assoc_ratio_groups", f"{assoc:.1f}", display=False)
    glue("assoc_verb", "amplifies it" if assoc > own else "does not shrink it", display=False)


def where_table(by_district: pd.DataFrame, by_group: pd.DataFrame):
    table = pd.concat([by_district, by_group]).rename_axis("District or group").reset_index().rename(columns={
        "own_listed": "Listed on own records", "by_association": "Listed by association"})
    for column in ("Listed on own records", "Listed by association"):
        table[column] = table[column] / 100
    return show(table, percent=["Listed on own records", "Listed by association"], percent_digits=2)


def spread_grid(scores: pd.DataFrame, ties: pd.DataFrame, residents: pd.DataFrame) -> pd.DataFrame:
    """The blacklist after each round, by district and by group, for every weight the slider offers."""
    return pd.concat([
        dynamics.association_spread(scores, ties, residents, WEIGHTS, rounds=ROUNDS, group=column)
        .rename(columns={column: "place"}).assign(panel=column)
        for column in ("district", "group")])


def spread_chart(spread: pd.DataFrame, districts: pd.DataFrame, residents: pd.DataFrame) -> alt.VConcatChart:
    weight = alt.param(name="weight", value=150, bind=alt.binding_range(
        min=0, max=300, step=50, name="Points lost per blacklisted contact: "))
    rounds = alt.param(name="rounds", value=5, bind=alt.binding_range(
        min=0, max=ROUNDS, step=1, name="Rounds the rule has run: "))
    colour = alt.Color("reason:N", title="Blacklisted", sort=REASONS,
                       legend=alt.Legend(orient="bottom", columns=1),
                       scale=alt.Scale(domain=REASONS, range=[viz.SANCTIONED, viz.PALETTE[3]]))
    # Residents and own listings do not depend on the weight or the round: the browser looks them up by `pid`.
    places = spread[spread["weight"] == 0].drop_duplicates("place")[["place", "panel", "residents", "own_listed"]]
    places = places.assign(pid=range(len(places)))
    table = spread.merge(places[["place", "pid"]], on="place")[["weight", "round", "pid", "by_association"]]
    base = alt.Chart(viz.compact_data(table)).transform_filter(alt.datum.weight == weight).transform_lookup(
        lookup="pid", from_=alt.LookupData(alt.InlineData(values=places.to_dict("records")), key="pid",
                                           fields=["place", "panel", "residents", "own_listed"])
    ).transform_fold(["own_listed", "by_association"], as_=["key", "listed"]).transform_calculate(
        reason="datum.key == 'own_listed' ? 'on their own records' : 'only because of whom they know'")
    growth = base.transform_filter(alt.datum.panel == "district").mark_bar().encode(
        x=alt.X("round:O", title="Round", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("sum(listed):Q", title="Residents blacklisted"),
        color=colour, order=alt.Order("reason:N"),
        opacity=alt.condition(alt.datum["round"] <= rounds, alt.value(1.0), alt.value(0.25)),
        tooltip=[alt.Tooltip("round:O", title="Round"), alt.Tooltip("reason:N", title="Blacklisted"),
                 alt.Tooltip("sum(listed):Q", title="Residents")],
    ).properties(width=NARROW, height=160, title="The blacklist, round by round")

    def shares(panel, order, title):
        rows = base.transform_filter((alt.datum.panel == panel) & (alt.datum["round"] == rounds)
                                     ).transform_calculate(share="datum.listed / datum.residents")
        return rows.mark_bar().encode(
            y=alt.Y("place:N", title=None, sort=order),
            x=alt.X("sum(share):Q", title="Share blacklisted", axis=alt.Axis(format="%", tickCount=4),
                    scale=alt.Scale(nice=True)),
            color=colour, order=alt.Order("reason:N"),
            tooltip=[alt.Tooltip("place:N", title=title.replace("By ", "").capitalize()),
                     alt.Tooltip("reason:N", title="Blacklisted"),
                     alt.Tooltip("sum(share):Q", format=".1%", title="Share of residents"),
                     alt.Tooltip("sum(listed):Q", title="Residents")],
        ).properties(width=NARROW, height=alt.Step(18), title=title)

    return alt.vconcat(growth, shares("district", list(districts["district"]), "By district"),
                       shares("group", _group_order(residents), "By fictional group")).add_params(
        weight, rounds).properties(description=(
            "Bars of the number of residents blacklisted after each round of a rule that deducts points for "
            "blacklisted contacts, split into those listed on their own records and those listed only through "
            "their contacts, with the share listed by district and by group after the chosen round; the "
            "sliders set the points per blacklisted contact and the number of rounds."))


def glue_tipping(scores: pd.DataFrame, ties: pd.DataFrame, residents: pd.DataFrame) -> None:
    """Where the rule stops spreading within ten rounds and where it cascades, as sentences."""
    runs = {w: dynamics.association_penalty(scores, ties, weight=w, rounds=ROUNDS).listed_by_round
            for w in WEIGHTS}
    settled = [w for w, sizes in runs.items() if sizes[-1] == sizes[-2]]
    stop = max([w for w in settled if all(v in settled for v in WEIGHTS if v <= w)], default=0)
    growing = [w for w in WEIGHTS if w > stop]
    n = len(residents)
    glue("n_residents", n, display=False)
    glue("stop_weight", stop, display=False)
    glue("n_stop", runs[stop][-1], display=False)
    if growing:
        first, last = growing[0], growing[-1]
        glue("tipping_sentence", f"from {first} points on, the list is still growing after ten rounds: "
             f"{runs[first][-1]:,} residents at {first} points, and {runs[last][-1]:,} of the city's {n:,} "
             f"residents at {last} points", display=False)
    else:
        glue("tipping_sentence", f"in this city it stops even at {stop} points, the most the slider "
             f"offers", display=False)


def glue_jules(jules_contacts: pd.DataFrame) -> None:
    glue("jules_contacts", len(jules_contacts), display=False)
    glue("jules_contacts_listed", int(jules_contacts["by_association"].sum()), display=False)


def glue_wren(at_250: pd.DataFrame, wren: int, ties: pd.DataFrame) -> None:
    row = at_250.loc[wren]
    glue("wren_own", int(row["own_total"]), display=False)
    glue("wren_total", int(row["total"]), display=False)
    reached = at_250.loc[dynamics.contacts(ties, wren), "round_listed"].replace(-1, 99).min()
    glue("wren_round", int(reached), display=False)
    band = next(b for b in DEFAULT_SCORECARD.bands if b.min_score is None or row["total"] >= b.min_score)
    glue("wren_grade", band.grade, display=False)
    glue("wren_sanction", band.sanction, display=False)


# --- Chilling effects -----------------------------------------------------------------------------------

def glue_chill(chill: pd.DataFrame, per_district: pd.DataFrame, districts: pd.DataFrame) -> None:
    glue("n_posts", len(chill), display=False)
    glue("n_withheld", int(chill["withheld"].sum()), display=False)
    glue("share_withheld", float(chill["withheld"].mean()), display=False)
    watch = districts.set_index("district")["surveillance"]
    share = per_district["withheld"] / per_district["posts"]
    glue("chill_most", f"{share[watch.idxmax()]:.0%}", display=False)
    glue("chill_least", f"{share[watch.idxmin()]:.0%}", display=False)


def chill_table(per_district: pd.DataFrame):
    table = per_district.reset_index().rename(columns={
        "district": "District", "posts": "Flagged posts residents would write", "withheld": "Withheld",
        "chance": "Average chance of withholding"})
    table["Share withheld"] = table["Withheld"] / table["Flagged posts residents would write"]
    return show(table, percent=["Average chance of withholding", "Share withheld"], percent_digits=0)


def glue_after(scores, scores_after, flagged_before, flagged_after, jules_posts) -> None:
    glue("flagged_before", flagged_before, display=False)
    glue("flagged_after", flagged_after, display=False)
    glue("listed_before", int((scores["grade"] == "D").sum()), display=False)
    glue("listed_after", int((scores_after["grade"] == "D").sum()), display=False)
    glue("jules_posts", len(jules_posts), display=False)
    glue("jules_withheld", int(jules_posts["withheld"].sum()), display=False)


def chill_chart(city, jules: int) -> alt.VConcatChart:
    """Lawful posts written and withheld per 100 residents of each district, for 0-200 points per post."""
    grid = dynamics.chilling_grid(city, points_values=range(0, 201, 10), sensitivity=1.0, rng=0)
    summary = grid.groupby("points")[["posts", "withheld", "records_before", "records_after"]].sum()
    def withheld_by_jules(points):
        chill = dynamics.chilling_effect(city, points)
        return int(chill.loc[chill["resident_id"] == jules, "withheld"].sum())

    summary["jules"] = [withheld_by_jules(p) for p in summary.index]
    jules_posts = int((dynamics.chilling_effect(city, 0)["resident_id"] == jules).sum())
    bars = pd.DataFrame({
        "points": grid["points"], "district": grid["district"],
        "still written": (100 * (grid["posts"] - grid["withheld"]) / grid["residents"]).round(2),
        "withheld": grid["withheld_per_100"].round(2),
    }).melt(id_vars=["points", "district"], var_name="post", value_name="per_100")
    points = alt.param(name="points", value=50, bind=alt.binding_range(
        min=0, max=200, step=10, name="Points lost per flagged post: "))
    posts = ["still written", "withheld"]
    by_place = alt.Chart(viz.compact_data(bars)).mark_bar().encode(
        y=alt.Y("district:N", title=None, sort=list(city.districts["district"])),
        x=alt.X("per_100:Q", title="Lawful flagged posts per 100 residents"),
        color=alt.Color("post:N", title="Posts", sort=posts, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=posts, range=[viz.NOT_SANCTIONED, viz.PALETTE[1]])),
        order=alt.Order("post:N"),
        tooltip=[alt.Tooltip("district:N", title="District"), alt.Tooltip("post:N", title="Posts"),
                 alt.Tooltip("per_100:Q", format=".1f", title="Per 100 residents")],
    ).transform_filter(alt.datum.points == points).properties(
        width=NARROW, height=alt.Step(20), title="Posts the filter would flag")
    text = alt.Chart(viz.compact_data(summary.reset_index())).transform_filter(
        alt.datum.points == points).transform_calculate(
        line1="'Withheld in the city: ' + datum.withheld + ' of ' + datum.posts",
        line2="'Flagged-post records: ' + datum.records_before + ' → ' + datum.records_after",
        line3=f"'Jules withholds ' + datum.jules + ' of {jules_posts} posts'",
    ).transform_fold(["line1", "line2", "line3"]).mark_text(align="left", fontSize=13).encode(
        x=alt.value(0), y=alt.Y("key:N", axis=None), text="value:N",
    ).properties(width=NARROW, height=60)
    return alt.vconcat(by_place, text).add_params(points).properties(description=(
        "Stacked bars of lawful posts that the keyword filter would flag, per 100 residents of each district, "
        "split into posts still written and posts withheld, with city totals and Jules's count below; the "
        "slider sets the points a flagged post costs."))


# --- Purpose limitation ---------------------------------------------------------------------------------

def agencies_table(agencies: pd.DataFrame):
    return show(agencies.rename(columns=lambda c: c[:1].upper() + c[1:]))


def glue_purpose(city_wide: pd.DataFrame, purpose_grid: pd.DataFrame, everyone: list[str]) -> None:
    court_alone = tuple(int(a == "court") for a in everyone)
    for label, key in (("full", tuple(1 for _ in everyone)), ("court", court_alone)):
        glue(f"n_{label}", int(city_wide.loc[key, "listed"]), display=False)
        glue(f"wrong_{label}", int(city_wide.loc[key, "wrongly_listed"]), display=False)
    groups = purpose_grid[purpose_grid["panel"] == "group"]
    subsets = groups[everyone].apply(tuple, axis=1)
    ratios = {}
    for label, key in (("court", court_alone), ("full", tuple(1 for _ in everyone))):
        rows = groups[subsets == key].set_index("place")
        share = rows["listed"] / rows["residents"]
        ratios[label] = share["Heron"] / share["Kestrel"] if share["Kestrel"] > 0 else float("inf")
        if label == "court":
            for group in ("Heron", "Kestrel"):
                glue(f"court_{group.lower()}", f"{share[group]:.2%}", display=False)
    glue("court_ratio", f"{ratios['court']:.1f}", display=False)
    glue("full_ratio", f"{ratios['full']:.1f}", display=False)
    glue("court_gap", "narrows" if ratios["court"] < ratios["full"] else "does not narrow", display=False)


def purpose_chart(purpose_grid: pd.DataFrame, everyone: list[str], districts: pd.DataFrame,
                  residents: pd.DataFrame) -> alt.VConcatChart:
    allow = {agency: alt.param(name=f"allow_{agency}", value=True, bind=alt.binding_checkbox(
        name=f"Score may use {agency.replace('_', ' ')} records "))
        for agency in everyone}
    # Each row's subset of allowed agencies as one number (a bit per agency), matched against the checkboxes.
    bits = {a: 2 ** i for i, a in enumerate(everyone)}
    chosen = "datum.subset == " + " + ".join(f"(allow_{a} ? {bit} : 0)" for a, bit in bits.items())
    places = purpose_grid.drop_duplicates("place")[["place", "panel", "residents"]]
    places = places.assign(pid=range(len(places)))
    table = purpose_grid.merge(places[["place", "pid"]], on="place").assign(
        subset=lambda t: sum(t[a] * bit for a, bit in bits.items()))[["subset", "pid", "listed"]]
    rows = alt.Chart(viz.compact_data(table)).transform_filter(chosen).transform_lookup(
        lookup="pid", from_=alt.LookupData(alt.InlineData(values=places.to_dict("records")), key="pid",
                                           fields=["place", "panel", "residents"])).transform_calculate(
        share="datum.listed / datum.residents",
        label="datum.listed + (datum.listed == 1 ? ' resident' : ' residents')")

    def share_by(panel, order, title):
        y = alt.Y("place:N", title=None, sort=order)
        chosen_rows = rows.transform_filter(alt.datum.panel == panel)
        return (chosen_rows.mark_bar(color=viz.SANCTIONED).encode(
            y=y, x=alt.X("share:Q", title="Share blacklisted", axis=alt.Axis(format="%", tickCount=4),
                         scale=alt.Scale(domain=[0, 0.06], clamp=True)),
            tooltip=[alt.Tooltip("place:N", title=title.replace("By ", "").capitalize()),
                     alt.Tooltip("share:Q", format=".1%", title="Share blacklisted"),
                     alt.Tooltip("listed:Q", title="Residents blacklisted")])
            + chosen_rows.mark_text(align="left", dx=4).encode(y=y, x="share:Q", text="label:N")
        ).properties(width=NARROW - 40, height=alt.Step(20), title=title)

    total = rows.transform_filter(alt.datum.panel == "district").transform_aggregate(
        listed="sum(listed)").transform_calculate(label="'Blacklisted in the city: ' + datum.listed").mark_text(
        align="left", fontSize=14, fontWeight="bold").encode(x=alt.value(0), y=alt.value(8), text="label:N"
                                                             ).properties(width=NARROW, height=16)
    return alt.vconcat(total, share_by("district", list(districts["district"]), "By district"),
                       share_by("group", _group_order(residents), "By fictional group")).add_params(
        *allow.values()).properties(description=(
            "Share of residents blacklisted by district and by fictional group, and the city total, for the "
            "agencies whose records the checkboxes allow to feed the score."))
