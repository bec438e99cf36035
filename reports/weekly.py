"""The figures of the weekly readiness report, from the readiness services (no Flask here).

A report covers a scope (the city, or one county) and an ISO week. Readiness (cover, red list,
expiring lots) is the position when the report is generated; orders are those issued,
dispatched and received during the week; the change is against the stored snapshot of the
same scope a week before the report's date.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, select

from inventory.models import Region
from inventory.services.expiry import ExpiringLot, expiring_lots
from inventory.services.readiness import (
    Cover,
    Readiness,
    Rollup,
    compute_readiness,
    county_of,
    facilities_in_county,
)
from reports.orders import WeekOrders, orders_of_week
from reports.snapshots import CITY, rollup_from, snapshot_before
from reports.weeks import IsoWeek
from timeutil import SHANGHAI, local_today, utcnow

EXPIRY_DAYS = 90
SOON_DAYS = 30
# the longest lists are cut here (their full counts are printed): a province has thousands
LIST_LIMIT = 150
SOONEST_LOTS = 40


class UnknownScope(ValueError):
    """No such county."""


@dataclass
class Group:
    """A row of the table per county (city report) or per depot (county report)."""

    key: str
    name: str
    roll: Rollup
    depots: int
    previous: Rollup | None = None

    def change(self, attr: str) -> float | None:
        """Percentage points gained since the previous snapshot (None without one)."""
        if self.previous is None:
            return None
        now, before = getattr(self.roll, attr), getattr(self.previous, attr)
        if now is None or before is None:
            return None
        return (now - before) * 100


@dataclass
class RedDepot:
    """A depot's items below the physical target, most urgent first."""

    facility_id: int
    covers: list[Cover]

    @property
    def stock_outs(self) -> int:
        return sum(1 for c in self.covers if c.physical <= 0)


@dataclass
class ExpiringItem:
    """An item's lots expiring within 90 days, summed over the scope's depots."""

    item_id: int
    lots: int = 0
    depots: set = field(default_factory=set)
    within_soon: int = 0  # units expiring within 30 days
    later: int = 0  # units expiring in 31 to 90 days
    earliest: date | None = None

    @property
    def quantity(self) -> int:
        return self.within_soon + self.later


@dataclass
class Change:
    """A headline figure now and a week before."""

    label: str
    now: float | int | None
    before: float | int | None
    percent: bool = True

    @property
    def delta(self) -> float | None:
        if self.now is None or self.before is None:
            return None
        return (self.now - self.before) * (100 if self.percent else 1)


@dataclass
class WeeklyReport:
    scope: str  # "city" or a county code
    scope_name: str
    city_name: str
    week: IsoWeek
    as_of: date
    generated_at: datetime
    readiness: Readiness
    groups: list[Group]
    red_list: list[Cover]
    expiring: list[ExpiringLot]
    orders: WeekOrders
    previous_day: date | None
    previous: Rollup | None
    previous_tiers: dict[str, Rollup] = field(default_factory=dict)
    county_names: dict[str, str] = field(default_factory=dict)

    @property
    def headline(self) -> Rollup:
        return self.readiness.city

    @property
    def is_county(self) -> bool:
        return self.scope != CITY

    @property
    def week_complete(self) -> bool:
        return self.week.end <= self.generated_at

    @property
    def generated_local(self) -> datetime:
        return self.generated_at.astimezone(SHANGHAI)

    def changes(self) -> list[Change]:
        """The headline figures against the snapshot a week before."""
        now, before = self.headline, self.previous
        t = self.readiness.targets

        def pair(attr):
            return getattr(now, attr), getattr(before, attr) if before else None

        return [
            Change(f"physical:{t.physical_days}", *pair("share_physical")),
            Change(f"short:{t.all_forms_days}", *pair("share_short")),
            Change(f"long:{t.long_days}", *pair("share_long")),
            Change("coverage", *pair("catalog_coverage")),
            Change("red", *pair("red"), percent=False),
            Change("stock_outs", *pair("stock_outs"), percent=False),
        ]

    def red_by_depot(self) -> list[RedDepot]:
        """The red list grouped by depot; depots in the order of their most urgent item."""
        groups: dict[int, RedDepot] = {}
        for c in self.red_list:
            groups.setdefault(c.facility_id, RedDepot(c.facility_id, [])).covers.append(c)
        return list(groups.values())

    def expiring_by_item(self) -> list[ExpiringItem]:
        """Lots expiring within 90 days, per item: most units expiring soonest first."""
        rows: dict[int, ExpiringItem] = {}
        for e in self.expiring:
            row = rows.setdefault(e.item_id, ExpiringItem(e.item_id))
            row.lots += 1
            row.depots.add(e.facility_id)
            if e.days_left <= SOON_DAYS:
                row.within_soon += e.quantity
            else:
                row.later += e.quantity
            if row.earliest is None or e.lot.expiry < row.earliest:
                row.earliest = e.lot.expiry
        return sorted(rows.values(), key=lambda r: (-r.within_soon, -r.quantity, r.item_id))

    def county_name(self, facility_id: int) -> str:
        f = self.readiness.facilities[facility_id]
        code = county_of(f)
        return self.county_names.get(code, "") if code else ""


def city_name(session: Session) -> str:
    """The name of the city the network serves (the province's when there are several)."""
    cities = session.exec(select(Region).where(Region.level == "city")).all()
    if len(cities) == 1:
        return cities[0].name
    provinces = session.exec(select(Region).where(Region.level == "province")).all()
    return provinces[0].name if len(provinces) == 1 else ""


def county_regions(session: Session) -> dict[str, str]:
    return {r.code: r.name for r in session.exec(select(Region).where(Region.level == "county"))}


def build_weekly_report(
    session: Session,
    week: IsoWeek,
    *,
    county: str | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> WeeklyReport:
    """Everything the weekly report prints, for the city or one county (UnknownScope if the
    county code names no county)."""
    today = today or local_today()
    now = now or utcnow()
    counties = county_regions(session)
    city = city_name(session)
    if county is not None:
        if county not in counties:
            raise UnknownScope(county)
        ids = facilities_in_county(session, county)
        scope, scope_name = county, counties[county]
    else:
        ids = None
        scope, scope_name = CITY, city
    r = compute_readiness(session, facility_ids=ids, today=today)
    snapshot = snapshot_before(session, scope, today)
    figures = snapshot.figures if snapshot else {}
    previous_groups = {k: rollup_from(k, v) for k, v in figures.get("groups", {}).items()}

    groups = []
    if county is None:
        depots_per = {}
        for f in r.facilities.values():
            key = county_of(f) or CITY
            depots_per[key] = depots_per.get(key, 0) + 1
        for key, roll in r.by_county.items():
            name = counties.get(key, key) if key != CITY else ""
            groups.append(Group(key, name, roll, depots_per.get(key, 0), previous_groups.get(key)))
        # the city depot first, then counties by code
        groups.sort(key=lambda g: (g.key != CITY, g.key))
    else:
        order = {"county": 0, "township": 1}
        depots = sorted(r.facilities.values(), key=lambda f: (order.get(f.tier, 2), f.code))
        for f in depots:
            roll = r.by_facility[f.id]
            groups.append(Group(f.code, f.name, roll, 1, previous_groups.get(f.code)))

    return WeeklyReport(
        scope=scope,
        scope_name=scope_name,
        city_name=city,
        week=week,
        as_of=today,
        generated_at=now,
        readiness=r,
        groups=groups,
        red_list=r.red_list(),
        expiring=expiring_lots(
            session,
            facility_ids=ids,
            within_days=EXPIRY_DAYS,
            today=today,
            include_expired=False,
        ),
        orders=orders_of_week(session, week, facility_ids=ids),
        previous_day=snapshot.day if snapshot else None,
        previous=rollup_from("previous", figures["headline"]) if snapshot else None,
        previous_tiers={k: rollup_from(k, v) for k, v in figures.get("by_tier", {}).items()},
        county_names=counties,
    )
