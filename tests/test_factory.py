"""The application factory, its configuration seam, and the start-up checks."""

import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session

from accounts.passwords import DEMO_PASSWORDS
from app import create_app
from core.db import get_engine
from core.errors import StartupError
from core.migrate import upgrade
from core.startup import startup_checks
from tests.conftest import make_test_app
from tests.factories import make_user

ROOT = Path(__file__).resolve().parent.parent


def test_config_mapping_overrides_defaults(sqlite_url):
    app = make_test_app(sqlite_url, BABEL_DEFAULT_LOCALE="en")
    assert app.testing
    assert app.config["BABEL_DEFAULT_LOCALE"] == "en"
    assert app.config["DATABASE_URL"] == sqlite_url


def test_default_locale_is_chinese(sqlite_url):
    assert make_test_app(sqlite_url).config["BABEL_DEFAULT_LOCALE"] == "zh_CN"


@pytest.mark.parametrize(
    "url, message",
    [
        ("not a url", "DATABASE_URL is malformed"),
        ("mysql://root@localhost/x", "must be sqlite or postgresql"),
        ("postgresql+nosuchdriver://u@h/d", "cannot be used"),
    ],
)
def test_bad_database_url_stops_with_one_line(url, message):
    with pytest.raises(StartupError) as excinfo:
        create_app({"DATABASE_URL": url, "TESTING": True})
    assert message in excinfo.value.message
    assert "\n" not in excinfo.value.message


def test_production_needs_its_own_secret(sqlite_url):
    with pytest.raises(StartupError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": sqlite_url, "APP_ENV": "production"})


def test_unreachable_database_stops_with_one_line():
    app = create_app({"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/nothing", "TESTING": True})
    with pytest.raises(StartupError) as excinfo:
        startup_checks(app)
    assert excinfo.value.message.startswith("cannot reach the database at")
    assert "\n" not in excinfo.value.message


def test_schema_behind_migrations_stops(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}", "TESTING": True})
    with pytest.raises(StartupError, match="run 'flask --app app db upgrade'"):
        startup_checks(app)


def test_migrated_database_passes_checks(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "TESTING": True})
    upgrade(get_engine(app))
    startup_checks(app)  # raises on failure


def _production_app(tmp_path):
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
            "APP_ENV": "production",
            "SECRET_KEY": "a-real-production-secret",
        }
    )
    upgrade(get_engine(app))
    return app


def test_production_refuses_demo_passwords(tmp_path):
    app = _production_app(tmp_path)
    with Session(get_engine(app)) as session, app.app_context():
        make_user(session, "dispatcher", "dispatcher", password=DEMO_PASSWORDS["dispatcher"])
        session.commit()
    with pytest.raises(StartupError, match="demo passwords are set for dispatcher"):
        startup_checks(app)


def test_production_starts_once_demo_passwords_are_changed(tmp_path):
    app = _production_app(tmp_path)
    with Session(get_engine(app)) as session, app.app_context():
        make_user(session, "dispatcher", "dispatcher", password="a-strong-real-password")
        session.commit()
    startup_checks(app)


def test_cli_prints_one_line_for_a_malformed_url():
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "serve"],
        cwd=ROOT,
        env={"DATABASE_URL": "::nonsense::", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == ["Error: DATABASE_URL is malformed: '::nonsense::'"]


def test_cli_prints_one_line_for_an_unreachable_database():
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "serve"],
        cwd=ROOT,
        env={"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/x", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot reach the database")
