"""The weekly report's figures: against the readiness services on a hand-made network, the
week as it stood at its end, a county's report, the orders of the week, the change against
stored snapshots (the PDF, the CLI and the archive: tests/test_weekly_report_pdf.py)."""

from datetime import date, datetime, timedelta

import pytest

from core.timeutil import SHANGHAI
from inventory.services import corrections, ledger
from inventory.services.expiry import expiring_lots
from inventory.services.readiness import compute_readiness, facilities_in_county
from reports.snapshots import take_snapshots
from reports.weekly import build_weekly_report
from tests.factories import receive
from tests.weekly_report_world import (
    NOW,
    THIS_WEEK,
    TODAY,
    WEEK,
    build,
    order,
    shanghai,
)


def test_report_figures_equal_the_readiness_services(session):
    f, n95, gloves = build(session)
    rep = build_weekly_report(session, WEEK, today=TODAY, now=NOW)
    # nothing moved after the week: its end looks like today
    assert rep.figures_at == WEEK.end and rep.as_of == WEEK.sunday and not rep.live
    r = compute_readiness(session, today=TODAY)
    # by hand: 4 judged pairs (A, B, Q N95; C gloves); A red, Q stock-out: 2 of 4 meet 10 d
    h = rep.headline
    assert (h.judged, h.meets_physical, h.red, h.stock_outs) == (4, 2, 2, 1)
    assert h.share_physical == 0.5 == r.city.share_physical
    assert h.share_short == r.city.share_short == 0.5  # B 200 d and C 50 d meet 30 d
    assert h.share_long == r.city.share_long == 0.25  # only B meets 90 d
    # catalog: A, B, K hold? K holds nothing; A, B hold N95; Q holds nothing; C holds gloves
    assert h.catalog_coverage == r.city.catalog_coverage == 3 / 5
    for tier, roll in r.by_tier.items():
        assert vars(rep.readiness.by_tier[tier]) == vars(roll)
    groups = {g.key: g for g in rep.groups}
    assert set(groups) == {"city", "330602", "330603"}
    for key, g in groups.items():
        assert vars(g.roll) == vars(r.by_county[key])
    assert (groups["330602"].depots, groups["330603"].depots, groups["city"].depots) == (3, 1, 1)
    assert groups["330603"].name == "柯桥区" and groups["330603"].roll.stock_outs == 1
    assert [(c.facility_id, c.item_id) for c in rep.red_list] == [
        (c.facility_id, c.item_id) for c in r.red_list()
    ]
    assert [(d.facility_id, len(d.covers)) for d in rep.red_by_depot()] == [
        (f["Q"].id, 1),
        (f["A"].id, 1),
    ]
    expiring = expiring_lots(session, within_days=90, today=TODAY, include_expired=False)
    assert [e.lot.id for e in rep.expiring] == [e.lot.id for e in expiring]
    (soon,) = rep.expiring_by_item()
    assert (soon.item_id, soon.lots, soon.within_soon, soon.later) == (n95.id, 1, 500, 0)
    # the week before, rebuilt from the ledger: nothing had been received by its end
    assert rep.previous_at == WEEK.start and rep.previous_day == date(2026, 11, 15)
    assert (rep.previous.judged, rep.previous.stock_outs) == (4, 4)
    assert rep.changes()[0].delta == pytest.approx(50.0)


def post(session, facility, item, lot_no, qty, kind, when, **extra):
    lot = ledger.find_lot(session, item.id, lot_no)
    return ledger.post(
        session,
        ledger.Posting(
            facility_id=facility.id,
            item_id=item.id,
            lot_id=lot.id,
            form="physical",
            kind=kind,
            quantity=qty,
            occurred_at=when,
            **extra,
        ),
    )


def test_a_past_week_is_reported_as_it_stood_at_its_end(session):
    """Movements after Sunday 24:00 do not change last week's figures; late entries, reversals
    and reservations are placed by when they took effect."""
    f, n95, gloves = build(session)
    # a mistake on Friday (A received 1,000 that never came), reversed on Tuesday
    wrong = receive(
        session, f["A"], n95, 1000, lot_no="A9", occurred_at=shanghai(2026, 11, 20, 15, 0)
    )
    corrections.reverse(session, None, wrong.id, note="typed twice")
    # entered on Tuesday, happened on Sunday evening (a Beijing-time value, as the API sends)
    receive(
        session,
        f["Q"],
        n95,
        300,
        lot_no="Q1",
        occurred_at=datetime(2026, 11, 22, 23, 0, tzinfo=SHANGHAI),
    )
    # after the week: A receives at Monday 00:00 exactly, B issues from the expiring lot
    receive(session, f["A"], n95, 500, lot_no="A2", occurred_at=WEEK.end)
    post(session, f["B"], n95, "B2", -400, "issue", shanghai(2026, 11, 24, 8, 0))
    # gloves promised to an order on Saturday, dispatched on Monday
    order(
        session,
        "DL-R",
        f["C"],
        f["A"],
        gloves,
        4500,
        status="dispatched",
        issued_at=shanghai(2026, 11, 21, 9, 0),
        approved_at=shanghai(2026, 11, 21, 10, 0),
        dispatched_at=shanghai(2026, 11, 23, 9, 0),
    )
    monday = shanghai(2026, 11, 23, 9, 0)
    post(session, f["C"], gloves, "G1", -4500, "transfer_out", monday, order_ref="DL-R")

    rep = build_weekly_report(session, WEEK, today=TODAY, now=NOW)
    assert rep.figures_at == shanghai(2026, 11, 23, 0, 0) and rep.as_of == date(2026, 11, 22)
    covers = rep.readiness.covers
    stock = {k: covers[(f[k].id, n95.id)].physical for k in ("A", "B", "Q")}
    assert stock == {"A": 50, "B": 2000, "Q": 300}
    glove = covers[(f["C"].id, gloves.id)]
    assert (glove.physical, glove.reserved) == (500, 4500)  # 5,000 on the shelf, 4,500 promised
    h = rep.headline
    # A (5 days) and C (5 days usable) red; B and Q meet 10 days; nothing out of stock
    assert (h.judged, h.meets_physical, h.red, h.stock_outs) == (4, 2, 2, 0)
    assert {c.facility_id for c in rep.red_list} == {f["A"].id, f["C"].id}
    groups = {g.key: g.roll for g in rep.groups}
    assert (groups["330603"].meets_physical, groups["city"].red) == (1, 1)
    # B2's 500 units as they stood, 22 days before expiry counted from that Sunday
    (lot,) = rep.expiring
    assert (lot.lot.lot_no, lot.quantity, lot.days_left) == ("B2", 500, 22)

    # today the picture differs: the later movements count
    now = compute_readiness(session, today=TODAY).covers
    assert (now[(f["A"].id, n95.id)].physical, now[(f["B"].id, n95.id)].physical) == (550, 1600)
    assert now[(f["C"].id, gloves.id)].reserved == 0

    # the current week keeps the live figures
    live = build_weekly_report(session, THIS_WEEK, today=TODAY, now=NOW)
    assert live.live and live.as_of == TODAY
    assert vars(live.headline) == vars(compute_readiness(session, today=TODAY).city)


def test_county_report_covers_only_the_county(session):
    f, n95, _gloves = build(session)
    rep = build_weekly_report(session, WEEK, county="330602", today=TODAY)
    ids = facilities_in_county(session, "330602")
    r = compute_readiness(session, facility_ids=ids, today=TODAY)
    assert rep.scope_name == "越城区" and set(rep.readiness.facilities) == set(ids)
    assert vars(rep.headline) == vars(r.city)
    assert (rep.headline.judged, rep.headline.red) == (2, 1)
    assert [g.key for g in rep.groups] == ["K", "A", "B"]  # the county depot, then townships
    assert {g.key: vars(g.roll) for g in rep.groups} == {
        r.facilities[fid].code: vars(roll) for fid, roll in r.by_facility.items()
    }


def test_orders_of_the_week_by_event_and_boundary(session):
    f, n95, _gloves = build(session)
    order(session, "O-IN", f["C"], f["A"], n95, 10, issued_at=shanghai(2026, 11, 16, 0, 0))
    order(  # issued the week before, dispatched on Sunday night: dispatched only
        session,
        "O-DISP",
        f["B"],
        f["A"],
        n95,
        20,
        status="dispatched",
        issued_at=shanghai(2026, 11, 12, 9, 0),
        dispatched_at=shanghai(2026, 11, 22, 23, 59),
    )
    order(  # received at Monday 00:00 of the next week: not in this week
        session,
        "O-NEXT",
        f["C"],
        f["B"],
        n95,
        30,
        status="received",
        issued_at=shanghai(2026, 11, 10, 9, 0),
        dispatched_at=shanghai(2026, 11, 11, 9, 0),
        received_at=shanghai(2026, 11, 23, 0, 0),
    )
    order(session, "O-KQ", f["C"], f["Q"], n95, 5, issued_at=shanghai(2026, 11, 20, 8, 0))
    rep = build_weekly_report(session, WEEK, today=TODAY)
    numbers = {
        k: [w.order.number for w in getattr(rep.orders, k)]
        for k in ("issued", "dispatched", "received")
    }
    assert numbers == {"issued": ["O-IN", "O-KQ"], "dispatched": ["O-DISP"], "received": []}
    assert rep.orders.dispatched[0].quantity == 20
    county = build_weekly_report(session, WEEK, county="330602", today=TODAY)
    assert [w.order.number for w in county.orders.issued] == ["O-IN"]  # not the 柯桥区 order


def test_change_against_the_snapshot_a_week_before(session):
    """The current week (not yet ended): live figures, compared with a stored snapshot."""
    f, n95, _gloves = build(session)
    take_snapshots(session, day=TODAY - timedelta(days=7))
    receive(session, f["A"], n95, 100, lot_no="A2", expiry=date(2030, 1, 1))  # A: 15 days
    rep = build_weekly_report(session, THIS_WEEK, today=TODAY, now=NOW)
    assert rep.live and rep.figures_at is None and rep.previous_at is None
    assert rep.previous_day == TODAY - timedelta(days=7)
    assert (rep.previous.meets_physical, rep.headline.meets_physical) == (2, 3)
    change = {c.label: c for c in rep.changes()}
    assert change["physical:10"].delta == pytest.approx(25.0)  # 50 % -> 75 %
    assert change["red"].delta == -1
    groups = {g.key: g for g in rep.groups}
    assert groups["330602"].change("share_physical") == pytest.approx(50.0)  # 1/2 -> 2/2
    assert groups["330603"].change("share_physical") == 0
    # a snapshot only 3 days old is not "a week before"
    later = build_weekly_report(
        session, WEEK, today=TODAY - timedelta(days=4), now=shanghai(2026, 11, 20, 9, 0)
    )
    assert later.live and later.previous is None
