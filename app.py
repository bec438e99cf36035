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
        # set on every request: a server thread must not carry the previous request's user
        current_actor.set(current_user.id if current_user.is_authenticated else None)
        current_source.set("api" if request.path.startswith("/api/") else "web")

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


if os.environ.get("FLASK_RUN_FROM_CLI") is None and __name__ == "__main__":
    create_app().run()
