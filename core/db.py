"""The database: the constraint naming convention, the engine, and the unit of work (one
session per request, or per CLI command and job)."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, SQLModel, create_engine

from core.errors import StartupError

# constraint names shared by every table, so migrations can refer to them on every engine; set
# before any table is declared (each model module imports this module first)
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers work while a clerk writes; foreign keys are off by default in SQLite
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn) -> None:
    # a writing unit of work takes the write lock at BEGIN, so two writers queue on the
    # busy timeout instead of failing when a read lock cannot be upgraded
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


# a pooled PostgreSQL connection idle this long is pinged before use (a restarted server has
# closed it); busy connections are not, so the hot path saves a round trip per request, and a
# server restart under continuous load fails at most one request per worker before SQLAlchemy
# sees the disconnect and replaces the pool's connections
IDLE_PING_SECONDS = 10.0


def _stamp_checkin(_dbapi_connection, record) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
        return
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        dbapi_connection.rollback()
    except Exception as exc:  # the pool replaces the connection and tries another
        raise DisconnectionError(str(exc)) from exc


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create the engine for a database URL, or stop with one clear line."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StartupError(f"DATABASE_URL is malformed: {url!r}") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StartupError(f"DATABASE_URL must be sqlite or postgresql, not {backend!r}")
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs: dict = {"echo": echo}
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        # no pool_pre_ping: it costs a round trip on every checkout; see _ping_if_idle
        kwargs.update(pool_size=10, max_overflow=20)
    try:
        engine = create_engine(parsed, **kwargs)
    except Exception as exc:  # a missing driver, a bad option in the query string
        raise StartupError(f"DATABASE_URL cannot be used: {exc}") from None
    if backend == "postgresql":
        event.listen(engine, "checkin", _stamp_checkin)
        event.listen(engine, "checkout", _ping_if_idle)
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        # let pysqlite leave transaction control to us, then begin immediately
        event.listen(engine, "connect", lambda c, r: setattr(c, "isolation_level", None))
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def init_app(app: Flask) -> None:
    """Attach the engine to the app and close each request's session at teardown."""
    engine = make_engine(app.config["DATABASE_URL"], echo=app.config.get("SQL_ECHO", False))
    app.extensions["db_engine"] = engine
    # built once: an engine with options is a new object, and requests that write use it
    app.extensions["db_writer"] = writer(engine)
    app.teardown_appcontext(close_session)


def get_engine(app: Flask | None = None) -> Engine:
    """The engine of the given app, or of the current one."""
    return (app or current_app).extensions["db_engine"]


def writer(engine: Engine) -> Engine:
    """The engine as used by a unit of work that writes (BEGIN IMMEDIATE on SQLite)."""
    return engine.execution_options(sqlite_begin="IMMEDIATE")


def get_session() -> Session:
    """The request's session, opened on first use; requests that may write begin as writers."""
    if "db_session" not in g:
        extensions = current_app.extensions
        engine = extensions["db_engine"]
        if has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS"):
            engine = extensions["db_writer"]
        g.db_session = Session(engine, expire_on_commit=False)
    return g.db_session


def close_session(exc: BaseException | None = None) -> None:
    """Roll back whatever the request left uncommitted, and close its session."""
    session = g.pop("db_session", None)
    if session is not None:
        if exc is not None:
            session.rollback()
        session.close()


@contextmanager
def committed(session: Session) -> Iterator[Session]:
    """Commit the session when the block ends; roll back (and re-raise) when anything in it
    fails, a refusal included."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def unit_of_work():
    """The request's unit of work, the one way views and API endpoints write (`committed`
    on the request's session). Views catch the DomainError to show it on their form;
    uncaught, it is answered by core/web.py."""
    return committed(get_session())


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A unit of work for CLIs, jobs and seeds, on a session of its own (`committed`)."""
    with Session(writer(engine or get_engine()), expire_on_commit=False) as session:
        with committed(session):
            yield session


_NOTES = "unit_of_work_notes"


def note(session: Session, kind: str, key, value) -> None:
    """Record something this unit of work has read (a query that loads one thing can answer
    for another), for `noted`; every note ends with the session's transaction (commit or
    rollback), so it is never older than the transaction."""
    session.info.setdefault(_NOTES, {}).setdefault(kind, {})[key] = value


def noted(session: Session, kind: str) -> dict:
    """What this unit of work has noted of a kind, by key."""
    return session.info.get(_NOTES, {}).get(kind, {})


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_notes(session, _transaction) -> None:
    session.info.pop(_NOTES, None)


_KEPT = "keep_loaded"


@contextmanager
def within(session: Session, key: str, value) -> Iterator[None]:
    """`session.info[key]` is `value` within the block, and gone after it: how a caller tells
    the code it calls about the block it runs in (see keep_loaded)."""
    session.info[key] = value
    try:
        yield
    finally:
        session.info.pop(key, None)


def keep_loaded(session: Session):
    """Within the block, every object the session loads stays referenced (the identity map
    holds objects weakly), so an answer built afterwards finds them with `session.get`,
    without a query: the API's hot path (inventory/api.py)."""
    return within(session, _KEPT, [])


@event.listens_for(OrmSession, "loaded_as_persistent")
def _keep_loaded(session, instance) -> None:
    kept = session.info.get(_KEPT)
    if kept is not None:
        kept.append(instance)
