"""Alembic migrations: applying them, and refusing to serve a schema behind them."""

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from core.config import BASE_DIR
from core.errors import StartupError

MIGRATIONS_DIR = BASE_DIR / "migrations"


def alembic_config(engine: Engine) -> AlembicConfig:
    """An Alembic config that runs on this engine (see migrations/env.py)."""
    config = AlembicConfig(str(BASE_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the migrations up to `revision`."""
    command.upgrade(alembic_config(engine), revision)


def head_revision() -> str:
    """The newest migration in migrations/versions."""
    return ScriptDirectory.from_config(alembic_config(None)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_database(engine: Engine) -> None:
    """Stop with one clear line when the database is unreachable or behind the migrations."""
    url = engine.url.render_as_string(hide_password=True)
    try:
        current = current_revision(engine)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StartupError(f"cannot reach the database at {url}: {reason}") from None
    except SQLAlchemyError as exc:
        raise StartupError(f"cannot read the database at {url}: {exc}") from None
    head = head_revision()
    if current != head:
        raise StartupError(
            f"the database schema is at {current or 'nothing'}, the code needs {head}: "
            "run 'flask --app app db upgrade' (make run does it)"
        )
