"""Actual use: average daily issues over recent windows, compared with the full-load norm."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, func
from sqlmodel import Session, select

from core.timeutil import SHANGHAI, local_today
from inventory.models import Movement, MovementKind, UsageNorm

WINDOWS = (7, 14, 28)
# actual use this many times the norm or more is flagged
ABOVE_NORM_FACTOR = 1.5


@dataclass
class BurnRate:
    """Average daily issues of an item at a depot over the last 7, 14 and 28 days."""

    facility_id: int
    item_id: int
    per_day: dict[int, float]
    norm: float | None

    @property
    def current(self) -> float:
        """The most recent rate: the 7-day average."""
        return self.per_day[WINDOWS[0]]

    @property
    def ratio_to_norm(self) -> float | None:
        return self.current / self.norm if self.norm else None

    @property
    def above_norm(self) -> bool:
        ratio = self.ratio_to_norm
        return ratio is not None and ratio >= ABOVE_NORM_FACTOR

    def days_at_burn(self, stock: int) -> float | None:
        """Days the stock lasts at the current rate; None when nothing is being used."""
        return stock / self.current if self.current > 0 else None


def _start_of(day: date) -> datetime:
    # in UTC, as stored: SQLite compares the text of a datetime and ignores its offset
    return datetime.combine(day, time.min, SHANGHAI).astimezone(UTC)


def burn_rates(
    session: Session, *, facility_ids: list[int] | None = None, today: date | None = None
) -> dict[tuple[int, int], BurnRate]:
    """Burn rates of every (depot, item) with issues in the last 28 days or a norm.

    A window of N days ends with today (partial) and covers N whole days before it.
    """
    today = today or local_today()
    end = _start_of(today + timedelta(days=1))
    starts = {n: _start_of(today - timedelta(days=n - 1)) for n in WINDOWS}
    issued = -Movement.quantity
    columns = [
        func.sum(case((Movement.occurred_at >= starts[n], issued), else_=0)) for n in WINDOWS
    ]
    query = (
        select(Movement.facility_id, Movement.item_id, *columns)
        .where(
            Movement.kind == MovementKind.ISSUE,
            Movement.occurred_at >= starts[max(WINDOWS)],
            Movement.occurred_at < end,
        )
        .group_by(Movement.facility_id, Movement.item_id)
    )
    norm_q = select(UsageNorm.facility_id, UsageNorm.item_id, UsageNorm.daily_usage)
    if facility_ids is not None:
        query = query.where(Movement.facility_id.in_(facility_ids))
        norm_q = norm_q.where(UsageNorm.facility_id.in_(facility_ids))
    norms = {(f, i): u for f, i, u in session.exec(norm_q)}
    rates = {}
    for fid, iid, *sums in session.exec(query):
        per_day = {n: float(s or 0) / n for n, s in zip(WINDOWS, sums, strict=True)}
        rates[(fid, iid)] = BurnRate(fid, iid, per_day, norms.get((fid, iid)))
    for key, norm in norms.items():
        if key not in rates:
            rates[key] = BurnRate(*key, {n: 0.0 for n in WINDOWS}, norm)
    return rates
