"""Movements, balances, depots and items over JSON (/api/v1), for integrations.

One commit per request, after the service call; a retried POST with the same
`Idempotency-Key` header answers 200 with the movements the first one recorded.
"""

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import RAISE
from sqlmodel import func, select
from werkzeug.exceptions import HTTPException

from core.api_framework import authenticate, errors
from core.db import get_session, keep_loaded, unit_of_work
from core.errors import DomainError
from core.timeutil import SHANGHAI, as_utc
from inventory.api_schemas import (
    BalanceArgs,
    BalancePage,
    CountIn,
    FacilitySchema,
    IdempotencyHeader,
    ItemSchema,
    MovementArgs,
    MovementIn,
    MovementList,
    MovementPage,
    MovementSchema,
    ReversalIn,
)
from inventory.models import Balance, Facility, Item, Lot, Movement
from inventory.services import by_kind, corrections, ledger, movements, recording
from inventory.services.corrections import CountLine
from inventory.services.stock import (
    HistoryFilter,
    depot_for,
    movement_history,
    visible_facility_ids,
)

blp = Blueprint("api", __name__, description="Stock recording for integrations")


blp.before_request(authenticate)


def _by_code(model, code: str | None, field: str):
    if code is None:
        return None
    row = get_session().exec(select(model).where(model.code == code)).first()
    if row is None:
        abort(422, errors={"json": {field: [f"unknown {field} {code!r}"]}})
    return row


def _key(headers: dict) -> str | None:
    key = headers.get("idempotency_key")
    # keys are per user, so two integrations cannot collide
    return f"api:{g.api_user.id}:{key}" if key else None


def _serialise(rows: list[Movement]) -> list[dict]:
    session = get_session()
    # the request has usually loaded these already: session.get finds them without a query
    lot, item, facility = (
        (lambda i: session.get(Lot, i)),
        (lambda i: session.get(Item, i)),
        (lambda i: session.get(Facility, i)),
    )
    return [
        {
            "id": m.id,
            "type": m.kind,
            "facility": facility(m.facility_id).code,
            "item": item(m.item_id).code,
            "lot_no": lot(m.lot_id).lot_no,
            "form": m.form,
            "quantity": m.quantity,
            "balance_after": m.balance_after,
            "reason": m.reason,
            "counterpart": facility(m.counterpart_facility_id).code
            if m.counterpart_facility_id
            else None,
            "order_ref": m.order_ref,
            "note": m.note,
            "occurred_at": as_utc(m.occurred_at).astimezone(SHANGHAI).isoformat(),
            "user": m.user_id,
        }
        for m in rows
    ]


def _readable(facility_id: int) -> None:
    """403 unless the token's user may read this depot's stock and ledger."""
    try:
        depot_for(get_session(), g.api_user, facility_id)
    except DomainError as exc:
        _domain_abort(exc)


def _domain_abort(exc: DomainError):
    get_session().rollback()
    details = {"errors": {"json": exc.fields}} if exc.fields else {}
    abort(exc.status_code, message=exc.message, **details)


@blp.route("/facilities")
class Facilities(MethodView):
    @blp.response(200, FacilitySchema(many=True))
    @errors(401)
    def get(self):
        """Every active depot."""
        return (
            get_session()
            .exec(select(Facility).where(Facility.active.is_(True)).order_by(Facility.code))
            .all()
        )


@blp.route("/items")
class Items(MethodView):
    @blp.response(200, ItemSchema(many=True))
    @errors(401)
    def get(self):
        """Every active item."""
        return (
            get_session().exec(select(Item).where(Item.active.is_(True)).order_by(Item.code)).all()
        )


@blp.route("/balances")
class Balances(MethodView):
    @blp.arguments(BalanceArgs(), location="query", unknown=RAISE)
    @blp.response(200, BalancePage)
    @errors(401, 403)
    def get(self, args):
        """Balances per depot, item, lot and form (quantity > 0), paged; clerks read their
        own depots only."""
        session = get_session()
        query = (
            select(Facility.code, Item.code, Lot.lot_no, Lot.expiry, Balance)
            .join(Facility, Facility.id == Balance.facility_id)
            .join(Item, Item.id == Balance.item_id)
            .join(Lot, Lot.id == Balance.lot_id)
            .where(Balance.quantity > 0)
        )
        if (f := _by_code(Facility, args.get("facility"), "facility")) is not None:
            _readable(f.id)
            query = query.where(Balance.facility_id == f.id)
        elif (own := visible_facility_ids(session, g.api_user)) is not None:
            query = query.where(Balance.facility_id.in_(own))
        if (i := _by_code(Item, args.get("item"), "item")) is not None:
            query = query.where(Balance.item_id == i.id)
        if args.get("form"):
            query = query.where(Balance.form == args["form"])
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(
            query.order_by(Facility.code, Item.code, Lot.lot_no)
            .offset((args["page"] - 1) * args["per_page"])
            .limit(args["per_page"])
        ).all()
        return {
            "total": total,
            "page": args["page"],
            "items": [
                {
                    "facility": fc,
                    "item": ic,
                    "lot_no": lot_no,
                    "expiry": expiry,
                    "form": b.form,
                    "quantity": b.quantity,
                    "reserved": b.reserved,
                    "available": b.available,
                }
                for fc, ic, lot_no, expiry, b in rows
            ],
        }


@blp.route("/movements")
class Movements(MethodView):
    @blp.arguments(MovementArgs(), location="query", unknown=RAISE)
    @blp.response(200, MovementPage)
    @errors(401, 403)
    def get(self, args):
        """Ledger rows, newest first, filtered and paged; clerks read their own depots only."""
        session = get_session()
        facility = _by_code(Facility, args.get("facility"), "facility")
        item = _by_code(Item, args.get("item"), "item")
        if facility is not None:
            _readable(facility.id)
            ids = [facility.id]
        elif (own := visible_facility_ids(session, g.api_user)) is not None:
            ids = own
        else:
            ids = list(session.exec(select(Facility.id)).all())
        page = movement_history(
            session,
            ids,
            HistoryFilter(
                item_id=item.id if item else None,
                kind=args.get("kind"),
                since=args.get("since"),
                until=args.get("until"),
            ),
            page=args["page"],
            per_page=args["per_page"],
        )
        return {"total": page.total, "page": page.page, "items": _serialise(page.rows)}

    # schema instances, not classes: webargs would build (and deep-copy) a class per request
    @blp.arguments(MovementIn())
    @blp.arguments(IdempotencyHeader(), location="headers")
    @blp.response(201, MovementList)
    @blp.alt_response(200, schema=MovementList, description="A retry: the original movements")
    @errors(401, 403, 409, 413)
    def post(self, body, headers):
        """Record a movement; a retried request with the same Idempotency-Key is a no-op."""
        session = get_session()
        key = _key(headers)
        # objects loaded while recording stay referenced, so the answer is built without a query
        with keep_loaded(session):
            try:
                with unit_of_work(), movements.posting_first(session):
                    payload = {"movements": _serialise(_record(session, body, key))}
            except (ledger.KeyUsed, DomainError, HTTPException) as exc:
                # the key is looked up only now (rolled back): a retry of a recorded request
                # answers with the original movements, whatever has changed since (stock, the
                # lot's expiry)
                if key and (earlier := recording.replay(session, key)) is not None:
                    return _json({"movements": _serialise(earlier)}, 200)
                if isinstance(exc, ledger.KeyUsed):
                    abort(409, message="The Idempotency-Key is already used by another request.")
                if isinstance(exc, DomainError):
                    _domain_abort(exc)
                raise
        # the rows are plain dicts already shaped as MovementList: no second dump
        return _json(payload, 201)


def _json(payload: dict, status: int):
    response = current_app.json.response(payload)
    response.status_code = status
    return response


def _record(session, body: dict, key: str | None) -> list[Movement]:
    """Post what the request body asks for (on the hot path: keys are not looked up first)."""
    facility, item, counterpart = _depot_item_counterpart(session, body)
    kind = body["type"]
    if kind in ("transfer_out", "transfer_in") and counterpart is None:
        abort(422, errors={"json": {"counterpart": ["required for transfers"]}})
    if kind in ("receipt", "transfer_in", "adjustment") and not body.get("lot_no"):
        abort(422, errors={"json": {"lot_no": ["required for this type"]}})
    if kind == "adjustment" and not body.get("reason"):
        abort(422, errors={"json": {"reason": ["required for adjustments"]}})
    return by_kind.record(
        session,
        g.api_user,
        kind,
        facility_id=facility.id,
        item_id=item.id,
        quantity=body["quantity"],
        lot_no=body.get("lot_no"),
        expiry=body.get("expiry"),
        source=body["source"],
        form=body["form"],
        counterpart_id=counterpart.id if counterpart else None,
        order_ref=body.get("order_ref"),
        reason=body.get("reason") or "",
        note=body["note"],
        occurred_at=body.get("occurred_at"),
        idempotency_key=key,
    )


def _depot_item_counterpart(session, body: dict) -> tuple[Facility, Item, Facility | None]:
    # the depot, the item and the lot in one statement; depot or item unknown: say which
    lot_no = (body.get("lot_no") or "").strip()
    found = recording.load_by_codes(session, g.api_user, body["facility"], body["item"], lot_no)
    if found is None:
        found = (
            _by_code(Facility, body["facility"], "facility"),
            _by_code(Item, body["item"], "item"),
        )
    return (*found, _by_code(Facility, body.get("counterpart"), "counterpart"))


# ids are 32-bit integers in the database; a larger one is simply not found
MOVEMENT_ID = "<int(max=2147483647):movement_id>"


@blp.route(f"/movements/{MOVEMENT_ID}")
class MovementById(MethodView):
    @blp.response(200, MovementSchema)
    @errors(401, 403, 404)
    def get(self, movement_id: int):
        """One ledger row."""
        row = get_session().get(Movement, movement_id)
        if row is None:
            abort(404, message="no such movement")
        _readable(row.facility_id)
        return _serialise([row])[0]


@blp.route(f"/movements/{MOVEMENT_ID}/reversal")
class Reversal(MethodView):
    @blp.arguments(ReversalIn())
    @blp.arguments(IdempotencyHeader(), location="headers")
    @blp.response(201, MovementList)
    @errors(401, 403, 404, 409, 413)
    def post(self, body, headers, movement_id: int):
        """Correct a movement with a reversing entry."""
        session = get_session()
        try:
            with unit_of_work():
                row = corrections.reverse(
                    session,
                    g.api_user,
                    movement_id,
                    note=body["note"],
                    idempotency_key=_key(headers),
                )
        except DomainError as exc:
            _domain_abort(exc)
        return {"movements": _serialise([row])}


@blp.route("/counts")
class Counts(MethodView):
    @blp.arguments(CountIn())
    @blp.arguments(IdempotencyHeader(), location="headers")
    @blp.response(201, MovementList)
    @errors(401, 403, 409, 413)
    def post(self, body, headers):
        """Post a stock count: the variance of each counted lot becomes a count movement."""
        session = get_session()
        facility = _by_code(Facility, body["facility"], "facility")
        item = _by_code(Item, body["item"], "item")
        lines = [CountLine(x["lot_no"], x["counted"], x.get("expiry")) for x in body["lines"]]
        try:
            with unit_of_work():
                rows = corrections.count(
                    session,
                    g.api_user,
                    facility_id=facility.id,
                    item_id=item.id,
                    lines=lines,
                    note=body["note"],
                    idempotency_key=_key(headers),
                )
        except DomainError as exc:
            _domain_abort(exc)
        return {"movements": _serialise(rows)}
