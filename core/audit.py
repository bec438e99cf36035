"""The audit log: who changed what, when, with the values before and after.

Every ORM write (insert, update, delete) of an audited table is recorded by a session hook in
the same transaction, so an entry exists exactly when the change was committed. The ledger
(movements) is its own audit trail: each row already carries its user, time, quantity and the
balance after it, and balances only change with a ledger row. Both the audit log and the
ledger are append-only, enforced by database triggers (core/append_only.py).

Who acts is a context variable: each request sets it (init_app), as do CLI commands and jobs.
"""

import json
import logging
from contextvars import ContextVar
from datetime import date, datetime
from enum import Enum

from flask import Flask, request
from flask_login import current_user
from sqlalchemy import Column, DateTime, Text, event, insert, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, SQLModel, select

import core.db  # noqa: F401  (the constraint naming convention)
from core.append_only import make_append_only
from core.timeutil import utcnow

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


make_append_only(AuditEntry.__table__)


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


def init_app(app: Flask) -> None:
    """Tell the audit log who acts in each request (and that CLI commands are the CLI)."""

    @app.before_request
    def set_actor() -> None:
        # a thread serves many requests: forget the previous request's actor first
        current_actor.set(None)
        if request.path.startswith("/api/"):
            # token requests: the API's authentication sets the actor; the session cookie
            # (and Flask-Login's user loading) plays no part in them
            current_source.set("api")
            return
        if current_user.is_authenticated:
            current_actor.set(current_user.id)
        current_source.set("web")

    @app.teardown_request
    def clear_actor(_exc=None) -> None:
        current_actor.set(None)

    # outside requests (CLI commands run in the creating context) the source is the CLI
    current_source.set("cli")
