"""Domain errors, and their mapping to HTTP in one place."""

from http import HTTPStatus

import click
from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _


class StartupError(click.ClickException):
    """The app cannot start; the message is one line a person can act on."""


class DomainError(Exception):
    """A business rule refused the request; the message is shown to the user."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})
        if field:
            self.fields.setdefault(field, message)


class ValidationError(DomainError):
    """Input that breaks a rule: a field message per bad field."""

    status_code = 422


class NotFound(DomainError):
    """The object asked for does not exist."""

    status_code = 404


class Forbidden(DomainError):
    """The acting user may not do this here."""

    status_code = 403


class Conflict(DomainError):
    """The request clashes with the current state (stock, status, a duplicate)."""

    status_code = 409


def wants_json() -> bool:
    """True for the JSON API and for clients that prefer JSON."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json"


def error_body(code: int, message: str, errors: dict | None = None) -> dict:
    """A JSON error in the shape the OpenAPI document declares (flask-smorest's Error):
    `code`, `status` (the HTTP phrase), `message`, and `errors` per location and field."""
    body = {"code": code, "status": HTTPStatus(code).phrase, "message": message}
    if errors:
        body["errors"] = errors
    return body


def register_error_handlers(app: Flask) -> None:
    """Answer domain errors and HTTP errors as JSON or HTML."""

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if wants_json():
            errors = {"json": exc.fields} if exc.fields else None
            return jsonify(error_body(exc.status_code, exc.message, errors)), exc.status_code
        return (
            render_template("error.html", code=exc.status_code, message=exc.message),
            exc.status_code,
        )

    for code in (400, 401, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, _http_error)


def _http_error(exc):
    code = getattr(exc, "code", 500) or 500
    if code == 500:
        from db import close_session

        close_session(exc)
    messages = {
        400: _("The request could not be understood."),
        401: _("Please log in."),
        403: _("You are not allowed to do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        413: _("The request is too large."),
        429: _("Too many requests; please wait a moment."),
        500: _("Something went wrong on our side; nothing was saved."),
    }
    message = messages.get(code, str(exc))
    if wants_json():
        # flask-smorest's abort(code, message=..., errors=...) carries its own details
        data = getattr(exc, "data", None) or {}
        body = error_body(code, data.get("message") or message, data.get("errors"))
        return jsonify(body), code
    return render_template("error.html", code=code, message=message), code
