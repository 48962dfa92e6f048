"""Figures and glued numbers for chapter 4, "Discrimination through proxies".

The chapter calls these from hidden cells:

* :func:`glue_numbers` computes every number the prose quotes about the city and glues it, so the text
  stays right on any city (``SCORED_CITY``);
* :func:`proxy_explorer` adds one proxy rule to the scorecard, with the rule and its points chosen in the
  page;
* :func:`impossibility_explorer` draws two groups given a calibrated score and shows which of the three
  decision rates (false positive rate, false negative rate, PPV) are equal at the thresholds the reader
  sets, with a two-valued score in which equal error rates do hold at one threshold.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
from myst_nb import glue

from scored import audit, viz
from scored.scoring import DEFAULT_SCORECARD, count_records, score

# A narrow column: panels of a stacked chart are this wide (plus their axis labels), so that they fit a
# 360-pixel phone held upright.
PANEL_WIDTH = 230
RATE_PANEL_WIDTH = 260


def _glue(name: str, value) -> None:
    glue(name, value, display=False)


def glue_numbers(city, labels: pd.DataFrame) -> None:
    """Glue every number about the city that the chapter's prose quotes."""
    by_group = audit.selection_rates(labels, "group", "predicted")
    by_district = audit.selection_rates(labels, "district", "predicted")
    _glue("rate_kestrel", float(by_group["Kestrel"]))
    _glue("rate_heron", float(by_group["Heron"]))
    high, low = by_group.idxmax(), by_group.idxmin()
    _glue("rate_high_group", str(high))
    _glue("rate_low_group", str(low))
    _glue("rate_ratio_group", float(by_group.max() / by_group.min()))
    _glue("rate_top_district", str(by_district.idxmax()))
    _glue("rate_bottom_district", str(by_district.idxmin()))
    _glue("rate_top_district_value", float(by_district.max()))
    _glue("rate_bottom_district_value", float(by_district.min()))
    _glue("rate_ratio_district", float(by_district.max() / by_district.min()))

    check = audit.four_fifths_check(labels, "group", "predicted", favourable=False, outcome="blacklisted")
    check_d = audit.four_fifths_check(labels, "district", "predicted", favourable=False, outcome="blacklisted")
    _glue("ff_ratio_group", float(check.ratio))
    _glue("ff_ratio_district", float(check_d.ratio))
    _glue("harm_ratio_group", float(check.harm_ratio))
    _glue("harm_ratio_district", float(check_d.harm_ratio))
    _glue("ff_verdict", "above 0.8, so the rule of thumb raises no flag" if min(check.ratio, check_d.ratio) >= 0.8
          else "below 0.8 for at least one comparison, so the rule of thumb raises a flag")

    residents = city.residents
    heron_share = pd.crosstab(residents["district"], residents["group"], normalize="index")["Heron"]
    median_income = residents.groupby("group", observed=True)["income"].median()
    _glue("heron_top_district", str(heron_share.idxmax()))
    _glue("heron_bottom_district", str(heron_share.idxmin()))
    _glue("heron_in_top", float(heron_share.max()))
    _glue("heron_in_bottom", float(heron_share.min()))
    _glue("income_kestrel", int(median_income["Kestrel"]))
    _glue("income_heron", int(median_income["Heron"]))

    strength = audit.proxy_strength(residents, "group", ["district", "income", "work"])
    for column in ["district", "income", "work", "all together"]:
        _glue("auc_" + column.split()[0], float(strength.loc[column, "auc"]))

    errors = audit.error_rates(labels, "group", "predicted", "actual")
    for g in ["Kestrel", "Heron"]:
        for col in ["base_rate", "fpr", "fnr", "ppv"]:
            _glue(f"{col}_{g.lower()}", float(errors.loc[g, col]))
        _glue(f"fn_{g.lower()}", int(errors.loc[g, "fn"]))
        _glue(f"pos_{g.lower()}", int(errors.loc[g, "tp"] + errors.loc[g, "fn"]))
    errors_d = audit.error_rates(labels, "district", "predicted", "actual")
    _glue("fnr_top_district", str(errors_d["fnr"].idxmax()))
    _glue("fnr_bottom_district", str(errors_d["fnr"].idxmin()))
    _glue("fnr_top", float(errors_d["fnr"].max()))
    _glue("fnr_bottom", float(errors_d["fnr"].min()))


def _persona_ids(city, names):
    personas = city.personas.set_index("persona")
    return personas.loc[names, "resident_id"]


def proxy_explorer(city) -> alt.VConcatChart:
    """The scorecard plus one proxy rule (chosen in the page), with shares blacklisted by group.

    Also glues ``sasha_records``, ``twin_records`` and ``robin_late_bills`` for the hook and the text.
    """
    residents = city.residents
    card = DEFAULT_SCORECARD
    counts = count_records(city.records, residents)
    poverty_line = 0.6 * residents["income"].median()
    people = residents.set_index("resident_id")
    watched = list(city.districts.sort_values("surveillance", ascending=False)["district"].head(2))
    table = pd.DataFrame({
        "score": score(city.records, residents, card)["total"],
        "watched": people["district"].isin(watched).astype(int),
        "poor": (people["income"] < poverty_line).astype(int),
        "gig": (people["work"] == "gig").astype(int),
        "heron": (people["group"] == "Heron").astype(int),
    })
    # One row per distinct combination: the browser handles a few hundred rows instead of every resident.
    combos = table.groupby(list(table.columns)).size().rename("n").reset_index()
    ids = _persona_ids(city, ["Sasha", "Robin"])
    persona_rows = table.loc[ids.to_numpy()].assign(persona=ids.index.to_numpy()).reset_index(drop=True)

    personas = city.personas.set_index("persona")
    per_resident = city.records["resident_id"].value_counts()
    _glue("sasha_records", int(per_resident.get(personas.loc["Sasha", "resident_id"], 0)))
    _glue("twin_records", int(per_resident.get(personas.loc["Sasha", "related_resident_id"], 0)))
    _glue("robin_late_bills", int(counts.loc[personas.loc["Robin", "resident_id"], "late_bill"]))
    _glue("watched_districts", " and ".join(watched))

    rules = ["watched", "poor", "gig", "heron", "none"]
    rule_names = [f"lives in {' or '.join(watched)}", "income below the poverty line", "does gig work",
                  "is Heron (the group itself)", "no extra rule"]
    pick = alt.param(name="proxy_rule", value="watched",
                     bind=alt.binding_radio(options=rules, labels=rule_names, name="Extra rule: "))
    points = alt.param(name="proxy_points", value=-150,
                       bind=alt.binding_range(min=-400, max=0, step=10, name="Points for the extra rule: "))
    new_score = "datum.score + (proxy_rule === 'none' ? 0 : proxy_points * datum[proxy_rule])"
    threshold = viz.blacklist_threshold(card)

    shares = alt.Chart(viz.compact_data(combos)).transform_calculate(
        group="datum.heron ? 'Heron' : 'Kestrel'", listed=f"{new_score} < {threshold} ? datum.n : 0"
    ).transform_aggregate(listed="sum(listed)", total="sum(n)", groupby=["group"]).transform_calculate(
        share="datum.listed / datum.total", label="format(datum.listed / datum.total, '.1%')")
    y = alt.Y("group:N", title=None, sort=["Kestrel", "Heron"])
    bars = shares.mark_bar(color=viz.SANCTIONED).encode(
        x=alt.X("share:Q", title="Share blacklisted", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 0.6], clamp=True)),
        y=y, tooltip=[alt.Tooltip("group:N", title="Group"),
                      alt.Tooltip("share:Q", format=".1%", title="Share blacklisted"),
                      alt.Tooltip("listed:Q", title="Residents blacklisted"),
                      alt.Tooltip("total:Q", title="Residents")])
    bar_labels = shares.mark_text(align="left", dx=4).encode(x="share:Q", y=y, text="label:N")
    ratio = "datum.Heron / datum.Kestrel"
    favourable = "min(1 - datum.Heron, 1 - datum.Kestrel) / max(1 - datum.Heron, 1 - datum.Kestrel)"
    summary = shares.transform_pivot("group", value="share").transform_calculate(
        line1=f"'Heron ÷ Kestrel: ' + format({ratio}, '.2f') + ' times as often'",
        line2=f"'Four-fifths check: ' + format({favourable}, '.2f')",
        line3=f"({favourable} < 0.8 ? '(below 0.8: flagged)' : '(0.8 or more: not flagged)')",
    ).transform_fold(["line1", "line2", "line3"], as_=["line", "text"]).mark_text(
        align="left", fontSize=13).encode(x=alt.value(0), y=alt.Y("line:N", axis=None), text="text:N")
    persona_text = alt.Chart(persona_rows).transform_calculate(new=new_score).transform_calculate(
        text=f"datum.persona + ': ' + datum.new + ' points' + (datum.new < {threshold} ? ', blacklisted' : "
             "', not blacklisted')"
    ).mark_text(align="left", fontSize=13).encode(x=alt.value(0), y=alt.Y("persona:N", axis=None), text="text:N")

    return alt.vconcat(
        (bars + bar_labels).properties(width=PANEL_WIDTH, height=alt.Step(28),
                                       title="Share blacklisted, by group"),
        summary.properties(width=PANEL_WIDTH, height=60),
        persona_text.properties(width=PANEL_WIDTH, height=44, title="Two personas"),
    ).add_params(pick, points).properties(
        description=("Bar chart of the share of Kestrel and Heron residents blacklisted when the scorecard gets "
                     "the extra rule and points chosen with the controls, with the ratio of the two shares, the "
                     "four-fifths check, and the scores of the personas Sasha and Robin."))


# --- The impossibility explorer -------------------------------------------------------------------------

STEPS = 200  # each group is drawn as 200 people of equal weight, at the quantiles of its score distribution
TOLERANCE = 0.01  # two rates count as "equal" when they are within one percentage point

# The two-valued counter-example: both scores are calibrated, the base rates differ (50% and about 25%),
# and one threshold of 0.5 gives both groups a false positive rate and a false negative rate of 10%.
COUNTER_EXAMPLE = {"A": {"low": 0.1, "high": 0.9, "share_low": 0.5},
                   "B": {"low": 0.036, "high": 0.75, "share_low": 0.7}}


def counter_example_rates(threshold: float = 0.5) -> pd.DataFrame:
    """Base rate, FPR, FNR and PPV of the two-valued counter-example at one threshold, computed exactly."""
    rows = {}
    for group, ex in COUNTER_EXAMPLE.items():
        scores = np.array([ex["low"], ex["high"]])
        weights = np.array([ex["share_low"], 1 - ex["share_low"]])
        flagged = scores >= threshold
        yes, no = weights * scores, weights * (1 - scores)  # calibrated: a share s of those scored s
        rows[group] = {
            "base rate": yes.sum(),
            "false positive rate": no[flagged].sum() / no.sum(),
            "false negative rate": yes[~flagged].sum() / yes.sum(),
            "PPV": yes[flagged].sum() / weights[flagged].sum(),
        }
    return pd.DataFrame(rows).T


def impossibility_explorer() -> alt.VConcatChart:
    """Two groups with a calibrated score; which of FPR, FNR and PPV are equal at the chosen thresholds."""
    def slider(name, value, lo, hi, step, label):
        return alt.param(name=name, value=value, bind=alt.binding_range(min=lo, max=hi, step=step, name=label))

    shape = alt.param(name="shape", value="smooth", bind=alt.binding_radio(
        options=["smooth", "two"], labels=["smooth scores (sliders set the base rates)",
                                           "two-valued scores (a fixed example)"],
        name="Kind of score: "))
    controls = [
        shape,
        slider("base_a", 0.3, 0.1, 0.9, 0.01, "Base rate, group A: "),
        slider("base_b", 0.5, 0.1, 0.9, 0.01, "Base rate, group B: "),
        slider("thr_a", 0.5, 0.05, 0.95, 0.01, "Threshold, group A: "),
        slider("thr_b", 0.5, 0.05, 0.95, 0.01, "Threshold, group B: "),
        slider("sure", 2, 0.5, 5, 0.1, "How sure the score is: "),
    ]
    a, b = COUNTER_EXAMPLE["A"], COUNTER_EXAMPLE["B"]
    two_valued = (f"datum.group === 'A' ? (datum.u < {a['share_low']} ? {a['low']} : {a['high']})"
                  f" : (datum.u < {b['share_low']} ? {b['low']} : {b['high']})")
    smooth = ("1 / (1 + exp(-(log(datum.p / (1 - datum.p)) * sqrt(1 + PI * sure * sure / 8)"
              " + sure * quantileNormal(datum.u))))")  # logit-normal, mean very nearly the base rate p
    grid = alt.Chart(alt.sequence(0, 2 * STEPS)).transform_calculate(
        group=f"datum.data < {STEPS} ? 'A' : 'B'",
        u=f"((datum.data % {STEPS}) + 0.5) / {STEPS}",
    ).transform_calculate(
        group_label="'group ' + datum.group",
        p="datum.group === 'A' ? base_a : base_b",
        t="datum.group === 'A' ? thr_a : thr_b",
    ).transform_calculate(
        s=f"shape === 'two' ? ({two_valued}) : ({smooth})",
    ).transform_calculate(
        # calibrated: a share s of the people scored s have the outcome
        flagged="datum.s >= datum.t",
        yes="datum.s", no="1 - datum.s", yes_s="datum.s * datum.s", no_s="(1 - datum.s) * datum.s",
    ).transform_calculate(
        tp="datum.flagged ? datum.s : 0", fp="datum.flagged ? 1 - datum.s : 0")
    rates = grid.transform_aggregate(
        tp="sum(tp)", fp="sum(fp)", yes="sum(yes)", no="sum(no)", yes_s="sum(yes_s)", no_s="sum(no_s)",
        n="count()", groupby=["group_label"],
    ).transform_calculate(
        base="datum.yes / datum.n",
        FPR="datum.fp / datum.no",
        FNR="1 - datum.tp / datum.yes",
        PPV="datum.tp + datum.fp > 0 ? datum.tp / (datum.tp + datum.fp) : 0",
        no_avg="datum.no_s / datum.no", yes_avg="datum.yes_s / datum.yes",
    )
    groups = ["group A", "group B"]

    def bar_panel(fields, names, title, height):
        data = rates.transform_fold(fields, as_=["key", "value"]).transform_calculate(
            measure=" : ".join(f"datum.key === '{f}' ? '{n}'" for f, n in zip(fields, names)) + " : ''",
            label="format(datum.value, '.0%')")
        # Measure names are written above their bars, not on an axis, so the panel fits a phone.
        y = alt.Y("measure:N", title=None, sort=names, axis=None)
        # Three slots in each measure's band: its name, then group A's bar, then group B's.
        slots = alt.Scale(domain=["name"] + groups)
        offset = alt.YOffset("group_label:N", scale=slots)
        names_text = data.transform_filter("datum.group_label === 'group A'").transform_calculate(
            slot="'name'").mark_text(align="left", fontSize=12).encode(
            x=alt.value(0), y=y, yOffset=alt.YOffset("slot:N", scale=slots), text="measure:N")
        bars = data.mark_bar().encode(
            y=y, yOffset=offset,
            color=alt.Color("group_label:N", title=None, sort=groups, legend=alt.Legend(orient="bottom")),
            x=alt.X("value:Q", title=None, axis=alt.Axis(format="%", values=[0, 0.5, 1]),
                    scale=alt.Scale(domain=[0, 1])),
            tooltip=[alt.Tooltip("group_label:N", title="Group"), alt.Tooltip("measure:N", title="Measure"),
                     alt.Tooltip("value:Q", format=".1%", title="Value")])
        text = data.mark_text(align="left", dx=3).encode(y=y, yOffset=offset, x="value:Q", text="label:N")
        return (bars + text + names_text).properties(width=RATE_PANEL_WIDTH, height=alt.Step(18), title=title)

    def same(field):
        return f"(abs(datum['{field}_A'] - datum['{field}_B']) <= {TOLERANCE} ? 'equal' : 'NOT equal')"

    wide = rates.transform_calculate(g="replace(datum.group_label, 'group ', '')").transform_fold(
        ["base", "FPR", "FNR", "PPV"], as_=["key", "value"]).transform_calculate(
        key_g="datum.key + '_' + datum.g").transform_pivot(
        "key_g", value="value", groupby=[])
    verdict = wide.transform_calculate(
        line1="'Base rates: A ' + format(datum.base_A, '.0%') + ', B ' + format(datum.base_B, '.0%')",
        line2="'False positive rates: ' + " + same("FPR"),
        line3="'False negative rates: ' + " + same("FNR"),
        line4="'PPVs: ' + " + same("PPV"),
        line5=("abs(datum.base_A - datum.base_B) <= 0.01 ? 'Equal base rates: all three can be equal.' : "
               "'Different base rates: at most two'"),
        line6=("abs(datum.base_A - datum.base_B) <= 0.01 ? '' : 'of the three can be equal.'"),
    ).transform_fold(["line1", "line2", "line3", "line4", "line5", "line6"],
                     as_=["line", "text"]).mark_text(
        align="left", fontSize=13).encode(x=alt.value(0), y=alt.Y("line:N", axis=None), text="text:N")

    return alt.vconcat(
        verdict.properties(width=PANEL_WIDTH, height=110, title="Which rates are equal?"),
        bar_panel(["FPR", "FNR", "PPV"], ["false positive rate", "false negative rate", "PPV"],
                  "The decision, by group", None),
        bar_panel(["no_avg", "yes_avg"], ["without the outcome", "with the outcome"],
                  ["Average score of", "the people ..."], None),
    ).add_params(*controls).properties(
        description=("Two groups given a calibrated risk score: a summary of which of the false positive rate, "
                     "false negative rate and positive predictive value are equal across the groups at the "
                     "thresholds set with the sliders, bars of those three rates by group, and bars of the "
                     "average score of people without and with the outcome."))
