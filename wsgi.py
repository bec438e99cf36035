"""Entry point for production servers: gunicorn 'wsgi:app'."""

from app import create_app, startup_checks
from db import get_engine

app = create_app()
startup_checks(app)
# with `gunicorn --preload` workers fork from this process: they must not share its connections
get_engine(app).dispose()
