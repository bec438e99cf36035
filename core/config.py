"""Application settings, read from the environment with a default for each."""

import os
from pathlib import Path

# the project root: core/ sits directly in it
BASE_DIR = Path(__file__).resolve().parent.parent


class Config:
    """Defaults for a local, single-server installation on SQLite."""

    # "development" or "production"; production refuses demo passwords and insecure secrets
    APP_ENV = os.environ.get("APP_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-secret-change-me"
    DATABASE_URL = os.environ.get("DATABASE_URL") or (
        f"sqlite:///{BASE_DIR / 'instance' / 'reserves.sqlite3'}"
    )
    # log lines: "text" (readable) or "json" (one object per line, for log collectors)
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    # echo SQL to the log; useful when looking at query counts
    SQL_ECHO = os.environ.get("SQL_ECHO", "") == "1"

    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = ("zh_CN", "en")

    # scheduled jobs run in web servers (flask serve, gunicorn via wsgi.py), never in tests or
    # CLI commands; times are Asia/Shanghai: "mon 07:00" weekly, "00:30" daily
    SCHEDULER_ENABLED = os.environ.get("SCHEDULER_ENABLED", "1") not in ("0", "false", "no")
    WEEKLY_REPORT_CRON = os.environ.get("WEEKLY_REPORT_CRON", "mon 07:00")
    SNAPSHOT_CRON = os.environ.get("SNAPSHOT_CRON", "00:30")
    ALERT_SCAN_CRON = os.environ.get("ALERT_SCAN_CRON", "06:00")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    # request size limits, answered with 413: a whole request (spreadsheet uploads are the
    # largest), the text fields of one form together, the number of form fields and files,
    # and a JSON API body
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 256 * 1024
    MAX_FORM_PARTS = 1000
    MAX_API_CONTENT_LENGTH = 1024 * 1024
    TESTING = False


class ProductionConfig(Config):
    """Settings for a real deployment behind HTTPS."""

    APP_ENV = "production"
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


def config_for_env() -> type[Config]:
    """The config class that APP_ENV selects."""
    return ProductionConfig if os.environ.get("APP_ENV") == "production" else Config
