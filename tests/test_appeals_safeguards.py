"""Tests for the safeguard functions appended to scored.appeals (chapter "Contestability by design")."""
import pandas as pd
import pytest

from scored.appeals import (SAFEGUARDS, AppealPolicy, safeguard_costs, safeguard_grid, sanction_starts,
                            simulate_appeals, summarise, with_safeguards)
from scored.world import make_world


@pytest.fixture(scope="module")
def world():
    return make_world(residents=20_000, seed=7)


def test_with_safeguards_applies_changes_and_names():
    p = with_safeguards(["notice", "burden on operator"])
    assert p.notice and not p.burden_on_resident and p.online_only
    assert p.name == "notice + burden on operator"
    assert with_safeguards([]) == AppealPolicy()
    full = with_safeguards(list(SAFEGUARDS))
    assert full.review_before_sanction and full.review_deadline_days == 30 and not full.online_only


@pytest.mark.parametrize("names", [["nope"], "notice", 3])
def test_with_safeguards_rejects_bad_names(names):
    with pytest.raises(ValueError, match="safeguard|names"):
        with_safeguards(names)


def test_with_safeguards_rejects_bad_definitions():
    with pytest.raises(ValueError, match="unknown AppealPolicy field"):
        with_safeguards(["x"], safeguards={"x": {"colour": "red"}})
    with pytest.raises(ValueError, match="policy must be an AppealPolicy"):
        with_safeguards([], policy="as run")


def test_check_cuts_wrongful_days_and_costs_reviews(world):
    starts = sanction_starts(world)
    base = simulate_appeals(world, days=730, rng=0, starts=starts)
    check = with_safeguards(["check before sanction"])
    after = simulate_appeals(world, days=730, rng=0, starts=starts, policy=check)
    assert summarise(after)["sanction_days"].iloc[0] < summarise(base)["sanction_days"].iloc[0]
    c0, c1 = safeguard_costs(base, AppealPolicy(), days=730), safeguard_costs(after, check, days=730, check_days=5)
    assert c0["checks"].iloc[0] == 0 and c0["delay_days"].iloc[0] == 0
    assert c1["checks"].iloc[0] == int((starts["sanctioned"] & starts["start_day"].notna()
                                        & (starts["start_day"].fillna(0) < 730)).sum())
    assert c1["reviews_per_year"].iloc[0] > c0["reviews_per_year"].iloc[0]
    assert 0 < c1["delay_per_correct"].iloc[0] <= 5
    assert c1["escaped"].iloc[0] > c0["escaped"].iloc[0]
    zero = safeguard_costs(after, check, days=730, p_wrongly_cleared=0)
    assert zero["escaped"].iloc[0] == 0


def test_operator_burden_raises_escapes(world):
    out = simulate_appeals(world, days=365, rng=1, policy=AppealPolicy(notice=True))
    a = safeguard_costs(out, AppealPolicy(notice=True), days=365)["escaped"].iloc[0]
    b = safeguard_costs(out, AppealPolicy(notice=True, burden_on_resident=False), days=365)["escaped"].iloc[0]
    assert b == pytest.approx(2 * a)


def test_safeguard_costs_rejects_bad_input(world):
    out = simulate_appeals(world, days=365, rng=0)
    with pytest.raises(ValueError, match="check_days"):
        safeguard_costs(out, AppealPolicy(), days=365, check_days=-1)
    with pytest.raises(ValueError, match="p_wrongly_cleared"):
        safeguard_costs(out, AppealPolicy(), days=365, p_wrongly_cleared=1.5)
    with pytest.raises(ValueError, match="policy"):
        safeguard_costs(out, "as run", days=365)
    with pytest.raises(ValueError, match="outcomes"):
        safeguard_costs(pd.DataFrame({"x": [1]}), AppealPolicy(), days=365)


def test_safeguard_grid_shapes_and_consistency(world):
    two = {k: SAFEGUARDS[k] for k in ("notice", "check before sanction")}
    summary, costs = safeguard_grid(world, safeguards=two, groups=("group", "disability"), days=365)
    assert len(costs) == 4 and set(costs["policy"]) == {"as run", "notice", "check before sanction",
                                                         "notice + check before sanction"}
    assert set(summary["column"]) == {"all", "group", "disability"}
    city = summary[summary["column"] == "all"].set_index("policy")
    run = simulate_appeals(world, days=365, rng=0, policy=with_safeguards(["notice"]))
    assert city.loc["notice", "sanction_days"] == summarise(run)["sanction_days"].iloc[0]
    groups = summary[(summary["column"] == "group") & (summary["policy"] == "notice")]
    assert groups["sanction_days"].sum() == city.loc["notice", "sanction_days"]
    assert city.loc["check before sanction", "sanction_days"] <= city.loc["as run", "sanction_days"]


def test_safeguard_grid_rejects_bad_input(world):
    with pytest.raises(ValueError, match="groups"):
        safeguard_grid(world, safeguards={"notice": {"notice": True}}, groups=("colour",))
    with pytest.raises(ValueError, match="seeds"):
        safeguard_grid(world, safeguards={"notice": {"notice": True}}, seeds=())
    with pytest.raises(ValueError, match="safeguards"):
        safeguard_grid(world, safeguards={})
