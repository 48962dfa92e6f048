"""The capstone: the toolkit module scored.capstone, and its reference solution run end to end."""
import numpy as np
import pandas as pd
import pytest

from scored import capstone as cap
from scored.privacy import PrivacyInputError
from scored.world import CLASSROOM_PARAMS, load_classroom


@pytest.fixture(scope="module")
def city():
    return cap.capstone_city()


def test_city_is_deterministic_and_copied(city):
    again = cap.capstone_city()
    for table in ("residents", "behaviour", "records"):
        pd.testing.assert_frame_equal(getattr(city, table), getattr(again, table))
    again.residents.loc[0, "income"] = -1
    assert cap.capstone_city().residents.loc[0, "income"] != -1  # callers get copies


def test_city_differs_from_classroom(city):
    classroom = load_classroom()
    assert city.seed == 4711 != CLASSROOM_PARAMS["seed"]
    assert len(city.residents) != len(classroom.residents)
    assert city.params["surveillance"] != classroom.params["surveillance"]
    assert city.params["error_rate"] != classroom.params["error_rate"]


def test_sealed_scores_hide_the_rules(city):
    s = cap.sealed_scores(city.records, city.residents)
    assert list(s.columns) == ["total", "grade", "sanction"]
    assert not any(c.startswith("points") for c in s.columns)
    assert not s.attrs  # nothing hidden in attrs, which pandas drops
    assert list(s["grade"].cat.categories) == ["D", "C", "B", "A"]
    assert 0.02 < (s["grade"] == "D").mean() < 0.15
    # deterministic, and it scores the truth layer too
    pd.testing.assert_frame_equal(s, cap.sealed_scores(city.records, city.residents))
    assert len(cap.sealed_scores(city.behaviour, city.residents)) == len(city.residents)


def test_sealed_scores_read_only_ids_and_kinds(city):
    a = cap.sealed_scores(city.records, city.residents)
    b = cap.sealed_scores(city.records[["resident_id", "kind"]], city.residents[["resident_id"]])
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("records, residents, match", [
    ("not a frame", None, "records must be a pandas DataFrame"),
    (pd.DataFrame({"resident_id": [0]}), None, "no column 'kind'"),
    (pd.DataFrame({"resident_id": [99_999], "kind": ["late_bill"]}), None, "not in residents"),
    (pd.DataFrame({"resident_id": [0], "kind": ["jaywalking"]}), None, "unknown kind"),
])
def test_sealed_scores_bad_inputs(city, records, residents, match):
    with pytest.raises(ValueError, match=match):
        cap.sealed_scores(records, city.residents if residents is None else residents)


def test_release_register_and_attack(city):
    release = cap.published_release()
    assert list(release.columns) == ["postcode", "birth_date", "sex", "grade", "sanction"]
    assert "name" not in release.columns and len(release) == len(city.residents)
    register = cap.public_register()
    assert list(register.columns) == ["name", "postcode", "birth_date", "sex"]
    assert len(register) == round(cap.REGISTER_SHARE * len(city.residents))
    assert "resident_id" in cap.published_release(include_id=True).columns
    result = cap.attack_release(release)
    assert 0.5 < result.summary["correct"] <= result.summary["reidentified"] < 0.8
    assert {"grade", "name", "correct"} <= set(result.matches.columns)
    # a release with birth year only is much safer
    coarse = release.assign(birth_date=release["birth_date"].str[:4])
    assert cap.attack_release(coarse).summary["correct"] < result.summary["correct"] / 2


def test_attack_bad_inputs():
    release = cap.published_release()
    with pytest.raises(PrivacyInputError, match="DataFrame"):
        cap.attack_release("release")
    with pytest.raises(PrivacyInputError, match="no column 'sex'"):
        cap.attack_release(release.drop(columns="sex"))
    with pytest.raises(PrivacyInputError, match="index"):
        cap.attack_release(release.set_index("postcode", drop=False))
    with pytest.raises(ValueError, match="include_id"):
        cap.published_release(include_id="yes")


def test_sealed_labels(city):
    lab = cap.sealed_labels(city)
    assert lab["predicted"].dtype == bool and lab["actual"].dtype == bool
    assert (lab["predicted"] & ~lab["actual"]).sum() > 0  # wrong records blacklist some residents
    # grades order as in sealed_scores (D worst): as text, "<= 'C'" would pick A, B and C instead
    scores = cap.sealed_scores(city.records, city.residents)
    assert lab["grade"].dtype == lab["true_grade"].dtype == scores["grade"].dtype
    assert ((lab["grade"] <= "C") == lab["grade"].isin(["C", "D"])).all()
    fixed = cap.sealed_labels(city, truth="corrected_records")
    assert len(fixed) == len(lab)
    with pytest.raises(ValueError, match="truth"):
        cap.sealed_labels(city, truth="records")
    with pytest.raises(ValueError, match="World"):
        cap.sealed_labels("city")


def test_reference_solution_end_to_end(tmp_path):
    """Build the capstone exercise: the solution scores full marks, the untouched template 0."""
    from scored_site import exercises as ex

    source = ex.check_sources([ex.EXERCISES_DIR / "capstone.md"])["capstone"]
    built = ex.build_chapter(source, out=tmp_path)  # runs the reference solution against every check
    problems = ex.verify_chapter(built, log=lambda *a: None)
    assert not problems, problems
    manifest = built.manifest
    auto = sum(q["points"] for q in manifest["questions"] if not q["manual"])
    manual = sum(q["points"] for q in manifest["questions"] if q["manual"])
    assert (auto, manual) == (22, 27)


def test_nothing_sealed_in_the_repository():
    import inspect

    source = inspect.getsource(cap)
    assert "_SEALED" not in source and "_unseal" not in source and "b85decode" not in source
    assert cap.is_practice() and "Practice version" in cap.version_note()


def test_graded_capstone_comes_from_its_file(tmp_path, monkeypatch):
    import json

    from scored_site import grading

    spec = grading.capstone_spec("instructor-key-0123456789", "student-1")
    assert spec == grading.capstone_spec("instructor-key-0123456789", "student-1")
    assert spec != grading.capstone_spec("instructor-key-0123456789", "student-2")
    assert grading.capstone_spec(None, "student-1") is None
    path = tmp_path / "scored_capstone.json"
    path.write_text(json.dumps(spec))
    practice = cap.published_release()
    monkeypatch.setenv(cap.CAPSTONE_ENV, str(path))
    assert not cap.is_practice() and "Graded version" in cap.version_note()
    graded = cap.published_release()
    assert not graded[["postcode", "birth_date"]].equals(practice[["postcode", "birth_date"]])
    # the same design: about the same share of residents in each grade as the practice version
    shares = graded["grade"].value_counts(normalize=True)
    expected = practice["grade"].value_counts(normalize=True)
    assert (shares - expected).abs().max() < 0.03
