"""Posting to the append-only ledger, keeping balances equal to it, and checking that they are."""

import logging
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from errors import Conflict, ValidationError
from inventory.models import Balance, Facility, Item, Lot, Movement, MovementKind, ReserveForm
from timeutil import utcnow

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Posting:
    """One signed change to one (facility, item, lot, form) balance."""

    facility_id: int
    item_id: int
    lot_id: int
    form: str
    kind: str
    quantity: int
    user_id: int | None = None
    reason: str = ""
    note: str = ""
    counterpart_facility_id: int | None = None
    order_ref: str | None = None
    reverses_id: int | None = None
    occurred_at: datetime | None = None
    idempotency_key: str | None = None


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    return pg_insert if dialect == "postgresql" else sqlite_insert


def get_or_create_lot(session: Session, item: Item, lot_no: str, expiry: date | None) -> Lot:
    """The item's lot with this number; a new lot needs its expiry when the item expires."""
    lot_no = lot_no.strip()
    if not lot_no:
        raise ValidationError(_("A lot number is required."), field="lot_no")
    lot = session.exec(select(Lot).where(Lot.item_id == item.id, Lot.lot_no == lot_no)).first()
    if lot is not None:
        if expiry is not None and lot.expiry is not None and expiry != lot.expiry:
            raise ValidationError(
                _(
                    "Lot %(lot)s is already recorded with expiry %(expiry)s.",
                    lot=lot_no,
                    expiry=lot.expiry.isoformat(),
                ),
                field="expiry",
            )
        return lot
    if item.shelf_life_days is not None and expiry is None:
        raise ValidationError(_("This item expires: give the lot's expiry date."), field="expiry")
    stmt = (
        _insert(session)(Lot)
        .values(item_id=item.id, lot_no=lot_no, expiry=expiry)
        .on_conflict_do_nothing(index_elements=["item_id", "lot_no"])
    )
    session.execute(stmt)
    return session.exec(select(Lot).where(Lot.item_id == item.id, Lot.lot_no == lot_no)).one()


def lock_balance(
    session: Session, facility_id: int, item_id: int, lot_id: int, form: str
) -> Balance:
    """The balance row for the key, created if new, locked until the transaction ends."""
    key = {"facility_id": facility_id, "item_id": item_id, "lot_id": lot_id, "form": form}
    stmt = (
        _insert(session)(Balance)
        .values(**key, quantity=0, reserved=0, updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=list(key))
    )
    session.execute(stmt)
    query = select(Balance).filter_by(**key).with_for_update()
    # populate_existing: another transaction may have changed the row since we last read it
    return session.exec(query.execution_options(populate_existing=True)).one()


def find_by_key(session: Session, key: str) -> Movement | None:
    """The movement posted earlier under this idempotency key."""
    return session.exec(select(Movement).where(Movement.idempotency_key == key)).first()


def post(session: Session, posting: Posting) -> Movement:
    """Append one ledger row and move its balance by the same amount, atomically.

    :raises Conflict: the balance would go below zero or below what orders reserved.
    """
    if posting.idempotency_key:
        earlier = find_by_key(session, posting.idempotency_key)
        if earlier is not None:
            return earlier
    if posting.form not in set(ReserveForm):
        raise ValidationError(_("Unknown reserve form."), field="form")
    if posting.kind not in set(MovementKind):
        raise ValidationError(_("Unknown movement type."), field="kind")
    if posting.quantity == 0:
        raise ValidationError(_("The quantity must not be zero."), field="quantity")
    balance = lock_balance(
        session, posting.facility_id, posting.item_id, posting.lot_id, posting.form
    )
    new_quantity = balance.quantity + posting.quantity
    if new_quantity < balance.reserved:
        raise Conflict(
            _(
                "Not enough stock: %(available)s available, %(wanted)s requested.",
                available=balance.available,
                wanted=-posting.quantity,
            ),
            field="quantity",
        )
    now = utcnow()
    movement = Movement(
        facility_id=posting.facility_id,
        item_id=posting.item_id,
        lot_id=posting.lot_id,
        form=posting.form,
        kind=posting.kind,
        quantity=posting.quantity,
        balance_after=new_quantity,
        reason=posting.reason,
        note=posting.note,
        counterpart_facility_id=posting.counterpart_facility_id,
        order_ref=posting.order_ref,
        reverses_id=posting.reverses_id,
        user_id=posting.user_id,
        occurred_at=posting.occurred_at or now,
        recorded_at=now,
        idempotency_key=posting.idempotency_key,
    )
    try:
        # a savepoint, so a concurrent post with the same key costs only this insert
        with session.begin_nested():
            session.add(movement)
            session.flush()
    except IntegrityError:
        if posting.idempotency_key:
            earlier = find_by_key(session, posting.idempotency_key)
            if earlier is not None:
                return earlier
        raise
    balance.quantity = new_quantity
    balance.last_movement_id = movement.id
    balance.updated_at = now
    session.add(balance)
    session.flush()
    logger.info(
        "Posted %s %+d of item %s lot %s at facility %s (user %s)",
        posting.kind,
        posting.quantity,
        posting.item_id,
        posting.lot_id,
        posting.facility_id,
        posting.user_id,
    )
    return movement


@dataclass(frozen=True)
class LedgerDifference:
    """A balance that does not equal the sum of its ledger rows."""

    facility_id: int
    item_id: int
    lot_id: int
    form: str
    balance: int
    ledger: int


def verify_ledger(session: Session) -> list[LedgerDifference]:
    """Every (facility, item, lot, form) whose balance differs from its ledger sum."""
    key = (Movement.facility_id, Movement.item_id, Movement.lot_id, Movement.form)
    sums = {
        tuple(row[:4]): int(row[4])
        for row in session.exec(select(*key, func.sum(Movement.quantity)).group_by(*key))
    }
    balances = {
        (b.facility_id, b.item_id, b.lot_id, b.form): b.quantity
        for b in session.exec(select(Balance))
    }
    differences = []
    for k in sorted(set(sums) | set(balances)):
        ledger, balance = sums.get(k, 0), balances.get(k, 0)
        if ledger != balance:
            differences.append(LedgerDifference(*k, balance=balance, ledger=ledger))
    return differences


def facility_item(session: Session, facility_id: int, item_id: int) -> tuple[Facility, Item]:
    """Both rows, or a validation error naming the missing one."""
    facility = session.get(Facility, facility_id)
    item = session.get(Item, item_id)
    errors = {}
    if facility is None or not facility.active:
        errors["facility"] = _("Unknown depot.")
    if item is None or not item.active:
        errors["item"] = _("Unknown item.")
    if errors:
        raise ValidationError(next(iter(errors.values())), fields=errors)
    return facility, item
