"""Tests for scored.privacy: hand-computed tables, properties, bad inputs, re-identification in the classroom city."""
import functools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scored.privacy import (BudgetExceeded, KAnonymousRelease, PrivacyAccountant, PrivacyInputError,
                            equivalence_classes, generalise_age, generalise_date, generalise_postcode, k_anonymity,
                            l_diversity, laplace_mechanism, link, make_k_anonymous, noisy_count, suppress,
                            uniqueness)
from scored.world import load_classroom

QI = ["postcode", "birth_date", "sex"]


@pytest.fixture(scope="module")
def city():
    return load_classroom()


def patients():
    """Classes on (zip, age, sex): (A,30,F) x2, (A,30,M) x1, (B,40,F) x3, (C,50,M) x1."""
    return pd.DataFrame({
        "zip": ["A", "A", "A", "B", "B", "B", "C"],
        "age": [30, 30, 30, 40, 40, 40, 50],
        "sex": ["F", "F", "M", "F", "F", "F", "M"],
        "disease": ["flu", "flu", "cold", "flu", "cancer", "cold", "flu"],
    })


Q3 = ["zip", "age", "sex"]


# ------------------------------------------------------------------------------------------- hand-computed
def test_uniqueness_and_k_by_hand():
    df = patients()
    assert uniqueness(df, Q3) == pytest.approx(2 / 7)
    assert k_anonymity(df, Q3) == 1
    assert uniqueness(df, "zip") == pytest.approx(1 / 7) and k_anonymity(df, "zip") == 1
    no_c = df[df["zip"] != "C"]
    assert uniqueness(no_c, "zip") == 0.0 and k_anonymity(no_c, "zip") == 3
    assert k_anonymity(no_c, ["zip", "age"]) == 3  # age adds nothing within a zip here
    assert k_anonymity(df, "disease") == 1 and uniqueness(df, "disease") == pytest.approx(1 / 7)  # "cancer"


def test_equivalence_classes_by_hand():
    ec = equivalence_classes(patients(), Q3)
    assert list(ec.columns) == Q3 + ["size"]
    assert ec["size"].tolist() == [1, 1, 2, 3]
    assert ec[Q3].values.tolist() == [["A", 30, "M"], ["C", 50, "M"], ["A", 30, "F"], ["B", 40, "F"]]
    with_l = equivalence_classes(patients(), Q3, sensitive="disease")
    assert with_l["distinct_sensitive"].tolist() == [1, 1, 1, 3]


def test_equivalence_classes_refuses_a_quasi_identifier_named_like_its_counts():
    # the column of class sizes would silently replace the quasi-identifier's values
    shirts = pd.DataFrame({"size": ["S", "S", "L"], "zip": ["A", "A", "B"], "disease": ["flu", "flu", "cold"]})
    with pytest.raises(PrivacyInputError, match="'size'.*rename"):
        equivalence_classes(shirts, ["size", "zip"])
    with pytest.raises(PrivacyInputError, match="'distinct_sensitive'.*rename"):
        equivalence_classes(shirts.rename(columns={"size": "distinct_sensitive"}), ["distinct_sensitive", "zip"],
                            sensitive="disease")
    ec = equivalence_classes(shirts.rename(columns={"size": "distinct_sensitive"}), ["distinct_sensitive", "zip"])
    assert ec["distinct_sensitive"].tolist() == ["L", "S"] and ec["size"].tolist() == [1, 2]


def test_l_diversity_by_hand():
    df = patients()
    assert l_diversity(df, Q3, "disease") == 1  # (A,30,F): both have flu -- a homogeneity attack
    no_c = df[df["zip"] != "C"]
    assert l_diversity(no_c, "zip", "disease") == 2  # A: flu, cold; B: flu, cancer, cold
    only_b = df[df["zip"] == "B"]
    assert k_anonymity(only_b, Q3) == 3 and l_diversity(only_b, Q3, "disease") == 3


def test_suppress_by_hand():
    kept, n = suppress(patients(), Q3, 2)
    assert n == 2 and list(kept.index) == [0, 1, 3, 4, 5]
    assert list(kept.columns) == list(patients().columns)
    assert k_anonymity(kept, Q3) == 2
    res = suppress(patients(), Q3, 1)
    assert res.suppressed == 0 and len(res.release) == 7
    res = suppress(patients(), Q3, 4)
    assert res.suppressed == 7 and res.release.empty


def test_link_by_hand():
    aux = pd.DataFrame({"pid": [1, 2, 3, 4, 5], "name": ["Ann", "Bob", "Cat", "Dee", "Eve"],
                        "zip": ["A", "A", "B", "B", "C"], "age": [30, 30, 40, 40, 50],
                        "sex": ["F", "M", "F", "F", "M"]})
    release = pd.DataFrame({"pid": [1, 2, 3, 7, 8], "zip": ["A", "A", "B", "C", "D"], "age": [30, 30, 40, 50, 60],
                            "sex": ["F", "M", "F", "M", "F"], "disease": ["flu", "cold", "flu", "hiv", "flu"]},
                           index=[10, 11, 12, 13, 14])
    res = link(release, aux, Q3, id_column="name", true_id="pid")
    assert res.candidates.tolist() == [1, 1, 2, 1, 0] and list(res.candidates.index) == [10, 11, 12, 13, 14]
    assert list(res.matches.index) == [10, 11, 13]
    assert res.matches["name"].tolist() == ["Ann", "Bob", "Eve"]
    assert res.matches["correct"].tolist() == [True, True, False]  # person 7 is not in the register: Eve is wrong
    s = res.summary
    assert (s["n"], s["n_reidentified"], s["n_ambiguous"], s["n_unmatched"], s["n_correct"]) == (5, 3, 1, 1, 2)
    assert s["reidentified"] == 0.6 and s["ambiguous"] == 0.2 and s["unmatched"] == 0.2
    assert s["correct"] == 0.4 and s["precision"] == pytest.approx(2 / 3)
    assert "3 (60.0%) match exactly one person" in res.sentence and "66.7%" in res.sentence
    assert "reidentified=60.0%" in repr(res)
    plain = link(release.drop(columns="pid"), aux, Q3, id_column="name")
    assert plain.summary["correct"] is None and "correct" not in plain.matches.columns
    by_pid = link(release, aux, Q3, id_column="pid")  # identity column also in the release: renamed
    assert by_pid.matches["pid_matched"].tolist() == [1, 2, 5]


def test_link_across_categorical_and_text():
    aux = pd.DataFrame({"name": ["Ann", "Bob"], "pc": pd.Categorical(["H1", "H2"], categories=["H2", "H1", "H9"])})
    release = pd.DataFrame({"pc": ["H1", "H9"]})
    res = link(release, aux, "pc")
    assert res.matches["name"].tolist() == ["Ann"] and res.candidates.tolist() == [1, 0]


def test_generalise_age_by_hand():
    s = generalise_age(pd.Series([0, 4, 5, 37, 90, 37], name="age", index=list("abcdef")), 5)
    assert s.tolist() == ["0-4", "0-4", "5-9", "35-39", "90-94", "35-39"]
    assert list(s.index) == list("abcdef") and s.name == "age"
    assert list(s.cat.categories) == ["0-4", "5-9", "35-39", "90-94"] and s.cat.ordered  # age order
    assert generalise_age([37], 10).tolist() == ["30-39"]
    assert generalise_age([37, 38.0], 1).tolist() == ["37", "38"]
    assert generalise_age(np.array([18, 64]), 50).tolist() == ["0-49", "50-99"]


def test_generalise_postcode_by_hand():
    codes = pd.Series(["H3", "H12", "E1", "X"])
    assert generalise_postcode(codes, 1).tolist() == ["H*", "H*", "E*", "X"]
    assert generalise_postcode(codes, 0).tolist() == ["*", "*", "*", "*"]
    assert generalise_postcode(codes, 2).tolist() == ["H3", "H1*", "E1", "X"]
    assert generalise_postcode(codes, 5).tolist() == codes.tolist()
    cat = pd.Series(pd.Categorical(["H1", "E2"], categories=["E2", "H1", "O3"]))
    assert generalise_postcode(cat, 1).tolist() == ["H*", "E*"]


def test_generalise_date_by_hand():
    dates = pd.Series(["1988-04-17", "1988-12-31", "2001-01-01", "1988-04-02"], index=[5, 6, 7, 8], name="bd")
    y = generalise_date(dates, "year")
    assert y.tolist() == ["1988", "1988", "2001", "1988"] and list(y.index) == [5, 6, 7, 8] and y.name == "bd"
    m = generalise_date(dates, to="month")
    assert m.tolist() == ["1988-04", "1988-12", "2001-01", "1988-04"]
    assert list(m.cat.categories) == ["1988-04", "1988-12", "2001-01"] and m.cat.ordered
    assert generalise_date(pd.to_datetime(dates), "month").tolist() == m.tolist()
    assert generalise_date(["1988-04"], "year").tolist() == ["1988"]  # month precision is enough for a year
    assert generalise_date(["1988-04"], "month").tolist() == ["1988-04"]


def test_make_k_anonymous_by_hand():
    df = pd.DataFrame({"zip": ["A1", "A2", "A1", "A2", "B1", "B1", "B2", "B2"],
                       "age": [31, 32, 33, 38, 41, 44, 47, 49], "x": range(8)})
    h = [("age", functools.partial(generalise_age, width=10)), ("zip", functools.partial(generalise_postcode, keep=1))]
    r2 = make_k_anonymous(df, ["zip", "age"], 2, h)
    assert isinstance(r2, KAnonymousRelease)
    assert r2.suppressed == 0 and r2.generalised == {"age": "generalise_age(width=10)"}
    assert r2.release["age"].tolist() == ["30-39"] * 4 + ["40-49"] * 4
    assert r2.release["zip"].tolist() == df["zip"].tolist() and r2.release["x"].tolist() == list(range(8))
    assert r2.steps["rows_below_k"].tolist() == [8, 0] and r2.steps["classes"].tolist() == [8, 4]
    r3 = make_k_anonymous(df, ["zip", "age"], 3, h)
    assert r3.suppressed == 0 and list(r3.generalised) == ["age", "zip"]
    assert r3.release["zip"].tolist() == ["A*"] * 4 + ["B*"] * 4 and k_anonymity(r3.release, ["zip", "age"]) == 4
    assert r3.steps["label"].tolist() == ["original", "generalise_age(width=10)", "generalise_postcode(keep=1)"]
    r5 = make_k_anonymous(df, ["zip", "age"], 5, h)  # the steps run out: everyone is suppressed
    assert r5.suppressed == 8 and r5.release.empty and r5.suppressed_share == 1.0
    # an outlier: with 20% suppression allowed, generalising the age is enough; with 0%, zip is generalised too
    out = pd.concat([df, pd.DataFrame({"zip": ["C1"], "age": [70], "x": [8]})], ignore_index=True)
    lenient = make_k_anonymous(out, ["zip", "age"], 2, h, max_suppression=0.2)
    strict = make_k_anonymous(out, ["zip", "age"], 2, h)
    assert lenient.suppressed == 1 and list(lenient.generalised) == ["age"]
    assert strict.suppressed == 1 and list(strict.generalised) == ["age", "zip"]
    assert 8 not in lenient.release["x"].tolist()
    labelled = make_k_anonymous(df, ["zip", "age"], 2, [("age", lambda s: s // 10, "decade")])
    assert labelled.generalised == {"age": "decade"} and labelled.release["age"].tolist() == [3] * 4 + [4] * 4


# ------------------------------------------------------------------------------------------- properties
@st.composite
def tables(draw, min_size=1):
    n = draw(st.integers(min_size, 40))
    col = lambda values: st.lists(st.sampled_from(values), min_size=n, max_size=n)  # noqa: E731
    return pd.DataFrame({"a": draw(col(["x", "y", "z"])), "b": draw(col([1, 2, 3, 4])),
                         "c": draw(col([True, False])), "s": draw(col(["p", "q", "r"]))})


qi_subsets = st.sampled_from([["a"], ["b"], ["a", "b"], ["a", "b", "c"], ["c", "a"]])


@settings(max_examples=100, deadline=None)
@given(df=tables(), qi=qi_subsets)
def test_measure_properties(df, qi):
    k = k_anonymity(df, qi)
    u = uniqueness(df, qi)
    assert 1 <= k <= len(df)
    assert 0 <= u <= 1
    assert (u > 0) == (k == 1)
    dup = df.duplicated(subset=qi, keep=False)
    assert u == pytest.approx((~dup).mean())  # reference: pandas' own notion of a duplicate
    sizes = df.groupby(qi).size()
    assert k == sizes.min()
    ec = equivalence_classes(df, qi)
    assert ec["size"].sum() == len(df) and len(ec) == len(sizes) and ec["size"].is_monotonic_increasing
    l_div = l_diversity(df, qi, "s")
    assert 1 <= l_div <= k and l_div <= 3
    assert l_div == df.groupby(qi)["s"].nunique().min()


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 50))
def test_all_distinct_rows_are_all_unique(n):
    df = pd.DataFrame({"id": np.arange(n), "other": np.zeros(n)})
    assert uniqueness(df, ["id", "other"]) == 1.0 and k_anonymity(df, "id") == 1
    if n > 1:
        assert uniqueness(df, "other") == 0.0 and k_anonymity(df, "other") == n


@settings(max_examples=100, deadline=None)
@given(df=tables(), qi=qi_subsets, k=st.integers(1, 8))
def test_suppress_makes_k_anonymous(df, qi, k):
    kept, n_sup = suppress(df, qi, k)
    assert n_sup + len(kept) == len(df)
    assert kept.empty or k_anonymity(kept, qi) >= k
    assert kept.index.isin(df.index).all()
    sizes = df.groupby(qi)[qi[0]].transform("size")
    assert n_sup == int((sizes < k).sum())  # only rows of small classes go


@settings(max_examples=60, deadline=None)
@given(release=tables(), aux=tables(), qi=qi_subsets)
def test_link_properties(release, aux, qi):
    aux = aux.assign(name=[f"p{i}" for i in range(len(aux))])
    res = link(release, aux, qi, id_column="name")
    s = res.summary
    assert s["n_reidentified"] + s["n_ambiguous"] + s["n_unmatched"] == len(release)
    assert s["reidentified"] + s["ambiguous"] + s["unmatched"] == pytest.approx(1.0)
    merged = release.reset_index().merge(aux, on=qi, how="left", indicator=True)
    ref = merged.groupby("index")["_merge"].apply(lambda m: int((m == "both").sum()))
    assert res.candidates.tolist() == ref.reindex(release.index).tolist()
    for i, row in res.matches.iterrows():
        hit = aux[(aux[qi] == row[qi]).all(axis=1)]
        assert len(hit) == 1 and hit["name"].iloc[0] == row["name"]


@settings(max_examples=50, deadline=None)
@given(df=tables(min_size=2), k=st.integers(1, 6), share=st.sampled_from([0.0, 0.1, 0.5]))
def test_make_k_anonymous_properties(df, k, share):
    h = [("b", lambda s: s // 2), ("a", lambda s: pd.Series(["*"] * len(s))), ("b", lambda s: s * 0)]
    r = make_k_anonymous(df, ["a", "b"], k, h, max_suppression=share)
    assert r.release.empty or k_anonymity(r.release, ["a", "b"]) >= k
    assert r.suppressed + len(r.release) == len(df)
    assert list(r.steps["step"]) == list(range(len(r.steps)))
    assert r.steps["rows_below_k"].iloc[-1] == r.suppressed
    assert r.suppressed <= max(math.floor(share * len(df)), r.steps["rows_below_k"].iloc[-1])
    again = make_k_anonymous(df, ["a", "b"], k, h, max_suppression=share)
    pd.testing.assert_frame_equal(r.release, again.release)  # deterministic


@settings(max_examples=60, deadline=None)
@given(ages=st.lists(st.integers(0, 120), min_size=1, max_size=30), width=st.integers(1, 25))
def test_generalise_age_properties(ages, width):
    bands = generalise_age(ages, width)
    for age, band in zip(ages, bands):
        lo, _, hi = band.partition("-")
        lo, hi = int(lo), int(hi or lo)
        assert lo <= age <= hi and hi - lo + 1 == width and lo % width == 0
    assert bands.nunique() <= len(set(ages))


# ------------------------------------------------------------------------------------------- differential privacy
def test_laplace_is_deterministic_given_a_seed():
    a = laplace_mechanism(np.zeros(5), 1.0, 0.5, rng=42)
    b = laplace_mechanism(np.zeros(5), 1.0, 0.5, rng=42)
    c = laplace_mechanism(np.zeros(5), 1.0, 0.5, rng=43)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    g = np.random.default_rng(7)
    x, y = laplace_mechanism(10, 1, 1, rng=g), laplace_mechanism(10, 1, 1, rng=g)
    assert x != y  # a Generator is consumed, not reset
    assert laplace_mechanism(10, 1, 1, rng=np.random.default_rng(7)) == x
    assert isinstance(laplace_mechanism(3, 1, 1, rng=0), float)
    assert laplace_mechanism(3, 1, 1, rng=0) == 3 + np.random.default_rng(0).laplace(0, 1.0)
    s = laplace_mechanism(pd.Series([1.0, 2.0], index=["a", "b"], name="v"), 1, 1, rng=0)
    assert list(s.index) == ["a", "b"] and s.name == "v"


@pytest.mark.parametrize("sensitivity,epsilon", [(1.0, 1.0), (2.0, 0.5), (1.0, 4.0)])
def test_laplace_noise_mean_and_scale(sensitivity, epsilon):
    b = sensitivity / epsilon
    noise = laplace_mechanism(np.zeros(200_000), sensitivity, epsilon, rng=2026)
    assert abs(noise.mean()) < 0.02 * b
    assert np.mean(np.abs(noise)) == pytest.approx(b, rel=0.01)  # E|X| = b for Laplace(0, b)
    assert noise.std() == pytest.approx(math.sqrt(2) * b, rel=0.02)


def test_laplace_bounds_the_change_from_one_person():
    eps = 1.0
    rng = np.random.default_rng(1)
    with_you = laplace_mechanism(np.full(400_000, 11.0), 1, eps, rng=rng)
    without = laplace_mechanism(np.full(400_000, 10.0), 1, eps, rng=rng)
    edges = np.arange(7.0, 14.5, 0.5)
    p1, _ = np.histogram(with_you, edges)
    p0, _ = np.histogram(without, edges)
    ratio = p1 / p0
    assert np.all(ratio < math.exp(eps) * 1.1) and np.all(ratio > math.exp(-eps) / 1.1)
    assert ratio.max() > math.exp(eps) * 0.75  # the bound is nearly reached: it is not loose


def test_accountant_spends_and_refuses():
    acc = PrivacyAccountant(1.0)
    for i in range(10):
        acc.spend(0.1, f"q{i}")  # ten tenths fit a budget of one despite floating point
    assert acc.spent == pytest.approx(1.0) and acc.remaining == pytest.approx(0.0)
    with pytest.raises(BudgetExceeded, match="epsilon=0.01.*exceed the privacy budget"):
        acc.spend(0.01, "one more")
    assert len(acc.history) == 10  # the refused query is not recorded
    h = acc.history
    assert list(h.columns) == ["query", "label", "epsilon", "spent", "remaining"]
    assert h["label"].tolist()[:2] == ["q0", "q1"] and h["spent"].iloc[-1] == pytest.approx(1.0)
    acc2 = PrivacyAccountant(0.5)
    acc2.spend(0.3)
    assert acc2.can_spend(0.2) and not acc2.can_spend(0.25)
    with pytest.raises(BudgetExceeded, match="0.2 remaining"):
        acc2.spend(0.25)
    assert isinstance(BudgetExceeded("x"), ValueError)
    assert "remaining=0.2" in repr(acc2)


@settings(max_examples=80, deadline=None)
@given(total=st.floats(0.01, 10), spends=st.lists(st.floats(0.001, 5), max_size=20))
def test_accountant_never_overspends(total, spends):
    acc = PrivacyAccountant(total)
    recorded = 0.0
    for e in spends:
        if recorded + e <= total:
            acc.spend(e)
            recorded += e
        elif recorded + e > total * (1 + 1e-6):
            with pytest.raises(BudgetExceeded):
                acc.spend(e)
        assert acc.spent <= total * (1 + 1e-9)
        assert acc.spent + acc.remaining == pytest.approx(total) or acc.remaining == 0.0


def test_noisy_count():
    df = patients()
    exact = 3  # zip A
    for cond in ("zip == 'A'", df["zip"] == "A", (df["zip"] == "A").to_numpy(), lambda d: d["zip"] == "A"):
        got = noisy_count(df, cond, 1.0, rng=5)
        assert got == exact + np.random.default_rng(5).laplace(0, 1.0)
    acc = PrivacyAccountant(1.0)
    noisy_count(df, "zip == 'A'", 0.6, accountant=acc, rng=0)
    assert acc.spent == pytest.approx(0.6) and acc.history["label"].iloc[0] == "count: zip == 'A'"
    with pytest.raises(BudgetExceeded):
        noisy_count(df, "zip == 'B'", 0.6, accountant=acc, rng=0)
    assert acc.spent == pytest.approx(0.6)
    noisy_count(df, "zip == 'B'", 0.4, accountant=acc, rng=0, label="B")
    assert acc.history["label"].tolist()[-1] == "B"
    mask = df["zip"] == "A"
    draws = [noisy_count(df, mask, 0.5, rng=i) for i in range(4000)]
    assert np.mean(draws) == pytest.approx(exact, abs=0.15)


def test_noisy_count_refuses_bad_conditions_without_spending():
    df = patients()
    acc = PrivacyAccountant(1.0)
    for bad, match in [(df["age"], "boolean"), ("zip ==", "could not be evaluated"), ("x = 1", "condition must be"),
                       ([True, False], "one value per row"), (3, "condition must be"),
                       ((df["zip"] == "A").reset_index(drop=True).set_axis(range(10, 17)), "same index")]:
        with pytest.raises(PrivacyInputError, match=match):
            noisy_count(df, bad, 0.5, accountant=acc)
    assert acc.spent == 0.0
    with pytest.raises(PrivacyInputError, match="accountant"):
        noisy_count(df, "zip == 'A'", 0.5, accountant=1.0)


# ------------------------------------------------------------------------------------------- bad inputs
def _measures():
    return {
        "uniqueness": lambda d, q=Q3: uniqueness(d, q),
        "k_anonymity": lambda d, q=Q3: k_anonymity(d, q),
        "equivalence_classes": lambda d, q=Q3: equivalence_classes(d, q),
        "l_diversity": lambda d, q=Q3: l_diversity(d, q, "disease"),
        "suppress": lambda d, q=Q3: suppress(d, q, 2),
        "make_k_anonymous": lambda d, q=Q3: make_k_anonymous(d, q, 2, []),
        "link": lambda d, q=Q3: link(d, patients().assign(name="n"), q, "name"),
    }


@pytest.mark.parametrize("func", list(_measures()))
@pytest.mark.parametrize("column", Q3)
def test_every_missing_column_is_named(func, column):
    with pytest.raises(PrivacyInputError, match=f"no column '{column}'"):
        _measures()[func](patients().drop(columns=column))


@pytest.mark.parametrize("func", list(_measures()))
@pytest.mark.parametrize("column", Q3)
def test_missing_values_are_refused(func, column):
    df = patients()
    df[column] = df[column].astype(object)
    df.loc[2, column] = None
    with pytest.raises(PrivacyInputError, match=f"'{column}'.*missing"):
        _measures()[func](df)


@pytest.mark.parametrize("func", list(_measures()))
def test_not_a_frame_empty_frame_and_empty_qi(func):
    f = _measures()[func]
    with pytest.raises(PrivacyInputError, match="DataFrame"):
        f(patients().to_numpy())
    with pytest.raises(PrivacyInputError, match="empty"):
        f(patients().iloc[:0])
    with pytest.raises(PrivacyInputError, match="quasi_identifiers must name at least one column"):
        f(patients(), [])
    with pytest.raises(PrivacyInputError, match="quasi_identifiers must be"):
        f(patients(), 3)


def test_l_diversity_sensitive_column():
    with pytest.raises(PrivacyInputError, match="no column 'diagnosis'.*sensitive"):
        l_diversity(patients(), Q3, "diagnosis")
    with pytest.raises(PrivacyInputError, match="both a quasi-identifier and the sensitive"):
        l_diversity(patients(), Q3, "zip")
    df = patients()
    df["disease"] = df["disease"].astype(object)
    df.loc[0, "disease"] = None
    with pytest.raises(PrivacyInputError, match="'disease'.*missing"):
        l_diversity(df, Q3, "disease")
    with pytest.raises(PrivacyInputError, match="sensitive must be a column name"):
        l_diversity(patients(), Q3, ["disease"])


@pytest.mark.parametrize("k", [0, -1, 1.5, True, "2", None])
def test_bad_k(k):
    with pytest.raises(PrivacyInputError, match="k must be a whole number at least 1"):
        suppress(patients(), Q3, k)
    with pytest.raises(PrivacyInputError, match="k must be a whole number at least 1"):
        make_k_anonymous(patients(), Q3, k, [])


@pytest.mark.parametrize("epsilon", [0, -1, 0.0, float("nan"), float("inf"), -float("inf"), "a", None, True,
                                     [1.0]])
def test_bad_epsilon(epsilon):
    with pytest.raises(PrivacyInputError, match="epsilon must be a (finite )?number greater than 0"):
        laplace_mechanism(1.0, 1.0, epsilon)
    with pytest.raises(PrivacyInputError, match="epsilon"):
        noisy_count(patients(), "zip == 'A'", epsilon)
    with pytest.raises(PrivacyInputError, match="epsilon"):
        PrivacyAccountant(1.0).spend(epsilon)
    with pytest.raises(PrivacyInputError, match="total_epsilon"):
        PrivacyAccountant(epsilon)


@pytest.mark.parametrize("sensitivity", [0, -2, float("nan"), float("inf"), "1", None, False])
def test_bad_sensitivity(sensitivity):
    with pytest.raises(PrivacyInputError, match="sensitivity must be a (finite )?number greater than 0"):
        laplace_mechanism(1.0, sensitivity, 1.0)


@pytest.mark.parametrize("rng", ["seed", -1, 1.5, True, np.random.RandomState(0)])
def test_bad_rng(rng):
    with pytest.raises(PrivacyInputError, match="rng must be"):
        laplace_mechanism(1.0, 1.0, 1.0, rng=rng)


@pytest.mark.parametrize("value,match", [(float("nan"), "finite"), (float("inf"), "finite"), (True, "number"),
                                         ("3", "number"), (np.array(["a"]), "numbers"),
                                         (np.array([1.0, np.nan]), "missing or infinite"), ({"a": 1}, "number")])
def test_bad_value(value, match):
    with pytest.raises(PrivacyInputError, match=f"value.*{match}"):
        laplace_mechanism(value, 1.0, 1.0, rng=0)


@pytest.mark.parametrize("call,match", [
    (lambda: generalise_age([30], 0), "width must be a whole number at least 1"),
    (lambda: generalise_age([30], 2.5), "width"),
    (lambda: generalise_age([-1], 5), "whole numbers from 0"),
    (lambda: generalise_age([30.5], 5), "whole numbers from 0"),
    (lambda: generalise_age([30, None], 5), "missing"),
    (lambda: generalise_age(["30"], 5), "ages must be numbers"),
    (lambda: generalise_age([True], 5), "ages must be numbers"),
    (lambda: generalise_age(30, 5), "ages must be a Series"),
    (lambda: generalise_postcode(["H1"], -1), "keep must be a whole number at least 0"),
    (lambda: generalise_postcode([1, 2], 1), "codes must be text"),
    (lambda: generalise_postcode(["H1", None], 1), "codes has 1 missing"),
    (lambda: generalise_postcode("H1", 1), "codes must be a Series"),
    (lambda: generalise_date(["1988-04-17"], "day"), "to must be one of \\['year', 'month'\\]"),
    (lambda: generalise_date(["1988"], "month"), "coarser than a month"),
    (lambda: generalise_date(["17/04/1988"], "year"), "ISO dates"),
    (lambda: generalise_date(["1988-13-01"], "year"), "not a valid date"),
    (lambda: generalise_date(["1988-04-17", None], "year"), "missing"),
    (lambda: generalise_date(pd.Series(pd.to_datetime(["1988-04-17", None])), "year"), "missing"),
])
def test_bad_generalisation_inputs(call, match):
    with pytest.raises(PrivacyInputError, match=match):
        call()


@pytest.mark.parametrize("hierarchy,kwargs,match", [
    ("age", {}, "hierarchy must be a list"),
    ([("age",)], {}, "step 0 must be"),
    ([("disease", str)], {}, "not a quasi-identifier"),
    ([("age", "wider")], {}, "not callable"),
    ([("age", lambda s: s[:2])], {}, "one value per row"),
    ([("age", lambda s: s.str.upper())], {}, "failed"),
    ([], {"max_suppression": 2}, "max_suppression"),
    ([], {"max_suppression": -0.1}, "max_suppression"),
])
def test_bad_hierarchy(hierarchy, kwargs, match):
    with pytest.raises(PrivacyInputError, match=match):
        make_k_anonymous(patients(), Q3, 2, hierarchy, **kwargs)


def test_link_bad_inputs():
    aux = patients().assign(name="n")
    with pytest.raises(PrivacyInputError, match="auxiliary has no column 'name'.*id_column"):
        link(patients(), patients(), Q3, "name")
    with pytest.raises(PrivacyInputError, match="release has no column 'zip'"):
        link(patients().drop(columns="zip"), aux, Q3)
    with pytest.raises(PrivacyInputError, match="auxiliary has no column 'zip'"):
        link(patients(), aux.drop(columns="zip"), Q3)
    with pytest.raises(PrivacyInputError, match="'age' holds numeric values.*text values"):
        link(patients(), aux.assign(age=aux["age"].astype(str)), Q3)
    with pytest.raises(PrivacyInputError, match="true_id 'pid' holds numeric values.*text values"):
        # ids as numbers in one table and as text in the other would count every re-identification as wrong
        link(patients().assign(pid=1), aux.assign(pid="1"), Q3, true_id="pid")
    with pytest.raises(PrivacyInputError, match="release has no column 'pid'.*true_id"):
        link(patients(), aux.assign(pid=1), Q3, true_id="pid")
    with pytest.raises(PrivacyInputError, match="cannot also be a quasi-identifier"):
        link(patients(), aux, Q3, id_column="zip")
    with pytest.raises(PrivacyInputError, match="auxiliary must have at least one row"):
        link(patients(), aux.iloc[:0], Q3)


# ------------------------------------------------------------------------------------------- the classroom city
def test_classroom_uniqueness(city):
    res = city.residents
    full = uniqueness(res, QI)
    assert full > 0.9  # almost everyone is unique on postcode, date of birth and sex
    assert k_anonymity(res, QI) == 1
    by_year = res.assign(birth_date=generalise_date(res["birth_date"], "year"))
    coarse = uniqueness(by_year, QI)
    assert coarse < 0.2 and coarse < full
    by_district = by_year.assign(postcode=generalise_postcode(res["postcode"], 1))
    assert uniqueness(by_district, QI) < coarse
    assert len(equivalence_classes(res, QI)) > 0.9 * len(res)


def test_classroom_linkage_reidentifies_most_people(city):
    res = city.residents
    release = res.drop(columns=["name"])  # "anonymised": names removed, everything else kept
    register = res[["name", "resident_id", *QI]]
    out = link(release, register, QI, id_column="name", true_id="resident_id")
    assert out.summary["reidentified"] > 0.9
    assert out.summary["precision"] == 1.0  # the register is complete: a unique match is the right person
    assert out.summary["unmatched"] == 0.0
    assert (out.matches["name"] == res.loc[out.matches.index, "name"]).all()
    # a partial register (70% of residents): fewer matches, and some unique matches are now wrong
    partial = register.sample(frac=0.7, random_state=1)
    out2 = link(release, partial, QI, id_column="name", true_id="resident_id")
    assert 0.6 < out2.summary["reidentified"] < 0.75 and out2.summary["unmatched"] > 0.25
    assert 0.95 < out2.summary["precision"] < 1.0


def test_classroom_k_anonymous_release_still_leaks(city):
    res = city.residents[["resident_id", *QI, "disability", "income"]]
    hierarchy = [("birth_date", functools.partial(generalise_date, to="month")),
                 ("birth_date", functools.partial(generalise_date, to="year")),
                 ("postcode", functools.partial(generalise_postcode, keep=1))]
    out = make_k_anonymous(res, QI, 5, hierarchy)
    assert k_anonymity(out.release, QI) >= 5
    assert 0 < out.suppressed_share < 0.1
    assert out.generalised["postcode"] == "generalise_postcode(keep=1)"
    # homogeneity: some classes of at least 5 people all share their disability status
    assert l_diversity(out.release, QI, "disability") == 1
    linked = link(out.release.drop(columns="resident_id"), city.residents.assign(
        postcode=generalise_postcode(city.residents["postcode"], 1).astype(str),
        birth_date=generalise_date(city.residents["birth_date"], "year").astype(str)), QI)
    assert linked.summary["reidentified"] == 0.0  # nobody is singled out on the generalised columns any more


def test_classroom_dp_counts(city):
    res = city.residents
    acc = PrivacyAccountant(1.0)
    exact = res["district"].value_counts()
    noisy = {d: noisy_count(res, res["district"] == d, 1.0 / 6, accountant=acc, rng=i, label=d)
             for i, d in enumerate(exact.index)}
    assert acc.remaining == pytest.approx(0.0, abs=1e-12)
    assert all(abs(noisy[d] - exact[d]) < 60 for d in exact.index)  # scale 6: the group totals survive
    with pytest.raises(BudgetExceeded):
        noisy_count(res, "age > 80", 0.01, accountant=acc)
