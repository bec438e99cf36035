"""The audit log: who changed what, when, with the values before and after.

Every ORM write (insert, update, delete) of an audited table is recorded by a session hook in
the same transaction, so an entry exists exactly when the change was committed. The ledger
(movements) is its own audit trail: each row already carries its user, time, quantity and the
balance after it, and balances only change with a ledger row. Both the audit log and the
ledger are append-only, enforced by database triggers.
"""

import json
import logging
from contextvars import ContextVar
from datetime import date, datetime
from enum import Enum

from sqlalchemy import DDL, Column, DateTime, Text, event, insert, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, SQLModel, select

import naming  # noqa: F401  (constraint names)
from timeutil import utcnow

logger = logging.getLogger(__name__)

# the acting user's id for the current request, CLI command or job (None: the system)
current_actor: ContextVar[int | None] = ContextVar("current_actor", default=None)
current_source: ContextVar[str] = ContextVar("current_source", default="system")

# job runs are their own log; snapshots are figures derived from the balances
NOT_AUDITED = {"audit_entry", "movement", "balance", "job_run", "readiness_snapshot"}
SECRET_COLUMNS = {"password_hash", "token_hash"}


class AuditEntry(SQLModel, table=True):
    """One change of one row."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(
        default_factory=utcnow,
        sa_column=Column(DateTime(timezone=True), nullable=False, index=True),
    )
    user_id: int | None = Field(default=None, index=True)
    # web, api, cli, job, system
    source: str = Field(default="system", max_length=16)
    action: str = Field(max_length=8)
    table_name: str = Field(max_length=40, index=True)
    row_id: str = Field(max_length=40)
    before: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    after: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):  # an archived PDF: its size, not its content
        return f"<{len(value)} bytes>"
    return value


def _values(obj, *, before: bool) -> dict:
    state = inspect(obj)
    values = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in SECRET_COLUMNS:
            values[key] = "***"
            continue
        if before:
            history = state.attrs[key].history
            if history.deleted:
                values[key] = _plain(history.deleted[0])
            elif history.unchanged:
                values[key] = _plain(history.unchanged[0])
            else:
                values[key] = None
        else:
            values[key] = _plain(getattr(obj, key, None))
    return values


def _changed(obj) -> bool:
    state = inspect(obj)
    return any(state.attrs[a.key].history.has_changes() for a in state.mapper.column_attrs)


def _row_id(obj) -> str:
    identity = inspect(obj).identity
    return ",".join(str(v) for v in identity) if identity else ""


def _record(session: OrmSession, flush_context) -> None:
    rows = []
    actor, source, now = current_actor.get(), current_source.get(), utcnow()
    for obj, action in (
        *((o, "insert") for o in session.new),
        *((o, "update") for o in session.dirty),
        *((o, "delete") for o in session.deleted),
    ):
        table = getattr(obj, "__tablename__", None)
        if table is None or table in NOT_AUDITED:
            continue
        if action == "update" and not _changed(obj):
            continue
        before = None if action == "insert" else _values(obj, before=True)
        after = None if action == "delete" else _values(obj, before=False)
        if before and after:
            changed = {k for k in after if before.get(k) != after.get(k)}
            before = {k: v for k, v in before.items() if k in changed or k == "id"}
            after = {k: v for k, v in after.items() if k in changed or k == "id"}
        rows.append(
            {
                "at": now,
                "user_id": actor,
                "source": source,
                "action": action,
                "table_name": table,
                "row_id": _row_id(obj),
                "before": json.dumps(before, ensure_ascii=False, default=str) if before else None,
                "after": json.dumps(after, ensure_ascii=False, default=str) if after else None,
            }
        )
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)


event.listen(OrmSession, "after_flush", _record)

# append-only: refuse UPDATE and DELETE on the audit log and the ledger, on both engines
_APPEND_ONLY = ("audit_entry", "movement")


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


def _attach_triggers() -> None:
    for name in _APPEND_ONLY:
        table = SQLModel.metadata.tables.get(name)
        if table is None:
            continue
        for dialect in ("postgresql", "sqlite"):
            for statement in append_only_ddl(name, dialect):
                event.listen(table, "after_create", DDL(statement).execute_if(dialect=dialect))


def entries(
    session: Session,
    *,
    table: str | None = None,
    user_id: int | None = None,
    row_id: str | None = None,
    limit: int = 200,
    before_id: int | None = None,
):
    """Audit entries, newest first, filtered."""
    query = select(AuditEntry)
    if table:
        query = query.where(AuditEntry.table_name == table)
    if user_id:
        query = query.where(AuditEntry.user_id == user_id)
    if row_id:
        query = query.where(AuditEntry.row_id == row_id)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    return session.exec(query.order_by(AuditEntry.id.desc()).limit(limit)).all()
