"""Translated names of the domain's fixed vocabularies, for pages and reports."""

from datetime import datetime

from flask import Flask
from flask_babel import lazy_gettext as _l

from timeutil import SHANGHAI, as_utc, utcnow

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
# column headers of the readiness matrices: short, the full name in the header's title
CATEGORIES_SHORT = {
    "protection": _l("PPE"),
    "testing": _l("Tests"),
    "disinfection": _l("Disinf."),
    "drugs": _l("Drugs"),
    "equipment": _l("Equip."),
}
KINDS = {
    "receipt": _l("Receipt"),
    "issue": _l("Issue"),
    "transfer_out": _l("Transfer out"),
    "transfer_in": _l("Transfer in"),
    "adjustment": _l("Adjustment"),
    "count": _l("Stock count"),
    "reversal": _l("Reversal"),
}
REASONS = {
    "purchase": _l("Purchase"),
    "donation": _l("Donation"),
    "agreement": _l("From agreement stock"),
    "order": _l("Allocation order"),
    "return": _l("Returned by an institution"),
    "opening": _l("Opening stock"),
    "damaged": _l("Damaged"),
    "expired": _l("Expired (disposal)"),
    "lost": _l("Lost"),
    "found": _l("Found"),
}
STATUSES = {
    "stock_out": _l("Stock-out"),
    "red": _l("Below the physical target"),
    "amber": _l("Below the all-forms target"),
    "yellow": _l("Below the long target"),
    "green": _l("All targets met"),
    "no_norm": _l("No norm"),
    "not_used": _l("Not used"),
}
ALERTS = {
    "stock_out": _l("Stock-out"),
    "below_target": _l("Below the physical target"),
    "expiring": _l("Expiring"),
    "above_norm": _l("Use above the norm"),
}
JOBS = {
    "weekly_report": _l("Weekly report"),
    "readiness_snapshot": _l("Readiness snapshot"),
    "alert_scan": _l("Alert scan"),
}
OUTCOMES = {
    "running": _l("Running"),
    "ok": _l("Done"),
    "failed": _l("Failed"),
    "skipped": _l("Skipped"),
}
TRIGGERS = {
    "schedule": _l("On schedule"),
    "catch-up": _l("Catch-up after downtime"),
    "manual": _l("Started by hand"),
}


def datetime_local(value: datetime | None) -> str:
    """A stored time as Shanghai wall-clock time, to the minute."""
    if value is None:
        return ""
    return as_utc(value).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def init_app(app: Flask) -> None:
    """Make the label functions available in every template."""
    app.jinja_env.globals.update(
        tier_label=lambda code: str(TIERS.get(code, code)),
        role_label=lambda code: str(ROLES.get(code, code)),
        category_label=lambda code: str(CATEGORIES.get(code, code)),
        category_short=lambda code: str(CATEGORIES_SHORT.get(code, CATEGORIES.get(code, code))),
        kind_label=lambda code: str(KINDS.get(code, code)),
        reason_label=lambda code: str(REASONS.get(code, code)),
        status_label=lambda code: str(STATUSES.get(code, code)),
        alert_label=lambda code: str(ALERTS.get(code, code)),
        job_label=lambda code: str(JOBS.get(code, code)),
        outcome_label=lambda code: str(OUTCOMES.get(code, code)),
        trigger_label=lambda code: str(TRIGGERS.get(code, code)),
        now_local=lambda: datetime_local(utcnow()),
    )
    app.jinja_env.filters["datetime_local"] = datetime_local
