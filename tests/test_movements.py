"""Each movement type and each rule of the ledger, with a failing case for every rule."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from core.errors import Conflict, Forbidden, NotFound, ValidationError
from inventory.models import Balance, Movement
from inventory.services import corrections, lots, movements
from inventory.services.corrections import CountLine
from inventory.services.ledger import verify_ledger
from tests.factories import make_item, make_network, make_user

FAR = date(2031, 1, 1)


@pytest.fixture
def world(session):
    facilities = make_network(session)
    item = make_item(session)
    clerk = make_user(session, "clerk_a", "clerk", facilities=[facilities["A"]])
    session.commit()
    return facilities, item, clerk


def _balance(session, facility, item, lot_no=None):
    rows = session.exec(
        select(Balance).where(Balance.facility_id == facility.id, Balance.item_id == item.id)
    ).all()
    return sum(b.quantity for b in rows)


def test_receipt_then_issue_fefo(session, world):
    f, item, clerk = world
    a = f["A"]
    soon, later = date.today() + timedelta(days=40), date.today() + timedelta(days=400)
    movements.receive(
        session, clerk, facility_id=a.id, item_id=item.id, lot_no="LATE", expiry=later, quantity=100
    )
    movements.receive(
        session, clerk, facility_id=a.id, item_id=item.id, lot_no="SOON", expiry=soon, quantity=30
    )
    picks = lots.suggest_lots(session, a.id, item.id, 50)
    assert [(p.lot.lot_no, p.quantity) for p in picks] == [("SOON", 30), ("LATE", 20)]
    rows = movements.issue(session, clerk, facility_id=a.id, item_id=item.id, quantity=50)
    session.commit()
    assert [r.quantity for r in rows] == [-30, -20]
    assert _balance(session, a, item) == 80
    assert verify_ledger(session) == []


def test_issue_more_than_usable_is_refused(session, world):
    f, item, clerk = world
    movements.receive(
        session, clerk, facility_id=f["A"].id, item_id=item.id, lot_no="L", expiry=FAR, quantity=10
    )
    with pytest.raises(Conflict):
        movements.issue(session, clerk, facility_id=f["A"].id, item_id=item.id, quantity=11)


def test_expired_lot_cannot_be_issued_or_transferred_only_disposed(session, world):
    f, item, clerk = world
    a = f["A"]
    past = date.today() - timedelta(days=1)
    movements.receive(
        session, clerk, facility_id=a.id, item_id=item.id, lot_no="OLD", expiry=past, quantity=10
    )
    with pytest.raises(Conflict, match="OLD"):
        movements.issue(session, clerk, facility_id=a.id, item_id=item.id, quantity=1, lot_no="OLD")
    with pytest.raises(Conflict):
        movements.transfer_out(
            session,
            clerk,
            facility_id=a.id,
            item_id=item.id,
            quantity=1,
            to_facility_id=f["B"].id,
            lot_no="OLD",
        )
    # FEFO skips it: nothing usable is left
    with pytest.raises(Conflict):
        movements.issue(session, clerk, facility_id=a.id, item_id=item.id, quantity=1)
    movements.adjust(
        session,
        clerk,
        facility_id=a.id,
        item_id=item.id,
        lot_no="OLD",
        quantity=10,
        reason="expired",
    )
    assert _balance(session, a, item) == 0


@pytest.mark.parametrize("bad", [0, -5, 2.5, "3", True, 10**9])
def test_quantities_are_positive_whole_numbers(session, world, bad):
    f, item, clerk = world
    with pytest.raises(ValidationError) as excinfo:
        movements.receive(
            session,
            clerk,
            facility_id=f["A"].id,
            item_id=item.id,
            lot_no="L",
            expiry=FAR,
            quantity=bad,
        )
    assert "quantity" in excinfo.value.fields
    assert session.exec(select(Movement)).all() == []


def test_clerk_cannot_post_for_another_depot(session, world):
    f, item, clerk = world
    with pytest.raises(Forbidden):
        movements.receive(
            session,
            clerk,
            facility_id=f["B"].id,
            item_id=item.id,
            lot_no="L",
            expiry=FAR,
            quantity=5,
        )


@pytest.mark.parametrize("role", ["dispatcher", "viewer", "admin"])
def test_only_clerks_record_movements(session, world, role):
    f, item, _clerk = world
    user = make_user(session, f"u_{role}", role)
    with pytest.raises(Forbidden):
        movements.receive(
            session,
            user,
            facility_id=f["A"].id,
            item_id=item.id,
            lot_no="L",
            expiry=FAR,
            quantity=5,
        )


def test_transfer_out_and_in_reference_the_order(session, world):
    f, item, clerk = world
    clerk_b = make_user(session, "clerk_b", "clerk", facilities=[f["B"]])
    movements.receive(
        session, clerk, facility_id=f["A"].id, item_id=item.id, lot_no="L", expiry=FAR, quantity=40
    )
    out = movements.transfer_out(
        session,
        clerk,
        facility_id=f["A"].id,
        item_id=item.id,
        quantity=15,
        to_facility_id=f["B"].id,
        order_ref="DL-1",
    )
    inn = movements.transfer_in(
        session,
        clerk_b,
        facility_id=f["B"].id,
        item_id=item.id,
        quantity=15,
        from_facility_id=f["A"].id,
        lot_no="L",
        expiry=FAR,
        order_ref="DL-1",
    )
    session.commit()
    assert out[0].kind == "transfer_out" and out[0].counterpart_facility_id == f["B"].id
    assert inn.kind == "transfer_in" and inn.order_ref == "DL-1"
    assert (_balance(session, f["A"], item), _balance(session, f["B"], item)) == (25, 15)


def test_transfer_to_itself_is_refused(session, world):
    f, item, clerk = world
    with pytest.raises(ValidationError):
        movements.transfer_out(
            session,
            clerk,
            facility_id=f["A"].id,
            item_id=item.id,
            quantity=1,
            to_facility_id=f["A"].id,
        )


def test_adjustments_need_a_known_reason(session, world):
    f, item, clerk = world
    movements.receive(
        session, clerk, facility_id=f["A"].id, item_id=item.id, lot_no="L", expiry=FAR, quantity=20
    )
    movements.adjust(
        session,
        clerk,
        facility_id=f["A"].id,
        item_id=item.id,
        lot_no="L",
        quantity=3,
        reason="damaged",
    )
    movements.adjust(
        session,
        clerk,
        facility_id=f["A"].id,
        item_id=item.id,
        lot_no="L",
        quantity=1,
        reason="found",
    )
    assert _balance(session, f["A"], item) == 18
    with pytest.raises(ValidationError):
        movements.adjust(
            session,
            clerk,
            facility_id=f["A"].id,
            item_id=item.id,
            lot_no="L",
            quantity=1,
            reason="whim",
        )


def test_count_posts_the_variance_per_lot(session, world):
    f, item, clerk = world
    a = f["A"]
    movements.receive(
        session, clerk, facility_id=a.id, item_id=item.id, lot_no="L1", expiry=FAR, quantity=50
    )
    movements.receive(
        session, clerk, facility_id=a.id, item_id=item.id, lot_no="L2", expiry=FAR, quantity=20
    )
    rows = corrections.count(
        session,
        clerk,
        facility_id=a.id,
        item_id=item.id,
        lines=[CountLine("L1", 47), CountLine("L2", 20), CountLine("L3", 5, FAR)],
    )
    session.commit()
    assert sorted((r.quantity, r.kind) for r in rows) == [(-3, "count"), (5, "count")]
    assert _balance(session, a, item) == 72
    assert verify_ledger(session) == []


def test_count_refuses_negative_and_duplicate_lines(session, world):
    f, item, clerk = world
    with pytest.raises(ValidationError):
        corrections.count(
            session, clerk, facility_id=f["A"].id, item_id=item.id, lines=[CountLine("L1", -1, FAR)]
        )
    with pytest.raises(ValidationError):
        corrections.count(
            session,
            clerk,
            facility_id=f["A"].id,
            item_id=item.id,
            lines=[CountLine("L1", 1, FAR), CountLine("L1", 2, FAR)],
        )


def test_reversal_is_a_new_entry_and_only_once(session, world):
    f, item, clerk = world
    receipt = movements.receive(
        session, clerk, facility_id=f["A"].id, item_id=item.id, lot_no="L", expiry=FAR, quantity=9
    )
    with pytest.raises(ValidationError):
        corrections.reverse(session, clerk, receipt.id, note=" ")
    reversal = corrections.reverse(session, clerk, receipt.id, note="typed 9 instead of 6")
    session.commit()
    assert (reversal.quantity, reversal.reverses_id) == (-9, receipt.id)
    assert session.get(Movement, receipt.id).quantity == 9  # the original is untouched
    assert _balance(session, f["A"], item) == 0
    with pytest.raises(Conflict):
        corrections.reverse(session, clerk, receipt.id, note="again")
    with pytest.raises(Conflict):
        corrections.reverse(session, clerk, reversal.id, note="undo the undo")
    with pytest.raises(NotFound):
        corrections.reverse(session, clerk, 999999, note="x")


def test_reversing_a_receipt_already_issued_is_refused(session, world):
    f, item, clerk = world
    receipt = movements.receive(
        session, clerk, facility_id=f["A"].id, item_id=item.id, lot_no="L", expiry=FAR, quantity=9
    )
    movements.issue(session, clerk, facility_id=f["A"].id, item_id=item.id, quantity=5)
    with pytest.raises(Conflict):
        corrections.reverse(session, clerk, receipt.id, note="wrong")


def test_idempotent_issue_returns_all_original_rows(session, world):
    f, item, clerk = world
    for lot_no, qty in (("L1", 5), ("L2", 5)):
        movements.receive(
            session,
            clerk,
            facility_id=f["A"].id,
            item_id=item.id,
            lot_no=lot_no,
            expiry=FAR,
            quantity=qty,
        )
    first = movements.issue(
        session, clerk, facility_id=f["A"].id, item_id=item.id, quantity=8, idempotency_key="k-1"
    )
    again = movements.issue(
        session, clerk, facility_id=f["A"].id, item_id=item.id, quantity=8, idempotency_key="k-1"
    )
    session.commit()
    assert [m.id for m in again] == [m.id for m in first] and len(first) == 2
    assert _balance(session, f["A"], item) == 2


def test_unknown_item_or_depot_is_a_field_error(session, world):
    f, item, clerk = world
    with pytest.raises(ValidationError) as excinfo:
        movements.receive(
            session, None, facility_id=f["A"].id, item_id=99999, lot_no="L", expiry=FAR, quantity=1
        )
    assert "item" in excinfo.value.fields
