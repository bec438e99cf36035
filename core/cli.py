"""The platform's commands of `flask --app app`: the schema, serving, backups and jobs."""

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from core import db
from core.backup import backup_command, restore_command
from core.errors import StartupError
from core.jobs import registered_jobs, run_job
from core.migrate import upgrade
from core.scheduler import start_scheduler
from core.startup import startup_checks
from core.timeutil import utcnow


def fail(message: str, code: int = 2):
    """Stop a command with one line on stderr (exit 2: bad usage; 1: it failed)."""
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(code)


@click.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
@with_appcontext
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply the Alembic migrations."""
    engine = db.get_engine(current_app)
    try:
        upgrade(engine, revision)
    except Exception as exc:  # an unreachable database, most often
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise StartupError(f"migration failed: {reason}") from None
    click.echo(f"database at {engine.url.render_as_string(hide_password=True)} is up to date")


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def serve_command(host: str, port: int, threads: int) -> None:
    """Check the database, then serve the app with a multi-threaded server."""
    app = current_app._get_current_object()
    startup_checks(app)
    start_scheduler(app)
    click.echo(f"Serving on http://{host}:{port}")
    run_simple(host, port, app, threaded=threads > 1, use_reloader=False)


@click.group("jobs")
def jobs_group() -> None:
    """Scheduled jobs."""


@jobs_group.command("run")
@with_appcontext
@click.argument("name")
def jobs_run_command(name: str) -> None:
    """Run a scheduled job now (logged as a manual run)."""
    app = current_app._get_current_object()
    jobs = registered_jobs(app)
    if name not in jobs:
        fail(f"no job {name!r}; jobs: {', '.join(jobs)}")
    run = run_job(app, name, utcnow(), trigger="manual")
    click.echo(f"{name}: {run.outcome} {run.message}")
    if run.outcome == "failed":
        raise SystemExit(1)


COMMANDS = (db_group, serve_command, jobs_group, backup_command, restore_command)
