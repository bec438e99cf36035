"""Stock as it stood at a past instant, rebuilt from the append-only ledger.

A balance is the sum of its ledger rows, so the balance at an instant T is the sum of the rows
that had taken effect by T. Which timestamp says when a row takes effect:

- `occurred_at`, not `recorded_at`. Readiness is about what was on the shelves: a receipt
  that arrived on Sunday afternoon and was typed in on Monday morning was on the shelf at the
  end of Sunday, and an issue back-dated by the clerk left when it says it did. `recorded_at`
  would describe what the system knew at T instead; it would make a report regenerated later
  repeat its first version exactly, but it would also freeze every late entry into the wrong
  week. The usage figures and the movement history already read `occurred_at`, so the report
  agrees with them.
- A reversal takes effect when the row it reverses did: it says that row should never have
  been posted, so a mistake made on Friday and reversed on Tuesday was never stock at the end
  of Sunday.

Rows are summed per (depot, item, lot, form); a lot whose sum is not positive holds nothing
(back-dating could, in principle, order an issue before its receipt).

Reservations (Balance.reserved) are not in the ledger: at T they are the lines of the orders
from the depot approved before T and neither dispatched (by the order's time or its transfer
rows' `occurred_at`) nor cancelled before T. Approval reserves a whole line or refuses, so a
line's quantity is what it reserved.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, func, literal, union_all
from sqlalchemy.orm import aliased
from sqlmodel import select

from inventory.extensions import EXTENSIONS
from inventory.models import Balance, Movement


def lot_quantities_at(at: datetime, facility_ids: Iterable[int] | None = None):
    """A subquery of (facility_id, item_id, lot_id, form, quantity): every lot's balance at
    `at` (exclusive: a row at exactly `at` belongs to what follows), positive ones only.

    The sum of the rows before `at` is computed as the balance less the rows from `at` on:
    a balance is the sum of all its rows (`verify-ledger` proves it, and every balance row,
    once created, stays), so the two are equal, and the second reads only the rows since
    `at`: a recent week costs the same however long the ledger has grown.
    """
    ids = list(facility_ids) if facility_ids is not None else None
    m = Movement.__table__.c
    b = Balance.__table__.c
    original = aliased(Movement.__table__, name="reversed_row")

    def scoped(query, column):
        return query.where(column.in_(ids)) if ids is not None else query

    columns = (m.facility_id, m.item_id, m.lot_id, m.form, m.quantity)
    # ordinary rows by their own time; reversals (few, found through their unique
    # reverses_id index) by the time of the row they undo
    plain = scoped(
        select(*columns).where(m.reverses_id.is_(None), m.occurred_at >= at), m.facility_id
    )
    reversals = scoped(
        select(*columns)
        .join(original, original.c.id == m.reverses_id)
        .where(original.c.occurred_at >= at),
        m.facility_id,
    )
    rows = union_all(plain, reversals).subquery("later_rows")
    later = (
        select(
            rows.c.facility_id,
            rows.c.item_id,
            rows.c.lot_id,
            rows.c.form,
            func.sum(rows.c.quantity).label("quantity"),
        )
        .group_by(rows.c.facility_id, rows.c.item_id, rows.c.lot_id, rows.c.form)
        .subquery("later")
    )
    quantity = b.quantity - func.coalesce(later.c.quantity, 0)
    return scoped(
        select(b.facility_id, b.item_id, b.lot_id, b.form, quantity.label("quantity"))
        .select_from(
            Balance.__table__.outerjoin(
                later,
                and_(
                    later.c.facility_id == b.facility_id,
                    later.c.item_id == b.item_id,
                    later.c.lot_id == b.lot_id,
                    later.c.form == b.form,
                ),
            )
        )
        .where(quantity > 0),
        b.facility_id,
    ).subquery("lots_at")


def reserved_at(at: datetime, facility_ids: Iterable[int] | None = None):
    """A query of (facility_id, item_id, reserved): units promised out of stock at `at`, as the
    package that makes such promises answers it (the surge's approved orders; see
    inventory/extensions.py), or none."""
    query = EXTENSIONS.reserved_at
    if query is None:
        return select(literal(0), literal(0), literal(0)).where(literal(False))
    return query(at, list(facility_ids) if facility_ids is not None else None)
