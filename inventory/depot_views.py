"""The clerk's pages: my depot's stock, recording movements, counts, history, stock cards."""

import uuid
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlmodel import select
from wtforms.fields.choices import SelectChoice

from accounts.models import Role
from accounts.services import facility_ids_of
from core.db import get_session, unit_of_work
from core.errors import DomainError
from core.fields import NOTE_MAX
from core.i18n import current_language
from inventory.depot_recording import count_lines, form_errors, post_movement, web_key
from inventory.extensions import EXTENSIONS
from inventory.forms import MOVEMENT_FORMS, ReversalForm
from inventory.models import CatalogEntry, Facility, Item, Lot, Movement, MovementKind
from inventory.services import corrections, lots, spreadsheets
from inventory.services.stock import (
    HistoryFilter,
    can_record,
    depot_for,
    depot_stock,
    lookups,
    movement_history,
    stock_card,
)

bp = Blueprint("depot", __name__, template_folder="templates")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIND_LABELS = {kind: label for kind, (_form, label) in MOVEMENT_FORMS.items()}


def _depot(facility_id: int) -> Facility:
    return depot_for(get_session(), current_user, facility_id)


def _require_recorder(facility: Facility) -> None:
    if not can_record(get_session(), current_user, facility.id):
        abort(403)


def _item_choices(facility: Facility) -> list[SelectChoice]:
    session = get_session()
    lang = current_language()
    in_catalog = select(CatalogEntry.item_id).where(CatalogEntry.tier == facility.tier)
    items = session.exec(
        select(Item).where(Item.active.is_(True), Item.id.in_(in_catalog)).order_by(Item.code)
    ).all()
    others = session.exec(
        select(Item).where(Item.active.is_(True), Item.id.not_in(in_catalog)).order_by(Item.code)
    ).all()
    return [SelectChoice(i.id, f"{i.code} · {i.name(lang)}") for i in [*items, *others]]


def _depot_choices(facility: Facility) -> list[SelectChoice]:
    rows = get_session().exec(
        select(Facility)
        .where(Facility.active.is_(True), Facility.id != facility.id)
        .order_by(Facility.code)
    )
    return [SelectChoice(f.id, f"{f.code} · {f.name}") for f in rows]


@bp.route("/")
@login_required
def mine():
    """A clerk's depots; with one depot, straight to it."""
    session = get_session()
    if current_user.role != Role.CLERK:
        return redirect(url_for("inventory.home"))
    ids = sorted(facility_ids_of(session, current_user))
    if len(ids) == 1:
        return redirect(url_for("depot.stock", facility_id=ids[0]))
    depots = session.exec(
        select(Facility).where(Facility.id.in_(ids)).order_by(Facility.code)
    ).all()
    return render_template("inventory/my_depots.html", depots=depots)


@bp.route("/<int:facility_id>")
@login_required
def stock(facility_id: int):
    """The depot's stock by item and lot, with days of cover."""
    facility = _depot(facility_id)
    return render_template(
        "inventory/depot_stock.html",
        facility=facility,
        stock=depot_stock(get_session(), facility),
        can_record=can_record(get_session(), current_user, facility.id),
        kinds=KIND_LABELS,
        orders=_open_orders(facility),
    )


def _open_orders(facility: Facility) -> list:
    """Allocation orders still on their way to or from this depot, for its clerk (as the surge
    answers it; see inventory/extensions.py)."""
    query = EXTENSIONS.open_orders
    return [] if query is None else query(get_session(), facility.id)


@bp.route("/<int:facility_id>/record/<kind>", methods=["GET", "POST"])
@login_required
def record(facility_id: int, kind: str):
    """One form per movement type; errors come back on the form, nothing is saved."""
    if kind not in MOVEMENT_FORMS:
        abort(404)
    facility = _depot(facility_id)
    _require_recorder(facility)
    form_class, title = MOVEMENT_FORMS[kind]
    form = form_class()
    form.item_id.choices = _item_choices(facility)
    if hasattr(form, "counterpart_id"):
        form.counterpart_id.choices = _depot_choices(facility)
    if request.method == "GET" and request.args.get("item", type=int):
        form.item_id.data = request.args.get("item", type=int)
    status = 200
    if form.validate_on_submit():
        try:
            with unit_of_work() as session:
                post_movement(session, current_user, kind, form, facility)
        except DomainError as exc:
            form_errors(form, exc)
            status = exc.status_code if exc.status_code in (403, 409) else 422
        else:
            flash(_("%(kind)s recorded.", kind=title), "success")
            if request.form.get("again"):
                return redirect(url_for("depot.record", facility_id=facility.id, kind=kind))
            return redirect(url_for("depot.stock", facility_id=facility.id))
    elif form.errors:
        status = 422
    fefo = None
    if kind in ("issue", "transfer_out") and form.item_id.data and form.quantity.data:
        fefo = lots.suggest_lots(get_session(), facility.id, form.item_id.data, form.quantity.data)
    return (
        render_template(
            "inventory/record.html",
            facility=facility,
            form=form,
            kind=kind,
            title=title,
            fefo=fefo,
            lots=_known_lots(facility, form.item_id.data),
        ),
        status,
    )


def _known_lots(facility: Facility, item_id: int | None) -> list[Lot]:
    if not item_id:
        return []
    return [lot for lot, _b in lots.lots_on_hand(get_session(), facility.id, item_id)]


@bp.route("/<int:facility_id>/count/<int:item_id>", methods=["GET", "POST"])
@login_required
def count(facility_id: int, item_id: int):
    """Enter what is on the shelf per lot; the variances are posted as count adjustments."""
    facility = _depot(facility_id)
    _require_recorder(facility)
    session = get_session()
    item = session.get(Item, item_id) or abort(404)
    on_books = lots.lots_on_hand(session, facility.id, item.id)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        lines, errors = count_lines(request.form)
        note = request.form.get("note", "").strip()
        if len(note) > NOTE_MAX:
            errors["note"] = _("At most %(n)d characters.", n=NOTE_MAX)
        if not errors:
            try:
                with unit_of_work():
                    rows = corrections.count(
                        session,
                        current_user,
                        facility_id=facility.id,
                        item_id=item.id,
                        lines=lines,
                        note=note,
                        idempotency_key=web_key(current_user, request.form.get("idempotency_key")),
                    )
            except DomainError as exc:
                errors = {"form": exc.message}
            else:
                flash(_("Stock count posted: %(n)d variance(s).", n=len(rows)), "success")
                return redirect(url_for("depot.stock", facility_id=facility.id))
        status = 422
    return (
        render_template(
            "inventory/count.html",
            facility=facility,
            item=item,
            on_books=on_books,
            errors=errors,
            key=uuid.uuid4().hex,
            values=request.form,
        ),
        status,
    )


@bp.route("/<int:facility_id>/history")
@login_required
def history(facility_id: int):
    """The depot's movements, newest first, with filters and paging."""
    facility = _depot(facility_id)
    filters, page = _history_filter()
    result = movement_history(get_session(), [facility.id], filters, page=page)
    return render_template(
        "inventory/history.html",
        facility=facility,
        result=result,
        filters=filters,
        items=_item_choices(facility),
        kinds=list(MovementKind),
        can_record=can_record(get_session(), current_user, facility.id),
        lookup=lookups(get_session(), result.rows),
    )


def _history_filter() -> tuple[HistoryFilter, int]:
    def day(name):
        try:
            return date.fromisoformat(request.args.get(name, ""))
        except ValueError:
            return None

    kind = request.args.get("kind") or None
    return (
        HistoryFilter(
            item_id=request.args.get("item", type=int),
            kind=kind if kind in set(MovementKind) else None,
            since=day("since"),
            until=day("until"),
        ),
        max(1, request.args.get("page", 1, type=int)),
    )


@bp.route("/<int:facility_id>/card/<int:item_id>")
@login_required
def card(facility_id: int, item_id: int):
    """The printable stock card of one item at the depot."""
    facility = _depot(facility_id)
    item = get_session().get(Item, item_id) or abort(404)
    lines = stock_card(get_session(), facility, item)
    return render_template(
        "inventory/stock_card.html",
        facility=facility,
        item=item,
        lines=lines,
        lookup=lookups(get_session(), [line.movement for line in lines]),
    )


@bp.route("/<int:facility_id>/movements/<int:movement_id>/reverse", methods=["GET", "POST"])
@login_required
def reverse(facility_id: int, movement_id: int):
    """Correct a movement with a reversing entry."""
    facility = _depot(facility_id)
    _require_recorder(facility)
    session = get_session()
    movement = session.get(Movement, movement_id)
    if movement is None or movement.facility_id != facility.id:
        abort(404)
    form = ReversalForm()
    status = 200
    if form.validate_on_submit():
        try:
            with unit_of_work():
                corrections.reverse(
                    session,
                    current_user,
                    movement.id,
                    note=form.note.data.strip(),
                    idempotency_key=web_key(current_user, form.idempotency_key.data),
                )
        except DomainError as exc:
            form_errors(form, exc)
            status = 409 if exc.status_code == 409 else 422
        else:
            flash(_("The movement was reversed."), "success")
            return redirect(url_for("depot.history", facility_id=facility.id))
    elif form.errors:
        status = 422
    return (
        render_template(
            "inventory/reverse.html",
            facility=facility,
            movement=movement,
            form=form,
            lookup=lookups(get_session(), [movement]),
        ),
        status,
    )


def _download(data: bytes, filename: str, fmt: str) -> Response:
    mimetype = "text/csv; charset=utf-8" if fmt == "csv" else XLSX
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    return response


@bp.route("/<int:facility_id>/count-sheet.xlsx")
@login_required
def count_sheet(facility_id: int):
    """The stock-count template of the depot, with every lot on the books."""
    facility = _depot(facility_id)
    _require_recorder(facility)
    data = spreadsheets.stock_count_template(get_session(), facility, lang=current_language())
    return _download(data, f"count-{facility.code}-{date.today().isoformat()}.xlsx", "xlsx")


@bp.route("/<int:facility_id>/count-sheet", methods=["GET", "POST"])
@login_required
def upload_count(facility_id: int):
    """Upload a filled stock-count sheet: applied whole, or not at all with every error."""
    facility = _depot(facility_id)
    _require_recorder(facility)
    problems, message, status = [], None, 200
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            if upload is None or not upload.filename:
                raise spreadsheets.SpreadsheetError(_("Choose the filled-in file."))
            with unit_of_work() as session:
                result = spreadsheets.import_stock_count(
                    session, current_user, facility, upload.read(), lang=current_language()
                )
        except spreadsheets.SpreadsheetError as exc:
            problems, message, status = exc.rows, exc.message, 422
        else:
            flash(
                _(
                    "Stock count imported: %(lots)d lots counted, %(n)d variance(s) posted.",
                    lots=result.lots_counted,
                    n=len(result.movements),
                ),
                "success",
            )
            return redirect(url_for("depot.stock", facility_id=facility.id))
    return (
        render_template(
            "inventory/upload_count.html", facility=facility, problems=problems, message=message
        ),
        status,
    )


@bp.route("/<int:facility_id>/export/stock.<fmt>")
@login_required
def export_stock(facility_id: int, fmt: str):
    """The depot's current stock as XLSX or CSV."""
    if fmt not in ("xlsx", "csv"):
        abort(404)
    facility = _depot(facility_id)
    data = spreadsheets.export_stock(get_session(), [facility.id], fmt, lang=current_language())
    return _download(data, f"stock-{facility.code}.{fmt}", fmt)


@bp.route("/<int:facility_id>/export/movements.<fmt>")
@login_required
def export_movements(facility_id: int, fmt: str):
    """The depot's movements, filtered like the history page, as XLSX or CSV."""
    if fmt not in ("xlsx", "csv"):
        abort(404)
    facility = _depot(facility_id)
    filters, _page = _history_filter()
    data = spreadsheets.export_movements(
        get_session(), [facility.id], filters, fmt, lang=current_language()
    )
    return _download(data, f"movements-{facility.code}.{fmt}", fmt)
