"""The application factory and the command-line interface (flask --app app ...)."""

import logging
import os

import click
from flask import Flask, redirect, url_for
from flask.cli import with_appcontext
from flask_wtf.csrf import CSRFProtect

import api
import backup
import db
import i18n
import input_guard
import labels
import logs
import models  # noqa: F401  (every table, and the audit hook)
from config import Config, config_for_env
from errors import StartupError, register_error_handlers

csrf = CSRFProtect()


def create_app(config: type[Config] | dict | None = None) -> Flask:
    """Build the app; `config` is a Config class or a mapping of overrides (tests)."""
    app = Flask(__name__, instance_relative_config=True)
    # defaults come from the environment; tests and deployments override them
    app.config.from_object(config_for_env())
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    _refuse_insecure_production(app)

    logs.init_app(app)
    db.init_app(app)
    i18n.init_app(app)
    labels.init_app(app)
    input_guard.init_app(app)
    csrf.init_app(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_actor(app)
    register_security_headers(app)
    register_cli(app)
    return app


def _refuse_insecure_production(app: Flask) -> None:
    if app.config["APP_ENV"] == "production" and app.config["SECRET_KEY"] == Config.SECRET_KEY:
        raise StartupError("production needs its own SECRET_KEY in the environment")


def register_blueprints(app: Flask) -> None:
    """Mount every area of the site."""
    from accounts.views import bp as accounts_bp
    from accounts.views import login_manager
    from admin.views import bp as admin_bp
    from dispatch.views import bp as dispatch_bp
    from inventory.depot_views import bp as depot_bp
    from inventory.views import bp as inventory_bp
    from reports.views import bp as reports_bp

    login_manager.init_app(app)
    app.register_blueprint(accounts_bp, url_prefix="/auth")
    app.register_blueprint(inventory_bp, url_prefix="/")
    app.register_blueprint(depot_bp, url_prefix="/depots")
    app.register_blueprint(reports_bp, url_prefix="/dashboard")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(dispatch_bp, url_prefix="/surge")
    api.init_app(app)

    @app.route("/")
    def index():
        # clerks start at their depot, everyone else at the network
        from flask_login import current_user

        if current_user.is_authenticated and current_user.role == "clerk":
            return redirect(url_for("depot.mine"))
        return redirect(url_for("inventory.home"))


def startup_checks(app: Flask) -> None:
    """What must hold before serving: a reachable, migrated database; no demo passwords
    in production."""
    from schema import check_database

    check_database(db.get_engine(app))
    if app.config["APP_ENV"] == "production":
        from accounts.services import users_with_demo_passwords

        with db.session_scope(db.get_engine(app)) as session:
            demo_users = users_with_demo_passwords(session)
        if demo_users:
            raise StartupError(
                "refusing to start in production: demo passwords are set for "
                + ", ".join(sorted(demo_users))
            )


CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def register_security_headers(app: Flask) -> None:
    """Headers that keep pages from being framed, sniffed or fed foreign scripts."""

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


def register_actor(app: Flask) -> None:
    """Tell the audit log who acts in each request (and that CLI commands are the CLI)."""
    from flask import request
    from flask_login import current_user

    from audit import current_actor, current_source

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


def register_cli(app: Flask) -> None:
    """Add the project's commands to `flask --app app`."""
    from seed import demo_logins_command, seed_command

    app.cli.add_command(db_group)
    app.cli.add_command(seed_command)
    app.cli.add_command(demo_logins_command)
    app.cli.add_command(serve_command)
    app.cli.add_command(verify_ledger_command)
    backup.register(app)
    app.cli.add_command(report_group)
    app.cli.add_command(jobs_group)


@click.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
@with_appcontext
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply the Alembic migrations."""
    from flask import current_app

    from schema import upgrade

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
    from flask import current_app
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()
    startup_checks(app)
    from reports.scheduler import start_scheduler

    start_scheduler(app)
    click.echo(f"Serving on http://{host}:{port}")
    run_simple(host, port, app, threaded=threads > 1, use_reloader=False)


@click.command("verify-ledger")
@with_appcontext
def verify_ledger_command() -> None:
    """Compare every balance with the sum of its ledger rows; exit 1 on any difference."""
    from inventory.services.ledger import verify_ledger

    with db.session_scope() as session:
        differences = verify_ledger(session)
    logging.getLogger(__name__).info("ledger verified: %d difference(s)", len(differences))
    for d in differences:
        click.echo(
            f"facility {d.facility_id} item {d.item_id} lot {d.lot_id} {d.form}: "
            f"balance {d.balance} != ledger {d.ledger}"
        )
    click.echo(f"{len(differences)} difference(s)")
    if differences:
        raise SystemExit(1)


@click.group("report")
def report_group() -> None:
    """Readiness reports."""


def _fail(message: str, code: int = 2):
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(code)


@report_group.command("weekly")
@with_appcontext
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="PDF file")
@click.option("--county", default=None, help="a county code (default: the whole city)")
@click.option("--week", default=None, help="YYYY-Www (default: the last complete week)")
@click.option("--lang", default=None, help="zh (default) or en: the report's language")
@click.option("--archive", is_flag=True, help="also store the report in the archive")
def report_weekly_command(
    out: str, county: str | None, week: str | None, lang: str | None, archive: bool
) -> None:
    """Generate the weekly readiness report as a PDF file."""
    from sqlmodel import Session

    from errors import ValidationError
    from reports.archive import parse_request, render_weekly, store

    engine = db.get_engine()
    with Session(engine) as session:
        try:
            iso_week, county_code, report_lang = parse_request(session, week, county, lang=lang)
        except ValidationError as exc:
            # each bad option by name, with what was given: one line
            given = {"week": week, "county": county, "lang": lang}
            _fail(
                "; ".join(f"--{k} {given.get(k)!r}: {m}" for k, m in exc.fields.items())
                or exc.message
            )
        generated = render_weekly(session, iso_week, county=county_code, lang=report_lang)
    try:
        with open(out, "wb") as fh:
            fh.write(generated.rendered.pdf)
    except OSError as exc:
        _fail(f"cannot write {out}: {exc.strerror}", 1)
    if archive:
        with db.session_scope(engine) as session:
            row = store(session, generated, user_id=None, source="cli")
        click.echo(f"archived as report #{row.id}")
    click.echo(
        f"{out}: {generated.report.scope_name} {iso_week.label} ({report_lang}), "
        f"{generated.rendered.pages} pages, {len(generated.rendered.pdf):,} bytes"
    )


@click.group("jobs")
def jobs_group() -> None:
    """Scheduled jobs."""


@jobs_group.command("run")
@with_appcontext
@click.argument("name")
def jobs_run_command(name: str) -> None:
    """Run a scheduled job now (logged as a manual run)."""
    from flask import current_app

    from reports.jobs import JOB_NAMES, run_job
    from timeutil import utcnow

    if name not in JOB_NAMES:
        _fail(f"no job {name!r}; jobs: {', '.join(JOB_NAMES)}")
    run = run_job(current_app._get_current_object(), name, utcnow(), trigger="manual")
    click.echo(f"{name}: {run.outcome} {run.message}")
    if run.outcome == "failed":
        raise SystemExit(1)


if os.environ.get("FLASK_RUN_FROM_CLI") is None and __name__ == "__main__":
    create_app().run()
