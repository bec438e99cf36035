"""The framework of the JSON API under /api/v1 (flask-smorest, documented at
/api/v1/openapi.json); the domain packages bring the blueprints (their api.py).

Integrations authenticate with an API token (`Authorization: Bearer rsv_...`); a token acts
with its user's permissions, enforced by the same services as the pages. Which user a token
names is the accounts package's business: the app hands its `authenticator` to init_app.
"""

from collections.abc import Callable, Iterable
from http import HTTPStatus

from flask import Flask, current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_smorest import Api, Blueprint, abort

from core.audit import current_actor
from core.db import get_session
from core.web import csrf

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
    authenticator = current_app.extensions["api_authenticator"]
    user = authenticator(get_session(), request.headers.get("Authorization"))
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


def init_app(app: Flask, *, authenticator: Callable, blueprints: Iterable[Blueprint]) -> None:
    """Configure flask-smorest and mount the API blueprints; `authenticator(session, header)`
    answers the user an Authorization header names, or None."""
    app.session_interface = PageSessions()
    app.extensions["api_authenticator"] = authenticator
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
    for blueprint in blueprints:
        api.register_blueprint(blueprint, url_prefix="/api/v1")
        csrf.exempt(blueprint)
    app.extensions["smorest_api"] = api
