"""Expiry and rotation (有序流转): lots expiring soon, and stock that will expire unused."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from core.timeutil import local_today
from inventory.models import Balance, Lot, ReserveForm
from inventory.rules.expiry import usable_clause
from inventory.rules.stock import available
from inventory.services import history
from inventory.services.usage import BurnRate

HORIZONS = (30, 90, 180)


@dataclass
class ExpiringLot:
    """A lot with stock that expires within the longest horizon (or has expired)."""

    facility_id: int
    item_id: int
    lot: Lot
    quantity: int
    days_left: int

    @property
    def horizon(self) -> int | None:
        """The smallest of 30 / 90 / 180 days it falls within (None if already expired)."""
        if self.days_left < 0:
            return None
        return next(h for h in HORIZONS if self.days_left <= h)


def expiring_lots(
    session: Session,
    *,
    facility_ids: list[int] | None = None,
    within_days: int = max(HORIZONS),
    today: date | None = None,
    include_expired: bool = True,
    at: datetime | None = None,
) -> list[ExpiringLot]:
    """Physical lots with stock expiring within `within_days`, soonest first.

    With `at` (a past instant), the lots' stock as it stood then, from the ledger; `today`
    should then be the day `at` falls in.
    """
    today = today or local_today()
    if at is None:
        held = Balance
    else:
        held = history.lot_quantities_at(at, facility_ids).c
    query = (
        select(held.facility_id, held.item_id, Lot, held.quantity)
        .join(Lot, Lot.id == held.lot_id)
        .where(
            held.quantity > 0,
            held.form == ReserveForm.PHYSICAL,
            Lot.expiry.is_not(None),
            Lot.expiry <= today + timedelta(days=within_days),
        )
    )
    if not include_expired:
        query = query.where(usable_clause(Lot.expiry, today))
    if facility_ids is not None:
        query = query.where(held.facility_id.in_(facility_ids))
    rows = [
        ExpiringLot(fid, iid, lot, qty, (lot.expiry - today).days)
        for fid, iid, lot, qty in session.exec(query)
    ]
    return sorted(rows, key=lambda r: (r.days_left, r.facility_id, r.item_id))


@dataclass
class RotationAdvice:
    """Units of a lot that will expire before the depot can use them at its current rate."""

    facility_id: int
    item_id: int
    lot: Lot
    quantity: int
    at_risk: int
    days_left: int


def rotation_advice(
    session: Session,
    rates: dict[tuple[int, int], BurnRate],
    *,
    facility_ids: list[int] | None = None,
    today: date | None = None,
) -> list[RotationAdvice]:
    """Lots that first-expiry-first-out use at the current burn rate will not finish in time.

    Lots are used in expiry order: a lot's units usable before it expires are what the burn
    rate consumes by its expiry date minus what the earlier-expiring lots take first.
    """
    today = today or local_today()
    query = (
        select(Balance.facility_id, Balance.item_id, Lot, Balance.quantity, Balance.reserved)
        .join(Lot, Lot.id == Balance.lot_id)
        .where(Balance.quantity > 0, Balance.form == ReserveForm.PHYSICAL)
    )
    if facility_ids is not None:
        query = query.where(Balance.facility_id.in_(facility_ids))
    lots: dict[tuple[int, int], list] = {}
    for fid, iid, lot, qty, reserved in session.exec(query):
        if lot.expiry is None or lot.is_expired(today):
            continue
        lots.setdefault((fid, iid), []).append((lot, available(qty, reserved)))
    advice = []
    for key, entries in lots.items():
        rate = rates.get(key)
        per_day = rate.current if rate else 0.0
        used_before = 0.0
        for lot, qty in sorted(entries, key=lambda e: (e[0].expiry, e[0].id)):
            days_left = (lot.expiry - today).days
            can_use = max(0.0, per_day * days_left - used_before)
            at_risk = max(0, int(round(qty - min(qty, can_use))))
            used_before += min(qty, can_use)
            if at_risk > 0 and days_left <= max(HORIZONS):
                advice.append(RotationAdvice(*key, lot, qty, at_risk, days_left))
    return sorted(advice, key=lambda a: (a.days_left, -a.at_risk))
