"""/api/v1/readiness: the dashboard's figures as JSON, behind an API token."""

import pytest
from sqlmodel import Session

from accounts.tokens import issue_token, revoke_token
from core.db import get_engine
from inventory.services import catalog
from tests.factories import make_item, make_network, make_user, receive


@pytest.fixture
def api(sqlite_app):
    with sqlite_app.app_context(), Session(get_engine(sqlite_app)) as session:
        f = make_network(session)
        item = make_item(session)
        catalog.set_catalog(session, "township", [item.id])
        catalog.set_norm(session, f["A"], item, 10, basis="t", source="t")
        catalog.set_norm(session, f["B"], item, 10, basis="t", source="t")
        receive(session, f["A"], item, 50)
        receive(session, f["B"], item, 2000, lot_no="B")
        viewer = make_user(session, "viewer", "viewer")
        token_row, token = issue_token(session, viewer, "dashboard feed")
        session.commit()
        token_id, viewer_id = token_row.id, viewer.id
    client = sqlite_app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return sqlite_app, client, token_id, viewer_id


def test_network_readiness_as_json(api):
    _app, client, _t, _v = api
    body = client.get("/api/v1/readiness").get_json()
    assert body["targets"] == {"physical_days": 10, "all_forms_days": 30, "long_days": 90}
    assert body["city"]["judged"] == 2 and body["city"]["share_physical"] == 0.5
    assert body["counties"]["330602"]["name"] == "越城区"
    assert body["red_list"] == [
        {
            "facility": "A",
            "item": "PPE-N95",
            "usable": 50,
            "daily_usage": 10.0,
            "physical_days": 5.0,
        }
    ]


def test_county_and_facility_drilldown(api):
    _app, client, _t, _v = api
    county = client.get("/api/v1/readiness/county/330602").get_json()
    assert set(county["facilities"]) == {"K", "A", "B"}
    depot = client.get("/api/v1/readiness/facility/A").get_json()
    assert depot["items"][0]["status"] == "red" and depot["items"][0]["physical_days"] == 5.0
    assert client.get("/api/v1/readiness/facility/NOPE").status_code == 404
    assert client.get("/api/v1/readiness/county/999999").status_code == 404


def test_token_required_and_revocable(api):
    app, client, token_id, viewer_id = api
    anonymous = app.test_client()
    response = anonymous.get("/api/v1/readiness")
    assert response.status_code == 401 and response.get_json()["message"]
    bad = app.test_client()
    bad.environ_base["HTTP_AUTHORIZATION"] = "Bearer rsv_not-a-token"
    assert bad.get("/api/v1/readiness").status_code == 401
    with app.app_context(), Session(get_engine(app)) as session:
        from accounts.models import User

        revoke_token(session, session.get(User, viewer_id), token_id)
        session.commit()
    assert client.get("/api/v1/readiness").status_code == 401
