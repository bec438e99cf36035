"""The forms and the surge response's actions, by POST, against the roles that may not use
them (403, and nothing written); the route table and the world are in
tests/permission_routes.py, shared with the GET and API matrix (tests/test_permissions.py)."""

import pytest
from sqlmodel import Session

from core.db import get_engine
from tests import permission_routes
from tests.permission_routes import RECEIPT, SURGE_POSTS, _client

world = permission_routes.world  # the module-scoped fixture: this module's own world


@pytest.mark.parametrize("role", ["clerk_other", "dispatcher", "viewer", "admin"])
def test_only_the_depots_clerk_may_post_a_movement(world, role):
    app, ids = world
    response = _client(app, role).post(
        f"/depots/{ids['A']}/record/receipt",
        data={
            "item_id": ids["item"],
            "quantity": 5,
            "lot_no": "X",
            "expiry": "2031-01-01",
            "source": "purchase",
            "form": "physical",
            "idempotency_key": f"p-{role}",
        },
    )
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["clerk_own", "dispatcher", "viewer"])
def test_only_administrators_may_post_admin_forms(world, role):
    app, _ids = world
    response = _client(app, role).post(
        "/admin/users", data={"username": "intruder", "role": "admin", "password": "x" * 12}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["clerk_own", "clerk_other", "viewer", "admin"])
@pytest.mark.parametrize("endpoint", sorted(SURGE_POSTS))
def test_only_dispatchers_act_in_a_surge(world, role, endpoint):
    app, ids = world
    response = _client(app, role).post(
        SURGE_POSTS[endpoint].format(**ids), data={"quantity": "1", "reason": "x"}
    )
    assert response.status_code == 403, (endpoint, role, response.status_code)


@pytest.mark.parametrize("role", ["clerk_other", "dispatcher", "viewer", "admin"])
def test_only_the_senders_clerk_may_dispatch_and_nobody_else_receives(world, role):
    app, ids = world
    client = _client(app, role)
    assert client.post(f"/surge/orders/{ids['order']}/dispatch", data={}).status_code == 403
    assert client.post(f"/surge/orders/{ids['order']}/receive", data={}).status_code == 403


def test_a_clerk_cannot_post_for_another_depot_by_form_or_api(world):
    app, ids = world
    form = _client(app, "clerk_other").post(
        f"/depots/{ids['A']}/record/receipt",
        data={
            "item_id": ids["item"],
            "quantity": 5,
            "lot_no": "X",
            "expiry": "2031-01-01",
            "source": "purchase",
            "form": "physical",
            "idempotency_key": "other-form",
        },
    )
    api = app.test_client().post(
        "/api/v1/movements",
        json={**RECEIPT, "lot_no": "OTHER"},
        headers={"Authorization": f"Bearer {app.config['MATRIX_TOKENS']['clerk_other']}"},
    )
    assert form.status_code == 403 and api.status_code == 403
    with app.app_context(), Session(get_engine(app)) as session:
        from sqlmodel import select

        from inventory.models import Lot

        assert session.exec(select(Lot).where(Lot.lot_no.in_(["X", "OTHER"]))).all() == []


@pytest.mark.parametrize("role", ["clerk_own", "viewer"])
def test_only_dispatchers_and_administrators_may_generate_reports(world, role):
    app, _ids = world
    response = _client(app, role).post("/dashboard/reports", data={"week": "2026-W47"})
    assert response.status_code == 403
