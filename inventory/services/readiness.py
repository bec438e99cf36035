"""Readiness: every (depot, item) cover against the target profile, rolled up by depot,
county, tier, item category and the whole city (see `cover` for the rules, `cover_table` for
how the figures are read).

Everything is read with a few aggregate queries (balances are materialised), so the whole
network can be computed in one pass.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import NamedTuple

import numpy as np
from sqlalchemy import or_
from sqlmodel import Session, select

from inventory.models import Facility, Item
from inventory.services.cover import (
    JUDGED,
    STATUS_ORDER,
    Cover,
    CoverTable,
    Status,
    Targets,
    days_of_cover,
)
from inventory.services.cover_table import cover_table
from inventory.services.targets import active_profile

CATALOG_COVERAGE_MIN = 0.75  # 各单位储备种类要至少达到储备目录的75%以上 (001)


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
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def physical_days(self) -> float | None:
        """Sum of stock over sum of usage."""
        return days_of_cover(self.physical, self.usage)

    @property
    def all_forms_days(self) -> float | None:
        return days_of_cover(self.all_forms_short, self.usage)

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


_STATUSES = list(Status)


def group_rollups(
    table: CoverTable, codes: np.ndarray, t: Targets, keys: np.ndarray, labels: list
) -> dict:
    """One Rollup per distinct key: `keys[n]` is the group of pair n, `labels[k]` its name."""
    size = len(labels)
    judged = codes <= STATUS_ORDER[Status.GREEN]
    u = np.where(judged, np.nan_to_num(table.usage, nan=0.0), 0.0)

    def total(weights) -> np.ndarray:
        return np.bincount(keys, weights=weights, minlength=size)

    def count(mask) -> np.ndarray:
        return np.bincount(keys[mask], minlength=size)

    sums = {
        "physical": total(np.where(judged, table.physical, 0)),
        "usage": total(u),
        "all_forms_short": total(np.where(judged, table.all_forms(t.all_forms_days), 0)),
        "all_forms_long": total(np.where(judged, table.all_forms(t.long_days), 0)),
        "judged": count(judged),
        "meets_physical": count(judged & (codes >= STATUS_ORDER[Status.AMBER])),
        "meets_short": count(judged & (codes >= STATUS_ORDER[Status.YELLOW])),
        "meets_long": count(codes == STATUS_ORDER[Status.GREEN]),
        "red": count(codes <= STATUS_ORDER[Status.RED]),
        "stock_outs": count(codes == STATUS_ORDER[Status.STOCK_OUT]),
        "no_norm": count(codes == STATUS_ORDER[Status.NO_NORM]),
        "catalog_items": count(table.in_catalog),
        "catalog_held": count(table.in_catalog & ((table.physical + table.agreement) > 0)),
    }
    status_counts = np.bincount(keys * len(_STATUSES) + codes, minlength=size * len(_STATUSES))
    status_counts = status_counts.reshape(size, len(_STATUSES))
    present = np.flatnonzero(np.bincount(keys, minlength=size) > 0).tolist()
    columns = {name: arr.tolist() for name, arr in sums.items()}
    counts = status_counts.tolist()
    names = [s.value for s in _STATUSES]
    ints = (
        "judged",
        "meets_physical",
        "meets_short",
        "meets_long",
        "red",
        "stock_outs",
        "no_norm",
        "catalog_items",
        "catalog_held",
    )
    rollups = {}
    for k in present:
        rollups[labels[k]] = Rollup(
            str(labels[k]),
            int(columns["physical"][k]),
            float(columns["usage"][k]),
            int(columns["all_forms_short"][k]),
            int(columns["all_forms_long"][k]),
            *(int(columns[name][k]) for name in ints),
            statuses={names[s]: c for s, c in enumerate(counts[k]) if c},
        )
    return rollups


class FacilityRef(NamedTuple):
    """The columns of a depot that readiness pages need (no ORM object per depot)."""

    id: int
    code: str
    name: str
    name_en: str
    tier: str
    region_code: str
    parent_id: int | None
    lon: float | None
    lat: float | None


def facility_refs(session: Session, ids: list[int] | None = None) -> dict[int, FacilityRef]:
    """Active depots by id, as plain tuples."""
    query = select(*(getattr(Facility, name) for name in FacilityRef._fields)).where(
        Facility.active.is_(True)
    )
    if ids is not None:
        query = query.where(Facility.id.in_(ids))
    return {row[0]: FacilityRef(*row) for row in session.connection().execute(query).all()}


@dataclass
class Readiness:
    """The network's readiness: every cover, and roll-ups along each dimension."""

    targets: Targets
    table: CoverTable
    codes: np.ndarray
    facilities: dict[int, FacilityRef]
    items: dict[int, Item]
    by_facility: dict[int, Rollup]
    by_county: dict[str, Rollup]
    by_tier: dict[str, Rollup]
    by_category: dict[str, Rollup]
    facility_category: Callable[[], dict[tuple[int, str], Rollup]]
    by_county_category: dict[tuple[str, str], Rollup]
    city: Rollup

    @cached_property
    def by_facility_category(self) -> dict[tuple[int, str], Rollup]:
        """Roll-up per (depot, item category)."""
        return self.facility_category()

    @cached_property
    def covers(self) -> dict[tuple[int, int], Cover]:
        """Every pair as a Cover object (built on first use)."""
        return {
            (c.facility_id, c.item_id): c for c in map(self.table.cover, range(len(self.table)))
        }

    def red_list(self) -> list[Cover]:
        """(depot, item) below the physical target, fewest days first, most critical first."""
        reds = np.flatnonzero(self.codes <= STATUS_ORDER[Status.RED])
        covers = [self.table.cover(n) for n in reds]
        return sorted(
            covers, key=lambda c: (c.physical_days or 0, -self.items[c.item_id].criticality)
        )

    def low_coverage(self) -> list[tuple[Facility, Rollup]]:
        """Depots holding less than 75 % of their tier's catalog."""
        return [
            (self.facilities[fid], r)
            for fid, r in sorted(self.by_facility.items())
            if r.catalog_coverage is not None and r.catalog_coverage < CATALOG_COVERAGE_MIN
        ]


def county_of(facility: Facility | FacilityRef) -> str | None:
    """The county-level code a depot belongs to (None for the city and province)."""
    if facility.tier in ("county", "township"):
        return facility.region_code[:6]
    return None


def _labels(values: np.ndarray) -> tuple[np.ndarray, list]:
    labels, keys = np.unique(values, return_inverse=True)
    return keys.astype(np.int64), labels.tolist()


def compute_readiness(
    session: Session,
    *,
    facility_ids: Iterable[int] | None = None,
    today: date | None = None,
    targets: Targets | None = None,
    at: datetime | None = None,
) -> Readiness:
    """Covers and every roll-up, for the whole network or the given depots; with `at`, the
    stock as it stood at that past instant (see `cover_table`)."""
    targets = targets or Targets.from_profile(active_profile(session))
    ids = list(facility_ids) if facility_ids is not None else None
    table = cover_table(session, facility_ids=ids, today=today, at=at)
    codes = table.status_codes(targets)
    facilities = facility_refs(session, ids)
    items = {i.id: i for i in session.exec(select(Item))}
    # each pair's group along every dimension, as small integer keys: factorise the
    # per-depot and per-item attributes, then index them by each pair's depot and item
    fac_ids = np.asarray(sorted(facilities), dtype=np.int64)
    fac_pos = np.searchsorted(fac_ids, table.facility_id)
    item_ids = np.asarray(sorted(items), dtype=np.int64)
    item_pos = np.searchsorted(item_ids, table.item_id)
    county_idx, county_labels = _labels(
        np.asarray([county_of(facilities[f]) or "city" for f in fac_ids.tolist()])
    )
    tier_idx, tier_labels = _labels(np.asarray([facilities[f].tier for f in fac_ids.tolist()]))
    cat_idx, cat_labels = _labels(np.asarray([items[i].category for i in item_ids.tolist()]))
    empty = len(table) == 0
    county_keys = np.zeros(0, np.int64) if empty else county_idx[fac_pos]
    tier_keys = np.zeros(0, np.int64) if empty else tier_idx[fac_pos]
    cat_keys = np.zeros(0, np.int64) if empty else cat_idx[item_pos]
    fac_keys, fac_labels = fac_pos.astype(np.int64), fac_ids.tolist()
    n_cat = max(len(cat_labels), 1)

    def rollups(keys: np.ndarray, labels: list) -> dict:
        return group_rollups(table, codes, targets, keys, labels)

    by_facility = rollups(fac_keys, fac_labels)
    for fid in facilities:  # depots with nothing to judge still get an (empty) roll-up
        by_facility.setdefault(fid, Rollup(str(fid)))
    return Readiness(
        targets=targets,
        table=table,
        codes=codes,
        facilities=facilities,
        items=items,
        by_facility=by_facility,
        by_county=rollups(county_keys, county_labels),
        by_tier=rollups(tier_keys, tier_labels),
        by_category=rollups(cat_keys, cat_labels),
        # thousands of groups at province scale, used only by drill-downs: built on first use
        facility_category=lambda: rollups(
            fac_keys * n_cat + cat_keys, [(f, c) for f in fac_labels for c in cat_labels]
        ),
        by_county_category=rollups(
            county_keys * n_cat + cat_keys, [(k, c) for k in county_labels for c in cat_labels]
        ),
        city=rollups(np.zeros(len(table), dtype=np.int64), ["city"]).get("city", Rollup("city")),
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
