"""Append-only tables: database triggers refuse UPDATE and DELETE, on both engines.

Used by the audit log and the ledger: a row, once committed, is the record.
"""

from sqlalchemy import DDL, Table, event


def append_only_ddl(table: str, dialect: str) -> list[str]:
    """The statements that make a table append-only."""
    if dialect == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only'; "
            "END $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_change()",
        ]
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
    ]


def make_append_only(table: Table) -> None:
    """Create the table's append-only triggers whenever the table itself is created."""
    for dialect in ("postgresql", "sqlite"):
        for statement in append_only_ddl(table.name, dialect):
            event.listen(table, "after_create", DDL(statement).execute_if(dialect=dialect))
