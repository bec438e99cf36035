"""Stock at a past instant (`inventory.services.history`) against a plain sum of the ledger
rows that had taken effect by then, over a random history with back-dated entries."""

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from inventory.models import Movement
from inventory.services import corrections, history, ledger
from tests.factories import make_item, make_network, receive

START = datetime(2026, 10, 1, tzinfo=UTC)


def test_lots_at_an_instant_equal_the_sum_of_the_rows_before_it(session):
    f = make_network(session)
    item = make_item(session)
    rng = random.Random(47)
    depots = [f["A"], f["B"], f["K"]]
    lots = [f"L{n}" for n in range(4)]
    held = defaultdict(int)
    posted = []
    for _n in range(160):
        depot, lot = rng.choice(depots), rng.choice(lots)
        # a time anywhere in five weeks: later entries are often back-dated before earlier ones
        when = START + timedelta(minutes=rng.randrange(5 * 7 * 24 * 60))
        key = (depot.id, lot)
        if held[key] > 0 and rng.random() < 0.45:
            qty = -rng.randint(1, held[key])
            lot_row = ledger.find_lot(session, item.id, lot)
            row = ledger.post(
                session,
                ledger.Posting(
                    facility_id=depot.id,
                    item_id=item.id,
                    lot_id=lot_row.id,
                    form="physical",
                    kind="issue",
                    quantity=qty,
                    occurred_at=when,
                ),
            )
        else:
            qty = rng.randint(1, 500)
            row = receive(session, depot, item, qty, lot_no=lot, occurred_at=when)
        held[key] += qty
        posted.append(row)
    for row in rng.sample(posted, 12):  # some rows corrected later
        if row.quantity > 0 and held[(row.facility_id, _lot_no(session, row))] >= row.quantity:
            corrections.reverse(session, None, row.id, note="mistake")
            held[(row.facility_id, _lot_no(session, row))] -= row.quantity
    rows = session.exec(select(Movement)).all()
    times = {m.id: m.occurred_at for m in rows}

    def effective(m: Movement) -> datetime:
        return _utc(times[m.reverses_id] if m.reverses_id else m.occurred_at)

    instants = [START + timedelta(days=d, hours=rng.randrange(24)) for d in range(0, 40, 3)]
    for at in [START, *instants, START + timedelta(days=60)]:
        expected = defaultdict(int)
        for m in rows:
            if effective(m) < at:
                expected[(m.facility_id, m.lot_id)] += m.quantity
        expected = {k: q for k, q in expected.items() if q > 0}
        lots_at = history.lot_quantities_at(at)
        got = {
            (fid, lot_id): q
            for fid, lot_id, q in session.exec(
                select(lots_at.c.facility_id, lots_at.c.lot_id, lots_at.c.quantity)
            )
        }
        assert got == expected, at
    assert got  # the last instant, after everything: today's balances
    one = history.lot_quantities_at(START + timedelta(days=20), [f["A"].id])
    assert set(session.exec(select(one.c.facility_id))) == {f["A"].id}


def _lot_no(session, row) -> str:
    from inventory.models import Lot

    return session.get(Lot, row.lot_id).lot_no


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
