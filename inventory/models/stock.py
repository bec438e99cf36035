"""Lots, the append-only movement ledger, balances, and reserves held outside the depot."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, DateTime, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

import core.db  # noqa: F401  (the constraint naming convention)
from core.append_only import make_append_only
from core.fields import NOTE_MAX, SHORT_NOTE_MAX
from core.timeutil import utcnow
from inventory.rules.expiry import is_expired
from inventory.rules.stock import available


class ReserveForm(StrEnum):
    """Reserve forms (储备形式) kept in the ledger."""

    PHYSICAL = "physical"  # 实物储备: on the depot's shelves
    AGREEMENT = "agreement"  # 协议储备: held by an enterprise under agreement, callable


class MovementKind(StrEnum):
    """What a ledger row records."""

    RECEIPT = "receipt"
    ISSUE = "issue"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    ADJUSTMENT = "adjustment"
    COUNT = "count"
    REVERSAL = "reversal"


_FORMS_SQL = "('physical', 'agreement')"
_KINDS_SQL = (
    "('receipt', 'issue', 'transfer_out', 'transfer_in', 'adjustment', 'count', 'reversal')"
)


class Enterprise(SQLModel, table=True):
    """An enterprise holding agreement stock or a designated producer (定点生产企业)."""

    __tablename__ = "enterprise"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=128)
    synthetic: bool = False
    source: str = Field(default="", max_length=200)


class Lot(SQLModel, table=True):
    """A production lot (批号) of an item, with its expiry date."""

    __tablename__ = "lot"
    __table_args__ = (UniqueConstraint("item_id", "lot_no"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    lot_no: str = Field(max_length=64)
    # None for equipment and other goods without an expiry
    expiry: date | None = None

    def is_expired(self, today: date) -> bool:
        """Past its expiry date: may only be disposed of."""
        return is_expired(self.expiry, today)


class Movement(SQLModel, table=True):
    """One row of the append-only ledger; `quantity` is the signed change of the balance."""

    __tablename__ = "movement"
    __table_args__ = (
        CheckConstraint(f"form IN {_FORMS_SQL}", name="form"),
        CheckConstraint(f"kind IN {_KINDS_SQL}", name="kind"),
        CheckConstraint("quantity <> 0", name="quantity_nonzero"),
        CheckConstraint("balance_after >= 0", name="balance_after_nonnegative"),
        Index("ix_movement_balance_key", "facility_id", "item_id", "lot_id", "form"),
        Index("ix_movement_facility_time", "facility_id", "occurred_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    facility_id: int = Field(foreign_key="facility.id")
    item_id: int = Field(foreign_key="item.id", index=True)
    lot_id: int = Field(foreign_key="lot.id", index=True)
    form: str = Field(sa_column=Column(String(16), nullable=False))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    quantity: int
    # the lot balance right after this row: the stock card reads it, the ledger check proves it
    balance_after: int
    # purchase, donation, agreement, order / damaged, expired, lost, found, count ...
    reason: str = Field(default="", max_length=32)
    note: str = Field(default="", max_length=NOTE_MAX)
    counterpart_facility_id: int | None = Field(default=None, foreign_key="facility.id")
    order_ref: str | None = Field(default=None, max_length=32, index=True)
    reverses_id: int | None = Field(default=None, foreign_key="movement.id", unique=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    occurred_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    # a client's key: a retried post returns the original row instead of posting twice
    idempotency_key: str | None = Field(default=None, max_length=80, unique=True)


make_append_only(Movement.__table__)


class Balance(SQLModel, table=True):
    """Materialised sum of the ledger per (facility, item, lot, form); never negative."""

    __tablename__ = "balance"
    __table_args__ = (
        UniqueConstraint("facility_id", "item_id", "lot_id", "form"),
        CheckConstraint(f"form IN {_FORMS_SQL}", name="form"),
        CheckConstraint("quantity >= 0", name="quantity_nonnegative"),
        CheckConstraint("reserved >= 0 AND reserved <= quantity", name="reserved_within"),
    )

    id: int | None = Field(default=None, primary_key=True)
    facility_id: int = Field(foreign_key="facility.id", index=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    lot_id: int = Field(foreign_key="lot.id", index=True)
    form: str = Field(sa_column=Column(String(16), nullable=False))
    quantity: int = 0
    # promised to approved allocation orders, not yet dispatched
    reserved: int = 0
    last_movement_id: int | None = Field(default=None, foreign_key="movement.id")
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )

    @property
    def available(self) -> int:
        """What may still be issued or promised."""
        return available(self.quantity, self.reserved)


class CapacityReserve(SQLModel, table=True):
    """Production-capacity reserve (生产能力储备): units per day after a lead time."""

    __tablename__ = "capacity_reserve"
    __table_args__ = (
        UniqueConstraint("facility_id", "item_id", "enterprise_id"),
        CheckConstraint("units_per_day >= 0", name="units_per_day_nonnegative"),
        CheckConstraint("lead_time_days >= 0", name="lead_time_nonnegative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    facility_id: int = Field(foreign_key="facility.id", index=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    units_per_day: int
    lead_time_days: int
    note: str = Field(default="", max_length=SHORT_NOTE_MAX)
