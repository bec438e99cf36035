"""The inventory's commands of `flask --app app`."""

import logging

import click
from flask.cli import with_appcontext

from core import db
from inventory.services.ledger import verify_ledger

logger = logging.getLogger(__name__)


@click.command("verify-ledger")
@with_appcontext
def verify_ledger_command() -> None:
    """Compare every balance with the sum of its ledger rows; exit 1 on any difference."""
    with db.session_scope() as session:
        differences = verify_ledger(session)
    logger.info("ledger verified: %d difference(s)", len(differences))
    for d in differences:
        click.echo(str(d))
    click.echo(f"{len(differences)} difference(s)")
    if differences:
        raise SystemExit(1)


COMMANDS = (verify_ledger_command,)
