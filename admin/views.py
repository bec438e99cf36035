"""Administrator pages: users, depots, items, tier catalogs, usage norms, targets, audit log."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlmodel import func, select
from wtforms.fields.choices import SelectChoice

from accounts.models import Role, User, UserFacility
from admin import forms, services
from core import audit
from core.db import get_session, unit_of_work
from core.errors import DomainError
from core.jobs import parse_schedule, recent_runs, registered_jobs
from core.timeutil import utcnow
from inventory.models import CatalogEntry, Facility, Item, TargetProfile, UsageNorm

bp = Blueprint("admin", __name__, template_folder="templates")


@bp.before_request
@login_required
def only_administrators():
    if current_user.role != Role.ADMIN:
        abort(403)


def _apply(form, exc: DomainError) -> None:
    placed = False
    for name, message in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, str(message)]
            placed = True
    if not placed:
        flash(exc.message, "error")


def _commit_or_errors(form, action) -> bool:
    """Run a service call and commit; on a domain error put its messages on the form."""
    try:
        with unit_of_work() as session:
            action(session)
        return True
    except DomainError as exc:
        _apply(form, exc)
        return False


def _depot_choices() -> list[SelectChoice]:
    rows = get_session().exec(select(Facility).order_by(Facility.code))
    return [SelectChoice(f.id, f"{f.code} · {f.name}") for f in rows]


@bp.route("/")
def index():
    """Counts of what the administrator manages."""
    session = get_session()
    counts = {
        name: session.exec(select(func.count()).select_from(model)).one()
        for name, model in (
            ("users", User),
            ("facilities", Facility),
            ("items", Item),
            ("norms", UsageNorm),
            ("profiles", TargetProfile),
        )
    }
    return render_template("admin/index.html", counts=counts)


@bp.route("/users", methods=["GET", "POST"])
def users():
    """Every account, and a form to add one."""
    form = forms.UserForm()
    form.facility_ids.choices = _depot_choices()
    status = 200
    if form.validate_on_submit():
        ok = _commit_or_errors(
            form,
            lambda s: services.add_user(
                s,
                current_user,
                username=form.username.data,
                password=form.password.data or "",
                role=form.role.data,
                display_name=form.display_name.data or "",
                facility_ids=form.facility_ids.data or [],
            ),
        )
        if ok:
            flash(_("User %(name)s created.", name=form.username.data), "success")
            return redirect(url_for("admin.users"))
        status = 422
    elif form.errors:
        status = 422
    session = get_session()
    rows = session.exec(select(User).order_by(User.username)).all()
    depots = {}
    for link, facility in session.exec(
        select(UserFacility, Facility).join(Facility, Facility.id == UserFacility.facility_id)
    ):
        depots.setdefault(link.user_id, []).append(facility)
    return render_template("admin/users.html", rows=rows, depots=depots, form=form), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    """Change a user's role, depots and access, or reset their password."""
    session = get_session()
    target = session.get(User, user_id) or abort(404)
    form = forms.UserForm(obj=target if request.method == "GET" else None)
    form.facility_ids.choices = _depot_choices()
    reset = forms.ResetPasswordForm(prefix="reset")
    if request.method == "GET":
        form.facility_ids.data = list(
            session.exec(
                select(UserFacility.facility_id).where(UserFacility.user_id == target.id)
            ).all()
        )
    status = 200
    if request.form.get("reset-new_password") is not None:
        if reset.validate_on_submit() and _commit_or_errors(
            reset,
            lambda s: services.reset_password(s, current_user, target.id, reset.new_password.data),
        ):
            flash(_("The password was reset."), "success")
            return redirect(url_for("admin.user", user_id=target.id))
        status = 422
    elif request.method == "POST":
        form.username.data = target.username
        if form.validate_on_submit() and _commit_or_errors(
            form,
            lambda s: services.update_user(
                s,
                current_user,
                target.id,
                role=form.role.data,
                display_name=form.display_name.data or "",
                active=form.active.data,
                facility_ids=form.facility_ids.data or [],
            ),
        ):
            flash(_("User %(name)s saved.", name=target.username), "success")
            return redirect(url_for("admin.users"))
        status = 422
    return render_template("admin/user.html", target=target, form=form, reset=reset), status


@bp.route("/facilities")
def facilities():
    """Every depot."""
    rows = get_session().exec(select(Facility).order_by(Facility.code)).all()
    by_id = {f.id: f for f in rows}
    return render_template("admin/facilities.html", rows=rows, by_id=by_id)


@bp.route("/facilities/new", methods=["GET", "POST"], defaults={"facility_id": None})
@bp.route("/facilities/<int:facility_id>", methods=["GET", "POST"])
def facility(facility_id: int | None):
    """Create or edit a depot."""
    session = get_session()
    existing = session.get(Facility, facility_id) if facility_id else None
    if facility_id and existing is None:
        abort(404)
    form = forms.FacilityForm(obj=existing if request.method == "GET" else None)
    if request.method == "GET" and existing and existing.parent_id:
        form.parent_code.data = session.get(Facility, existing.parent_id).code
    status = 200
    if form.validate_on_submit():
        values = {
            k: form.data[k]
            for k in (
                "name",
                "name_en",
                "tier",
                "region_code",
                "operator",
                "lon",
                "lat",
                "beds",
                "population_served",
                "active",
            )
        }
        values["beds"] = values["beds"] or 0
        values["population_served"] = values["population_served"] or 0
        values["name_en"] = values["name_en"] or ""
        values["operator"] = values["operator"] or ""
        if _commit_or_errors(
            form,
            lambda s: services.save_facility(
                s, current_user, form.code.data, parent_code=form.parent_code.data, **values
            ),
        ):
            flash(_("Depot %(code)s saved.", code=form.code.data), "success")
            return redirect(url_for("admin.facilities"))
        status = 422
    elif form.errors:
        status = 422
    return render_template(
        "admin/form.html", form=form, title=_("Depot"), back=url_for("admin.facilities")
    ), status


@bp.route("/items")
def items():
    """Every item."""
    rows = get_session().exec(select(Item).order_by(Item.category, Item.code)).all()
    return render_template("admin/items.html", rows=rows)


@bp.route("/items/new", methods=["GET", "POST"], defaults={"item_id": None})
@bp.route("/items/<int:item_id>", methods=["GET", "POST"])
def item(item_id: int | None):
    """Create or edit an item."""
    existing = get_session().get(Item, item_id) if item_id else None
    if item_id and existing is None:
        abort(404)
    form = forms.ItemForm(obj=existing if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        values = {k: v for k, v in form.data.items() if k not in ("code", "csrf_token")}
        if _commit_or_errors(
            form, lambda s: services.save_item(s, current_user, form.code.data, **values)
        ):
            flash(_("Item %(code)s saved.", code=form.code.data), "success")
            return redirect(url_for("admin.items"))
        status = 422
    elif form.errors:
        status = 422
    return render_template(
        "admin/form.html", form=form, title=_("Item"), back=url_for("admin.items")
    ), status


@bp.route("/catalog", methods=["GET", "POST"])
def tier_catalog():
    """Which items each tier's depots must hold (储备目录)."""
    session = get_session()
    all_items = session.exec(select(Item).order_by(Item.category, Item.code)).all()
    if request.method == "POST":
        tier = request.form.get("tier", "")
        ids = [int(v) for v in request.form.getlist("item_id") if v.isdigit()]
        try:
            with unit_of_work():
                services.save_tier_catalog(session, current_user, tier, ids)
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            flash(_("Catalog saved."), "success")
        return redirect(url_for("admin.tier_catalog"))
    held = {}
    for entry in session.exec(select(CatalogEntry)):
        held.setdefault(entry.tier, set()).add(entry.item_id)
    return render_template(
        "admin/catalog.html", items=all_items, held=held, tiers=("city", "county", "township")
    )


@bp.route("/norms", methods=["GET", "POST"])
def norms():
    """A depot's full-load daily usage per item, each with how it was derived."""
    session = get_session()
    facility_id = request.values.get("facility", type=int)
    facility = session.get(Facility, facility_id) if facility_id else None
    if request.method == "POST" and facility:
        item_id = request.form.get("item_id", type=int)
        try:
            usage = float(request.form.get("daily_usage", ""))
            with unit_of_work():
                services.save_norm(
                    session,
                    current_user,
                    facility.id,
                    item_id or 0,
                    usage,
                    basis=request.form.get("basis", ""),
                    source=request.form.get("source", ""),
                )
        except ValueError:
            flash(_("Daily usage must be a number."), "error")
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            flash(_("Norm saved."), "success")
        return redirect(url_for("admin.norms", facility=facility.id))
    rows = []
    if facility:
        existing = {
            n.item_id: n
            for n in session.exec(select(UsageNorm).where(UsageNorm.facility_id == facility.id))
        }
        rows = [
            (i, existing.get(i.id))
            for i in session.exec(select(Item).order_by(Item.category, Item.code))
        ]
    return render_template(
        "admin/norms.html", facility=facility, rows=rows, depots=_depot_choices()
    )


@bp.route("/targets", methods=["GET", "POST"])
def target_profiles():
    """The target profiles; one is in force."""
    session = get_session()
    form = forms.ProfileForm()
    status = 200
    if request.form.get("activate"):
        try:
            with unit_of_work():
                services.activate_profile(session, current_user, request.form["activate"])
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            flash(_("Target profile in force: %(code)s.", code=request.form["activate"]), "success")
        return redirect(url_for("admin.target_profiles"))
    if form.validate_on_submit():
        values = {k: v for k, v in form.data.items() if k not in ("code", "csrf_token")}
        values["source"] = values["source"] or ""
        if _commit_or_errors(
            form, lambda s: services.save_profile(s, current_user, form.code.data, **values)
        ):
            flash(_("Target profile %(code)s saved.", code=form.code.data), "success")
            return redirect(url_for("admin.target_profiles"))
        status = 422
    elif form.errors:
        status = 422
    rows = session.exec(select(TargetProfile).order_by(TargetProfile.code)).all()
    return render_template("admin/targets.html", rows=rows, form=form), status


@bp.route("/audit")
def audit_log():
    """The audit log, newest first, filtered by table, user or row."""
    session = get_session()
    table = request.args.get("table") or None
    user_id = request.args.get("user", type=int)
    before_id = request.args.get("before", type=int)
    rows = audit.entries(
        session,
        table=table,
        user_id=user_id,
        row_id=request.args.get("row") or None,
        before_id=before_id,
        limit=100,
    )
    users_by_id = {u.id: u for u in session.exec(select(User))}
    tables = session.exec(select(audit.AuditEntry.table_name).distinct()).all()
    return render_template(
        "admin/audit.html",
        rows=rows,
        users=users_by_id,
        tables=sorted(tables),
        table=table,
        user_id=user_id,
    )


@bp.route("/jobs")
def job_runs():
    """The scheduled jobs, their schedules, and every run with its outcome, newest first."""
    jobs = registered_jobs(current_app)
    job = request.args.get("job")
    job = job if job in jobs else None
    now = utcnow()
    schedules = []
    for spec in jobs.values():
        text = current_app.config[spec.config_key]
        try:
            next_at = parse_schedule(text).get_next_fire_time(None, now)
        except ValueError:
            next_at = None
        schedules.append((spec.name, spec.config_key, text, next_at))
    return render_template(
        "admin/jobs.html",
        runs=recent_runs(get_session(), job=job, limit=200),
        schedules=schedules,
        job=job,
        enabled=current_app.config.get("SCHEDULER_ENABLED"),
    )
