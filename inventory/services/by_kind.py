"""One entry for a movement of any kind, as a depot page's form or an API body names it: the
pages and the API dispatch through it, the kinds' own rules stay in movements.py."""

from datetime import date, datetime

from sqlmodel import Session

from accounts.models import User
from inventory.models import Movement, ReserveForm
from inventory.services.movements import adjust, issue, receive, transfer_in, transfer_out


def record(
    session: Session,
    actor: User | None,
    kind: str,
    *,
    facility_id: int,
    item_id: int,
    quantity: int,
    lot_no: str | None = None,
    expiry: date | None = None,
    source: str = "purchase",
    form: str = ReserveForm.PHYSICAL,
    counterpart_id: int | None = None,
    order_ref: str | None = None,
    reason: str = "",
    note: str = "",
    occurred_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> list[Movement]:
    """Record a movement of `kind` (receipt, issue, transfer_out, transfer_in, adjustment) as
    a page's form or an API body describes it: the rows posted."""
    common = dict(
        facility_id=facility_id,
        item_id=item_id,
        quantity=quantity,
        note=note,
        occurred_at=occurred_at,
        idempotency_key=idempotency_key,
    )
    if kind == "receipt":
        return [
            receive(
                session,
                actor,
                lot_no=lot_no,
                expiry=expiry,
                source=source,
                form=form,
                order_ref=order_ref,
                **common,
            )
        ]
    if kind == "issue":
        return issue(session, actor, lot_no=lot_no or None, **common)
    if kind == "transfer_out":
        return transfer_out(
            session,
            actor,
            lot_no=lot_no or None,
            to_facility_id=counterpart_id,
            order_ref=order_ref,
            **common,
        )
    if kind == "transfer_in":
        return [
            transfer_in(
                session,
                actor,
                lot_no=lot_no,
                expiry=expiry,
                from_facility_id=counterpart_id,
                order_ref=order_ref,
                **common,
            )
        ]
    if kind == "adjustment":
        return [adjust(session, actor, lot_no=lot_no, reason=reason, form=form, **common)]
    raise ValueError(f"no movement kind {kind!r}")
