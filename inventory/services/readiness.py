"""Readiness: days of cover per (depot, item) against the target profile, and roll-ups.

Physical days = usable physical stock (not expired, not reserved) / full-load daily usage.
All-forms days over a horizon H = (usable physical + agreement stock + what production
capacity can deliver within H after its lead time) / the same usage; the 30-day target uses
H = all_forms_days, the 90-day target H = long_days.

Everything is read with a few aggregate queries (balances are materialised), so the whole
network can be computed in one pass.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, select

from inventory.models import (
    Balance,
    CapacityReserve,
    CatalogEntry,
    Facility,
    Item,
    Lot,
    ReserveForm,
    TargetProfile,
    UsageNorm,
)
from inventory.services.targets import active_profile
from timeutil import local_today

CATALOG_COVERAGE_MIN = 0.75  # 各单位储备种类要至少达到储备目录的75%以上 (001)


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
        if not self.daily_usage:
            return None
        return quantity / self.daily_usage

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


def compute_covers(
    session: Session, *, facility_ids: Iterable[int] | None = None, today: date | None = None
) -> dict[tuple[int, int], Cover]:
    """Cover of every (depot, item) that has a norm, stock or a catalog entry."""
    today = today or local_today()
    ids = list(facility_ids) if facility_ids is not None else None
    covers: dict[tuple[int, int], Cover] = {}

    def cover(fid: int, iid: int) -> Cover:
        key = (fid, iid)
        if key not in covers:
            covers[key] = Cover(fid, iid, None)
        return covers[key]

    norm_q = select(UsageNorm.facility_id, UsageNorm.item_id, UsageNorm.daily_usage)
    if ids is not None:
        norm_q = norm_q.where(UsageNorm.facility_id.in_(ids))
    for fid, iid, usage in session.exec(norm_q):
        cover(fid, iid).daily_usage = usage

    expired = and_(Lot.expiry.is_not(None), Lot.expiry < today)
    stock_q = (
        select(
            Balance.facility_id,
            Balance.item_id,
            Balance.form,
            case((expired, 1), else_=0).label("expired"),
            func.sum(Balance.quantity),
            func.sum(Balance.reserved),
        )
        .join(Lot, Lot.id == Balance.lot_id)
        .where(Balance.quantity > 0)
        .group_by(Balance.facility_id, Balance.item_id, Balance.form, "expired")
    )
    if ids is not None:
        stock_q = stock_q.where(Balance.facility_id.in_(ids))
    for fid, iid, form, is_expired, quantity, reserved in session.exec(stock_q):
        c = cover(fid, iid)
        c.reserved += int(reserved or 0)
        if is_expired:
            c.expired += int(quantity)
        elif form == ReserveForm.PHYSICAL:
            c.physical += int(quantity) - int(reserved or 0)
        else:
            c.agreement += int(quantity) - int(reserved or 0)

    cap_q = select(
        CapacityReserve.facility_id,
        CapacityReserve.item_id,
        func.sum(CapacityReserve.units_per_day),
        func.min(CapacityReserve.lead_time_days),
    ).group_by(CapacityReserve.facility_id, CapacityReserve.item_id)
    if ids is not None:
        cap_q = cap_q.where(CapacityReserve.facility_id.in_(ids))
    for fid, iid, per_day, lead in session.exec(cap_q):
        c = cover(fid, iid)
        c.capacity_per_day, c.capacity_lead_days = int(per_day), int(lead)

    fac_q = select(Facility.id, Facility.tier).where(Facility.active.is_(True))
    if ids is not None:
        fac_q = fac_q.where(Facility.id.in_(ids))
    tiers = dict(session.exec(fac_q).all())
    catalog = defaultdict(set)
    for tier, iid in session.exec(select(CatalogEntry.tier, CatalogEntry.item_id)):
        catalog[tier].add(iid)
    for fid, tier in tiers.items():
        for iid in catalog[tier]:
            cover(fid, iid).in_catalog = True
    # drop depots that are inactive or outside the selection
    return {k: c for k, c in covers.items() if k[0] in tiers}


@dataclass
class Rollup:
    """Readiness of a group of (depot, item) pairs: summed days and the share meeting targets."""

    key: str
    physical: int = 0
    usage: float = 0.0
    all_forms_short: int = 0
    all_forms_long: int = 0
    judged: int = 0
    meets_physical: int = 0
    meets_short: int = 0
    meets_long: int = 0
    red: int = 0
    stock_outs: int = 0
    no_norm: int = 0
    catalog_items: int = 0
    catalog_held: int = 0
    statuses: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, c: Cover, t: Targets) -> None:
        status = c.status(t)
        self.statuses[status] += 1
        if c.in_catalog:
            self.catalog_items += 1
            self.catalog_held += c.held
        if status == Status.NO_NORM:
            self.no_norm += 1
            return
        if status == Status.NOT_USED:
            return
        self.judged += 1
        self.physical += c.physical
        self.usage += c.daily_usage
        self.all_forms_short += c.all_forms(t.all_forms_days)
        self.all_forms_long += c.all_forms(t.long_days)
        order = STATUS_ORDER[status]
        self.meets_physical += order > STATUS_ORDER[Status.RED]
        self.meets_short += order > STATUS_ORDER[Status.AMBER]
        self.meets_long += order > STATUS_ORDER[Status.YELLOW]
        self.red += status in (Status.RED, Status.STOCK_OUT)
        self.stock_outs += status == Status.STOCK_OUT

    @property
    def physical_days(self) -> float | None:
        """Sum of stock over sum of usage."""
        return self.physical / self.usage if self.usage else None

    @property
    def all_forms_days(self) -> float | None:
        return self.all_forms_short / self.usage if self.usage else None

    def share(self, n: int) -> float | None:
        return n / self.judged if self.judged else None

    @property
    def share_physical(self) -> float | None:
        return self.share(self.meets_physical)

    @property
    def share_short(self) -> float | None:
        return self.share(self.meets_short)

    @property
    def share_long(self) -> float | None:
        return self.share(self.meets_long)

    @property
    def catalog_coverage(self) -> float | None:
        return self.catalog_held / self.catalog_items if self.catalog_items else None

    @property
    def worst(self) -> Status | None:
        judged = [s for s in JUDGED if self.statuses.get(s)]
        return judged[0] if judged else None


@dataclass
class Readiness:
    """The network's readiness: every cover, and roll-ups along each dimension."""

    targets: Targets
    covers: dict[tuple[int, int], Cover]
    facilities: dict[int, Facility]
    items: dict[int, Item]
    by_facility: dict[int, Rollup]
    by_county: dict[str, Rollup]
    by_tier: dict[str, Rollup]
    by_category: dict[str, Rollup]
    by_facility_category: dict[tuple[int, str], Rollup]
    by_county_category: dict[tuple[str, str], Rollup]
    city: Rollup

    def red_list(self) -> list[Cover]:
        """(depot, item) below the physical target, fewest days first, most critical first."""
        reds = [
            c
            for c in self.covers.values()
            if c.status(self.targets) in (Status.STOCK_OUT, Status.RED)
        ]
        return sorted(
            reds, key=lambda c: (c.physical_days or 0, -self.items[c.item_id].criticality)
        )

    def low_coverage(self) -> list[tuple[Facility, Rollup]]:
        """Depots holding less than 75 % of their tier's catalog."""
        return [
            (self.facilities[fid], r)
            for fid, r in sorted(self.by_facility.items())
            if r.catalog_coverage is not None and r.catalog_coverage < CATALOG_COVERAGE_MIN
        ]


def county_of(facility: Facility) -> str | None:
    """The county-level code a depot belongs to (None for the city and province)."""
    if facility.tier in ("county", "township"):
        return facility.region_code[:6]
    return None


def compute_readiness(
    session: Session,
    *,
    facility_ids: Iterable[int] | None = None,
    today: date | None = None,
    targets: Targets | None = None,
) -> Readiness:
    """Covers and every roll-up, for the whole network or the given depots."""
    targets = targets or Targets.from_profile(active_profile(session))
    covers = compute_covers(session, facility_ids=facility_ids, today=today)
    fac_q = select(Facility).where(Facility.active.is_(True))
    if facility_ids is not None:
        fac_q = fac_q.where(Facility.id.in_(list(facility_ids)))
    facilities = {f.id: f for f in session.exec(fac_q)}
    items = {i.id: i for i in session.exec(select(Item))}
    by_facility = {fid: Rollup(str(fid)) for fid in facilities}
    by_county: dict[str, Rollup] = {}
    by_tier: dict[str, Rollup] = {}
    by_category: dict[str, Rollup] = {}
    by_fc: dict[tuple[int, str], Rollup] = {}
    by_cc: dict[tuple[str, str], Rollup] = {}
    city = Rollup("city")
    for (fid, iid), c in covers.items():
        f = facilities[fid]
        category = items[iid].category
        county = county_of(f) or "city"
        for bucket, key in (
            (by_county, county),
            (by_tier, f.tier),
            (by_category, category),
            (by_fc, (fid, category)),
            (by_cc, (county, category)),
        ):
            if key not in bucket:
                bucket[key] = Rollup(str(key))
            bucket[key].add(c, targets)
        by_facility[fid].add(c, targets)
        city.add(c, targets)
    return Readiness(
        targets,
        covers,
        facilities,
        items,
        by_facility,
        by_county,
        by_tier,
        by_category,
        by_fc,
        by_cc,
        city,
    )


def facilities_in_county(session: Session, county_code: str) -> list[int]:
    """The county depot and every township depot in the county."""
    rows = session.exec(
        select(Facility.id).where(
            Facility.active.is_(True),
            or_(Facility.region_code == county_code, Facility.region_code.like(f"{county_code}%")),
            Facility.tier.in_(("county", "township")),
        )
    )
    return list(rows.all())
