"""ISO weeks in Asia/Shanghai: parsing "2026-W47" and the instants a week starts and ends."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from core.timeutil import SHANGHAI, local_today

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class IsoWeek:
    """An ISO week (Monday to Sunday)."""

    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> "IsoWeek":
        """'2026-W47' (as an <input type=week> sends it); ValueError for anything else."""
        match = _WEEK.match((text or "").strip().upper())
        if not match:
            raise ValueError(f"not an ISO week (YYYY-Www): {text!r}")
        year, week = int(match[1]), int(match[2])
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValueError(f"{year} has no week {week}") from None
        return cls(year, week)

    @classmethod
    def of(cls, day: date) -> "IsoWeek":
        year, week, _ = day.isocalendar()
        return cls(year, week)

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    def __str__(self) -> str:
        return self.label

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def start(self) -> datetime:
        """Monday 00:00 in Shanghai, as UTC."""
        return datetime.combine(self.monday, time(), SHANGHAI).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The next Monday 00:00 in Shanghai, as UTC (exclusive)."""
        return self.start + timedelta(days=7)

    def previous(self) -> "IsoWeek":
        return IsoWeek.of(self.monday - timedelta(days=7))


def last_complete_week(today: date | None = None) -> IsoWeek:
    """The most recent week that has ended: on a Monday morning, the week just finished."""
    today = today or local_today()
    return IsoWeek.of(today - timedelta(days=today.isoweekday()))
