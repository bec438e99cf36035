"""Support requests (紧急调拨单): what the city cannot cover, asked of a neighbour or province."""

import uuid
from collections import defaultdict

from flask_babel import gettext as _
from sqlmodel import Session, select

from accounts.models import User
from core.errors import Conflict, NotFound, ValidationError
from core.fields import NOTE_MAX
from core.timeutil import SHANGHAI, utcnow
from inventory.models import Facility, Item
from surge.models import Plan, PlanUnmet, SupportRequest, SupportRequestLine, SurgeScenario
from surge.services.access import require_dispatcher, require_reader

ADDRESSEE_KINDS = ("province", "neighbour_city")
# who Shaoxing asks (004: 申请邻市或省级医药储备支援)
ADDRESSEES = {
    "province": ("浙江省卫生健康委员会",),
    "neighbour_city": (
        "杭州市卫生健康委员会",
        "宁波市卫生健康委员会",
        "金华市卫生健康委员会",
        "台州市卫生健康委员会",
    ),
}


def create_from_plan(
    session: Session,
    actor: User | None,
    plan_id: int,
    *,
    addressee_kind: str,
    addressee: str,
    note: str = "",
) -> SupportRequest:
    """A request listing the plan's unmet need, per depot and item."""
    require_dispatcher(actor)
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(_("No such plan."))
    errors = {}
    if addressee_kind not in ADDRESSEE_KINDS:
        errors["addressee_kind"] = _("Choose the province or a neighbouring city.")
    addressee = (addressee or "").strip()
    if not addressee:
        errors["addressee"] = _("Name who the request goes to.")
    elif len(addressee) > 96:
        errors["addressee"] = _("At most %(n)s characters.", n=96)
    if len(note or "") > NOTE_MAX:
        errors["note"] = _("At most %(n)s characters.", n=NOTE_MAX)
    if errors:
        raise ValidationError(next(iter(errors.values())), fields=errors)
    unmet = session.exec(select(PlanUnmet).where(PlanUnmet.plan_id == plan.id)).all()
    if not unmet:
        raise Conflict(_("The plan meets every need: there is nothing to request."))
    request = SupportRequest(
        number=f"tmp-{uuid.uuid4().hex[:24]}",
        plan_id=plan.id,
        addressee_kind=addressee_kind,
        addressee=addressee,
        note=(note or "").strip(),
        created_by_id=actor.id if actor else None,
    )
    session.add(request)
    session.flush()
    request.number = f"ZY{request.created_at.astimezone(SHANGHAI).year}-{request.id:05d}"
    for row in unmet:
        session.add(
            SupportRequestLine(
                request_id=request.id,
                facility_id=row.facility_id,
                item_id=row.item_id,
                quantity=row.quantity,
            )
        )
    session.add(request)
    session.flush()
    return request


def get_request(session: Session, actor: User | None, request_id: int) -> SupportRequest:
    require_reader(actor)
    request = session.get(SupportRequest, request_id)
    if request is None:
        raise NotFound(_("No such support request."))
    return request


def listing(session: Session, actor: User | None) -> list[SupportRequest]:
    require_reader(actor)
    return list(session.exec(select(SupportRequest).order_by(SupportRequest.id.desc())).all())


def lines_of(session: Session, request_id: int) -> list[tuple[SupportRequestLine, Facility, Item]]:
    return list(
        session.exec(
            select(SupportRequestLine, Facility, Item)
            .join(Facility, Facility.id == SupportRequestLine.facility_id)
            .join(Item, Item.id == SupportRequestLine.item_id)
            .where(SupportRequestLine.request_id == request_id)
            .order_by(Item.code, Facility.code)
        ).all()
    )


def totals(lines) -> list[tuple[Item, int, int]]:
    """Per item: units asked for and the number of depots in need."""
    units: dict[int, int] = defaultdict(int)
    depots: dict[int, int] = defaultdict(int)
    items = {}
    for line, _facility, item in lines:
        units[item.id] += line.quantity
        depots[item.id] += 1
        items[item.id] = item
    return [(items[i], units[i], depots[i]) for i in sorted(items, key=lambda i: items[i].code)]


def as_json(session: Session, request: SupportRequest) -> dict:
    """The request as a document another system can read."""
    lines = lines_of(session, request.id)
    plan = session.get(Plan, request.plan_id) if request.plan_id else None
    scenario = session.get(SurgeScenario, plan.scenario_id) if plan else None
    return {
        "number": request.number,
        "kind": "紧急调拨单",
        "addressee_kind": request.addressee_kind,
        "addressee": request.addressee,
        "created_at": request.created_at.astimezone(SHANGHAI).isoformat(),
        "scenario": scenario.name if scenario else None,
        "horizon": (
            {"start": scenario.start_date.isoformat(), "days": scenario.horizon_days}
            if scenario
            else None
        ),
        "note": request.note,
        "items": [
            {
                "code": item.code,
                "name": item.name_zh,
                "name_en": item.name_en,
                "unit": item.unit_zh,
                "quantity": quantity,
                "facilities_in_need": depots,
            }
            for item, quantity, depots in totals(lines)
        ],
        "lines": [
            {
                "facility_code": facility.code,
                "facility": facility.name,
                "lat": facility.lat,
                "lon": facility.lon,
                "item_code": item.code,
                "item": item.name_zh,
                "quantity": line.quantity,
            }
            for line, facility, item in lines
        ],
        "generated_at": utcnow().astimezone(SHANGHAI).isoformat(),
    }
