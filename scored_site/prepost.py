"""A pre/post measure of learning: a 30-minute audit of a city the student has not seen, scored against its truth.

Two parallel forms, A and B, ask the same four skills of two different cities:

1. **who** is harmed: the category (district in form A, age band in form B) blacklisted most often;
2. **how much**: how many times the city-wide rate that category's rate is;
3. **uncertainty**: a 95% interval for the share of the whole blacklist that is wrongly listed, from a sample of
   blacklisted residents checked by hand;
4. **which claim is false**, of four claims about the city.

Students open ``assessment/prepost-a.md`` (or ``-b``), which loads the task with :func:`task` and saves their
answers with :func:`save_answers` to a small JSON file under a code the instructor gives them (no name). The
instructor, on their own machine::

    python -m scored_site.prepost score answers/pre/ --out pre.csv
    python -m scored_site.prepost report --pre answers/pre/ --post answers/post/ --out prepost-report/

``report`` writes ``report.html`` (a chart of per-skill scores before and after, and the gains) and
``summary.csv``: class-level numbers only, no codes, and nothing for fewer than five matched students. Nothing is
sent anywhere: the chart is drawn into the file.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
import pandas as pd

SKILLS = {
    "who": "Who is harmed",
    "how_much": "By how much",
    "uncertainty": "With what uncertainty",
    "false_claim": "Which claim is false",
}
MIN_GROUP = 5            # fewer matched students than this: no statistics are reported
LETTERS = "ABCD"
AGE_BANDS = (("18-25", 18, 25), ("26-40", 26, 40), ("41-65", 41, 65), ("66 and over", 66, 200))


class PrePostError(ValueError):
    """An answer file or a form that cannot be used; the message names it."""


@dataclass(frozen=True)
class Form:
    name: str
    seed: int
    by: str                       # the column students compare: "district" or "age_band"
    by_words: str                 # how the task names it
    sample_size: int
    sample_seed: int
    claims: tuple[str, ...]       # claim templates, in the order shown
    false_claim: int              # which one (0-3) is made false
    params: dict = field(default_factory=dict)
    residents: int = 20_000


FORMS = {
    "a": Form("a", seed=5101, by="district", by_words="district", sample_size=150, sample_seed=11,
              claims=("group", "age", "sample", "count"), false_claim=1),
    "b": Form("b", seed=5202, by="age_band", by_words="age band", sample_size=120, sample_seed=23,
              claims=("share", "district", "group", "sample"), false_claim=2,
              params={"minority_share": 0.22,
                      "surveillance": {"Riverside": 0.85, "Old Town": 0.7, "Harbour": 0.5, "Eastfield": 0.4,
                                       "Millbrook": 0.3, "Northgate": 0.2}}),
}


def get_form(name: str) -> Form:
    key = str(name).strip().lower()
    if key not in FORMS:
        raise PrePostError(f"form must be one of {sorted(FORMS)}, got {name!r}")
    return FORMS[key]


# --- The task: what the student sees ---------------------------------------------------------------------

@dataclass
class Task:
    form: Form
    residents: pd.DataFrame     # one row per resident: district, group, sex, age, age_band, work, blacklisted
    checked: pd.DataFrame       # a random sample of blacklisted residents, checked by hand: wrongly_listed
    claims: list[str]           # four claims, lettered A-D in order


def _age_band(age: pd.Series) -> pd.Series:
    labels = [b[0] for b in AGE_BANDS]
    bins = [b[1] - 1 for b in AGE_BANDS] + [AGE_BANDS[-1][2]]
    return pd.cut(age, bins=bins, labels=labels).astype(str)


@lru_cache(maxsize=4)
def _city(name: str):
    from scored import audit
    from scored.world import make_world

    form = get_form(name)
    world = make_world(form.residents, seed=form.seed, **form.params)
    labels = audit.ground_truth_labels(world, truth="corrected_records")
    res = world.residents.set_index("resident_id")
    table = pd.DataFrame({
        "district": res["district"].astype(str), "group": res["group"].astype(str), "sex": res["sex"].astype(str),
        "age": res["age"], "age_band": _age_band(res["age"]), "work": res["work"].astype(str),
        "blacklisted": labels["predicted"].reindex(res.index).astype(bool),
    })
    wrongly = (labels["predicted"] & ~labels["actual"]).reindex(res.index).astype(bool)
    return table, wrongly


def _sample(form: Form) -> pd.DataFrame:
    table, wrongly = _city(form.name)
    listed = table.index[table["blacklisted"]]
    rng = np.random.default_rng(form.sample_seed)
    chosen = np.sort(rng.choice(listed.to_numpy(), size=min(form.sample_size, len(listed)), replace=False))
    return pd.DataFrame({"resident_id": chosen, "wrongly_listed": wrongly.loc[chosen].to_numpy()})


def _rates(table: pd.DataFrame, column: str) -> pd.Series:
    return table.groupby(column)["blacklisted"].mean().sort_values(ascending=False)


def _claim(template: str, form: Form, truthful: bool) -> tuple[str, bool]:
    """A claim about the city, phrased to be true (``truthful``) or false."""
    table, _ = _city(form.name)
    checked = _sample(form)
    if template in {"group", "district"}:
        rates = _rates(table, template)
        first, second = (rates.index[0], rates.index[-1]) if truthful else (rates.index[-1], rates.index[0])
        if template == "district":
            text = f"Residents of {first} are blacklisted more often than residents of {second}."
        else:
            text = f"{first} residents are blacklisted more often than {second} residents."
        return text, bool(rates[first] > rates[second])
    if template == "age":
        young = table.loc[table["age"] <= 25, "blacklisted"].mean()
        old = table.loc[table["age"] >= 66, "blacklisted"].mean()
        young_first = (young > old) == truthful
        first, second = ("under 26", "66 and over") if young_first else ("66 and over", "under 26")
        return (f"Residents aged {first} are blacklisted more often than residents aged {second}.",
                bool((young > old) if young_first else (old > young)))
    if template == "sample":
        share = checked["wrongly_listed"].mean()
        n = math.ceil(1 / share) + 1 if truthful else max(2, math.floor(1 / share) - 2)
        return (f"In the checked sample, at least one blacklisted resident in {n} was wrongly listed.",
                bool(share >= 1 / n))
    if template == "count":
        count = int(table["blacklisted"].sum())
        bound = (count // 50) * 50 - 50 if truthful else (count // 50) * 50 + 100
        return f"More than {bound:,} residents are on the blacklist.", count > bound
    if template == "share":
        share = table["blacklisted"].mean() * 100
        bound = math.floor(share) - 1 if truthful else math.ceil(share) + 1
        return f"More than {bound}% of the city's residents are on the blacklist.", bool(share > bound)
    raise PrePostError(f"unknown claim template {template!r}")


def claim_truths(form: str) -> list[tuple[str, bool]]:
    """The form's four claims with whether each is true of the city (exactly one is not)."""
    spec = get_form(form)
    return [_claim(t, spec, truthful=(i != spec.false_claim)) for i, t in enumerate(spec.claims)]


def task(form: str = "a") -> Task:
    """The data and the four claims a student works with, for form ``"a"`` or ``"b"``."""
    spec = get_form(form)
    table, _ = _city(spec.name)
    claims = [text for text, _ in claim_truths(spec.name)]
    return Task(spec, table.drop(columns=["age"]).reset_index(), _sample(spec), claims)


def save_answers(answers: dict, *, form: str, code: str, folder: str | Path = ".") -> Path:
    """Write the student's answers to ``prepost-<form>-<code>.json`` and return its path.

    ``code`` is the code your instructor gave you, not your name."""
    spec = get_form(form)
    code = "" if code is ... else str(code).strip()
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", code):
        raise PrePostError(f"code must be the letters, digits or dashes your instructor gave you, got {code!r}")
    missing = [k for k in SKILL_ANSWERS if k not in answers]
    if missing:
        raise PrePostError(f"answers is missing {missing}; fill in every line of the answers cell")
    blank = [k for k in SKILL_ANSWERS if answers[k] is ... or (isinstance(answers[k], (tuple, list))
                                                               and any(v is ... for v in answers[k]))]
    if blank:
        raise PrePostError(f"replace the ... in {', '.join(blank)} with your answer (a guess is fine)")
    path = Path(folder) / f"prepost-{spec.name}-{code}.json"
    path.write_text(json.dumps({"form": spec.name, "code": code, "answers": _jsonable(answers)}, indent=1))
    return path


def _jsonable(answers: dict) -> dict:
    out = {}
    for key, value in answers.items():
        if isinstance(value, (tuple, list, np.ndarray)):
            value = [float(v) if isinstance(v, (int, float, np.number)) else v for v in value]
        elif isinstance(value, np.number):
            value = float(value)
        out[key] = value
    return out


# --- The key: computed from the city's truth -------------------------------------------------------------

SKILL_ANSWERS = ("harmed", "times", "interval", "false_claim")


@dataclass(frozen=True)
class Key:
    harmed: tuple[str, ...]       # accepted categories (the highest rate, and any within 5% of it)
    times: float                  # the harmed category's rate / the city-wide rate
    true_wrong_share: float       # share of the whole blacklist wrongly listed (the truth)
    sample_interval: tuple[float, float]   # 95% Wilson interval from the sample
    false_claim: str


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@lru_cache(maxsize=4)
def key(form: str) -> Key:
    spec = get_form(form)
    table, wrongly = _city(spec.name)
    rates = _rates(table, spec.by)
    harmed = tuple(c for c, r in rates.items() if r >= 0.95 * rates.iloc[0])
    checked = _sample(spec)
    return Key(harmed=harmed, times=float(rates.iloc[0] / table["blacklisted"].mean()),
               true_wrong_share=float(wrongly[table["blacklisted"]].mean()),
               sample_interval=wilson(int(checked["wrongly_listed"].sum()), len(checked)),
               false_claim=LETTERS[[truth for _, truth in claim_truths(spec.name)].index(False)])


def _number(value) -> Optional[float]:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def score_answers(answers: dict, form: str) -> dict[str, float]:
    """Each skill scored 0, 0.5 or 1 against the city's truth."""
    k = key(form)
    scores = {}
    scores["who"] = 1.0 if str(answers.get("harmed", "")).strip().lower() in {h.lower() for h in k.harmed} else 0.0
    times = _number(answers.get("times"))
    error = abs(times - k.times) / k.times if times is not None else math.inf
    scores["how_much"] = 1.0 if error <= 0.10 else 0.5 if error <= 0.25 else 0.0
    interval = answers.get("interval")
    scores["uncertainty"] = 0.0
    if isinstance(interval, (list, tuple)) and len(interval) == 2:
        low, high = (_number(v) for v in interval)
        if low is not None and high is not None:
            if low > 1.5 or high > 1.5:  # given in percent
                low, high = low / 100, high / 100
            width, right = high - low, k.sample_interval[1] - k.sample_interval[0]
            if low <= k.true_wrong_share <= high and width > 0:
                scores["uncertainty"] = 1.0 if 0.6 * right <= width <= 1.7 * right else 0.5
    scores["false_claim"] = 1.0 if str(answers.get("false_claim", "")).strip().upper() == k.false_claim else 0.0
    return scores


def read_answers(folder: Path) -> pd.DataFrame:
    """Score every ``prepost-*.json`` in a folder: one row per file, with ``code``, ``form`` and the skills."""
    rows = []
    for path in sorted(Path(folder).glob("prepost-*.json")):
        try:
            data = json.loads(path.read_text())
            form, code, answers = data["form"], str(data["code"]), data["answers"]
        except (ValueError, KeyError, TypeError) as error:
            raise PrePostError(f"{path}: not an answer file written by save_answers ({error})") from None
        rows.append({"code": code, "form": get_form(form).name, **score_answers(answers, form)})
    if not rows:
        raise PrePostError(f"no prepost-*.json answer files in {folder}")
    return pd.DataFrame(rows)


# --- The instructor's report ----------------------------------------------------------------------------

def summarise(pre: pd.DataFrame, post: pd.DataFrame) -> pd.DataFrame:
    """Per skill: matched students, mean score before and after, mean gain with a 95% interval."""
    matched = pre.merge(post, on="code", suffixes=("_pre", "_post"))
    rows = []
    for skill, words in SKILLS.items():
        n = len(matched)
        gains = matched[f"{skill}_post"] - matched[f"{skill}_pre"]
        if n < MIN_GROUP:
            rows.append({"skill": words, "students": n, "before": None, "after": None, "gain": None,
                         "gain_low": None, "gain_high": None})
            continue
        half = 1.96 * gains.std(ddof=1) / math.sqrt(n) if n > 1 else math.nan
        rows.append({"skill": words, "students": n, "before": matched[f"{skill}_pre"].mean(),
                     "after": matched[f"{skill}_post"].mean(), "gain": gains.mean(),
                     "gain_low": gains.mean() - half, "gain_high": gains.mean() + half})
    return pd.DataFrame(rows)


def chart_svg(summary: pd.DataFrame) -> str:
    import altair as alt
    import vl_convert

    data = summary.dropna(subset=["before"]).melt(id_vars="skill", value_vars=["before", "after"],
                                                 var_name="when", value_name="score")
    data["when"] = data["when"].map({"before": "Before the course", "after": "After the course"})
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("skill:N", title=None, sort=list(SKILLS.values())),
        yOffset=alt.YOffset("when:N", sort=["Before the course", "After the course"]),
        x=alt.X("score:Q", title="Mean score (0 to 1)", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("when:N", title=None, sort=["Before the course", "After the course"],
                        scale=alt.Scale(range=["#9db4c0", "#1f5673"]), legend=alt.Legend(orient="bottom")),
    ).properties(width=480, height=alt.Step(18), description="Mean score per skill before and after the course")
    return vl_convert.vegalite_to_svg(chart.to_dict())


def write_report(pre: pd.DataFrame, post: pd.DataFrame, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    summary = summarise(pre, post)
    summary.round(3).to_csv(out / "summary.csv", index=False)
    n = int(summary["students"].iloc[0])
    forms = (f"before: form {', '.join(sorted(pre['form'].unique())).upper()}; "
             f"after: form {', '.join(sorted(post['form'].unique())).upper()}")

    def pct(v):
        return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.0%}"

    rows = "".join(
        f"<tr><th scope='row'>{html.escape(r.skill)}</th><td>{pct(r.before)}</td><td>{pct(r.after)}</td>"
        f"<td>{'–' if r.gain is None or pd.isna(r.gain) else f'{r.gain:+.0%}'}"
        f"{'' if r.gain is None or pd.isna(r.gain) else f' ({r.gain_low:+.0%} to {r.gain_high:+.0%})'}</td></tr>"
        for r in summary.itertuples())
    body = (f"<p>{n} students took both tests ({forms}); {len(pre)} took the first and {len(post)} the second. "
            "Scores are the share of the skill's points earned, averaged over the matched students; the gain's "
            "range is a 95% interval for the class's mean gain.</p>")
    if n < MIN_GROUP:
        body += (f"<p><strong>Fewer than {MIN_GROUP} students took both tests, so no statistics are shown: with so "
                 "few, class averages could reveal individual results.</strong></p>")
    else:
        body += f"<figure>{chart_svg(summary)}<figcaption>Mean score per skill, before and after.</figcaption></figure>"
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pre/post audit task: class report</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse}}th,td{{padding:.3rem .6rem;border-bottom:1px solid #ccc;text-align:left}}
svg{{max-width:100%;height:auto}}</style></head>
<body><h1>Pre/post audit task: what the class learned</h1>{body}
<table><thead><tr><th scope="col">Skill</th><th scope="col">Before</th><th scope="col">After</th>
<th scope="col">Gain (95% interval)</th></tr></thead><tbody>{rows}</tbody></table>
<p>This report holds class-level figures only: no codes, names or individual answers. It was made on this
machine and loads nothing from anywhere.</p></body></html>
"""
    target = out / "report.html"
    target.write_text(page, encoding="utf-8")
    return target


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scored_site.prepost", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("score", help="score a folder of answer files")
    s.add_argument("answers", type=Path)
    s.add_argument("--out", type=Path, help="CSV file for the scores (default: print them)")
    r = sub.add_parser("report", help="the class report from the answers before and after the course")
    r.add_argument("--pre", type=Path, required=True)
    r.add_argument("--post", type=Path, required=True)
    r.add_argument("--out", type=Path, default=Path("prepost-report"))
    k = sub.add_parser("key", help="print a form's key (for the instructor)")
    k.add_argument("form")
    args = parser.parse_args(argv)
    try:
        if args.command == "score":
            scores = read_answers(args.answers)
            if args.out:
                scores.to_csv(args.out, index=False)
                print(f"{len(scores)} answer files scored -> {args.out}")
            else:
                print(scores.to_string(index=False))
        elif args.command == "report":
            target = write_report(read_answers(args.pre), read_answers(args.post), args.out)
            print(f"report written: {target}")
        else:
            print(key(args.form))
    except PrePostError as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
