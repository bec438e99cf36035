"""Domain errors: what a rule refused, with the HTTP status each kind answers with, and the
JSON shape of every error answer (core/web.py maps them to responses)."""

from http import HTTPStatus

import click


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


def error_body(code: int, message: str, errors: dict | None = None) -> dict:
    """A JSON error in the shape the OpenAPI document declares (flask-smorest's Error):
    `code`, `status` (the HTTP phrase), `message`, and `errors` per location and field."""
    body = {"code": code, "status": HTTPStatus(code).phrase, "message": message}
    if errors:
        body["errors"] = errors
    return body
