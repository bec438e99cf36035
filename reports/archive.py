"""The archive of weekly reports: generate, store, list, fetch; who may do what.

Every signed-in user may read every archived report (city and county: readiness is shown to
all roles on the dashboard too); dispatchers and administrators may generate one on demand.
Rendering reads with its own session, so no write lock is held while the PDF is drawn.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy.orm import defer
from sqlmodel import Session, select

from accounts.models import Role, User
from core.errors import Forbidden, ValidationError
from core.timeutil import local_today, utcnow
from reports.models import Report
from reports.pdf import RenderedReport, render_pdf
from reports.weekly import (
    REPORT_LANGUAGE,
    UnknownScope,
    WeeklyReport,
    build_weekly_report,
    county_regions,
)
from reports.weeks import IsoWeek, last_complete_week

logger = logging.getLogger(__name__)
GENERATORS = (Role.DISPATCHER, Role.ADMIN)
# what a form or the command line may say for a language
LANGUAGE_ALIASES = {"zh": "zh_CN", "zh_cn": "zh_CN", "zh-cn": "zh_CN", "en": "en"}


def can_generate(user: User) -> bool:
    return user.role in GENERATORS


def parse_lang(text: str | None) -> str:
    """A report language: 'zh', 'zh_CN' or 'en' (None or empty: Chinese); ValueError else."""
    value = (text or "").strip()
    if not value:
        return REPORT_LANGUAGE
    lang = LANGUAGE_ALIASES.get(value.lower())
    if lang is None:
        raise ValueError(value)
    return lang


def parse_request(
    session: Session,
    week_text: str | None,
    county: str | None,
    *,
    lang: str | None = None,
    today: date | None = None,
) -> tuple[IsoWeek, str | None, str]:
    """A week ('YYYY-Www', default the last complete week, not in the future), a county
    code (None or empty: the city) and a language (None or empty: Chinese);
    ValidationError with a message per bad field."""
    today = today or local_today()
    errors = {}
    try:
        report_lang = parse_lang(lang)
    except ValueError:
        report_lang = REPORT_LANGUAGE
        errors["lang"] = _("Choose Chinese (zh) or English (en).")
    week = last_complete_week(today)
    if week_text:
        try:
            week = IsoWeek.parse(week_text)
        except ValueError:
            errors["week"] = _("Give an ISO week such as %(example)s.", example=week.label)
        else:
            if week.monday > today:
                errors["week"] = _("This week has not started yet.")
    county = (county or "").strip() or None
    if county is not None and county not in county_regions(session):
        errors["county"] = _("No district or county has the code %(code)s.", code=county)
    if errors:
        raise ValidationError(next(iter(errors.values())), fields=errors)
    return week, county, report_lang


@dataclass
class Generated:
    report: WeeklyReport
    rendered: RenderedReport


def render_weekly(
    session: Session,
    week: IsoWeek,
    *,
    county: str | None = None,
    today: date | None = None,
    now: datetime | None = None,
    lang: str = REPORT_LANGUAGE,
) -> Generated:
    """Build and render one report in `lang` (nothing stored)."""
    try:
        rep = build_weekly_report(session, week, county=county, today=today, now=now, lang=lang)
    except UnknownScope:
        raise ValidationError(
            _("No district or county has the code %(code)s.", code=county), field="county"
        ) from None
    return Generated(rep, render_pdf(session, rep))


def filename(rep: WeeklyReport) -> str:
    scope = "city" if not rep.is_county else rep.scope
    suffix = "" if rep.lang == REPORT_LANGUAGE else f"-{rep.lang}"
    return f"readiness-{scope}-{rep.week.label}{suffix}.pdf"


def store(session: Session, generated: Generated, *, user_id: int | None, source: str) -> Report:
    """Add a rendered report to the archive."""
    rep, rendered = generated.report, generated.rendered
    row = Report(
        scope=rep.scope,
        iso_week=rep.week.label,
        lang=rep.lang,
        generated_at=rep.generated_at,
        generated_by_id=user_id,
        source=source,
        size=len(rendered.pdf),
        pages=rendered.pages,
        filename=filename(rep),
        pdf=rendered.pdf,
    )
    session.add(row)
    session.flush()
    logger.info(
        "Weekly report %s %s archived (%s pages, %s bytes, %s)",
        row.scope,
        row.iso_week,
        row.pages,
        row.size,
        source,
    )
    return row


def generate_for(
    session: Session, user: User, week: IsoWeek, county: str | None, lang: str = REPORT_LANGUAGE
) -> Generated:
    """Render a report on a user's demand (dispatchers and administrators)."""
    if not can_generate(user):
        raise Forbidden(_("You are not allowed to do this."))
    return render_weekly(session, week, county=county, now=utcnow(), lang=lang)


def list_reports(session: Session, *, limit: int = 200) -> list[Report]:
    """Archived reports, newest first, without their PDF bytes."""
    return list(
        session.exec(
            select(Report)
            .options(defer(Report.pdf))
            .order_by(Report.generated_at.desc(), Report.id.desc())
            .limit(limit)
        ).all()
    )


def get_report(session: Session, report_id: int) -> Report | None:
    return session.get(Report, report_id)
