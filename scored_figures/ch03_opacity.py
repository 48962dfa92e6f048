"""Figures and glued numbers for chapter 3, "Opacity and the right to an explanation".

The chapter calls these from hidden cells: :func:`glue_numbers` computes and glues every number the prose
quotes about the city; :func:`persona_letters` draws what an opaque and a transparent system tell each
persona; :func:`volunteering_chart` shows who can volunteer their way off the blacklist under a yearly
limit chosen in the page.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
from myst_nb import glue

from scored import viz
from scored.scoring import counterfactual, counterfactuals, score


def _glue(name: str, value) -> None:
    glue(name, value, display=False)


def glue_numbers(city, scores, counts, truth, card) -> None:
    """Glue the numbers the chapter's prose quotes, computed from the city."""
    personas = city.personas.set_index("persona")
    kit = int(personas.loc["Kit", "resident_id"])
    routes = counterfactuals(counts, card)
    persona_routes = routes.reindex(personas["resident_id"]).set_axis(personas.index).dropna(subset=["total"])
    for name in persona_routes.index:
        for column in ["shortfall", "add_volunteering", "records_to_remove", "remove_flagged_post"]:
            _glue(f"{name}_{column}", int(persona_routes.loc[name, column]))
    _glue("Kit_without_debt", int(scores.loc[kit, "total"] - scores.loc[kit, "points_court_debt"]))
    _glue("n_blacklisted", len(routes))
    one_record = int((routes["records_to_remove"] == 1).sum())
    _glue("n_one_record", one_record)
    _glue("share_one_record", one_record / len(routes))
    _glue("median_sessions", int(routes["add_volunteering"].median()))

    # Wrongly blacklisted residents, and how many of them a per-rule breakdown lets find the error.
    wrong_record = city.records["truth_error"] != ""
    clean = score(city.records[~wrong_record], city.residents, card)
    wrongly = scores.index[(scores["grade"] == "D") & (clean["grade"] != "D")]
    errors = city.records[wrong_record].groupby(["resident_id", "kind"], observed=True).size().unstack(fill_value=0)
    has_error = errors.reindex(index=wrongly, columns=counts.columns, fill_value=0) > 0
    spotted = ((counts.loc[wrongly] > truth.loc[wrongly]) & has_error).any(axis=1)
    _glue("n_wrongly", len(wrongly))
    _glue("n_spotted", int(spotted.sum()))
    _glue("n_hidden", int((~spotted).sum()))

    # Who can volunteer off the list.
    people = city.residents.set_index("resident_id")[["work", "district", "disability", "group", "income"]]
    listed = routes.join(people)
    typical = truth["volunteering"].groupby(people["work"], observed=True).mean()
    needed = listed.groupby("work", observed=True)["add_volunteering"].median().astype(float)
    _glue("gig_times", float(needed["gig"] / typical["gig"]))
    _glue("retired_times", float(needed["retired"] / typical["retired"]))
    cap = 12
    routes_12 = counterfactuals(counts, card, max_added={"volunteering": cap}).join(people)
    stuck = ~routes_12["achievable"]
    half = pd.Series(np.where((people["work"] == "gig") | people["disability"], cap // 2, cap), index=people.index)
    routes_half = counterfactuals(counts, card, max_added={"volunteering": half}).join(people)
    stuck_half = ~routes_half["achievable"]
    court_only = counterfactuals(counts, card, removable=["late_bill", "traffic_offence", "flagged_post"])
    _glue("share_stuck", float(stuck.mean()))
    _glue("n_stuck", int(stuck.sum()))
    _glue("n_court_only", int(court_only["records_to_remove"].isna().sum()))
    with_debt = counts["court_debt"] > 0
    _glue("income_debt", int(people.loc[with_debt, "income"].median()))
    _glue("income_all", int(city.residents["income"].median()))
    _glue("share_stuck_gig_half", float(stuck_half[routes_half["work"] == "gig"].mean()))
    _glue("share_stuck_gig", float(stuck[routes_12["work"] == "gig"].mean()))
    _glue("share_stuck_dis_half", float(stuck_half[routes_half["disability"]].mean()))
    _glue("share_stuck_dis", float(stuck[routes_12["disability"]].mean()))


def persona_letters(city, scores, counts, truth, card) -> alt.VConcatChart:
    """For a persona chosen in the page: the opaque letter, the counterfactual and the breakdown."""
    personas = city.personas.set_index("persona")
    short = {"late_bill": "late bill", "traffic_offence": "traffic offence", "court_debt": "court debt",
             "flagged_post": "flagged post"}
    bar_label = {"late_bill": "late bills", "traffic_offence": "traffic offences", "court_debt": "court debts",
                 "volunteering": "volunteering", "flagged_post": "flagged posts"}
    order = ["Kit", "Robin", "Jules", "Sasha", "Wren"]

    rules_rows, notice_rows, route_rows = [], [], []
    for name in order:
        rid = int(personas.loc[name, "resident_id"])
        row, cf = scores.loc[rid], counterfactual(counts, rid, card)
        for rule in card.rules:
            on_file, did = int(counts.loc[rid, rule.kind]), int(truth.loc[rid, rule.kind])
            rules_rows.append({"persona": name, "rule": bar_label[rule.kind], "points": on_file * rule.points,
                               "on_file": on_file, "did": did,
                               "note": f"{on_file} on file, {did} done",
                               "label": f"{bar_label[rule.kind]}: {on_file} on file, {did} done",
                               "order": list(bar_label).index(rule.kind),
                               "check": "more on file than done" if on_file > did else "as many as done or fewer"})
        for line, text in enumerate(["Brightwater Scoring Office", f"Your grade: {row['grade']}",
                                     f"Consequence: {row['sanction'].split(':')[0]}", "No reasons are given."]):
            notice_rows.append({"persona": name, "line": line, "text": text})
        if cf["shortfall"] > 0:
            removed = ", ".join(f"{int(cf[f'remove_{k}'])} {short[k]}" + ("s" if cf[f"remove_{k}"] > 1 else "")
                                for k in short if cf[f"remove_{k}"] > 0)
            lines = [f"Score {cf['total']}: {cf['shortfall']} points short of C.",
                     "Fewest records whose absence",
                     f"would lift you: {removed}.",
                     f"Or: {cf['add_volunteering']} volunteering sessions."]
        else:
            lines = [f"Score {cf['total']}: grade {row['grade']}.", "Not on the blacklist;", "nothing needs to change.", ""]
        route_rows += [{"persona": name, "line": i, "text": t} for i, t in enumerate(lines)]

    pick = alt.param(name="persona", value="Kit", bind=alt.binding_select(options=order, name="Persona: "))
    chosen = alt.datum.persona == pick

    def text_panel(rows, title):
        return alt.Chart(pd.DataFrame(rows)).transform_filter(chosen).mark_text(
            align="left", baseline="middle", fontSize=13, limit=300,
        ).encode(x=alt.value(5), y=alt.Y("line:O", axis=None), text="text:N").properties(
            width=300, height=alt.Step(20), title=title)

    bars = alt.Chart(pd.DataFrame(rules_rows)).transform_filter(chosen)
    # Each rule's name is written above its bar rather than on an axis, so the panel fits a phone and lines
    # up with the letters above it.
    y = alt.Y("label:N", title=None, sort=alt.EncodingSortField("order"), axis=None)
    names = bars.mark_text(align="left", dy=-13, fontSize=12).encode(x=alt.value(0), y=y, text="label:N")
    breakdown_bars = bars.mark_bar(size=12).encode(
        x=alt.X("points:Q", title="Points added or taken away", scale=alt.Scale(domain=[-800, 100]),
                axis=alt.Axis(tickCount=3)),
        y=y,
        color=alt.Color("check:N", title="On file, against what was done:",
                        scale=alt.Scale(domain=["as many as done or fewer", "more on file than done"],
                                        range=[viz.NOT_SANCTIONED, viz.SANCTIONED]),
                        legend=alt.Legend(orient="bottom", titleLimit=300, direction="vertical")),
        tooltip=[alt.Tooltip("rule:N", title="Rule"), alt.Tooltip("points:Q", title="Points"),
                 alt.Tooltip("on_file:Q", title="Records on file"), alt.Tooltip("did:Q", title="Times done")],
    )
    breakdown_panel = (breakdown_bars + names).properties(
        width=290, height=alt.Step(38),
        title=alt.TitleParams("Transparent: the breakdown", subtitle="points per rule"))

    return alt.vconcat(
        text_panel(notice_rows, "Opaque: the letter"),
        text_panel(route_rows, "What would change the grade"),
        breakdown_panel,
    ).add_params(pick).properties(description=(
        "For the persona chosen in the drop-down menu: the letter an opaque system sends, the counterfactual "
        "a transparent system adds, and the rule-by-rule breakdown with the records on file beside what the "
        "persona actually did."))


def volunteering_chart(routes, people) -> alt.VConcatChart:
    """Share of blacklisted residents who can volunteer off the list, under a yearly limit set in the page."""
    table = routes.join(people).assign(
        disability=lambda t: np.where(t["disability"], "disabled", "not disabled"))
    cells = table.groupby(["work", "district", "disability", "add_volunteering"], observed=True).size() \
        .rename("n").reset_index()

    sessions = alt.param(name="max_sessions", value=12, bind=alt.binding_range(
        min=0, max=60, step=1, name="Most volunteering sessions a resident can do in a year: "))
    rule = alt.param(name="time_rule", value="same for everyone", bind=alt.binding_radio(
        options=["same for everyone", "half for gig workers and disabled residents"], name="Time available: "))
    base = alt.Chart(viz.compact_data(cells)).transform_calculate(
        capacity="time_rule == 'same for everyone' || (datum.work != 'gig' && datum.disability != 'disabled')"
                 " ? max_sessions : floor(max_sessions / 2)",
    ).transform_calculate(can="datum.add_volunteering <= datum.capacity ? datum.n : 0")

    def panel(field, title, order):
        shares = base.transform_aggregate(can="sum(can)", total="sum(n)", groupby=[field]).transform_calculate(
            share="datum.can / datum.total",
            label="format(datum.can, 'd') + ' of ' + format(datum.total, 'd')")
        y = alt.Y(f"{field}:N", title=None, sort=order)
        return (shares.mark_bar(color=viz.NOT_SANCTIONED).encode(
            x=alt.X("share:Q", title="Share who can volunteer off the list",
                    axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            y=y, tooltip=[alt.Tooltip(f"{field}:N", title=field.capitalize()),
                         alt.Tooltip("share:Q", format=".0%", title="Share who can get off"),
                         alt.Tooltip("can:Q", title="Residents who can"), alt.Tooltip("total:Q", title="Blacklisted")],
        ) + shares.mark_text(align="left", dx=4).encode(x="share:Q", y=y, text="label:N")).properties(
            width=170, height=alt.Step(22), title=title)

    return alt.vconcat(
        panel("work", "By kind of work", list(people["work"].cat.categories)),
        panel("disability", "By disability", ["not disabled", "disabled"]),
        panel("district", "By district", list(people["district"].cat.categories)),
    ).add_params(sessions, rule).properties(description=(
        "Share of blacklisted residents who could leave the blacklist by volunteering, by kind of work, "
        "disability and district, for the yearly limit on volunteering set with the slider and the rule for "
        "who has less time chosen with the buttons."))


# --- Sentences about the personas, written from the data so that they stay true on any city ----------------

_KIND_WORDS = {"late_bill": ("late bill", "late bills"), "traffic_offence": ("traffic offence", "traffic offences"),
               "court_debt": ("court debt", "court debts"), "flagged_post": ("flagged post", "flagged posts")}
_NUMBER_WORDS = ["None", "One", "Two", "Three", "Four", "Five"]


def _records_phrase(cf) -> str:
    parts = []
    for kind, (one, many) in _KIND_WORDS.items():
        n = int(cf[f"remove_{kind}"])
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    return " and ".join(parts) if parts else "no record"


def _grade_of(total: float, card) -> str:
    bands = sorted(card.bands, key=lambda b: -1e18 if b.min_score is None else b.min_score, reverse=True)
    return next(b.grade for b in bands if b.min_score is None or total >= b.min_score)


def glue_persona_sentences(city, scores, counts, card) -> None:
    """Glue the paragraphs that describe the personas' counterfactuals, written from this city's data."""
    personas = city.personas.set_index("persona")
    listed = [name for name in ["Robin", "Jules", "Kit"]
              if scores.loc[int(personas.loc[name, "resident_id"]), "grade"] == "D"]
    sentences = [f"{_NUMBER_WORDS[len(listed)]} of the personas "
                 f"{'is' if len(listed) == 1 else 'are'} on the blacklist"
                 + (f" ({', '.join(listed)})." if listed else ".")]
    for name in [n for n in listed if n != "Kit"]:
        cf = counterfactual(counts, int(personas.loc[name, "resident_id"]), card)
        sentences.append(
            f"{name}, the {personas.loc[name, 'role']}, is {int(cf['shortfall'])} points short: "
            f"{_records_phrase(cf)} fewer, or {int(cf['add_volunteering'])} volunteering sessions, "
            "would have been enough.")
    if "Kit" in listed:
        kit = int(personas.loc["Kit", "resident_id"])
        cf = counterfactual(counts, kit, card)
        if int(cf["remove_court_debt"]) == 0:
            sentences.append(
                f"Kit's counterfactual is the most instructive: it points at {_records_phrase(cf)}, the gentlest "
                f"change that covers the {int(cf['shortfall'])}-point gap, and not at the court debt that "
                "belongs to someone else. A counterfactual names the cheapest change, not the wrong record.")
        else:
            sentences.append(
                f"Kit's counterfactual points at {_records_phrase(cf)}, but only because that is the cheapest "
                f"way to cover the {int(cf['shortfall'])}-point gap; it would name the court debt just the same "
                "if the debt were Kit's own. A counterfactual names the cheapest change, not the wrong record.")
        without = float(scores.loc[kit, "total"] - scores.loc[kit, "points_court_debt"])
        sentences.append(
            "Only the breakdown, read by someone who knows what they did, shows that the court debt should not "
            f"be there at all; without it Kit would score {int(without)}, in grade {_grade_of(without, card)}.")
    _glue("persona_routes_text", " ".join(sentences))
    _glue("letter_personas", " and ".join(listed) if len(listed) < 3 else f"{listed[0]}, {listed[1]} and {listed[2]}")

    # A wrong record that a count by kind cannot reveal: Kit's file holds a duplicate or stale record of a
    # kind where the count on file still matches what Kit did.
    kit = int(personas.loc["Kit", "resident_id"])
    kit_records = city.records[city.records["resident_id"] == kit]
    hidden = kit_records[kit_records["truth_error"].isin(["duplicate", "stale"])]
    truth = count_records_of(city, kit)
    sentence = ""
    for kind in hidden["kind"].unique():
        if kind in truth and int((kit_records["kind"] == kind).sum()) == truth[kind]:
            one, many = _KIND_WORDS.get(kind, (kind, kind))
            sentence = (f"Kit has such a hidden error too: besides the court debt, one of the {many} on Kit's file "
                        f"is a {hidden.loc[hidden['kind'] == kind, 'truth_error'].iloc[0]} record. Kit really did "
                        f"as many as are on file, because another was never recorded, so the count looks right; "
                        "only the list of records, with their dates, gives the error away.")
            break
    _glue("kit_hidden_error", sentence)


def count_records_of(city, resident_id: int) -> dict:
    """What one resident actually did, by kind (from the truth layer)."""
    done = city.behaviour[city.behaviour["resident_id"] == resident_id]
    return done["kind"].value_counts().to_dict()
