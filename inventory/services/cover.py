"""Cover: how many days of full-load use a depot's stock of an item lasts, and its status.

Physical days = usable physical stock (not expired, not reserved) / full-load daily usage.
All-forms days over a horizon H = (usable physical + agreement stock + what production
capacity can deliver within H after its lead time) / the same usage; the 30-day target uses
H = all_forms_days, the 90-day target H = long_days. `Cover` holds one (depot, item),
`CoverTable` many as parallel arrays, with the same rules.
"""

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from inventory.models import TargetProfile


class Status(StrEnum):
    """How a (depot, item) stands against the targets, worst first."""

    STOCK_OUT = "stock_out"  # needed, nothing usable on the shelf
    RED = "red"  # below the physical target (10 days)
    AMBER = "amber"  # physical met, all forms below the 30-day target
    YELLOW = "yellow"  # 30 days met, below the long target (90 days)
    GREEN = "green"  # every target met
    NO_NORM = "no_norm"  # no usage norm recorded: cannot be judged
    NOT_USED = "not_used"  # the norm is zero: nothing to hold


STATUS_ORDER = {s: n for n, s in enumerate(Status)}
JUDGED = (Status.STOCK_OUT, Status.RED, Status.AMBER, Status.YELLOW, Status.GREEN)


def days_of_cover(quantity: float, daily_usage: float | None) -> float | None:
    """How many days `quantity` units last at full-load `daily_usage`; None without a norm
    (or a zero one). The one definition: depot pages, reports, API and jobs use it."""
    if not daily_usage:
        return None
    return quantity / daily_usage


@dataclass(frozen=True)
class Targets:
    """The thresholds in force, in days."""

    physical_days: int = 10
    all_forms_days: int = 30
    long_days: int = 90

    @classmethod
    def from_profile(cls, profile: TargetProfile | None) -> "Targets":
        if profile is None:
            return cls()
        return cls(profile.physical_days, profile.all_forms_days, profile.long_days)


@dataclass
class Cover:
    """Stock and cover of one item at one depot."""

    facility_id: int
    item_id: int
    daily_usage: float | None
    physical: int = 0
    agreement: int = 0
    expired: int = 0
    reserved: int = 0
    capacity_per_day: int = 0
    capacity_lead_days: int = 0
    in_catalog: bool = False

    def capacity_within(self, horizon: int) -> int:
        """Units production capacity delivers within `horizon` days, after its lead time."""
        return self.capacity_per_day * max(0, horizon - self.capacity_lead_days)

    def all_forms(self, horizon: int) -> int:
        return self.physical + self.agreement + self.capacity_within(horizon)

    def days(self, quantity: int) -> float | None:
        return days_of_cover(quantity, self.daily_usage)

    @property
    def physical_days(self) -> float | None:
        return self.days(self.physical)

    def all_forms_days(self, horizon: int) -> float | None:
        return self.days(self.all_forms(horizon))

    def status(self, t: Targets) -> Status:
        """The worst target this (depot, item) misses."""
        if self.daily_usage is None:
            return Status.NO_NORM
        if self.daily_usage == 0:
            return Status.NOT_USED
        if self.physical <= 0:
            return Status.STOCK_OUT
        if self.physical < t.physical_days * self.daily_usage:
            return Status.RED
        if self.all_forms(t.all_forms_days) < t.all_forms_days * self.daily_usage:
            return Status.AMBER
        if self.all_forms(t.long_days) < t.long_days * self.daily_usage:
            return Status.YELLOW
        return Status.GREEN

    @property
    def held(self) -> bool:
        """Counts as held for catalog coverage: usable stock of some form on hand."""
        return self.physical + self.agreement > 0


@dataclass
class CoverTable:
    """Cover of many (depot, item) pairs as parallel arrays, for whole-network roll-ups."""

    facility_id: np.ndarray
    item_id: np.ndarray
    usage: np.ndarray  # NaN where there is no norm
    physical: np.ndarray
    agreement: np.ndarray
    expired: np.ndarray
    reserved: np.ndarray
    capacity_per_day: np.ndarray
    capacity_lead_days: np.ndarray
    in_catalog: np.ndarray

    def __len__(self) -> int:
        return len(self.facility_id)

    def capacity_within(self, horizon: int) -> np.ndarray:
        return self.capacity_per_day * np.maximum(0, horizon - self.capacity_lead_days)

    def all_forms(self, horizon: int) -> np.ndarray:
        return self.physical + self.agreement + self.capacity_within(horizon)

    def status_codes(self, t: Targets) -> np.ndarray:
        """Each pair's status as its index in `Status` (the same rules as Cover.status)."""
        u = np.nan_to_num(self.usage, nan=0.0)
        code = np.full(len(self), STATUS_ORDER[Status.GREEN], dtype=np.int8)
        code[self.all_forms(t.long_days) < t.long_days * u] = STATUS_ORDER[Status.YELLOW]
        code[self.all_forms(t.all_forms_days) < t.all_forms_days * u] = STATUS_ORDER[Status.AMBER]
        code[self.physical < t.physical_days * u] = STATUS_ORDER[Status.RED]
        code[self.physical <= 0] = STATUS_ORDER[Status.STOCK_OUT]
        code[u == 0] = STATUS_ORDER[Status.NOT_USED]
        code[np.isnan(self.usage)] = STATUS_ORDER[Status.NO_NORM]
        return code

    def cover(self, n: int) -> Cover:
        usage = self.usage[n]
        return Cover(
            int(self.facility_id[n]),
            int(self.item_id[n]),
            None if np.isnan(usage) else float(usage),
            int(self.physical[n]),
            int(self.agreement[n]),
            int(self.expired[n]),
            int(self.reserved[n]),
            int(self.capacity_per_day[n]),
            int(self.capacity_lead_days[n]),
            bool(self.in_catalog[n]),
        )
