"""Tests for the linkage helpers of scored.privacy: anonymity_set_sizes and linkage_outcomes."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scored.privacy import (LINK_OUTCOMES, LinkResult, PrivacyInputError, anonymity_set_sizes, k_anonymity, link,
                            linkage_outcomes, uniqueness)
from scored.world import load_classroom

QI = ["postcode", "birth_date", "sex"]
Q3 = ["zip", "age", "sex"]


@pytest.fixture(scope="module")
def city():
    return load_classroom()


def patients():
    """Classes on (zip, age, sex): (A,30,F) x2, (A,30,M) x1, (B,40,F) x3, (C,50,M) x1."""
    return pd.DataFrame({
        "pid": [1, 2, 3, 4, 5, 6, 7],
        "zip": ["A", "A", "A", "B", "B", "B", "C"],
        "age": [30, 30, 30, 40, 40, 40, 50],
        "sex": ["F", "F", "M", "F", "F", "F", "M"],
        "disease": ["flu", "flu", "cold", "flu", "cancer", "cold", "flu"],
    })


def register():
    """A register with names: pid 3 and 7 alone on their values, (A,30,F) twice, nobody with (B,40,F); pid 8
    has (B,40,M), a combination nobody in the release has."""
    return pd.DataFrame({
        "name": ["Ann", "Bea", "Cal", "Gus", "Hal"],
        "pid": [1, 2, 3, 7, 8],
        "zip": ["A", "A", "A", "C", "B"],
        "age": [30, 30, 30, 50, 40],
        "sex": ["F", "F", "M", "M", "M"],
    })


# ------------------------------------------------------------------------------------------- anonymity_set_sizes
def test_anonymity_set_sizes_by_hand():
    df = patients().set_index(pd.Index(list("abcdefg")))
    sizes = anonymity_set_sizes(df, Q3)
    assert sizes.tolist() == [2, 2, 1, 3, 3, 3, 1]
    assert sizes.name == "anonymity_set" and list(sizes.index) == list("abcdefg")
    assert sizes.dtype == np.int64
    assert anonymity_set_sizes(df, "zip").tolist() == [3, 3, 3, 3, 3, 3, 1]
    assert anonymity_set_sizes(df, ["sex"]).tolist() == [5, 5, 2, 5, 5, 5, 2]


def test_anonymity_set_sizes_with_a_repeated_index():
    df = patients().set_index(pd.Index([0, 0, 1, 1, 2, 2, 3]))
    assert anonymity_set_sizes(df, Q3).tolist() == [2, 2, 1, 3, 3, 3, 1]


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 3), st.booleans()), min_size=1, max_size=40))
def test_anonymity_set_sizes_agree_with_uniqueness_and_k(rows):
    df = pd.DataFrame(rows, columns=["a", "b", "c"])
    sizes = anonymity_set_sizes(df, ["a", "b", "c"])
    assert uniqueness(df, ["a", "b", "c"]) == pytest.approx(float((sizes == 1).mean()))
    assert k_anonymity(df, ["a", "b", "c"]) == sizes.min()
    # each row's set size is the number of rows equal to it on the quasi-identifiers
    expected = df.groupby(["a", "b", "c"])["a"].transform("size")
    assert sizes.tolist() == expected.tolist()


@pytest.mark.parametrize("call,match", [
    (lambda: anonymity_set_sizes(patients().to_numpy(), Q3), "DataFrame"),
    (lambda: anonymity_set_sizes(patients().iloc[:0], Q3), "empty"),
    (lambda: anonymity_set_sizes(patients(), []), "quasi_identifiers must name at least one column"),
    (lambda: anonymity_set_sizes(patients(), ["zip", "postcode"]), "no column 'postcode'"),
    (lambda: anonymity_set_sizes(patients().assign(zip=["A", None, "A", "B", "B", "B", "C"]), Q3), "'zip'.*missing"),
])
def test_anonymity_set_sizes_bad_inputs(call, match):
    with pytest.raises(PrivacyInputError, match=match):
        call()


# ------------------------------------------------------------------------------------------- linkage_outcomes
def test_linkage_outcomes_by_hand():
    release = patients()
    out = link(release, register(), Q3, id_column="name", true_id="pid")
    outcome = linkage_outcomes(out)
    # pid 1, 2: (A,30,F) matches Ann and Bea -> ambiguous; pid 3 -> Cal, right; pid 4-6: (B,40,F) nobody;
    # pid 7 -> Gus, right
    assert outcome.tolist() == ["ambiguous", "ambiguous", "re-identified correctly", "unmatched", "unmatched",
                                "unmatched", "re-identified correctly"]
    assert list(outcome.cat.categories) == list(LINK_OUTCOMES) and outcome.cat.ordered
    assert outcome.name == "outcome" and outcome.index.equals(release.index)
    # a unique match can be the wrong person: the register lacks pid 7 but has someone else with (C,50,M)
    wrong_reg = register().assign(pid=[1, 2, 3, 9, 8])
    outcome = linkage_outcomes(link(release, wrong_reg, Q3, id_column="name", true_id="pid"))
    assert outcome.iloc[6] == "re-identified wrongly" and outcome.iloc[2] == "re-identified correctly"


def test_linkage_outcomes_without_truth():
    out = link(patients(), register(), Q3, id_column="name")
    outcome = linkage_outcomes(out)
    assert list(outcome.cat.categories) == ["re-identified", "ambiguous", "unmatched"]
    assert outcome.value_counts().to_dict() == {"re-identified": 2, "ambiguous": 2, "unmatched": 3}


def test_linkage_outcomes_with_a_repeated_index():
    release = patients().set_index(pd.Index([5, 5, 5, 6, 6, 6, 5]))
    wrong_reg = register().assign(pid=[1, 2, 3, 9, 8])
    outcome = linkage_outcomes(link(release, wrong_reg, Q3, id_column="name", true_id="pid"))
    assert outcome.tolist() == ["ambiguous", "ambiguous", "re-identified correctly", "unmatched", "unmatched",
                                "unmatched", "re-identified wrongly"]


@pytest.mark.parametrize("bad", [None, {"n": 1}, pd.DataFrame({"a": [1]}), "LinkResult"])
def test_linkage_outcomes_refuses_what_is_not_a_link_result(bad):
    with pytest.raises(PrivacyInputError, match="result must be the LinkResult returned by link"):
        linkage_outcomes(bad)


# ------------------------------------------------------------------------------------------- the classroom city
def test_classroom_outcomes_add_up_to_the_summary(city):
    res = city.residents
    release = res[["resident_id", *QI]]
    reg = res[["name", "resident_id", *QI]].sample(frac=0.6, random_state=3)
    out = link(release, reg, QI, id_column="name", true_id="resident_id")
    counts = linkage_outcomes(out).value_counts()
    s = out.summary
    assert counts["re-identified correctly"] == s["n_correct"]
    assert counts["re-identified correctly"] + counts["re-identified wrongly"] == s["n_reidentified"]
    assert counts["ambiguous"] == s["n_ambiguous"] and counts["unmatched"] == s["n_unmatched"]
    assert counts["re-identified wrongly"] > 0  # a partial register names some people wrongly


def test_classroom_oldest_residents_hide_in_smaller_sets(city):
    res = city.residents
    sizes = anonymity_set_sizes(res.assign(birth_year=res["birth_date"].str[:4]), ["postcode", "birth_year", "sex"])
    oldest = sizes[res["age"] >= 75]
    younger = sizes[res["age"] < 60]
    assert (oldest == 1).mean() > 3 * (younger == 1).mean()
    assert oldest.median() < younger.median()
