"""The weekly report's test world, shared by tests/test_weekly_report.py (the figures) and
tests/test_weekly_report_pdf.py (the PDF, the CLI, the archive, the English report): the week
reported on, Beijing times, the hand-made network (`build`) and allocation orders (`order`)."""

from datetime import UTC, date, datetime, timedelta

from core.timeutil import SHANGHAI
from inventory.services import catalog, network
from reports.weeks import IsoWeek
from surge.models import AllocationOrder, AllocationOrderLine
from tests.factories import make_item, make_network, receive

TODAY = date(2026, 11, 24)  # a Tuesday: the last complete week is 2026-W47 (16–22 Nov)
WEEK = IsoWeek(2026, 47)
THIS_WEEK = IsoWeek(2026, 48)


def shanghai(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)


IN_WEEK = shanghai(2026, 11, 18, 10, 0)  # Wednesday of 2026-W47
NOW = shanghai(2026, 11, 24, 9, 0)  # TODAY, 09:00 in Beijing


def build(session):
    """Two counties: 越城区 (K with townships A, B) and 柯桥区 (depot Q); the city depot C.

    N95 (township catalog, norm 10/day at A, B, Q): A holds 50 (5 days: red), B 2000
    (200 days), Q nothing (stock-out). Gloves at C: norm 100/day, 5000 (50 days: 30 met by
    physical stock, 90 not). A lot of B's expires in 20 days.
    """
    f = make_network(session)
    network.upsert_region(session, "330603", name="柯桥区", level="county", parent_code="330600")
    f["Q"] = network.upsert_facility(
        session,
        "Q",
        parent_code="C",
        name="柯桥区库",
        tier="county",
        region_code="330603",
        lon=120.49,
        lat=30.08,
        beds=100,
    )
    n95 = make_item(session)
    gloves = make_item(
        session, "PPE-GLOVE", name_zh="一次性医用手套", name_en="Gloves", criticality=3
    )
    catalog.set_catalog(session, "township", [n95.id])
    catalog.set_catalog(session, "county", [n95.id])
    catalog.set_catalog(session, "city", [gloves.id])
    for key in ("A", "B", "Q"):
        catalog.set_norm(session, f[key], n95, 10, basis="t", source="t")
    catalog.set_norm(session, f["C"], gloves, 100, basis="t", source="t")
    # received during the week reported on (a finished week is reported as at its end)
    at = IN_WEEK
    receive(session, f["A"], n95, 50, lot_no="A1", expiry=date(2030, 1, 1), occurred_at=at)
    receive(session, f["B"], n95, 1500, lot_no="B1", expiry=date(2030, 1, 1), occurred_at=at)
    receive(
        session, f["B"], n95, 500, lot_no="B2", expiry=TODAY + timedelta(days=20), occurred_at=at
    )
    receive(session, f["C"], gloves, 5000, lot_no="G1", expiry=date(2031, 1, 1), occurred_at=at)
    return f, n95, gloves


def order(session, number, src, dst, item, qty, **times):
    o = AllocationOrder(
        number=number,
        from_facility_id=src.id,
        to_facility_id=dst.id,
        status=times.pop("status", "draft"),
        **times,
    )
    session.add(o)
    session.flush()
    session.add(AllocationOrderLine(order_id=o.id, item_id=item.id, quantity=qty))
    session.flush()
    return o
