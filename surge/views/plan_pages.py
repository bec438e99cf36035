"""A plan: its figures, map, lines (editable), orders and the support request form."""

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlmodel import select

from accounts.models import Role
from core.db import get_session, unit_of_work
from core.errors import DomainError, Forbidden
from core.i18n import localized_name
from core.svgmap import Line, MapPoint, render_map
from inventory.models import Facility, Item, Region
from surge.models import (
    OrderStatus,
    Plan,
    PlanStatus,
    PlanUnmet,
)
from surge.services import orders, plan_cover, planning, scenarios, support
from surge.views.common import attempt, bp, fail
from surge.views.plan_groups import Filters, county_of, group_transfers, group_unmet

# ---- plans ----


def _county_names(session, facilities: dict) -> dict[str, str]:
    """The depots' counties by their names in the page's language (Chinese where no English
    name is recorded)."""
    return {
        r.code: localized_name(r)
        for r in session.exec(
            select(Region).where(Region.code.in_({county_of(f) for f in facilities.values()}))
        ).all()
    }


def _plan_map(facilities: dict, transfers, summary) -> tuple[str, dict]:
    """The plan's map (every active depot, red where the plan still leaves a need, one line
    per route), and the routes: (from, to) -> [units, items]."""
    short_after = {c.facility.id for c in summary if c.below_after}
    short_before = {c.facility.id for c in summary if c.below_before}
    points = []
    for f in facilities.values():
        if f.lat is None or f.lon is None or not f.active:
            continue
        status_class = (
            "red" if f.id in short_after else "amber" if f.id in short_before else "green"
        )
        points.append(
            MapPoint(
                lon=f.lon,
                lat=f.lat,
                label=localized_name(f),
                status=status_class,
                tier=f.tier,
                group=county_of(f),
                href=None,
            )
        )
    # one line per route, however many items travel on it
    routes: dict[tuple[int, int], list[int]] = {}
    for t in transfers:
        if t.quantity > 0:
            route = routes.setdefault((t.from_facility_id, t.to_facility_id), [0, 0])
            route[0] += t.quantity
            route[1] += 1
    biggest = max((units for units, _n in routes.values()), default=1) or 1
    lines = [
        Line(
            from_lon=facilities[f].lon,
            from_lat=facilities[f].lat,
            to_lon=facilities[g].lon,
            to_lat=facilities[g].lat,
            weight=(units / biggest) ** 0.5,
            label=_(
                "%(from)s → %(to)s: %(units)s units of %(n)s items",
                **{"from": localized_name(facilities[f]), "to": localized_name(facilities[g])},
                units=f"{units:,}",
                n=n,
            ),
        )
        for (f, g), (units, n) in sorted(routes.items())
    ]
    svg = render_map(points, lines=lines, title=_("Transfers of the plan"))
    return svg, routes


def _plan_page(plan: Plan, *, errors: dict | None = None, status: int = 200):
    """The plan page; the lines as the query string filters and pages them (`county`,
    `depot`, `page`; `line` shows that line's group open, on its page); the unmet need under
    the same filters, paged by `unmet_page`."""
    session = get_session()
    scenario = scenarios.get(session, current_user, plan.scenario_id)
    transfers = planning.transfers_of(session, plan.id)
    unmet = session.exec(select(PlanUnmet).where(PlanUnmet.plan_id == plan.id)).all()
    rows, summary = plan_cover.cover_changes(session, plan)
    facilities = {f.id: f for f in session.exec(select(Facility)).all()}
    items = {i.id: i for i in session.exec(select(Item)).all()}
    filters = Filters.from_args(request.args, facilities)
    focus = set(errors or {}) | {request.args.get("line", type=int)} - {None}
    county_names = _county_names(session, facilities)
    affected = scenarios.affected_facility_ids(session, scenario)
    grouped = group_transfers(
        transfers,
        facilities,
        items,
        filters,
        affected=affected,
        county_names=county_names,
        focus=focus,
    )
    filters.page = grouped.page
    unmet_groups = group_unmet(unmet, facilities, items, filters, affected=affected)
    filters.unmet_page = unmet_groups.page
    depots_in_plan = {t.from_facility_id for t in transfers} | {t.to_facility_id for t in transfers}
    target = plan.problem["policy"]["bands"][-1]["below_days"]
    svg, routes = _plan_map(facilities, transfers, summary)
    plan_orders = orders.listing(session, current_user, plan_id=plan.id)
    return (
        render_template(
            "surge/plan.html",
            plan=plan,
            scenario=scenario,
            transfers=transfers,
            grouped=grouped,
            filters=filters,
            county_names=county_names,
            depot_choices=sorted(
                (facilities[i] for i in depots_in_plan | {u.facility_id for u in unmet}),
                key=lambda f: (f.region_code or "", f.tier != "city", f.tier != "county", f.name),
            ),
            facilities=facilities,
            items=items,
            unmet=unmet,
            unmet_groups=unmet_groups,
            rows=[r for r in rows if r.affected or r.before != r.after],
            summary=summary,
            target=target,
            svg=svg,
            errors=errors or {},
            orders=plan_orders,
            addressees=support.ADDRESSEES,
            units_moved=sum(t.quantity for t in transfers),
            routes=len(routes),
            units_unmet=sum(u.quantity for u in unmet),
            may_edit=current_user.role == Role.DISPATCHER and plan.status == PlanStatus.PROPOSED,
            is_dispatcher=current_user.role == Role.DISPATCHER,
        ),
        status,
    )


@bp.route("/plans/<int:plan_id>")
@login_required
def plan(plan_id: int):
    return _plan_page(planning.get_plan(get_session(), current_user, plan_id))


@bp.route("/plans/<int:plan_id>/lines/<int:transfer_id>", methods=["POST"])
@login_required
def plan_line(plan_id: int, transfer_id: int):
    """Change one line's quantity; refused lines leave the plan as it was."""
    raw = request.form.get("quantity", "").strip()
    quantity = int(raw) if raw.isdigit() else raw
    try:
        with unit_of_work() as session:
            planning.adjust_transfer(session, current_user, plan_id, transfer_id, quantity)
    except DomainError as exc:
        code = fail(exc)
        if code == 403:
            abort(403)
        plan = planning.get_plan(get_session(), current_user, plan_id)
        return _plan_page(plan, errors={transfer_id: exc.message}, status=code)
    flash(_("Line changed; the plan was checked and costed again."), "success")
    # back to the view the line was edited in (its filters), on the line's page, group open
    view = {k: v for k in ("county", "depot", "unmet_page") if (v := request.args.get(k))}
    target = url_for("surge.plan", plan_id=plan_id, **view, line=transfer_id)
    return redirect(f"{target}#line-{transfer_id}")


@bp.route("/plans/<int:plan_id>/issue", methods=["POST"])
@login_required
def plan_issue(plan_id: int):
    issued = attempt(
        lambda session: orders.issue_plan(session, current_user, plan_id),
        url_for("surge.plan", plan_id=plan_id),
    )
    flash(_("%(n)s allocation orders issued as drafts.", n=len(issued)), "success")
    return redirect(url_for("surge.plan", plan_id=plan_id) + "#orders")


@bp.route("/plans/<int:plan_id>/discard", methods=["POST"])
@login_required
def plan_discard(plan_id: int):
    plan = attempt(
        lambda session: planning.discard(session, current_user, plan_id),
        url_for("surge.plan", plan_id=plan_id),
    )
    flash(_("Plan discarded."), "success")
    return redirect(url_for("surge.scenario", scenario_id=plan.scenario_id))


@bp.route("/plans/<int:plan_id>/approve-all", methods=["POST"])
@login_required
def plan_approve_all(plan_id: int):
    """Approve every draft order of the plan, one transaction each."""
    session = get_session()
    scenarios.require_dispatcher(current_user)
    approved, refused = 0, []
    drafts = orders.listing(session, current_user, plan_id=plan_id, status=OrderStatus.DRAFT)
    for order in drafts:
        try:
            with unit_of_work():
                orders.approve(session, current_user, order.id)
            approved += 1
        except Forbidden:
            abort(403)
        except DomainError as exc:
            refused.append(f"{order.number}: {exc.message}")
    if approved:
        flash(_("%(n)s orders approved; their stock is reserved.", n=approved), "success")
    for message in refused:
        flash(message, "error")
    return redirect(url_for("surge.plan", plan_id=plan_id) + "#orders")


@bp.route("/plans/<int:plan_id>/support", methods=["POST"])
@login_required
def plan_support(plan_id: int):
    try:
        with unit_of_work() as session:
            req = support.create_from_plan(
                session,
                current_user,
                plan_id,
                addressee_kind=request.form.get("addressee_kind", ""),
                addressee=request.form.get("addressee", ""),
                note=request.form.get("note", ""),
            )
    except DomainError as exc:
        code = fail(exc)
        if code == 403:
            abort(403)
        plan = planning.get_plan(get_session(), current_user, plan_id)
        return _plan_page(plan, status=code)
    flash(_("Support request %(number)s created.", number=req.number), "success")
    return redirect(url_for("surge.support_request", request_id=req.id))
