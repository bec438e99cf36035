"""Administrator pages and services: users, depots, items, catalogs, norms, target profiles."""

import pytest
from sqlmodel import Session, select

from accounts.models import User, UserFacility
from accounts.passwords import verify_password
from admin import services
from core.db import get_engine
from core.errors import Forbidden, ValidationError
from inventory.models import CatalogEntry, Facility, Item, TargetProfile, UsageNorm
from inventory.services.targets import upsert_profile
from tests.factories import make_item, make_network, make_user


@pytest.fixture
def admin_client(sqlite_app):
    with sqlite_app.app_context(), Session(get_engine(sqlite_app)) as session:
        f = make_network(session)
        make_item(session)
        make_user(session, "boss", "admin")
        upsert_profile(session, "standard", name_zh="常态", name_en="Standard", active=True)
        upsert_profile(session, "autumn_winter", name_zh="秋冬", name_en="Autumn", physical_days=30)
        session.commit()
        ids = {k: v.id for k, v in f.items()}
    client = sqlite_app.test_client()
    client.post("/auth/login", data={"username": "boss", "password": "password-123"})
    return sqlite_app, client, ids


def _session(app):
    return Session(get_engine(app))


def test_create_and_edit_a_clerk(admin_client):
    app, client, ids = admin_client
    response = client.post(
        "/admin/users",
        data={
            "username": "new_clerk",
            "display_name": "新库管",
            "role": "clerk",
            "facility_ids": [ids["A"]],
            "password": "a-good-password",
        },
    )
    assert response.status_code == 302
    with _session(app) as s:
        user = s.exec(select(User).where(User.username == "new_clerk")).one()
        assert verify_password(user.password_hash, "a-good-password")
    response = client.post(
        f"/admin/users/{user.id}",
        data={"display_name": "新库管", "role": "clerk", "facility_ids": [ids["B"]], "active": "y"},
    )
    assert response.status_code == 302
    with _session(app) as s:
        links = s.exec(select(UserFacility.facility_id).where(UserFacility.user_id == user.id))
        assert list(links) == [ids["B"]]


def test_a_clerk_without_depot_is_refused(admin_client):
    _app, client, _ids = admin_client
    response = client.post(
        "/admin/users", data={"username": "lonely", "role": "clerk", "password": "a-good-password"}
    )
    assert response.status_code == 422


def test_reset_password(admin_client):
    app, client, _ids = admin_client
    with _session(app) as s:
        user_id = s.exec(select(User.id).where(User.username == "boss")).one()
    client.post(f"/admin/users/{user_id}", data={"reset-new_password": "another-pass-12"})
    with _session(app) as s:
        assert verify_password(s.get(User, user_id).password_hash, "another-pass-12")


def test_depot_item_catalog_norm_and_profile(admin_client):
    app, client, ids = admin_client
    assert (
        client.post(
            "/admin/facilities/new",
            data={
                "code": "T9",
                "name": "新储备点",
                "tier": "township",
                "parent_code": "K",
                "region_code": "330602001",
                "beds": "12",
                "population_served": "9000",
                "active": "y",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/admin/facilities/new",
            data={
                "code": "T10",
                "name": "错层",
                "tier": "township",
                "parent_code": "C",
                "region_code": "330602001",
            },
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/admin/items/new",
            data={
                "code": "DIS-ALC",
                "name_zh": "75%乙醇",
                "name_en": "Ethanol 75%",
                "category": "disinfection",
                "unit_zh": "瓶",
                "unit_en": "bottle",
                "pack_size": "20",
                "shelf_life_days": "730",
                "unit_kg": "0.5",
                "criticality": "3",
                "active": "y",
            },
        ).status_code
        == 302
    )
    with _session(app) as s:
        item_id = s.exec(select(Item.id).where(Item.code == "DIS-ALC")).one()
        t9 = s.exec(select(Facility).where(Facility.code == "T9")).one()
        assert (t9.beds, t9.population_served) == (12, 9000)
    client.post("/admin/catalog", data={"tier": "township", "item_id": [str(item_id)]})
    client.post(
        "/admin/norms",
        data={
            "facility": ids["A"],
            "item_id": item_id,
            "daily_usage": "3.5",
            "basis": "beds 35 × 0.1",
            "source": "test",
        },
    )
    client.post("/admin/targets", data={"activate": "autumn_winter"})
    with _session(app) as s:
        assert s.exec(
            select(CatalogEntry.item_id).where(CatalogEntry.tier == "township")
        ).all() == [item_id]
        assert s.exec(select(UsageNorm)).one().daily_usage == 3.5
        active = s.exec(select(TargetProfile).where(TargetProfile.active == True)).all()  # noqa: E712
        assert [p.code for p in active] == ["autumn_winter"]
    html = client.get("/admin/audit?table=usage_norm").get_data(as_text=True)
    assert "beds 35 × 0.1" in html and "boss" in html


def test_services_refuse_non_administrators(session):
    f = make_network(session)
    viewer = make_user(session, "v", "viewer")
    with pytest.raises(Forbidden):
        services.save_facility(
            session, viewer, "X", parent_code=None, name="x", tier="city", region_code="330600"
        )
    admin = make_user(session, "a", "admin")
    with pytest.raises(ValidationError):
        services.update_user(
            session, admin, admin.id, role="viewer", display_name="a", active=True, facility_ids=[]
        )
    assert session.get(Facility, f["A"].id) is not None
