"""What the readiness dashboard shows, built from the readiness services (no request here:
the language comes as an argument)."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from core.i18n import localized_name
from core.svgmap import MapPoint, render_map
from core.timeutil import local_today
from inventory.models import Category, Facility, Region
from inventory.services.cover import STATUS_ORDER, Status
from inventory.services.expiry import expiring_lots, rotation_advice
from inventory.services.readiness import (
    Readiness,
    compute_readiness,
    county_of,
    facilities_in_county,
)
from inventory.services.usage import burn_rates

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


def county_names(session: Session, lang: str = "zh_CN") -> dict[str, str]:
    """County-level region codes and their names in the language (English where recorded,
    else Chinese)."""
    regions = session.exec(select(Region).where(Region.level == "county")).all()
    return {r.code: localized_name(r, lang) for r in regions}


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
    session: Session,
    *,
    today: date | None = None,
    href=None,
    lang: str = "zh_CN",
    map_title: str = "",
) -> CityDashboard:
    """The whole network at a glance; counties and depots named in the language."""
    today = today or local_today()
    r = compute_readiness(session, today=today)
    counties = county_names(session, lang)
    rates = burn_rates(session, today=today)
    points = map_points(r, href, name=lambda f: localized_name(f, lang))
    svg = render_map(points, group_labels=counties, title=map_title)
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
    session: Session, code: str, *, today: date | None = None, href=None, lang: str = "zh_CN"
) -> CountyDashboard | None:
    """One county: its depot and its township depots, named in the language."""
    region = session.get(Region, code)
    if region is None or region.level != "county":
        return None
    ids = facilities_in_county(session, code)
    r = compute_readiness(session, facility_ids=ids, today=today)
    order = {"county": 0, "township": 1}
    facilities = sorted(r.facilities.values(), key=lambda f: (order.get(f.tier, 2), f.code))
    name = localized_name(region, lang)
    points = map_points(r, href, name=lambda f: localized_name(f, lang))
    svg = render_map(points, group_labels={code: name}, title=name)
    return CountyDashboard(code, name, r, facilities, svg)


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
