"""The role × route matrix's table, shared by tests/test_permissions.py (every page and API
endpoint, and the check that no route is left out) and tests/test_permissions_posts.py (the
forms and the surge's actions, by POST): the roles, who may use each route, the world the
matrix runs in (a module-scoped fixture: each test module that imports it gets its own) and
one logged-in client per role."""

import pytest
from sqlmodel import Session

from accounts.tokens import issue_token
from core.db import get_engine
from inventory.services import catalog
from reports.models import Report
from tests.factories import make_item, make_network, make_user, receive

ROLES = ("anonymous", "clerk_own", "clerk_other", "dispatcher", "viewer", "admin")
OK, LOGIN, FORBIDDEN, REDIRECT = "ok", "login", "403", "redirect"
ALL = dict.fromkeys(ROLES[1:], OK)
ADMIN_ONLY = {
    "clerk_own": FORBIDDEN,
    "clerk_other": FORBIDDEN,
    "dispatcher": FORBIDDEN,
    "viewer": FORBIDDEN,
    "admin": OK,
}
OWN_DEPOT_RECORDING = {
    "clerk_own": OK,
    "clerk_other": FORBIDDEN,
    "dispatcher": FORBIDDEN,
    "viewer": FORBIDDEN,
    "admin": FORBIDDEN,
}
OWN_DEPOT_READING = {
    "clerk_own": OK,
    "clerk_other": FORBIDDEN,
    "dispatcher": OK,
    "viewer": OK,
    "admin": OK,
}

CLERKS = ("clerk_own", "clerk_other")
SURGE_READERS = {"dispatcher": OK, "viewer": OK, "admin": OK}
SURGE_READERS_ONLY = {**SURGE_READERS, **dict.fromkeys(CLERKS, FORBIDDEN)}
DISPATCHER_ONLY = {**dict.fromkeys(ROLES[1:], FORBIDDEN), "dispatcher": OK}
ORDER_READERS = {**SURGE_READERS, "clerk_own": OK, "clerk_other": FORBIDDEN}

# endpoint -> (path template, who may GET it)
PAGES = {
    "inventory.home": ("/network", ALL),
    "inventory.catalog": ("/catalog", ALL),
    "depot.mine": ("/depots/", dict.fromkeys(ROLES[1:], REDIRECT)),
    "depot.stock": ("/depots/{A}", OWN_DEPOT_READING),
    "depot.history": ("/depots/{A}/history", OWN_DEPOT_READING),
    "depot.card": ("/depots/{A}/card/{item}", OWN_DEPOT_READING),
    "depot.record": ("/depots/{A}/record/issue", OWN_DEPOT_RECORDING),
    "depot.count": ("/depots/{A}/count/{item}", OWN_DEPOT_RECORDING),
    "depot.reverse": ("/depots/{A}/movements/{movement}/reverse", OWN_DEPOT_RECORDING),
    "depot.count_sheet": ("/depots/{A}/count-sheet.xlsx", OWN_DEPOT_RECORDING),
    "depot.upload_count": ("/depots/{A}/count-sheet", OWN_DEPOT_RECORDING),
    "depot.export_stock": ("/depots/{A}/export/stock.csv", OWN_DEPOT_READING),
    "depot.export_movements": ("/depots/{A}/export/movements.xlsx", OWN_DEPOT_READING),
    "reports.city": ("/dashboard/", ALL),
    "reports.county": ("/dashboard/county/330602", ALL),
    "reports.facility": ("/dashboard/facility/{A}", ALL),
    "reports.alerts": ("/dashboard/alerts", ALL),
    "reports.reports": ("/dashboard/reports", ALL),
    "reports.download_report": ("/dashboard/reports/{report}.pdf", ALL),
    "accounts.password": ("/auth/password", ALL),
    "accounts.tokens": ("/auth/tokens", ALL),
    "admin.index": ("/admin/", ADMIN_ONLY),
    "admin.users": ("/admin/users", ADMIN_ONLY),
    "admin.user": ("/admin/users/{user}", ADMIN_ONLY),
    "admin.facilities": ("/admin/facilities", ADMIN_ONLY),
    "admin.facility": ("/admin/facilities/{A}", ADMIN_ONLY),
    "admin.items": ("/admin/items", ADMIN_ONLY),
    "admin.item": ("/admin/items/{item}", ADMIN_ONLY),
    "admin.tier_catalog": ("/admin/catalog", ADMIN_ONLY),
    "admin.norms": ("/admin/norms?facility={A}", ADMIN_ONLY),
    "admin.target_profiles": ("/admin/targets", ADMIN_ONLY),
    "admin.audit_log": ("/admin/audit", ADMIN_ONLY),
    # the surge response: the office plans, leaders and administrators read, clerks see
    # only the orders of their depots (the order in `world` goes from A to the city depot)
    "surge.index": ("/surge/", {**SURGE_READERS, **dict.fromkeys(CLERKS, REDIRECT)}),
    "surge.scenario_new": ("/surge/scenarios/new", DISPATCHER_ONLY),
    "surge.scenario_edit": ("/surge/scenarios/{scenario}/edit", DISPATCHER_ONLY),
    "surge.scenario": ("/surge/scenarios/{scenario}", SURGE_READERS_ONLY),
    "surge.plan": ("/surge/plans/{plan}", SURGE_READERS_ONLY),
    "surge.support_request": ("/surge/support/{support}", SURGE_READERS_ONLY),
    "surge.support_pdf": ("/surge/support/{support}.pdf", SURGE_READERS_ONLY),
    "surge.support_json": ("/surge/support/{support}.json", SURGE_READERS_ONLY),
    "surge.order_list": ("/surge/orders", ALL),
    "surge.order": ("/surge/orders/{order}", ORDER_READERS),
    "surge.order_pdf": ("/surge/orders/{order}.pdf", ORDER_READERS),
    "surge.order_dispatch": ("/surge/orders/{order}/dispatch", OWN_DEPOT_RECORDING),
    # only the receiving depot's clerk (none of these roles) may receive
    "surge.order_receive": (
        "/surge/orders/{order}/receive",
        dict.fromkeys(ROLES[1:], FORBIDDEN),
    ),
    "admin.job_runs": ("/admin/jobs", ADMIN_ONLY),
}
# the surge response's actions: POST only, the dispatcher's (test_only_dispatchers_act)
SURGE_POSTS = {
    "scenario_plan": "/surge/scenarios/{scenario}/plan",
    "scenario_archive": "/surge/scenarios/{scenario}/archive",
    "plan_line": "/surge/plans/{plan}/lines/{line}",
    "plan_issue": "/surge/plans/{plan}/issue",
    "plan_discard": "/surge/plans/{plan}/discard",
    "plan_approve_all": "/surge/plans/{plan}/approve-all",
    "plan_support": "/surge/plans/{plan}/support",
    "order_approve": "/surge/orders/{order}/approve",
    "order_cancel": "/surge/orders/{order}/cancel",
    "order_close": "/surge/orders/{order}/close",
}
# reached only by POST, or public: checked elsewhere (test_pages, test_accounts, POST matrix)
NOT_GET_PAGES = {
    "static",
    "index",
    "accounts.login",
    "accounts.logout",
    "accounts.set_language",
    "accounts.revoke",
    "reports.acknowledge",
    *(f"surge.{name}" for name in SURGE_POSTS),
    "reports.generate_report",
}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from sqlmodel import SQLModel

    from core.db import make_engine
    from tests.conftest import make_test_app

    url = f"sqlite:///{tmp_path_factory.mktemp('perm') / 'perm.sqlite3'}"
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    app = make_test_app(url)
    with app.app_context(), Session(get_engine(app)) as session:
        f = make_network(session)
        item = make_item(session)
        catalog.set_norm(session, f["A"], item, 5, basis="t", source="t")
        movement = receive(session, f["A"], item, 20)
        # reversed through the API by the depot's clerk; the pages keep `movement`
        api_movement = receive(session, f["A"], item, 7, lot_no="L2")
        tokens = {}
        users = [make_user(session, "clerk_own", "clerk", facilities=[f["A"]])]
        users.append(make_user(session, "clerk_other", "clerk", facilities=[f["B"]]))
        for role in ("dispatcher", "viewer", "admin"):
            user = make_user(session, role, role)
            users.append(user)
            if role == "dispatcher":
                dispatcher = user
        for u in users:
            tokens[u.username] = issue_token(session, u, "matrix")[1]
        tokens["bad_token"] = "rsv_" + "x" * 43
        # an archived report (its content does not matter to who may read it)
        report = Report(scope="city", iso_week="2026-W47", filename="r.pdf", pdf=b"%PDF-1.7")
        session.add(report)
        session.commit()
        ids = {
            "A": f["A"].id,
            "item": item.id,
            "movement": movement.id,
            "user": user.id,
            "api_movement": api_movement.id,
            "report": report.id,
        }
        ids.update(_surge_world(session, f, item, dispatcher))
    app.config["MATRIX_TOKENS"] = tokens
    yield app, ids
    get_engine(app).dispose()


def _surge_world(session, f, item, dispatcher) -> dict:
    """A scenario on A, its plan (A stays short: support needed), an approved order A → C."""
    from datetime import date

    from surge.services import orders, planning, scenarios, support

    scenario = scenarios.create(
        session,
        dispatcher,
        scenarios.ScenarioInput(name="s", start_date=date(2026, 11, 23), facility_ids=[f["A"].id]),
    )
    plan = planning.create_plan(session, dispatcher, scenario.id, today=date(2026, 11, 23))
    line = planning.transfers_of(session, plan.id)
    request = support.create_from_plan(
        session, dispatcher, plan.id, addressee_kind="province", addressee="浙江省卫生健康委员会"
    )
    order = orders.create_order(
        session,
        dispatcher,
        from_facility_id=f["A"].id,
        to_facility_id=f["C"].id,
        lines=[(item.id, 5)],
    )
    orders.approve(session, dispatcher, order.id, today=date(2026, 11, 23))
    session.commit()
    return {
        "scenario": scenario.id,
        "plan": plan.id,
        "line": line[0].id if line else 0,
        "support": request.id,
        "order": order.id,
    }


_clients: dict = {}


def _client(app, role):
    """One logged-in client per role and app, reused across the matrix."""
    key = (id(app), role)
    if key not in _clients:
        client = app.test_client()
        if role != "anonymous":
            client.post("/auth/login", data={"username": role, "password": "password-123"})
        _clients[key] = client
    return _clients[key]


# --- the JSON API: every endpoint against every role, with a token ---------------------------

API_ROLES = ("anonymous", "bad_token", "clerk_own", "clerk_other", "dispatcher", "viewer", "admin")
EVERYONE = dict.fromkeys(API_ROLES[2:], 200)
OWN_DEPOT_API_READING = {**EVERYONE, "clerk_other": 403}


def _only_own_clerk(status: int) -> dict:
    return {**dict.fromkeys(API_ROLES[2:], 403), "clerk_own": status}


RECEIPT = {
    "type": "receipt",
    "facility": "A",
    "item": "PPE-N95",
    "quantity": 3,
    "lot_no": "API-1",
    "expiry": "2031-01-01",
}
MOVEMENT_RULE = "/api/v1/movements/<int(max=2147483647):movement_id>"
# (method, URL rule, path, JSON body, status per role)
API = [
    ("GET", "/api/v1/facilities", "/api/v1/facilities", None, EVERYONE),
    ("GET", "/api/v1/items", "/api/v1/items", None, EVERYONE),
    ("GET", "/api/v1/balances", "/api/v1/balances?facility=A", None, OWN_DEPOT_API_READING),
    ("GET", "/api/v1/movements", "/api/v1/movements?facility=A", None, OWN_DEPOT_API_READING),
    ("GET", MOVEMENT_RULE, "/api/v1/movements/{movement}", None, OWN_DEPOT_API_READING),
    ("POST", "/api/v1/movements", "/api/v1/movements", RECEIPT, _only_own_clerk(201)),
    (
        "POST",
        MOVEMENT_RULE + "/reversal",
        "/api/v1/movements/{api_movement}/reversal",
        {"note": "wrong lot"},
        _only_own_clerk(201),
    ),
    (
        "POST",
        "/api/v1/counts",
        "/api/v1/counts",
        {"facility": "A", "item": "PPE-N95", "lines": [{"lot_no": "L1", "counted": 20}]},
        _only_own_clerk(201),
    ),
    ("GET", "/api/v1/readiness", "/api/v1/readiness", None, EVERYONE),
    ("GET", "/api/v1/readiness/county/<code>", "/api/v1/readiness/county/330602", None, EVERYONE),
    ("GET", "/api/v1/readiness/facility/<code>", "/api/v1/readiness/facility/A", None, EVERYONE),
]
