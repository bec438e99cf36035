"""The reports' commands of `flask --app app`."""

import click
from flask.cli import with_appcontext
from sqlmodel import Session

from core import db
from core.cli import fail
from core.errors import ValidationError
from reports.archive import parse_request, render_weekly, store


@click.group("report")
def report_group() -> None:
    """Readiness reports."""


@report_group.command("weekly")
@with_appcontext
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="PDF file")
@click.option("--county", default=None, help="a county code (default: the whole city)")
@click.option("--week", default=None, help="YYYY-Www (default: the last complete week)")
@click.option("--lang", default=None, help="zh (default) or en: the report's language")
@click.option("--archive", is_flag=True, help="also store the report in the archive")
def report_weekly_command(
    out: str, county: str | None, week: str | None, lang: str | None, archive: bool
) -> None:
    """Generate the weekly readiness report as a PDF file."""
    engine = db.get_engine()
    with Session(engine) as session:
        try:
            iso_week, county_code, report_lang = parse_request(session, week, county, lang=lang)
        except ValidationError as exc:
            # each bad option by name, with what was given: one line
            given = {"week": week, "county": county, "lang": lang}
            fail(
                "; ".join(f"--{k} {given.get(k)!r}: {m}" for k, m in exc.fields.items())
                or exc.message
            )
        generated = render_weekly(session, iso_week, county=county_code, lang=report_lang)
    try:
        with open(out, "wb") as fh:
            fh.write(generated.rendered.pdf)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror}", 1)
    if archive:
        with db.session_scope(engine) as session:
            row = store(session, generated, user_id=None, source="cli")
        click.echo(f"archived as report #{row.id}")
    click.echo(
        f"{out}: {generated.report.scope_name} {iso_week.label} ({report_lang}), "
        f"{generated.rendered.pages} pages, {len(generated.rendered.pdf):,} bytes"
    )


COMMANDS = (report_group,)
