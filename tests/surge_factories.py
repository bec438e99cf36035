"""A small network in a surge, with users for every part of an order's life."""

from datetime import date

from sqlmodel import Session, select

from inventory.models import Balance, ReserveForm
from inventory.services import catalog
from surge.models import AllocationOrderLine, OrderStatus
from surge.services import orders, scenarios
from tests.factories import make_item, make_network, make_user, receive

START = date(2026, 11, 23)


def surge_setup(session: Session) -> dict:
    """City C, county K, townships A and B under K; A is hit by a fivefold surge.

    Norms (units/day): C 30, K 20, A 10 (×5 in the surge = 50), B 10.
    Stock: C 1000, K 2000, A 0, B 60. K may give 2000 − 10 × 20 = 1800 units.
    """
    net = make_network(session)
    item = make_item(session)
    for code, usage in (("C", 30), ("K", 20), ("A", 10), ("B", 10)):
        catalog.set_norm(session, net[code], item, usage, basis="test", source="test")
    receive(session, net["C"], item, 1000, lot_no="C-1")
    receive(session, net["K"], item, 1500, lot_no="K-LATE", expiry=date(2031, 1, 1))
    receive(session, net["K"], item, 500, lot_no="K-EARLY", expiry=date(2029, 1, 1))
    receive(session, net["B"], item, 60, lot_no="B-1")
    users = {
        "dispatcher": make_user(session, "disp", "dispatcher"),
        "viewer": make_user(session, "view", "viewer"),
        "clerk_c": make_user(session, "clerk_c", "clerk", [net["C"]]),
        "clerk_k": make_user(session, "clerk_k", "clerk", [net["K"]]),
        "clerk_a": make_user(session, "clerk_a", "clerk", [net["A"]]),
        "clerk_b": make_user(session, "clerk_b", "clerk", [net["B"]]),
    }
    scenario = scenarios.create(
        session,
        users["dispatcher"],
        scenarios.ScenarioInput(
            name="塔山街道疫情",
            start_date=START,
            region_codes=["330602001"],
            multiplier=5.0,
            horizon_days=14,
            target_days=10,
            links="distance",
            max_distance_km=60,
        ),
    )
    session.commit()
    return {"net": net, "item": item, "users": users, "scenario": scenario}


def on_hand(session: Session) -> int:
    """Physical units on every shelf of the network."""
    session.expire_all()
    rows = session.exec(select(Balance).where(Balance.form == ReserveForm.PHYSICAL)).all()
    return sum(b.quantity for b in rows)


def network_total(session: Session) -> int:
    """On hand + in transit + recorded discrepancies: constant through an order's life."""
    transit = sum(orders.in_transit(session).values())
    lost = sum(orders.discrepancies(session).values())
    return on_hand(session) + transit + lost


def reserved(session: Session, facility_id: int) -> int:
    session.expire_all()
    rows = session.exec(select(Balance).where(Balance.facility_id == facility_id)).all()
    return sum(b.reserved for b in rows)


def order_lines(session: Session, order_id: int) -> list[AllocationOrderLine]:
    return orders.lines_of(session, order_id)


__all__ = ["OrderStatus", "START", "network_total", "on_hand", "order_lines", "reserved"]
