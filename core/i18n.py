"""Languages: Chinese by default, English on request; times in Asia/Shanghai; the translated
names of the domain's fixed vocabularies, for pages and reports."""

from datetime import datetime
from functools import cache

from babel import Locale
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import Babel, get_locale
from flask_babel import lazy_gettext as _l

from core.timeutil import SHANGHAI, as_utc, utcnow

babel = Babel()


@cache
def _locale(identifier: str) -> Locale:
    # Flask-Babel parses the selector's answer on every request unless it is a Locale already,
    # and Babel's parsing scans every known locale name: a third of a millisecond each time
    return Locale.parse(identifier)


def select_locale() -> Locale:
    """The user's chosen language (kept in the session), else what the browser prefers."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and jobs speak the default language
        return _locale(current_app.config["BABEL_DEFAULT_LOCALE"])
    chosen = session.get("lang")
    if chosen in languages:
        return _locale(chosen)
    if request.args.get("lang") in languages:
        return _locale(request.args["lang"])
    # an explicit English browser gets English; everything else gets the default, Chinese
    best = request.accept_languages.best_match(["zh", "zh-CN", "en"])
    return _locale("en" if best == "en" else current_app.config["BABEL_DEFAULT_LOCALE"])


def current_language() -> str:
    """'zh_CN' or 'en', for picking the name columns of data."""
    return str(get_locale() or "zh_CN")


def localized_name(place, lang: str | None = None) -> str:
    """A depot's or region's name in the language (the current one unless given): the
    English name in English where one is recorded, else the Chinese name."""
    lang = lang or current_language()
    name_en = getattr(place, "name_en", "") or ""
    return name_en if lang.startswith("en") and name_en else place.name


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
    """Wire Flask-Babel; expose the language and the label functions to templates."""
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["place_name"] = localized_name

    @app.context_processor
    def language_context():
        lang = current_language()
        return {"lang": lang, "is_en": lang.startswith("en")}

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
