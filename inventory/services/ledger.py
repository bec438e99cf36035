"""Posting to the append-only ledger, keeping balances equal to it, and checking that they are."""

import logging
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, func
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, select

from core import db
from core.errors import Conflict, ValidationError
from core.timeutil import as_utc, utcnow
from inventory.models import Balance, Facility, Item, Lot, Movement, MovementKind, ReserveForm
from inventory.services import ledger_sql

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


_FIND_LOT = select(Lot.__table__.c.id).where(
    Lot.__table__.c.item_id == bindparam("item_id"), Lot.__table__.c.lot_no == bindparam("lot_no")
)
_LOT = select(Lot).where(Lot.item_id == bindparam("item_id"), Lot.lot_no == bindparam("lot_no"))

_FORMS = frozenset(ReserveForm)
_KINDS = frozenset(MovementKind)
_MOVEMENT = Movement.__table__
_FIND_KEY = select(_MOVEMENT.c.id).where(_MOVEMENT.c.idempotency_key == bindparam("key"))

LOT_NO_MAX = 64  # Lot.lot_no


def lot_clause(item_id_column):
    """An outer-join condition: the item's lot numbered `:lot_no`, so a query that loads the
    item can load the lot too (record what it found with `note_lot`)."""
    return and_(Lot.item_id == item_id_column, Lot.lot_no == bindparam("lot_no"))


def note_lot(session: Session, item_id: int, lot_no: str, lot: Lot | None) -> None:
    """Record what this unit of work read of the lot (None: no such lot); the note ends with
    the session's transaction (commit or rollback), so it is never older than the transaction."""
    db.note(session, "lot", (item_id, lot_no), lot)


def find_lot(session: Session, item_id: int, lot_no: str) -> Lot | None:
    """The item's lot with this number (surrounding spaces ignored), or None: one indexed
    lookup, unless this unit of work has already read it (`note_lot`)."""
    lot_no = lot_no.strip()
    lots = db.noted(session, "lot")
    if (item_id, lot_no) in lots:
        return lots[(item_id, lot_no)]
    return session.exec(_LOT, params={"item_id": item_id, "lot_no": lot_no}).first()


def get_or_create_lot(session: Session, item: Item, lot_no: str, expiry: date | None) -> Lot:
    """The item's lot with this number; a new lot needs its expiry when the item expires."""
    lot_no = lot_no.strip()
    if not lot_no:
        raise ValidationError(_("A lot number is required."), field="lot_no")
    if len(lot_no) > LOT_NO_MAX:
        raise ValidationError(
            _("A lot number has at most %(n)d characters.", n=LOT_NO_MAX), field="lot_no"
        )
    lot = find_lot(session, item.id, lot_no)
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
    connection = session.connection()
    connection.execute(
        ledger_sql.dialect_insert(session)(Lot.__table__).on_conflict_do_nothing(
            index_elements=["item_id", "lot_no"]
        ),
        {"item_id": item.id, "lot_no": lot_no, "expiry": expiry},
    )
    lot_id = connection.execute(_FIND_LOT, {"item_id": item.id, "lot_no": lot_no}).scalar_one()
    lot = session.get(Lot, lot_id)
    note_lot(session, item.id, lot_no, lot)
    return lot


def lock_balance(
    session: Session, facility_id: int, item_id: int, lot_id: int, form: str
) -> Balance:
    """The balance row for the key as an object, created if new, locked until commit."""
    ledger_sql.lock_row(session, facility_id, item_id, lot_id, form)
    key = {"facility_id": facility_id, "item_id": item_id, "lot_id": lot_id, "form": form}
    query = select(Balance).filter_by(**key)
    # populate_existing: another transaction may have changed the row since we last read it
    return session.exec(query.execution_options(populate_existing=True)).one()


def find_by_key(session: Session, key: str) -> Movement | None:
    """The movement posted earlier under this idempotency key."""
    movement_id = session.connection().execute(_FIND_KEY, {"key": key}).scalar()
    return None if movement_id is None else session.get(Movement, movement_id)


class KeyUsed(Exception):
    """`append` found the idempotency key already used: nothing was posted."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def post(session: Session, posting: Posting) -> Movement:
    """Append one ledger row and move its balance by the same amount, atomically.

    A posting whose idempotency key was used already returns the earlier row and posts nothing.

    :raises Conflict: the balance would go below zero or below what orders reserved.
    """
    if posting.idempotency_key:
        earlier = find_by_key(session, posting.idempotency_key)
        if earlier is not None:
            return earlier
    try:
        return append(session, posting)
    except KeyUsed:
        # a concurrent post with the same key committed first: return its row
        return find_by_key(session, posting.idempotency_key)


def _short(quantity: int, reserved: int, change: int) -> Conflict:
    return Conflict(
        _(
            "Not enough stock: %(available)s available, %(wanted)s requested.",
            available=quantity - reserved,
            wanted=-change,
        ),
        field="quantity",
    )


def _row_values(posting: Posting, now) -> dict:
    """The ledger row's columns; `balance_after` is filled in by the posting path."""
    return dict(
        facility_id=posting.facility_id,
        item_id=posting.item_id,
        lot_id=posting.lot_id,
        form=posting.form,
        kind=posting.kind,
        quantity=posting.quantity,
        balance_after=None,
        reason=posting.reason,
        note=posting.note,
        counterpart_facility_id=posting.counterpart_facility_id,
        order_ref=posting.order_ref,
        reverses_id=posting.reverses_id,
        user_id=posting.user_id,
        # stored in UTC: SQLite keeps no offset, so a Beijing-time value would shift by 8 hours
        occurred_at=as_utc(posting.occurred_at) if posting.occurred_at else now,
        recorded_at=now,
        idempotency_key=posting.idempotency_key,
    )


def append(session: Session, posting: Posting) -> Movement:
    """`post` without looking the idempotency key up first: the hot path of the whole system.

    In Core rather than through the ORM's unit of work, once the balance row exists: one
    statement on PostgreSQL (see `ledger_sql._post_pg`), three on SQLite (read the balance under the
    database's write lock, insert the ledger row, update the balance). The ledger row is
    inserted with ON CONFLICT DO NOTHING on the key, so a used key posts nothing and raises
    `KeyUsed` (the caller rolls back and answers with the earlier rows); callers that retry
    rarely save the lookup that `post` makes on every call.

    :raises Conflict: the balance would go below zero or below what orders reserved.
    :raises KeyUsed: the idempotency key was used already; the balance was not changed.
    """
    if posting.form not in _FORMS:
        raise ValidationError(_("Unknown reserve form."), field="form")
    if posting.kind not in _KINDS:
        raise ValidationError(_("Unknown movement type."), field="kind")
    if posting.quantity == 0:
        raise ValidationError(_("The quantity must not be zero."), field="quantity")
    session.flush()  # pending ORM changes (a new lot, say) go first; free when there are none
    now = utcnow()
    values = _row_values(posting, now)
    keyed = bool(posting.idempotency_key)
    # a post with a used key inserts nothing (a concurrent one waits for the first to end)
    if session.connection().dialect.name == "postgresql":
        balance_id, quantity, reserved, movement_id = ledger_sql.post_postgresql(
            session, values, keyed
        )
        new_quantity = quantity + posting.quantity
        if movement_id is None and new_quantity < reserved:
            raise _short(quantity, reserved, posting.quantity)
    else:
        balance_id, quantity, reserved = ledger_sql.lock_row(
            session, posting.facility_id, posting.item_id, posting.lot_id, posting.form
        )
        new_quantity = quantity + posting.quantity
        if new_quantity < reserved:
            raise _short(quantity, reserved, posting.quantity)
        values["balance_after"] = new_quantity
        movement_id = ledger_sql.post_sqlite(session, values, keyed, balance_id, now)
    if movement_id is None:
        raise KeyUsed(posting.idempotency_key)
    values["balance_after"] = new_quantity
    # a Balance object this session already holds is now stale
    cached = session.identity_map.get(identity_key(Balance, balance_id))
    if cached is not None:
        session.expire(cached)
    # DEBUG: the ledger row is the record, and the request that posted it is logged already
    logger.debug(
        "Posted %s %+d of item %s lot %s at facility %s (user %s)",
        posting.kind,
        posting.quantity,
        posting.item_id,
        posting.lot_id,
        posting.facility_id,
        posting.user_id,
    )
    return Movement(id=movement_id, **values)


@dataclass(frozen=True)
class LedgerDifference:
    """A balance that does not equal the sum of its ledger rows."""

    facility_id: int
    item_id: int
    lot_id: int
    form: str
    balance: int
    ledger: int

    def __str__(self) -> str:
        return (
            f"facility {self.facility_id} item {self.item_id} lot {self.lot_id} {self.form}: "
            f"balance {self.balance} != ledger {self.ledger}"
        )


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


def ledger_differences(session: Session) -> list[str]:
    """verify_ledger as lines, the integrity check a restored database must pass."""
    return [str(d) for d in verify_ledger(session)]
