"""The plan page's lines as an overview: grouped by receiving depot, filtered, paged.

A fivefold surge in one county of the demo city gives several hundred lines; the dispatcher
first reads one summary row per receiving depot (units, items, t·km) and opens the groups
they need. Nothing here touches the database: the view hands in the plan's lines and the
depots and items they name."""

from collections import defaultdict
from dataclasses import dataclass, field
from math import ceil

from inventory.models import Facility, Item
from surge.models import PlanTransfer, PlanUnmet

# groups shown at once; a focused line (just edited, or refused) brings its page
GROUPS_PER_PAGE = 20
# at most this many lines in the view: every group is shown open
OPEN_ALL_UP_TO = 30


def county_of(f: Facility) -> str:
    """The 6-digit code of the county a depot lies in (the city depot: the city's code)."""
    code = f.region_code or ""
    return code[:6] if len(code) >= 6 else code


@dataclass
class Filters:
    """What the dispatcher narrowed the lines to (query string `county`, `depot`, `page`;
    `unmet_page` pages the unmet need, under the same filters)."""

    county: str | None = None  # the receiving depot's county
    depot: int | None = None  # a depot that sends or receives
    page: int = 1
    unmet_page: int = 1

    @classmethod
    def from_args(cls, args, facilities: dict[int, Facility]) -> "Filters":
        """Read the query string; values naming nothing are ignored, like the other filters."""
        counties = {county_of(f) for f in facilities.values()}
        county = (args.get("county") or "").strip() or None
        depot = args.get("depot", type=int)
        page = args.get("page", 1, type=int) or 1
        unmet_page = args.get("unmet_page", 1, type=int) or 1
        return cls(
            county=county if county in counties else None,
            depot=depot if depot in facilities else None,
            page=max(1, page),
            unmet_page=max(1, unmet_page),
        )

    def keeps(self, t: PlanTransfer, facilities: dict[int, Facility]) -> bool:
        if self.county and county_of(facilities[t.to_facility_id]) != self.county:
            return False
        if self.depot and self.depot not in (t.from_facility_id, t.to_facility_id):
            return False
        return True

    def keeps_depot(self, facility_id: int, facilities: dict[int, Facility]) -> bool:
        if self.county and county_of(facilities[facility_id]) != self.county:
            return False
        return not self.depot or self.depot == facility_id

    def args(self, **change) -> dict:
        """The query string of this view, with `change` applied (None drops a key)."""
        args = {
            "county": self.county,
            "depot": self.depot,
            "page": self.page,
            "unmet_page": self.unmet_page,
        }
        args.update(change)
        return {
            k: v
            for k, v in args.items()
            if v not in (None, "") and (k not in ("page", "unmet_page") or v > 1)
        }

    @property
    def active(self) -> bool:
        return bool(self.county or self.depot)


def tkm(t: PlanTransfer, items: dict[int, Item]) -> float:
    """A line's transport in tonne-kilometres, as the plan's transport figure counts it."""
    return t.quantity * (items[t.item_id].unit_kg or 0.0) * t.km / 1000


@dataclass
class LineGroup:
    """The lines into one receiving depot, with the figures of its summary row."""

    receiver: Facility
    lines: list[PlanTransfer] = field(default_factory=list)
    affected: bool = False
    open: bool = False

    def figures(self, items: dict[int, Item]) -> "LineGroup":
        moving = [t for t in self.lines if t.quantity > 0]
        self.units = sum(t.quantity for t in moving)
        self.items = len({t.item_id for t in moving})
        self.senders = len({t.from_facility_id for t in moving})
        self.tkm = sum(tkm(t, items) for t in moving)
        self.changed = sum(1 for t in self.lines if t.quantity != t.proposed_quantity)
        return self


@dataclass
class CountyRow:
    """One receiving county in the overview."""

    code: str
    name: str
    depots: int = 0
    lines: int = 0
    units: int = 0
    tkm: float = 0.0


@dataclass
class GroupedLines:
    groups: list[LineGroup]  # this page's
    counties: list[CountyRow]  # every receiving county of the plan, unfiltered
    lines: int  # in the filtered view (all pages)
    units: int
    tkm: float
    page: int
    pages: int
    total_groups: int
    first: int  # the number of this page's first group (from 1)


def group_transfers(
    transfers: list[PlanTransfer],
    facilities: dict[int, Facility],
    items: dict[int, Item],
    filters: Filters,
    *,
    affected: set[int] = frozenset(),
    county_names: dict[str, str] | None = None,
    focus: set[int] = frozenset(),
    per_page: int = GROUPS_PER_PAGE,
) -> GroupedLines:
    """Group the plan's lines by receiving depot: surge depots first, then most units.

    `focus` holds line ids that must be shown (a line just changed or refused): the page is
    the one holding the first of them, and their groups are open."""
    county_names = county_names or {}
    counties: dict[str, CountyRow] = {}
    depots_by_county: dict[str, set[int]] = defaultdict(set)
    for t in transfers:
        code = county_of(facilities[t.to_facility_id])
        row = counties.setdefault(code, CountyRow(code, county_names.get(code, code)))
        row.lines += 1
        row.units += t.quantity
        row.tkm += tkm(t, items)
        depots_by_county[code].add(t.to_facility_id)
    for code, ids in depots_by_county.items():
        counties[code].depots = len(ids)

    by_receiver: dict[int, LineGroup] = {}
    for t in transfers:
        if not filters.keeps(t, facilities):
            continue
        group = by_receiver.get(t.to_facility_id)
        if group is None:
            group = by_receiver[t.to_facility_id] = LineGroup(
                receiver=facilities[t.to_facility_id], affected=t.to_facility_id in affected
            )
        group.lines.append(t)
    groups = [g.figures(items) for g in by_receiver.values()]
    groups.sort(key=lambda g: (not g.affected, -g.units, g.receiver.name, g.receiver.id))
    for g in groups:
        g.lines.sort(
            key=lambda t: (facilities[t.from_facility_id].name, items[t.item_id].code, t.id)
        )
    total_lines = sum(len(g.lines) for g in groups)

    pages = max(1, ceil(len(groups) / per_page))
    page = min(filters.page, pages)
    focused = [i for i, g in enumerate(groups) if any(t.id in focus for t in g.lines)]
    if focused:
        page = focused[0] // per_page + 1
    shown = groups[(page - 1) * per_page : page * per_page]
    for g in shown:
        g.open = total_lines <= OPEN_ALL_UP_TO or any(t.id in focus for t in g.lines)
    return GroupedLines(
        groups=shown,
        counties=sorted(counties.values(), key=lambda c: (-c.units, c.code)),
        lines=total_lines,
        units=sum(g.units for g in groups),
        tkm=sum(g.tkm for g in groups),
        page=page,
        pages=pages,
        total_groups=len(groups),
        first=(page - 1) * per_page + 1,
    )


@dataclass
class UnmetGroup:
    """What one depot still misses after the plan."""

    facility: Facility
    rows: list[PlanUnmet] = field(default_factory=list)
    affected: bool = False

    @property
    def units(self) -> int:
        return sum(u.quantity for u in self.rows)


@dataclass
class GroupedUnmet:
    groups: list[UnmetGroup]  # this page's
    rows: int  # depot-items short in the filtered view (all pages)
    units: int
    page: int
    pages: int
    total_groups: int
    first: int  # the number of this page's first group (from 1)
    open: bool  # a short view: every group shown open


def group_unmet(
    unmet: list[PlanUnmet],
    facilities: dict[int, Facility],
    items: dict[int, Item],
    filters: Filters,
    *,
    affected: set[int] = frozenset(),
    per_page: int = GROUPS_PER_PAGE,
) -> GroupedUnmet:
    """The unmet need by depot (in the filter's county, or the filter's depot): surge depots
    first, then those with most items short; inside a depot, the most critical items first.
    Paged like the lines (`filters.unmet_page`, clamped to the last page)."""
    groups: dict[int, UnmetGroup] = {}
    for u in unmet:
        if not filters.keeps_depot(u.facility_id, facilities):
            continue
        group = groups.get(u.facility_id)
        if group is None:
            group = groups[u.facility_id] = UnmetGroup(
                facilities[u.facility_id], affected=u.facility_id in affected
            )
        group.rows.append(u)
    for g in groups.values():
        g.rows.sort(key=lambda u: (-items[u.item_id].criticality, items[u.item_id].code))
    ordered = sorted(
        groups.values(),
        key=lambda g: (not g.affected, -len(g.rows), g.facility.name, g.facility.id),
    )
    rows = sum(len(g.rows) for g in ordered)
    pages = max(1, ceil(len(ordered) / per_page))
    page = min(filters.unmet_page, pages)
    return GroupedUnmet(
        groups=ordered[(page - 1) * per_page : page * per_page],
        rows=rows,
        units=sum(g.units for g in ordered),
        page=page,
        pages=pages,
        total_groups=len(ordered),
        first=(page - 1) * per_page + 1,
        open=rows <= OPEN_ALL_UP_TO,
    )
