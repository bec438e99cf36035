"""Surge scenarios, plans, allocation orders (调拨令) and support requests (紧急调拨单)."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Column, DateTime, Index, String
from sqlmodel import Field, SQLModel

import core.db  # noqa: F401  (the constraint naming convention)
from core.fields import NOTE_MAX, SHORT_NOTE_MAX
from core.timeutil import utcnow


def _time(nullable: bool = True, index: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


class LinkPolicy(StrEnum):
    """Which transfers a plan may use."""

    DISTANCE = "distance"  # within max_distance_km (the 1-hour response circle)
    HIERARCHY = "hierarchy"  # parent ↔ child and between siblings, within the distance too
    ANY = "any"  # any depot to any depot


class SurgeScenario(SQLModel, table=True):
    """A surge as the dispatcher declares it: where, how much more, from when, for how long."""

    __tablename__ = "surge_scenario"
    __table_args__ = (
        CheckConstraint("horizon_days > 0", name="horizon_positive"),
        CheckConstraint("target_days > 0", name="target_positive"),
        CheckConstraint("multiplier >= 0", name="multiplier_nonnegative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=96)
    note: str = Field(default="", max_length=NOTE_MAX)
    # affected regions (county or township codes) and single depots; both may be given
    region_codes: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    facility_ids: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # full-load usage × multiplier at the affected depots, for every category ...
    multiplier: float = 1.0
    # ... and per category: {"protection": {"multiplier": 8, "extra": 0}, ...}; extra is units
    # per day added at each affected depot holding a norm for the item
    category_rules: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    start_date: date
    horizon_days: int = 14
    # cover to lift every depot to (capped by the horizon)
    target_days: int = 10
    # donors keep this many days of their own (surge) need, per tier
    floor_days: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    links: str = Field(default=LinkPolicy.DISTANCE, sa_column=Column(String(16), nullable=False))
    max_distance_km: float | None = 60.0
    road_factor: float = 1.3
    archived: bool = False
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time(False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_time(False))


class PlanStatus(StrEnum):
    PROPOSED = "proposed"  # solved, open for adjustment
    ISSUED = "issued"  # orders created from it; frozen
    DISCARDED = "discarded"


class Plan(SQLModel, table=True):
    """One solve of a scenario on the balances of its moment, with the dispatcher's edits."""

    __tablename__ = "plan"

    id: int | None = Field(default=None, primary_key=True)
    scenario_id: int = Field(foreign_key="surge_scenario.id", index=True)
    status: str = Field(default=PlanStatus.PROPOSED, sa_column=Column(String(16), nullable=False))
    # the optimizer's input, kept so anyone can re-solve and check the plan
    problem: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    shortage_before: float = 0.0
    # optimum found by the solver, and the cost of the lines as they stand (after edits)
    optimal_shortage: float = 0.0
    optimal_transport: float = 0.0
    shortage_cost: float = 0.0
    transport_cost: float = 0.0
    solve_seconds: float = 0.0
    adjusted: bool = False
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time(False))
    issued_by_id: int | None = Field(default=None, foreign_key="user.id")
    issued_at: datetime | None = Field(default=None, sa_column=_time())


class PlanTransfer(SQLModel, table=True):
    """One line of a plan: quantity of an item from one depot to another."""

    __tablename__ = "plan_transfer"
    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity_nonnegative"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    from_facility_id: int = Field(foreign_key="facility.id")
    to_facility_id: int = Field(foreign_key="facility.id")
    item_id: int = Field(foreign_key="item.id")
    # what the solver proposed, and what the dispatcher kept (0: dropped)
    proposed_quantity: int = 0
    quantity: int
    km: float = 0.0


class PlanUnmet(SQLModel, table=True):
    """Units a depot still misses to reach the target after the plan."""

    __tablename__ = "plan_unmet"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    facility_id: int = Field(foreign_key="facility.id")
    item_id: int = Field(foreign_key="item.id")
    quantity: int


class OrderStatus(StrEnum):
    """The life of an allocation order."""

    DRAFT = "draft"  # issued from a plan, not yet approved
    APPROVED = "approved"  # stock reserved at the sender
    DISPATCHED = "dispatched"  # left the sender's ledger: in transit
    RECEIVED = "received"  # booked in at the receiver, discrepancies recorded
    CLOSED = "closed"
    CANCELLED = "cancelled"  # before dispatch; reservations released


class AllocationOrder(SQLModel, table=True):
    """An allocation order (调拨令) from one depot to another."""

    __tablename__ = "allocation_order"
    __table_args__ = (
        Index("ix_allocation_order_from_status", "from_facility_id", "status"),
        Index("ix_allocation_order_to_status", "to_facility_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True)
    plan_id: int | None = Field(default=None, foreign_key="plan.id", index=True)
    from_facility_id: int = Field(foreign_key="facility.id")
    to_facility_id: int = Field(foreign_key="facility.id")
    status: str = Field(default=OrderStatus.DRAFT, sa_column=Column(String(16), nullable=False))
    note: str = Field(default="", max_length=NOTE_MAX)
    issued_by_id: int | None = Field(default=None, foreign_key="user.id")
    issued_at: datetime = Field(default_factory=utcnow, sa_column=_time(False, index=True))
    approved_by_id: int | None = Field(default=None, foreign_key="user.id")
    approved_at: datetime | None = Field(default=None, sa_column=_time())
    dispatched_by_id: int | None = Field(default=None, foreign_key="user.id")
    dispatched_at: datetime | None = Field(default=None, sa_column=_time(index=True))
    received_by_id: int | None = Field(default=None, foreign_key="user.id")
    received_at: datetime | None = Field(default=None, sa_column=_time(index=True))
    closed_by_id: int | None = Field(default=None, foreign_key="user.id")
    closed_at: datetime | None = Field(default=None, sa_column=_time())
    cancelled_by_id: int | None = Field(default=None, foreign_key="user.id")
    cancelled_at: datetime | None = Field(default=None, sa_column=_time())
    cancel_reason: str = Field(default="", max_length=SHORT_NOTE_MAX)


class AllocationOrderLine(SQLModel, table=True):
    """An item and quantity on an order, with what was dispatched and received."""

    __tablename__ = "allocation_order_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("dispatched_quantity >= 0", name="dispatched_nonnegative"),
        CheckConstraint("received_quantity >= 0", name="received_nonnegative"),
        CheckConstraint("damaged_quantity >= 0", name="damaged_nonnegative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="allocation_order.id", index=True)
    item_id: int = Field(foreign_key="item.id")
    quantity: int
    dispatched_quantity: int = 0
    # booked into the receiver's stock; damaged units are recorded, not booked in
    received_quantity: int = 0
    damaged_quantity: int = 0
    discrepancy_note: str = Field(default="", max_length=SHORT_NOTE_MAX)

    @property
    def short_quantity(self) -> int:
        """Dispatched but neither received nor reported damaged: lost on the way."""
        return max(0, self.dispatched_quantity - self.received_quantity - self.damaged_quantity)


class AllocationOrderLot(SQLModel, table=True):
    """Per lot of a line: what approval reserved, what left, what arrived."""

    __tablename__ = "allocation_order_lot"
    __table_args__ = (
        CheckConstraint("reserved >= 0", name="reserved_nonnegative"),
        CheckConstraint("dispatched >= 0", name="dispatched_nonnegative"),
        CheckConstraint("received >= 0", name="received_nonnegative"),
        CheckConstraint("damaged >= 0", name="damaged_nonnegative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    line_id: int = Field(foreign_key="allocation_order_line.id", index=True)
    lot_id: int = Field(foreign_key="lot.id")
    form: str = Field(default="physical", sa_column=Column(String(16), nullable=False))
    reserved: int = 0
    dispatched: int = 0
    received: int = 0
    damaged: int = 0


class SupportRequest(SQLModel, table=True):
    """An emergency support request (紧急调拨单) to a neighbouring city or the province."""

    __tablename__ = "support_request"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True)
    plan_id: int | None = Field(default=None, foreign_key="plan.id", index=True)
    # "province" or "neighbour_city", and who exactly (浙江省卫生健康委, 杭州市卫生健康委 ...)
    addressee_kind: str = Field(sa_column=Column(String(16), nullable=False))
    addressee: str = Field(max_length=96)
    note: str = Field(default="", max_length=NOTE_MAX)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time(False, index=True))


class SupportRequestLine(SQLModel, table=True):
    """An item a depot needs from outside the city."""

    __tablename__ = "support_request_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="support_request.id", index=True)
    facility_id: int = Field(foreign_key="facility.id")
    item_id: int = Field(foreign_key="item.id")
    quantity: int
