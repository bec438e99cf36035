"""The demo city, loaded through the services: `flask --app app seed`."""

import click
from flask.cli import with_appcontext

import db


@click.command("seed")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when depots already exist.")
def seed_command(if_empty: bool) -> None:
    """Load 绍兴市 (Shaoxing): regions, depots, catalog, norms, opening stock, demo users."""
    from seed.demo import database_is_empty, load_demo_city

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
    from seed.demo import demo_logins

    with db.session_scope() as session:
        rows = demo_logins(session)
    if not rows:
        click.echo("no demo logins are active")
    for username, password, role in rows:
        click.echo(f"  {username:<16} {password:<20} {role}")
