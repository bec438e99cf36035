"""The demo city's commands: `flask --app app seed` and `flask --app app demo-logins`."""

import click
from flask.cli import with_appcontext

from core import db
from seed.demo import database_is_empty, load_demo_city
from seed.users import demo_logins


@click.command("seed")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when depots already exist.")
def seed_command(if_empty: bool) -> None:
    """Load 绍兴市 (Shaoxing): regions, depots, catalog, norms, opening stock, demo users."""
    with db.session_scope() as session:
        if if_empty and not database_is_empty(session):
            click.echo("database already holds depots: not seeding")
            return
        summary = load_demo_city(session)
    for name, count in summary.items():
        click.echo(f"{name}: {count}")


@click.command("demo-logins")
@with_appcontext
def demo_logins_command() -> None:
    """Print the demo accounts that still use their demo passwords."""
    with db.session_scope() as session:
        rows = demo_logins(session)
    if not rows:
        click.echo("no demo logins are active")
    for username, password, role in rows:
        click.echo(f"  {username:<16} {password:<20} {role}")


COMMANDS = (seed_command, demo_logins_command)
