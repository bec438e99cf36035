"""The readiness dashboard: matrix, map, red list, drill-down to county and depot; alerts."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlmodel import Session, select

from accounts.models import User
from core.db import get_engine, get_session, unit_of_work
from core.errors import DomainError, ValidationError
from core.i18n import current_language
from inventory.models import AlertKind, Facility, Item, Lot
from inventory.services import alerts as alert_service
from inventory.services.cover import Status
from reports import archive, dashboard
from reports.weekly import REPORT_LANGUAGE, REPORT_LANGUAGES, county_regions
from reports.weeks import last_complete_week

bp = Blueprint("reports", __name__, template_folder="templates")
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}


def _facility_href(facility: Facility) -> str:
    return url_for("reports.facility", facility_id=facility.id)


@bp.route("/")
@login_required
def city():
    """The whole city: headline figures, the county × category matrix, the map, the red list."""
    data = dashboard.city_dashboard(
        get_session(),
        href=_facility_href,
        lang=current_language(),
        map_title=_("Readiness map"),
    )
    return render_template(
        "reports/dashboard.html",
        d=data,
        r=data.readiness,
        categories=dashboard.CATEGORIES,
        share_class=dashboard.share_class,
    )


@bp.route("/county/<code>")
@login_required
def county(code: str):
    """One county: depots × categories, and its map."""
    data = dashboard.county_dashboard(
        get_session(), code, href=_facility_href, lang=current_language()
    )
    if data is None:
        abort(404)
    return render_template(
        "reports/county.html",
        d=data,
        r=data.readiness,
        categories=dashboard.CATEGORIES,
        share_class=dashboard.share_class,
    )


@bp.route("/facility/<int:facility_id>")
@login_required
def facility(facility_id: int):
    """One depot: every item's cover against each target, and its burn rate."""
    session = get_session()
    f = session.get(Facility, facility_id) or abort(404)
    r, rows = dashboard.facility_rows(session, f)
    return render_template(
        "reports/facility.html",
        f=f,
        r=r,
        rows=rows,
        roll=r.by_facility.get(f.id),
        Status=Status,
    )


@bp.route("/alerts")
@login_required
def alerts():
    """Open alerts the user may see; acknowledged ones can be hidden."""
    kind = request.args.get("kind")
    kind = kind if kind in set(AlertKind) else None
    show_all = request.args.get("all") == "1"
    session = get_session()
    rows = alert_service.open_alerts(
        session, current_user, kind=kind, include_acknowledged=show_all
    )
    facilities = {
        f.id: f
        for f in session.exec(
            select(Facility).where(Facility.id.in_({a.facility_id for a in rows}))
        )
    }
    items = {i.id: i for i in session.exec(select(Item))}
    lots = {
        x.id: x
        for x in session.exec(select(Lot).where(Lot.id.in_({a.lot_id for a in rows if a.lot_id})))
    }
    return render_template(
        "reports/alerts.html",
        rows=rows,
        facilities=facilities,
        items=items,
        lots=lots,
        kind=kind,
        show_all=show_all,
        kinds=list(AlertKind),
        can_ack=current_user.role in ("clerk", "dispatcher", "admin"),
    )


@bp.route("/alerts/<int:alert_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge(alert_id: int):
    """Mark an alert as seen."""
    try:
        with unit_of_work() as session:
            alert_service.acknowledge(session, current_user, alert_id)
    except DomainError as exc:
        if exc.status_code == 403:
            abort(403)
        flash(exc.message, "error")
    else:
        flash(_("Alert acknowledged."), "success")
    return redirect(request.form.get("next") or url_for("reports.alerts"))


def _archive_page(form: dict, errors: dict, status: int = 200):
    session = get_session()
    reports = archive.list_reports(session)
    users = {
        u.id: u
        for u in session.exec(select(User).where(User.id.in_({r.generated_by_id for r in reports})))
    }
    return (
        render_template(
            "reports/archive.html",
            reports=reports,
            users=users,
            # in the language of the page (Chinese where no English name is recorded)
            counties=county_regions(session, current_language()),
            languages=REPORT_LANGUAGES,
            # each language by its own name, as the switch in the top bar shows it
            language_label=lambda code: LANGUAGE_NAMES.get(code, code),
            can_generate=archive.can_generate(current_user),
            form=form,
            errors=errors,
        ),
        status,
    )


@bp.route("/reports")
@login_required
def reports():
    """The archive of weekly reports, newest first; a form to generate one now."""
    # a report in the language the user reads the site in, Chinese or English
    lang = current_language()
    lang = lang if lang in REPORT_LANGUAGES else REPORT_LANGUAGE
    return _archive_page({"week": last_complete_week().label, "county": "", "lang": lang}, {})


@bp.route("/reports", methods=["POST"])
@login_required
def generate_report():
    """Generate a report now (dispatchers and administrators) and add it to the archive."""
    if not archive.can_generate(current_user):
        abort(403)
    form = {name: request.form.get(name, "") for name in ("week", "county", "lang")}
    # read and draw on a session of its own: no write lock is held while the PDF renders
    with Session(get_engine()) as reader:
        try:
            week, county, lang = archive.parse_request(
                reader, form["week"], form["county"], lang=form["lang"]
            )
        except ValidationError as exc:
            # the reader only read: closing it (the with block) ends its transaction
            return _archive_page(form, exc.fields, 422)
        generated = archive.generate_for(reader, current_user, week, county, lang)
    with unit_of_work() as session:
        row = archive.store(session, generated, user_id=current_user.id, source="web")
    flash(
        _("Report for %(week)s generated (%(pages)d pages).", week=row.iso_week, pages=row.pages),
        "success",
    )
    return redirect(url_for("reports.reports"), 303)


@bp.route("/reports/<int:report_id>.pdf")
@login_required
def download_report(report_id: int):
    """An archived report's PDF (every signed-in user may read the archive)."""
    row = archive.get_report(get_session(), report_id) or abort(404)
    return Response(
        row.pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{row.filename}"',
            "Cache-Control": "private, no-store",
        },
    )
