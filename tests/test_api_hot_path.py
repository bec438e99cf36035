"""The fast path of POST /api/v1/movements keeps every rule: one-statement token lookup,
no key lookup before posting (replay on a used key), statement count, answer shape, pool pings."""

import pytest
from sqlalchemy import event, text
from sqlmodel import Session, func, select

from accounts.models import User
from accounts.tokens import issue_token, revoke_token, user_for_token
from core.db import get_engine, make_engine
from inventory.api import MovementSchema
from inventory.models import Balance, Movement, MovementKind
from inventory.services import ledger
from tests.factories import make_item, make_network, make_user, receive


class StatementCounter:
    """SQL statements an engine sends, BEGIN (SQLite's BEGIN IMMEDIATE) left out."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []

    def _count(self, _conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith("BEGIN"):
            self.statements.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self._count)


def test_token_lookup_is_one_statement_and_refuses_revoked_tokens_and_inactive_users(app, session):
    f = make_network(session)
    clerk = make_user(session, "clerk", "clerk", facilities=[f["A"]])
    token, clear = issue_token(session, clerk, "his")
    _other, other_clear = issue_token(session, clerk, "erp")
    session.commit()
    with StatementCounter(get_engine(app)) as counter:
        assert user_for_token(session, clear).id == clerk.id
    assert len(counter.statements) == 1
    assert user_for_token(session, clear + "x") is None
    assert user_for_token(session, "not-a-token") is None
    revoke_token(session, clerk, token.id)
    session.commit()
    assert user_for_token(session, clear) is None  # revoked: refused at once
    assert user_for_token(session, other_clear).id == clerk.id
    clerk.active = False
    session.add(clerk)
    session.commit()
    assert user_for_token(session, other_clear) is None  # deactivated user: refused at once


@pytest.fixture
def api(app):
    with app.app_context(), Session(get_engine(app)) as session:
        f = make_network(session)
        item = make_item(session, shelf_life_days=None)
        clerk = make_user(session, "clerk", "clerk", facilities=[f["A"]])
        _t, token = issue_token(session, clerk, "his")
        session.commit()
        ids = {"A": f["A"].id, "item": item.id}
    c = app.test_client()
    c.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return app, c, ids


def _post(client, key, **body):
    payload = {"facility": "A", "item": "PPE-N95", **body}
    return client.post("/api/v1/movements", json=payload, headers={"Idempotency-Key": key})


def _movements(app) -> int:
    with Session(get_engine(app)) as s:
        return s.exec(select(func.count()).select_from(Movement)).one()


def test_statements_per_post_stay_at_the_measured_figure(api):
    """Token and user; depot + item + the clerk's right + the lot; then the posting: on
    PostgreSQL one statement locks the balance, appends the ledger row and moves the balance; on
    SQLite three (read the balance, insert the ledger row, update the balance). No idempotency
    lookup."""
    app, client, _ids = api
    assert _post(client, "warm", type="receipt", quantity=10, lot_no="L1").status_code == 201
    engine = get_engine(app)
    expected = 3 if engine.dialect.name == "postgresql" else 5
    for n, (kind, quantity) in enumerate((("receipt", 5), ("issue", 3))):
        with StatementCounter(engine) as counter:
            response = _post(client, f"k{n}", type=kind, quantity=quantity, lot_no="L1")
        assert response.status_code == 201
        assert len(counter.statements) == expected, counter.statements
        assert not any("idempotency_key =" in s for s in counter.statements)


def test_api_requests_ignore_the_cookie_session(api):
    app, client, _ids = api
    pages = app.test_client()
    login = pages.post("/auth/login", data={"username": "clerk", "password": "password-123"})
    assert login.status_code == 302 and "session" in login.headers.get("Set-Cookie", "")
    # a logged-in browser's cookie is no API credential (the API is exempt from CSRF)
    no_token = pages.post("/api/v1/movements", json={"facility": "A", "item": "PPE-N95"})
    assert no_token.status_code == 401
    # and a token request neither reads a cookie (a forged one is no error) nor sets one
    client.set_cookie("session", "forged.cookie.value")
    response = _post(client, "c1", type="receipt", quantity=1, lot_no="L1")
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers
    assert pages.get("/network").status_code == 200  # the pages' session still works


def test_retry_answers_200_with_the_original_rows_even_when_it_would_now_be_refused(api):
    app, client, _ids = api
    assert _post(client, "r1", type="receipt", quantity=10, lot_no="L1").status_code == 201
    first = _post(client, "i1", type="issue", quantity=10, lot_no="L1")
    assert first.status_code == 201
    # the stock is gone: posting again would be a 409, but a retry is answered from the ledger
    again = _post(client, "i1", type="issue", quantity=10, lot_no="L1")
    assert again.status_code == 200
    assert again.get_json() == first.get_json()
    assert _movements(app) == 2
    # a fresh key for the same request is a new movement, and refused
    assert _post(client, "i2", type="issue", quantity=10, lot_no="L1").status_code == 409
    assert _movements(app) == 2


def test_retry_of_a_fefo_issue_returns_every_original_row(api):
    app, client, _ids = api
    _post(client, "r1", type="receipt", quantity=4, lot_no="EARLY", expiry="2030-01-01")
    _post(client, "r2", type="receipt", quantity=10, lot_no="LATE", expiry="2031-01-01")
    first = _post(client, "fefo", type="issue", quantity=6)
    assert first.status_code == 201
    rows = first.get_json()["movements"]
    assert [(r["lot_no"], r["quantity"]) for r in rows] == [("EARLY", -4), ("LATE", -2)]
    again = _post(client, "fefo", type="issue", quantity=6)
    assert again.status_code == 200
    assert [r["id"] for r in again.get_json()["movements"]] == [r["id"] for r in rows]
    assert _movements(app) == 4


def test_answer_has_exactly_the_documented_fields(api):
    _app, client, _ids = api
    response = _post(client, "r1", type="receipt", quantity=7, lot_no="L1", note="到货")
    row = response.get_json()["movements"][0]
    assert set(row) == set(MovementSchema().fields)
    assert MovementSchema().dump(row) == row
    assert (row["type"], row["facility"], row["item"], row["lot_no"]) == (
        "receipt",
        "A",
        "PPE-N95",
        "L1",
    )
    assert (row["quantity"], row["balance_after"], row["note"]) == (7, 7, "到货")
    assert row["occurred_at"].endswith("+08:00")
    assert response.content_type == "application/json"


def test_a_movement_records_who_and_when(api):
    app, client, _ids = api
    _post(client, "r1", type="receipt", quantity=7, lot_no="L1")
    with Session(get_engine(app)) as s:
        row = s.exec(select(Movement)).one()
        clerk = s.exec(select(User).where(User.username == "clerk")).one()
    assert row.user_id == clerk.id
    assert row.recorded_at is not None and row.occurred_at is not None
    assert row.idempotency_key == f"api:{clerk.id}:r1"


def test_append_refuses_a_used_key_and_leaves_the_balance_alone(session):
    f = make_network(session)
    item = make_item(session)
    receive(session, f["A"], item, 10, key="same")
    session.commit()
    lot_id = session.exec(select(Movement.lot_id)).one()
    posting = ledger.Posting(
        facility_id=f["A"].id,
        item_id=item.id,
        lot_id=lot_id,
        form="physical",
        kind=MovementKind.RECEIPT,
        quantity=99,
        idempotency_key="same",
    )
    with pytest.raises(ledger.KeyUsed):
        ledger.append(session, posting)
    # untouched within the same transaction too (post() carries on after KeyUsed)
    assert session.exec(select(Balance.quantity)).one() == 10
    session.rollback()
    balance = session.exec(select(Balance)).one()
    assert (balance.quantity, balance.last_movement_id) == (
        10,
        session.exec(select(Movement.id)).one(),
    )
    # post() keeps its contract: the earlier row, nothing posted
    assert ledger.post(session, posting).quantity == 10
    session.commit()
    assert session.exec(select(func.count()).select_from(Movement)).one() == 1
    assert ledger.verify_ledger(session) == []


@pytest.mark.postgresql
def test_an_idle_connection_closed_by_the_server_is_replaced(pg_tables_url, monkeypatch):
    from core import db

    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
    engine = make_engine(pg_tables_url)
    admin = make_engine(pg_tables_url)
    try:
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            conn.commit()
        # the pool pings the idle connection, finds it dead, and connects afresh
        with engine.connect() as conn:
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != pid
    finally:
        engine.dispose()
        admin.dispose()


def test_a_key_taken_by_another_request_is_a_409_and_nothing_is_recorded(api):
    app, client, _ids = api
    _post(client, "r1", type="receipt", quantity=4, lot_no="EARLY", expiry="2030-01-01")
    # this receipt's key is the one the second row of a FEFO issue under "k" would get
    _post(client, "k#2", type="receipt", quantity=10, lot_no="LATE", expiry="2031-01-01")
    before = _movements(app)
    response = _post(client, "k", type="issue", quantity=6)
    assert response.status_code == 409
    assert _movements(app) == before
    with Session(get_engine(app)) as s:
        assert ledger.verify_ledger(s) == []
        assert sorted(b.quantity for b in s.exec(select(Balance))) == [4, 10]
