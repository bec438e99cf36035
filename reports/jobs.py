"""The reports' scheduled jobs: the weekly report and the daily readiness snapshot."""

from datetime import datetime

from sqlmodel import Session, select

from core import db
from core.jobs import JobSpec, Skipped
from core.timeutil import SHANGHAI, local_today, utcnow
from reports.archive import render_weekly, store
from reports.models import Report
from reports.snapshots import take_snapshots
from reports.weeks import last_complete_week


def weekly_report_job(session: Session, occurrence: datetime) -> str:
    """Generate and archive the city's report for the week that ended before the occurrence."""
    week = last_complete_week(occurrence.astimezone(SHANGHAI).date())
    done = session.exec(
        select(Report.id).where(
            Report.iso_week == week.label, Report.scope == "city", Report.source == "schedule"
        )
    ).first()
    if done is not None:
        raise Skipped(f"the city's report for {week.label} is already archived (#{done})")
    # draw the PDF on a reading session: no write lock is held while it renders
    with Session(db.get_engine()) as reader:
        generated = render_weekly(reader, week, now=utcnow())
    row = store(session, generated, user_id=None, source="schedule")
    return f"report #{row.id}: {week.label}, {row.pages} pages, {row.size:,} bytes"


def snapshot_job(session: Session, occurrence: datetime) -> str:
    """Take today's readiness snapshot of the city and of each county."""
    day = local_today()
    return f"{take_snapshots(session, day=day)} scopes on {day}"


JOBS = (
    JobSpec("weekly_report", "WEEKLY_REPORT_CRON", weekly_report_job),
    JobSpec("readiness_snapshot", "SNAPSHOT_CRON", snapshot_job),
)
