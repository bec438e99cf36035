"""The movements API: token auth, each endpoint, validation, idempotency, conflicts, OpenAPI."""

import pytest
from sqlmodel import Session, func, select

from accounts.tokens import issue_token
from core.db import get_engine
from inventory.models import Balance, Movement
from tests.factories import make_item, make_network, make_user, receive


@pytest.fixture
def api(app):
    with app.app_context(), Session(get_engine(app)) as session:
        f = make_network(session)
        make_item(session)
        receive(
            session,
            f["A"],
            make_item(session, "PPE-SUIT", name_zh="防护服", name_en="Coverall"),
            30,
            lot_no="S1",
        )
        clerk = make_user(session, "clerk", "clerk", facilities=[f["A"]])
        viewer = make_user(session, "viewer", "viewer")
        _t, clerk_token = issue_token(session, clerk, "his")
        _t, viewer_token = issue_token(session, viewer, "bi")
        session.commit()

    def client(token):
        c = app.test_client()
        c.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return c

    return app, client(clerk_token), client(viewer_token)


def _count(app, model):
    with Session(get_engine(app)) as s:
        return s.exec(select(func.count()).select_from(model)).one()


RECEIPT = {
    "type": "receipt",
    "facility": "A",
    "item": "PPE-N95",
    "quantity": 40,
    "lot_no": "N1",
    "expiry": "2030-06-30",
    "source": "donation",
}


def test_token_required(api):
    app, _clerk, _viewer = api
    response = app.test_client().get("/api/v1/balances")
    assert response.status_code == 401
    assert app.test_client().get("/api/v1/openapi.json").status_code == 200


def test_openapi_document_lists_every_endpoint(api):
    app, _clerk, _viewer = api
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert {
        "/api/v1/movements",
        "/api/v1/balances",
        "/api/v1/counts",
        "/api/v1/movements/{movement_id}/reversal",
    } <= set(doc["paths"])
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_receipt_then_retry_with_the_same_key(api):
    app, clerk, _viewer = api
    first = clerk.post("/api/v1/movements", json=RECEIPT, headers={"Idempotency-Key": "k1"})
    assert first.status_code == 201
    row = first.get_json()["movements"][0]
    assert (row["type"], row["quantity"], row["balance_after"]) == ("receipt", 40, 40)
    assert row["occurred_at"].endswith("+08:00")
    again = clerk.post("/api/v1/movements", json=RECEIPT, headers={"Idempotency-Key": "k1"})
    assert again.status_code == 200
    assert again.get_json()["movements"][0]["id"] == row["id"]
    assert _count(app, Movement) == 2  # the seed receipt and this one


def test_issue_fefo_balances_and_history(api):
    app, clerk, viewer = api
    clerk.post("/api/v1/movements", json=RECEIPT)
    issued = clerk.post(
        "/api/v1/movements",
        json={"type": "issue", "facility": "A", "item": "PPE-N95", "quantity": 15},
    )
    assert issued.status_code == 201 and issued.get_json()["movements"][0]["quantity"] == -15
    balances = viewer.get("/api/v1/balances?facility=A&item=PPE-N95").get_json()
    assert balances["total"] == 1 and balances["items"][0]["available"] == 25
    history = viewer.get("/api/v1/movements?facility=A&kind=issue").get_json()
    assert history["total"] == 1
    one = viewer.get(f"/api/v1/movements/{history['items'][0]['id']}")
    assert one.get_json()["type"] == "issue"
    assert viewer.get("/api/v1/movements/999999").status_code == 404
    assert len(viewer.get("/api/v1/facilities").get_json()) == 4
    assert {i["code"] for i in viewer.get("/api/v1/items").get_json()} == {"PPE-N95", "PPE-SUIT"}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": "12"}, "quantity"),
        ({"quantity": 2.5}, "quantity"),
        ({"type": "gift"}, "type"),
        ({"facility": "NOPE"}, "facility"),
        ({"expiry": "31/12/2030"}, "expiry"),
        ({"note": "x" * 501}, "note"),
    ],
)
def test_bad_input_is_422_with_the_field_and_nothing_changes(api, change, field):
    app, clerk, _viewer = api
    response = clerk.post("/api/v1/movements", json={**RECEIPT, **change})
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]
    assert _count(app, Movement) == 1


def test_conflicts_and_permissions(api):
    app, clerk, viewer = api
    over = clerk.post(
        "/api/v1/movements",
        json={"type": "issue", "facility": "A", "item": "PPE-SUIT", "quantity": 31},
    )
    assert over.status_code == 409
    other = clerk.post("/api/v1/movements", json={**RECEIPT, "facility": "B"})
    assert other.status_code == 403
    assert viewer.post("/api/v1/movements", json=RECEIPT).status_code == 403
    with Session(get_engine(app)) as s:
        assert s.exec(select(Balance)).one().quantity == 30


def test_reversal_and_count(api):
    app, clerk, _viewer = api
    created = clerk.post("/api/v1/movements", json=RECEIPT).get_json()["movements"][0]
    assert clerk.post(f"/api/v1/movements/{created['id']}/reversal", json={}).status_code == 422
    reversal = clerk.post(f"/api/v1/movements/{created['id']}/reversal", json={"note": "wrong lot"})
    assert reversal.status_code == 201 and reversal.get_json()["movements"][0]["quantity"] == -40
    assert (
        clerk.post(
            f"/api/v1/movements/{created['id']}/reversal", json={"note": "again"}
        ).status_code
        == 409
    )
    count = clerk.post(
        "/api/v1/counts",
        json={"facility": "A", "item": "PPE-SUIT", "lines": [{"lot_no": "S1", "counted": 28}]},
    )
    assert count.status_code == 201 and count.get_json()["movements"][0]["quantity"] == -2


def test_an_unknown_query_parameter_is_refused_not_ignored(api):
    # a misspelt filter must not silently answer for every depot
    _app, _clerk, viewer = api
    response = viewer.get("/api/v1/balances?facilty=A")
    assert response.status_code == 422
    assert "facilty" in response.get_json()["errors"]["query"]
    assert viewer.get("/api/v1/readiness?red_limt=3").status_code == 422
