"""The office's start page and the surge scenarios."""

from datetime import date

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlmodel import func, select

from accounts.models import Role
from core.db import get_session, unit_of_work
from core.errors import DomainError
from core.i18n import localized_name
from core.timeutil import local_today
from inventory.models import Category, Facility, Region, Tier
from surge.models import (
    AllocationOrder,
    LinkPolicy,
    Plan,
)
from surge.services import planning, scenarios, support
from surge.services.access import require_reader
from surge.views.common import attempt, bp

# ---- the office's start page ----


@bp.route("/")
@login_required
def index():
    """Scenarios, recent plans, orders by status, support requests."""
    if current_user.role == Role.CLERK:
        return redirect(url_for("surge.order_list"))
    session = get_session()
    require_reader(current_user)
    counts = {
        status: n
        for status, n in session.exec(
            select(AllocationOrder.status, func.count(AllocationOrder.id)).group_by(
                AllocationOrder.status
            )
        )
    }
    recent_plans = session.exec(select(Plan).order_by(Plan.id.desc()).limit(10)).all()
    return render_template(
        "surge/index.html",
        scenarios=scenarios.listing(session, current_user),
        archived=scenarios.listing(session, current_user, archived=True),
        plans=recent_plans,
        scenario_names={s.id: s.name for s in scenarios.listing(session, current_user)},
        counts=counts,
        requests=support.listing(session, current_user)[:10],
    )


# ---- scenarios ----


def _float(name: str, default=None):
    raw = request.form.get(name, "").strip()
    if raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        return float("nan")


def _int(name: str, default=None):
    raw = request.form.get(name, "").strip()
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        return -1


def _date(name: str):
    try:
        return date.fromisoformat(request.form.get(name, "").strip())
    except ValueError:
        return None


def _scenario_input() -> scenarios.ScenarioInput:
    rules = {}
    for category in Category:
        multiplier = _float(f"multiplier_{category}")
        extra = _float(f"extra_{category}", 0.0)
        if multiplier is not None or extra:
            rules[str(category)] = {"multiplier": multiplier, "extra": extra}
    floors = {}
    for tier in scenarios.DEFAULT_FLOOR_DAYS:
        floors[str(tier)] = _float(f"floor_{tier}", scenarios.DEFAULT_FLOOR_DAYS[tier])
    facility_ids = []
    for raw in request.form.getlist("facility_ids"):
        if raw.isdigit():
            facility_ids.append(int(raw))
    return scenarios.ScenarioInput(
        name=request.form.get("name", ""),
        note=request.form.get("note", ""),
        start_date=_date("start_date"),
        region_codes=request.form.getlist("region_codes"),
        facility_ids=facility_ids,
        multiplier=_float("multiplier", 1.0),
        category_rules=rules,
        horizon_days=_int("horizon_days"),
        target_days=_int("target_days"),
        floor_days=floors,
        links=request.form.get("links", ""),
        max_distance_km=_float("max_distance_km"),
        road_factor=_float("road_factor", 1.3),
    )


def _scenario_form(data: scenarios.ScenarioInput, *, scenario=None, errors=None, status=200):
    session = get_session()
    regions = session.exec(
        select(Region).where(Region.level.in_((Tier.COUNTY, Tier.TOWNSHIP))).order_by(Region.code)
    ).all()
    counties = [r for r in regions if r.level == Tier.COUNTY]
    townships: dict[str, list[Region]] = {}
    for r in regions:
        if r.level == Tier.TOWNSHIP:
            townships.setdefault(r.parent_code, []).append(r)
    depots = session.exec(
        select(Facility).where(Facility.active.is_(True)).order_by(Facility.code)
    ).all()
    return (
        render_template(
            "surge/scenario_form.html",
            data=data,
            scenario=scenario,
            errors=errors or {},
            counties=counties,
            townships=townships,
            depots=depots,
            categories=list(Category),
            tiers=list(scenarios.DEFAULT_FLOOR_DAYS),
            links=list(LinkPolicy),
        ),
        status,
    )


@bp.route("/scenarios/new", methods=["GET", "POST"])
@login_required
def scenario_new():
    """Declare a surge (or copy a saved one with ?copy=ID)."""
    session = get_session()
    scenarios.require_dispatcher(current_user)
    if request.method == "POST":
        data = _scenario_input()
        try:
            with unit_of_work():
                scenario = scenarios.create(session, current_user, data)
        except DomainError as exc:
            return _scenario_form(data, errors=exc.fields or {"name": exc.message}, status=422)
        flash(_("Scenario saved."), "success")
        return redirect(url_for("surge.scenario", scenario_id=scenario.id))
    copy = request.args.get("copy", type=int)
    if copy:
        data = scenarios.as_input(scenarios.get(session, current_user, copy))
        data.name = _("%(name)s (copy)", name=data.name)[:96]
    else:
        data = scenarios.ScenarioInput(name="", start_date=local_today())
    return _scenario_form(data)


@bp.route("/scenarios/<int:scenario_id>/edit", methods=["GET", "POST"])
@login_required
def scenario_edit(scenario_id: int):
    session = get_session()
    scenarios.require_dispatcher(current_user)
    scenario = scenarios.get(session, current_user, scenario_id)
    if request.method == "POST":
        data = _scenario_input()
        try:
            with unit_of_work():
                scenarios.update(session, current_user, scenario_id, data)
        except DomainError as exc:
            return _scenario_form(
                data, scenario=scenario, errors=exc.fields or {"name": exc.message}, status=422
            )
        flash(_("Scenario saved."), "success")
        return redirect(url_for("surge.scenario", scenario_id=scenario_id))
    return _scenario_form(scenarios.as_input(scenario), scenario=scenario)


@bp.route("/scenarios/<int:scenario_id>")
@login_required
def scenario(scenario_id: int):
    session = get_session()
    s = scenarios.get(session, current_user, scenario_id)
    affected = scenarios.affected_facility_ids(session, s)
    regions = {
        r.code: localized_name(r)
        for r in session.exec(select(Region).where(Region.code.in_(s.region_codes))).all()
    }
    return render_template(
        "surge/scenario.html",
        s=s,
        affected=len(affected),
        regions=regions,
        facilities=session.exec(select(Facility).where(Facility.id.in_(s.facility_ids))).all(),
        target=planning.target_days(s),
        plans=planning.plans_of(session, s.id),
    )


@bp.route("/scenarios/<int:scenario_id>/plan", methods=["POST"])
@login_required
def scenario_plan(scenario_id: int):
    """Solve the scenario on today's balances."""
    plan = attempt(
        lambda session: planning.create_plan(session, current_user, scenario_id),
        url_for("surge.scenario", scenario_id=scenario_id),
    )
    flash(
        _("Plan computed in %(seconds)s s: provably optimal.", seconds=f"{plan.solve_seconds:.2f}"),
        "success",
    )
    return redirect(url_for("surge.plan", plan_id=plan.id))


@bp.route("/scenarios/<int:scenario_id>/archive", methods=["POST"])
@login_required
def scenario_archive(scenario_id: int):
    archived = request.form.get("archived", "1") == "1"
    with unit_of_work() as session:
        scenarios.set_archived(session, current_user, scenario_id, archived)
    return redirect(url_for("surge.index"))
