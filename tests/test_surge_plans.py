"""Plans from scenarios on live balances: optimal, adjustable within the rules, then frozen."""

from datetime import date

import pytest
from sqlmodel import select

import optimizer
from core.errors import Conflict, Forbidden, ValidationError
from inventory.models import Facility
from surge.models import PlanStatus, PlanUnmet
from surge.services import plan_cover, planning, scenarios
from tests.factories import receive
from tests.surge_factories import START, surge_setup


def test_the_problem_is_built_from_usable_stock_and_the_surge(session):
    s = surge_setup(session)
    # an expired lot at C and stock reserved elsewhere are not usable
    receive(session, s["net"]["C"], s["item"], 70, lot_no="OLD", expiry=date(2026, 1, 1))
    built = planning.build_problem(session, s["scenario"], today=START)
    stock = {(r["facility"], r["item"]): r for r in built.problem["stock"]}
    assert stock[("C", "PPE-N95")]["on_hand"] == 1000
    assert stock[("A", "PPE-N95")]["daily_need"] == 50  # 10 × 5 in the surge
    assert stock[("B", "PPE-N95")]["daily_need"] == 10  # outside the surge
    assert stock[("K", "PPE-N95")]["on_hand"] == 2000
    assert built.affected == {s["net"]["A"].id}
    assert built.problem["policy"]["bands"][-1]["below_days"] == 10
    facilities = {f["id"]: f for f in built.problem["facilities"]}
    assert facilities["A"]["parent"] == "K" and facilities["A"]["floor_days"] == 10


def test_a_lot_expiring_before_the_surge_starts_is_not_usable(session):
    s = surge_setup(session)
    receive(session, s["net"]["B"], s["item"], 40, lot_no="SOON", expiry=date(2026, 12, 1))
    s["scenario"].start_date = date(2026, 12, 10)
    built = planning.build_problem(session, s["scenario"], today=START)
    stock = {(r["facility"], r["item"]): r for r in built.problem["stock"]}
    assert stock[("B", "PPE-N95")]["on_hand"] == 60


def test_the_target_is_capped_by_the_horizon():
    assert planning.bands(10) == [
        {"below_days": 3, "cost_per_day": 100.0},
        {"below_days": 7, "cost_per_day": 10.0},
        {"below_days": 10, "cost_per_day": 1.0},
    ]
    assert planning.bands(1) == [{"below_days": 1, "cost_per_day": 100.0}]
    scenario = type("S", (), {"target_days": 30, "horizon_days": 14})()
    assert planning.target_days(scenario) == 14


def test_plan_lifts_the_surge_depot_to_target_and_is_optimal(session):
    s = surge_setup(session)
    plan = planning.create_plan(session, s["users"]["dispatcher"], s["scenario"].id, today=START)
    session.commit()
    # A needs 500 units to hold 10 days of 50/day; the city and the county can give them
    assert plan.shortage_before > 0
    assert plan.shortage_cost == pytest.approx(0.0)
    lines = planning.transfers_of(session, plan.id)
    into_a = sum(t.quantity for t in lines if t.to_facility_id == s["net"]["A"].id)
    assert into_a == 500
    assert session.exec(select(PlanUnmet).where(PlanUnmet.plan_id == plan.id)).all() == []
    # the independent check: solving the stored problem again gives the same S and R
    again = optimizer.solve(plan.problem)
    assert again["shortage_cost"] == pytest.approx(plan.shortage_cost, abs=1e-9)
    assert again["transport_cost"] == pytest.approx(plan.transport_cost, rel=1e-3)
    rows, summary = plan_cover.cover_changes(session, plan)
    a = next(c for c in summary if c.facility.code == "A")
    assert a.affected and a.worst_before == 0 and a.worst_after == pytest.approx(10)
    assert a.received == 500


def test_adjusting_a_line_recosts_the_plan_and_lists_the_unmet_need(session):
    s = surge_setup(session)
    plan = planning.create_plan(session, s["users"]["dispatcher"], s["scenario"].id, today=START)
    line = next(t for t in planning.transfers_of(session, plan.id) if t.quantity >= 100)
    cut = line.quantity - 100
    planning.adjust_transfer(session, s["users"]["dispatcher"], plan.id, line.id, cut)
    session.commit()
    assert plan.adjusted and plan.shortage_cost > plan.optimal_shortage
    unmet = session.exec(select(PlanUnmet).where(PlanUnmet.plan_id == plan.id)).all()
    assert [(u.facility_id, u.quantity) for u in unmet] == [(line.to_facility_id, 100)]
    # putting it back restores the optimum
    planning.adjust_transfer(session, s["users"]["dispatcher"], plan.id, line.id, cut + 100)
    assert not plan.adjusted and plan.shortage_cost == pytest.approx(0.0)


@pytest.mark.parametrize("quantity", [-1, 1.5, "10", True, 1801])
def test_an_adjustment_that_breaks_a_rule_is_refused_and_changes_nothing(session, quantity):
    s = surge_setup(session)
    plan = planning.create_plan(session, s["users"]["dispatcher"], s["scenario"].id, today=START)
    session.commit()
    k = s["net"]["K"].id
    line = (
        next((t for t in planning.transfers_of(session, plan.id) if t.from_facility_id == k), None)
        or planning.transfers_of(session, plan.id)[0]
    )
    before = (line.quantity, plan.shortage_cost)
    with pytest.raises(ValidationError) as err:
        planning.adjust_transfer(session, s["users"]["dispatcher"], plan.id, line.id, quantity)
    session.rollback()
    assert "quantity" in err.value.fields
    session.refresh(line)
    session.refresh(plan)
    assert (line.quantity, plan.shortage_cost) == before


def test_an_adjustment_above_the_donor_floor_names_the_donor(session):
    s = surge_setup(session)
    plan = planning.create_plan(session, s["users"]["dispatcher"], s["scenario"].id, today=START)
    line = planning.transfers_of(session, plan.id)[0]
    with pytest.raises(ValidationError) as err:
        planning.adjust_transfer(session, s["users"]["dispatcher"], plan.id, line.id, 5000)
    donor = session.get(Facility, line.from_facility_id)
    assert donor.name in err.value.message and "1800" in err.value.message  # K keeps 200


def test_only_dispatchers_plan_and_adjust(session):
    s = surge_setup(session)
    for who in ("viewer", "clerk_a"):
        with pytest.raises(Forbidden):
            planning.create_plan(session, s["users"][who], s["scenario"].id, today=START)
    plan = planning.create_plan(session, s["users"]["dispatcher"], s["scenario"].id, today=START)
    line = planning.transfers_of(session, plan.id)[0]
    with pytest.raises(Forbidden):
        planning.adjust_transfer(session, s["users"]["viewer"], plan.id, line.id, 1)


def test_a_discarded_plan_cannot_change(session):
    s = surge_setup(session)
    plan = planning.create_plan(session, s["users"]["dispatcher"], s["scenario"].id, today=START)
    planning.discard(session, s["users"]["dispatcher"], plan.id)
    assert plan.status == PlanStatus.DISCARDED
    line = planning.transfers_of(session, plan.id)[0]
    with pytest.raises(Conflict):
        planning.adjust_transfer(session, s["users"]["dispatcher"], plan.id, line.id, 1)


def test_hierarchy_links_forbid_a_cousin_route(session):
    s = surge_setup(session)
    s["scenario"].links = "hierarchy"
    plan = planning.create_plan(session, s["users"]["dispatcher"], s["scenario"].id, today=START)
    net = s["net"]
    for t in planning.transfers_of(session, plan.id):
        # A's parent is K, its sibling B; the city is K's parent, not A's
        assert (t.from_facility_id, t.to_facility_id) != (net["C"].id, net["A"].id)


@pytest.mark.parametrize(
    "field, change",
    [
        ("name", {"name": "  "}),
        ("region_codes", {"region_codes": [], "facility_ids": []}),
        ("region_codes", {"region_codes": ["999999"]}),
        ("multiplier", {"multiplier": -1}),
        ("multiplier", {"multiplier": float("nan")}),
        ("horizon_days", {"horizon_days": 0}),
        ("target_days", {"target_days": 1000}),
        ("start_date", {"start_date": None}),
        ("links", {"links": "teleport"}),
        ("max_distance_km", {"max_distance_km": -5}),
        ("road_factor", {"road_factor": 0.5}),
        ("floor_county", {"floor_days": {"county": -1}}),
        ("extra_drugs", {"category_rules": {"drugs": {"extra": -3}}}),
    ],
)
def test_a_bad_scenario_is_refused_with_a_field_message(session, field, change):
    s = surge_setup(session)
    data = scenarios.as_input(s["scenario"])
    for key, value in change.items():
        setattr(data, key, value)
    count = len(scenarios.listing(session, s["users"]["dispatcher"]))
    with pytest.raises(ValidationError) as err:
        scenarios.create(session, s["users"]["dispatcher"], data)
    session.rollback()
    assert field in err.value.fields
    assert len(scenarios.listing(session, s["users"]["dispatcher"])) == count


def test_category_rules_raise_need_per_category(session):
    s = surge_setup(session)
    data = scenarios.as_input(s["scenario"])
    data.multiplier = 1.0
    data.category_rules = {"protection": {"multiplier": 3, "extra": 5}}
    scenario = scenarios.create(session, s["users"]["dispatcher"], data)
    built = planning.build_problem(session, scenario, today=START)
    a = next(r for r in built.problem["stock"] if r["facility"] == "A")
    assert a["daily_need"] == 10 * 3 + 5


def test_scenarios_include_every_depot_below_a_county(session):
    s = surge_setup(session)
    data = scenarios.as_input(s["scenario"])
    data.region_codes = ["330602"]
    scenario = scenarios.create(session, s["users"]["dispatcher"], data)
    net = s["net"]
    assert scenarios.affected_facility_ids(session, scenario) == {
        net["K"].id,
        net["A"].id,
        net["B"].id,
    }
