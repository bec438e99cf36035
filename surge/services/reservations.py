"""Promising stock to approved orders: Balance.reserved, changed only under the row's lock."""

from datetime import datetime

from sqlalchemy import exists, func, literal, or_, update
from sqlmodel import Session, select

from inventory.models import Balance, Movement, MovementKind, ReserveForm
from inventory.services.ledger_sql import locked_balance
from surge.models import AllocationOrder, AllocationOrderLine

_BALANCE = Balance.__table__


def lock_available(session: Session, facility_id: int, item_id: int, lot_id: int):
    """(balance id, units neither issued nor promised) of a physical lot, locked until commit."""
    row = locked_balance(session, facility_id, item_id, lot_id, ReserveForm.PHYSICAL)
    return (None, 0) if row is None else (row.id, row.quantity - row.reserved)


def change_reserved(session: Session, balance_id: int, delta: int) -> None:
    """Promise (delta > 0) or release units of a locked balance row; the row's check
    constraint (0 <= reserved <= quantity) refuses anything else."""
    b = _BALANCE.c
    session.connection().execute(
        update(_BALANCE).where(b.id == balance_id).values(reserved=b.reserved + delta)
    )


def release_all(session: Session, order: AllocationOrder, lines, lots) -> None:
    """Give back every unit the order's lots still hold."""
    item_of = {line.id: line.item_id for line in lines}
    for row in lots:
        if row.reserved:
            balance_id, _available = lock_available(
                session, order.from_facility_id, item_of[row.line_id], row.lot_id
            )
            if balance_id is not None:
                change_reserved(session, balance_id, -row.reserved)
            row.reserved = 0
            session.add(row)


def reserved_at(at: datetime, ids: list[int] | None):
    """A query of (facility_id, item_id, reserved): units promised to approved orders at `at`
    (the sender's stock at a past instant leaves them out: inventory/services/history.py)."""
    o, line = AllocationOrder.__table__.c, AllocationOrderLine.__table__.c
    m = Movement.__table__.c
    left = exists(
        select(literal(1)).where(
            m.order_ref == o.number,
            m.kind == MovementKind.TRANSFER_OUT,
            m.occurred_at < at,
        )
    )
    query = (
        select(o.from_facility_id, line.item_id, func.sum(line.quantity))
        .select_from(AllocationOrder.__table__.join(AllocationOrderLine.__table__))
        .where(
            o.approved_at.is_not(None),
            o.approved_at < at,
            or_(o.dispatched_at.is_(None), o.dispatched_at >= at),
            or_(o.cancelled_at.is_(None), o.cancelled_at >= at),
            ~left,
        )
        .group_by(o.from_facility_id, line.item_id)
    )
    if ids is not None:
        query = query.where(o.from_facility_id.in_(ids))
    return query
