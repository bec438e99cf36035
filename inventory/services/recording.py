"""The ground every recording function stands on (movements, corrections, imports): the
clerk's right to the depot, the checks of a quantity and a form, the depot and item by id or
by code, and idempotency keys (a retried request answers with the rows first posted)."""

from flask_babel import gettext as _
from sqlalchemy import bindparam, true
from sqlmodel import Session, select

from accounts.models import Role, User
from accounts.services import clerk_of_clause, is_clerk_of, note_clerk_of
from core.errors import Forbidden, ValidationError
from inventory.models import Facility, Item, Lot, Movement, ReserveForm
from inventory.services import ledger

MAX_QUANTITY = 10_000_000


def authorize_depot(session: Session, actor: User | None, facility_id: int) -> None:
    """Only a clerk of the depot (or the system) may record its movements."""
    if actor is None:
        return
    if actor.role != Role.CLERK or not is_clerk_of(session, actor, facility_id):
        raise Forbidden(_("You may only record movements for your own depot."))


def check_quantity(quantity) -> int:
    """A positive whole number of units, or a field error."""
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationError(_("Enter a whole number of units."), field="quantity")
    if quantity <= 0:
        raise ValidationError(_("The quantity must be a positive whole number."), field="quantity")
    if quantity > MAX_QUANTITY:
        raise ValidationError(_("The quantity is implausibly large."), field="quantity")
    return quantity


def check_form(form: str) -> str:
    """One of the reserve forms kept in the ledger."""
    if form not in set(ReserveForm):
        raise ValidationError(_("Unknown reserve form."), field="form")
    return form


def replay(session: Session, key: str | None) -> list[Movement] | None:
    # a retried request returns what the first one posted (one or several rows)
    if not key:
        return None
    first = ledger.find_by_key(session, key)
    if first is None:
        return None
    rows = [first]
    n = 2
    while (row := ledger.find_by_key(session, f"{key}#{n}")) is not None:
        rows.append(row)
        n += 1
    return rows


def row_key(key: str | None, n: int) -> str | None:
    return None if key is None else (key if n == 1 else f"{key}#{n}")


def depot_and_item(session: Session, facility_id: int, item_id: int) -> tuple[Facility, Item]:
    return ledger.facility_item(session, facility_id, item_id)


# at most one row: each code is unique (the join on TRUE says the product is meant); whether
# the user is a clerk of the depot, and the lot named, come with it
_FACILITY_ITEM_AND_LOT = (
    select(Facility, Item, clerk_of_clause(bindparam("user_id"), Facility.id), Lot)
    .join_from(Facility, Item, true())
    .outerjoin(Lot, ledger.lot_clause(Item.id))
    .where(Facility.code == bindparam("facility"), Item.code == bindparam("item"))
)


def load_by_codes(
    session: Session, actor: User, facility_code: str, item_code: str, lot_no: str
) -> tuple[Facility, Item] | None:
    """The depot and the item by their codes in one statement (None when either is unknown),
    noting for this unit of work whether the actor is a clerk of the depot and the lot with
    this number, so recording then checks the right and finds the lot without a query."""
    row = session.exec(
        _FACILITY_ITEM_AND_LOT,
        params={
            "facility": facility_code,
            "item": item_code,
            "user_id": actor.id,
            "lot_no": lot_no,
        },
    ).first()
    if row is None:
        return None
    facility, item, is_clerk, lot = row
    note_clerk_of(session, actor, facility.id, is_clerk)
    if lot_no:
        ledger.note_lot(session, item.id, lot_no, lot)
    return facility, item
