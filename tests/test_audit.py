"""Every write is audited (who, when, before, after); the log and the ledger are append-only."""

import json

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from core.audit import AuditEntry, current_actor
from inventory.models import Movement
from inventory.services import catalog
from tests.factories import make_item, make_network, make_user, receive


def test_inserts_updates_and_deletes_are_recorded_with_the_actor(session):
    admin = make_user(session, "admin1", "admin")
    token = current_actor.set(admin.id)
    try:
        item = make_item(session)
        catalog.upsert_item(
            session,
            item.code,
            **{
                "name_zh": item.name_zh,
                "name_en": "N95 mask",
                "category": "protection",
                "unit_zh": "只",
                "unit_en": "piece",
                "pack_size": 20,
                "shelf_life_days": 1095,
                "unit_kg": 0.02,
                "criticality": 5,
            },
        )
        catalog.set_catalog(session, "township", [item.id])
        catalog.set_catalog(session, "township", [])
        session.commit()
    finally:
        current_actor.reset(token)
    rows = session.exec(
        select(AuditEntry)
        .where(AuditEntry.table_name.in_(["item", "catalog_entry"]))
        .order_by(AuditEntry.id)
    ).all()
    assert [(r.table_name, r.action) for r in rows] == [
        ("item", "insert"),
        ("item", "update"),
        ("catalog_entry", "insert"),
        ("catalog_entry", "delete"),
    ]
    assert all(r.user_id == admin.id for r in rows)
    update_row = rows[1]
    assert json.loads(update_row.before)["name_en"] == "N95 respirator"
    assert json.loads(update_row.after)["name_en"] == "N95 mask"
    assert "category" not in json.loads(update_row.after)  # only what changed


def test_password_hashes_never_reach_the_log(session):
    make_user(session, "someone", "viewer")
    session.commit()
    row = session.exec(select(AuditEntry).where(AuditEntry.table_name == "user")).one()
    assert json.loads(row.after)["password_hash"] == "***"


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_audit_log_is_append_only(session, statement):
    make_user(session, "x_user", "viewer")
    session.commit()
    query = (
        update(AuditEntry).values(action="forged") if statement == "update" else delete(AuditEntry)
    )
    with pytest.raises(DBAPIError, match="append-only"):
        session.exec(query)
    session.rollback()


def test_ledger_rows_cannot_be_changed_or_deleted(session):
    f = make_network(session)
    item = make_item(session)
    receive(session, f["A"], item, 10)
    session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        session.exec(update(Movement).values(quantity=11))
    session.rollback()
    with pytest.raises(DBAPIError, match="append-only"):
        session.exec(text("DELETE FROM movement"))
    session.rollback()
    assert session.exec(select(Movement)).one().quantity == 10


def test_a_request_does_not_inherit_the_previous_requests_user(app, client, auth):
    # server threads serve many requests: an anonymous one must not act as the last user
    from sqlmodel import Session

    from core.audit import current_actor
    from core.db import get_engine
    from tests.factories import make_user

    with app.app_context(), Session(get_engine(app)) as session:
        make_user(session, "someone", "viewer")
        session.commit()
    auth.login("someone", "password-123")
    client.get("/network")
    assert current_actor.get() is None  # cleared when the request ended
    seen = []
    app.before_request_funcs[None].append(lambda: seen.append(current_actor.get()))
    app.test_client().get("/auth/login")
    assert seen == [None]
