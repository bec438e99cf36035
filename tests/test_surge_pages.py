"""The surge pages as the dispatcher and the clerks use them, through the real forms."""

import re
import shutil
import subprocess

import pytest
from sqlmodel import Session, select

from core.db import get_engine
from surge.models import AllocationOrder, OrderStatus, Plan, SupportRequest, SurgeScenario
from surge.services import orders
from tests.surge_factories import surge_setup

SCENARIO_FORM = {
    "name": "塔山街道疫情",
    "start_date": "2026-11-23",
    "region_codes": ["330602001"],
    "multiplier": "5",
    "horizon_days": "14",
    "target_days": "10",
    "floor_city": "10",
    "floor_county": "10",
    "floor_township": "10",
    "links": "distance",
    "max_distance_km": "60",
    "road_factor": "1.3",
}


@pytest.fixture
def world(app):
    with app.app_context(), Session(get_engine(app), expire_on_commit=False) as session:
        s = surge_setup(session)
    return s


def _login(client, username):
    client.post("/auth/logout")
    response = client.post("/auth/login", data={"username": username, "password": "password-123"})
    assert response.status_code == 302


def _count(app, model):
    with app.app_context(), Session(get_engine(app)) as session:
        return len(session.exec(select(model)).all())


def test_dispatcher_declares_plans_adjusts_and_issues(app, client, world):
    _login(client, "disp")
    page = client.get("/surge/scenarios/new")
    assert page.status_code == 200 and "越城区" in page.get_data(as_text=True)
    response = client.post("/surge/scenarios/new", data=SCENARIO_FORM)
    assert response.status_code == 302
    scenario_url = response.headers["Location"]
    text = client.get(scenario_url).get_data(as_text=True)
    assert "塔山街道疫情" in text and "× 5" in text

    response = client.post(scenario_url + "/plan")
    assert response.status_code == 302
    plan_url = response.headers["Location"]
    text = client.get(plan_url).get_data(as_text=True)
    assert re.search(r'id="shortage-after">0\.0<', text)
    assert "<svg" in text and "塔山储备点" in text
    line_ids = re.findall(r'id="line-(\d+)"', text)
    assert line_ids

    # a bad quantity: 422 with the message on the line, and the plan unchanged
    response = client.post(f"{plan_url}/lines/{line_ids[0]}", data={"quantity": "lots"})
    assert response.status_code == 422
    assert 'class="field-error"' in response.get_data(as_text=True)
    response = client.post(f"{plan_url}/lines/{line_ids[0]}", data={"quantity": "999999"})
    assert response.status_code == 422
    # a good one: the unmet need appears
    response = client.post(f"{plan_url}/lines/{line_ids[0]}", data={"quantity": "0"})
    assert response.status_code == 302
    text = client.get(plan_url).get_data(as_text=True)
    assert not re.search(r'id="unmet-units">0<', text)

    response = client.post(f"{plan_url}/issue", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "DB2026-" in text
    response = client.post(f"{plan_url}/approve-all", follow_redirects=True)
    assert response.status_code == 200
    with app.app_context(), Session(get_engine(app)) as session:
        issued = session.exec(select(AllocationOrder)).all()
    assert {o.status for o in issued} == {OrderStatus.APPROVED}
    # issuing or discarding it again is refused: back to the plan with the reason, no new order
    for action, reason in (
        ("issue", "此方案已签发或已放弃。"),
        ("discard", "只有待定方案可以放弃。"),
    ):
        again = client.post(f"{plan_url}/{action}")
        assert again.status_code == 303 and again.headers["Location"] == plan_url
        assert reason in client.get(plan_url).get_data(as_text=True)
    with app.app_context(), Session(get_engine(app)) as session:
        assert len(session.exec(select(AllocationOrder)).all()) == len(issued)
    # an issued plan no longer changes
    line = line_ids[-1]
    assert client.post(f"{plan_url}/lines/{line}", data={"quantity": "1"}).status_code == 409


@pytest.mark.parametrize(
    "change, field",
    [
        ({"name": ""}, "name"),
        ({"multiplier": "many"}, "multiplier"),
        ({"horizon_days": "0"}, "horizon_days"),
        ({"start_date": "23/11/2026"}, "start_date"),
        ({"region_codes": []}, "region_codes"),
        ({"max_distance_km": "-1"}, "max_distance_km"),
    ],
)
def test_a_bad_scenario_form_says_what_is_wrong_and_saves_nothing(
    app, client, world, change, field
):
    _login(client, "disp")
    before = _count(app, SurgeScenario)
    response = client.post("/surge/scenarios/new", data={**SCENARIO_FORM, **change})
    assert response.status_code == 422
    assert f'id="error-{field}"' in response.get_data(as_text=True)
    assert _count(app, SurgeScenario) == before


def _approved_order(app, world, quantity=300):
    with app.app_context(), Session(get_engine(app), expire_on_commit=False) as session:
        u, net = world["users"], world["net"]
        order = orders.create_order(
            session,
            u["dispatcher"],
            from_facility_id=net["K"].id,
            to_facility_id=net["A"].id,
            lines=[(world["item"].id, quantity)],
        )
        orders.approve(session, u["dispatcher"], order.id)
        session.commit()
        return order.id


def test_clerks_dispatch_and_receive_through_their_forms(app, client, world):
    order_id = _approved_order(app, world)
    # the sending clerk sees it on the depot page, with the lots suggested first expiry first
    _login(client, "clerk_k")
    depot = client.get(f"/depots/{world['net']['K'].id}").get_data(as_text=True)
    assert 'id="depot-orders"' in depot and "DB2026-" in depot
    form = client.get(f"/surge/orders/{order_id}/dispatch").get_data(as_text=True)
    fields = dict(re.findall(r'name="(pick-\d+-\d+)"[^>]*value="(\d*)"', form))
    assert sorted(v for v in fields.values() if v) == ["300"]
    # more than ordered: refused, nothing leaves
    too_many = {k: ("301" if v else "") for k, v in fields.items()}
    response = client.post(f"/surge/orders/{order_id}/dispatch", data=too_many)
    assert response.status_code == 422 and 'id="form-error"' in response.get_data(as_text=True)
    response = client.post(f"/surge/orders/{order_id}/dispatch", data=fields)
    assert response.status_code == 302

    _login(client, "clerk_a")
    form = client.get(f"/surge/orders/{order_id}/receive").get_data(as_text=True)
    received = re.findall(r'name="(received-\d+)"', form)
    damaged = re.findall(r'name="(damaged-\d+)"', form)
    short = {received[0]: "290", damaged[0]: "4"}
    response = client.post(f"/surge/orders/{order_id}/receive", data=short)
    assert response.status_code == 422  # a discrepancy needs a note
    response = client.post(f"/surge/orders/{order_id}/receive", data={**short, "note": "6 缺失"})
    assert response.status_code == 302
    text = client.get(f"/surge/orders/{order_id}").get_data(as_text=True)
    assert "6 缺失" in text and 'id="order-history"' in text
    stock = client.get(f"/depots/{world['net']['A'].id}").get_data(as_text=True)
    assert "290" in stock


def _status(app, order_id):
    with app.app_context(), Session(get_engine(app)) as session:
        return session.get(AllocationOrder, order_id).status


def test_counts_that_are_not_whole_numbers_are_refused_and_nothing_moves(app, client, world):
    order_id = _approved_order(app, world)
    _login(client, "clerk_k")
    form = client.get(f"/surge/orders/{order_id}/dispatch").get_data(as_text=True)
    fields = dict(re.findall(r'name="(pick-\d+-\d+)"[^>]*value="(\d*)"', form))
    halves = {k: ("299.5" if v else "") for k, v in fields.items()}
    response = client.post(f"/surge/orders/{order_id}/dispatch", data=halves)
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="form-error">请输入整数数量。<' in text
    assert 'value="299.5"' in text  # the form comes back as typed
    assert _status(app, order_id) == OrderStatus.APPROVED
    response = client.post(f"/surge/orders/{order_id}/dispatch", data=fields, follow_redirects=True)
    assert "已发货，物资在途" in response.get_data(as_text=True)
    assert _status(app, order_id) == OrderStatus.DISPATCHED

    _login(client, "clerk_a")
    form = client.get(f"/surge/orders/{order_id}/receive").get_data(as_text=True)
    (received,) = re.findall(r'name="(received-\d+)"', form)
    (damaged,) = re.findall(r'name="(damaged-\d+)"', form)
    for bad in ({received: "三百"}, {received: "300", damaged: "-1"}):
        response = client.post(f"/surge/orders/{order_id}/receive", data=bad)
        text = response.get_data(as_text=True)
        assert response.status_code == 422 and 'id="form-error">请输入整数数量。<' in text
        assert _status(app, order_id) == OrderStatus.DISPATCHED
    response = client.post(
        f"/surge/orders/{order_id}/receive", data={received: "300"}, follow_redirects=True
    )
    assert "已收货入库" in response.get_data(as_text=True)
    assert _status(app, order_id) == OrderStatus.RECEIVED


def test_the_order_pdf_is_a_printable_chinese_order(app, client, world):
    order_id = _approved_order(app, world, 120)
    _login(client, "disp")
    response = client.get(f"/surge/orders/{order_id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    pdftotext = shutil.which("pdftotext")  # poppler-utils, from scripts/install-system-deps.sh
    if pdftotext:
        text = subprocess.run(
            [pdftotext, "-", "-"], input=response.data, capture_output=True, check=True
        ).stdout.decode()
        assert "调拨令" in text and "DB2026-" in text and "签发人" in text


def test_a_support_request_from_the_plan_as_pdf_and_json(app, client, world):
    with app.app_context(), Session(get_engine(app)) as session:
        scenario = session.exec(select(SurgeScenario)).one()
        scenario.multiplier = 50.0  # far more than the city holds
        session.add(scenario)
        session.commit()
        scenario_id = scenario.id
    _login(client, "disp")
    plan_url = client.post(f"/surge/scenarios/{scenario_id}/plan").headers["Location"]
    assert 'id="support-form"' in client.get(plan_url).get_data(as_text=True)
    bad = client.post(plan_url + "/support", data={"addressee_kind": "moon", "addressee": ""})
    assert bad.status_code == 422 and _count(app, SupportRequest) == 0
    response = client.post(
        plan_url + "/support",
        data={"addressee_kind": "province", "addressee": "浙江省卫生健康委员会"},
    )
    assert response.status_code == 302
    url = response.headers["Location"]
    assert "浙江省卫生健康委员会" in client.get(url).get_data(as_text=True)
    doc = client.get(url + ".json").get_json()
    assert doc["kind"] == "紧急调拨单" and doc["items"] and doc["lines"]
    pdf = client.get(url + ".pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    with app.app_context(), Session(get_engine(app)) as session:
        plan = session.exec(select(Plan)).one()
        assert plan.shortage_cost > 0


def test_the_plan_page_in_english(app, client, world):
    _login(client, "disp")
    assert client.post("/auth/lang/en", data={"next": "/"}).status_code == 302
    scenario_id = _first_scenario(app)
    plan_url = client.post(f"/surge/scenarios/{scenario_id}/plan").headers["Location"]
    text = client.get(plan_url).get_data(as_text=True)
    assert "Shortage after" in text and "Issue allocation orders" in text


def _first_scenario(app):
    with app.app_context(), Session(get_engine(app)) as session:
        return session.exec(select(SurgeScenario.id)).first()


def test_hostile_text_in_a_scenario_is_stored_as_typed_and_shown_escaped(app, client, world):
    _login(client, "disp")
    name = "<script>alert(1)</script>'; DROP TABLE plan;-- 疫情 ☣"
    response = client.post("/surge/scenarios/new", data={**SCENARIO_FORM, "name": name})
    assert response.status_code == 302
    text = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    )
    with app.app_context(), Session(get_engine(app)) as session:
        assert session.exec(select(SurgeScenario.name).where(SurgeScenario.name == name)).one()
    response = client.post("/surge/scenarios/new", data={**SCENARIO_FORM, "name": "a\x00b"})
    assert response.status_code == 422


def _english_names(app):
    """English names for the city, the county and township A (and their regions); township B
    and its subdistrict keep only their Chinese names."""
    from inventory.models import Facility, Region

    names = {
        (Facility, "C"): "Shaoxing City Depot",
        (Facility, "K"): "Yuecheng District Depot",
        (Facility, "A"): "Tashan Reserve Point",
        (Region, "330602"): "Yuecheng District",
        (Region, "330602001"): "Tashan Subdistrict",
    }
    with app.app_context(), Session(get_engine(app)) as session:
        for (model, key), name_en in names.items():
            column = model.code
            row = session.exec(select(model).where(column == key)).one()
            row.name_en = name_en
            session.add(row)
        session.commit()


def _plan_with_unmet(app, client):
    """A plan of the 50-fold surge (more than the city holds: some need stays unmet)."""
    with app.app_context(), Session(get_engine(app)) as session:
        scenario = session.exec(select(SurgeScenario)).one()
        scenario.multiplier = 50.0
        session.add(scenario)
        session.commit()
        scenario_id = scenario.id
    return scenario_id, client.post(f"/surge/scenarios/{scenario_id}/plan").headers["Location"]


def test_the_surge_pages_name_depots_and_counties_in_the_readers_language(app, client, world):
    _english_names(app)
    _login(client, "disp")
    scenario_id, plan_url = _plan_with_unmet(app, client)
    order_id = _approved_order(app, world)
    response = client.post(
        plan_url + "/support", data={"addressee_kind": "province", "addressee": "浙江省"}
    )
    support_url = response.headers["Location"]
    pages = {
        "form": "/surge/scenarios/new",
        "scenario": f"/surge/scenarios/{scenario_id}",
        "plan": plan_url,
        "orders": "/surge/orders",
        "order": f"/surge/orders/{order_id}",
        "support": support_url,
    }
    chinese = {name: client.get(url).get_data(as_text=True) for name, url in pages.items()}
    assert client.post("/auth/lang/en", data={"next": "/"}).status_code == 302
    english = {name: client.get(url).get_data(as_text=True) for name, url in pages.items()}

    # English: the English names where recorded, the Chinese one (府山储备点) where not
    assert "Yuecheng District" in english["form"] and "Tashan Subdistrict" in english["form"]
    assert "Tashan Reserve Point" in english["form"] and "府山储备点" in english["form"]
    assert "Tashan Subdistrict" in english["scenario"]
    plan = english["plan"]
    for name in ("Tashan Reserve Point", "Yuecheng District Depot", "Yuecheng District"):
        assert name in plan
    for name in ("Yuecheng District Depot", "Tashan Reserve Point"):  # the order K → A
        assert name in english["orders"] and name in english["order"]
    assert "Tashan Reserve Point" in english["support"]
    for text in english.values():
        text = text.replace("塔山街道疫情", "")  # the scenario's name, as the user typed it
        for chinese_name in ("塔山储备点", "越城区库", "市级库", "越城区", "塔山街道"):
            assert chinese_name not in text
    # the unmet need, the county overview and the map say it in English too
    unmet = plan[plan.index('id="unmet-heading"') : plan.index('id="support-form"')]
    assert "Tashan Reserve Point" in unmet
    assert re.search(r'data-county="330602"><td[^>]*><a[^>]*>Yuecheng District</a>', plan)
    assert "<title>Tashan Reserve Point" in plan

    # Chinese: the Chinese names everywhere, no English one
    assert "塔山街道" in chinese["form"] and "塔山储备点" in chinese["plan"]
    assert "越城区库" in chinese["orders"] and "塔山储备点" in chinese["order"]
    assert "塔山储备点" in chinese["support"]
    for text in chinese.values():
        for english_name in ("Tashan", "Yuecheng", "Shaoxing City Depot"):
            assert english_name not in text

    # the clerk's depot page lists the order with the depots' names in English too
    _login(client, "clerk_k")
    assert client.post("/auth/lang/en", data={"next": "/"}).status_code == 302
    depot = client.get(f"/depots/{world['net']['K'].id}").get_data(as_text=True)
    orders_box = depot[depot.index('id="depot-orders"') :]
    assert "Tashan Reserve Point" in orders_box and "塔山储备点" not in orders_box


def test_a_refused_line_names_the_depot_and_item_in_the_readers_language(app, client, world):
    _english_names(app)
    _login(client, "disp")
    assert client.post("/auth/lang/en", data={"next": "/"}).status_code == 302
    plan_url = client.post(f"/surge/scenarios/{_first_scenario(app)}/plan").headers["Location"]
    text = client.get(plan_url).get_data(as_text=True)
    # the county depot's line: more than it may give without going below its floor
    line = re.search(r'<tr id="line-(\d+)" data-from="K" data-to="A"', text).group(1)
    response = client.post(f"{plan_url}/lines/{line}", data={"quantity": "1900"})
    assert response.status_code == 422
    message = re.search(r'role="alert">([^<]+)<', response.get_data(as_text=True)).group(1)
    assert message.startswith("Yuecheng District Depot may send at most 1800 of ")
    assert "越城区库" not in message
    assert world["item"].name_en in message and world["item"].name_zh not in message


def test_the_order_pdf_stays_a_chinese_document_for_an_english_reader(app, client, world):
    pdftotext = shutil.which("pdftotext")
    if not pdftotext:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    _english_names(app)
    order_id = _approved_order(app, world, 120)
    _login(client, "disp")
    assert client.post("/auth/lang/en", data={"next": "/"}).status_code == 302
    page = client.get(f"/surge/orders/{order_id}").get_data(as_text=True)
    assert "Yuecheng District Depot" in page and "Approved" in page
    response = client.get(f"/surge/orders/{order_id}.pdf")
    text = subprocess.run(
        [pdftotext, "-", "-"], input=response.data, capture_output=True, check=True
    ).stdout.decode()
    assert "调出单位" in text and "越城区库" in text and "塔山储备点" in text
    assert "已批准" in text  # the status in Chinese too
    for english in ("Yuecheng", "Tashan", "Approved", "Allocation order"):
        assert english not in text
