"""The application factory: it assembles the platform (core/) and the domain packages.

`flask --app app ...` runs the commands every package brings in its cli.py; `wsgi.py` serves
the same app in production.
"""

from flask import Flask

import surge.models  # noqa: F401  (with the three above: every table on SQLModel.metadata)
from accounts.services import refuse_demo_passwords_in_production
from accounts.tokens import bearer_user
from accounts.views import bp as accounts_bp
from accounts.views import login_manager
from admin.views import bp as admin_bp
from core import api_framework, audit, db, i18n, input_guard, logs, web
from core import cli as core_cli
from core.backup import register_integrity_check
from core.config import Config, config_for_env
from core.errors import StartupError
from core.jobs import register_jobs
from core.startup import register_startup_check
from inventory import cli as inventory_cli
from inventory import jobs as inventory_jobs
from inventory.api import blp as inventory_api
from inventory.depot_views import bp as depot_bp
from inventory.extensions import EXTENSIONS
from inventory.services.ledger import ledger_differences
from inventory.views import bp as inventory_bp
from inventory.views import index
from reports import cli as reports_cli
from reports import jobs as reports_jobs
from reports.api import bp as readiness_api
from reports.views import bp as reports_bp
from seed import cli as seed_cli
from surge.services.orders import open_orders_of
from surge.services.reservations import reserved_at
from surge.views import bp as surge_bp

# every area of the site and where it is mounted
BLUEPRINTS = (
    (accounts_bp, "/auth"),
    (inventory_bp, "/"),
    (depot_bp, "/depots"),
    (reports_bp, "/dashboard"),
    (admin_bp, "/admin"),
    (surge_bp, "/surge"),
)
API_BLUEPRINTS = (inventory_api, readiness_api)
JOBS = (*reports_jobs.JOBS, *inventory_jobs.JOBS)
# the surge's orders reserve stock and appear on the depot pages (inventory/extensions.py)
EXTENSIONS.reserved_at = reserved_at
EXTENSIONS.open_orders = open_orders_of
COMMANDS = (*core_cli.COMMANDS, *inventory_cli.COMMANDS, *reports_cli.COMMANDS, *seed_cli.COMMANDS)


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
    input_guard.init_app(app)
    web.init_app(app)
    audit.init_app(app)
    login_manager.init_app(app)
    for blueprint, prefix in BLUEPRINTS:
        app.register_blueprint(blueprint, url_prefix=prefix)
    app.add_url_rule("/", "index", index)
    api_framework.init_app(app, authenticator=bearer_user, blueprints=API_BLUEPRINTS)
    register_jobs(app, JOBS)
    register_startup_check(app, refuse_demo_passwords_in_production)
    register_integrity_check(app, ledger_differences)
    for command in COMMANDS:
        app.cli.add_command(command)
    return app


def _refuse_insecure_production(app: Flask) -> None:
    if app.config["APP_ENV"] == "production" and app.config["SECRET_KEY"] == Config.SECRET_KEY:
        raise StartupError("production needs its own SECRET_KEY in the environment")
