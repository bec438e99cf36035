"""Fixtures: an app per test on a fresh database, on SQLite and (when configured) PostgreSQL."""

import os
import sqlite3
import uuid
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from _pytest.nodeid import coerce_node_id
from argon2 import PasswordHasher
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from accounts import passwords
from app import create_app
from core.db import get_engine, make_engine
from seed.demo import load_demo_city

PG_URL = os.environ.get("TEST_DATABASE_URL")

# the production argon2 cost makes every test login take ~100 ms; tests use the cheapest
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


def pytest_configure(config):
    # one screenshot folder per run for the browser journeys (tests/e2e); set here, in the
    # controlling process, so that xdist workers inherit it
    if "E2E_ARTIFACTS_DIR" not in os.environ:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        root = Path(__file__).resolve().parents[1]
        os.environ["E2E_ARTIFACTS_DIR"] = str(root / "test-artifacts" / "e2e" / stamp)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    folder = Path(os.environ["E2E_ARTIFACTS_DIR"])
    if folder.is_dir():
        shots = len(list(folder.rglob("*.png")))
        terminalreporter.write_sep("-", "browser journeys")
        terminalreporter.write_line(f"{shots} screenshots of the journeys' steps in {folder}")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    _keep_xdist_groups(config, items)
    if PG_URL:
        return
    skip = pytest.mark.skip(reason="TEST_DATABASE_URL is not set")
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)


def _keep_xdist_groups(config, items) -> None:
    # pytest-xdist 3.8 tells its loadgroup scheduler an item's group by appending "@group" to
    # item._nodeid, which pytest 9.2 no longer reads (the id is item._id): without this every
    # xdist_group is silently ignored (pytest-xdist issue #1386). Same suffix, on the real id.
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                        for m in item.iter_markers("xdist_group")})  # fmt: skip
        if names and "@" not in item.nodeid.rsplit("]", 1)[-1] and hasattr(item, "_id"):
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(names)}")


class PgSchemas:
    """Throw-away PostgreSQL schemas, so parallel runs and tests never share tables."""

    def __init__(self, url: str):
        self.admin = make_engine(url)
        self.url = url
        self.created: list[str] = []

    def new(self) -> str:
        """A fresh empty schema; returns a database URL whose search_path points at it."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        with self.admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
        self.created.append(name)
        url = make_url(self.url).update_query_dict({"options": f"-csearch_path={name}"})
        return url.render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.admin.begin() as conn:
            for name in self.created:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_schemas():
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    schemas = PgSchemas(PG_URL)
    yield schemas
    schemas.drop_all()


def create_tables(url: str) -> str:
    """Every table, no rows, in the database at url; returns url."""
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def pg_tables_url(pg_schemas):
    """A PostgreSQL schema holding every table, shared by the tests and emptied after each."""
    return create_tables(pg_schemas.new())


def _empty_pg(url: str) -> None:
    engine = make_engine(url)
    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path: Path):
    """A database URL with every table and no rows, on each backend in turn."""
    if request.param == "sqlite":
        yield create_tables(f"sqlite:///{tmp_path / 'test.sqlite3'}")
    else:
        url = request.getfixturevalue("pg_tables_url")
        yield url
        _empty_pg(url)


@pytest.fixture
def sqlite_url(tmp_path: Path):
    """An empty SQLite database with every table, for tests that do not depend on the engine."""
    return create_tables(f"sqlite:///{tmp_path / 'test.sqlite3'}")


def make_test_app(url: str, **overrides):
    """An app in testing mode on the given database."""
    config = {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        **overrides,
    }
    return create_app(config)


def _seed_demo_city(url: str) -> None:
    app = make_test_app(url)
    with app.app_context(), Session(get_engine(app), expire_on_commit=False) as session:
        load_demo_city(session)
        session.commit()
    get_engine(app).dispose()


@pytest.fixture(scope="session")
def demo_city_sqlite(tmp_path_factory) -> Path:
    """The demo city seeded once per worker into a SQLite file that modules copy, never open."""
    path = tmp_path_factory.mktemp("demo-city") / "demo-city.sqlite3"
    _seed_demo_city(create_tables(f"sqlite:///{path}"))
    return path


@contextmanager
def module_app(request, tmp_path_factory, name: str, *, demo_city: bool = False):
    """An app on a database of the module's own, on the backend in request.param (for a
    module-scoped fixture parametrized by backend): every table, and either no rows or the
    seeded demo city (SQLite: a copy of the worker's seeded file; PostgreSQL: seeded anew).
    The module may write to it: no other module reads it."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp(name) / f"{name}.sqlite3"
        url = f"sqlite:///{path}"
        if demo_city:
            source = request.getfixturevalue("demo_city_sqlite")
            with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(path)) as dst:
                src.backup(dst)
        else:
            create_tables(url)
    else:
        url = create_tables(request.getfixturevalue("pg_schemas").new())
        if demo_city:
            _seed_demo_city(url)
    app = make_test_app(url)
    try:
        yield app
    finally:
        get_engine(app).dispose()


@pytest.fixture
def app(db_url):
    """The app on a fresh database (each backend)."""
    app = make_test_app(db_url)
    yield app
    get_engine(app).dispose()


@pytest.fixture
def sqlite_app(sqlite_url):
    """The app on a fresh SQLite database."""
    app = make_test_app(sqlite_url)
    yield app
    get_engine(app).dispose()


@pytest.fixture
def session(app):
    """A session on the app's database; the test commits what it wants kept."""
    with app.app_context(), Session(get_engine(app), expire_on_commit=False) as s:
        yield s


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Log in and out through the real form."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str):
        return self.client.post("/auth/login", data={"username": username, "password": password})

    def logout(self):
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)
