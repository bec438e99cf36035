"""The demo city in a surge: a fivefold rise in 新昌县 for 14 days, every order carried through.

Plan → orders → approved → dispatched → received (one with a discrepancy) → closed, each step
by a clerk of the depot concerned; the network's stock (on hand + in transit + discrepancies)
is the same after every phase, and at the end balances equal the ledger.
"""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from accounts.models import User
from accounts.services import create_user
from db import get_engine
from dispatch.models import AllocationOrder, OrderStatus, PlanUnmet
from dispatch.services import orders, planning, scenarios, shipping, support
from dispatch.services.shipping import Arrival
from inventory.services.ledger import verify_ledger
from inventory.services.readiness import compute_readiness
from tests.conftest import module_app
from tests.dispatch_factories import network_total
from timeutil import local_today

# one worker runs this module and test_seed.py: it seeds the SQLite demo city once and each
# module gets a copy (conftest.module_app)
pytestmark = pytest.mark.xdist_group("demo_city")

XINCHANG = "330624"


@pytest.fixture(
    # SQLite only: seeding the demo city is the slow part, and every rule of the flow is also
    # tested on PostgreSQL on small networks (test_dispatch_orders.py)
    scope="module",
    params=["sqlite"],
)
def demo_app(request, tmp_path_factory):
    """The seeded demo city, this module's own copy: the surge writes orders and stock."""
    with module_app(request, tmp_path_factory, "demo", demo_city=True) as app:
        yield app


def test_a_fivefold_surge_in_one_county_from_plan_to_shelves(demo_app):
    with demo_app.app_context(), Session(get_engine(demo_app), expire_on_commit=False) as session:
        dispatcher = session.exec(select(User).where(User.username == "dispatcher")).one()
        today = local_today()
        scenario = scenarios.create(
            session,
            dispatcher,
            scenarios.ScenarioInput(
                name="新昌县疫情（5倍，14天）",
                start_date=today,
                region_codes=[XINCHANG],
                multiplier=5.0,
                horizon_days=14,
                target_days=10,
                links="distance",
                max_distance_km=80,
            ),
        )
        affected = scenarios.affected_facility_ids(session, scenario)
        before = compute_readiness(session, today=today)
        plan = planning.create_plan(session, dispatcher, scenario.id, today=today)
        session.commit()
        assert plan.shortage_cost < plan.shortage_before
        total = network_total(session)

        issued = orders.issue_plan(session, dispatcher, plan.id)
        session.commit()
        assert issued and network_total(session) == total
        # every receiver of the plan is in the surge county or short of stock itself
        assert {o.to_facility_id for o in issued} & affected

        # every depot of the plan gets a clerk; then one short session per step, as requests
        clerks = {}
        for order in issued:
            for fid in (order.from_facility_id, order.to_facility_id):
                if fid not in clerks:
                    clerks[fid] = create_user(
                        session, f"clerk-{fid}", "password-123", "clerk", facility_ids=[fid]
                    ).id
        session.commit()
        engine = get_engine(demo_app)
        plan_orders = [(o.id, o.from_facility_id, o.to_facility_id) for o in issued]

        def step(action, user_id, order_id, *args, **kw):
            with Session(engine) as s:
                action(s, s.get(User, user_id), order_id, *args, **kw)
                s.commit()

        def total_now():
            session.rollback()  # end the reader's snapshot: the steps wrote since
            return network_total(session)

        for order_id, _sender, _receiver in plan_orders:
            step(orders.approve, dispatcher.id, order_id, today=today)
        assert total_now() == total
        for order_id, sender, _receiver in plan_orders:
            step(shipping.dispatch, clerks[sender], order_id, today=today)
        assert total_now() == total
        in_transit = sum(orders.in_transit(session).values())
        assert in_transit == sum(
            line.quantity for o, _s, _r in plan_orders for line in orders.lines_of(session, o)
        )

        (first, _sender, receiver), *rest = plan_orders
        rows = orders.lots_of(session, [ln.id for ln in orders.lines_of(session, first)])
        arrivals = [Arrival(r.id, r.dispatched, 0) for r in rows]
        arrivals[0] = Arrival(rows[0].id, rows[0].dispatched - 1, 1)  # one carton crushed
        session.rollback()
        step(shipping.receive, clerks[receiver], first, arrivals, note="一箱破损")
        for order_id, _sender, receiver in rest:
            step(shipping.receive, clerks[receiver], order_id)
        assert total_now() == total
        assert orders.in_transit(session) == {}
        assert sum(orders.discrepancies(session).values()) == 1

        for order_id, _sender, _receiver in plan_orders:
            step(orders.close, dispatcher.id, order_id)
        session.rollback()
        assert verify_ledger(session) == []
        statuses = {session.get(AllocationOrder, o).status for o, _s, _r in plan_orders}
        assert statuses == {OrderStatus.CLOSED}

        # the surge county is better covered than before
        after = compute_readiness(session, today=today)
        county_before = before.by_county[XINCHANG].share_physical
        county_after = after.by_county[XINCHANG].share_physical
        assert county_after > county_before

        unmet = session.exec(select(PlanUnmet).where(PlanUnmet.plan_id == plan.id)).all()
        if unmet:
            request = support.create_from_plan(
                session,
                dispatcher,
                plan.id,
                addressee_kind="province",
                addressee="浙江省卫生健康委员会",
            )
            session.commit()
            doc = support.as_json(session, request)
            assert sum(i["quantity"] for i in doc["items"]) == sum(u.quantity for u in unmet)
        assert timedelta(0) <= timedelta(seconds=plan.solve_seconds) < timedelta(seconds=60)
