"""Scheduled jobs: schedules, one runner per occurrence across schedulers, catch-up after
downtime, outcomes in the database and on the administrator's page."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from core.db import get_engine
from core.errors import StartupError
from core.jobs import JobRun, latest_occurrence, parse_schedule, run_job
from core.scheduler import JobScheduler, start_scheduler
from core.timeutil import SHANGHAI
from inventory.services import catalog
from reports.models import ReadinessSnapshot, Report
from tests.conftest import make_test_app
from tests.factories import make_item, make_network, make_user, receive


def at(*args) -> datetime:
    """A Shanghai wall-clock time as an aware datetime."""
    return datetime(*args, tzinfo=SHANGHAI)


def fixed(moment: datetime):
    return lambda: moment.astimezone(UTC)


def seed(app):
    with app.app_context(), Session(get_engine(app)) as session:
        f = make_network(session)
        item = make_item(session)
        catalog.set_norm(session, f["A"], item, 10, basis="t", source="t")
        receive(session, f["A"], item, 50)
        session.commit()


def runs(app, job=None) -> list[JobRun]:
    with Session(get_engine(app)) as session:
        query = select(JobRun).order_by(JobRun.id)
        if job:
            query = query.where(JobRun.job == job)
        return list(session.exec(query).all())


def test_schedules_parse_and_give_their_latest_occurrence():
    weekly = parse_schedule("mon 07:00")
    assert latest_occurrence(weekly, at(2026, 11, 25, 10, 0)) == at(2026, 11, 23, 7, 0)
    assert latest_occurrence(weekly, at(2026, 11, 23, 7, 0)) == at(2026, 11, 23, 7, 0)
    assert latest_occurrence(weekly, at(2026, 11, 23, 6, 59)) == at(2026, 11, 16, 7, 0)
    daily = parse_schedule("00:30")
    assert latest_occurrence(daily, at(2026, 11, 25, 0, 10)) == at(2026, 11, 24, 0, 30)
    assert latest_occurrence(parse_schedule("mon-fri 06:00"), at(2026, 11, 29, 12)) == at(
        2026, 11, 27, 6, 0
    )
    for bad in ("", "monday 7", "xyz 07:00", "25:00", "mon 07:61"):
        with pytest.raises(ValueError):
            parse_schedule(bad)


def test_a_bad_schedule_stops_the_start_with_one_line(sqlite_url):
    app = make_test_app(sqlite_url, WEEKLY_REPORT_CRON="every monday")
    with pytest.raises(StartupError, match="WEEKLY_REPORT_CRON"):
        JobScheduler(app)
    assert start_scheduler(app) is None  # never in tests (nor CLI commands)
    get_engine(app).dispose()


def test_two_schedulers_run_one_occurrence_once(db_url):
    """Two apps (two engines, as two processes would have) fire the same weekly occurrence
    at the same moment: one generates and archives the report, the other leaves it."""
    first, second = make_test_app(db_url), make_test_app(db_url)
    seed(first)
    clock = fixed(at(2026, 11, 23, 7, 0, 1))
    schedulers = [JobScheduler(app, clock=clock) for app in (first, second)]
    barrier = threading.Barrier(2)
    results = [None, None]

    def fire(n):
        barrier.wait()
        results[n] = schedulers[n].fire("weekly_report")

    threads = [threading.Thread(target=fire, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done = [r for r in results if r is not None]
    assert len(done) == 1 and done[0].outcome == "ok", results
    (run,) = runs(first)
    assert (run.job, run.outcome, run.trigger) == ("weekly_report", "ok", "schedule")
    assert run.scheduled_for.replace(tzinfo=UTC) == at(2026, 11, 23, 7, 0).astimezone(UTC)
    assert run.finished_at is not None and "2026-W47" in run.message
    with Session(get_engine(first)) as session:
        (report,) = session.exec(select(Report)).all()
        assert (report.scope, report.iso_week, report.source) == ("city", "2026-W47", "schedule")
        assert report.generated_by_id is None and report.pdf.startswith(b"%PDF")
    # the same occurrence fired again later (a third worker) does nothing
    assert JobScheduler(second, clock=clock).fire("weekly_report") is None
    assert len(runs(first)) == 1
    for app in (first, second):
        get_engine(app).dispose()


def test_catch_up_runs_each_missed_job_once(sqlite_app):
    seed(sqlite_app)
    # the server ran the weekly report on 16 November, then was down for two weeks and more
    with Session(get_engine(sqlite_app)) as session:
        session.add(
            JobRun(
                job="weekly_report",
                scheduled_for=at(2026, 11, 16, 7, 0).astimezone(UTC),
                outcome="ok",
            )
        )
        session.commit()
    clock = fixed(at(2026, 12, 9, 10, 0))  # a Wednesday: Mondays 23 Nov, 30 Nov, 7 Dec missed
    scheduler = JobScheduler(sqlite_app, clock=clock)
    done = scheduler.catch_up()
    assert sorted((r.job, r.outcome, r.trigger) for r in done) == [
        ("alert_scan", "ok", "catch-up"),
        ("readiness_snapshot", "ok", "catch-up"),
        ("weekly_report", "ok", "catch-up"),
    ]
    weekly = runs(sqlite_app, "weekly_report")
    assert [r.scheduled_for.replace(tzinfo=UTC) for r in weekly] == [
        at(2026, 11, 16, 7, 0).astimezone(UTC),
        at(2026, 12, 7, 7, 0).astimezone(UTC),  # only the latest missed Monday, once
    ]
    (snapshot_run,) = runs(sqlite_app, "readiness_snapshot")
    assert snapshot_run.scheduled_for.replace(tzinfo=UTC) == at(2026, 12, 9, 0, 30).astimezone(UTC)
    with Session(get_engine(sqlite_app)) as session:
        assert session.exec(select(ReadinessSnapshot)).all()  # the city and its county
        (report,) = session.exec(select(Report)).all()
        assert report.iso_week == "2026-W49"  # the week that ended before 7 December
    # started again the same day: nothing is missing any more
    assert JobScheduler(sqlite_app, clock=clock).catch_up() == []
    # a week later the occurrences of the days in between are not replayed, only the latest
    later = JobScheduler(sqlite_app, clock=fixed(at(2026, 12, 12, 9, 0))).catch_up()
    assert sorted(r.job for r in later) == ["alert_scan", "readiness_snapshot"]
    assert len(runs(sqlite_app, "readiness_snapshot")) == 2


def test_outcomes_skipped_and_failed_are_recorded(sqlite_app):
    seed(sqlite_app)
    first = run_job(sqlite_app, "weekly_report", at(2026, 11, 23, 7, 0))
    assert first.outcome == "ok"
    # the schedule moved to 08:00 the same Monday: the week's report exists, skip it
    again = run_job(sqlite_app, "weekly_report", at(2026, 11, 23, 8, 0))
    assert again.outcome == "skipped" and "2026-W47" in again.message
    # a job that meets a broken database fails, is logged, and does not raise
    with Session(get_engine(sqlite_app)) as session:
        session.connection().exec_driver_sql("DROP TABLE alert")
        session.commit()
    failed = run_job(sqlite_app, "alert_scan", at(2026, 11, 23, 6, 0))
    assert failed.outcome == "failed" and "alert" in failed.message
    assert failed.finished_at is not None


def test_administrator_sees_job_runs(sqlite_app):
    seed(sqlite_app)
    run_job(sqlite_app, "readiness_snapshot", at(2026, 11, 23, 0, 30), trigger="catch-up")
    with Session(get_engine(sqlite_app)) as session:
        make_user(session, "root", "admin")
        session.commit()
    client = sqlite_app.test_client()
    client.post("/auth/login", data={"username": "root", "password": "password-123"})
    html = client.get("/admin/jobs").get_data(as_text=True)
    table = html.split('id="job-runs"')[1]
    assert "达标快照" in table and "完成" in table and "停机后补跑" in table
    assert "2026-11-23 00:30" in table
    assert "mon 07:00" in html  # the weekly report's schedule
    filtered = client.get("/admin/jobs?job=alert_scan").get_data(as_text=True)
    assert "暂无运行记录" in filtered


def test_catch_up_reruns_a_run_its_process_never_finished(sqlite_app):
    seed(sqlite_app)
    now = at(2026, 11, 25, 10, 0)
    snapshot_due = at(2026, 11, 25, 0, 30).astimezone(UTC)
    scan_due = at(2026, 11, 25, 6, 0).astimezone(UTC)
    with Session(get_engine(sqlite_app)) as session:
        # the snapshot's process died hours ago; the alert scan started a minute ago elsewhere
        session.add(
            JobRun(
                job="readiness_snapshot",
                scheduled_for=snapshot_due,
                started_at=snapshot_due,
                host="gone",
                pid=1,
            )
        )
        session.add(
            JobRun(
                job="alert_scan",
                scheduled_for=scan_due,
                started_at=now.astimezone(UTC) - timedelta(minutes=1),
                pid=2,
            )
        )
        session.commit()
    done = JobScheduler(sqlite_app, clock=fixed(now)).catch_up()
    assert sorted((r.job, r.outcome, r.trigger) for r in done) == [
        ("readiness_snapshot", "ok", "catch-up"),
        ("weekly_report", "ok", "catch-up"),
    ]
    (snapshot,) = runs(sqlite_app, "readiness_snapshot")
    assert snapshot.outcome == "ok" and snapshot.host != "gone"
    (scan,) = runs(sqlite_app, "alert_scan")
    assert scan.outcome == "running" and scan.pid == 2  # still in its own process's hands
