"""Figures and glued numbers for chapter 12, "Law and governance".

The chapter calls these from hidden cells:

* :func:`checker` applies the conditions of the AI Act's social-scoring ban, Article 5(1)(c), to a scheme
  described by eight yes/no answers; :func:`brightwater_conditions` is its verdict on the simulated city;
* :func:`checker_chart` shows the checker in the page, for every combination of answers, with no kernel;
* :func:`decided_by` and :func:`glue_numbers` count the sanctions that rest on data collected for another
  purpose; :func:`agency_chart` draws them by agency;
* :func:`rights_chart` compares the rights a scored person has in four jurisdictions.
"""

from __future__ import annotations

import itertools
import textwrap

import altair as alt
import numpy as np
import pandas as pd
from myst_nb import glue

from scored import viz
from scored.dynamics import AGENCY_OF_KIND, AGENCY_PURPOSES
from scored.scoring import DEFAULT_SCORECARD

# Text in the charts is wrapped to this many characters, so that a chart fits a 360-pixel column.
WRAP = 42

# The eight questions of the checker, each with two answers (0 or 1). The order sets the bits of `combo`.
QUESTIONS = {
    "text": ("Legal text", ["AI Act as adopted (2024)", "Commission proposal (2021)"]),
    "operator": ("Operator", ["public authority", "private company"]),
    "ai": ("How it scores", ["learned or inferred (AI system)", "fixed rules written by people"]),
    "period": ("What it evaluates", ["behaviour or traits over a period", "one fact, checked once"]),
    "harm": ("Effect of the score", ["detrimental treatment", "no detrimental treatment"]),
    "context": ("Where the treatment falls", ["unrelated context", "same context as the data"]),
    "proportion": ("Size of the treatment", ["unjustified or disproportionate", "proportionate to the conduct"]),
    "date": ("Date of use", ["on or after 2 Feb 2025", "before 2 Feb 2025"]),
}

STATUSES = ["holds", "does not hold", "uncertain", "not applicable", "prohibited", "not prohibited"]
STATUS_COLOURS = [viz.SANCTIONED, viz.NOT_SANCTIONED, "#E69F00", "#8C8C8C", viz.SANCTIONED, viz.NOT_SANCTIONED]


def checker(text, operator, ai, period, harm, context, proportion, date):
    """Each condition of Article 5(1)(c) as (condition, status, why), then the verdict. Answers are 0 or 1."""
    proposal = text == 1
    rows = [
        ("It is an AI system, placed on the market, put into service or used",
         "holds" if ai == 0 else "uncertain",
         "it infers its outputs" if ai == 0 else "recital 12: rules written solely by people may be outside"),
        ("The operator is covered",
         "holds" if (not proposal or operator == 0) else "does not hold",
         ("any operator: " + ("a private company" if operator else "a public authority") if not proposal
          else "the proposal covered public authorities only" if operator == 1 else "a public authority")),
        ("It evaluates or classifies people over a certain period of time",
         "holds" if period == 0 else "does not hold", "over a period" if period == 0 else "a single check"),
        ("... on social behaviour or known, inferred or predicted personal characteristics",
         "holds" if period == 0 else "does not hold",
         "behaviour or traits" if period == 0 else "no evaluation of conduct over time"),
        ("The score leads to detrimental or unfavourable treatment",
         "holds" if harm == 0 else "does not hold", "yes" if harm == 0 else "no"),
        ("(i) in a social context unrelated to where the data were collected",
         "holds" if context == 0 else "does not hold", "unrelated" if context == 0 else "same context"),
        ("(ii) unjustified or disproportionate to the behaviour or its gravity",
         "holds" if proportion == 0 else "does not hold",
         "disproportionate" if proportion == 0 else "proportionate"),
        ("The prohibition applies on the date of use",
         ("not applicable" if proposal else "holds" if date == 0 else "does not hold"),
         ("a proposal, never law" if proposal else "applies from 2 Feb 2025" if date == 0 else "too early")),
    ]
    status = [r[1] for r in rows]
    # (i) and (ii) are alternatives: one of them is enough.
    required = status[:5] + [("holds" if "holds" in status[5:7] else "does not hold")] + status[7:]
    if "does not hold" in required:
        verdict = ("outside the proposal's wording" if proposal else "not caught by Article 5(1)(c)",
                   "not prohibited")
    elif "uncertain" in required:
        verdict = ("uncertain: is it an AI system?", "uncertain")
    else:
        verdict = ("within the proposal's wording (never law)" if proposal else "prohibited", "prohibited")
    return rows + [("Verdict", verdict[1], verdict[0])]


#: Brightwater as simulated: a council (public), a points table (rules), a year of conduct, travel bans from
#: bills and posts (unrelated, and arguably disproportionate), in use in 2025.
BRIGHTWATER = dict(text=0, operator=0, ai=1, period=0, harm=0, context=0, proportion=0, date=0)


def brightwater_conditions() -> pd.DataFrame:
    """The checker's reading of Brightwater, as a table for people (no index)."""
    table = pd.DataFrame(checker(**BRIGHTWATER), columns=["Condition", "For Brightwater", "Why"])
    return table.style.hide(axis="index")


def _wrap(text: str, width: int = WRAP) -> str:
    return "\n".join(textwrap.wrap(text, width))


def checker_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The checker for all 256 combinations of answers, normalised so that no text is repeated.

    Returns ``conditions`` (one row per condition: its wrapped text and its place on the chart),
    ``codes`` (one row per combination: one digit per condition, naming its outcome) and ``outcomes``
    (one row per distinct (condition, status, why)). The page finds each condition's outcome by two lookups.
    """
    outcome_ids: dict[tuple, int] = {}
    codes = []
    for answers in itertools.product((0, 1), repeat=len(QUESTIONS)):
        combo = sum(bit << i for i, bit in enumerate(answers))
        digits = ""
        for order, (_, status, why) in enumerate(checker(*answers)):
            per_condition = [k for k in outcome_ids if k[0] == order]
            key = (order, status, why)
            if key not in outcome_ids:
                outcome_ids[key] = len(per_condition)
            digits += str(outcome_ids[key])
        codes.append({"combo": combo, "code": digits})
    assert max(outcome_ids.values()) < 10, "one digit per condition"
    outcomes = pd.DataFrame([{"key": f"{o}-{i}", "status": s, "why": _wrap(f"{s}: {w}" if o < 8 else w)}
                             for (o, s, w), i in outcome_ids.items()])
    labels = [c for c, _, _ in checker(*[0] * 8)]
    rows, y = [], 0
    for order, label in enumerate(labels):
        text = _wrap(label)
        lines = text.count("\n") + 1
        rows.append({"order": order, "label": text, "y": y, "y_status": y + 15 * lines + 2})
        y += 15 * lines + 2 + 15 * 2 + 12           # the label, two lines of status, a gap
    return pd.DataFrame(rows), pd.DataFrame(codes), outcomes


def checker_chart() -> alt.LayerChart:
    """The decision table, one drop-down per question, narrow enough for a phone."""
    conditions, codes, outcomes = checker_tables()
    height = int(conditions["y_status"].max() + 40)
    params = [alt.param(name=f"q_{key}", value=0, bind=alt.binding_select(
                  options=[0, 1], labels=options, name=f"{title}: "))
              for key, (title, options) in QUESTIONS.items()]
    combo = " + ".join(f"q_{key} * {2 ** i}" for i, key in enumerate(QUESTIONS))
    base = (alt.Chart(viz.compact_data(conditions))
            .transform_calculate(combo=combo)
            .transform_lookup(lookup="combo", from_=alt.LookupData(viz.compact_data(codes), "combo", ["code"]))
            .transform_calculate(key="datum.order + '-' + substring(datum.code, datum.order, datum.order + 1)")
            .transform_lookup(lookup="key", from_=alt.LookupData(viz.compact_data(outcomes), "key",
                                                                 ["status", "why"])))
    y_scale = alt.Scale(domain=[0, height], range=[0, height])
    label = (base.transform_filter("datum.order < 8").mark_text(
                 align="left", baseline="top", lineBreak="\n", fontSize=13).encode(
                 x=alt.value(0), y=alt.Y("y:Q", scale=y_scale, axis=None), text="label:N")
             + base.transform_filter("datum.order == 8").mark_text(
                 align="left", baseline="top", fontSize=14, fontWeight="bold").encode(
                 x=alt.value(0), y=alt.Y("y:Q", scale=y_scale, axis=None), text="label:N"))
    marker = base.mark_square(size=120).encode(
        x=alt.value(7), y=alt.Y("y_status:Q", scale=y_scale, axis=None),
        yOffset=alt.value(8),
        color=alt.Color("status:N", title="Status", scale=alt.Scale(domain=STATUSES, range=STATUS_COLOURS),
                        legend=None))
    status = base.mark_text(align="left", baseline="top", lineBreak="\n", fontSize=13, fontWeight="bold").encode(
        x=alt.value(20), y=alt.Y("y_status:Q", scale=y_scale, axis=None), text="why:N",
        color=alt.Color("status:N", scale=alt.Scale(domain=STATUSES, range=STATUS_COLOURS), legend=None))
    return (label + marker + status).add_params(*params).properties(
        width="container", height=height,
        description=("Decision table for the AI Act's social-scoring ban, Article 5(1)(c): for the scheme "
                     "described with the drop-downs, each condition is shown as holding, not holding, uncertain "
                     "or not applicable, with the verdict last."))


# --- Sanctions and the agencies whose data decide them ----------------------------------------------------

def agency_points(scores: pd.DataFrame) -> pd.DataFrame:
    """Points each agency's records add to each resident's total (one column per agency)."""
    return pd.DataFrame({AGENCY_OF_KIND[k]: scores[f"points_{k}"] for k in AGENCY_OF_KIND})


def decided_by(total: pd.Series, points: pd.DataFrame, line: float) -> pd.DataFrame:
    """For residents below ``line``, True where leaving out an agency's records lifts them above it."""
    below = (total < line).to_numpy()[:, None]
    return pd.DataFrame(below & ((total.to_numpy()[:, None] - points.to_numpy()) >= line),
                        index=points.index, columns=points.columns)


BLACKLIST = DEFAULT_SCORECARD.bands[-2].min_score      # below this: grade D, travel ban
SANCTION = DEFAULT_SCORECARD.bands[-3].min_score       # below this: grade C or D, some sanction


def glue_numbers(city, scores: pd.DataFrame) -> None:
    """Glue every number about the city that the measured section quotes."""
    points, total = agency_points(scores), scores["total"]
    court_only = DEFAULT_SCORECARD.base + points["court"]
    listed = total < BLACKLIST
    n_listed = int(listed.sum())
    n_court_alone = int((listed & (court_only < BLACKLIST)).sum())
    decided = decided_by(total, points, BLACKLIST)
    ids = city.personas.set_index("persona")["resident_id"]
    counts = city.records[city.records["resident_id"].isin(ids)].groupby(["resident_id", "kind"]).size()
    values = {
        "n_listed": n_listed,
        "n_unrelated": n_listed - n_court_alone,
        "share_unrelated": (n_listed - n_court_alone) / n_listed if n_listed else 0.0,
        "n_no_court": int((listed & (points["court"] == 0)).sum()),
        "n_by_utility": int(decided["utility"].sum()),
        "n_by_posts": int(decided["online_monitoring"].sum()),
        "n_any": int((total < SANCTION).sum()),
        "n_any_no_court": int(((total < SANCTION) & (points["court"] == 0)).sum()),
        "top_agency": " and the ".join(a.replace("_", " ") for a, n in decided.sum().items()
                                       if n == decided.sum().max()),
        "blacklist_line": int(BLACKLIST),
        "robin_bills": int(counts.get((ids["Robin"], "late_bill"), 0)),
        "robin_score": int(total[ids["Robin"]]),
        "robin_listed": "is" if listed[ids["Robin"]] else "is not",
        "robin_by_utility": ("without the utility's records Robin would not be blacklisted"
                             if decided.loc[ids["Robin"], "utility"]
                             else "the utility's records alone do not decide Robin's grade"),
        "jules_posts": int(counts.get((ids["Jules"], "flagged_post"), 0)),
        "jules_by_posts": ("is among them" if decided.loc[ids["Jules"], "online_monitoring"]
                           else "is not among them"),
        "kit_court_only": int(court_only[ids["Kit"]]),
        "bw_verdict": checker(**BRIGHTWATER)[-1][2],
    }
    for name, value in values.items():
        glue(name, value, display=False)


def agency_chart(scores: pd.DataFrame) -> alt.LayerChart:
    """Bars, by agency, of sanctioned residents who carry its records and those whose sanction they decide."""
    points, total = agency_points(scores), scores["total"]
    rows = []
    for sanction, line in (("travel ban (grade D)", BLACKLIST), ("any sanction (grade C or D)", SANCTION)):
        decided = decided_by(total, points, line)
        for agency in AGENCY_PURPOSES:
            rows.append({"sanction": sanction, "agency": agency.replace("_", " "),
                         "collected for": AGENCY_PURPOSES[agency], "decided": int(decided[agency].sum()),
                         "carry": int(((total < line) & (points[agency] != 0)).sum()),
                         "related": "court (arguably related)" if agency == "court" else "unrelated context"})
    decisive = pd.DataFrame(rows)
    pick = alt.param(name="sanction_shown", value=decisive["sanction"].iloc[0], bind=alt.binding_radio(
        options=list(decisive["sanction"].unique()), name="Sanction: "))
    order = [a.replace("_", " ") for a in AGENCY_PURPOSES]
    bars = alt.Chart(viz.compact_data(decisive)).transform_filter(alt.datum.sanction == pick).encode(
        y=alt.Y("agency:N", sort=order, title=None))
    tooltip = [alt.Tooltip("agency:N", title="Agency"), alt.Tooltip("collected for:N", title="Collected for"),
               alt.Tooltip("decided:Q", title="Sanction decided by its records"),
               alt.Tooltip("carry:Q", title="Sanctioned and carry its records")]
    return (bars.mark_bar(color="#BDBDBD").encode(x=alt.X("carry:Q", title="Sanctioned residents"), tooltip=tooltip)
            + bars.mark_bar().encode(
                x="decided:Q", tooltip=tooltip,
                color=alt.Color("related:N", title=None, legend=alt.Legend(orient="bottom", direction="vertical"),
                                scale=alt.Scale(domain=["unrelated context", "court (arguably related)"],
                                                range=[viz.SANCTIONED, "#E69F00"])))
            + bars.mark_text(align="left", dx=4).encode(x="carry:Q", text="decided:Q")
            ).add_params(pick).properties(
        width="container", height=alt.Step(32),
        title=alt.Title("Whose records decide a sanction",
                        subtitle=["grey: sanctioned residents with the agency's records;",
                                  "coloured: those whose sanction its records decide"]),
        description=("Bar chart, for the sanction chosen with the buttons, of how many sanctioned residents "
                     "carry records from each agency (grey) and for how many of them that agency's records "
                     "decide the sanction (coloured)."))


# --- Rights in four jurisdictions -------------------------------------------------------------------------

# One row per right and jurisdiction: what the texts cited in the chapter grant, and the deadline in days
# where the text sets one (one month counted as 30 days). "with conditions" = only in some cases.
RIGHTS = [
    ("notice", "EU", "in the text", 30, 0,
     "Told of automated decisions and the logic (GDPR Arts 13, 14); at the latest within one month (Art. 14(3))"),
    ("notice", "China", "not found in the sources cited", None, None,
     "No notice rule in the texts cited; Liu Hu learned of his listing when a booking was refused"),
    ("notice", "US", "in the text", 30, 0,
     "Adverse-action notice naming the bureau (FCRA s. 1681m); a creditor's reasons within 30 days (Reg. B)"),
    ("notice", "Council of Europe", "in the text", None, None,
     "Transparency of processing (108+, Art. 8); 108+ awaits entry into force"),
    ("access", "EU", "in the text", 30, 60,
     "A copy of the data and meaningful information about the logic (Art. 15); one month, +2 (Art. 12(3))"),
    ("access", "China", "with conditions", None, None,
     "The list is public; PIPL Art. 24: an explanation of automated decisions with a major impact"),
    ("access", "US", "in the text", None, None, "A copy of one's file from the bureau (FCRA s. 1681g)"),
    ("access", "Council of Europe", "in the text", None, None,
     "Without excessive delay or expense (108, Art. 8); the reasoning behind processing (108+, Art. 9)"),
    ("correction", "EU", "in the text", 30, 60,
     "Rectification without undue delay (Art. 16); one month, +2 (Art. 12(3))"),
    ("correction", "China", "in the text", 15, 0,
     "Review within 15 days; deletion 3 working days after the debt is met; credit repair"),
    ("correction", "US", "in the text", 30, 15, "Free reinvestigation within 30 days, +15 (FCRA s. 1681i)"),
    ("correction", "Council of Europe", "in the text", None, None,
     "Rectification or erasure, free and without excessive delay (108+, Art. 9)"),
    ("human review or appeal", "EU", "with conditions", None, None,
     "Human intervention, one's own view, contest (Art. 22(3)); under a law, its own safeguards (22(2)(b))"),
    ("human review or appeal", "China", "in the text", None, None,
     "A refusal can go to the next-higher court; PIPL: refuse solely automated decisions"),
    ("human review or appeal", "US", "with conditions", None, None,
     "No general right to a human decision; the bureau reinvestigates; a statement of dispute can be added"),
    ("human review or appeal", "Council of Europe", "in the text", None, None,
     "No solely automated decision without one's views considered; a remedy (108+, Art. 9)"),
    ("limits on the sanction", "EU", "in the text", None, None,
     "AI Act ban on social scoring from 2 Feb 2025; GDPR principles (Art. 5)"),
    ("limits on the sanction", "China", "in the text", None, None,
     "Legal basis and proportionality required (Guobanfa [2020] No. 49)"),
    ("limits on the sanction", "US", "not found in the sources cited", None, None,
     "No general federal limit on what a score may lead to in the texts cited; some state laws add duties"),
    ("limits on the sanction", "Council of Europe", "in the text", None, None,
     "Processing proportionate to its legitimate purpose (108+, Art. 5); awaits entry into force"),
]
JURISDICTIONS = ["EU", "China", "US", "Council of Europe"]
GRANT_STATUSES = ["in the text", "with conditions", "not found in the sources cited"]


def rights_chart() -> alt.LayerChart:
    """For the right chosen in a drop-down, one block per jurisdiction: its name, a bar of the deadline its text
    sets (with any extension lighter), and what it grants. One column, so that it fits a phone."""
    rights = pd.DataFrame(RIGHTS, columns=["right", "jurisdiction", "status", "days", "extension", "grants"])
    rights = rights.fillna({"days": 0, "extension": 0})
    rights["end"] = rights["days"] + rights["extension"]
    rights["deadline"] = [("no fixed deadline" if not d else f"{int(d)} days" + (f" + {int(e)}" if e else ""))
                          for d, e in zip(rights["days"], rights["extension"])]
    rights["grants"] = rights["grants"].map(_wrap)
    block = 17 + 18 + 4 * 15 + 14                 # name, bar, up to four lines of text, a gap
    rights["top"] = rights["jurisdiction"].map({j: i * block for i, j in enumerate(JURISDICTIONS)})
    rights["bar"] = rights["top"] + 18
    rights["text"] = rights["top"] + 38
    pick = alt.param(name="right_shown", value="correction", bind=alt.binding_select(
        options=list(dict.fromkeys(rights["right"])), name="Right: "))
    base = alt.Chart(viz.compact_data(rights)).transform_filter(alt.datum.right == pick)
    height = block * len(JURISDICTIONS)
    y = dict(scale=alt.Scale(domain=[0, height], range=[0, height]), axis=None)
    days = alt.Scale(domain=[0, 90], range=[16, 196])
    tooltip = [alt.Tooltip("jurisdiction:N", title="Jurisdiction"), alt.Tooltip("deadline:N", title="Deadline"),
               alt.Tooltip("status:N", title="What the text grants")]
    name = base.mark_text(align="left", baseline="top", fontWeight="bold", fontSize=13).encode(
        x=alt.value(16), y=alt.Y("top:Q", **y), text="jurisdiction:N")
    dot = base.mark_point(filled=True, size=110, shape="circle").encode(
        x=alt.value(6), y=alt.Y("top:Q", **y), yOffset=alt.value(8), tooltip=tooltip,
        color=alt.Color("status:N", title="What the text grants",
                        legend=alt.Legend(orient="bottom", direction="vertical"),
                        scale=alt.Scale(domain=GRANT_STATUSES, range=["#009E73", "#E69F00", "#8C8C8C"])))
    deadline = base.mark_bar(height=12, color="#0072B2").encode(
        x=alt.X("days:Q", scale=days, axis=None), x2=alt.value(16), y=alt.Y("bar:Q", **y), tooltip=tooltip)
    extension = base.mark_bar(height=12, color="#56B4E9").encode(
        x=alt.X("days:Q", scale=days, axis=None), x2="end:Q", y=alt.Y("bar:Q", **y), tooltip=tooltip)
    label = base.mark_text(align="left", baseline="middle", dx=4, fontSize=12).encode(
        x=alt.X("end:Q", scale=days, axis=None), y=alt.Y("bar:Q", **y), text="deadline:N")
    text = base.mark_text(align="left", baseline="top", lineBreak="\n", fontSize=12).encode(
        x=alt.value(16), y=alt.Y("text:Q", **y), text="grants:N")
    return (name + dot + deadline + extension + label + text).add_params(pick).properties(
        width="container", height=height,
        title=alt.Title("What each text grants",
                        subtitle=["bar: the deadline in days (lighter: a possible", "extension); a 90-day bar spans the scale"]),
        description=("For the right chosen in the drop-down, the deadline in days that the EU, China, the United "
                     "States and the Council of Europe set, drawn as a bar, and a summary of what each grants."))
