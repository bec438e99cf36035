"""What must hold before a server starts: a reachable, migrated database, and whatever the
domain packages add (register_startup_check)."""

from collections.abc import Callable

from flask import Flask

from core import db
from core.migrate import check_database


def register_startup_check(app: Flask, check: Callable[[Flask], None]) -> None:
    """A check run before serving; it raises StartupError with one line a person can act on."""
    app.extensions.setdefault("startup_checks", []).append(check)


def startup_checks(app: Flask) -> None:
    """Stop with one clear line unless the app may serve."""
    check_database(db.get_engine(app))
    for check in app.extensions.get("startup_checks", ()):
        check(app)
