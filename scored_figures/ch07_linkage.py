"""Chapter 7's figures and glued numbers: linking data and re-identifying people.

The page ``book/ch07-reidentification.md`` runs its lessons in visible cells and hands the results to these
functions from hidden cells: ``*_grid`` computes what a chart's controls choose from, ``*_chart`` draws it,
``glue_*`` glues the numbers the prose quotes and ``*_table`` returns a table for reading.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
from myst_nb import glue

from scored import viz
from scored.privacy import (anonymity_set_sizes, generalise_age, generalise_date, link, linkage_outcomes,
                            uniqueness)

from .tables import show

QUASI = ["postcode", "birth_date", "sex"]
# Panels of a compound chart cannot take the container's width in Vega-Lite; this fits a 360-pixel phone.
NARROW = 220
LABELS = 80          # pixels reserved for the bar charts' row labels
SIZES = [0, 1, 2, 4, 9, 49, np.inf]
SIZE_LABELS = ["1 (unique)", "2", "3 to 4", "5 to 9", "10 to 49", "50 or more"]
AGE_LABELS = ["18 to 29", "30 to 44", "45 to 59", "60 to 74", "75 to 90"]
OUTCOME_LABELS = {"re-identified correctly": "named correctly", "re-identified wrongly": "named wrongly",
                  "ambiguous": "several candidates", "unmatched": "no candidate"}


# --- Uniqueness -----------------------------------------------------------------------------------------

def glue_uniqueness(residents: pd.DataFrame, share_unique: float) -> None:
    per_postcode = residents.groupby("postcode", observed=True).size()
    birth_days = pd.to_datetime(residents["birth_date"])
    span_years = (birth_days.max() - birth_days.min()).days // 365
    glue("uniq_full", share_unique, display=False)
    glue("n_postcodes", len(per_postcode), display=False)
    glue("per_postcode", round(per_postcode.mean()), display=False)
    glue("span_years", span_years, display=False)
    glue("n_pairs", 2 * 365 * span_years, display=False)


def glue_coarser(coarser: pd.Series) -> None:
    for label, key in [("postcode, month of birth, sex", "uniq_month"), ("postcode, year of birth, sex", "uniq_year"),
                       ("district, date of birth, sex", "uniq_district"), ("date of birth only", "uniq_dob")]:
        glue(key, float(coarser[label]), display=False)


def coarser_table(coarser: pd.Series):
    table = coarser.rename("Residents unique").rename_axis("What is published").reset_index()
    return show(table, percent=["Residents unique"])


def _others(n: int) -> str:
    return "nobody else" if n == 0 else f"{n:,} other" + ("s" if n > 1 else "")


def uniqueness_grid(residents: pd.DataFrame, personas: pd.DataFrame) -> pd.DataFrame:
    """For all 30 ways of publishing place, birth date and sex: the share of residents by how many share
    their values, the share unique in each age group, and a headline with two personas."""
    month = generalise_date(residents["birth_date"], "month")
    year = generalise_date(residents["birth_date"], "year")
    same = pd.Series("-", index=residents.index)            # "not published": one value for everyone
    place = {"postcode": residents["postcode"], "district": residents["district"], "not published": same}
    birth = {"full date": residents["birth_date"], "month and year": month, "year": year,
             "age in 5-year bands": generalise_age(residents["age"], 5), "not published": same}
    sex = {"published": residents["sex"], "not published": same}
    age_group = pd.cut(residents["age"], [17, 29, 44, 59, 74, 90], labels=AGE_LABELS)
    persona_id = personas.set_index("persona")["resident_id"]
    rows = []
    for place_name, p in place.items():
        for birth_name, b in birth.items():
            for sex_name, s in sex.items():
                size = anonymity_set_sizes(pd.DataFrame({"p": p, "b": b, "s": s}), ["p", "b", "s"])
                jules, wren = size[persona_id["Jules"]] - 1, size[persona_id["Wren"]] - 1
                row = {"place": place_name, "birth": birth_name, "sex": sex_name,
                       "headline": f"{(size == 1).mean():.1%} of residents are unique.|Jules shares them "
                                   f"with {_others(jules)};|Wren with {_others(wren)}."}
                row.update(pd.cut(size, SIZES, labels=SIZE_LABELS).value_counts(normalize=True, sort=False))
                row.update((size == 1).groupby(age_group, observed=True).mean())
                rows.append(row)
    return pd.DataFrame(rows).round(4)


def uniqueness_chart(grid: pd.DataFrame) -> alt.VConcatChart:
    def menu(name, value, options, label):
        return alt.param(name=name, value=value, bind=alt.binding_select(options=options, name=label))

    place = menu("place", "postcode", ["postcode", "district", "not published"], "Place published as: ")
    birth = menu("birth", "full date", ["full date", "month and year", "year", "age in 5-year bands",
                                        "not published"], "Date of birth published as: ")
    sex = menu("sex", "published", ["published", "not published"], "Sex: ")
    base = alt.Chart().transform_filter((alt.datum.place == place) & (alt.datum.birth == birth)
                                        & (alt.datum.sex == sex))
    # The headline starts where the bars' axis labels do (the panels align their plot areas, not labels).
    headline = base.mark_text(align="left", baseline="top", fontWeight="bold", fontSize=13,
                              lineBreak="|").encode(text="headline:N", x=alt.value(-LABELS), y=alt.value(0)
                                                    ).properties(width=NARROW, height=54)

    def bars(labels, field_title, title, colour):
        folded = base.transform_fold(labels, as_=["label", "share"]).encode(
            y=alt.Y("label:N", sort=labels, title=None, axis=alt.Axis(minExtent=LABELS, maxExtent=LABELS)),
            x=alt.X("share:Q", title="Share of residents", axis=alt.Axis(format="%", values=[0, 0.5, 1]),
                    scale=alt.Scale(domain=[0, 1.25])),
            tooltip=[alt.Tooltip("label:N", title=field_title),
                     alt.Tooltip("share:Q", format=".1%", title="Share of residents")])
        return (folded.mark_bar().encode(color=colour)
                + folded.mark_text(align="left", dx=4).encode(text=alt.Text("share:Q", format=".1%"))
                ).properties(width=NARROW, height=alt.Step(22), title=title)

    unique_colour = alt.condition(alt.datum.label == "1 (unique)", alt.value(viz.SANCTIONED),
                                  alt.value(viz.NOT_SANCTIONED))
    by_size = bars(SIZE_LABELS, "Residents sharing the values", "Residents with the same values",
                   unique_colour)
    by_age = bars(AGE_LABELS, "Age", "Share unique, by age", alt.value(viz.SANCTIONED))
    return alt.vconcat(headline, by_size, by_age, data=viz.compact_data(grid)).add_params(
        place, birth, sex).properties(description=(
            "Bar charts of how many Brightwater residents share each resident's published values, and of the "
            "share who are unique in each age group, for the form of place, date of birth and sex chosen in "
            "the three drop-down menus."))


def glue_personas(residents: pd.DataFrame, personas: pd.DataFrame) -> None:
    ages = residents.set_index("resident_id")["age"]
    ids = personas.set_index("persona")["resident_id"]
    glue("jules_age", int(ages[ids["Jules"]]), display=False)
    glue("wren_age", int(ages[ids["Wren"]]), display=False)


# --- The linkage attack ---------------------------------------------------------------------------------

def glue_attack(summary: dict) -> None:
    glue("n_release", summary["n"], display=False)
    glue("share_reid", summary["reidentified"], display=False)
    glue("share_correct", summary["correct"], display=False)
    glue("precision", summary["precision"], display=False)
    glue("n_wrong", summary["n_reidentified"] - summary["n_correct"], display=False)


def _words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def glue_learned(release: pd.DataFrame, attack, people: pd.DataFrame) -> None:
    """Numbers and sentences about what the attacker learns, from the personas' outcome table."""
    named_blacklisted = attack.matches[attack.matches["grade"] == "D"]
    glue("n_blacklisted", int((release["grade"] == "D").sum()), display=False)
    glue("n_blacklisted_named", int(named_blacklisted["correct"].sum()), display=False)
    found = people[people["outcome of the attack"] == "re-identified correctly"]
    glue("personas_found", f"{len(found)} of the {len(people)} personas", display=False)
    listed = list(found.loc[found["grade"] == "D", "persona"])
    red = list(found.loc[found["sanction"].astype(str).str.startswith("redlist"), "persona"])
    parts = []
    if listed:
        parts.append(f"{_words(listed)} {'is' if len(listed) == 1 else 'are'} blacklisted")
    if red:
        parts.append(f"{_words(red)} {'is' if len(red) == 1 else 'are'} on the redlist")
    glue("personas_learned", " and that ".join(parts) if parts else "nothing about the personas' sanctions",
         display=False)


def persona_table(people: pd.DataFrame):
    table = people.rename(columns={"persona": "Persona", "grade": "Grade", "sanction": "Sanction",
                                   "outcome of the attack": "Outcome of the attack"})
    return show(table[["Persona", "Grade", "Sanction", "Outcome of the attack"]])


def attack_grid(residents: pd.DataFrame, release: pd.DataFrame, register_of) -> pd.DataFrame:
    """The attack for every release design (3 date forms x 2 place forms) and register coverage 10-100%."""
    by_id = residents.set_index("resident_id")
    dates = {"full date": lambda d: d, "month and year": lambda d: generalise_date(d, "month").astype(str),
             "year": lambda d: generalise_date(d, "year").astype(str)}
    places = {"postcode": by_id["postcode"].astype(str), "district": by_id["district"].astype(str)}

    def published(table, date_form, place_form):
        # The attacker coarsens the register the same way; the place stays in the `postcode` column.
        return table.assign(birth_date=dates[date_form](table["birth_date"]).to_numpy(),
                            postcode=places[place_form].loc[table["resident_id"]].to_numpy())

    rows = []
    for date_form in dates:
        for place_form in places:
            coarse = published(release, date_form, place_form)
            for coverage in range(10, 101, 10):
                result = link(coarse, published(register_of(coverage / 100), date_form, place_form), QUASI,
                              id_column="name", true_id="resident_id")
                row = {"date_form": date_form, "place_form": place_form, "coverage": coverage,
                       "residents named correctly": result.summary["correct"],
                       "names that are right": result.summary["precision"]}
                shares = linkage_outcomes(result).value_counts(normalize=True)
                row.update({OUTCOME_LABELS[k]: v for k, v in shares.items()})
                rows.append(row)
    return pd.DataFrame(rows).fillna(0).round(4)


def glue_attack_grid(grid: pd.DataFrame) -> None:
    def measure(date_form, coverage, column):
        pick = ((grid["date_form"] == date_form) & (grid["place_form"] == "postcode")
                & (grid["coverage"] == coverage))
        return float(grid.loc[pick, column].item())

    glue("precision_year", measure("year", 80, "names that are right"), display=False)
    glue("correct_year", measure("year", 80, "residents named correctly"), display=False)
    glue("correct_month", measure("month and year", 80, "residents named correctly"), display=False)
    glue("year40_right", measure("year", 40, "named correctly"), display=False)
    glue("year40_wrong", measure("year", 40, "named wrongly"), display=False)


def attack_chart(grid: pd.DataFrame) -> alt.VConcatChart:
    coverage = alt.param(name="coverage", value=80, bind=alt.binding_range(
        min=10, max=100, step=10, name="Per cent on the register: "))
    date_form = alt.param(name="date_form", value="full date", bind=alt.binding_radio(
        options=["full date", "month and year", "year"], labels=["full date", "month", "year"],
        name="Date of birth: "))
    place_form = alt.param(name="place_form", value="postcode", bind=alt.binding_radio(
        options=["postcode", "district"], name="Place: "))
    design = (alt.datum.date_form == date_form) & (alt.datum.place_form == place_form)
    order = list(OUTCOME_LABELS.values())
    now = alt.Chart().transform_filter(design & (alt.datum.coverage == coverage)).transform_fold(
        order, as_=["outcome", "share"]).encode(
        y=alt.Y("outcome:N", sort=order, title=None),
        x=alt.X("share:Q", title="Share of the release", axis=alt.Axis(format="%", values=[0, 0.5, 1]),
                scale=alt.Scale(domain=[0, 1.3])),
        tooltip=[alt.Tooltip("outcome:N", title="Outcome"),
                 alt.Tooltip("share:Q", format=".1%", title="Share of the release")])
    top = alt.layer(
        now.mark_bar().encode(color=alt.Color("outcome:N", sort=order, legend=None, scale=alt.Scale(
            domain=order, range=[viz.SANCTIONED, viz.PALETTE[3], viz.PALETTE[4], "#9a9a9a"]))),
        now.mark_text(align="left", dx=4).encode(text=alt.Text("share:Q", format=".1%")),
    ).properties(width=NARROW - 50, height=alt.Step(24), title="What the attack does to each row")
    measures = ["residents named correctly", "names that are right"]
    lines = alt.Chart().transform_filter(design).transform_fold(measures, as_=["measure", "share"]).mark_line(
        point=True).encode(
        x=alt.X("coverage:Q", title="Per cent on the register", scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(values=[0, 25, 50, 75, 100])),
        y=alt.Y("share:Q", title=None, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("measure:N", title=None, sort=measures, legend=alt.Legend(orient="bottom", columns=1),
                        scale=alt.Scale(domain=measures, range=[viz.SANCTIONED, viz.NOT_SANCTIONED])),
        tooltip=[alt.Tooltip("measure:N", title="Measure"),
                 alt.Tooltip("coverage:Q", title="Per cent on the register"),
                 alt.Tooltip("share:Q", format=".1%", title="Share")])
    marker = alt.Chart(pd.DataFrame({"x": [0]})).transform_calculate(c="coverage").mark_rule(
        strokeDash=[4, 3], color="#767676").encode(x="c:Q")
    bottom = (lines + marker).properties(width=NARROW - 50, height=200, title="As the register grows")
    return alt.vconcat(top, bottom, data=viz.compact_data(grid)).add_params(
        coverage, date_form, place_form).resolve_scale(color="independent").properties(description=(
            "Outcome of linking Brightwater's release to an electoral register: the share of rows named "
            "correctly, named wrongly, with several candidates or with none, and how the share named "
            "correctly and the share of names that are right change with the register's coverage, for the "
            "coverage, date of birth and place chosen with the slider and buttons."))
