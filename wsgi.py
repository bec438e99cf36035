"""Entry point for production servers: gunicorn 'wsgi:app'."""

from app import create_app, startup_checks

app = create_app()
startup_checks(app)
