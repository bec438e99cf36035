"""Promising stock to approved orders: Balance.reserved, changed only under the row's lock."""

from sqlalchemy import update
from sqlmodel import Session

from dispatch.models import AllocationOrder
from inventory.models import Balance, ReserveForm
from inventory.services import ledger

_BALANCE = Balance.__table__


def lock_available(session: Session, facility_id: int, item_id: int, lot_id: int):
    """(balance id, units neither issued nor promised) of a physical lot, locked until commit."""
    row = ledger.locked_balance(session, facility_id, item_id, lot_id, ReserveForm.PHYSICAL)
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
