"""Burn rates over 7/14/28 days, expiry horizons, and rotation advice, with known answers."""

from datetime import date, datetime, time, timedelta

import pytest

from core.timeutil import SHANGHAI
from inventory.services import catalog, movements
from inventory.services.expiry import expiring_lots, rotation_advice
from inventory.services.usage import burn_rates
from tests.factories import make_item, make_network, receive

TODAY = date(2026, 11, 23)


def _at(days_ago: int) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), time(10, 0), SHANGHAI)


@pytest.fixture
def depot(session):
    f = make_network(session)
    item = make_item(session)
    catalog.set_norm(session, f["A"], item, 10, basis="t", source="t")
    receive(session, f["A"], item, 10_000, lot_no="BIG", expiry=date(2030, 1, 1))
    return f["A"], item


def test_burn_rate_windows_and_norm_comparison(session, depot):
    a, item = depot
    # 30 a day for the last 7 days, 5 a day the 21 days before, and one issue 40 days ago
    for days_ago in range(7):
        movements.issue(
            session, None, facility_id=a.id, item_id=item.id, quantity=30, occurred_at=_at(days_ago)
        )
    for days_ago in range(7, 28):
        movements.issue(
            session, None, facility_id=a.id, item_id=item.id, quantity=5, occurred_at=_at(days_ago)
        )
    movements.issue(
        session, None, facility_id=a.id, item_id=item.id, quantity=999, occurred_at=_at(40)
    )
    rate = burn_rates(session, today=TODAY)[(a.id, item.id)]
    assert rate.per_day[7] == pytest.approx(30)
    assert rate.per_day[14] == pytest.approx((210 + 35) / 14)
    assert rate.per_day[28] == pytest.approx((210 + 105) / 28)
    assert rate.ratio_to_norm == pytest.approx(3.0) and rate.above_norm
    assert rate.days_at_burn(300) == pytest.approx(10)


def test_no_issues_means_no_burn_and_no_days_at_burn(session, depot):
    a, item = depot
    rate = burn_rates(session, today=TODAY)[(a.id, item.id)]
    assert rate.current == 0 and not rate.above_norm and rate.days_at_burn(100) is None


def test_transfers_are_not_consumption(session, depot):
    a, item = depot
    movements.transfer_out(
        session,
        None,
        facility_id=a.id,
        item_id=item.id,
        quantity=70,
        to_facility_id=a.parent_id,
        occurred_at=_at(1),
    )
    assert burn_rates(session, today=TODAY)[(a.id, item.id)].current == 0


def test_expiring_lots_by_horizon(session, depot):
    a, item = depot
    for lot_no, days in (("X-20", 20), ("X-60", 60), ("X-150", 150), ("X-400", 400), ("X-OLD", -3)):
        receive(session, a, item, 10, lot_no=lot_no, expiry=TODAY + timedelta(days=days))
    rows = expiring_lots(session, today=TODAY)
    assert [(r.lot.lot_no, r.horizon) for r in rows] == [
        ("X-OLD", None),
        ("X-20", 30),
        ("X-60", 90),
        ("X-150", 180),
    ]
    assert [
        r.lot.lot_no
        for r in expiring_lots(session, today=TODAY, within_days=30, include_expired=False)
    ] == ["X-20"]


def test_rotation_advice_uses_lots_first_expiry_first(session):
    f = make_network(session)
    item = make_item(session)
    a = f["A"]
    # 10 a day; lot A expires in 10 days with 150 units, lot B in 20 days with 150 units
    receive(session, a, item, 150, lot_no="A", expiry=TODAY + timedelta(days=10))
    receive(session, a, item, 150, lot_no="B", expiry=TODAY + timedelta(days=20))
    for days_ago in range(7):
        movements.issue(
            session, None, facility_id=a.id, item_id=item.id, quantity=10, occurred_at=_at(days_ago)
        )
    rates = burn_rates(session, today=TODAY)
    # after 70 issued FEFO from A: A has 80 left, B 150
    advice = {x.lot.lot_no: x.at_risk for x in rotation_advice(session, rates, today=TODAY)}
    # A: 100 usable in 10 days, 80 on hand: nothing at risk;
    # B: 200 usable by day 20 minus 80 taken by A = 120 of 150: 30 at risk
    assert advice == {"B": 30}


def test_burn_rate_days_are_shanghai_days_on_every_engine(session, depot):
    # 04:30 on the 24th in Shanghai is 20:30 on the 23rd in UTC: an issue of the 24th
    a, item = depot
    early = datetime.combine(TODAY + timedelta(days=1), time(4, 30), SHANGHAI)
    movements.issue(
        session, None, facility_id=a.id, item_id=item.id, quantity=70, occurred_at=early
    )
    assert (a.id, item.id) not in burn_rates(session, today=TODAY) or (
        burn_rates(session, today=TODAY)[(a.id, item.id)].per_day[7] == 0
    )
    assert burn_rates(session, today=TODAY + timedelta(days=1))[(a.id, item.id)].per_day[7] == 10
