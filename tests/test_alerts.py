"""The alert scan opens, refreshes and resolves alerts; who may acknowledge them."""

from datetime import date, timedelta

import pytest

from core.errors import Forbidden
from core.timeutil import local_today
from inventory.services import alerts, catalog, movements
from tests.factories import make_item, make_network, make_user, receive

# the scan's day is the real one: the tests post movements now
TODAY = local_today()


@pytest.fixture
def world(session):
    f = make_network(session)
    item = make_item(session)
    catalog.set_norm(session, f["A"], item, 10, basis="t", source="t")
    catalog.set_norm(session, f["B"], item, 10, basis="t", source="t")
    receive(session, f["A"], item, 50, lot_no="SOON", expiry=TODAY + timedelta(days=12))
    clerk_a = make_user(session, "clerk_a", "clerk", facilities=[f["A"]])
    clerk_b = make_user(session, "clerk_b", "clerk", facilities=[f["B"]])
    dispatcher = make_user(session, "disp", "dispatcher")
    viewer = make_user(session, "view", "viewer")
    return f, item, {"a": clerk_a, "b": clerk_b, "dispatcher": dispatcher, "viewer": viewer}


def test_scan_opens_one_alert_per_condition(session, world):
    f, item, users = world
    result = alerts.scan(session, today=TODAY)
    kinds = sorted(
        (a.kind, a.facility_id) for a in alerts.open_alerts(session, users["dispatcher"])
    )
    assert kinds == sorted(
        [("below_target", f["A"].id), ("expiring", f["A"].id), ("stock_out", f["B"].id)]
    )
    assert result == {"opened": 3, "open": 3, "resolved": 0}
    assert alerts.scan(session, today=TODAY) == {"opened": 0, "open": 3, "resolved": 0}


def test_alert_resolves_when_the_condition_clears_and_reopens(session, world):
    f, item, users = world
    alerts.scan(session, today=TODAY)
    receive(session, f["B"], item, 500, lot_no="FRESH", expiry=date(2030, 1, 1))
    assert alerts.scan(session, today=TODAY)["resolved"] == 1
    movements.issue(session, None, facility_id=f["B"].id, item_id=item.id, quantity=500)
    # the stock-out comes back, and 500 issued in a day runs far above the norm of 10
    assert alerts.scan(session, today=TODAY)["opened"] == 2
    kinds = {a.kind for a in alerts.open_alerts(session, users["b"])}
    assert kinds == {"stock_out", "above_norm"}


def test_clerks_see_and_acknowledge_only_their_depots(session, world):
    f, _item, users = world
    alerts.scan(session, today=TODAY)
    mine = alerts.open_alerts(session, users["a"])
    assert {a.facility_id for a in mine} == {f["A"].id}
    alerts.acknowledge(session, users["a"], mine[0].id)
    other = alerts.open_alerts(session, users["b"])[0]
    with pytest.raises(Forbidden):
        alerts.acknowledge(session, users["a"], other.id)
    with pytest.raises(Forbidden):
        alerts.acknowledge(session, users["viewer"], other.id)
    alerts.acknowledge(session, users["dispatcher"], other.id)
    assert all(a.acknowledged_at for a in alerts.open_alerts(session, users["b"]))
    unacknowledged = alerts.open_alerts(session, users["dispatcher"], include_acknowledged=False)
    assert len(unacknowledged) == 1
