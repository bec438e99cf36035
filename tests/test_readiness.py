"""Cover, statuses, roll-ups and catalog coverage on hand-made data with known answers."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from inventory.models import Balance
from inventory.services import catalog
from inventory.services.cover import Status, Targets
from inventory.services.readiness import compute_readiness, facilities_in_county
from tests.factories import make_item, make_network, receive

TODAY = date(2026, 11, 23)
T = Targets(10, 30, 90)


@pytest.fixture
def net(session):
    f = make_network(session)
    n95 = make_item(session)
    suit = make_item(session, "PPE-SUIT", name_zh="防护服", name_en="Protective suit")
    vent = make_item(
        session,
        "EQP-VENT",
        name_zh="呼吸机",
        name_en="Ventilator",
        category="equipment",
        shelf_life_days=None,
        unit_kg=6.0,
    )
    catalog.set_catalog(session, "township", [n95.id, suit.id, vent.id])
    catalog.set_catalog(session, "county", [n95.id])
    return f, n95, suit, vent


def _cover(r, facility, item):
    return r.covers[(facility.id, item.id)]


def test_physical_days_exclude_expired_and_reserved(session, net):
    f, n95, _suit, _vent = net
    a = f["A"]
    catalog.set_norm(session, a, n95, 10, basis="t", source="t")
    receive(session, a, n95, 60, lot_no="GOOD", expiry=TODAY + timedelta(days=100))
    receive(session, a, n95, 100, lot_no="OLD", expiry=TODAY - timedelta(days=1))
    good = session.exec(select(Balance).where(Balance.quantity == 60)).one()
    good.reserved = 5
    session.add(good)
    session.flush()
    r = compute_readiness(session, today=TODAY, targets=T)
    c = _cover(r, a, n95)
    assert (c.physical, c.expired, c.reserved) == (55, 100, 5)
    assert c.physical_days == pytest.approx(5.5)
    assert c.status(T) == Status.RED


def test_no_norm_is_shown_not_divided(session, net):
    f, n95, _suit, _vent = net
    receive(session, f["A"], n95, 10)
    r = compute_readiness(session, today=TODAY, targets=T)
    c = _cover(r, f["A"], n95)
    assert c.physical_days is None and c.status(T) == Status.NO_NORM


def test_zero_stock_with_a_norm_is_a_stock_out(session, net):
    f, n95, _suit, _vent = net
    catalog.set_norm(session, f["B"], n95, 4, basis="t", source="t")
    r = compute_readiness(session, today=TODAY, targets=T)
    c = _cover(r, f["B"], n95)
    assert c.physical == 0 and c.physical_days == 0 and c.status(T) == Status.STOCK_OUT


def test_all_forms_count_agreement_and_capacity_after_lead_time(session, net):
    f, n95, _suit, _vent = net
    from inventory.services.catalog import set_capacity, upsert_enterprise

    k = f["K"]
    catalog.set_norm(session, k, n95, 100, basis="t", source="t")
    receive(session, k, n95, 1500)  # 15 physical days
    receive(session, k, n95, 1000, lot_no="XY", form="agreement")  # +10 days
    maker = upsert_enterprise(session, "E1", name="生产企业")
    set_capacity(session, k, n95, maker, units_per_day=50, lead_time_days=20)
    r = compute_readiness(session, today=TODAY, targets=T)
    c = _cover(r, k, n95)
    # within 30 days capacity delivers 50 × (30 − 20) = 500; within 90 days 50 × 70 = 3,500
    assert c.all_forms(30) == 3000 and c.all_forms_days(30) == pytest.approx(30.0)
    assert c.all_forms(90) == 6000 and c.all_forms_days(90) == pytest.approx(60.0)
    assert c.status(T) == Status.YELLOW


def test_capacity_with_lead_time_beyond_the_horizon_counts_nothing(session, net):
    f, n95, _suit, _vent = net
    from inventory.services.catalog import set_capacity, upsert_enterprise

    k = f["K"]
    catalog.set_norm(session, k, n95, 10, basis="t", source="t")
    receive(session, k, n95, 200)  # 20 days: physical met, 30 not
    maker = upsert_enterprise(session, "E2", name="远方企业")
    set_capacity(session, k, n95, maker, units_per_day=1000, lead_time_days=45)
    r = compute_readiness(session, today=TODAY, targets=T)
    c = _cover(r, k, n95)
    assert c.capacity_within(30) == 0 and c.status(T) == Status.AMBER
    assert c.capacity_within(90) == 45_000


def test_green_when_every_target_is_met(session, net):
    f, n95, _suit, _vent = net
    catalog.set_norm(session, f["A"], n95, 1, basis="t", source="t")
    receive(session, f["A"], n95, 90)
    r = compute_readiness(session, today=TODAY, targets=T)
    assert _cover(r, f["A"], n95).status(T) == Status.GREEN
    # the autumn/winter profile needs 30 physical days: 90 still meets it, 20 would not
    assert _cover(r, f["A"], n95).status(Targets(30, 30, 90)) == Status.GREEN


def test_rollups_sum_stock_over_usage_and_count_shares(session, net):
    f, n95, suit, _vent = net
    a, b = f["A"], f["B"]
    for fac, item, usage, qty in (
        (a, n95, 10, 50),  # 5 days: red
        (a, suit, 5, 500),  # 100 days: green
        (b, n95, 10, 400),  # 40 days: yellow (30 met, 90 not)
    ):
        catalog.set_norm(session, fac, item, usage, basis="t", source="t")
        receive(session, fac, item, qty, lot_no=f"L-{fac.code}-{item.code}")
    r = compute_readiness(session, today=TODAY, targets=T)
    county = r.by_county["330602"]
    assert county.physical == 950 and county.usage == 25
    assert county.physical_days == pytest.approx(38.0)
    assert county.judged == 3
    assert (county.meets_physical, county.meets_short, county.meets_long) == (2, 2, 1)
    assert county.share_physical == pytest.approx(2 / 3)
    assert county.red == 1
    assert r.by_facility[a.id].worst == Status.RED
    assert r.by_tier["township"].judged == 3
    assert r.by_category["protection"].red == 1
    assert [(c.facility_id, c.item_id) for c in r.red_list()] == [(a.id, n95.id)]


def test_catalog_coverage_flags_depots_below_75_percent(session, net):
    f, n95, suit, vent = net
    receive(session, f["A"], n95, 5)
    receive(session, f["A"], suit, 5, lot_no="S")
    receive(session, f["A"], vent, 1, lot_no="V", expiry=None)
    receive(session, f["B"], n95, 5)
    r = compute_readiness(session, today=TODAY, targets=T)
    assert r.by_facility[f["A"].id].catalog_coverage == pytest.approx(1.0)
    assert r.by_facility[f["B"].id].catalog_coverage == pytest.approx(1 / 3)
    flagged = [fac.code for fac, _r in r.low_coverage()]
    assert "B" in flagged and "A" not in flagged


def test_county_drilldown_selects_county_and_township_depots(session, net):
    f, *_ = net
    ids = set(facilities_in_county(session, "330602"))
    assert ids == {f["K"].id, f["A"].id, f["B"].id}
