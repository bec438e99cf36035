"""Every page and every API endpoint against every role: allowed, redirected to log in,
refused (403), or unauthenticated (401 for the API, anonymous or with a bad token).

The matrix also fails when a route is added without being listed here, so a new page or
endpoint cannot slip in without a decision about who may use it.
"""

import pytest

from tests import permission_routes
from tests.permission_routes import (
    API,
    API_ROLES,
    LOGIN,
    NOT_GET_PAGES,
    OK,
    PAGES,
    REDIRECT,
    ROLES,
    _client,
)

world = permission_routes.world  # the module-scoped fixture: this module's own world


def test_every_route_is_in_the_matrix(world):
    app, _ids = world
    rules = list(app.url_map.iter_rules())
    api_rules = {r.rule for r in rules if r.rule.startswith("/api/")}
    endpoints = {r.endpoint for r in rules if r.rule not in api_rules}
    missing = endpoints - set(PAGES) - NOT_GET_PAGES
    assert not missing, f"routes without a permission decision: {sorted(missing)}"
    api_operations = {
        (method, r.rule)
        for r in rules
        if r.rule in api_rules and not r.rule.endswith("/openapi.json")
        for method in r.methods - {"HEAD", "OPTIONS"}
    }
    listed = {(method, rule) for method, rule, _path, _body, _policy in API}
    missing_api = api_operations - listed
    assert not missing_api, f"API endpoints without a permission decision: {sorted(missing_api)}"


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


@pytest.mark.parametrize("role", API_ROLES)
@pytest.mark.parametrize(
    "method, rule, path, body, policy", API, ids=[f"{m} {r}" for m, r, *_x in API]
)
def test_role_against_api(world, role, method, rule, path, body, policy):
    app, ids = world
    headers = {"Idempotency-Key": f"matrix-{role}"}
    if role != "anonymous":
        headers["Authorization"] = f"Bearer {app.config['MATRIX_TOKENS'][role]}"
    response = app.test_client().open(path.format(**ids), method=method, json=body, headers=headers)
    expected = 401 if role in ("anonymous", "bad_token") else policy[role]
    assert response.status_code == expected, response.get_json()
    assert response.is_json
