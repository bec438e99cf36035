"""The clerks' side of an order: the sender picks lots and dispatches, the receiver books in.

Dispatch releases the order's reservation and posts transfer_out rows for the picked lots (the
units are then in transit); receipt posts transfer_in rows of the same lots for what arrived in
good condition, and records what was short or damaged as a discrepancy.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlmodel import Session

from accounts.models import User
from core.errors import Conflict, ValidationError
from core.fields import NOTE_MAX, SHORT_NOTE_MAX
from core.timeutil import local_today, utcnow
from inventory.models import Lot, MovementKind, ReserveForm
from inventory.rules.expiry import expired_lot_refusal
from inventory.services import ledger
from inventory.services.ledger import Posting
from surge.models import (
    AllocationOrder,
    AllocationOrderLot,
    OrderStatus,
)
from surge.services import orders, reservations
from surge.services.access import require_clerk_of


@dataclass(frozen=True)
class Pick:
    """Units of one lot the sending clerk puts on the truck for a line."""

    line_id: int
    lot_id: int
    quantity: int


def suggested_picks(session: Session, order: AllocationOrder) -> list[Pick]:
    """What approval reserved, lot by lot: the first-expiry-first-out suggestion."""
    lines = orders.lines_of(session, order.id)
    return [
        Pick(row.line_id, row.lot_id, row.reserved)
        for row in orders.lots_of(session, [line.id for line in lines])
        if row.reserved > 0
    ]


def _checked_picks(
    session: Session, picks: list[Pick], lines: list, today: date
) -> tuple[dict[int, int], dict[tuple[int, int], int]]:
    """The picked units per line and per (line, lot), each pick checked against its line."""
    line_by_id = {line.id: line for line in lines}
    totals: dict[int, int] = defaultdict(int)
    merged: dict[tuple[int, int], int] = defaultdict(int)
    for pick in picks:
        line = line_by_id.get(pick.line_id)
        if line is None:
            raise ValidationError(_("That line is not on this order."), field="lines")
        q = pick.quantity
        if isinstance(q, bool) or not isinstance(q, int) or q < 0:
            raise ValidationError(_("Enter a whole number of units."), field="quantity")
        if q == 0:
            continue
        lot = session.get(Lot, pick.lot_id)
        if lot is None or lot.item_id != line.item_id:
            raise ValidationError(_("No such lot of this item."), field="lot")
        if lot.is_expired(today):
            raise Conflict(
                expired_lot_refusal(lot.lot_no, lot.expiry),
                field="lot",
            )
        totals[line.id] += q
        merged[(line.id, lot.id)] += q
    for line in lines:
        if totals[line.id] > line.quantity:
            raise ValidationError(
                _(
                    "At most %(n)s units of this line may leave: that is what was ordered.",
                    n=line.quantity,
                ),
                field="quantity",
            )
    if not merged:
        raise ValidationError(_("Nothing would leave: pick at least one lot."), field="quantity")
    return totals, merged


def _post_dispatch(
    session: Session,
    actor: User | None,
    order: AllocationOrder,
    lines: list,
    lots: list[AllocationOrderLot],
    merged: dict[tuple[int, int], int],
    note: str,
    occurred_at: datetime | None,
) -> None:
    """The picked lots out of the sender's ledger, and what left of each lot on the order."""
    line_by_id = {line.id: line for line in lines}
    rows = {(r.line_id, r.lot_id): r for r in lots}
    for (line_id, lot_id), q in sorted(merged.items()):
        line = line_by_id[line_id]
        ledger.post(
            session,
            Posting(
                facility_id=order.from_facility_id,
                item_id=line.item_id,
                lot_id=lot_id,
                form=ReserveForm.PHYSICAL,
                kind=MovementKind.TRANSFER_OUT,
                quantity=-q,
                user_id=actor.id if actor else None,
                reason="order",
                note=note,
                counterpart_facility_id=order.to_facility_id,
                order_ref=order.number,
                occurred_at=occurred_at,
            ),
        )
        row = rows.get((line_id, lot_id))
        if row is None:
            row = AllocationOrderLot(line_id=line_id, lot_id=lot_id)
            rows[(line_id, lot_id)] = row
        row.dispatched += q
        session.add(row)


def dispatch(
    session: Session,
    actor: User | None,
    order_id: int,
    picks: list[Pick] | None = None,
    *,
    note: str = "",
    today: date | None = None,
    occurred_at: datetime | None = None,
) -> AllocationOrder:
    """The sending clerk confirms what leaves: the stock goes out of the ledger into transit.

    Without picks, the reserved lots are sent. A line may leave short (say, a damaged carton
    found while loading) but never above its ordered quantity.
    """
    order = orders.lock_order(session, order_id)
    require_clerk_of(
        session,
        actor,
        order.from_facility_id,
        _("Only a clerk of the sending depot may dispatch this order."),
    )
    orders.expect_status(order, OrderStatus.APPROVED)
    today = today or local_today()
    lines = orders.lines_of(session, order.id)
    line_by_id = {line.id: line for line in lines}
    lots = orders.lots_of(session, list(line_by_id))
    if picks is None:
        picks = [Pick(r.line_id, r.lot_id, r.reserved) for r in lots if r.reserved > 0]
    totals, merged = _checked_picks(session, picks, lines, today)
    if len(note) > NOTE_MAX:  # kept on the ledger's rows
        raise ValidationError(_("At most %(n)s characters.", n=NOTE_MAX), field="note")
    # the reservation becomes the shipment: release it, then take the picked lots out
    reservations.release_all(session, order, lines, lots)
    _post_dispatch(session, actor, order, lines, lots, merged, note, occurred_at)
    for line in lines:
        line.dispatched_quantity = totals[line.id]
        session.add(line)
    order.status = OrderStatus.DISPATCHED
    order.dispatched_at = utcnow()
    order.dispatched_by_id = actor.id if actor else None
    session.add(order)
    session.flush()
    return order


@dataclass(frozen=True)
class Arrival:
    """What the receiving clerk counted of one shipped lot."""

    lot_row_id: int
    received: int
    damaged: int = 0


def _counted(by_row: dict, arrivals: list[Arrival] | None) -> dict[int, tuple[int, int]]:
    """(received, damaged) per shipped lot row: all of it arrived unless counted otherwise."""
    counted: dict[int, tuple[int, int]] = {r.id: (r.dispatched, 0) for r in by_row.values()}
    if arrivals is not None:
        seen = set()
        for a in arrivals:
            if a.lot_row_id not in by_row or a.lot_row_id in seen:
                raise ValidationError(_("That lot was not shipped on this order."), field="lots")
            seen.add(a.lot_row_id)
            for value, name in ((a.received, "received"), (a.damaged, "damaged")):
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValidationError(_("Enter a whole number of units."), field=name)
            if a.received + a.damaged > by_row[a.lot_row_id].dispatched:
                raise ValidationError(
                    _(
                        "More than was dispatched: %(n)s units of this lot left the sender.",
                        n=by_row[a.lot_row_id].dispatched,
                    ),
                    field="received",
                )
            counted[a.lot_row_id] = (a.received, a.damaged)
        missing = set(by_row) - seen
        if missing:
            raise ValidationError(_("Enter what arrived of every lot."), field="lots")
    return counted


def _post_receipt(
    session: Session,
    actor: User | None,
    order: AllocationOrder,
    line_by_id: dict,
    by_row: dict[int, AllocationOrderLot],
    counted: dict[int, tuple[int, int]],
    note: str,
    occurred_at: datetime | None,
) -> dict[int, list[int]]:
    """What arrived in good condition into the receiver's ledger; [received, damaged] per line."""
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row_id, (received, damaged) in sorted(counted.items()):
        row = by_row[row_id]
        line = line_by_id[row.line_id]
        if received > 0:
            ledger.post(
                session,
                Posting(
                    facility_id=order.to_facility_id,
                    item_id=line.item_id,
                    lot_id=row.lot_id,
                    form=ReserveForm.PHYSICAL,
                    kind=MovementKind.TRANSFER_IN,
                    quantity=received,
                    user_id=actor.id if actor else None,
                    reason="order",
                    note=note,
                    counterpart_facility_id=order.from_facility_id,
                    order_ref=order.number,
                    occurred_at=occurred_at,
                ),
            )
        row.received, row.damaged = received, damaged
        session.add(row)
        totals[line.id][0] += received
        totals[line.id][1] += damaged
    return totals


def receive(
    session: Session,
    actor: User | None,
    order_id: int,
    arrivals: list[Arrival] | None = None,
    *,
    note: str = "",
    occurred_at: datetime | None = None,
) -> AllocationOrder:
    """The receiving clerk books in what arrived; shortages and damage become discrepancies.

    Without arrivals, everything dispatched arrived in good condition.
    """
    order = orders.lock_order(session, order_id)
    require_clerk_of(
        session,
        actor,
        order.to_facility_id,
        _("Only a clerk of the receiving depot may receive this order."),
    )
    orders.expect_status(order, OrderStatus.DISPATCHED)
    lines = orders.lines_of(session, order.id)
    line_by_id = {line.id: line for line in lines}
    shipped = [r for r in orders.lots_of(session, list(line_by_id)) if r.dispatched > 0]
    by_row = {r.id: r for r in shipped}
    counted = _counted(by_row, arrivals)
    discrepancy = any(r + d != by_row[i].dispatched or d for i, (r, d) in counted.items())
    note = (note or "").strip()
    if discrepancy and not note:
        raise ValidationError(
            _("Describe the discrepancy (what was short or damaged, and why)."), field="note"
        )
    if len(note) > SHORT_NOTE_MAX:  # kept as the lines' discrepancy note
        raise ValidationError(_("At most %(n)s characters.", n=SHORT_NOTE_MAX), field="note")
    totals = _post_receipt(session, actor, order, line_by_id, by_row, counted, note, occurred_at)
    for line in lines:
        line.received_quantity, line.damaged_quantity = totals[line.id]
        if discrepancy and line.received_quantity != line.dispatched_quantity:
            line.discrepancy_note = note[:SHORT_NOTE_MAX]
        session.add(line)
    order.status = OrderStatus.RECEIVED
    order.received_at = utcnow()
    order.received_by_id = actor.id if actor else None
    if note:
        order.note = (order.note + "\n" if order.note else "") + note
        order.note = order.note[:NOTE_MAX]
    session.add(order)
    session.flush()
    return order
