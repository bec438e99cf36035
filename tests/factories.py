"""Small networks built through the services, for tests with known answers."""

from datetime import date, datetime

from sqlmodel import Session

from accounts.services import create_user
from inventory.models import Facility, Item, MovementKind, ReserveForm
from inventory.services import catalog, ledger, network


def make_network(session: Session) -> dict[str, Facility]:
    """A city depot, one county depot and two township depots under it."""
    network.upsert_region(session, "330600", name="绍兴市", level="city")
    network.upsert_region(session, "330602", name="越城区", level="county", parent_code="330600")
    for code, name in (("330602001", "塔山街道"), ("330602002", "府山街道")):
        network.upsert_region(session, code, name=name, level="township", parent_code="330602")
    city = network.upsert_facility(
        session,
        "C",
        parent_code=None,
        name="市级库",
        tier="city",
        region_code="330600",
        lon=120.58,
        lat=30.03,
        beds=1000,
        population_served=500000,
    )
    county = network.upsert_facility(
        session,
        "K",
        parent_code="C",
        name="越城区库",
        tier="county",
        region_code="330602",
        lon=120.58,
        lat=29.99,
        beds=300,
    )
    a = network.upsert_facility(
        session,
        "A",
        parent_code="K",
        name="塔山储备点",
        tier="township",
        region_code="330602001",
        lon=120.57,
        lat=30.0,
        beds=40,
    )
    b = network.upsert_facility(
        session,
        "B",
        parent_code="K",
        name="府山储备点",
        tier="township",
        region_code="330602002",
        lon=120.59,
        lat=30.0,
        beds=30,
    )
    return {"C": city, "K": county, "A": a, "B": b}


def make_item(session: Session, code: str = "PPE-N95", **overrides) -> Item:
    """An item with sensible defaults."""
    values = dict(
        name_zh="医用防护口罩 N95",
        name_en="N95 respirator",
        category="protection",
        unit_zh="只",
        unit_en="piece",
        pack_size=20,
        shelf_life_days=1095,
        unit_kg=0.02,
        criticality=5,
    )
    values.update(overrides)
    return catalog.upsert_item(session, code, **values)


def receive(
    session: Session,
    facility: Facility,
    item: Item,
    qty: int,
    *,
    lot_no: str = "L1",
    expiry: date | None = date(2030, 1, 1),
    form: str = ReserveForm.PHYSICAL,
    key: str | None = None,
    occurred_at: datetime | None = None,
):
    """Post a receipt of `qty` units (at `occurred_at`, default now)."""
    lot = ledger.get_or_create_lot(session, item, lot_no, expiry)
    return ledger.post(
        session,
        ledger.Posting(
            facility_id=facility.id,
            item_id=item.id,
            lot_id=lot.id,
            form=form,
            kind=MovementKind.RECEIPT,
            quantity=qty,
            idempotency_key=key,
            occurred_at=occurred_at,
        ),
    )


def make_user(session: Session, username: str, role: str, facilities=(), password="password-123"):
    """A user with a known password."""
    return create_user(session, username, password, role, facility_ids=[f.id for f in facilities])
