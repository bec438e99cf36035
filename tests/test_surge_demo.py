"""The demo city in a surge: a fivefold rise in 新昌县 for 14 days, every order carried through.

Plan → orders → approved → dispatched → received (one with a discrepancy) → closed, each step
by a clerk of the depot concerned; the network's stock (on hand + in transit + discrepancies)
is the same after every phase, and at the end balances equal the ledger.
"""

import re
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from accounts.models import User
from accounts.passwords import DEMO_PASSWORDS
from accounts.services import create_user
from core.db import get_engine
from core.timeutil import local_today
from inventory.models import Facility, Item
from inventory.services.ledger import verify_ledger
from inventory.services.readiness import compute_readiness
from surge.models import AllocationOrder, OrderStatus, PlanUnmet
from surge.services import orders, planning, scenarios, shipping, support
from surge.services.shipping import Arrival
from tests.conftest import module_app
from tests.surge_factories import network_total

# one worker runs this module and test_seed.py: it seeds the SQLite demo city once and each
# module gets a copy (conftest.module_app)
pytestmark = pytest.mark.xdist_group("demo_city")

XINCHANG = "330624"


@pytest.fixture(
    # SQLite only: seeding the demo city is the slow part, and every rule of the flow is also
    # tested on PostgreSQL on small networks (test_surge_orders.py)
    scope="module",
    params=["sqlite"],
)
def demo_app(request, tmp_path_factory):
    """The seeded demo city, this module's own copy: the surge writes orders and stock."""
    with module_app(request, tmp_path_factory, "demo", demo_city=True) as app:
        yield app


YUECHENG = "330602"


def _groups(html: str) -> list[dict]:
    """The transfer groups of a plan page as the dispatcher reads them: receiver, whether it is
    open, its summary figures and its lines."""
    section = html[html.index('id="transfers"') : html.index('id="unmet-heading"')]
    groups = []
    for chunk in section.split('<details class="line-group')[1:]:
        head = chunk[: chunk.index("</summary>")]
        figures = re.findall(r'<span class="num[^"]*">([\d,.]+)</span>', head)
        senders, lines, item_types, units, tkm = (float(x.replace(",", "")) for x in figures)
        groups.append(
            {
                "to": re.search(r'data-to="([^"]+)"', head).group(1),
                "open": re.search(r"^[^>]*\bopen>", chunk) is not None,
                "lines": int(lines),
                "units": int(units),
                "tkm": tkm,
                "ids": [int(x) for x in re.findall(r'<tr id="line-(\d+)"', chunk)],
            }
        )
    return groups


def test_the_plan_page_of_a_county_surge_groups_its_lines_by_receiving_depot(demo_app):
    """A fivefold surge in 越城区 gives several hundred lines: the page shows one summary row per
    receiving depot, 20 depots a page, every line reachable, figures that add up.

    First in the module, on the fresh seed (the next test moves stock across the city; this one
    issues no orders)."""
    with demo_app.app_context(), Session(get_engine(demo_app), expire_on_commit=False) as session:
        dispatcher = session.exec(select(User).where(User.username == "dispatcher")).one()
        scenario = scenarios.create(
            session,
            dispatcher,
            scenarios.ScenarioInput(
                name="越城区疫情（5倍，14天）",
                start_date=local_today(),
                region_codes=[YUECHENG],
                multiplier=5.0,
                horizon_days=14,
                target_days=10,
                links="hierarchy",
                max_distance_km=80,
            ),
        )
        plan = planning.create_plan(session, dispatcher, scenario.id)
        session.commit()
        transfers = planning.transfers_of(session, plan.id)
        facilities = {f.id: f for f in session.exec(select(Facility)).all()}
        items = {i.id: i for i in session.exec(select(Item)).all()}
    assert len(transfers) > 200  # long enough to need the overview
    by_id = {t.id: t for t in transfers}
    code_of = {f.id: f.code for f in facilities.values()}

    client = demo_app.test_client()
    login = {"username": "dispatcher", "password": DEMO_PASSWORDS["dispatcher"]}
    assert client.post("/auth/login", data=login).status_code == 302
    url = f"/surge/plans/{plan.id}"
    html = client.get(url).get_data(as_text=True)
    counties = re.findall(r'<tr[^>]*data-county="(\d+)"><td[^>]*><a[^>]*>[^<]+</a></td>\s*'
                          r'<td class="num">\d+</td><td class="num">(\d+)</td>', html)  # fmt: skip
    assert sum(int(n) for _code, n in counties) == len(transfers)
    assert YUECHENG in dict(counties)

    # walk the pages: every line exactly once, each group's summary adds up its lines
    seen, page, pages = [], 1, 0
    while True:
        groups = _groups(html)
        assert 0 < len(groups) <= 20
        assert not any(g["open"] for g in groups)  # a long view starts closed
        for g in groups:
            mine = [t for t in transfers if code_of[t.to_facility_id] == g["to"]]
            assert sorted(g["ids"]) == sorted(t.id for t in mine)
            assert g["lines"] == len(mine)
            assert g["units"] == sum(t.quantity for t in mine)
            tkm = sum(t.quantity * items[t.item_id].unit_kg * t.km for t in mine) / 1000
            assert abs(g["tkm"] - tkm) <= 0.05 + 1e-9
            seen += g["ids"]
        pages += 1
        following = re.search(r'<a href="([^"]+)#transfers-heading" rel="next">', html)
        if not following:
            break
        page += 1
        assert f"page={page}" in following.group(1)
        html = client.get(following.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert sorted(seen) == sorted(by_id)
    assert pages == -(-len({t.to_facility_id for t in transfers}) // 20) > 1

    # the county filter: only depots of 越城区 receive
    html = client.get(f"{url}?county={YUECHENG}").get_data(as_text=True)
    groups = _groups(html)
    receivers = {f.code: f for f in facilities.values()}
    assert groups and all(receivers[g["to"]].region_code.startswith(YUECHENG) for g in groups)
    assert sum(g["lines"] for g in groups) == int(dict(counties)[YUECHENG])

    # the unmet need: one collapsed group per depot, 20 a page, every depot-item once; its
    # pager keeps the lines' page and the filter
    with demo_app.app_context(), Session(get_engine(demo_app)) as session:
        unmet = session.exec(select(PlanUnmet).where(PlanUnmet.plan_id == plan.id)).all()
        short = {(code_of[u.facility_id], items[u.item_id].code) for u in unmet}
    depots_short = len({u.facility_id for u in unmet})
    assert depots_short > 20  # long enough to need pages
    html = client.get(f"{url}?page=2").get_data(as_text=True)
    seen_unmet, unmet_pages = [], 0
    while True:
        section = html[html.index('id="unmet"') :]
        section = section[: section.index("</nav>") if 'id="unmet-pager"' in section else None]
        chunks = section.split('<details class="line-group')[1:]
        assert 0 < len(chunks) <= 20
        assert not any(re.search(r"^[^>]*\bopen>", c) for c in chunks)
        for chunk in chunks:
            depot = re.search(r'data-depot="([^"]+)"', chunk).group(1)
            seen_unmet += [(depot, item) for item in re.findall(r'<tr data-item="([^"]+)"', chunk)]
        unmet_pages += 1
        assert "2 / " in html[html.index('id="lines-pager"') :]  # still the lines' page 2
        following = re.search(r'<a href="([^"]+)#unmet-heading" rel="next">', html)
        if not following:
            break
        assert f"unmet_page={unmet_pages + 1}" in following.group(1)
        assert "page=2" in following.group(1).replace("unmet_page", "")
        html = client.get(following.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert sorted(seen_unmet) == sorted(short) and len(seen_unmet) == len(unmet)
    assert unmet_pages == -(-depots_short // 20) > 1

    # in English: every receiving depot by its English name (the demo city records them all)
    assert client.post("/auth/lang/en", data={"next": "/"}).status_code == 302
    html = client.get(url).get_data(as_text=True)
    named = re.findall(r'data-to="([^"]+)"[^>]*>\s*<summary[^>]*><span class="depot">'
                       r'<span class="depot-name">([^<]+)</span>', html)  # fmt: skip
    assert len(named) == 20
    assert all(name == receivers[code].name_en != "" for code, name in named)
    assert client.post("/auth/lang/zh_CN", data={"next": "/"}).status_code == 302

    # a line on the last page, changed: the redirect shows its page with its group open
    target = by_id[seen[-1]]
    response = client.post(
        f"{url}/lines/{target.id}", data={"quantity": str(max(0, target.quantity - 1))}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"line={target.id}#line-{target.id}")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{pages} / {pages}" in html
    opened = [g for g in _groups(html) if g["open"]]
    assert [g["to"] for g in opened] == [code_of[target.to_facility_id]]
    assert target.id in opened[0]["ids"] and 'class="changed"' in html
    # a refused quantity: 422, the message under the line, in its open group
    response = client.post(f"{url}/lines/{target.id}?county=", data={"quantity": "999999999"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    opened = [g for g in _groups(html) if g["open"]]
    assert [g["to"] for g in opened] == [code_of[target.to_facility_id]]
    assert re.search(rf'id="line-{target.id}".*?class="line-error"', html, re.S)


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
