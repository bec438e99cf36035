"""The background scheduler (APScheduler) that runs the app's registered jobs (core/jobs.py).

Every web process (each gunicorn worker, `flask serve`) starts one when SCHEDULER_ENABLED is
true; the JobRun claim makes sure each occurrence runs in one process only. On start-up each
job whose latest occurrence has no run (the server was down) runs once: not once per missed
occurrence.
"""

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from core import db
from core.errors import StartupError
from core.jobs import (
    execute,
    has_run,
    latest_occurrence,
    parse_schedule,
    reclaim_stale,
    registered_jobs,
    run_job,
)
from core.timeutil import SHANGHAI, utcnow

logger = logging.getLogger(__name__)


class JobScheduler:
    """The jobs of one process, on their configured schedules."""

    def __init__(self, app: Flask, *, clock: Callable[[], datetime] = utcnow):
        self.app = app
        self.clock = clock
        self.triggers = {}
        self.jobs = registered_jobs(app)
        for job in self.jobs.values():
            spec = app.config[job.config_key]
            try:
                self.triggers[job.name] = parse_schedule(spec)
            except ValueError as exc:
                raise StartupError(f"{job.config_key}: {exc}") from None
        self._scheduler: BackgroundScheduler | None = None

    def occurrence(self, name: str) -> datetime | None:
        """The occurrence of a job due now: the latest fire time at or before the clock."""
        return latest_occurrence(self.triggers[name], self.clock())

    def fire(self, name: str, *, trigger: str = "schedule"):
        """Run the job's due occurrence here, unless another process has it."""
        occurrence = self.occurrence(name)
        if occurrence is None:
            return None
        return run_job(self.app, name, occurrence, trigger=trigger)

    def catch_up(self) -> list:
        """Run, once, every job whose latest occurrence before now has no run (or a run
        that its process never finished)."""
        done = []
        engine = db.get_engine(self.app)
        for name in self.triggers:
            occurrence = self.occurrence(name)
            if occurrence is None:
                continue
            if not has_run(engine, name, occurrence):
                logger.info("Catching up %s missed at %s", name, occurrence)
                run = run_job(self.app, name, occurrence, trigger="catch-up")
            else:  # left "running" by a process that stopped: run it again, once
                stale = reclaim_stale(engine, name, occurrence, self.clock())
                run = execute(self.app, stale) if stale is not None else None
            if run is not None:
                done.append(run)
        return done

    def start(self) -> None:
        """Schedule the jobs in a background thread, then catch up in another."""
        scheduler = BackgroundScheduler(
            timezone=SHANGHAI,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        )
        for name, trigger in self.triggers.items():
            scheduler.add_job(self.fire, trigger, args=[name], id=name, name=name)
        scheduler.start()
        self._scheduler = scheduler
        threading.Thread(target=self._catch_up_quietly, name="jobs-catch-up", daemon=True).start()
        logger.info(
            "Scheduler started: %s",
            ", ".join(f"{n} ({self.app.config[self.jobs[n].config_key]})" for n in self.triggers),
        )

    def _catch_up_quietly(self) -> None:
        try:
            self.catch_up()
        except Exception:  # a database hiccup at start-up must not stop the server
            logger.exception("Catching up missed jobs failed")

    def shutdown(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None


def start_scheduler(app: Flask) -> JobScheduler | None:
    """Start the process's scheduler when SCHEDULER_ENABLED (web servers; not tests or CLI)."""
    if not app.config.get("SCHEDULER_ENABLED") or app.testing:
        return None
    if "job_scheduler" in app.extensions:
        return app.extensions["job_scheduler"]
    scheduler = JobScheduler(app)
    scheduler.start()
    app.extensions["job_scheduler"] = scheduler
    return scheduler
