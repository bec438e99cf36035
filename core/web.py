"""What every response gets: errors answered as JSON or HTML, and the security headers."""

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFProtect

from core.db import close_session
from core.errors import DomainError, error_body
from core.fields import NOTE_MAX, SHORT_NOTE_MAX

# every form of the pages carries a token; the API (token-authenticated) is exempt
csrf = CSRFProtect()
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    """Protect forms from cross-site requests, answer errors in the client's format and add
    the security headers."""
    csrf.init_app(app)
    # the forms' maxlength attributes are the same limits the services check
    app.jinja_env.globals.update(NOTE_MAX=NOTE_MAX, SHORT_NOTE_MAX=SHORT_NOTE_MAX)
    register_error_handlers(app)
    register_security_headers(app)


def wants_json() -> bool:
    """True for the JSON API and for clients that prefer JSON."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json"


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
        # the failed transaction goes before the error page renders (it may read the user)
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


def register_security_headers(app: Flask) -> None:
    """Headers that keep pages from being framed, sniffed or fed foreign scripts."""

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
