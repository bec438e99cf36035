"""Alerts raised by the daily scan: below target, stock-out, expiring, use above the norm."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, DateTime, String
from sqlmodel import Field, SQLModel

import core.db  # noqa: F401  (the constraint naming convention)
from core.timeutil import utcnow


class AlertKind(StrEnum):
    """What an alert is about."""

    STOCK_OUT = "stock_out"
    BELOW_TARGET = "below_target"
    EXPIRING = "expiring"
    ABOVE_NORM = "above_norm"


class Alert(SQLModel, table=True):
    """One condition at a depot; reopened (same row) when it comes back after clearing."""

    __tablename__ = "alert"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('stock_out', 'below_target', 'expiring', 'above_norm')", name="kind"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # kind:facility:item[:lot], the condition's identity
    key: str = Field(max_length=80, unique=True)
    kind: str = Field(sa_column=Column(String(16), nullable=False, index=True))
    facility_id: int = Field(foreign_key="facility.id", index=True)
    item_id: int = Field(foreign_key="item.id")
    lot_id: int | None = Field(default=None, foreign_key="lot.id")
    # days of cover, days to expiry or the ratio to the norm, when the scan last saw it
    value: float | None = None
    quantity: int | None = None
    opened_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    last_seen_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    resolved_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True, index=True)
    )
    acknowledged_by: int | None = Field(default=None, foreign_key="user.id")
    acknowledged_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
