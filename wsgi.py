"""Entry point for production servers: gunicorn 'wsgi:app'."""

from app import create_app, startup_checks
from reports.scheduler import start_scheduler

app = create_app()
startup_checks(app)
# every worker runs a scheduler; each job occurrence is claimed by one of them only
start_scheduler(app)
