"""Which lots to take: a depot's lots of an item on hand, and first-expiry-first-out picks."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from core.timeutil import local_today
from inventory.models import Balance, Lot, ReserveForm
from inventory.rules.stock import usable


@dataclass(frozen=True)
class LotPick:
    """Units to take from one lot."""

    lot: Lot
    quantity: int
    available: int


def lots_on_hand(
    session: Session, facility_id: int, item_id: int, form: str = ReserveForm.PHYSICAL
) -> list[tuple[Lot, Balance]]:
    """The depot's lots of an item with stock, first expiry first (no expiry last)."""
    rows = session.exec(
        select(Lot, Balance)
        .join(Balance, Balance.lot_id == Lot.id)
        .where(
            Balance.facility_id == facility_id,
            Balance.item_id == item_id,
            Balance.form == form,
            Balance.quantity > 0,
        )
    ).all()
    return sorted(rows, key=lambda r: (r[0].expiry is None, r[0].expiry or date.max, r[0].id))


def suggest_lots(
    session: Session, facility_id: int, item_id: int, quantity: int, *, today: date | None = None
) -> list[LotPick]:
    """First-expiry-first-out: which usable lots to take `quantity` units from."""
    today = today or local_today()
    picks, left = [], quantity
    for lot, balance in lots_on_hand(session, facility_id, item_id):
        units = usable(balance.quantity, balance.reserved, lot.is_expired(today))
        if units <= 0:
            continue
        take = min(left, units)
        picks.append(LotPick(lot, take, units))
        left -= take
        if left == 0:
            break
    return picks
