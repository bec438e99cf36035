"""Readiness snapshots and the archive of weekly reports."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

import core.db  # noqa: F401  (the constraint naming convention)
from core.timeutil import utcnow


def _time(nullable: bool = True, index: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


class ReadinessSnapshot(SQLModel, table=True):
    """The headline readiness figures of one scope on one (Shanghai) day.

    `scope` is "city" (the whole network) or a county code; `figures` holds the headline
    roll-up, one roll-up per tier and one per group (county for the city, depot for a county),
    each as the counts a Rollup holds (judged, meets_physical, ..., red, catalog_held).
    """

    __tablename__ = "readiness_snapshot"
    __table_args__ = (UniqueConstraint("day", "scope"),)

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    scope: str = Field(sa_column=Column(String(12), nullable=False))
    taken_at: datetime = Field(default_factory=utcnow, sa_column=_time(False))
    figures: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Report(SQLModel, table=True):
    """An archived weekly readiness report: the PDF itself, so backups carry it."""

    __tablename__ = "report"
    __table_args__ = (Index("ix_report_week_scope", "iso_week", "scope"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="weekly", sa_column=Column(String(16), nullable=False))
    # "city" or a county code
    scope: str = Field(sa_column=Column(String(12), nullable=False))
    # "2026-W47"
    iso_week: str = Field(sa_column=Column(String(8), nullable=False))
    # the language the PDF is written in: "zh_CN" (the default) or "en"
    lang: str = Field(
        default="zh_CN", sa_column=Column(String(8), nullable=False, server_default="zh_CN")
    )
    generated_at: datetime = Field(default_factory=utcnow, sa_column=_time(False, index=True))
    # the user who asked for it; None for the scheduler and the command line
    generated_by_id: int | None = Field(default=None, foreign_key="user.id")
    source: str = Field(default="web", sa_column=Column(String(16), nullable=False))
    size: int = 0
    pages: int = 0
    filename: str = Field(max_length=96)
    pdf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
