"""Every page against every role: allowed, redirected to log in, or refused (403).

The matrix also fails when a route is added without being listed here, so a new page cannot
slip in without a decision about who may open it.
"""

import pytest
from sqlmodel import Session

from db import get_engine
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
    "admin.job_runs": ("/admin/jobs", ADMIN_ONLY),
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
    "reports.generate_report",
}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from sqlmodel import SQLModel

    from db import make_engine
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
        make_user(session, "clerk_own", "clerk", facilities=[f["A"]])
        make_user(session, "clerk_other", "clerk", facilities=[f["B"]])
        for role in ("dispatcher", "viewer", "admin"):
            user = make_user(session, role, role)
        # an archived report (its content does not matter to who may read it)
        report = Report(scope="city", iso_week="2026-W47", filename="r.pdf", pdf=b"%PDF-1.7")
        session.add(report)
        session.commit()
        ids = {
            "A": f["A"].id,
            "item": item.id,
            "movement": movement.id,
            "user": user.id,
            "report": report.id,
        }
    yield app, ids
    get_engine(app).dispose()


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


def test_every_route_is_in_the_matrix(world):
    app, _ids = world
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    api = {e for e in endpoints if e.startswith("api") or "." not in e and e.startswith("Api")}
    missing = endpoints - set(PAGES) - NOT_GET_PAGES - api
    assert not missing, f"routes without a permission decision: {sorted(missing)}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(PAGES))
def test_role_against_page(world, role, endpoint):
    app, ids = world
    path, policy = PAGES[endpoint]
    response = _client(app, role).get(path.format(**ids))
    expected = LOGIN if role == "anonymous" else policy[role]
    if expected == OK:
        assert response.status_code == 200, response.status_code
    elif expected == REDIRECT:  # onward to the user's start page, not to the login
        assert response.status_code == 302 and "/auth/login" not in response.headers["Location"]
    elif expected == LOGIN:
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ["clerk_other", "dispatcher", "viewer", "admin"])
def test_only_the_depots_clerk_may_post_a_movement(world, role):
    app, ids = world
    response = _client(app, role).post(
        f"/depots/{ids['A']}/record/receipt",
        data={
            "item_id": ids["item"],
            "quantity": 5,
            "lot_no": "X",
            "expiry": "2031-01-01",
            "source": "purchase",
            "form": "physical",
            "idempotency_key": f"p-{role}",
        },
    )
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["clerk_own", "dispatcher", "viewer"])
def test_only_administrators_may_post_admin_forms(world, role):
    app, _ids = world
    response = _client(app, role).post(
        "/admin/users", data={"username": "intruder", "role": "admin", "password": "x" * 12}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["clerk_own", "viewer"])
def test_only_dispatchers_and_administrators_may_generate_reports(world, role):
    app, _ids = world
    response = _client(app, role).post("/dashboard/reports", data={"week": "2026-W47"})
    assert response.status_code == 403
