"""Hostile text in every free-text field users reach, through the forms and the API.

Each value is either stored exactly as typed and shown escaped on the page that lists it, or
refused with a field message (422) and nothing stored; never a 500. The rule (input_guard.py):
control characters other than tab and line breaks are refused everywhere; anything longer
than the field holds is refused by its form or schema; everything else is kept as typed.
"""

import itertools

import pytest
from markupsafe import escape
from sqlmodel import Session, select

from accounts.models import ApiToken, User
from accounts.tokens import issue_token
from core.db import get_engine
from core.input_guard import is_plain_text
from inventory.models import Facility, Item, Lot, Movement, TargetProfile
from tests.conftest import BACKENDS, module_app
from tests.factories import make_item, make_network, make_user, receive

HOSTILE = {
    "html": "<script>alert(1)</script>",
    "sql": "'; DROP TABLE lot;--",
    "long": "长" * 10_000,
    "nul": "a\x00b",
    "escape": "red\x1b[31m",
    "rtl": "abc\u202etxt.exe",
    "mixed": "Ωмир中文عربي😷🧪",
}
_counter = itertools.count(1)

# one worker runs the whole module, so its databases are set up once per engine
pytestmark = pytest.mark.xdist_group("hostile_input")


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, tmp_path_factory):
    """One database per backend for the whole module; each case uses fresh codes and keys."""
    with module_app(request, tmp_path_factory, "hostile") as app:
        with app.app_context(), Session(get_engine(app)) as session:
            f = make_network(session)
            item = make_item(session, "HX", shelf_life_days=None)
            receive(session, f["A"], item, 1_000_000, lot_no="L1", expiry=None)
            clerk = make_user(session, "clerk", "clerk", facilities=[f["A"]])
            make_user(session, "admin", "admin")
            _row, token = issue_token(session, clerk, "hostile")
            session.commit()
            ids = {"A": f["A"].id, "B": f["B"].id, "item": item.id}
        clients = {}
        for role in ("clerk", "admin"):
            clients[role] = app.test_client()
            clients[role].post("/auth/login", data={"username": role, "password": "password-123"})
        api = app.test_client()
        api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        clients["api"] = api
        yield app, ids, clients


def _column(column):
    return lambda s: list(s.exec(select(column)).all())


def _movement_to_reverse(app, ids) -> int:
    with app.app_context(), Session(get_engine(app)) as session:
        facility, item = session.get(Facility, ids["A"]), session.get(Item, ids["item"])
        movement = receive(session, facility, item, 1, lot_no="L1", expiry=None)
        session.commit()
        return movement.id


def _movement_form(kind, **fields):
    def submit(client, app, ids, n):
        data = {"item_id": ids["item"], "quantity": 1, "idempotency_key": f"h{n}", **fields}
        return client.post(f"/depots/{ids['A']}/record/{kind}", data=data)

    return submit


# field -> (who, max length, submit(client, app, ids, n, value), stored values, page)
def _fields():
    a = "/depots/{A}"
    return {
        "receipt note (form)": (
            "clerk",
            500,
            lambda c, app, ids, n, v: _movement_form(
                "receipt", lot_no="L1", source="purchase", form="physical", note=v
            )(c, app, ids, n),
            _column(Movement.note),
            a + "/history",
        ),
        "receipt lot number (form)": (
            "clerk",
            64,
            lambda c, app, ids, n, v: _movement_form(
                "receipt", lot_no=v, source="purchase", form="physical"
            )(c, app, ids, n),
            _column(Lot.lot_no),
            a,
        ),
        "transfer order number (form)": (
            "clerk",
            32,
            lambda c, app, ids, n, v: _movement_form(
                "transfer_out", lot_no="L1", counterpart_id=ids["B"], order_ref=v
            )(c, app, ids, n),
            _column(Movement.order_ref),
            a + "/history",
        ),
        "count note (form)": (
            "clerk",
            500,
            lambda c, app, ids, n, v: c.post(
                f"/depots/{ids['A']}/count/{ids['item']}",
                data={
                    "rows": 1,
                    "lot_0": "CNT",
                    "counted_0": 100 + n,
                    "note": v,
                    "idempotency_key": f"c{n}",
                },
            ),
            _column(Movement.note),
            a + "/history",
        ),
        "count lot number (form)": (
            "clerk",
            64,
            lambda c, app, ids, n, v: c.post(
                f"/depots/{ids['A']}/count/{ids['item']}",
                data={"rows": 1, "lot_0": v, "counted_0": 100 + n, "idempotency_key": f"c{n}"},
            ),
            _column(Lot.lot_no),
            a,
        ),
        "reversal note (form)": (
            "clerk",
            500,
            lambda c, app, ids, n, v: c.post(
                f"/depots/{ids['A']}/movements/{ids['reverse']}/reverse",
                data={"note": v, "idempotency_key": f"r{n}"},
            ),
            _column(Movement.note),
            a + "/history",
        ),
        "token name": (
            "clerk",
            64,
            lambda c, app, ids, n, v: c.post("/auth/tokens", data={"name": v}),
            _column(ApiToken.name),
            "/auth/tokens",
        ),
        "user display name (admin)": (
            "admin",
            64,
            lambda c, app, ids, n, v: c.post(
                "/admin/users",
                data={
                    "username": f"u{n}",
                    "display_name": v,
                    "role": "viewer",
                    "password": "x" * 12,
                },
            ),
            _column(User.display_name),
            "/admin/users",
        ),
        "username (admin)": (
            "admin",
            64,
            lambda c, app, ids, n, v: c.post(
                "/admin/users",
                data={"username": v, "display_name": "d", "role": "viewer", "password": "x" * 12},
            ),
            _column(User.username),
            "/admin/users",
        ),
        "depot name (admin)": (
            "admin",
            96,
            lambda c, app, ids, n, v: c.post(
                "/admin/facilities/new",
                data={
                    "code": f"HF{n}",
                    "name": v,
                    "tier": "township",
                    "parent_code": "K",
                    "region_code": "330602001",
                    "active": "y",
                },
            ),
            _column(Facility.name),
            "/admin/facilities",
        ),
        "item name (admin)": (
            "admin",
            96,
            lambda c, app, ids, n, v: c.post(
                "/admin/items/new",
                data={
                    "code": f"HI{n}",
                    "name_zh": v,
                    "name_en": "x",
                    "category": "protection",
                    "unit_zh": "只",
                    "unit_en": "piece",
                    "pack_size": 1,
                    "unit_kg": 1,
                    "criticality": 3,
                    "active": "y",
                },
            ),
            _column(Item.name_zh),
            "/admin/items",
        ),
        "target profile name (admin)": (
            "admin",
            64,
            lambda c, app, ids, n, v: c.post(
                "/admin/targets",
                data={
                    "code": f"HT{n}",
                    "name_zh": v,
                    "name_en": "x",
                    "physical_days": 10,
                    "all_forms_days": 30,
                    "long_days": 90,
                },
            ),
            _column(TargetProfile.name_zh),
            "/admin/targets",
        ),
        "movement note (API)": (
            "api",
            500,
            lambda c, app, ids, n, v: c.post(
                "/api/v1/movements",
                json={
                    "type": "receipt",
                    "facility": "A",
                    "item": "HX",
                    "quantity": 1,
                    "lot_no": "L1",
                    "note": v,
                },
            ),
            _column(Movement.note),
            a + "/history",
        ),
        "movement lot number (API)": (
            "api",
            64,
            lambda c, app, ids, n, v: c.post(
                "/api/v1/movements",
                json={"type": "receipt", "facility": "A", "item": "HX", "quantity": 1, "lot_no": v},
            ),
            _column(Lot.lot_no),
            a,
        ),
        "movement order number (API)": (
            "api",
            32,
            lambda c, app, ids, n, v: c.post(
                "/api/v1/movements",
                json={
                    "type": "receipt",
                    "facility": "A",
                    "item": "HX",
                    "quantity": 1,
                    "lot_no": "L1",
                    "order_ref": v,
                },
            ),
            _column(Movement.order_ref),
            a + "/history",
        ),
        "count note (API)": (
            "api",
            500,
            lambda c, app, ids, n, v: c.post(
                "/api/v1/counts",
                json={
                    "facility": "A",
                    "item": "HX",
                    "lines": [{"lot_no": "CNT", "counted": 100 + n}],
                    "note": v,
                },
            ),
            _column(Movement.note),
            a + "/history",
        ),
        "reversal note (API)": (
            "api",
            500,
            lambda c, app, ids, n, v: c.post(
                f"/api/v1/movements/{ids['reverse']}/reversal", json={"note": v}
            ),
            _column(Movement.note),
            a + "/history",
        ),
        "idempotency key (API)": (
            "api",
            40,
            lambda c, app, ids, n, v: c.post(
                "/api/v1/movements",
                json={
                    "type": "receipt",
                    "facility": "A",
                    "item": "HX",
                    "quantity": 1,
                    "lot_no": "L1",
                },
                headers={"Idempotency-Key": v.encode("utf-8").decode("latin-1")},
            ),
            lambda s: [
                k.split(":", 2)[-1] for k in s.exec(select(Movement.idempotency_key)).all() if k
            ],
            None,
        ),
    }


FIELDS = _fields()


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize("field", sorted(FIELDS))
def test_hostile_text_is_kept_as_typed_and_escaped_or_refused(world, field, kind):
    app, ids, clients = world
    who, max_length, submit, stored, page = FIELDS[field]
    value = HOSTILE[kind]
    if field == "idempotency key (API)":
        # a header travels as Latin-1: what arrives is the UTF-8 bytes read as Latin-1
        value_sent = value.encode("utf-8").decode("latin-1")
    else:
        value_sent = value
    n = next(_counter)
    ids = {**ids, "reverse": _movement_to_reverse(app, ids)}
    with app.app_context(), Session(get_engine(app)) as session:
        before = stored(session)
    response = submit(clients[who], app, ids, n, value)
    with app.app_context(), Session(get_engine(app)) as session:
        after = stored(session)
    assert response.status_code < 500
    acceptable = is_plain_text(value_sent) and len(value_sent) <= max_length
    if not acceptable:
        assert response.status_code in (400, 422), response.status_code
        assert after.count(value_sent) == before.count(value_sent)
        assert len(after) == len(before)
        if who == "api":
            assert response.get_json()["errors"], response.get_json()
        return
    assert response.status_code in (200, 201, 302), (response.status_code, response.data[:2000])
    assert value_sent in after
    if page is None:
        return
    viewer = clients["clerk" if who == "api" else who]
    html = viewer.get(page.format(**ids)).get_data(as_text=True)
    assert str(escape(value)) in html
    if "<" in value:
        assert value not in html
