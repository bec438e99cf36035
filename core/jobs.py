"""The job runner: scheduled jobs, each occurrence run once across processes, and its log.

The domain packages bring the jobs (their jobs.py: a JOBS tuple of JobSpec); the app registers
them (register_jobs). Each occurrence of a job (its name and the time it was scheduled for)
runs at most once, in whichever process first commits its JobRun row: the unique (job,
scheduled_for) constraint is the lock, and it holds across processes on SQLite and PostgreSQL
alike. The same row records the outcome (ok, failed, skipped) for the administrator.
"""

import logging
import os
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from flask import Flask
from sqlalchemy import Column, DateTime, String, Text, UniqueConstraint, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, select

from core import db
from core.audit import current_source
from core.timeutil import SHANGHAI, as_utc, utcnow

logger = logging.getLogger(__name__)

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPEC = re.compile(r"^(?:(?P<days>[a-z,\-*]+)\s+)?(?P<hour>\d{1,2}):(?P<minute>\d{2})$")


class Skipped(Exception):
    """The job found its work already done; the message says why."""


def parse_schedule(spec: str) -> CronTrigger:
    """'mon 07:00' (weekly), 'mon-fri 06:30' or '00:30' (daily), in Asia/Shanghai."""
    match = _SPEC.match((spec or "").strip().lower())
    if not match:
        raise ValueError(f"not a schedule like 'mon 07:00' or '00:30': {spec!r}")
    days = match["days"] or "*"
    for part in re.split(r"[,\-]", days):
        if part != "*" and part not in DAYS:
            raise ValueError(f"unknown day {part!r} in schedule {spec!r}")
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        raise ValueError(f"no such time of day in schedule {spec!r}")
    return CronTrigger(day_of_week=days, hour=hour, minute=minute, timezone=SHANGHAI)


def latest_occurrence(trigger: CronTrigger, now: datetime, lookback_days: int = 8):
    """The last time the trigger fired at or before `now` (None if not within the lookback)."""
    now = now.astimezone(SHANGHAI)
    fire = trigger.get_next_fire_time(None, now - timedelta(days=lookback_days))
    latest = None
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return latest


def _time(nullable: bool = True, index: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


class JobOutcome:
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"


class JobRun(SQLModel, table=True):
    """One occurrence of a scheduled job, claimed by exactly one process.

    The unique (job, scheduled_for) is the lock: the process whose insert commits runs the
    occurrence; every other process sees the conflict and leaves it alone.
    """

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "scheduled_for"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(sa_column=Column(String(32), nullable=False))
    scheduled_for: datetime = Field(sa_column=_time(False, index=True))
    started_at: datetime = Field(default_factory=utcnow, sa_column=_time(False))
    finished_at: datetime | None = Field(default=None, sa_column=_time())
    # running, ok, failed, skipped
    outcome: str = Field(default=JobOutcome.RUNNING, sa_column=Column(String(8), nullable=False))
    # "manual" runs (from the command line) and catch-up runs are marked as such
    trigger: str = Field(default="schedule", sa_column=Column(String(16), nullable=False))
    message: str = Field(default="", sa_column=Column(Text, nullable=False))
    host: str = Field(default="", max_length=64)
    pid: int = 0


@dataclass(frozen=True)
class JobSpec:
    """A job: its name, the setting holding its schedule, and what it does (it takes a
    session and its occurrence, and returns a message or raises Skipped)."""

    name: str
    config_key: str
    run: Callable[[Session, datetime], str]


def register_jobs(app: Flask, specs) -> None:
    """Make these jobs the app's: the scheduler, the CLI and the admin page use them."""
    app.extensions["jobs"] = {spec.name: spec for spec in specs}


def registered_jobs(app: Flask) -> dict[str, JobSpec]:
    """The app's jobs by name, in the order they were registered."""
    return app.extensions.get("jobs", {})


def claim(engine, name: str, occurrence: datetime, trigger: str) -> JobRun | None:
    """Insert the occurrence's JobRun; None when another process already holds it."""
    run = JobRun(
        job=name,
        scheduled_for=as_utc(occurrence),
        started_at=utcnow(),
        trigger=trigger,
        host=socket.gethostname()[:64],
        pid=os.getpid(),
    )
    with Session(db.writer(engine), expire_on_commit=False) as session:
        session.add(run)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            logger.info("Job %s for %s is run by another process", name, occurrence)
            return None
    return run


# a run still "running" after this long lost its process (killed, crashed, server stopped)
STALE_AFTER = timedelta(hours=1)


def reclaim_stale(engine, name: str, occurrence: datetime, now: datetime) -> JobRun | None:
    """Take over an occurrence whose run was left "running" by a process that died: one
    atomic UPDATE, so of several processes starting at once only one reclaims it."""
    with Session(db.writer(engine), expire_on_commit=False) as session:
        result = session.execute(
            update(JobRun)
            .where(
                JobRun.job == name,
                JobRun.scheduled_for == as_utc(occurrence),
                JobRun.outcome == JobOutcome.RUNNING,
                JobRun.started_at < as_utc(now) - STALE_AFTER,
            )
            .values(
                started_at=utcnow(),
                trigger="catch-up",
                message="",
                host=socket.gethostname()[:64],
                pid=os.getpid(),
            )
        )
        session.commit()
        if result.rowcount != 1:
            return None
        return session.exec(
            select(JobRun).where(JobRun.job == name, JobRun.scheduled_for == as_utc(occurrence))
        ).one()


def run_job(
    app: Flask, name: str, occurrence: datetime, *, trigger: str = "schedule"
) -> JobRun | None:
    """Run one occurrence of a job unless another process has claimed it; log its outcome."""
    run = claim(db.get_engine(app), name, occurrence, trigger)
    return None if run is None else execute(app, run)


def execute(app: Flask, run: JobRun) -> JobRun:
    """Run a claimed occurrence and record how it ended."""
    engine = db.get_engine(app)
    name, occurrence = run.job, run.scheduled_for
    spec = registered_jobs(app)[name]
    token = current_source.set("job")
    try:
        with app.app_context():
            with db.session_scope(engine) as session:
                message = spec.run(session, as_utc(occurrence))
        outcome = JobOutcome.OK
    except Skipped as exc:
        outcome, message = JobOutcome.SKIPPED, str(exc)
    except Exception as exc:  # a failed job is logged and shown, never kills the scheduler
        logger.exception("Job %s for %s failed", name, occurrence)
        outcome, message = JobOutcome.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
    finally:
        current_source.reset(token)
    with Session(db.writer(engine), expire_on_commit=False) as session:
        stored = session.get(JobRun, run.id)
        stored.outcome, stored.message, stored.finished_at = outcome, message, utcnow()
        session.add(stored)
        session.commit()
        logger.info("Job %s for %s: %s %s", name, occurrence, outcome, message)
        return stored


def has_run(engine, name: str, occurrence: datetime) -> bool:
    with Session(engine) as session:
        return (
            session.exec(
                select(JobRun.id).where(
                    JobRun.job == name, JobRun.scheduled_for == as_utc(occurrence)
                )
            ).first()
            is not None
        )


def recent_runs(session: Session, *, job: str | None = None, limit: int = 200) -> list[JobRun]:
    """Job runs, newest first."""
    query = select(JobRun)
    if job:
        query = query.where(JobRun.job == job)
    return list(
        session.exec(query.order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit))
    )
