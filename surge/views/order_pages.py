"""Allocation orders: the list, one order, its PDF, the office's actions, dispatch and receipt."""

from flask import (
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
from sqlmodel import select

from accounts.models import Role, User
from accounts.services import facility_ids_of
from core.db import get_session, unit_of_work
from core.errors import DomainError, ValidationError
from core.timeutil import local_today, utcnow
from inventory.models import Facility, Item, Lot
from inventory.services.lots import lots_on_hand
from surge import pdf
from surge.models import (
    AllocationOrder,
    OrderStatus,
    Plan,
)
from surge.services import orders, scenarios, shipping
from surge.services.shipping import Arrival, Pick
from surge.views.common import attempt, bp, local_time, order_status_labels

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
        "status_label": order_status_labels().get(order.status, order.status),
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
        "surge/orders.html",
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
        "surge/order.html",
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
        "surge/pdf/order.html",
        lambda: _order_view(o),
        local_time=local_time,
        generated_at=utcnow(),
    )
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{o.number}.pdf"'},
    )


def _order_action(order_id: int, action) -> Response:
    back = url_for("surge.order", order_id=order_id)
    attempt(action, back)
    return redirect(back)


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


def _clerk_step(step, order_id: int, entries: list, *, bad_field: str | None, done_message: str):
    """Book a clerk's dispatch or receipt from the submitted form and commit it.

    Gives (the redirect to the order, None, 200) once booked, with done_message flashed; else
    (None, message, status) to show the form again with, nothing booked. bad_field names the
    field when the form held something other than whole numbers: the step is not run then.
    A refusal for want of rights is the 403 page.
    """
    try:
        if bad_field:
            raise ValidationError(_("Enter a whole number of units."), field=bad_field)
        with unit_of_work() as session:
            step(session, current_user, order_id, entries, note=request.form.get("note", ""))
    except DomainError as exc:
        if exc.status_code == 403:
            abort(403)
        return None, exc.message, exc.status_code
    flash(done_message, "success")
    return redirect(url_for("surge.order", order_id=order_id)), None, 200


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
        done, error, status = _clerk_step(
            shipping.dispatch,
            order_id,
            picks,
            bad_field="quantity" if bad else None,
            done_message=_(
                "Order %(number)s dispatched: the stock is in transit.", number=o.number
            ),
        )
        if done is not None:
            return done
        o = orders.get_order(session, current_user, order_id)
        view = _order_view(o)
    if o.status != OrderStatus.APPROVED:
        flash(_("Only an approved order can be dispatched."), "error")
        return redirect(url_for("surge.order", order_id=order_id))
    suggested = {(p.line_id, p.lot_id): p.quantity for p in shipping.suggested_picks(session, o)}
    choices = {
        line["line"].id: orders_lots_available(o, line["line"].item_id) for line in view["lines"]
    }
    return (
        render_template(
            "surge/dispatch.html",
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
        return redirect(url_for("surge.order", order_id=order_id))
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
        done, error, status = _clerk_step(
            shipping.receive,
            order_id,
            arrivals,
            bad_field="received" if bad else None,
            done_message=_("Order %(number)s received and booked in.", number=o.number),
        )
        if done is not None:
            return done
        o = orders.get_order(session, current_user, order_id)
    return (
        render_template(
            "surge/receive.html",
            **_order_view(o),
            error=error,
            form=request.form if request.method == "POST" else None,
        ),
        status,
    )
