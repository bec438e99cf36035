"""The inventory's rules defined once: the expiry predicate and its SQL agree on the boundary
day (on both engines), usable stock, days of cover, the text limits."""

from datetime import date, timedelta

import pytest
from sqlmodel import SQLModel, select

from core.errors import ValidationError
from core.fields import NOTE_MAX, SHORT_NOTE_MAX
from inventory.models import Lot, Movement
from inventory.rules.expiry import expired_clause, is_expired, usable_clause
from inventory.rules.stock import available, usable
from inventory.services.cover import days_of_cover
from surge.services import orders
from tests.factories import make_item
from tests.surge_factories import surge_setup

TODAY = date(2026, 11, 23)


def test_expiry_predicate_boundary():
    assert not is_expired(None, TODAY)
    assert not is_expired(TODAY, TODAY)  # usable on its expiry day
    assert not is_expired(TODAY + timedelta(days=1), TODAY)
    assert is_expired(TODAY - timedelta(days=1), TODAY)


def test_expiry_sql_agrees_with_the_predicate(session):
    item = make_item(session)
    expiries = {
        "NONE": None,
        "YESTERDAY": TODAY - timedelta(days=1),
        "TODAY": TODAY,
        "TOMORROW": TODAY + timedelta(days=1),
    }
    for lot_no, expiry in expiries.items():
        session.add(Lot(item_id=item.id, lot_no=lot_no, expiry=expiry))
    session.flush()
    expired = set(session.exec(select(Lot.lot_no).where(expired_clause(Lot.expiry, TODAY))))
    usable_lots = set(session.exec(select(Lot.lot_no).where(usable_clause(Lot.expiry, TODAY))))
    assert expired == {n for n, e in expiries.items() if is_expired(e, TODAY)} == {"YESTERDAY"}
    assert usable_lots == set(expiries) - expired
    # Lot.is_expired is the same predicate
    for lot in session.exec(select(Lot).where(Lot.item_id == item.id)):
        assert lot.is_expired(TODAY) == is_expired(lot.expiry, TODAY)


def test_usable_stock():
    assert available(10, 3) == 7
    assert usable(10, 3, is_expired(TODAY, TODAY)) == 7
    assert usable(10, 3, is_expired(None, TODAY)) == 7
    assert usable(10, 3, is_expired(TODAY - timedelta(days=1), TODAY)) == 0


def test_days_of_cover():
    assert days_of_cover(100, 10) == 10
    assert days_of_cover(100, None) is None
    assert days_of_cover(100, 0) is None


def test_note_limit_is_the_column_length():
    assert Movement.__table__.c.note.type.length == NOTE_MAX == 500


def test_every_free_text_column_has_a_named_limit():
    """Notes, reasons and bases are as long as one of the two named limits, nowhere else."""
    found = {}
    for table in SQLModel.metadata.tables.values():
        for column in table.columns:
            if column.name in ("note", "basis", "cancel_reason", "discrepancy_note"):
                found[f"{table.name}.{column.name}"] = column.type.length
    assert found and set(found.values()) <= {NOTE_MAX, SHORT_NOTE_MAX}, found


def test_order_note_and_cancel_reason_limits(session):
    s = surge_setup(session)
    net, user = s["net"], s["users"]["dispatcher"]

    def create(note):
        return orders.create_order(
            session,
            user,
            from_facility_id=net["K"].id,
            to_facility_id=net["A"].id,
            lines=[(s["item"].id, 10)],
            note=note,
        )

    with pytest.raises(ValidationError) as err:
        create("x" * (NOTE_MAX + 1))
    assert "note" in err.value.fields
    order = create("x" * NOTE_MAX)  # an order's note is as long as a movement's
    session.commit()
    assert len(order.note) == NOTE_MAX
    with pytest.raises(ValidationError) as err:
        orders.cancel(session, user, order.id, "y" * (SHORT_NOTE_MAX + 1))
    assert "reason" in err.value.fields
    assert orders.cancel(session, user, order.id, "y" * SHORT_NOTE_MAX).status == "cancelled"
