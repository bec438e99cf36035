"""The spec's worked example and hand-made cases with known answers."""

import copy
import math

import pytest

from optimizer import ProblemError, solve
from tests.optimizer.reference_lp import solve_lp

BANDS = [
    {"below_days": 3, "cost_per_day": 100},
    {"below_days": 7, "cost_per_day": 10},
    {"below_days": 10, "cost_per_day": 1},
]


def facility(fid, tier="township", parent="K", lat=30.0, lon=120.5, **extra):
    return {"id": fid, "name": fid, "tier": tier, "parent": parent, "lat": lat, "lon": lon, **extra}


def worked(k_on_hand=500):
    return {
        "version": 1,
        "facilities": [
            facility("K", "county", None),
            facility("A", lat=30.05),
            facility("B", lon=120.6),
        ],
        "items": [{"id": "N95", "name": "N95", "priority": 1}],
        "stock": [
            {"facility": "K", "item": "N95", "on_hand": k_on_hand, "daily_need": 20},
            {"facility": "A", "item": "N95", "on_hand": 0, "daily_need": 10},
            {"facility": "B", "item": "N95", "on_hand": 60, "daily_need": 10},
        ],
        "policy": {"bands": copy.deepcopy(BANDS), "donor_floor_days": 10},
    }


def sent(plan, item=None):
    out = {}
    for t in plan["transfers"]:
        if item is None or t["item"] == item:
            out[(t["from"], t["to"])] = out.get((t["from"], t["to"]), 0) + t["qty"]
    return out


def test_worked_example_fills_every_need():
    plan = solve(worked())
    assert plan["shortage_cost_before"] == pytest.approx(356.0)
    assert plan["shortage_cost"] == pytest.approx(0.0)
    assert sent(plan) == {("K", "A"): 100, ("K", "B"): 40}
    assert plan["unmet"] == []
    assert plan["status"] == "optimal"


def test_worked_example_with_a_small_surplus():
    plan = solve(worked(260))
    assert plan["shortage_cost"] == pytest.approx(26.0)
    # A is nearer to K than B: among the S = 26 plans the least transport sends all 60 to A
    assert sent(plan) == {("K", "A"): 60}
    assert {(u["facility"], u["qty"]) for u in plan["unmet"]} == {("A", 40), ("B", 40)}
    s_ref, r_ref = solve_lp(worked(260))
    assert plan["shortage_cost"] == pytest.approx(s_ref, rel=1e-6)
    assert plan["transport_cost"] == pytest.approx(r_ref, rel=1e-3)


def test_reported_costs_are_recomputed_from_the_transfers():
    plan = solve(worked(260))
    transport = sum(t["qty"] * 1.0 * t["km"] for t in plan["transfers"])
    assert plan["transport_cost"] == pytest.approx(transport)


def test_nothing_to_improve_gives_no_transfers():
    problem = worked()
    problem["stock"][1]["on_hand"] = 100
    problem["stock"][2]["on_hand"] = 100
    plan = solve(problem)
    assert plan["transfers"] == [] and plan["shortage_cost"] == 0 and plan["unmet"] == []


def test_distance_limit_forbids_far_links():
    problem = worked()
    problem["policy"]["max_distance_km"] = 7.0  # K–A 5.6 km, K–B 9.6 km
    plan = solve(problem)
    assert sent(plan) == {("K", "A"): 100}
    assert [u["facility"] for u in plan["unmet"]] == ["B"]


def test_given_distances_are_used_without_road_factor():
    problem = worked(260)
    problem["policy"]["road_factor"] = 1.3
    problem["distances_km"] = [{"from": "K", "to": "B", "km": 1.0}]
    plan = solve(problem)
    # B is now the nearer, but only 10 units lift it within the 10-a-day band (6 to 7 days);
    # A gets its first 30 units (100 a day) and 20 more at 10 a day
    assert plan["shortage_cost"] == pytest.approx(26.0)
    km = {(t["from"], t["to"]): t["km"] for t in plan["transfers"]}
    assert km[("K", "B")] == 1.0
    assert km[("K", "A")] == pytest.approx(5.559754 * 1.3, rel=1e-6)
    assert sent(plan) == {("K", "A"): 50, ("K", "B"): 10}
    s_ref, r_ref = solve_lp(problem)
    assert plan["transport_cost"] == pytest.approx(r_ref, rel=1e-3)


def test_hierarchy_links_and_relay_through_a_facility_with_surplus():
    # C (another county) has plenty; A is its cousin, so C may only reach A through K.
    # K holds exactly 10 days but may go down to 0: it can send 100, and by forwarding
    # C's units it gives A what it needs without going short itself.
    problem = {
        "version": 1,
        "facilities": [
            facility("P", "city", None, lat=30.2),
            facility("K", "county", "P", floor_days=0),
            facility("C", "county", "P", lat=30.4),
            facility("A", parent="K", lat=30.05),
        ],
        "items": [{"id": "X", "name": "X"}],
        "stock": [
            {"facility": "C", "item": "X", "on_hand": 1000, "daily_need": 10},
            {"facility": "K", "item": "X", "on_hand": 100, "daily_need": 10},
            {"facility": "A", "item": "X", "on_hand": 0, "daily_need": 10},
        ],
        "policy": {"bands": copy.deepcopy(BANDS), "links": "hierarchy"},
    }
    plan = solve(problem)
    moves = sent(plan)
    assert plan["shortage_cost"] == pytest.approx(0.0)
    assert ("C", "A") not in moves
    assert moves == {("C", "K"): 100, ("K", "A"): 100}
    s_ref, r_ref = solve_lp(problem)
    assert plan["transport_cost"] == pytest.approx(r_ref, rel=1e-3)


def test_a_relay_sends_no_more_than_its_own_surplus():
    problem = {
        "version": 1,
        "facilities": [
            facility("P", "city", None, lat=30.2),
            facility("K", "county", "P"),
            facility("C", "county", "P", lat=30.4),
            facility("A", parent="K", lat=30.05),
        ],
        "items": [{"id": "X", "name": "X"}],
        "stock": [
            {"facility": "C", "item": "X", "on_hand": 1000, "daily_need": 10},
            {"facility": "K", "item": "X", "on_hand": 120, "daily_need": 10},
            {"facility": "A", "item": "X", "on_hand": 0, "daily_need": 10},
        ],
        "policy": {"bands": copy.deepcopy(BANDS), "links": "hierarchy"},
    }
    plan = solve(problem)
    # K's surplus is 120 − 10 × 10 = 20: receiving does not raise what it may send
    assert sent(plan).get(("K", "A"), 0) == 20
    assert plan["shortage_cost"] == pytest.approx(100 * 1 + 10 * 4 + 1 * 3)


def test_floor_days_override_and_a_donor_below_target():
    problem = worked()
    # K may go down to 2 days: it gives until giving costs more than it saves
    problem["facilities"][0]["floor_days"] = 2
    problem["stock"][0]["on_hand"] = 200  # exactly 10 days for K
    plan = solve(problem)
    s_ref, r_ref = solve_lp(problem)
    assert plan["shortage_cost"] == pytest.approx(s_ref, rel=1e-6)
    assert plan["transport_cost"] == pytest.approx(r_ref, rel=1e-3)
    assert plan["shortage_cost"] < plan["shortage_cost_before"]
    assert sum(q for (f, _g), q in sent(plan).items() if f == "K") <= 200 - 2 * 20


def test_priorities_decide_who_gets_scarce_stock():
    problem = worked(230)  # surplus 30: exactly enough for one township's first band
    problem["facilities"][2]["priority"] = 5  # B matters five times more
    problem["stock"][2]["on_hand"] = 0
    plan = solve(problem)
    assert sent(plan) == {("K", "B"): 30}


def test_fractional_need_still_gives_whole_units():
    problem = worked()
    problem["stock"][1]["daily_need"] = 3.3
    plan = solve(problem)
    assert all(isinstance(t["qty"], int) and t["qty"] > 0 for t in plan["transfers"])
    assert plan["shortage_cost"] == pytest.approx(0.0, abs=1e-9)
    assert sent(plan)[("K", "A")] == math.ceil(33)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda p: p.update(version=2), "version"),
        (
            lambda p: p["stock"].append(
                {"facility": "Z", "item": "N95", "on_hand": 1, "daily_need": 1}
            ),
            "unknown facility",
        ),
        (lambda p: p["stock"][0].update(on_hand=-1), "must not be negative"),
        (lambda p: p["stock"][0].update(on_hand=1.5), "whole number"),
        (lambda p: p["stock"][0].update(daily_need=float("nan")), "finite"),
        (lambda p: p["policy"]["bands"][1].update(cost_per_day=100), "strictly decrease"),
        (lambda p: p["stock"][0].pop("daily_need"), "missing field 'daily_need'"),
        (lambda p: p["facilities"].append(facility("A")), "duplicate facility"),
        (
            lambda p: p.update(
                distances_km=[{"from": "K", "to": "A", "km": 1}, {"from": "A", "to": "K", "km": 2}]
            ),
            "given twice",
        ),
        (lambda p: p["facilities"][0].update(tier="village"), "tier"),
        (lambda p: p["policy"].update(links="ring"), "links"),
        (lambda p: p["facilities"][1].update(parent="nobody"), "unknown facility"),
    ],
)
def test_bad_input_is_one_clear_error(mutate, message):
    problem = worked()
    mutate(problem)
    with pytest.raises(ProblemError, match=message) as excinfo:
        solve(problem)
    assert "\n" not in str(excinfo.value)
