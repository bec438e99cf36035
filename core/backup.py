"""Backup and restore: `flask --app app backup --out FILE` and `flask --app app restore FILE`.

SQLite: the backup uses SQLite's online backup API (`sqlite3.Connection.backup`), a consistent
snapshot taken while the app keeps writing (WAL readers do not block writers). A restore checks
that the file is an intact SQLite database at the migration head the code needs, copies it
into the configured database with the same API, and runs the integrity checks the domain
packages registered (the inventory's: balance = Σ ledger).

PostgreSQL: the backup runs `pg_dump --format=custom`; a restore is `pg_restore` into an empty
database, done by an operator with the server stopped (the command is printed, see README).
"""

import logging
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core import db
from core.errors import StartupError
from core.migrate import head_revision

logger = logging.getLogger(__name__)


def sqlite_path(engine: Engine) -> Path | None:
    """The database file of a SQLite engine, or None for PostgreSQL and in-memory SQLite."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def backup_sqlite(source: Path, out: Path) -> None:
    """Copy the live database into `out` as one consistent snapshot."""
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)  # all pages in one step: a snapshot of one moment
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
    finally:
        dst.close()
        src.close()
    check_sqlite_file(partial)
    partial.replace(out)


def check_sqlite_file(path: Path, *, revision: str | None = None) -> str:
    """The migration revision of an intact SQLite database file; raises StartupError when the
    file is not one, is damaged, or (when `revision` is given) is at another revision."""
    if not path.is_file():
        raise StartupError(f"{path} does not exist")
    with path.open("rb") as f:
        if f.read(16) != b"SQLite format 3\x00":
            raise StartupError(f"{path} is not a SQLite database")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise StartupError(f"{path} is damaged: {result}")
        try:
            found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            found = None
    except sqlite3.DatabaseError as exc:
        raise StartupError(f"{path} cannot be read: {exc}") from None
    finally:
        conn.close()
    if found is None:
        raise StartupError(f"{path} holds no migrated schema (no alembic_version)")
    if revision is not None and found[0] != revision:
        raise StartupError(f"{path} is at migration {found[0]}, the code needs {revision}")
    return found[0]


def restore_sqlite(backup: Path, target: Path) -> None:
    """Replace the database at `target` with the backup's content (the server must be
    stopped)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def libpq_url(engine: Engine) -> tuple[str, str | None]:
    """The engine's URL as libpq understands it, and the schema its search_path selects."""
    url = engine.url.set(drivername="postgresql")
    options = url.query.get("options", "")
    schema = None
    if isinstance(options, str) and "search_path=" in options:
        schema = options.split("search_path=", 1)[1].split()[0].split(",")[0]
    return url.render_as_string(hide_password=False), schema


def backup_postgresql(engine: Engine, out: Path) -> None:
    """pg_dump in its custom format (restore with pg_restore)."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise StartupError(
            "pg_dump is not installed; run: pg_dump --format=custom --file=FILE DATABASE_URL"
        )
    url, schema = libpq_url(engine)
    command = [pg_dump, "--format=custom", "--no-owner", f"--file={out}", f"--dbname={url}"]
    if schema:
        command.append(f"--schema={schema}")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["failed"])[-1]
        raise StartupError(f"pg_dump failed: {reason}")


@click.command("backup")
@with_appcontext
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Overwrite an existing file.")
def backup_command(out: Path, yes: bool) -> None:
    """Back up the database while the app runs (SQLite online backup, or pg_dump)."""
    engine = db.get_engine(current_app)
    if out.exists() and not yes:
        raise StartupError(f"{out} exists; pass --yes to overwrite it")
    out.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite_path(engine)
    if source is not None:
        backup_sqlite(source, out)
    elif engine.url.get_backend_name() == "postgresql":
        backup_postgresql(engine, out)
    else:
        raise StartupError("an in-memory database cannot be backed up")
    logger.info("backup written to %s (%d bytes)", out, out.stat().st_size)
    click.echo(f"backup written to {out} ({out.stat().st_size:,} bytes)")


@click.command("restore")
@with_appcontext
@click.argument("backup", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace an existing database.")
def restore_command(backup: Path, yes: bool) -> None:
    """Restore a SQLite backup into the configured database, then verify the ledger.
    Stop the server first."""
    engine = db.get_engine(current_app)
    target = sqlite_path(engine)
    if target is None:
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=True)
        raise StartupError(
            "PostgreSQL is restored with pg_restore into an empty database, server stopped: "
            f"pg_restore --no-owner --dbname={url} {backup}  (see README, Operations)"
        )
    check_sqlite_file(backup, revision=head_revision())
    if target.exists() and target.stat().st_size > 0 and not yes:
        raise StartupError(f"{target} exists; pass --yes to replace it with {backup}")
    engine.dispose()  # no pooled connection may outlive the old content
    restore_sqlite(backup, target)
    with db.session_scope(engine) as session:
        differences = integrity_differences(current_app, session)
    logger.info("restored %s into %s; %d ledger difference(s)", backup, target, len(differences))
    click.echo(f"restored {backup} into {target}")
    for line in differences:
        click.echo(line)
    click.echo(f"{len(differences)} difference(s)")
    if differences:
        raise SystemExit(1)


def register_integrity_check(app: Flask, check: Callable[[Session], list[str]]) -> None:
    """A check a restored database must pass: it answers a line per difference found."""
    app.extensions.setdefault("integrity_checks", []).append(check)


def integrity_differences(app: Flask, session: Session) -> list[str]:
    """Every difference the registered integrity checks find."""
    return [line for check in app.extensions.get("integrity_checks", ()) for line in check(session)]
