"""Allocation orders (调拨令): issued from a plan, approved, dispatched, received, closed.

Stock rules:
- Approval reserves the ordered units at the sender, lot by lot, first expiry first
  (Balance.reserved), under the balance row locks; two approvals, or an approval and a clerk's
  issue, can never promise the same units: the second finds them reserved.
- Dispatch releases the order's reservations and posts transfer_out rows for the lots the
  sending clerk picked: the units leave the sender's ledger and are in transit.
- Receipt posts transfer_in rows (same lots) for what arrived in good condition; what is
  short or damaged is recorded on the order as a discrepancy.
So at every step: stock on hand + in transit + discrepancies = what there was at the start.
- Cancel (before dispatch) releases what the order reserved.
Every transition locks the order row, checks the status it starts from, and records who and
when.
"""

import uuid
from collections import defaultdict
from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session, select

from accounts.models import Role, User
from accounts.services import facility_ids_of
from core.errors import Conflict, Forbidden, NotFound, ValidationError
from core.fields import NOTE_MAX, SHORT_NOTE_MAX
from core.i18n import localized_name
from core.timeutil import SHANGHAI, local_today, utcnow
from inventory.models import Facility, Item
from inventory.services.lots import lots_on_hand
from surge.models import (
    AllocationOrder,
    AllocationOrderLine,
    AllocationOrderLot,
    OrderStatus,
    Plan,
    PlanStatus,
    PlanTransfer,
)
from surge.services import reservations
from surge.services.access import may_read_order, require_dispatcher


def _number(order: AllocationOrder) -> str:
    year = (order.issued_at or utcnow()).astimezone(SHANGHAI).year
    return f"DB{year}-{order.id:05d}"


def _new_order(session: Session, actor: User | None, from_id: int, to_id: int, **kw):
    order = AllocationOrder(
        number=f"tmp-{uuid.uuid4().hex[:24]}",
        from_facility_id=from_id,
        to_facility_id=to_id,
        issued_by_id=actor.id if actor else None,
        **kw,
    )
    session.add(order)
    session.flush()
    order.number = _number(order)
    session.add(order)
    return order


def issue_plan(session: Session, actor: User | None, plan_id: int) -> list[AllocationOrder]:
    """One draft order per (sender, receiver) of the plan's lines; the plan is then frozen."""
    require_dispatcher(actor)
    plan = session.get(Plan, plan_id, with_for_update=True, populate_existing=True)
    if plan is None:
        raise NotFound(_("No such plan."))
    if plan.status != PlanStatus.PROPOSED:
        raise Conflict(_("This plan has already been issued or discarded."))
    lines = session.exec(
        select(PlanTransfer)
        .where(PlanTransfer.plan_id == plan.id, PlanTransfer.quantity > 0)
        .order_by(PlanTransfer.from_facility_id, PlanTransfer.to_facility_id, PlanTransfer.item_id)
    ).all()
    if not lines:
        raise Conflict(_("The plan has no lines to issue."))
    grouped: dict[tuple[int, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for t in lines:
        grouped[(t.from_facility_id, t.to_facility_id)][t.item_id] += t.quantity
    orders = []
    for (from_id, to_id), items in grouped.items():
        order = _new_order(session, actor, from_id, to_id, plan_id=plan.id)
        for item_id, quantity in sorted(items.items()):
            session.add(AllocationOrderLine(order_id=order.id, item_id=item_id, quantity=quantity))
        orders.append(order)
    plan.status = PlanStatus.ISSUED
    plan.issued_at = utcnow()
    plan.issued_by_id = actor.id if actor else None
    session.add(plan)
    session.flush()
    return orders


def create_order(
    session: Session,
    actor: User | None,
    *,
    from_facility_id: int,
    to_facility_id: int,
    lines: list[tuple[int, int]],
    note: str = "",
) -> AllocationOrder:
    """A draft order written by hand (outside a plan)."""
    require_dispatcher(actor)
    errors = {}
    if session.get(Facility, from_facility_id) is None:
        errors["from_facility_id"] = _("Unknown depot.")
    if session.get(Facility, to_facility_id) is None:
        errors["to_facility_id"] = _("Unknown depot.")
    if from_facility_id == to_facility_id:
        errors["to_facility_id"] = _("A transfer goes to another depot.")
    if not lines:
        errors["lines"] = _("Add at least one item.")
    seen = set()
    for item_id, quantity in lines:
        if session.get(Item, item_id) is None or item_id in seen:
            errors["lines"] = _("Each item once, and only known items.")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            errors["lines"] = _("The quantity must be a positive whole number.")
        seen.add(item_id)
    if len(note) > NOTE_MAX:
        errors["note"] = _("At most %(n)s characters.", n=NOTE_MAX)
    if errors:
        raise ValidationError(next(iter(errors.values())), fields=errors)
    order = _new_order(session, actor, from_facility_id, to_facility_id, note=note.strip())
    for item_id, quantity in lines:
        session.add(AllocationOrderLine(order_id=order.id, item_id=item_id, quantity=quantity))
    session.flush()
    return order


def lock_order(session: Session, order_id: int) -> AllocationOrder:
    """The order row, locked until commit, read fresh."""
    order = session.get(AllocationOrder, order_id, with_for_update=True, populate_existing=True)
    if order is None:
        raise NotFound(_("No such order."))
    return order


def lines_of(session: Session, order_id: int) -> list[AllocationOrderLine]:
    return list(
        session.exec(
            select(AllocationOrderLine)
            .where(AllocationOrderLine.order_id == order_id)
            .order_by(AllocationOrderLine.id)
            .execution_options(populate_existing=True)
        ).all()
    )


def lots_of(session: Session, line_ids: list[int]) -> list[AllocationOrderLot]:
    if not line_ids:
        return []
    return list(
        session.exec(
            select(AllocationOrderLot)
            .where(AllocationOrderLot.line_id.in_(line_ids))
            .order_by(AllocationOrderLot.line_id, AllocationOrderLot.id)
            .execution_options(populate_existing=True)
        ).all()
    )


def expect_status(order: AllocationOrder, *statuses: str) -> None:
    if order.status not in statuses:
        messages = {
            OrderStatus.DRAFT: _("Order %(number)s is a draft: it has not been approved yet."),
            OrderStatus.APPROVED: _("Order %(number)s is approved and not yet dispatched."),
            OrderStatus.DISPATCHED: _("Order %(number)s has been dispatched already."),
            OrderStatus.RECEIVED: _("Order %(number)s has been received already."),
            OrderStatus.CLOSED: _("Order %(number)s is closed."),
            OrderStatus.CANCELLED: _("Order %(number)s was cancelled."),
        }
        raise Conflict(messages[order.status] % {"number": order.number}, field="status")


def approve(
    session: Session, actor: User | None, order_id: int, *, today: date | None = None
) -> AllocationOrder:
    """Approve a draft: reserve every line at the sender, first expiry first, or refuse."""
    require_dispatcher(actor)
    order = lock_order(session, order_id)
    expect_status(order, OrderStatus.DRAFT)
    today = today or local_today()
    for line in lines_of(session, order.id):
        left = line.quantity
        picks = []
        for lot, _balance in lots_on_hand(session, order.from_facility_id, line.item_id):
            if lot.is_expired(today):
                continue
            # lock the row and read it fresh: another approval may have reserved it just now
            balance_id, available = reservations.lock_available(
                session, order.from_facility_id, line.item_id, lot.id
            )
            take = min(left, available)
            if take > 0:
                picks.append((lot, take, balance_id))
                left -= take
            if left == 0:
                break
        if left > 0:
            item = session.get(Item, line.item_id)
            raise Conflict(
                _(
                    "Not enough usable stock of %(item)s at the sender: %(available)s "
                    "available, %(wanted)s ordered.",
                    item=item.name_zh,
                    available=line.quantity - left,
                    wanted=line.quantity,
                ),
                field="quantity",
            )
        for lot, take, balance_id in picks:
            reservations.change_reserved(session, balance_id, take)
            session.add(AllocationOrderLot(line_id=line.id, lot_id=lot.id, reserved=take))
    order.status = OrderStatus.APPROVED
    order.approved_at = utcnow()
    order.approved_by_id = actor.id if actor else None
    session.add(order)
    session.flush()
    return order


def cancel(session: Session, actor: User | None, order_id: int, reason: str) -> AllocationOrder:
    """Cancel before dispatch; what approval reserved is released."""
    require_dispatcher(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the order is cancelled."), field="reason")
    if len(reason) > SHORT_NOTE_MAX:  # kept as the order's cancel_reason
        raise ValidationError(_("At most %(n)s characters.", n=SHORT_NOTE_MAX), field="reason")
    order = lock_order(session, order_id)
    expect_status(order, OrderStatus.DRAFT, OrderStatus.APPROVED)
    lines = lines_of(session, order.id)
    reservations.release_all(session, order, lines, lots_of(session, [line.id for line in lines]))
    order.status = OrderStatus.CANCELLED
    order.cancelled_at = utcnow()
    order.cancelled_by_id = actor.id if actor else None
    order.cancel_reason = reason
    session.add(order)
    session.flush()
    return order


def close(session: Session, actor: User | None, order_id: int) -> AllocationOrder:
    """The office closes a received order once its discrepancies are settled."""
    require_dispatcher(actor)
    order = lock_order(session, order_id)
    expect_status(order, OrderStatus.RECEIVED)
    order.status = OrderStatus.CLOSED
    order.closed_at = utcnow()
    order.closed_by_id = actor.id if actor else None
    session.add(order)
    session.flush()
    return order


# ---- reading ----


def get_order(session: Session, actor: User, order_id: int) -> AllocationOrder:
    order = session.get(AllocationOrder, order_id)
    if order is None:
        raise NotFound(_("No such order."))
    if actor is not None and not may_read_order(
        session, actor, order.from_facility_id, order.to_facility_id
    ):
        raise Forbidden(_("This order is not addressed to or from your depot."))
    return order


def listing(
    session: Session,
    actor: User,
    *,
    status: str | None = None,
    facility_id: int | None = None,
    plan_id: int | None = None,
    limit: int = 500,
) -> list[AllocationOrder]:
    """Orders the user may see, newest first; clerks see those of their depots."""
    query = select(AllocationOrder)
    if actor.role == Role.CLERK:
        mine = facility_ids_of(session, actor)
        query = query.where(
            AllocationOrder.from_facility_id.in_(mine) | AllocationOrder.to_facility_id.in_(mine)
        )
    elif actor.role not in (Role.DISPATCHER, Role.VIEWER, Role.ADMIN):
        raise Forbidden(_("You are not allowed to see orders."))
    if status:
        query = query.where(AllocationOrder.status == status)
    if facility_id:
        query = query.where(
            (AllocationOrder.from_facility_id == facility_id)
            | (AllocationOrder.to_facility_id == facility_id)
        )
    if plan_id:
        query = query.where(AllocationOrder.plan_id == plan_id)
    return list(session.exec(query.order_by(AllocationOrder.id.desc()).limit(limit)).all())


def in_transit(session: Session) -> dict[tuple[int, int], int]:
    """Units on the road per (sending depot, item): dispatched, not yet received."""
    rows = session.exec(
        select(AllocationOrder.from_facility_id, AllocationOrderLine.item_id, AllocationOrderLot)
        .join(AllocationOrderLine, AllocationOrderLine.order_id == AllocationOrder.id)
        .join(AllocationOrderLot, AllocationOrderLot.line_id == AllocationOrderLine.id)
        .where(AllocationOrder.status == OrderStatus.DISPATCHED)
    ).all()
    out: dict[tuple[int, int], int] = defaultdict(int)
    for fid, iid, row in rows:
        out[(fid, iid)] += row.dispatched
    return dict(out)


def discrepancies(session: Session) -> dict[int, int]:
    """Units per item dispatched but not booked in (short or damaged), over all orders."""
    rows = session.exec(
        select(AllocationOrderLine)
        .join(AllocationOrder, AllocationOrder.id == AllocationOrderLine.order_id)
        .where(AllocationOrder.status.in_((OrderStatus.RECEIVED, OrderStatus.CLOSED)))
    ).all()
    out: dict[int, int] = defaultdict(int)
    for line in rows:
        out[line.item_id] += line.dispatched_quantity - line.received_quantity
    return dict(out)


def open_orders_of(session: Session, facility_id: int) -> list:
    """Orders still on their way to or from a depot, newest first, with the sender's and the
    receiver's names in the reader's language: [(order, sender, receiver)]."""
    open_statuses = (OrderStatus.DRAFT, OrderStatus.APPROVED, OrderStatus.DISPATCHED)
    rows = session.exec(
        select(AllocationOrder)
        .where(
            (AllocationOrder.from_facility_id == facility_id)
            | (AllocationOrder.to_facility_id == facility_id),
            AllocationOrder.status.in_(open_statuses),
        )
        .order_by(AllocationOrder.id.desc())
    ).all()
    names = {f.id: localized_name(f) for f in session.exec(select(Facility)).all()} if rows else {}
    return [(o, names.get(o.from_facility_id), names.get(o.to_facility_id)) for o in rows]
