"""Alembic environment: the engine comes from the app (core/migrate.py) or DATABASE_URL."""

import os
from logging.config import fileConfig

from alembic import context
from sqlmodel import SQLModel

import app  # noqa: F401  (the app imports every table onto SQLModel.metadata)
from core.config import Config
from core.db import make_engine

config = context.config
if config.config_file_name and not config.attributes.get("engine"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    """Run the migrations on the app's engine, in one transaction."""
    engine = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(os.environ.get("DATABASE_URL") or Config.DATABASE_URL)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite cannot ALTER most things: rebuild tables in batch mode
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; give the app a database")
run_migrations_online()
