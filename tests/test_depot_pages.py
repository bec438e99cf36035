"""The clerk's pages, wired end to end over HTTP (the rules themselves are in test_movements)."""

from datetime import date

import pytest
from sqlmodel import Session, select

from core.db import get_engine
from inventory.models import Balance, Movement
from inventory.services import catalog
from tests.factories import make_item, make_network, make_user, receive


@pytest.fixture
def depot(sqlite_app):
    with sqlite_app.app_context(), Session(get_engine(sqlite_app)) as session:
        f = make_network(session)
        item = make_item(session)
        catalog.set_catalog(session, "township", [item.id])
        catalog.set_norm(session, f["A"], item, 10.0, basis="test", source="test")
        receive(session, f["A"], item, 55, lot_no="L1", expiry=date(2030, 1, 1))
        make_user(session, "clerk_a", "clerk", facilities=[f["A"]])
        make_user(session, "viewer", "viewer")
        session.commit()
        ids = {k: v.id for k, v in f.items()} | {"item": item.id}
    client = sqlite_app.test_client()
    client.post("/auth/login", data={"username": "clerk_a", "password": "password-123"})
    return sqlite_app, client, ids


def _balance(app) -> int:
    with Session(get_engine(app)) as s:
        return sum(b.quantity for b in s.exec(select(Balance)))


def test_clerk_lands_on_their_depot_with_days_of_cover(depot):
    app, client, ids = depot
    response = client.get("/", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.request.path == f"/depots/{ids['A']}"
    assert "塔山储备点" in html and "L1" in html
    assert "5.5" in html  # 55 units over 10 a day


def test_clerk_cannot_open_another_depot(depot):
    _app, client, ids = depot
    assert client.get(f"/depots/{ids['B']}").status_code == 403
    assert client.get(f"/depots/{ids['B']}/record/receipt").status_code == 403


def test_viewer_sees_a_depot_but_cannot_record(depot):
    app, _client, ids = depot
    viewer = app.test_client()
    viewer.post("/auth/login", data={"username": "viewer", "password": "password-123"})
    assert viewer.get(f"/depots/{ids['A']}").status_code == 200
    assert viewer.get(f"/depots/{ids['A']}/record/issue").status_code == 403


def test_receipt_form_records_and_double_submit_is_once(depot):
    app, client, ids = depot
    data = {
        "item_id": ids["item"],
        "quantity": 20,
        "lot_no": "NEW-1",
        "expiry": "2031-05-01",
        "source": "purchase",
        "form": "physical",
        "note": "",
        "idempotency_key": "abc",
    }
    first = client.post(f"/depots/{ids['A']}/record/receipt", data=data)
    second = client.post(f"/depots/{ids['A']}/record/receipt", data=data)
    assert first.status_code == 302 and second.status_code == 302
    assert _balance(app) == 75


def test_bad_receipt_gets_422_with_field_message_and_nothing_saved(depot):
    app, client, ids = depot
    data = {
        "item_id": ids["item"],
        "quantity": 20,
        "lot_no": "NEW-2",
        "expiry": "",
        "source": "purchase",
        "form": "physical",
        "idempotency_key": "k2",
    }
    response = client.post(f"/depots/{ids['A']}/record/receipt", data=data)
    assert response.status_code == 422
    assert "请填写该批号的失效日期" in response.get_data(as_text=True)
    assert _balance(app) == 55


def test_issue_over_stock_is_409_and_fefo_suggestion_shown(depot):
    app, client, ids = depot
    response = client.post(
        f"/depots/{ids['A']}/record/issue",
        data={"item_id": ids["item"], "quantity": 60, "idempotency_key": "k3"},
    )
    assert response.status_code == 409
    assert "库存不足" in response.get_data(as_text=True)
    ok = client.post(
        f"/depots/{ids['A']}/record/issue",
        data={"item_id": ids["item"], "quantity": 5, "idempotency_key": "k4"},
    )
    assert ok.status_code == 302 and _balance(app) == 50


def test_count_page_posts_variances(depot):
    app, client, ids = depot
    response = client.post(
        f"/depots/{ids['A']}/count/{ids['item']}",
        data={
            "rows": "3",
            "lot_0": "L1",
            "counted_0": "50",
            "lot_1": "",
            "counted_1": "",
            "lot_2": "",
            "counted_2": "",
            "idempotency_key": "c1",
        },
    )
    assert response.status_code == 302
    assert _balance(app) == 50
    bad = client.post(
        f"/depots/{ids['A']}/count/{ids['item']}",
        data={"rows": "1", "lot_0": "L1", "counted_0": "-4"},
    )
    assert bad.status_code == 422 and _balance(app) == 50


def test_history_filters_paging_and_stock_card(depot):
    app, client, ids = depot
    for n in range(3):
        client.post(
            f"/depots/{ids['A']}/record/issue",
            data={"item_id": ids["item"], "quantity": 1, "idempotency_key": f"h{n}"},
        )
    html = client.get(f"/depots/{ids['A']}/history?kind=issue").get_data(as_text=True)
    assert html.count("-1</td>") == 3 and "+55" not in html
    card = client.get(f"/depots/{ids['A']}/card/{ids['item']}").get_data(as_text=True)
    assert "货位卡" in card or "Stock card" in card or "库存卡" in card
    assert ">52<" in card  # the running balance after three issues


def test_reverse_from_history(depot):
    app, client, ids = depot
    with Session(get_engine(app)) as s:
        movement_id = s.exec(select(Movement.id)).first()
    response = client.post(
        f"/depots/{ids['A']}/movements/{movement_id}/reverse",
        data={"note": "entered twice", "idempotency_key": "r1"},
    )
    assert response.status_code == 302
    assert _balance(app) == 0


def test_history_pages_link_to_older_and_newer(client, session, auth):
    # a regression: the pager once rebound `_` (gettext) and failed with more than one page
    from tests.factories import make_item, make_network, make_user, receive

    f = make_network(session)
    item = make_item(session)
    for n in range(60):
        receive(session, f["A"], item, 1, key=f"pg{n}")
    make_user(session, "pager", "clerk", facilities=[f["A"]])
    session.commit()
    auth.login("pager", "password-123")
    first = client.get(f"/depots/{f['A'].id}/history")
    assert first.status_code == 200 and 'rel="next"' in first.get_data(as_text=True)
    second = client.get(f"/depots/{f['A'].id}/history?page=2")
    assert second.status_code == 200 and 'rel="prev"' in second.get_data(as_text=True)
