"""The figures of the weekly readiness report, from the readiness services (no Flask here).

A report covers a scope (the city, or one county) and an ISO week. Readiness (cover, red list,
expiring lots) is the position at the end of the week (Sunday 24:00, Beijing time) once the
week has ended, rebuilt from the ledger, and the change is against the end of the week before,
rebuilt the same way; for the current week it is the live position when the report is
generated, and the change is against the stored snapshot a week before. Orders are those
issued, dispatched and received during the week.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, select

from core.timeutil import SHANGHAI, local_today, utcnow
from inventory.models import Region
from inventory.services.cover import Cover
from inventory.services.expiry import ExpiringLot, expiring_lots
from inventory.services.readiness import (
    Readiness,
    Rollup,
    compute_readiness,
    county_of,
    facilities_in_county,
)
from reports.orders import WeekOrders, orders_of_week
from reports.snapshots import CITY, rollup_from, snapshot_before
from reports.weeks import IsoWeek

EXPIRY_DAYS = 90
SOON_DAYS = 30
# the longest lists are cut here (their full counts are printed): a province has thousands
LIST_LIMIT = 150
SOONEST_LOTS = 40
# the leadership's language: scheduled reports and the command line use it unless told
REPORT_LANGUAGE = "zh_CN"
REPORT_LANGUAGES = ("zh_CN", "en")


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
    as_of: date  # the day the readiness describes (expiry is judged on it)
    generated_at: datetime
    # the instant the readiness describes: the end of the week once it has ended (rebuilt
    # from the ledger); None for the current week: the live position at generated_at
    figures_at: datetime | None
    readiness: Readiness
    groups: list[Group]
    red_list: list[Cover]
    expiring: list[ExpiringLot]
    orders: WeekOrders
    previous_day: date | None
    previous: Rollup | None
    # the instant the comparison describes when rebuilt from the ledger (the end of the week
    # before); None when it comes from a stored snapshot (of previous_day)
    previous_at: datetime | None = None
    previous_tiers: dict[str, Rollup] = field(default_factory=dict)
    county_names: dict[str, str] = field(default_factory=dict)
    lang: str = REPORT_LANGUAGE

    def facility_name(self, facility_id: int) -> str:
        f = self.readiness.facilities[facility_id]
        return localized(f.name, f.name_en, self.lang)

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

    @property
    def live(self) -> bool:
        """The figures are the position when the report was generated (the current week)."""
        return self.figures_at is None

    @property
    def figures_local(self) -> datetime:
        """The instant the figures describe, in Beijing time."""
        return (self.figures_at or self.generated_at).astimezone(SHANGHAI)

    def changes(self) -> list[Change]:
        """The headline figures against a week before (its end, or a snapshot)."""
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


def localized(name: str, name_en: str, lang: str) -> str:
    """A region's or depot's name in the report's language (Chinese when no English one)."""
    return name_en if lang.startswith("en") and name_en else name


def city_name(session: Session, lang: str = REPORT_LANGUAGE) -> str:
    """The name of the city the network serves (the province's when there are several)."""
    cities = session.exec(select(Region).where(Region.level == "city")).all()
    if len(cities) == 1:
        return localized(cities[0].name, cities[0].name_en, lang)
    provinces = session.exec(select(Region).where(Region.level == "province")).all()
    return localized(provinces[0].name, provinces[0].name_en, lang) if len(provinces) == 1 else ""


def county_regions(session: Session, lang: str = REPORT_LANGUAGE) -> dict[str, str]:
    return {
        r.code: localized(r.name, r.name_en, lang)
        for r in session.exec(select(Region).where(Region.level == "county"))
    }


def _previous(session: Session, week: IsoWeek, ids, scope: str, county, complete: bool, today):
    """The figures to compare with: (day, at, headline, by tier, by group)."""
    if complete:
        # the week before, rebuilt the same way: exact, and there from the first ledger row
        before = week.previous()
        earlier = compute_readiness(session, facility_ids=ids, today=before.sunday, at=before.end)
        previous_day, previous_at = before.sunday, before.end
        previous = earlier.city
        previous_tiers = dict(earlier.by_tier)
        previous_groups = _group_rollups(earlier, county)
    else:
        snapshot = snapshot_before(session, scope, today)
        figures = snapshot.figures if snapshot else {}
        previous_day, previous_at = (snapshot.day if snapshot else None), None
        previous = rollup_from("previous", figures["headline"]) if snapshot else None
        previous_tiers = {k: rollup_from(k, v) for k, v in figures.get("by_tier", {}).items()}
        previous_groups = {k: rollup_from(k, v) for k, v in figures.get("groups", {}).items()}
    return previous_day, previous_at, previous, previous_tiers, previous_groups


def _groups(r: Readiness, county, counties: dict, previous_groups: dict, lang: str) -> list:
    """The table's rows: counties (the city depot first), or a county's depots."""
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
            name = localized(f.name, f.name_en, lang)
            groups.append(Group(f.code, name, roll, 1, previous_groups.get(f.code)))

    return groups


def build_weekly_report(
    session: Session,
    week: IsoWeek,
    *,
    county: str | None = None,
    today: date | None = None,
    now: datetime | None = None,
    lang: str = REPORT_LANGUAGE,
) -> WeeklyReport:
    """Everything the weekly report prints, for the city or one county (UnknownScope if the
    county code names no county), with names in `lang`."""
    today = today or local_today()
    now = now or utcnow()
    counties = county_regions(session, lang)
    city = city_name(session, lang)
    if county is not None:
        if county not in counties:
            raise UnknownScope(county)
        ids = facilities_in_county(session, county)
        scope, scope_name = county, counties[county]
    else:
        ids = None
        scope, scope_name = CITY, city
    # a week that has ended is reported as it stood at its end (Monday 00:00 is Sunday 24:00),
    # with lots' expiry judged on that Sunday; the current week as it stands now
    complete = week.end <= now
    figures_at = week.end if complete else None
    as_of = week.sunday if complete else today
    r = compute_readiness(session, facility_ids=ids, today=as_of, at=figures_at)
    previous_day, previous_at, previous, previous_tiers, previous_groups = _previous(
        session, week, ids, scope, county, complete, today
    )
    groups = _groups(r, county, counties, previous_groups, lang)

    return WeeklyReport(
        scope=scope,
        scope_name=scope_name,
        city_name=city,
        week=week,
        as_of=as_of,
        generated_at=now,
        figures_at=figures_at,
        readiness=r,
        groups=groups,
        red_list=r.red_list(),
        expiring=expiring_lots(
            session,
            facility_ids=ids,
            within_days=EXPIRY_DAYS,
            today=as_of,
            include_expired=False,
            at=figures_at,
        ),
        orders=orders_of_week(session, week, facility_ids=ids),
        previous_day=previous_day,
        previous=previous,
        previous_at=previous_at,
        previous_tiers=previous_tiers,
        county_names=counties,
        lang=lang,
    )


def _group_rollups(r: Readiness, county: str | None) -> dict[str, Rollup]:
    """The table's groups: counties ("city" for the city depot) or, in a county, depot codes."""
    if county is None:
        return dict(r.by_county)
    return {r.facilities[fid].code: roll for fid, roll in r.by_facility.items()}
