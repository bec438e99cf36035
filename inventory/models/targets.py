"""Reserve target profiles: the 10-, 30- and 90-day rules and their seasonal variants."""

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

import core.db  # noqa: F401  (the constraint naming convention)


class TargetProfile(SQLModel, table=True):
    """A set of cover targets in days of full-load use; one profile is active at a time."""

    __tablename__ = "target_profile"
    __table_args__ = (
        CheckConstraint(
            "physical_days > 0 AND all_forms_days > 0 AND long_days > 0", name="days_positive"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name_zh: str = Field(max_length=64)
    name_en: str = Field(max_length=96)
    # physical stock alone (实物储备不少于10天)
    physical_days: int = 10
    # all reserve forms together (30天满负荷)
    all_forms_days: int = 30
    # all forms after a major event (3个月; 2 months in the 2021 step)
    long_days: int = 90
    # months (1-12) in which the profile applies, e.g. the autumn/winter rule Oct..Mar;
    # None for all year
    season_start_month: int | None = None
    season_end_month: int | None = None
    active: bool = False
    source: str = Field(default="", max_length=200)
