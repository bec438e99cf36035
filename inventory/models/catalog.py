"""The item catalog, the graded reserve catalog per tier, and full-load usage norms."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, DateTime, String, UniqueConstraint
from sqlmodel import Field, SQLModel

import core.db  # noqa: F401  (the constraint naming convention)
from core.fields import SHORT_NOTE_MAX
from core.timeutil import utcnow


class Category(StrEnum):
    """Item categories of the reserve catalog."""

    PROTECTION = "protection"
    TESTING = "testing"
    DISINFECTION = "disinfection"
    DRUGS = "drugs"
    EQUIPMENT = "equipment"


_CATEGORIES_SQL = "('protection', 'testing', 'disinfection', 'drugs', 'equipment')"


class Item(SQLModel, table=True):
    """A supply item; quantities everywhere are whole units of `unit_zh`."""

    __tablename__ = "item"
    __table_args__ = (
        CheckConstraint(f"category IN {_CATEGORIES_SQL}", name="category"),
        CheckConstraint("pack_size >= 1", name="pack_size_positive"),
        CheckConstraint("criticality BETWEEN 1 AND 5", name="criticality_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name_zh: str = Field(max_length=96)
    name_en: str = Field(max_length=128)
    category: str = Field(sa_column=Column(String(16), nullable=False, index=True))
    unit_zh: str = Field(max_length=16)
    unit_en: str = Field(max_length=24)
    pack_size: int = 1
    # None for equipment that does not expire
    shelf_life_days: int | None = None
    unit_kg: float = 1.0
    criticality: int = 3
    active: bool = True
    synthetic: bool = False

    def name(self, locale: str) -> str:
        """The item's name in the user's language."""
        return self.name_en if locale.startswith("en") else self.name_zh

    def __repr__(self) -> str:
        return f"<Item {self.code}>"


class CatalogEntry(SQLModel, table=True):
    """An item that depots of a tier must hold (分级分类储备目录)."""

    __tablename__ = "catalog_entry"
    __table_args__ = (UniqueConstraint("tier", "item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    tier: str = Field(sa_column=Column(String(16), nullable=False, index=True))
    item_id: int = Field(foreign_key="item.id", index=True)


class UsageNorm(SQLModel, table=True):
    """Full-load daily usage (满负荷运转日用量) of an item at a depot, and how it was derived."""

    __tablename__ = "usage_norm"
    __table_args__ = (
        UniqueConstraint("facility_id", "item_id"),
        CheckConstraint("daily_usage >= 0", name="daily_usage_nonnegative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    facility_id: int = Field(foreign_key="facility.id", index=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    daily_usage: float
    # e.g. "bed: 420 beds × 6.0 per bed-day"
    basis: str = Field(default="", max_length=SHORT_NOTE_MAX)
    source: str = Field(default="", max_length=200)
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
