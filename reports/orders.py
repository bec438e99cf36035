"""Allocation orders of a week, read straight from the order tables for the weekly report."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, select

from core.timeutil import as_utc
from reports.weeks import IsoWeek
from surge.models import AllocationOrder, AllocationOrderLine


@dataclass
class WeekOrder:
    """An order with its lines."""

    order: AllocationOrder
    lines: list[AllocationOrderLine] = field(default_factory=list)

    @property
    def quantity(self) -> int:
        return sum(x.quantity for x in self.lines)

    @property
    def dispatched(self) -> int:
        return sum(x.dispatched_quantity for x in self.lines)

    @property
    def received(self) -> int:
        return sum(x.received_quantity for x in self.lines)

    @property
    def damaged(self) -> int:
        return sum(x.damaged_quantity for x in self.lines)

    @property
    def short(self) -> int:
        return sum(x.short_quantity for x in self.lines)


@dataclass
class WeekOrders:
    """Orders issued, dispatched and received in the week (an order can be in all three)."""

    issued: list[WeekOrder]
    dispatched: list[WeekOrder]
    received: list[WeekOrder]

    @property
    def empty(self) -> bool:
        return not (self.issued or self.dispatched or self.received)


def _within(column, week: IsoWeek):
    return (column >= week.start) & (column < week.end)


def orders_of_week(
    session: Session, week: IsoWeek, *, facility_ids: list[int] | None = None
) -> WeekOrders:
    """Orders issued, dispatched or received in [Monday 00:00, next Monday 00:00) Shanghai;
    for a county, the orders from or to its depots."""
    query = select(AllocationOrder).where(
        or_(
            _within(AllocationOrder.issued_at, week),
            _within(AllocationOrder.dispatched_at, week),
            _within(AllocationOrder.received_at, week),
        )
    )
    if facility_ids is not None:
        query = query.where(
            or_(
                AllocationOrder.from_facility_id.in_(facility_ids),
                AllocationOrder.to_facility_id.in_(facility_ids),
            )
        )
    orders = list(session.exec(query.order_by(AllocationOrder.number)).all())
    lines = defaultdict(list)
    if orders:
        for line in session.exec(
            select(AllocationOrderLine)
            .where(AllocationOrderLine.order_id.in_([o.id for o in orders]))
            .order_by(AllocationOrderLine.id)
        ):
            lines[line.order_id].append(line)
    rows = [WeekOrder(o, lines[o.id]) for o in orders]

    def during(value: datetime | None) -> bool:
        if value is None:
            return False
        return week.start <= as_utc(value) < week.end

    return WeekOrders(
        issued=sorted(
            (r for r in rows if during(r.order.issued_at)), key=lambda r: r.order.issued_at
        ),
        dispatched=sorted(
            (r for r in rows if during(r.order.dispatched_at)),
            key=lambda r: r.order.dispatched_at,
        ),
        received=sorted(
            (r for r in rows if during(r.order.received_at)), key=lambda r: r.order.received_at
        ),
    )
