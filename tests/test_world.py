"""Tests for scored.world: reproducibility, the three layers, errors with ground truth, personas, parameters, CLI."""
import math
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scored import world as W
from scored.__main__ import main as cli
from scored.scoring import score
from scored.world import CLASSROOM_PARAMS, DISTRICTS, KINDS, load_world, make_world

TABLES = ("residents", "districts", "behaviour", "records", "ties", "personas")
RESIDENT_COLUMNS = ["resident_id", "name", "sex", "birth_date", "age", "district", "postcode", "household_id",
                    "household_size", "income", "work", "group", "disability", "journalist"]


@pytest.fixture(scope="module")
def city():
    return make_world(**CLASSROOM_PARAMS)


@pytest.fixture(scope="module")
def big():
    return make_world(100_000, seed=11)


def true_counts(w):
    return pd.crosstab(w.behaviour["resident_id"], w.behaviour["kind"]).reindex(
        index=w.residents["resident_id"], columns=list(KINDS), fill_value=0)


def record_counts(w, records=None):
    rec = w.records if records is None else records
    return pd.crosstab(rec["resident_id"], rec["kind"]).reindex(
        index=w.residents["resident_id"], columns=list(KINDS), fill_value=0)


def assert_worlds_equal(a, b):
    for t in TABLES:
        pd.testing.assert_frame_equal(getattr(a, t), getattr(b, t))
    assert a.params == b.params and a.seed == b.seed


# ------------------------------------------------------------------------------------------- reproducibility
def test_same_seed_same_city():
    assert_worlds_equal(make_world(3000, seed=5, error_rate=0.1), make_world(3000, seed=5, error_rate=0.1))


def test_same_seed_same_csv_bytes(tmp_path):
    make_world(2000, seed=9).to_csv(tmp_path / "a")
    make_world(2000, seed=9).to_csv(tmp_path / "b")
    names = sorted(os.listdir(tmp_path / "a"))
    assert names == sorted([f"{t}.csv" for t in TABLES] + ["world.json"])
    for f in names:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def test_different_seed_different_city():
    a, b = make_world(2000, seed=1), make_world(2000, seed=2)
    for t in ("residents", "behaviour", "records", "ties"):
        assert not getattr(a, t).equals(getattr(b, t)), t


def test_changing_error_rate_or_surveillance_keeps_the_truth():
    a = make_world(2000, seed=3)
    b = make_world(2000, seed=3, error_rate=0.3, surveillance={"Northgate": 1.0})
    pd.testing.assert_frame_equal(a.behaviour, b.behaviour)
    # names may differ only because personas (chosen from the records) rename their namesake groups
    cols = [c for c in RESIDENT_COLUMNS if c != "name"]
    pd.testing.assert_frame_equal(a.residents[cols], b.residents[cols])
    assert not a.records.equals(b.records)


def test_csv_round_trip(tmp_path, city):
    city.to_csv(tmp_path)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left behind
    assert_worlds_equal(load_world(tmp_path), city)


def test_loading_a_city_again_reads_no_file_and_gives_a_world_of_its_own(tmp_path, city, monkeypatch):
    folder = city.to_csv(tmp_path / "c")
    first = load_world(folder)

    def no_reading(*args, **kwargs):
        raise AssertionError("the city was read again")

    monkeypatch.setattr(pd, "read_csv", no_reading)
    second = load_world(folder)
    assert_worlds_equal(second, city)
    assert second.residents is not first.residents and second.params is not first.params
    first.residents.loc[0, "income"] = -1
    first.records.drop(index=first.records.index, inplace=True)
    first.params["surveillance"]["Harbour"] = 0.0
    assert_worlds_equal(load_world(folder), city)


def test_a_city_whose_files_changed_is_read_again(tmp_path, city):
    folder = city.to_csv(tmp_path / "c")
    load_world(folder)
    other = make_world(len(city.residents), seed=city.seed + 1)
    other.to_csv(folder)  # the same folder, new files
    assert_worlds_equal(load_world(folder), other)


def test_load_world_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="records.csv"):
        load_world(tmp_path)


def test_load_world_rejects_unknown_category(tmp_path):
    make_world(200, seed=1).to_csv(tmp_path)
    text = (tmp_path / "records.csv").read_text().replace(",late_bill,", ",parking,", 1)
    (tmp_path / "records.csv").write_text(text)
    with pytest.raises(ValueError, match="kind"):
        load_world(tmp_path)


# ------------------------------------------------------------------------------------------- the three layers
def test_layers_are_kept_apart(city):
    assert list(city.residents.columns) == RESIDENT_COLUMNS
    assert list(city.behaviour.columns) == ["event_id", "resident_id", "day", "kind"]
    observed = [c for c in city.records.columns if not c.startswith("truth_")]
    assert observed == ["record_id", "resident_id", "day", "kind", "agency"]
    assert list(city.observed_records.columns) == observed
    assert set(city.records.columns) - set(observed) == {"truth_error", "truth_resident_id", "truth_event_id",
                                                         "truth_day"}


def test_observed_columns_leak_no_truth(city):
    r = city.records
    assert (r["record_id"] == np.arange(len(r))).all()
    assert r["day"].between(0, 364).all()  # stale records are recorded as current
    assert r["day"].is_monotonic_increasing
    # agency is a function of kind alone
    assert (pd.crosstab(r["kind"], r["agency"]) > 0).sum(axis=1).eq(1).all()
    # wrong records are spread evenly over record ids, not appended at the end
    wrong = r["truth_error"] != ""
    half = len(r) // 2
    assert abs(wrong[:half].mean() - wrong[half:].mean()) < 0.015


def test_resident_attributes_are_plausible(big):
    r = big.residents
    assert (r["resident_id"] == np.arange(len(r))).all()
    assert r["age"].between(18, 90).all()
    born = pd.to_datetime(r["birth_date"])
    age = 2026 - born.dt.year - ((born.dt.month > 1) | (born.dt.day > 1)).astype(int)
    assert (age == r["age"]).all()
    assert (r.loc[r["work"] == "retired", "age"] >= 66).all()
    assert (r.loc[r["work"] == "student", "age"] < 26).mean() > 0.8
    assert r["household_size"].between(1, 6).all()
    assert (r.groupby("household_id")["household_id"].transform("size") == r["household_size"]).all()
    assert (r.groupby("household_id")["postcode"].nunique() == 1).all()
    assert (r["income"] > 0).all()
    med = r.groupby("district")["income"].median()
    assert med["Eastfield"] < med["Old Town"] < med["Northgate"]
    assert 0.13 < (r["group"] == "Heron").mean() < 0.17
    heron = r.loc[r["group"] == "Heron", "district"].value_counts(normalize=True)
    assert heron["Harbour"] + heron["Eastfield"] > 0.6
    assert 0.10 < r["disability"].mean() < 0.14
    assert 0.003 < r["journalist"].mean() < 0.008
    assert set(r["group"].cat.categories) == {"Heron", "Kestrel"}
    # postcodes belong to their district
    for d in DISTRICTS:
        assert set(r.loc[r["district"] == d, "postcode"].unique()) <= set(W._DISTRICT_TABLE[d][5])


def test_namesakes_are_common(city):
    sizes = city.residents.groupby("name")["name"].transform("size")
    assert (sizes > 1).mean() > 0.9
    assert city.residents["name"].str.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+").all()


def test_districts_table(city):
    d = city.districts
    assert list(d["district"]) == list(DISTRICTS)
    assert d["surveillance"].between(0, 1).all()
    assert d["population"].sum() == len(city.residents)
    assert d.set_index("district").loc["Eastfield", "surveillance"] > d.set_index("district").loc[
        "Northgate", "surveillance"]
    custom = make_world(300, seed=1, surveillance={"Northgate": 0.95})
    assert custom.districts.set_index("district").loc["Northgate", "surveillance"] == 0.95


def test_true_behaviour_does_not_depend_on_group(big):
    """Conditional on work, income decile and age band, Heron residents do what Kestrel residents do.

    The same comparison on the records shows the gap surveillance creates.
    """
    r = big.residents
    df = r[["work", "group", "income", "age"]].copy()
    df["band"] = df.groupby("work", observed=True)["income"].transform(
        lambda s: pd.qcut(s, 10, labels=False, duplicates="drop"))
    df["ageband"] = pd.cut(df["age"], [17, 25, 65, 90])
    cells = ["work", "band", "ageband"]

    def ratio(counts, kind):
        df["y"] = counts[kind].to_numpy()
        rate = df[df["group"] == "Kestrel"].groupby(cells, observed=True)["y"].mean().rename("rate")
        heron = df[df["group"] == "Heron"].join(rate, on=cells)
        return heron["y"].sum() / heron["rate"].sum()

    truth = true_counts(big)
    for kind in KINDS:
        tol = 0.2 if kind == "court_debt" else 0.1
        assert abs(ratio(truth, kind) - 1) < tol, kind
    correct = big.records[big.records["truth_error"] == ""]
    seen = record_counts(big, correct)
    assert ratio(seen, "traffic_offence") > 1.1  # same behaviour, more records: surveillance
    assert ratio(seen, "flagged_post") > 1.1
    assert abs(ratio(seen, "late_bill") - 1) < 0.1  # bills are recorded wherever you live


def test_true_traffic_offences_do_not_depend_on_district(big):
    rate = true_counts(big)["traffic_offence"].groupby(big.residents["district"].to_numpy(), observed=True).mean()
    assert (rate / rate.mean()).between(0.9, 1.1).all()


def test_heavier_surveillance_records_more_of_the_same_behaviour():
    low = make_world(5000, seed=4, surveillance={d: 0.2 for d in DISTRICTS})
    high = make_world(5000, seed=4, surveillance={d: 0.9 for d in DISTRICTS})
    pd.testing.assert_frame_equal(low.behaviour, high.behaviour)

    def recorded(w):
        ok = w.records[(w.records["truth_error"] == "") & (w.records["kind"] == "traffic_offence")]
        return set(ok["truth_event_id"])

    lo, hi = recorded(low), recorded(high)
    true = (low.behaviour["kind"] == "traffic_offence").sum()
    assert len(hi) > 2 * len(lo)
    assert len(lo - hi) < 0.1 * len(lo)  # what the light watch saw, the heavy watch sees too (up to errors)
    assert len(hi) <= true


def test_recorded_share_follows_district_surveillance(big):
    ok = big.records[(big.records["truth_error"] == "") & (big.records["kind"] == "traffic_offence")]
    district = big.residents["district"].to_numpy()
    seen = pd.Series(district[ok["resident_id"]]).value_counts()
    ev = big.behaviour[big.behaviour["kind"] == "traffic_offence"]
    true = pd.Series(district[ev["resident_id"]]).value_counts()
    share = (seen / true).reindex(list(DISTRICTS))
    surv = big.districts.set_index("district")["surveillance"].reindex(list(DISTRICTS))
    assert share.rank().corr(surv.rank()) > 0.8  # Spearman, without scipy
    assert share["Eastfield"] > 2 * share["Northgate"]
    assert share.max() <= 1


# ------------------------------------------------------------------------------------------- errors
@pytest.mark.parametrize("rate", [0.0, 0.01, 0.04, 0.2, 0.5])
def test_error_share_matches_error_rate(rate):
    r = make_world(3000, seed=6, error_rate=rate).records
    wrong = r["truth_error"] != ""
    assert abs(wrong.mean() - rate) <= 2 / len(r) + 1e-9
    if rate >= 0.04:
        split = r.loc[wrong, "truth_error"].value_counts(normalize=True)
        for kind, share in zip(("misattributed", "stale", "duplicate"), W.ERROR_SPLIT):
            assert abs(split[kind] - share) < 0.02, kind


def test_correct_records_are_true_events(city):
    r = city.records[city.records["truth_error"] == ""]
    ev = city.behaviour.set_index("event_id").loc[r["truth_event_id"]]
    assert (r["resident_id"].to_numpy() == r["truth_resident_id"].to_numpy()).all()
    assert (ev["resident_id"].to_numpy() == r["resident_id"].to_numpy()).all()
    assert (ev["day"].to_numpy() == r["day"].to_numpy()).all()
    assert (ev["kind"].to_numpy() == r["kind"].to_numpy()).all()
    assert (r["truth_day"] == r["day"]).all()


def test_misattributed_records_belong_to_a_namesake(city):
    res = city.residents.set_index("resident_id")
    m = city.records[city.records["truth_error"] == "misattributed"]
    assert len(m) > 100
    assert (m["resident_id"] != m["truth_resident_id"]).all()
    shown, truly = res.loc[m["resident_id"], "name"].to_numpy(), res.loc[m["truth_resident_id"], "name"].to_numpy()
    last = np.array([s.split()[1] for s in shown]) == np.array([s.split()[1] for s in truly])
    assert last.all()
    has_namesake = res["name"].map(res["name"].value_counts()) > 1
    needs_full = has_namesake.loc[m["truth_resident_id"]].to_numpy()
    assert (shown[needs_full] == truly[needs_full]).all()
    ev = city.behaviour.set_index("event_id").loc[m["truth_event_id"]]
    assert (ev["resident_id"].to_numpy() == m["truth_resident_id"].to_numpy()).all()
    assert (ev["kind"].to_numpy() == m["kind"].to_numpy()).all()


def test_duplicates_repeat_an_existing_record(city):
    r = city.records
    dup = r[r["truth_error"] == "duplicate"]
    assert len(dup) > 50
    first = r[r["truth_error"] == ""].set_index("truth_event_id")
    assert first.index.is_unique  # every event is recorded correctly at most once
    orig = first.loc[dup["truth_event_id"]]
    for col in ("resident_id", "day", "kind", "agency"):
        assert (orig[col].to_numpy() == dup[col].to_numpy()).all(), col
    assert (orig["record_id"].to_numpy() < dup["record_id"].to_numpy()).all()


def test_stale_records_are_old_settled_matters(city):
    s = city.records[city.records["truth_error"] == "stale"]
    assert len(s) > 50
    assert (s["truth_event_id"] == -1).all()
    assert (s["truth_day"] < 0).all()  # settled before 2025
    assert (s["truth_resident_id"] == s["resident_id"]).all()
    assert set(s["kind"]) <= {"late_bill", "traffic_offence", "court_debt"}
    ok = city.records["truth_error"] != "stale"
    assert (city.records.loc[ok, "truth_event_id"] >= 0).all()


# ------------------------------------------------------------------------------------------- ties
def test_ties(city):
    t, r = city.ties, city.residents
    assert (t["resident_a"] < t["resident_b"]).all()
    assert not t.duplicated(["resident_a", "resident_b"]).any()
    hh = r["household_id"].to_numpy()
    fam = t[t["tie"] == "family"]
    assert (hh[fam["resident_a"]] == hh[fam["resident_b"]]).all()
    sizes = r.groupby("household_id").size()
    assert len(fam) == int((sizes * (sizes - 1) // 2).sum())  # households share family ties
    district = r["district"].to_numpy()
    friends = t[t["tie"] == "friend"]
    assert (district[friends["resident_a"]] == district[friends["resident_b"]]).mean() > 0.6
    work = r["work"].to_numpy()
    cow = t[t["tie"] == "coworker"]
    assert np.isin(work[cow["resident_a"]], ["employed", "gig"]).all()
    assert 2 < 2 * len(t) / len(r) < 8


# ------------------------------------------------------------------------------------------- personas
def test_personas_stories_hold_in_the_classroom_city(city):
    p = city.personas.set_index("persona")
    assert list(p.index) == ["Robin", "Sasha", "Kit", "Jules", "Wren"]
    assert p["fits_story"].all()
    assert p["resident_id"].is_unique
    res = city.residents.set_index("resident_id")
    true, seen = true_counts(city), record_counts(city)
    for name, rid in p["resident_id"].items():
        assert res.loc[rid, "name"].startswith(name + " ")
        assert name in p.loc[name, "story"]
    robin = p.loc["Robin", "resident_id"]
    assert res.loc[robin, "work"] == "gig" and true.loc[robin, "late_bill"] >= 3 and seen.loc[robin, "late_bill"] >= 3
    sasha, twin = p.loc["Sasha", ["resident_id", "related_resident_id"]]
    surv = city.districts.set_index("district")["surveillance"]
    assert res.loc[sasha, "district"] == surv.idxmax() and res.loc[twin, "district"] == surv.idxmin()
    assert res.loc[sasha, "work"] == res.loc[twin, "work"]
    assert (true.loc[sasha] == true.loc[twin]).all()
    assert seen.loc[sasha].sum() > seen.loc[twin].sum()
    kit, other = p.loc["Kit", ["resident_id", "related_resident_id"]]
    mis = city.records[(city.records["resident_id"] == kit) & (city.records["truth_error"] == "misattributed")]
    assert other in set(mis["truth_resident_id"]) and res.loc[kit, "name"] == res.loc[other, "name"]
    jules = p.loc["Jules", "resident_id"]
    assert res.loc[jules, "journalist"] and seen.loc[jules, "flagged_post"] >= 1
    assert true.loc[jules, "flagged_post"] > true["flagged_post"].mean()
    wren = p.loc["Wren", "resident_id"]
    assert res.loc[wren, "work"] == "retired" and seen.loc[wren, "volunteering"] >= 1
    assert seen.loc[wren, ["late_bill", "traffic_offence", "court_debt", "flagged_post"]].sum() == 0
    scores = score(city.records, city.residents)
    assert scores.loc[wren, "grade"] >= "AA"
    assert scores.loc[wren, "total"] == scores.loc[res["work"] == "retired", "total"].max()


@pytest.mark.parametrize("seed", range(6))
def test_personas_exist_in_tiny_cities(seed):
    w = make_world(100, seed=seed)
    p = w.personas
    assert len(p) == 5 and p["resident_id"].is_unique
    assert p["resident_id"].between(0, 99).all()
    assert p["fits_story"].dtype == bool
    assert set(p["related_resident_id"]) <= set(range(-1, 100))
    names = w.residents.set_index("resident_id").loc[p["resident_id"], "name"].to_numpy()
    assert all(n.startswith(q + " ") for n, q in zip(names, p["persona"]))


# ------------------------------------------------------------------------------------------- parameters
BAD = [
    ({"residents": 99}, "residents"), ({"residents": 5_000_001}, "residents"), ({"residents": -5}, "residents"),
    ({"residents": 0}, "residents"), ({"residents": 1000.0}, "residents"), ({"residents": "1000"}, "residents"),
    ({"residents": None}, "residents"), ({"residents": True}, "residents"), ({"residents": math.nan}, "residents"),
    ({"seed": -1}, "seed"), ({"seed": 1.5}, "seed"), ({"seed": "0"}, "seed"), ({"seed": None}, "seed"),
    ({"seed": True}, "seed"), ({"seed": math.nan}, "seed"),
    ({"error_rate": -0.01}, "error_rate"), ({"error_rate": 0.51}, "error_rate"),
    ({"error_rate": math.nan}, "error_rate"), ({"error_rate": math.inf}, "error_rate"),
    ({"error_rate": "0.1"}, "error_rate"), ({"error_rate": None}, "error_rate"),
    ({"error_rate": True}, "error_rate"), ({"error_rate": 1}, "error_rate"),
    ({"minority_share": -0.1}, "minority_share"), ({"minority_share": 0.6}, "minority_share"),
    ({"minority_share": math.nan}, "minority_share"), ({"minority_share": "a"}, "minority_share"),
    ({"surveillance": {"Nowhere": 0.5}}, "surveillance"), ({"surveillance": {"Harbour": 1.5}}, "surveillance"),
    ({"surveillance": {"Harbour": -0.1}}, "surveillance"), ({"surveillance": {"Harbour": math.nan}}, "surveillance"),
    ({"surveillance": {"Harbour": "high"}}, "surveillance"), ({"surveillance": [("Harbour", 0.5)]}, "surveillance"),
    ({"surveillance": "Harbour"}, "surveillance"), ({"surveillance": {"harbour": 0.5}}, "surveillance"),
    ({"days": 365}, "days"), ({"error": 0.1}, "error"), ({"Residents": 100}, "Residents"),
]


@pytest.mark.parametrize("kwargs,name", BAD, ids=[f"{k}" for k, _ in BAD])
def test_bad_parameters_raise_value_error_naming_them(kwargs, name):
    args = {"residents": 200, "seed": 0, **kwargs}
    with pytest.raises(ValueError, match=name) as err:
        make_world(**args)
    msg = str(err.value)
    if name in W._ALLOWED and name != "surveillance":
        assert "at least" in msg or "at most" in msg  # the allowed range is stated
    if name not in W._ALLOWED:
        assert "allowed" in msg and "error_rate" in msg


@pytest.mark.parametrize("kwargs", [{"residents": 100}, {"residents": np.int64(150)}, {"seed": np.uint32(7)},
                                    {"error_rate": 0}, {"error_rate": 0.5}, {"minority_share": 0.0},
                                    {"minority_share": 0.5}, {"surveillance": {"Harbour": 0, "Northgate": 1}}])
def test_boundary_parameters_are_accepted(kwargs):
    args = {"residents": 200, "seed": 0, **kwargs}
    w = make_world(**args)
    assert len(w.residents) == int(args["residents"])


# ------------------------------------------------------------------------------------------- properties
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(100, 2000), seed=st.integers(0, 2**32), rate=st.floats(0, 0.5),
       minority=st.floats(0, 0.5))
def test_invariants_hold_for_any_small_city(n, seed, rate, minority):
    w = make_world(n, seed=seed, error_rate=rate, minority_share=minority)
    r, b, rec, t = w.residents, w.behaviour, w.records, w.ties
    assert (r["resident_id"] == np.arange(n)).all()
    assert r["household_size"].between(1, 6).all() and r["age"].between(18, 90).all()
    assert (b["event_id"] == np.arange(len(b))).all() and b["day"].between(0, 364).all()
    assert b["resident_id"].between(0, n - 1).all()
    assert (rec["record_id"] == np.arange(len(rec))).all() and rec["day"].between(0, 364).all()
    assert rec["resident_id"].between(0, n - 1).all() and rec["truth_resident_id"].between(0, n - 1).all()
    assert not rec.isna().any().any() and not r.isna().any().any()
    wrong = rec["truth_error"] != ""
    assert abs(wrong.mean() - rate) <= 3 / len(rec) + 0.01
    err = rec["truth_error"]
    assert (rec.loc[err == "misattributed", "resident_id"] != rec.loc[err == "misattributed",
                                                                      "truth_resident_id"]).all()
    assert (rec.loc[err != "misattributed", "resident_id"] == rec.loc[err != "misattributed",
                                                                      "truth_resident_id"]).all()
    assert ((rec["truth_event_id"] == -1) == (err == "stale")).all()
    assert (t["resident_a"] < t["resident_b"]).all() and t["resident_b"].max() < n
    assert len(w.personas) == 5 and w.personas["resident_id"].is_unique
    assert w.params["residents"] == n and w.seed == seed


# ------------------------------------------------------------------------------------------- CLI
def test_cli_writes_a_city(tmp_path, capsys):
    assert cli(["world", "--residents", "300", "--seed", "4", "--error-rate", "0.1", "--out", str(tmp_path)]) == 0
    assert_worlds_equal(load_world(tmp_path), make_world(300, seed=4, error_rate=0.1))
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize("args,word", [(["--residents", "5"], "residents"), (["--error-rate", "2"], "error_rate"),
                                       (["--seed", "-3"], "seed"), (["--surveillance", "Mars=0.5"], "surveillance"),
                                       (["--surveillance", "Harbour"], "surveillance")])
def test_cli_reports_bad_values_in_one_line(tmp_path, capsys, args, word):
    out = tmp_path / "out"
    assert cli(["world", "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert word in err and "Traceback" not in err and err.count("\n") == 1
    assert not out.exists()  # nothing half-built is written


def test_load_classroom_follows_scored_city(tmp_path, monkeypatch):
    """$SCORED_CITY swaps the classroom city for another saved one; a wrong path is named in the error."""
    from scored.world import load_classroom, make_world
    other = make_world(residents=300, seed=11)
    other.to_csv(tmp_path / "city")
    monkeypatch.setenv("SCORED_CITY", str(tmp_path / "city"))
    assert len(load_classroom().residents) == 300
    monkeypatch.setenv("SCORED_CITY", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="SCORED_CITY"):
        load_classroom()
