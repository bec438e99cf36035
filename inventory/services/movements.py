"""What clerks record: receipts, issues, transfers and adjustments (counts and reversals are
in inventory.services.corrections, the checks they share in inventory.services.recording).

Every function checks the acting user's right to the depot, validates its input with field
messages, and posts through `ledger.post` (`ledger.append` within `posting_first`), so
balances stay equal to the ledger. `actor=None` is the system itself (seed, jobs); a user
must be a clerk of the depot.
"""

import logging
from datetime import date, datetime

from flask_babel import gettext as _
from sqlmodel import Session

from accounts.models import User
from core import db
from core.errors import Conflict, ValidationError
from core.timeutil import local_today
from inventory.models import Facility, Movement, MovementKind, ReserveForm
from inventory.rules.expiry import expired_lot_refusal
from inventory.services import ledger
from inventory.services.ledger import Posting
from inventory.services.lots import LotPick, suggest_lots
from inventory.services.recording import (
    authorize_depot,
    check_form,
    check_quantity,
    depot_and_item,
    replay,
    row_key,
)

logger = logging.getLogger(__name__)

RECEIPT_SOURCES = ("purchase", "donation", "agreement", "order", "return")
ISSUE_REASONS = ("consumption",)
# adjustments that take stock away, and the one that adds it
ADJUST_OUT = ("damaged", "expired", "lost")
ADJUST_IN = ("found",)


# the API's hot path (`posting_first`): this unit of work posts without looking keys up first
_POSTING_FIRST = "movements_posting_first"


def posting_first(session: Session):
    """Within the block, this module's functions post without looking the idempotency key up
    first, the API's hot path: a used key raises `ledger.KeyUsed` with nothing posted, and
    the caller rolls back and answers with `replay`. Counts and reversals always look first."""
    return db.within(session, _POSTING_FIRST, True)


def _replayed(session: Session, key: str | None) -> list[Movement] | None:
    # on the hot path the key is looked up only when posting finds it used
    return None if session.info.get(_POSTING_FIRST) else replay(session, key)


def _post(session: Session, posting: Posting) -> Movement:
    if session.info.get(_POSTING_FIRST):
        return ledger.append(session, posting)
    return ledger.post(session, posting)


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
) -> Movement:
    """Record stock arriving: a purchase, a donation, agreement stock, or an allocation order."""
    if (replay_rows := _replayed(session, idempotency_key)) is not None:
        return replay_rows[0]
    authorize_depot(session, actor, facility_id)
    facility, item = depot_and_item(session, facility_id, item_id)
    check_quantity(quantity)
    check_form(form)
    if source not in RECEIPT_SOURCES:
        raise ValidationError(_("Unknown receipt source."), field="source")
    lot = ledger.get_or_create_lot(session, item, lot_no, expiry)
    kind = MovementKind.TRANSFER_IN if source == "order" else MovementKind.RECEIPT
    return _post(
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
) -> list[Movement]:
    if (replay_rows := _replayed(session, idempotency_key)) is not None:
        return replay_rows
    authorize_depot(session, actor, facility_id)
    facility, item = depot_and_item(session, facility_id, item_id)
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
    for n, pick in enumerate(picks, start=1):
        rows.append(
            _post(
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
                    idempotency_key=row_key(idempotency_key, n),
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
) -> Movement:
    """Record damage, expiry, loss (stock out) or stock found (stock in); a reason is required."""
    if reason not in ADJUST_OUT + ADJUST_IN:
        raise ValidationError(_("Choose a reason for the adjustment."), field="reason")
    if reason in ADJUST_IN:
        if (replay_rows := _replayed(session, idempotency_key)) is not None:
            return replay_rows[0]
        authorize_depot(session, actor, facility_id)
        _facility, item = depot_and_item(session, facility_id, item_id)
        check_quantity(quantity)
        lot = ledger.find_lot(session, item.id, lot_no)
        if lot is None:
            raise ValidationError(_("No such lot of this item."), field="lot_no")
        return _post(
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
    )
    return rows[0]
