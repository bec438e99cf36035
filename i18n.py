"""Languages: Chinese by default, English on request; times in Asia/Shanghai."""

from functools import cache

from babel import Locale
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import Babel, get_locale

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


def init_app(app: Flask) -> None:
    """Wire Flask-Babel and expose the language to templates."""
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["place_name"] = localized_name

    @app.context_processor
    def language_context():
        lang = current_language()
        return {"lang": lang, "is_en": lang.startswith("en")}
