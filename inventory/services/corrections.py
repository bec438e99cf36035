"""Corrections of the books: a physical count's variances, and reversing entries.

Like every recording function (inventory.services.movements), each checks the acting user's
right to the depot and answers a retried idempotency key with the rows first posted.
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlmodel import Session, select

from accounts.models import User
from core.errors import Conflict, NotFound, ValidationError
from inventory.models import Movement, MovementKind, ReserveForm
from inventory.services import ledger
from inventory.services.ledger import Posting
from inventory.services.recording import (
    MAX_QUANTITY,
    authorize_depot,
    depot_and_item,
    replay,
    row_key,
)


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
    facility, item = depot_and_item(session, facility_id, item_id)
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
                    idempotency_key=row_key(idempotency_key, n),
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
