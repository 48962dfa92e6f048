"""Figures and glued numbers for chapter 9, "Privacy engineering".

The chapter calls these from hidden cells:

* :func:`setup` builds chapter 7's release and the attacker's register from a city, as the lesson does;
* :func:`glue_minimisation`, :func:`glue_homogeneity` glue the numbers the prose quotes, so the text stays
  right on any city (``SCORED_CITY``);
* :func:`k_sweep` and :func:`k_chart` make a k-anonymous release for every k from 1 to 50 and draw its harm
  and costs, with k chosen by a slider;
* :func:`epsilon_chart` draws noisy counts for nine values of epsilon; :func:`budget_chart` splits a budget
  over 1 to 50 queries.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
from myst_nb import glue

from scored import viz
from scored.privacy import (
    generalise_age, generalise_date, generalise_postcode, homogeneous_rows, k_anonymity, l_diversity,
    laplace_error, laplace_mechanism, link, make_k_anonymous, max_guess_accuracy, noisy_count, suppress,
    suppress_not_diverse, uniqueness,
)
from scored.scoring import score

QUASI = ["postcode", "birth_date", "sex"]
# Panels of the stacked charts are this wide, so that they fit a phone held upright.
PANEL_WIDTH = 230
# Headlines are split into lines of about this many characters for the same reason.
LINE = 40
# Every left axis of a stacked chart takes exactly this many pixels, so that a headline drawn at
# -AXIS_EXTENT starts at the chart's left edge, like the text around it.
AXIS_EXTENT = 72


def _y_axis(**kwargs) -> alt.Axis:
    return alt.Axis(minExtent=AXIS_EXTENT, maxExtent=AXIS_EXTENT, **kwargs)


def _glue(name: str, value) -> None:
    glue(name, value, display=False)


def _lines(*parts: str) -> str:
    """Join sentences into one headline, broken into short lines for a narrow column ('|' breaks)."""
    import textwrap
    return "|".join(line for part in parts for line in textwrap.wrap(part, LINE))


@dataclass
class Setup:
    residents: pd.DataFrame
    release: pd.DataFrame
    register: pd.DataFrame
    persona_id: pd.Series


def setup(city) -> Setup:
    """Chapter 7's release (quasi-identifiers, district, grade, sanction) and its 80% register, as in the lesson."""
    residents = city.residents
    scores = score(city.records, residents)
    release = residents[["resident_id", *QUASI, "district"]].join(scores[["grade", "sanction"]], on="resident_id")
    release["blacklisted"] = release["grade"] == "D"
    order = np.random.default_rng(7).permutation(len(residents))
    register = residents.iloc[np.sort(order[: round(0.8 * len(residents))])][["name", "resident_id", *QUASI]]
    return Setup(residents, release, register, city.personas.set_index("persona")["resident_id"])


# --- Data minimisation ---------------------------------------------------------------------------------------

def _decade(dates) -> np.ndarray:
    return generalise_age(pd.to_datetime(dates).dt.year, 10).astype(str).to_numpy()


def _minimise(table: pd.DataFrame, residents: pd.DataFrame) -> pd.DataFrame:
    place = residents.set_index("resident_id")["district"].astype(str)
    return table.assign(postcode=place.loc[table["resident_id"]].to_numpy(), birth_date=_decade(table["birth_date"]))


def glue_minimisation(city, s: Setup) -> None:
    """Glue the numbers of the minimisation section."""
    full = score(city.records, s.residents)
    minimal = score(city.records[["resident_id", "kind"]], s.residents[["resident_id"]])
    _glue("same_scores", "identical" if full.equals(minimal) else "different")
    _glue("n_res_cols", s.residents.shape[1])
    _glue("n_rec_cols", city.records.shape[1])
    small_release, small_register = _minimise(s.release, s.residents), _minimise(s.register, s.residents)
    before = link(s.release, s.register, QUASI, id_column="name", true_id="resident_id").summary
    after = link(small_release, small_register, QUASI, id_column="name", true_id="resident_id").summary
    shares_before = s.release.groupby("district", observed=True)["blacklisted"].mean().rename(str)
    shares_after = small_release.groupby("postcode")["blacklisted"].mean()
    _glue("min_unique_before", uniqueness(s.release, QUASI))
    _glue("min_unique_after", uniqueness(small_release, QUASI))
    _glue("min_named_before", before["correct"])
    _glue("min_named_after", after["correct"])
    _glue("min_n_named_after", after["n_correct"])
    _glue("min_max_diff", float((shares_before - shares_after).abs().max()))


# --- k-anonymity for every k -----------------------------------------------------------------------------------

def _birth_band(width):
    return lambda dates: generalise_age(pd.to_datetime(dates).dt.year, width)


HIERARCHY = [  # (column, function of the original values, label), from fine to coarse: as in the lesson
    ("birth_date", functools.partial(generalise_date, to="month"), "month"),
    ("birth_date", functools.partial(generalise_date, to="year"), "year"),
    ("birth_date", _birth_band(5), "5-year band"),
    ("postcode", lambda codes: generalise_postcode(codes, 1), "district"),
    ("birth_date", _birth_band(10), "10-year band"),
    ("birth_date", _birth_band(20), "20-year band"),
]
STEP_OF = {label: (column, func) for column, func, label in HIERARCHY}


def _as_text(table: pd.DataFrame, generalised: dict) -> pd.DataFrame:
    """``table`` (original values) with a release's final generalisation applied, as text."""
    out = table.copy()
    for column, label in generalised.items():
        out[column] = np.asarray(STEP_OF[label][1](table[column]).astype(str))
    return out


def _others(n: int) -> str:
    return "nobody else" if n == 0 else f"{n:,} other resident" + ("s" if n > 1 else "")


def _describe_persona(rel: pd.DataFrame, quasi_text: pd.DataFrame, rid, who: str) -> str:
    """Whether ``who`` (resident ``rid``) is in the release ``rel``, and with how many others they share their
    quasi-identifiers (``quasi_text``: ``rel``'s, as text)."""
    mine = rel["resident_id"] == rid
    if not mine.any():
        return f"{who}'s row is suppressed"
    same = (quasi_text == quasi_text[mine].iloc[0]).all(axis=1).sum()
    return f"{who}'s values are shared with {_others(same - 1)}"


def _computed_once(table: pd.DataFrame, hierarchy: list) -> list:
    """``hierarchy`` with each step's values computed once on ``table``, for the k-anonymity of ``table`` itself
    at many k (each step then costs a copy, not a new generalisation)."""
    steps = []
    for column, func, label in hierarchy:
        values = func(table[column])
        steps.append((column, lambda _, values=values: values.copy(), label))
    return steps


def k_sweep(s: Setup, ks=range(1, 51)) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For each k: harm (share named by the linkage attack), costs (rows suppressed, postcode error) and a
    headline; and each district's blacklist share from the release against the truth."""
    release, register = s.release, s.register
    hierarchy = _computed_once(release, HIERARCHY)
    as_text: dict[tuple, tuple[pd.DataFrame, pd.DataFrame]] = {}  # a few generalisations serve all 50 k
    postcode_truth = release.groupby("postcode", observed=True)["blacklisted"].mean()
    district_truth = release.groupby("district", observed=True)["blacklisted"].mean()
    district_of = s.residents.drop_duplicates("postcode").set_index("postcode")["district"]
    weights = release["postcode"].value_counts()
    k_rows, district_rows = [], []
    for k in ks:
        result = make_k_anonymous(release, QUASI, k=k, hierarchy=hierarchy, max_suppression=0.01)
        rel = result.release
        generalised = tuple(result.generalised.items())
        if generalised not in as_text:
            as_text[generalised] = (_as_text(release, result.generalised), _as_text(register, result.generalised))
        release_text, register_text = as_text[generalised]
        attack = link(release_text.loc[rel.index], register_text, QUASI, id_column="name",
                      true_id="resident_id").summary
        quasi_text = rel[QUASI].astype(str)
        by_district = rel.groupby("district", observed=True)["blacklisted"].mean()
        if "postcode" in result.generalised:       # postcodes gone: every postcode gets its district's share
            estimate = district_of.map(by_district).astype(float)
        else:
            estimate = rel.groupby("postcode", observed=True)["blacklisted"].mean().reindex(district_of.index)
        postcode_error = float(((estimate - postcode_truth).abs() * weights).sum() / weights.sum())
        place = "district" if "postcode" in result.generalised else "postcode"
        birth = result.generalised.get("birth_date", "full date")
        k_rows.append({
            "k": k, "suppressed": result.suppressed_share, "named": attack["correct"],
            "postcode_error": 100 * postcode_error,
            "headline": _lines(f"k = {k}: published as {place}, birth date as {birth}, sex.",
                               f"{result.suppressed:,} rows suppressed; {attack['n_correct']:,} residents "
                               f"named correctly by the attack.",
                               f"{_describe_persona(rel, quasi_text, s.persona_id['Jules'], 'Jules')}; "
                               f"{_describe_persona(rel, quasi_text, s.persona_id['Wren'], 'Wren')}.")})
        for d, truth in district_truth.items():
            district_rows += [{"k": k, "district": str(d), "source": "true share", "share": truth},
                              {"k": k, "district": str(d), "source": "from the release", "share": by_district[d]}]
    return pd.DataFrame(k_rows).round(5), pd.DataFrame(district_rows).round(5)


def glue_k(k_grid: pd.DataFrame, s: Setup) -> None:
    def at_k(k, column):
        return float(k_grid.loc[k_grid["k"] == k, column].item())
    for k in (1, 2, 5):
        _glue(f"k{k}_named", at_k(k, "named"))
    _glue("k10_pc_error", at_k(10, "postcode_error"))
    _glue("k50_suppressed", at_k(50, "suppressed"))
    _glue("k50_pc_error", at_k(50, "postcode_error"))
    _glue("city_bl_share", float(s.release["blacklisted"].mean()))


def _headline(data, chosen, height) -> alt.Chart:
    return alt.Chart(data).transform_filter(chosen).mark_text(
        align="left", baseline="top", fontWeight="bold", fontSize=13, lineBreak="|").encode(
        text="headline:N", x=alt.value(-AXIS_EXTENT), y=alt.value(0)).properties(width=PANEL_WIDTH, height=height)


def k_chart(k_grid: pd.DataFrame, k_districts: pd.DataFrame) -> alt.VConcatChart:
    """Slider for k; the release as published; district shares against the truth; harm and costs against k."""
    k_param = alt.param(name="k", value=5, bind=alt.binding_range(min=1, max=50, step=1, name="k (group size): "))
    at_chosen_k = alt.datum.k == k_param
    grid = viz.compact_data(k_grid)
    headline = _headline(grid, at_chosen_k, 120)
    sources = ["true share", "from the release"]
    districts = list(dict.fromkeys(k_districts["district"]))
    # Sent to the page compactly: one row per k with a column per district (unfolded in the browser), and the
    # true shares, which do not depend on k, once.
    released = (k_districts[k_districts["source"] == "from the release"]
                .pivot(index="k", columns="district", values="share")[districts].reset_index())
    truth = k_districts[k_districts["source"] == "true share"].drop_duplicates("district")[["district", "source", "share"]]
    encoding = dict(
        y=alt.Y("district:N", title=None, sort=districts, axis=_y_axis()),
        yOffset=alt.YOffset("source:N", sort=sources),
        x=alt.X("share:Q", title="Share of residents blacklisted", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, float(max(0.05, k_districts["share"].max()))], clamp=True)),
        color=alt.Color("source:N", sort=sources, legend=None,
                        scale=alt.Scale(domain=sources, range=["#9a9a9a", viz.NOT_SANCTIONED])),
        tooltip=[alt.Tooltip("district:N", title="District"), alt.Tooltip("source:N", title="Share"),
                 alt.Tooltip("share:Q", format=".2%", title="Blacklisted")])
    true_bars = alt.Chart(viz.compact_data(truth)).mark_bar().encode(**encoding)
    release_bars = (alt.Chart(viz.compact_data(released)).transform_filter(at_chosen_k)
                    .transform_fold(districts, as_=["district", "share"])
                    .transform_calculate(source=f"'{sources[1]}'").mark_bar().encode(**encoding))
    bars = alt.layer(true_bars, release_bars).properties(width=PANEL_WIDTH, height=alt.Step(11), title=alt.Title(
        "Blacklist share by district", subtitle=["grey: the true share;", "blue: computed from the release"]))

    def panel(column, title, fmt, domain):
        base = alt.Chart(grid).encode(
            x=alt.X("k:Q", title="k", scale=alt.Scale(domain=[1, 50])),
            y=alt.Y(f"{column}:Q", title=None, axis=_y_axis(format=fmt, tickCount=4),
                    scale=alt.Scale(domain=domain)))
        line = base.mark_line(color=viz.NOT_SANCTIONED).encode(
            tooltip=[alt.Tooltip("k:Q", title="k"), alt.Tooltip(f"{column}:Q", format=fmt, title=title)])
        point = base.transform_filter(at_chosen_k).mark_point(filled=True, size=70, color=viz.SANCTIONED)
        return (line + point).properties(width=PANEL_WIDTH, height=110, title=title)

    return alt.vconcat(
        headline, bars,
        panel("named", "Harm: share named by the attack", ".0%", [0, 1]),
        panel("suppressed", "Cost: share of rows suppressed", ".1%", [0, 0.03]),
        panel("postcode_error", "Cost: postcode error (points)", ".2f", [0, 1]),
    ).add_params(k_param).properties(
        description=("For the k chosen with the slider: how Brightwater's k-anonymous release is published, the "
                     "blacklist share of each district computed from it against the truth, and, for k from 1 to "
                     "50, the share of residents the linkage attack names correctly, the share of rows "
                     "suppressed and the average error of postcode blacklist shares."))


# --- The homogeneity attack -------------------------------------------------------------------------------------

def glue_homogeneity(s: Setup) -> None:
    """Glue the homogeneity numbers for 2- and 3-anonymous releases by postcode, birth year and sex."""
    by_year = s.release.assign(birth_date=generalise_date(s.release["birth_date"], "year"))
    for k in (2, 3):
        rel, _ = suppress(by_year, QUASI, k)
        exposed = homogeneous_rows(rel, QUASI, "sanction")
        sanctioned = rel["grade"].isin(["C", "D"])
        _, lost = suppress_not_diverse(rel, QUASI, "sanction", 2)
        _glue(f"hom{k}_revealed", int(exposed.sum()))
        _glue(f"hom{k}_sanctioned", int((exposed & sanctioned).sum()))
        _glue(f"hom{k}_kept", len(rel))
        _glue(f"hom{k}_lost", int(lost))
        _glue(f"hom{k}_lost_share", float(lost / len(rel)))
        _glue(f"hom{k}_l", l_diversity(rel, QUASI, "sanction"))


# --- Differential privacy ----------------------------------------------------------------------------------------

EPSILONS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0]


def epsilon_chart(s: Setup, draws: int = 200, shown: int = 25) -> alt.VConcatChart:
    """Noisy district counts of blacklisted residents for nine epsilons, and the typical error against epsilon."""
    true_counts = s.release.groupby("district", observed=True)["blacklisted"].sum()
    rng = np.random.default_rng(9)
    rows, points = [], []
    for i, eps in enumerate(EPSILONS):
        noisy = laplace_mechanism(np.repeat(true_counts.to_numpy(float), draws), 1.0, eps, rng).reshape(-1, draws)
        abs_error = np.abs(noisy - true_counts.to_numpy()[:, None])
        rows.append({"i": i, "epsilon": eps, "median_error": float(np.median(abs_error)),
                     "headline": _lines(f"epsilon = {eps:g}: in 95 of 100 draws a count is within "
                                        f"±{laplace_error(sensitivity=1, epsilon=eps):,.1f} of the truth.",
                                        f"The best possible guess whether Jules is counted is right at most "
                                        f"{max_guess_accuracy(eps):.1%} of the time (50% = a coin toss).")})
        for d, row in zip(true_counts.index, noisy):
            points += [{"i": i, "district": str(d), "count": round(float(v), 1)} for v in row[:shown]]
    grid = pd.DataFrame(rows).round(3)
    _glue("err95_05", laplace_error(sensitivity=1, epsilon=0.5))
    _glue("dp_med_001", float(grid.loc[0, "median_error"]))
    _glue("dp_med_1", float(grid.loc[6, "median_error"]))
    for eps, name in ((0.1, "01"), (1.0, "1"), (5.0, "5")):
        _glue(f"dp_guess_{name}", max_guess_accuracy(eps))

    eps_param = alt.param(name="eps_step", value=5,  # an index into EPSILONS; the menu shows the epsilon
                          bind=alt.binding_select(options=list(range(len(EPSILONS))),
                                                  labels=[f"{e:g}" for e in EPSILONS], name="Epsilon: "))
    chosen = alt.datum.i == eps_param
    districts = [str(d) for d in true_counts.index]
    data = viz.compact_data(grid)
    xscale = alt.Scale(domain=[-40, 120], clamp=True)
    # One row per draw with a column per district, unfolded in the browser: a third of the bytes of long rows.
    wide = pd.DataFrame(points).assign(draw=lambda t: t.groupby(["i", "district"]).cumcount()).pivot(
        index=["i", "draw"], columns="district", values="count")[districts].reset_index().drop(columns="draw")
    dots = alt.Chart(viz.compact_data(wide)).transform_filter(chosen).transform_fold(
        districts, as_=["district", "count"]).mark_circle(
        size=30, opacity=0.45, color=viz.NOT_SANCTIONED).encode(
        y=alt.Y("district:N", sort=districts, title=None, axis=_y_axis()),
        x=alt.X("count:Q", scale=xscale, title="Blacklisted residents (noisy count)"),
        tooltip=[alt.Tooltip("district:N", title="District"),
                 alt.Tooltip("count:Q", format=".1f", title="Noisy count")])
    truth = true_counts.rename("count").reset_index().assign(district=lambda t: t["district"].astype(str))
    ticks = alt.Chart(viz.compact_data(truth)).mark_tick(color="#777777", thickness=3, size=22).encode(
        y=alt.Y("district:N", sort=districts), x=alt.X("count:Q", scale=xscale),
        tooltip=[alt.Tooltip("district:N", title="District"), alt.Tooltip("count:Q", title="True count")])
    strip = (dots + ticks).properties(width=PANEL_WIDTH, height=alt.Step(30),
                                      title=alt.Title("Noisy counts by district",
                                                      subtitle="dots: 25 noisy counts; bar: the true count"))
    base = alt.Chart(data).encode(
        x=alt.X("epsilon:Q", scale=alt.Scale(type="log"), title="Epsilon (log scale)"),
        y=alt.Y("median_error:Q", scale=alt.Scale(type="log"), title="Median error of a count", axis=_y_axis()))
    err = (base.mark_line(color=viz.NOT_SANCTIONED, point=True).encode(
               tooltip=[alt.Tooltip("epsilon:Q", title="Epsilon"),
                        alt.Tooltip("median_error:Q", format=".2f", title="Median error")])
           + base.transform_filter(chosen).mark_point(filled=True, size=120, color=viz.SANCTIONED)
           ).properties(width=PANEL_WIDTH, height=150, title="Typical error against epsilon")
    return alt.vconcat(_headline(data, chosen, 90), strip, err).add_params(eps_param).properties(
        description=("For the epsilon chosen in the menu: 25 differentially private counts of blacklisted "
                     "residents in each district around the true count, and the median error of a count for "
                     "every epsilon from 0.01 to 5, with the chosen one marked."))


PER_QUERY = 0.5          # epsilon per answer when nobody keeps count


def budget_chart(max_queries: int = 50) -> alt.VConcatChart:
    """A budget of 1 split over n queries against no budget at 0.5 per answer, for n from 1 to ``max_queries``."""
    rng = np.random.default_rng(11)
    rows = []
    for n in range(1, max_queries + 1):
        averaged = laplace_mechanism(np.zeros((4000, n)), 1.0, PER_QUERY, rng).mean(axis=1)  # noise of the average
        avg95 = float(np.quantile(np.abs(averaged), 0.95))
        rows.append({"n": n, "split_error": laplace_error(sensitivity=1, epsilon=1.0 / n), "total_eps": PER_QUERY * n,
                     "guess": max_guess_accuracy(PER_QUERY * n), "averaged_error": avg95,
                     "headline": _lines(f"{n} queries.",
                                        f"Budget of 1 split {n} ways: each answer within ±{laplace_error(sensitivity=1, epsilon=1.0 / n):,.1f} "
                                        f"(95%).",
                                        f"No budget, {PER_QUERY} per answer: total epsilon {PER_QUERY * n:g}; "
                                        f"averaging gives ±{avg95:.1f}.")})
    grid = pd.DataFrame(rows).round(4)
    ten = grid.loc[grid["n"] == 10].iloc[0]
    _glue("q10_split", float(ten["split_error"]))
    _glue("q10_total", float(ten["total_eps"]))
    _glue("q10_guess", float(ten["guess"]))
    _glue("q10_avg", float(ten["averaged_error"]))

    n_param = alt.param(name="n_queries", value=10,
                        bind=alt.binding_range(min=1, max=max_queries, step=1, name="Number of queries: "))
    chosen = alt.datum.n == n_param
    data = viz.compact_data(grid)

    def panel(column, title, fmt, colour):
        base = alt.Chart(data).encode(x=alt.X("n:Q", title="Number of queries"),
                                      y=alt.Y(f"{column}:Q", title=None, axis=_y_axis(format=fmt)))
        return (base.mark_line(color=colour).encode(
                    tooltip=[alt.Tooltip("n:Q", title="Queries"), alt.Tooltip(f"{column}:Q", format=fmt, title=title)])
                + base.transform_filter(chosen).mark_point(filled=True, size=80, color=viz.SANCTIONED)
                ).properties(width=PANEL_WIDTH, height=140, title=title)

    return alt.vconcat(
        _headline(data, chosen, 90),
        panel("split_error", "Budget split: error of each answer", ",.0f", viz.NOT_SANCTIONED),
        panel("guess", "No budget: attacker's best guess", ".0%", viz.PALETTE[2])).add_params(n_param).properties(
        description=("For the number of queries chosen with the slider: with a total budget of 1 split equally, how "
                     "far each answer may be from the truth; and with no budget and 0.5 per answer, the attacker's "
                     "best chance of guessing whether one person is counted."))
