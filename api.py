"""The JSON API under /api/v1: flask-smorest blueprints, documented at /api/v1/openapi.json.

Integrations authenticate with an API token (`Authorization: Bearer rsv_...`); a token acts
with its user's permissions, enforced by the same services as the pages.
"""

from http import HTTPStatus

from flask import Flask, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_smorest import Api, Blueprint, abort

from accounts.tokens import bearer_user
from audit import current_actor
from db import get_session

SECURITY = {"bearerAuth": {"type": "http", "scheme": "bearer"}}
_doc = Blueprint("api_doc", __name__)


def errors(*codes: int):
    """Declare in the OpenAPI document the error responses an operation may answer with
    (each in the shared Error shape: code, status, message, errors)."""

    def decorator(func):
        for code in codes:
            func = _doc.alt_response(code, response=HTTPStatus(code).name)(func)
        return func

    return decorator


def authenticate() -> None:
    """Every API request but the document itself needs a valid token."""
    if request.path.endswith("/openapi.json"):
        return
    user = bearer_user(get_session(), request.headers.get("Authorization"))
    if user is None:
        abort(401, message="A valid API token is required (Authorization: Bearer <token>).")
    g.api_user = user
    current_actor.set(user.id)


class PageSessions(SecureCookieSessionInterface):
    """The signed-cookie session of the pages; API requests get an empty one that is never
    saved. Flask opens the session on every request, but a token request has no use for the
    cookie (the token says who acts), so its signature is not even checked."""

    def open_session(self, app: Flask, request):
        if request.path.startswith("/api/"):
            return self.session_class()
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    """Configure flask-smorest and mount the API blueprints."""
    from app import csrf

    app.session_interface = PageSessions()
    from inventory.api import blp as inventory_blp
    from reports.api import bp as readiness_blp

    app.config.setdefault("API_TITLE", "Emergency medical reserves")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    # one Api per app: it holds the app's OpenAPI document
    api = Api(
        app,
        spec_kwargs={"components": {"securitySchemes": SECURITY}, "security": [{"bearerAuth": []}]},
    )
    api.register_blueprint(inventory_blp, url_prefix="/api/v1")
    csrf.exempt(inventory_blp)
    api.register_blueprint(readiness_blp, url_prefix="/api/v1")
    csrf.exempt(readiness_blp)
    app.extensions["smorest_api"] = api
