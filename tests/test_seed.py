"""The demo city: its counts, its idempotence, and a demo that shows every target met and missed."""

from collections import Counter, defaultdict

import pytest
from sqlmodel import Session, func, select

from accounts.models import Role, User, UserFacility
from core.db import get_engine
from inventory.models import (
    Balance,
    CapacityReserve,
    CatalogEntry,
    Facility,
    Item,
    Movement,
    Region,
    TargetProfile,
    UsageNorm,
)
from inventory.services.ledger import verify_ledger
from seed.demo import load_demo_city, read_csv
from tests.conftest import BACKENDS, module_app

# one worker runs this module and test_surge_demo.py: it seeds the SQLite demo city once
# and each module gets a copy (conftest.module_app)
pytestmark = pytest.mark.xdist_group("demo_city")

COUNTIES = {"330602", "330603", "330604", "330624", "330681", "330683"}
TABLES = (
    Region,
    Facility,
    Item,
    CatalogEntry,
    UsageNorm,
    Movement,
    Balance,
    CapacityReserve,
    TargetProfile,
    User,
    UserFacility,
)


def _counts(session: Session) -> dict[str, int]:
    return {t.__name__: session.exec(select(func.count()).select_from(t)).one() for t in TABLES}


def _state(session: Session) -> list[tuple]:
    rows = session.exec(select(Balance).order_by(Balance.id)).all()
    return [(b.facility_id, b.item_id, b.lot_id, b.form, b.quantity) for b in rows]


@pytest.fixture(scope="module", params=BACKENDS)
def seeded_app(request, tmp_path_factory):
    """One seeded demo city per engine, shared by this module's read-only tests."""
    with module_app(request, tmp_path_factory, "seed", demo_city=True) as app:
        yield app


@pytest.fixture
def seeded(seeded_app):
    with seeded_app.app_context(), Session(get_engine(seeded_app), expire_on_commit=False) as s:
        yield s


def test_tiers_and_counts(seeded):
    facilities = seeded.exec(select(Facility)).all()
    tiers = Counter(f.tier for f in facilities)
    assert tiers["city"] == 1
    assert tiers["county"] == 6
    assert 90 <= tiers["township"] <= 115
    counties = {f.region_code for f in facilities if f.tier == "county"}
    assert counties == COUNTIES
    city = next(f for f in facilities if f.tier == "city")
    assert city.operator == "震元股份公司"
    # every depot hangs under the tier above it
    by_id = {f.id: f for f in facilities}
    for f in facilities:
        if f.tier == "county":
            assert by_id[f.parent_id].tier == "city"
        if f.tier == "township":
            assert by_id[f.parent_id].tier == "county"
            assert f.region_code.startswith(by_id[f.parent_id].region_code)


def test_catalog_norms_and_users(seeded):
    items = seeded.exec(select(Item)).all()
    assert len(items) >= 30
    assert {i.category for i in items} == {
        "protection",
        "testing",
        "disinfection",
        "drugs",
        "equipment",
    }
    # a norm for every item in each depot's tier catalog, each with its derivation
    catalog = defaultdict(set)
    for entry in seeded.exec(select(CatalogEntry)):
        catalog[entry.tier].add(entry.item_id)
    expected = sum(len(catalog[f.tier]) for f in seeded.exec(select(Facility)))
    norms = seeded.exec(select(UsageNorm)).all()
    assert len(norms) == expected
    assert all(n.basis and n.source for n in norms)
    roles = Counter(u.role for u in seeded.exec(select(User)))
    assert set(roles) == set(Role)
    assert seeded.exec(select(TargetProfile).where(TargetProfile.active == True)).one().code == (  # noqa: E712
        "standard"
    )


def test_demo_shows_depots_above_and_below_each_target(seeded):
    usage = {(n.facility_id, n.item_id): n.daily_usage for n in seeded.exec(select(UsageNorm))}
    physical, all_forms = Counter(), Counter()
    for b in seeded.exec(select(Balance)):
        all_forms[(b.facility_id, b.item_id)] += b.quantity
        if b.form == "physical":
            physical[(b.facility_id, b.item_id)] += b.quantity
    physical_days = [physical[k] / d for k, d in usage.items() if d > 0]
    all_days = [all_forms[k] / d for k, d in usage.items() if d > 0]
    assert any(days < 10 for days in physical_days)
    assert any(days >= 10 for days in physical_days)
    assert any(days < 30 for days in all_days) and any(days >= 30 for days in all_days)
    assert any(days < 90 for days in all_days) and any(days >= 90 for days in all_days)
    assert seeded.exec(select(func.count()).select_from(CapacityReserve)).one() > 0


def test_synthetic_rows_are_marked(seeded):
    townships = seeded.exec(select(Region).where(Region.level == "township")).all()
    assert townships and all(r.synthetic for r in townships)
    real = seeded.exec(select(Region).where(Region.level == "county")).all()
    assert all(not r.synthetic and r.lon and r.lat for r in real)


def test_seed_is_idempotent(seeded):
    before, state = _counts(seeded), _state(seeded)
    load_demo_city(seeded)
    seeded.commit()
    assert _counts(seeded) == before
    assert _state(seeded) == state
    assert verify_ledger(seeded) == []


def test_seed_command_if_empty(seeded_app, sqlite_app):
    runner = seeded_app.test_cli_runner()
    assert "not seeding" in runner.invoke(args=["seed", "--if-empty"]).output
    logins = runner.invoke(args=["demo-logins"]).output
    assert "dispatcher" in logins and "demo-dispatch-2026" in logins
    # on an empty database the command seeds (the regions alone, to keep this test short)
    from seed import demo

    empty = sqlite_app.test_cli_runner()
    original = demo.load_demo_city
    demo.load_demo_city = lambda session: {"regions": demo.load_regions(session)}
    try:
        result = empty.invoke(args=["seed", "--if-empty"])
    finally:
        demo.load_demo_city = original
    assert result.exit_code == 0 and "regions: 115" in result.output


def test_data_files_reference_known_parents():
    regions = {r["code"]: r for r in read_csv("regions.csv")}
    for r in regions.values():
        assert not r["parent_code"] or r["parent_code"] in regions
    codes = [f["code"] for f in read_csv("facilities.csv")]
    assert len(codes) == len(set(codes))
