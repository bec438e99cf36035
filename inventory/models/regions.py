"""Administrative regions (GB/T 2260) and the reserve depots in them."""

from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, String
from sqlmodel import Field, SQLModel

import core.db  # noqa: F401  (the constraint naming convention)


class Tier(StrEnum):
    """Level of a region or depot in the reserve network (省、市、县、乡)."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"


TIER_ORDER = {Tier.PROVINCE: 0, Tier.CITY: 1, Tier.COUNTY: 2, Tier.TOWNSHIP: 3}
_TIERS_SQL = "('province', 'city', 'county', 'township')"


class Region(SQLModel, table=True):
    """An administrative region, keyed by its division code (6 digits, 9 for townships)."""

    __tablename__ = "region"
    __table_args__ = (CheckConstraint(f"level IN {_TIERS_SQL}", name="level"),)

    code: str = Field(sa_column=Column(String(12), primary_key=True))
    name: str = Field(max_length=64)
    name_en: str = Field(default="", max_length=96)
    level: str = Field(sa_column=Column(String(16), nullable=False))
    parent_code: str | None = Field(default=None, foreign_key="region.code", index=True)
    lon: float | None = None
    lat: float | None = None
    population: int | None = None
    population_source: str = Field(default="", max_length=200)
    # True when the row, or part of it, was generated rather than taken from a public source
    synthetic: bool = False
    source: str = Field(default="", max_length=200)

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"


class Facility(SQLModel, table=True):
    """A reserve depot (储备库) at city, county or township tier."""

    __tablename__ = "facility"
    __table_args__ = (CheckConstraint(f"tier IN {_TIERS_SQL}", name="tier"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=96)
    name_en: str = Field(default="", max_length=128)
    tier: str = Field(sa_column=Column(String(16), nullable=False))
    parent_id: int | None = Field(default=None, foreign_key="facility.id", index=True)
    region_code: str = Field(foreign_key="region.code", index=True, max_length=12)
    operator: str = Field(default="", max_length=96)
    lon: float | None = None
    lat: float | None = None
    # full-load beds and population of the institutions this depot supplies directly
    beds: int = 0
    population_served: int = 0
    active: bool = True
    synthetic: bool = False
    source: str = Field(default="", max_length=200)

    def __repr__(self) -> str:
        return f"<Facility {self.code} {self.name}>"
