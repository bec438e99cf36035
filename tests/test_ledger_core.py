"""The ledger's core: postings move balances, never below zero, and the check finds tampering."""

from datetime import date

import pytest
from sqlalchemy import update
from sqlmodel import select

from core.errors import Conflict, ValidationError
from inventory.models import Balance, Movement, MovementKind, ReserveForm
from inventory.services import ledger
from tests.factories import make_item, make_network, receive


@pytest.fixture
def world(session):
    facilities = make_network(session)
    item = make_item(session)
    session.commit()
    return facilities, item


def test_receipt_creates_lot_balance_and_ledger_row(session, world):
    facilities, item = world
    movement = receive(session, facilities["A"], item, 120)
    session.commit()
    balance = session.exec(select(Balance)).one()
    assert (balance.quantity, balance.reserved, balance.last_movement_id) == (120, 0, movement.id)
    assert movement.balance_after == 120
    assert ledger.verify_ledger(session) == []


def test_balance_never_goes_negative(session, world):
    facilities, item = world
    movement = receive(session, facilities["A"], item, 10)
    with pytest.raises(Conflict, match="Not enough stock|库存不足"):
        ledger.post(
            session,
            ledger.Posting(
                facility_id=facilities["A"].id,
                item_id=item.id,
                lot_id=movement.lot_id,
                form=ReserveForm.PHYSICAL,
                kind=MovementKind.ISSUE,
                quantity=-11,
            ),
        )
    session.rollback()
    assert session.exec(select(Balance)).all() == []  # the receipt was not committed either


def test_stock_reserved_for_orders_cannot_be_taken(session, world):
    facilities, item = world
    movement = receive(session, facilities["A"], item, 10)
    session.commit()
    session.exec(update(Balance).values(reserved=7))
    session.commit()

    def take(units: int, key: str) -> Movement:
        return ledger.append(
            session,
            ledger.Posting(
                facility_id=facilities["A"].id,
                item_id=item.id,
                lot_id=movement.lot_id,
                form=ReserveForm.PHYSICAL,
                kind=MovementKind.ISSUE,
                quantity=-units,
                idempotency_key=key,
            ),
        )

    with pytest.raises(Conflict, match="3") as refused:
        take(4, "too-many")
    assert refused.value.fields == {"quantity": refused.value.message}
    # refused inside the transaction: nothing was written, and the key is still free
    assert session.exec(select(Balance.quantity)).one() == 10
    assert (
        session.exec(select(Movement.id).where(Movement.idempotency_key == "too-many")).all() == []
    )
    assert take(3, "too-many").balance_after == 7
    session.commit()
    balance = session.exec(select(Balance)).one()
    assert (balance.quantity, balance.reserved) == (7, 7)
    assert ledger.verify_ledger(session) == []


def test_idempotency_key_makes_a_retry_a_no_op(session, world):
    facilities, item = world
    first = receive(session, facilities["A"], item, 10, key="client-1")
    again = receive(session, facilities["A"], item, 10, key="client-1")
    session.commit()
    assert again.id == first.id
    assert session.exec(select(Balance)).one().quantity == 10
    assert len(session.exec(select(Movement)).all()) == 1


def test_a_new_lot_of_an_expiring_item_needs_its_expiry(session, world):
    _facilities, item = world
    with pytest.raises(ValidationError) as excinfo:
        ledger.get_or_create_lot(session, item, "L9", None)
    assert "expiry" in excinfo.value.fields


def test_a_lot_keeps_one_expiry(session, world):
    _facilities, item = world
    ledger.get_or_create_lot(session, item, "L9", date(2030, 1, 1))
    with pytest.raises(ValidationError):
        ledger.get_or_create_lot(session, item, "L9", date(2031, 1, 1))


def test_a_lot_read_with_the_depot_is_not_read_again_and_the_note_ends_with_the_transaction(
    app, session, world
):
    from sqlmodel import Session

    from core.db import get_engine

    _facilities, item = world
    ledger.note_lot(session, item.id, "NEW", None)
    assert ledger.find_lot(session, item.id, " NEW ") is None  # as read: no such lot
    created = ledger.get_or_create_lot(session, item, "NEW", date(2030, 1, 1))
    assert ledger.find_lot(session, item.id, "NEW") is created  # the note follows the creation
    session.rollback()
    with Session(get_engine(app)) as other:
        ledger.get_or_create_lot(other, item, "LATER", date(2030, 1, 1))
        other.commit()
    ledger.note_lot(session, item.id, "LATER", None)
    session.commit()  # a new transaction reads the database again
    assert ledger.find_lot(session, item.id, "LATER").lot_no == "LATER"
    assert ledger.find_lot(session, item.id, "NEW") is None


def test_verify_ledger_reports_a_tampered_balance(session, world):
    facilities, item = world
    receive(session, facilities["A"], item, 50)
    session.commit()
    session.exec(update(Balance).values(quantity=49))
    session.commit()
    differences = ledger.verify_ledger(session)
    assert [(d.balance, d.ledger) for d in differences] == [(49, 50)]


def test_verify_ledger_cli(runner, session, world):
    facilities, item = world
    receive(session, facilities["A"], item, 50)
    session.commit()
    result = runner.invoke(args=["verify-ledger"])
    assert result.exit_code == 0 and "0 difference(s)" in result.output
    session.exec(update(Balance).values(quantity=7))
    session.commit()
    result = runner.invoke(args=["verify-ledger"])
    assert result.exit_code == 1 and "balance 7 != ledger 50" in result.output
