"""Translated names of the domain's fixed vocabularies, for pages and reports."""

from flask import Flask
from flask_babel import lazy_gettext as _l

TIERS = {
    "province": _l("Province"),
    "city": _l("City"),
    "county": _l("County"),
    "township": _l("Township"),
}
ROLES = {
    "clerk": _l("Warehouse clerk"),
    "dispatcher": _l("Dispatcher"),
    "viewer": _l("Viewer"),
    "admin": _l("Administrator"),
}
CATEGORIES = {
    "protection": _l("Protection"),
    "testing": _l("Testing"),
    "disinfection": _l("Disinfection"),
    "drugs": _l("Drugs"),
    "equipment": _l("Treatment equipment"),
}


def init_app(app: Flask) -> None:
    """Make the label functions available in every template."""
    app.jinja_env.globals.update(
        tier_label=lambda code: str(TIERS.get(code, code)),
        role_label=lambda code: str(ROLES.get(code, code)),
        category_label=lambda code: str(CATEGORIES.get(code, code)),
    )
