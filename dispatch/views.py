"""The surge pages: scenarios, plans, allocation orders and support requests."""

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlmodel import select

from accounts.models import Role, User
from accounts.services import facility_ids_of
from db import get_session
from dispatch import pdf
from dispatch.models import (
    AllocationOrder,
    LinkPolicy,
    OrderStatus,
    Plan,
    PlanStatus,
    PlanUnmet,
    SupportRequest,
)
from dispatch.services import orders, planning, scenarios, support
from dispatch.services.access import READERS, require_reader
from dispatch.services.orders import Arrival, Pick
from errors import DomainError, Forbidden, ValidationError
from inventory.models import Category, Facility, Item, Lot, Region, Tier
from reports.svgmap import Line, MapPoint, render_map
from timeutil import local_today, utcnow

bp = Blueprint("dispatch", __name__, template_folder="templates")


def _labels():
    return {
        OrderStatus.DRAFT: _("Draft"),
        OrderStatus.APPROVED: _("Approved"),
        OrderStatus.DISPATCHED: _("Dispatched"),
        OrderStatus.RECEIVED: _("Received"),
        OrderStatus.CLOSED: _("Closed"),
        OrderStatus.CANCELLED: _("Cancelled"),
    }


def _plan_labels():
    return {
        PlanStatus.PROPOSED: _("Proposed"),
        PlanStatus.ISSUED: _("Orders issued"),
        PlanStatus.DISCARDED: _("Discarded"),
    }


def _link_labels():
    return {
        LinkPolicy.DISTANCE: _("Within a distance (the 1-hour response circle)"),
        LinkPolicy.HIERARCHY: _("Along the depot hierarchy (parent, child, sibling)"),
        LinkPolicy.ANY: _("Any depot to any depot"),
    }


@bp.app_context_processor
def order_labels():
    return {
        "order_status_label": lambda code: _labels().get(code, code),
        "plan_status_label": lambda code: _plan_labels().get(code, code),
        "link_label": lambda code: _link_labels().get(code, code),
    }


def _fail(exc: DomainError):
    get_session().rollback()
    flash(exc.message, "error")
    return exc.status_code


# ---- the office's start page ----


@bp.route("/")
@login_required
def index():
    """Scenarios, recent plans, orders by status, support requests."""
    if current_user.role == Role.CLERK:
        return redirect(url_for("dispatch.order_list"))
    session = get_session()
    require_reader(current_user)
    counts = {
        status: n
        for status, n in session.exec(
            select(AllocationOrder.status, _count(AllocationOrder.id)).group_by(
                AllocationOrder.status
            )
        )
    }
    recent_plans = session.exec(select(Plan).order_by(Plan.id.desc()).limit(10)).all()
    return render_template(
        "dispatch/index.html",
        scenarios=scenarios.listing(session, current_user),
        archived=scenarios.listing(session, current_user, archived=True),
        plans=recent_plans,
        scenario_names={s.id: s.name for s in scenarios.listing(session, current_user)},
        counts=counts,
        requests=support.listing(session, current_user)[:10],
    )


def _count(column):
    from sqlalchemy import func

    return func.count(column)


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
            "dispatch/scenario_form.html",
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
            scenario = scenarios.create(session, current_user, data)
            session.commit()
        except DomainError as exc:
            session.rollback()
            return _scenario_form(data, errors=exc.fields or {"name": exc.message}, status=422)
        flash(_("Scenario saved."), "success")
        return redirect(url_for("dispatch.scenario", scenario_id=scenario.id))
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
            scenarios.update(session, current_user, scenario_id, data)
            session.commit()
        except DomainError as exc:
            session.rollback()
            return _scenario_form(
                data, scenario=scenario, errors=exc.fields or {"name": exc.message}, status=422
            )
        flash(_("Scenario saved."), "success")
        return redirect(url_for("dispatch.scenario", scenario_id=scenario_id))
    return _scenario_form(scenarios.as_input(scenario), scenario=scenario)


@bp.route("/scenarios/<int:scenario_id>")
@login_required
def scenario(scenario_id: int):
    session = get_session()
    s = scenarios.get(session, current_user, scenario_id)
    affected = scenarios.affected_facility_ids(session, s)
    regions = dict(
        session.exec(select(Region.code, Region.name).where(Region.code.in_(s.region_codes))).all()
    )
    return render_template(
        "dispatch/scenario.html",
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
    session = get_session()
    try:
        plan = planning.create_plan(session, current_user, scenario_id)
        session.commit()
    except DomainError as exc:
        code = _fail(exc)
        if code == 403:
            abort(403)
        return redirect(url_for("dispatch.scenario", scenario_id=scenario_id))
    flash(
        _("Plan computed in %(seconds)s s: provably optimal.", seconds=f"{plan.solve_seconds:.2f}"),
        "success",
    )
    return redirect(url_for("dispatch.plan", plan_id=plan.id))


@bp.route("/scenarios/<int:scenario_id>/archive", methods=["POST"])
@login_required
def scenario_archive(scenario_id: int):
    session = get_session()
    archived = request.form.get("archived", "1") == "1"
    scenarios.set_archived(session, current_user, scenario_id, archived)
    session.commit()
    return redirect(url_for("dispatch.index"))


# ---- plans ----


def _plan_page(plan: Plan, *, errors: dict | None = None, status: int = 200):
    session = get_session()
    scenario = scenarios.get(session, current_user, plan.scenario_id)
    transfers = planning.transfers_of(session, plan.id)
    ids = {t.from_facility_id for t in transfers} | {t.to_facility_id for t in transfers}
    unmet = session.exec(select(PlanUnmet).where(PlanUnmet.plan_id == plan.id)).all()
    ids |= {u.facility_id for u in unmet}
    rows, summary = planning.cover_changes(session, plan)
    facilities = {f.id: f for f in session.exec(select(Facility)).all()}
    items = {i.id: i for i in session.exec(select(Item)).all()}
    target = plan.problem["policy"]["bands"][-1]["below_days"]
    # the map: every depot of the problem, red where the plan still leaves a need
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
                label=f.name,
                status=status_class,
                tier=f.tier,
                group=_county_code(f, facilities),
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
                **{"from": facilities[f].name, "to": facilities[g].name},
                units=f"{units:,}",
                n=n,
            ),
        )
        for (f, g), (units, n) in sorted(routes.items())
    ]
    svg = render_map(points, lines=lines, title=_("Transfers of the plan"))
    plan_orders = orders.listing(session, current_user, plan_id=plan.id)
    return (
        render_template(
            "dispatch/plan.html",
            plan=plan,
            scenario=scenario,
            transfers=transfers,
            facilities=facilities,
            items=items,
            unmet=unmet,
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


def _county_code(f: Facility, facilities: dict[int, Facility]) -> str:
    code = f.region_code or ""
    return code[:6] if len(code) >= 6 else code


@bp.route("/plans/<int:plan_id>")
@login_required
def plan(plan_id: int):
    return _plan_page(planning.get_plan(get_session(), current_user, plan_id))


@bp.route("/plans/<int:plan_id>/lines/<int:transfer_id>", methods=["POST"])
@login_required
def plan_line(plan_id: int, transfer_id: int):
    """Change one line's quantity; refused lines leave the plan as it was."""
    session = get_session()
    raw = request.form.get("quantity", "").strip()
    quantity = int(raw) if raw.isdigit() else raw
    try:
        planning.adjust_transfer(session, current_user, plan_id, transfer_id, quantity)
        session.commit()
    except DomainError as exc:
        code = _fail(exc)
        if code == 403:
            abort(403)
        plan = planning.get_plan(session, current_user, plan_id)
        return _plan_page(plan, errors={transfer_id: exc.message}, status=code)
    flash(_("Line changed; the plan was checked and costed again."), "success")
    return redirect(url_for("dispatch.plan", plan_id=plan_id) + f"#line-{transfer_id}")


@bp.route("/plans/<int:plan_id>/issue", methods=["POST"])
@login_required
def plan_issue(plan_id: int):
    session = get_session()
    try:
        issued = orders.issue_plan(session, current_user, plan_id)
        session.commit()
    except DomainError as exc:
        if _fail(exc) == 403:
            abort(403)
        return redirect(url_for("dispatch.plan", plan_id=plan_id))
    flash(_("%(n)s allocation orders issued as drafts.", n=len(issued)), "success")
    return redirect(url_for("dispatch.plan", plan_id=plan_id) + "#orders")


@bp.route("/plans/<int:plan_id>/discard", methods=["POST"])
@login_required
def plan_discard(plan_id: int):
    session = get_session()
    try:
        plan = planning.discard(session, current_user, plan_id)
        session.commit()
    except DomainError as exc:
        if _fail(exc) == 403:
            abort(403)
        return redirect(url_for("dispatch.plan", plan_id=plan_id))
    flash(_("Plan discarded."), "success")
    return redirect(url_for("dispatch.scenario", scenario_id=plan.scenario_id))


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
            orders.approve(session, current_user, order.id)
            session.commit()
            approved += 1
        except Forbidden:
            session.rollback()
            abort(403)
        except DomainError as exc:
            session.rollback()
            refused.append(f"{order.number}: {exc.message}")
    if approved:
        flash(_("%(n)s orders approved; their stock is reserved.", n=approved), "success")
    for message in refused:
        flash(message, "error")
    return redirect(url_for("dispatch.plan", plan_id=plan_id) + "#orders")


@bp.route("/plans/<int:plan_id>/support", methods=["POST"])
@login_required
def plan_support(plan_id: int):
    session = get_session()
    try:
        req = support.create_from_plan(
            session,
            current_user,
            plan_id,
            addressee_kind=request.form.get("addressee_kind", ""),
            addressee=request.form.get("addressee", ""),
            note=request.form.get("note", ""),
        )
        session.commit()
    except DomainError as exc:
        code = _fail(exc)
        if code == 403:
            abort(403)
        plan = planning.get_plan(session, current_user, plan_id)
        return _plan_page(plan, status=code)
    flash(_("Support request %(number)s created.", number=req.number), "success")
    return redirect(url_for("dispatch.support_request", request_id=req.id))


# ---- orders ----


def _order_view(order: AllocationOrder) -> dict:
    session = get_session()
    lines = orders.lines_of(session, order.id)
    rows = orders.lots_of(session, [line.id for line in lines])
    lots = {
        lot.id: lot
        for lot in session.exec(select(Lot).where(Lot.id.in_([r.lot_id for r in rows] or [0])))
    }
    items = {
        i.id: i
        for i in session.exec(select(Item).where(Item.id.in_([ln.item_id for ln in lines] or [0])))
    }
    plan = session.get(Plan, order.plan_id) if order.plan_id else None
    return {
        "order": order,
        "sender": session.get(Facility, order.from_facility_id),
        "receiver": session.get(Facility, order.to_facility_id),
        "lines": [
            {
                "line": line,
                "item": items[line.item_id],
                "lots": [{"row": r, "lot": lots[r.lot_id]} for r in rows if r.line_id == line.id],
            }
            for line in lines
        ],
        "plan": plan,
        "scenario": scenarios.get(session, None, plan.scenario_id) if plan else None,
        "status_label": _labels().get(order.status, order.status),
        "user_name": _user_name,
    }


def _user_name(user_id: int | None) -> str:
    if user_id is None:
        return _("the system")
    user = get_session().get(User, user_id)
    return user.display_name or user.username if user else "?"


def _my_depots() -> set[int]:
    if current_user.role != Role.CLERK:
        return set()
    return facility_ids_of(get_session(), current_user)


@bp.route("/orders")
@login_required
def order_list():
    session = get_session()
    status = request.args.get("status") or None
    if status and status not in set(OrderStatus):
        status = None
    facility_id = request.args.get("facility", type=int)
    rows = orders.listing(session, current_user, status=status, facility_id=facility_id)
    facilities = {f.id: f for f in session.exec(select(Facility)).all()}
    return render_template(
        "dispatch/orders.html",
        orders=rows,
        facilities=facilities,
        status=status,
        statuses=list(OrderStatus),
        mine=_my_depots(),
    )


@bp.route("/orders/<int:order_id>")
@login_required
def order(order_id: int):
    session = get_session()
    o = orders.get_order(session, current_user, order_id)
    mine = _my_depots()
    return render_template(
        "dispatch/order.html",
        **_order_view(o),
        is_dispatcher=current_user.role == Role.DISPATCHER,
        may_dispatch=o.status == OrderStatus.APPROVED and o.from_facility_id in mine,
        may_receive=o.status == OrderStatus.DISPATCHED and o.to_facility_id in mine,
    )


@bp.route("/orders/<int:order_id>.pdf")
@login_required
def order_pdf(order_id: int):
    o = orders.get_order(get_session(), current_user, order_id)
    body = pdf.render_pdf(
        "dispatch/pdf/order.html", **_order_view(o), local_time=_local, generated_at=utcnow()
    )
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{o.number}.pdf"'},
    )


def _local(value) -> str:
    from labels import datetime_local

    return datetime_local(value)


def _order_action(order_id: int, action) -> Response:
    session = get_session()
    try:
        action(session)
        session.commit()
    except DomainError as exc:
        code = _fail(exc)
        if code in (403, 404):
            abort(code)
        return redirect(url_for("dispatch.order", order_id=order_id)), 303
    return redirect(url_for("dispatch.order", order_id=order_id))


@bp.route("/orders/<int:order_id>/approve", methods=["POST"])
@login_required
def order_approve(order_id: int):
    def act(session):
        o = orders.approve(session, current_user, order_id)
        flash(_("Order %(number)s approved; its stock is reserved.", number=o.number), "success")

    return _order_action(order_id, act)


@bp.route("/orders/<int:order_id>/cancel", methods=["POST"])
@login_required
def order_cancel(order_id: int):
    def act(session):
        o = orders.cancel(session, current_user, order_id, request.form.get("reason", ""))
        flash(_("Order %(number)s cancelled.", number=o.number), "success")

    return _order_action(order_id, act)


@bp.route("/orders/<int:order_id>/close", methods=["POST"])
@login_required
def order_close(order_id: int):
    def act(session):
        o = orders.close(session, current_user, order_id)
        flash(_("Order %(number)s closed.", number=o.number), "success")

    return _order_action(order_id, act)


@bp.route("/orders/<int:order_id>/dispatch", methods=["GET", "POST"])
@login_required
def order_dispatch(order_id: int):
    """The sending clerk picks lots (first expiry first is filled in) and confirms."""
    session = get_session()
    o = orders.get_order(session, current_user, order_id)
    if o.from_facility_id not in _my_depots():
        abort(403)
    view = _order_view(o)
    error, status = None, 200
    if request.method == "POST":
        picks = []
        bad = False
        for line in view["lines"]:
            for lot, _bal in orders_lots_available(o, line["line"].item_id):
                raw = request.form.get(f"pick-{line['line'].id}-{lot.id}", "").strip()
                if raw == "":
                    continue
                if not raw.isdigit():
                    bad = True
                    continue
                picks.append(Pick(line["line"].id, lot.id, int(raw)))
        try:
            if bad:
                raise ValidationError(_("Enter a whole number of units."), field="quantity")
            orders.dispatch(
                session, current_user, order_id, picks, note=request.form.get("note", "")
            )
            session.commit()
        except DomainError as exc:
            session.rollback()
            if exc.status_code == 403:
                abort(403)
            error, status = exc.message, exc.status_code
        else:
            flash(
                _("Order %(number)s dispatched: the stock is in transit.", number=o.number),
                "success",
            )
            return redirect(url_for("dispatch.order", order_id=order_id))
        o = orders.get_order(session, current_user, order_id)
        view = _order_view(o)
    if o.status != OrderStatus.APPROVED:
        flash(_("Only an approved order can be dispatched."), "error")
        return redirect(url_for("dispatch.order", order_id=order_id))
    suggested = {(p.line_id, p.lot_id): p.quantity for p in orders.suggested_picks(session, o)}
    choices = {
        line["line"].id: orders_lots_available(o, line["line"].item_id) for line in view["lines"]
    }
    return (
        render_template(
            "dispatch/dispatch.html",
            **view,
            suggested=suggested,
            choices=choices,
            error=error,
            today=local_today(),
            form=request.form if request.method == "POST" else None,
        ),
        status,
    )


def orders_lots_available(order: AllocationOrder, item_id: int):
    from inventory.services.movements import lots_on_hand

    today = local_today()
    return [
        (lot, balance)
        for lot, balance in lots_on_hand(get_session(), order.from_facility_id, item_id)
        if not lot.is_expired(today)
    ]


@bp.route("/orders/<int:order_id>/receive", methods=["GET", "POST"])
@login_required
def order_receive(order_id: int):
    """The receiving clerk counts each lot; short or damaged units need a note."""
    session = get_session()
    o = orders.get_order(session, current_user, order_id)
    if o.to_facility_id not in _my_depots():
        abort(403)
    if o.status != OrderStatus.DISPATCHED:
        flash(_("Only a dispatched order can be received."), "error")
        return redirect(url_for("dispatch.order", order_id=order_id))
    error, status = None, 200
    if request.method == "POST":
        arrivals, bad = [], False
        view = _order_view(o)
        for line in view["lines"]:
            for r in line["lots"]:
                if not r["row"].dispatched:
                    continue
                got = request.form.get(f"received-{r['row'].id}", "").strip()
                damaged = request.form.get(f"damaged-{r['row'].id}", "0").strip() or "0"
                if not got.isdigit() or not damaged.isdigit():
                    bad = True
                    continue
                arrivals.append(Arrival(r["row"].id, int(got), int(damaged)))
        try:
            if bad:
                raise ValidationError(_("Enter a whole number of units."), field="received")
            orders.receive(
                session, current_user, order_id, arrivals, note=request.form.get("note", "")
            )
            session.commit()
        except DomainError as exc:
            session.rollback()
            if exc.status_code == 403:
                abort(403)
            error, status = exc.message, exc.status_code
        else:
            flash(_("Order %(number)s received and booked in.", number=o.number), "success")
            return redirect(url_for("dispatch.order", order_id=order_id))
        o = orders.get_order(session, current_user, order_id)
    return (
        render_template(
            "dispatch/receive.html",
            **_order_view(o),
            error=error,
            form=request.form if request.method == "POST" else None,
        ),
        status,
    )


# ---- support requests ----


def _support_view(req: SupportRequest) -> dict:
    session = get_session()
    lines = support.lines_of(session, req.id)
    plan = session.get(Plan, req.plan_id) if req.plan_id else None
    scenario = scenarios.get(session, None, plan.scenario_id) if plan else None
    return {
        "request": req,
        "lines": lines,
        "totals": support.totals(lines),
        "plan": plan,
        "scenario": scenario,
        "target": planning.target_days(scenario) if scenario else None,
    }


@bp.route("/support/<int:request_id>")
@login_required
def support_request(request_id: int):
    req = support.get_request(get_session(), current_user, request_id)
    return render_template("dispatch/support.html", **_support_view(req))


@bp.route("/support/<int:request_id>.pdf")
@login_required
def support_pdf(request_id: int):
    req = support.get_request(get_session(), current_user, request_id)
    body = pdf.render_pdf("dispatch/pdf/support.html", **_support_view(req), local_time=_local)
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{req.number}.pdf"'},
    )


@bp.route("/support/<int:request_id>.json")
@login_required
def support_json(request_id: int):
    session = get_session()
    req = support.get_request(session, current_user, request_id)
    response = jsonify(support.as_json(session, req))
    response.headers["Content-Disposition"] = f'attachment; filename="{req.number}.json"'
    return response


__all__ = ["bp", "READERS"]
