"""The migrations build exactly the schema the models declare, on both engines."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import app  # noqa: F401  (every table)
from core.db import make_engine
from core.migrate import current_revision, head_revision, upgrade


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    return request.getfixturevalue("pg_schemas").new()


def test_migrated_schema_equals_the_models(empty_url):
    engine = make_engine(empty_url)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_downgrade_to_base_and_up_again(empty_url):
    from alembic import command

    from core.migrate import alembic_config

    engine = make_engine(empty_url)
    upgrade(engine)
    command.downgrade(alembic_config(engine), "base")
    assert "movement" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert "movement" in inspect(engine).get_table_names()
    engine.dispose()
