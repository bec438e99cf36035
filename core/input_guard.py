"""The one rule for text that users send: no control characters but tab and line breaks.

Text is otherwise stored exactly as typed (HTML, quotes, SQL, any script, emoji) and escaped
where it is shown. Control characters are refused because PostgreSQL cannot store NUL, a
lone surrogate cannot be encoded at all, and escape sequences or C1 controls in a note only
ever serve to confuse a terminal or a log reader. The check runs once per request, before any
view, on the path, the query string, form fields, the JSON body and the idempotency key, so
every form and API endpoint (present and future) follows it; the answer is 422 naming the
offending fields, and nothing is stored.
"""

import re

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _

from core.errors import error_body

# C0 controls except \t \n \r, DEL, C1 controls, and UTF-16 surrogates (which only reach us
# as JSON escapes like "\ud800" and cannot be encoded)
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
CHECKED_HEADERS = ("Idempotency-Key",)
# an API body larger than this is refused with 413 (the largest legitimate one, a count of
# 1,000 lots, is about 100 kB); pages keep MAX_CONTENT_LENGTH for spreadsheet uploads
MAX_API_BYTES = 1024 * 1024


def is_plain_text(value: str) -> bool:
    """True when the text holds no forbidden control character."""
    return FORBIDDEN.search(value) is None


def _may_hold_forbidden(raw_json: str) -> bool:
    """False when no string in this JSON text can hold a forbidden character: those reach us
    raw (DEL, C1) or as \\u escapes (C0, surrogates; raw C0 is not valid JSON). The usual body
    is thus checked with one scan instead of a walk through the parsed value."""
    return "\\u" in raw_json or FORBIDDEN.search(raw_json) is not None


def _strings(value, path: str):
    """Every (field path, string) in a JSON value, keys included."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            name = f"{path}.{key}" if path else str(key)
            yield name, str(key)
            yield from _strings(inner, name)
    elif isinstance(value, list):
        for n, inner in enumerate(value):
            yield from _strings(inner, f"{path}.{n}" if path else str(n))


def offending_fields(req) -> dict[str, list[str]]:
    """The request's fields holding a forbidden character, by location (as flask-smorest
    reports validation errors: path, query, form, json, headers)."""
    found: dict[str, dict[str, list[str]]] = {}

    def flag(location: str, field: str) -> None:
        # translated only when needed: most requests carry nothing to refuse
        message = _("Control characters are not allowed (only tab and line breaks).")
        found.setdefault(location, {})[field or "_body"] = [message]

    if not is_plain_text(req.path):
        flag("path", "path")
    for key, value in req.args.items(multi=True):
        if not (is_plain_text(key) and is_plain_text(value)):
            flag("query", key)
    if req.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in req.form.items(multi=True):
            if not (is_plain_text(key) and is_plain_text(value)):
                flag("form", key)
    elif req.is_json and _may_hold_forbidden(req.get_data(as_text=True)):
        body = req.get_json(silent=True)
        for field, value in _strings(body, ""):
            if not is_plain_text(value):
                flag("json", field.split(".", 1)[0])
    for header in CHECKED_HEADERS:
        value = req.headers.get(header)
        if value is not None and not is_plain_text(value):
            flag("headers", header)
    return found


def init_app(app: Flask) -> None:
    """Limit API bodies, and refuse, before any view runs, a request carrying forbidden
    characters."""

    @app.before_request
    def limit_bodies() -> None:
        # multipart text fields are limited by MAX_FORM_MEMORY_SIZE in Werkzeug; a
        # url-encoded form is all text, so the same limit applies to its whole body
        if request.path.startswith("/api/"):
            limit = app.config.get("MAX_API_CONTENT_LENGTH", MAX_API_BYTES)
        elif request.mimetype == "application/x-www-form-urlencoded":
            limit = app.config.get("MAX_FORM_MEMORY_SIZE") or MAX_API_BYTES
        else:
            return
        request.max_content_length = min(limit, request.max_content_length or limit)

    @app.before_request
    def refuse_control_characters():
        found = offending_fields(request)
        if not found:
            return None
        message = _("Control characters are not allowed (only tab and line breaks).")
        if request.path.startswith("/api/"):
            return jsonify(error_body(422, message, found)), 422
        fields = sorted({field for by_field in found.values() for field in by_field})
        return render_template("error.html", code=422, message=message, fields=fields), 422
