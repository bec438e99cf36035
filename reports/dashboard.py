"""What the readiness dashboard shows, built from the readiness services (no Flask here)."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from inventory.models import Category, Facility, Region
from inventory.services.expiry import expiring_lots, rotation_advice
from inventory.services.readiness import (
    STATUS_ORDER,
    Readiness,
    Status,
    compute_readiness,
    county_of,
    facilities_in_county,
)
from inventory.services.usage import burn_rates
from reports.svgmap import MapPoint, render_map
from timeutil import local_today

CATEGORIES = [c.value for c in Category]


def share_class(share: float | None) -> str:
    """Colour class of a share of (depot, item) pairs meeting a target."""
    if share is None:
        return "none"
    if share >= 0.95:
        return "green"
    if share >= 0.8:
        return "amber"
    return "red"


def county_names(session: Session) -> dict[str, str]:
    """County-level region codes and their names, plus the city tier's own row."""
    regions = session.exec(select(Region).where(Region.level == "county")).all()
    return {r.code: r.name for r in regions}


def map_points(r: Readiness, href=None, name=None) -> list[MapPoint]:
    """Every depot, coloured like the matrix: by its share of items meeting the physical target
    (a single red item would otherwise paint nearly every depot red); `name(f)` labels a
    depot (its Chinese name unless given)."""
    points = []
    for f in r.facilities.values():
        roll = r.by_facility[f.id]
        share = roll.share_physical
        detail = f"· {share:.0%}" if share is not None else ""
        points.append(
            MapPoint(
                lon=f.lon,
                lat=f.lat,
                label=name(f) if name else f.name,
                status=share_class(share),
                tier=f.tier,
                group=county_of(f) or "city",
                href=href(f) if href else None,
                detail=detail,
            )
        )
    return points


@dataclass
class CityDashboard:
    readiness: Readiness
    counties: dict[str, str]
    red_list: list
    low_coverage: list
    expiring: list
    rotation: list
    above_norm: list
    map_svg: str


def city_dashboard(
    session: Session, *, today: date | None = None, href=None, lang: str = "zh_CN"
) -> CityDashboard:
    """The whole network at a glance."""
    today = today or local_today()
    r = compute_readiness(session, today=today)
    counties = county_names(session)
    rates = burn_rates(session, today=today)
    svg = render_map(map_points(r, href), group_labels=counties, title="readiness map")
    return CityDashboard(
        readiness=r,
        counties=counties,
        red_list=r.red_list(),
        low_coverage=r.low_coverage(),
        expiring=expiring_lots(session, within_days=90, today=today, include_expired=False),
        rotation=rotation_advice(session, rates, today=today),
        above_norm=sorted(
            (x for x in rates.values() if x.above_norm), key=lambda x: -(x.ratio_to_norm or 0)
        ),
        map_svg=svg,
    )


@dataclass
class CountyDashboard:
    code: str
    name: str
    readiness: Readiness
    facilities: list[Facility]
    map_svg: str


def county_dashboard(
    session: Session, code: str, *, today: date | None = None, href=None
) -> CountyDashboard | None:
    """One county: its depot and its township depots."""
    region = session.get(Region, code)
    if region is None or region.level != "county":
        return None
    ids = facilities_in_county(session, code)
    r = compute_readiness(session, facility_ids=ids, today=today)
    order = {"county": 0, "township": 1}
    facilities = sorted(r.facilities.values(), key=lambda f: (order.get(f.tier, 2), f.code))
    svg = render_map(map_points(r, href), group_labels={code: region.name}, title=region.name)
    return CountyDashboard(code, region.name, r, facilities, svg)


@dataclass
class FacilityRow:
    cover: object
    item: object
    status: Status
    burn: object


def facility_rows(session: Session, facility: Facility, *, today: date | None = None):
    """Every item of a depot with its cover, status and burn rate, worst first."""
    today = today or local_today()
    r = compute_readiness(session, facility_ids=[facility.id], today=today)
    rates = burn_rates(session, facility_ids=[facility.id], today=today)
    rows = [
        FacilityRow(c, r.items[iid], c.status(r.targets), rates.get((fid, iid)))
        for (fid, iid), c in r.covers.items()
    ]
    rows.sort(key=lambda x: (STATUS_ORDER[x.status], x.item.category, x.item.code))
    return r, rows
