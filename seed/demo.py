"""Build the demo city of Shaoxing from seed/data/*.csv, through the services.

Every function here is idempotent: run twice, the database ends in the same state.
Opening stock is posted to the ledger under idempotency keys, so a second run adds nothing.
"""

import csv
import hashlib
import logging
import random
from datetime import datetime, time, timedelta
from pathlib import Path

from sqlmodel import Session, func, select

from accounts.models import User
from core.timeutil import SHANGHAI, local_today
from inventory.models import (
    Facility,
    Item,
    Movement,
    MovementKind,
    ReserveForm,
    Tier,
)
from inventory.services import catalog, ledger, network
from seed.targets import load_targets
from seed.users import load_users

logger = logging.getLogger(__name__)
DATA = Path(__file__).resolve().parent / "data"
# counties whose townships the demo leaves short of protection and testing supplies
SHORT_COUNTIES = ("330624", "330683")
# the opening stock was on the shelves this many weeks before the demo starts, so the weekly
# reports of the past weeks (rebuilt from the ledger as at each week's end) have it too
OPENING_WEEKS = 4


def opening_time() -> datetime:
    """When the opening stock is booked: Monday 08:00 (Beijing) OPENING_WEEKS weeks ago."""
    today = local_today()
    monday = today - timedelta(days=today.weekday() + 7 * OPENING_WEEKS)
    return datetime.combine(monday, time(8), SHANGHAI)


def read_csv(name: str) -> list[dict[str, str]]:
    """The rows of a data file, with surrounding blanks stripped."""
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def _num(value: str, kind=float):
    return kind(value) if value != "" else None


def database_is_empty(session: Session) -> bool:
    """True when no depot exists yet."""
    return session.exec(select(func.count()).select_from(Facility)).one() == 0


def load_regions(session: Session) -> int:
    """Regions, parents first (city, county, township)."""
    rows = read_csv("regions.csv")
    order = {"province": 0, "city": 1, "county": 2, "township": 3}
    for row in sorted(rows, key=lambda r: (order[r["level"]], r["code"])):
        network.upsert_region(
            session,
            row["code"],
            name=row["name"],
            name_en=row["name_en"],
            level=row["level"],
            parent_code=row["parent_code"] or None,
            lon=_num(row["lon"]),
            lat=_num(row["lat"]),
            population=_num(row["population"], int),
            population_source=row["population_source"],
            synthetic=row["synthetic"] == "1",
            source=row["source"],
        )
    return len(rows)


def load_facilities(session: Session) -> list[Facility]:
    """Depots, parents first."""
    rows = read_csv("facilities.csv")
    order = {"city": 1, "county": 2, "township": 3}
    facilities = []
    for row in sorted(rows, key=lambda r: (order[r["tier"]], r["code"])):
        facilities.append(
            network.upsert_facility(
                session,
                row["code"],
                parent_code=row["parent_code"] or None,
                name=row["name"],
                name_en=row["name_en"],
                tier=row["tier"],
                region_code=row["region_code"],
                operator=row["operator"],
                lon=_num(row["lon"]),
                lat=_num(row["lat"]),
                beds=int(row["beds"] or 0),
                population_served=int(row["population_served"] or 0),
                synthetic=row["synthetic"] == "1",
                source=row["source"],
            )
        )
    return facilities


def load_items(session: Session) -> tuple[list[Item], dict[str, dict]]:
    """The catalog, the per-tier reserve catalogs, and each item's usage driver."""
    rows = read_csv("items.csv")
    items, drivers = [], {}
    per_tier: dict[str, list[int]] = {t.value: [] for t in Tier}
    for row in rows:
        item = catalog.upsert_item(
            session,
            row["code"],
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            category=row["category"],
            unit_zh=row["unit_zh"],
            unit_en=row["unit_en"],
            pack_size=int(row["pack_size"] or 1),
            shelf_life_days=_num(row["shelf_life_days"], int),
            unit_kg=float(row["unit_kg"]),
            criticality=int(row["criticality"]),
            synthetic=True,
        )
        items.append(item)
        for tier in row["tiers"].split("|"):
            per_tier[tier].append(item.id)
        drivers[item.code] = {
            "driver": row["usage_driver"],
            "rate": float(row["rate_per_driver_day"]),
            "source": row["rate_source"],
            "tiers": set(row["tiers"].split("|")),
        }
    for tier, item_ids in per_tier.items():
        if item_ids:
            catalog.set_catalog(session, tier, item_ids)
    return items, drivers


def norm_for(facility: Facility, driver: dict) -> tuple[float, str]:
    """Full-load daily usage of an item at a depot, and its derivation in words."""
    rate = driver["rate"]
    if driver["driver"] == "bed":
        return facility.beds * rate, f"bed: {facility.beds} beds × {rate:g} per bed-day"
    if driver["driver"] == "population":
        return (
            facility.population_served * rate,
            f"population: {facility.population_served} residents × {rate:g} per resident-day",
        )
    return rate, f"fixed: {rate:g} per day"


def load_norms(session: Session, facilities, items, drivers) -> int:
    """A usage norm for every item in each depot's tier catalog."""
    count = 0
    for facility in facilities:
        for item in items:
            driver = drivers[item.code]
            if facility.tier not in driver["tiers"]:
                continue
            usage, basis = norm_for(facility, driver)
            catalog.set_norm(
                session, facility, item, round(usage, 3), basis=basis, source=driver["source"]
            )
            count += 1
    return count


def _rng(*parts: str) -> random.Random:
    # a generator per (depot, item): the same numbers on every machine and every run
    digest = hashlib.sha256(":".join(parts).encode()).hexdigest()
    return random.Random(int(digest[:16], 16))


def opening_cover_days(facility: Facility, item: Item) -> float:
    """The physical days of cover the demo gives a depot's item (deterministic)."""
    rng = _rng("cover", facility.code, item.code)
    short_county = facility.region_code[:6] in SHORT_COUNTIES and facility.tier == Tier.TOWNSHIP
    if short_county and item.category in ("protection", "testing"):
        return rng.uniform(0, 8)
    band = rng.random()
    if band < 0.12:
        return rng.uniform(0, 10)
    if band < 0.45:
        return rng.uniform(10, 30)
    if band < 0.85:
        return rng.uniform(30, 90)
    return rng.uniform(90, 150)


def load_opening_stock(session: Session, facilities, items, drivers) -> int:
    """Physical stock in one to three lots per (depot, item), posted as receipts."""
    posted = 0
    today = local_today()
    opened = opening_time()
    for facility in facilities:
        for item in items:
            driver = drivers[item.code]
            if facility.tier not in driver["tiers"]:
                continue
            usage, _basis = norm_for(facility, driver)
            total = int(round(opening_cover_days(facility, item) * usage))
            if total <= 0:
                continue
            rng = _rng("lots", facility.code, item.code)
            lots = rng.randint(1, 3) if total >= 3 else 1
            shares = _split(total, lots, rng)
            for n, qty in enumerate(shares, start=1):
                key = f"seed:opening:{facility.code}:{item.code}:{n}"
                if ledger.find_by_key(session, key):
                    continue
                lot_no = f"{item.code}-{facility.code[-6:]}-{n:02d}"
                expiry = None
                if item.shelf_life_days:
                    # most lots well within shelf life; some close to expiry or past it
                    roll = rng.random()
                    if roll < 0.05:
                        days_left = -rng.randint(1, 20)
                    elif roll < 0.2:
                        days_left = rng.randint(5, 90)
                    else:
                        days_left = rng.randint(91, max(92, item.shelf_life_days))
                    expiry = today + timedelta(days=days_left)
                lot = ledger.get_or_create_lot(session, item, lot_no, expiry)
                ledger.post(
                    session,
                    ledger.Posting(
                        facility_id=facility.id,
                        item_id=item.id,
                        lot_id=lot.id,
                        form=ReserveForm.PHYSICAL,
                        kind=MovementKind.RECEIPT,
                        quantity=qty,
                        reason="opening",
                        note="demo opening stock (synthetic)",
                        occurred_at=opened,
                        idempotency_key=key,
                    ),
                )
                posted += 1
    return posted


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    cuts = sorted(rng.sample(range(1, total), parts - 1)) if parts > 1 else []
    bounds = [0, *cuts, total]
    return [b - a for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def load_enterprises(session: Session, facilities, items, drivers) -> int:
    """Agreement stock at the city and county depots, and producers' capacity reserves."""
    by_code = {i.code: i for i in items}
    upper = [f for f in facilities if f.tier in (Tier.CITY, Tier.COUNTY)]
    count = 0
    for row in read_csv("enterprises.csv"):
        enterprise = catalog.upsert_enterprise(
            session,
            row["code"],
            name=row["name"],
            synthetic=row["synthetic"] == "1",
            source=row["source"],
        )
        for code in filter(None, row["items"].split("|")):
            item = by_code.get(code)
            if item is None:
                continue
            for facility in upper:
                if facility.tier not in drivers[code]["tiers"]:
                    continue
                usage, _basis = norm_for(facility, drivers[code])
                if usage <= 0:
                    continue
                rng = _rng("enterprise", row["code"], facility.code, code)
                if row["kind"] == "capacity":
                    if facility.tier != Tier.CITY:
                        continue
                    catalog.set_capacity(
                        session,
                        facility,
                        item,
                        enterprise,
                        units_per_day=int(row["units_per_day"] or 0),
                        lead_time_days=int(row["lead_time_days"] or 0),
                        note="designated producer (demo)",
                    )
                    count += 1
                    continue
                key = f"seed:agreement:{row['code']}:{facility.code}:{code}"
                if ledger.find_by_key(session, key):
                    continue
                qty = int(round(usage * rng.uniform(10, 60)))
                if qty <= 0:
                    continue
                expiry = None
                if item.shelf_life_days:
                    expiry = local_today() + timedelta(days=max(120, item.shelf_life_days // 2))
                lot = ledger.get_or_create_lot(
                    session, item, f"XY-{row['code']}-{facility.code[-6:]}", expiry
                )
                ledger.post(
                    session,
                    ledger.Posting(
                        facility_id=facility.id,
                        item_id=item.id,
                        lot_id=lot.id,
                        form=ReserveForm.AGREEMENT,
                        kind=MovementKind.RECEIPT,
                        quantity=qty,
                        reason="agreement",
                        note=f"协议储备 {row['name']} (demo)",
                        occurred_at=opening_time(),
                        idempotency_key=key,
                    ),
                )
                count += 1
    return count


def load_demo_city(session: Session) -> dict[str, int]:
    """Everything the demo needs, in dependency order; returns counts for the console."""
    regions = load_regions(session)
    facilities = load_facilities(session)
    items, drivers = load_items(session)
    norms = load_norms(session, facilities, items, drivers)
    load_targets(session)
    load_opening_stock(session, facilities, items, drivers)
    load_enterprises(session, facilities, items, drivers)
    load_users(session, facilities)
    movements = session.exec(select(func.count()).select_from(Movement)).one()
    return {
        "regions": regions,
        "facilities": len(facilities),
        "items": len(items),
        "norms": norms,
        "ledger rows": movements,
        "users": session.exec(select(func.count()).select_from(User)).one(),
    }
