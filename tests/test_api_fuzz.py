"""Schemathesis fuzzes every operation of /api/v1/openapi.json against the app in-process,
as a clerk of a seeded depot with a valid API token, on SQLite and PostgreSQL.

Checks: no 5xx, every status code and content type is declared for the operation, every
response body conforms to its declared schema, and requests that break the schema are
refused. (Schema-valid requests may still be refused: a depot code the schema allows may not
exist, so `positive_data_acceptance` is not among the checks.) Hypothesis runs derandomized
with a fixed number of examples, so CI sees the same cases every run.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from accounts.tokens import issue_token
from core.db import get_engine
from inventory.services import catalog
from tests.conftest import BACKENDS, make_test_app, module_app
from tests.factories import make_item, make_network, make_user, receive

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

# one worker runs the whole module, so its databases are set up once per engine
pytestmark = pytest.mark.xdist_group("api_fuzz")


def _document() -> dict:
    # the document does not touch the database: an app on an unopened in-memory one
    return make_test_app("sqlite://").extensions["smorest_api"].spec.to_dict()


# loaded at import (schemathesis's lazy fixture loader does not work with pytest 9)
schema = schemathesis.openapi.from_dict(_document())


@pytest.fixture(scope="module", params=BACKENDS)
def seeded_api(request, tmp_path_factory):
    """An app with a small network, stock, and a clerk's token for depot A."""
    with module_app(request, tmp_path_factory, "fuzz") as app:
        with app.app_context(), Session(get_engine(app)) as session:
            f = make_network(session)
            item = make_item(session)
            catalog.set_norm(session, f["A"], item, 5, basis="t", source="t")
            receive(session, f["A"], item, 1_000_000)
            clerk = make_user(session, "clerk", "clerk", facilities=[f["A"]])
            _row, token = issue_token(session, clerk, "fuzz")
            session.commit()
        yield app, {"Authorization": f"Bearer {token}"}


@schema.parametrize()
@settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_operation(case, seeded_api):
    app, headers = seeded_api
    case.call_and_validate(app=app, headers=headers, checks=CHECKS)


def test_every_error_an_operation_answers_is_declared():
    paths = _document()["paths"]
    writes = [
        ("/api/v1/movements", "post"),
        ("/api/v1/movements/{movement_id}/reversal", "post"),
        ("/api/v1/counts", "post"),
    ]
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method not in ("get", "post") or path.endswith("openapi.json"):
                continue
            assert "401" in operation["responses"], (path, method)
            if (path, method) in writes:
                assert {"403", "409", "413", "422"} <= set(operation["responses"]), path
            if "{" in path:
                assert "404" in operation["responses"], path
