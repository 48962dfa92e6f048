"""The pre/post audit task: two parallel forms, scored against each city's truth, and a class report that holds
no personal data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

from scored_site import prepost
from scored_site.prepost import PrePostError, claim_truths, key, score_answers, task, write_report

ROOT = Path(__file__).resolve().parent.parent
FORMS = ("a", "b")


def perfect(form: str) -> dict:
    k = key(form)
    return {"harmed": k.harmed[0], "times": k.times, "interval": k.sample_interval, "false_claim": k.false_claim}


@pytest.mark.parametrize("form", FORMS)
def test_each_form_has_exactly_one_false_claim(form):
    truths = [truth for _, truth in claim_truths(form)]
    assert truths.count(False) == 1
    assert len(set(text for text, _ in claim_truths(form))) == 4


@pytest.mark.parametrize("form", FORMS)
def test_each_form_has_a_clear_answer_and_a_fair_sample(form):
    t = task(form)
    rates = t.residents.groupby(t.form.by)["blacklisted"].mean().sort_values(ascending=False)
    assert rates.iloc[0] > 1.1 * rates.iloc[1], "the most harmed category must stand out"
    k = key(form)
    low, high = k.sample_interval
    assert low <= k.true_wrong_share <= high, "the sample's own 95% interval must cover the truth"
    assert "wrongly_listed" in t.checked and t.checked["resident_id"].is_unique
    assert not {"income", "name", "truth_error"} & set(t.residents.columns)


def test_the_two_forms_ask_the_same_skills_of_different_cities():
    a, b = task("a"), task("b")
    assert a.form.seed != b.form.seed and a.form.by != b.form.by
    assert not set(a.claims) & set(b.claims)


@pytest.mark.parametrize("form", FORMS)
def test_perfect_answers_score_full_marks_and_wrong_ones_none(form):
    assert score_answers(perfect(form), form) == {s: 1.0 for s in prepost.SKILLS}
    wrong = {"harmed": "nowhere", "times": 100, "interval": (0.5, 0.6), "false_claim": "Z"}
    assert score_answers(wrong, form) == {s: 0.0 for s in prepost.SKILLS}


def test_partial_credit_percentages_and_garbage():
    k = key("a")
    near = dict(perfect("a"), times=k.times * 1.2)
    assert score_answers(near, "a")["how_much"] == 0.5
    wide = dict(perfect("a"), interval=(0.0, 0.9))
    assert score_answers(wide, "a")["uncertainty"] == 0.5         # covers the truth, but says little
    percent = dict(perfect("a"), interval=tuple(100 * v for v in k.sample_interval))
    assert score_answers(percent, "a")["uncertainty"] == 1.0
    garbage = {"harmed": None, "times": "lots", "interval": "wide", "false_claim": 3}
    assert set(score_answers(garbage, "a").values()) == {0.0}


def test_save_answers_refuses_blanks_and_names(tmp_path):
    with pytest.raises(PrePostError, match="replace the"):
        prepost.save_answers(dict(perfect("a"), times=...), form="a", code="s01", folder=tmp_path)
    with pytest.raises(PrePostError, match="code"):
        prepost.save_answers(perfect("a"), form="a", code="Jane Doe", folder=tmp_path)
    with pytest.raises(PrePostError, match="form"):
        prepost.save_answers(perfect("a"), form="c", code="s01", folder=tmp_path)
    path = prepost.save_answers(perfect("a"), form="a", code="s01", folder=tmp_path)
    assert json.loads(path.read_text())["code"] == "s01"


def _class(folder: Path, form: str, codes, good: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for number, code in enumerate(codes):
        answers = perfect(form) if good and number % 4 else {"harmed": "x", "times": 9, "interval": (0, 0.01),
                                                             "false_claim": "A"}
        prepost.save_answers(answers, form=form, code=code, folder=folder)
    return folder


def test_report_shows_gains_as_a_chart_and_no_codes(tmp_path):
    codes = [f"stu{n:02d}" for n in range(8)]
    pre = prepost.read_answers(_class(tmp_path / "pre", "a", codes, good=False))
    post = prepost.read_answers(_class(tmp_path / "post", "b", codes + ["late1"], good=True))
    report = write_report(pre, post, tmp_path / "report")
    text = report.read_text()
    assert "<svg" in text and "8 students took both tests" in text
    assert not re.search(r"stu\d\d|late1", text + (tmp_path / "report" / "summary.csv").read_text())
    assert not re.search(r"(?:src|href)=\"https?://", text), "the report must load nothing from elsewhere"
    summary = prepost.summarise(pre, post)
    assert (summary["gain"] > 0).all() and (summary["students"] == 8).all()


def test_report_withholds_statistics_for_a_tiny_class(tmp_path):
    codes = ["s1", "s2", "s3"]
    pre = prepost.read_answers(_class(tmp_path / "pre", "a", codes, good=False))
    post = prepost.read_answers(_class(tmp_path / "post", "b", codes, good=True))
    text = write_report(pre, post, tmp_path / "report").read_text()
    assert "<svg" not in text and "Fewer than 5" in text


@pytest.mark.parametrize("form", FORMS)
def test_the_student_notebook_runs_and_saves_answers(form, tmp_path):
    source = (ROOT / "assessment" / f"prepost-{form}.md").read_text()
    k = key(form)
    filled = (source.replace('"harmed": ...,', f'"harmed": {k.harmed[0]!r},')
              .replace('"times": ...,', f'"times": {k.times},')
              .replace('"interval": (..., ...),', f'"interval": {tuple(k.sample_interval)},')
              .replace('"false_claim": ...,', f'"false_claim": {k.false_claim!r},')
              .replace("code=...)", "code='t01')"))
    notebook = jupytext.reads(filled, fmt="md:myst")
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    scores = prepost.read_answers(tmp_path)
    assert scores.drop(columns=["code", "form"]).iloc[0].tolist() == [1.0] * 4
