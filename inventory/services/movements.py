"""What clerks record: receipts, issues, transfers, adjustments, counts, and reversals.

Every function checks the acting user's right to the depot, validates its input with field
messages, and posts through `ledger.post`, so balances stay equal to the ledger. `actor=None`
is the system itself (seed, jobs); a user must be a clerk of the depot.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlmodel import Session, select

from accounts.models import Role, User
from accounts.services import is_clerk_of
from core.errors import Conflict, Forbidden, NotFound, ValidationError
from core.timeutil import local_today
from inventory.models import Balance, Facility, Item, Lot, Movement, MovementKind, ReserveForm
from inventory.rules.expiry import expired_lot_refusal
from inventory.services import ledger
from inventory.services.ledger import Posting

logger = logging.getLogger(__name__)

RECEIPT_SOURCES = ("purchase", "donation", "agreement", "order", "return")
ISSUE_REASONS = ("consumption",)
# adjustments that take stock away, and the one that adds it
ADJUST_OUT = ("damaged", "expired", "lost")
ADJUST_IN = ("found",)
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


def _row_key(key: str | None, n: int) -> str | None:
    return None if key is None else (key if n == 1 else f"{key}#{n}")


def _depot_and_item(session: Session, facility_id: int, item_id: int) -> tuple[Facility, Item]:
    return ledger.facility_item(session, facility_id, item_id)


def receive(
    session: Session,
    actor: User | None,
    *,
    facility_id: int,
    item_id: int,
    lot_no: str,
    expiry: date | None,
    quantity: int,
    source: str = "purchase",
    form: str = ReserveForm.PHYSICAL,
    counterpart_facility_id: int | None = None,
    order_ref: str | None = None,
    note: str = "",
    occurred_at: datetime | None = None,
    idempotency_key: str | None = None,
    replay_first: bool = True,
) -> Movement:
    """Record stock arriving: a purchase, a donation, agreement stock, or an allocation order.

    With `replay_first=False` a used idempotency key is not looked up first: posting raises
    `ledger.KeyUsed` instead (nothing posted), and the caller rolls back and replays.
    """
    if replay_first and (replay_rows := replay(session, idempotency_key)) is not None:
        return replay_rows[0]
    authorize_depot(session, actor, facility_id)
    facility, item = _depot_and_item(session, facility_id, item_id)
    check_quantity(quantity)
    check_form(form)
    if source not in RECEIPT_SOURCES:
        raise ValidationError(_("Unknown receipt source."), field="source")
    lot = ledger.get_or_create_lot(session, item, lot_no, expiry)
    kind = MovementKind.TRANSFER_IN if source == "order" else MovementKind.RECEIPT
    return (ledger.post if replay_first else ledger.append)(
        session,
        Posting(
            facility_id=facility.id,
            item_id=item.id,
            lot_id=lot.id,
            form=form,
            kind=kind,
            quantity=quantity,
            user_id=actor.id if actor else None,
            reason=source,
            note=note,
            counterpart_facility_id=counterpart_facility_id,
            order_ref=order_ref,
            occurred_at=occurred_at,
            idempotency_key=idempotency_key,
        ),
    )


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
        if lot.is_expired(today) or balance.available <= 0:
            continue
        take = min(left, balance.available)
        picks.append(LotPick(lot, take, balance.available))
        left -= take
        if left == 0:
            break
    return picks


def _take_out(
    session: Session,
    actor: User | None,
    *,
    kind: str,
    facility_id: int,
    item_id: int,
    quantity: int,
    lot_no: str | None,
    reason: str,
    form: str = ReserveForm.PHYSICAL,
    counterpart_facility_id: int | None = None,
    order_ref: str | None = None,
    note: str = "",
    occurred_at: datetime | None = None,
    idempotency_key: str | None = None,
    allow_expired: bool = False,
    replay_first: bool = True,
) -> list[Movement]:
    if replay_first and (replay_rows := replay(session, idempotency_key)) is not None:
        return replay_rows
    authorize_depot(session, actor, facility_id)
    facility, item = _depot_and_item(session, facility_id, item_id)
    check_quantity(quantity)
    check_form(form)
    today = local_today()
    if lot_no:
        lot = ledger.find_lot(session, item.id, lot_no)
        if lot is None:
            raise ValidationError(_("No such lot of this item."), field="lot_no")
        if lot.is_expired(today) and not allow_expired:
            raise Conflict(
                expired_lot_refusal(lot.lot_no, lot.expiry),
                field="lot_no",
            )
        picks = [LotPick(lot, quantity, 0)]
    else:
        if form != ReserveForm.PHYSICAL:
            raise ValidationError(_("Choose the lot."), field="lot_no")
        picks = suggest_lots(session, facility.id, item.id, quantity, today=today)
        if sum(p.quantity for p in picks) < quantity:
            raise Conflict(
                _(
                    "Not enough usable stock: %(available)s available, %(wanted)s requested.",
                    available=sum(p.quantity for p in picks),
                    wanted=quantity,
                ),
                field="quantity",
            )
    rows = []
    post = ledger.post if replay_first else ledger.append
    for n, pick in enumerate(picks, start=1):
        rows.append(
            post(
                session,
                Posting(
                    facility_id=facility.id,
                    item_id=item.id,
                    lot_id=pick.lot.id,
                    form=form,
                    kind=kind,
                    quantity=-pick.quantity,
                    user_id=actor.id if actor else None,
                    reason=reason,
                    note=note,
                    counterpart_facility_id=counterpart_facility_id,
                    order_ref=order_ref,
                    occurred_at=occurred_at,
                    idempotency_key=_row_key(idempotency_key, n),
                ),
            )
        )
    return rows


def issue(
    session: Session,
    actor: User | None,
    *,
    facility_id: int,
    item_id: int,
    quantity: int,
    lot_no: str | None = None,
    note: str = "",
    occurred_at: datetime | None = None,
    idempotency_key: str | None = None,
    replay_first: bool = True,
) -> list[Movement]:
    """Record consumption by medical institutions; without a lot, take lots FEFO."""
    return _take_out(
        session,
        actor,
        kind=MovementKind.ISSUE,
        facility_id=facility_id,
        item_id=item_id,
        quantity=quantity,
        lot_no=lot_no,
        reason="consumption",
        note=note,
        occurred_at=occurred_at,
        idempotency_key=idempotency_key,
        replay_first=replay_first,
    )


def transfer_out(
    session: Session,
    actor: User | None,
    *,
    facility_id: int,
    item_id: int,
    quantity: int,
    to_facility_id: int,
    lot_no: str | None = None,
    order_ref: str | None = None,
    note: str = "",
    occurred_at: datetime | None = None,
    idempotency_key: str | None = None,
    replay_first: bool = True,
) -> list[Movement]:
    """Record stock leaving for another depot (against an order when there is one)."""
    if to_facility_id == facility_id:
        raise ValidationError(_("A transfer goes to another depot."), field="to_facility_id")
    if session.get(Facility, to_facility_id) is None:
        raise ValidationError(_("Unknown depot."), field="to_facility_id")
    return _take_out(
        session,
        actor,
        kind=MovementKind.TRANSFER_OUT,
        facility_id=facility_id,
        item_id=item_id,
        quantity=quantity,
        lot_no=lot_no,
        reason="transfer",
        counterpart_facility_id=to_facility_id,
        order_ref=order_ref,
        note=note,
        occurred_at=occurred_at,
        idempotency_key=idempotency_key,
        replay_first=replay_first,
    )


def transfer_in(
    session: Session,
    actor: User | None,
    *,
    facility_id: int,
    item_id: int,
    quantity: int,
    from_facility_id: int,
    lot_no: str,
    expiry: date | None,
    order_ref: str | None = None,
    note: str = "",
    occurred_at: datetime | None = None,
    idempotency_key: str | None = None,
    replay_first: bool = True,
) -> Movement:
    """Record stock arriving from another depot."""
    if from_facility_id == facility_id or session.get(Facility, from_facility_id) is None:
        raise ValidationError(_("Unknown depot."), field="from_facility_id")
    return receive(
        session,
        actor,
        facility_id=facility_id,
        item_id=item_id,
        lot_no=lot_no,
        expiry=expiry,
        quantity=quantity,
        source="order",
        counterpart_facility_id=from_facility_id,
        order_ref=order_ref,
        note=note,
        occurred_at=occurred_at,
        idempotency_key=idempotency_key,
        replay_first=replay_first,
    )


def adjust(
    session: Session,
    actor: User | None,
    *,
    facility_id: int,
    item_id: int,
    lot_no: str,
    quantity: int,
    reason: str,
    form: str = ReserveForm.PHYSICAL,
    note: str = "",
    occurred_at: datetime | None = None,
    idempotency_key: str | None = None,
    replay_first: bool = True,
) -> Movement:
    """Record damage, expiry, loss (stock out) or stock found (stock in); a reason is required."""
    if reason not in ADJUST_OUT + ADJUST_IN:
        raise ValidationError(_("Choose a reason for the adjustment."), field="reason")
    if reason in ADJUST_IN:
        if replay_first and (replay_rows := replay(session, idempotency_key)) is not None:
            return replay_rows[0]
        authorize_depot(session, actor, facility_id)
        _facility, item = _depot_and_item(session, facility_id, item_id)
        check_quantity(quantity)
        lot = ledger.find_lot(session, item.id, lot_no)
        if lot is None:
            raise ValidationError(_("No such lot of this item."), field="lot_no")
        return (ledger.post if replay_first else ledger.append)(
            session,
            Posting(
                facility_id=facility_id,
                item_id=item.id,
                lot_id=lot.id,
                form=check_form(form),
                kind=MovementKind.ADJUSTMENT,
                quantity=quantity,
                user_id=actor.id if actor else None,
                reason=reason,
                note=note,
                occurred_at=occurred_at,
                idempotency_key=idempotency_key,
            ),
        )
    rows = _take_out(
        session,
        actor,
        kind=MovementKind.ADJUSTMENT,
        facility_id=facility_id,
        item_id=item_id,
        quantity=quantity,
        lot_no=lot_no,
        reason=reason,
        form=form,
        note=note,
        occurred_at=occurred_at,
        idempotency_key=idempotency_key,
        allow_expired=True,
        replay_first=replay_first,
    )
    return rows[0]


@dataclass(frozen=True)
class CountLine:
    """What the clerk found on the shelf for one lot."""

    lot_no: str
    counted: int
    expiry: date | None = None


def count(
    session: Session,
    actor: User | None,
    *,
    facility_id: int,
    item_id: int,
    lines: list[CountLine],
    note: str = "",
    occurred_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> list[Movement]:
    """Post a physical count: each lot's variance against the books becomes a count adjustment.

    Lots on the books but not counted are left alone; count them as 0 to write them off.
    """
    if (replay_rows := replay(session, idempotency_key)) is not None:
        return replay_rows
    authorize_depot(session, actor, facility_id)
    facility, item = _depot_and_item(session, facility_id, item_id)
    if not lines:
        raise ValidationError(_("Count at least one lot."), field="lines")
    seen = set()
    for line in lines:
        if isinstance(line.counted, bool) or not isinstance(line.counted, int) or line.counted < 0:
            raise ValidationError(
                _("A counted quantity is a whole number, zero or more."), field="counted"
            )
        if line.counted > MAX_QUANTITY:
            raise ValidationError(_("The quantity is implausibly large."), field="counted")
        if line.lot_no.strip() in seen:
            raise ValidationError(
                _("Lot %(lot)s is counted twice.", lot=line.lot_no), field="lot_no"
            )
        seen.add(line.lot_no.strip())
    rows, n = [], 0
    for line in lines:
        lot = ledger.get_or_create_lot(session, item, line.lot_no, line.expiry)
        balance = ledger.lock_balance(session, facility.id, item.id, lot.id, ReserveForm.PHYSICAL)
        variance = line.counted - balance.quantity
        if variance == 0:
            continue
        n += 1
        rows.append(
            ledger.post(
                session,
                Posting(
                    facility_id=facility.id,
                    item_id=item.id,
                    lot_id=lot.id,
                    form=ReserveForm.PHYSICAL,
                    kind=MovementKind.COUNT,
                    quantity=variance,
                    user_id=actor.id if actor else None,
                    reason="count",
                    note=note or _("Stock count: %(counted)s on the shelf", counted=line.counted),
                    occurred_at=occurred_at,
                    idempotency_key=_row_key(idempotency_key, n),
                ),
            )
        )
    return rows


def reverse(
    session: Session,
    actor: User | None,
    movement_id: int,
    *,
    note: str = "",
    idempotency_key: str | None = None,
) -> Movement:
    """Correct a movement with a reversing entry; the original row stays as it was."""
    if (replay_rows := replay(session, idempotency_key)) is not None:
        return replay_rows[0]
    original = session.get(Movement, movement_id)
    if original is None:
        raise NotFound(_("No such movement."))
    authorize_depot(session, actor, original.facility_id)
    if original.kind == MovementKind.REVERSAL:
        raise Conflict(_("A reversal cannot itself be reversed; post a new movement."))
    if session.exec(select(Movement).where(Movement.reverses_id == original.id)).first():
        raise Conflict(_("This movement has already been reversed."))
    if not note.strip():
        raise ValidationError(_("Say why the movement is reversed."), field="note")
    return ledger.post(
        session,
        Posting(
            facility_id=original.facility_id,
            item_id=original.item_id,
            lot_id=original.lot_id,
            form=original.form,
            kind=MovementKind.REVERSAL,
            quantity=-original.quantity,
            user_id=actor.id if actor else None,
            reason="reversal",
            note=note,
            counterpart_facility_id=original.counterpart_facility_id,
            order_ref=original.order_ref,
            reverses_id=original.id,
            idempotency_key=idempotency_key,
        ),
    )
