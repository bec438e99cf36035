"""Plans: the optimizer's problem built from live balances and a scenario, solved and kept.

The problem follows rebalance-spec.md: every active depot with coordinates is a facility
(its code is the id), every active item an item (its code is the id); `on_hand` is usable
physical stock (lots not expired on the scenario's start date, minus what approved orders
reserved); `daily_need` is the full-load usage norm, multiplied and raised at the depots the
scenario affects. The target T is the scenario's target days, capped by its horizon (a
14-day surge needs no more than 14 days of cover); the bands put the deepest shortage first.
"""

import math
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, delete, select

import optimizer
from accounts.models import User
from core.errors import Conflict, NotFound, ValidationError
from core.i18n import current_language, localized_name
from core.timeutil import local_today
from inventory.models import Balance, Facility, Item, Lot, ReserveForm, UsageNorm
from inventory.rules.expiry import usable_clause
from optimizer.check import PlanError, evaluate
from surge.models import Plan, PlanStatus, PlanTransfer, PlanUnmet, SurgeScenario
from surge.services.access import require_dispatcher, require_reader
from surge.services.scenarios import affected_facility_ids

# (share of T, cost per day): below 30 % of T a missing day costs 100, below 70 % 10, then 1
BAND_SHAPE = ((0.3, 100.0), (0.7, 10.0), (1.0, 1.0))


def target_days(scenario: SurgeScenario) -> int:
    """The cover to lift depots to: the target, but never beyond the surge's horizon."""
    return max(1, min(scenario.target_days, scenario.horizon_days))


def bands(target: int) -> list[dict]:
    """Convex bands ending at T, with strictly decreasing costs."""
    out: list[dict] = []
    for share, cost in BAND_SHAPE:
        bound = target if share >= 1 else max(1, math.ceil(target * share))
        if out and bound <= out[-1]["below_days"]:
            continue
        out.append({"below_days": bound, "cost_per_day": cost})
    return out


def usable_stock(session: Session, on_date: date) -> dict[tuple[int, int], int]:
    """Physical stock per (depot, item) that can still be sent on `on_date`."""
    usable = func.sum(Balance.quantity - Balance.reserved)
    query = (
        select(Balance.facility_id, Balance.item_id, usable)
        .join(Lot, Lot.id == Balance.lot_id)
        .where(
            Balance.form == ReserveForm.PHYSICAL,
            Balance.quantity > Balance.reserved,
            usable_clause(Lot.expiry, on_date),
        )
        .group_by(Balance.facility_id, Balance.item_id)
    )
    return {(f, i): int(q) for f, i, q in session.exec(query) if q and q > 0}


def daily_needs(
    session: Session, scenario: SurgeScenario, affected: set[int]
) -> dict[tuple[int, int], float]:
    """Full-load use per (depot, item), with the surge at the affected depots."""
    categories = dict(session.exec(select(Item.id, Item.category)).all())
    needs = {}
    for fid, iid, usage in session.exec(
        select(UsageNorm.facility_id, UsageNorm.item_id, UsageNorm.daily_usage)
    ):
        need = float(usage)
        if fid in affected:
            rule = scenario.category_rules.get(categories.get(iid), {})
            multiplier = rule.get("multiplier")
            need = need * (scenario.multiplier if multiplier is None else multiplier)
            need += float(rule.get("extra") or 0)
        needs[(fid, iid)] = need
    return needs


@dataclass
class Built:
    """A problem and the rows its ids stand for."""

    problem: dict
    facilities: dict[str, Facility]
    items: dict[str, Item]
    affected: set[int]


def build_problem(session: Session, scenario: SurgeScenario, today: date | None = None) -> Built:
    """The optimizer's input for this scenario on today's balances."""
    today = today or local_today()
    on_date = max(today, scenario.start_date)
    depots = session.exec(
        select(Facility)
        .where(Facility.active.is_(True), Facility.lat.is_not(None), Facility.lon.is_not(None))
        .order_by(Facility.code)
    ).all()
    by_id = {f.id: f for f in depots}
    items = session.exec(select(Item).where(Item.active.is_(True)).order_by(Item.code)).all()
    item_by_id = {i.id: i for i in items}
    affected = affected_facility_ids(session, scenario) & set(by_id)
    stock = usable_stock(session, on_date)
    needs = daily_needs(session, scenario, affected)
    floors = scenario.floor_days or {}
    facilities = []
    for f in depots:
        parent = by_id.get(f.parent_id)
        floor = floors.get(f.tier)
        facilities.append(
            {
                "id": f.code,
                "name": f.name,
                "tier": f.tier,
                "parent": parent.code if parent else None,
                "lat": f.lat,
                "lon": f.lon,
                "priority": 1.0,
                "floor_days": None if floor is None else float(floor),
            }
        )
    rows = []
    for key in sorted(set(stock) | set(needs)):
        fid, iid = key
        if fid not in by_id or iid not in item_by_id:
            continue
        on_hand, need = stock.get(key, 0), needs.get(key, 0.0)
        if on_hand == 0 and need <= 0:
            continue
        rows.append(
            {
                "facility": by_id[fid].code,
                "item": item_by_id[iid].code,
                "on_hand": on_hand,
                "daily_need": round(need, 6),
            }
        )
    target = target_days(scenario)
    policy = {
        "bands": bands(target),
        "donor_floor_days": target,
        "max_distance_km": scenario.max_distance_km,
        "links": "hierarchy" if scenario.links == "hierarchy" else "any",
        "road_factor": scenario.road_factor,
    }
    problem = {
        "version": 1,
        "facilities": facilities,
        "items": [
            {
                "id": i.code,
                "name": i.name_zh,
                "priority": float(i.criticality),
                "unit_kg": i.unit_kg,
            }
            for i in items
        ],
        "stock": rows,
        "policy": policy,
    }
    return Built(
        problem=problem,
        facilities={f.code: f for f in depots},
        items={i.code: i for i in items},
        affected=affected,
    )


def _ids(session: Session) -> tuple[dict[str, int], dict[str, int]]:
    facilities = dict(session.exec(select(Facility.code, Facility.id)).all())
    items = dict(session.exec(select(Item.code, Item.id)).all())
    return facilities, items


def _store_unmet(session: Session, plan: Plan, unmet: list[dict]) -> None:
    facility_ids, item_ids = _ids(session)
    session.exec(delete(PlanUnmet).where(PlanUnmet.plan_id == plan.id))
    for row in unmet:
        session.add(
            PlanUnmet(
                plan_id=plan.id,
                facility_id=facility_ids[row["facility"]],
                item_id=item_ids[row["item"]],
                quantity=int(row["qty"]),
            )
        )


def create_plan(
    session: Session, actor: User | None, scenario_id: int, *, today: date | None = None
) -> Plan:
    """Solve the scenario on the live balances and keep the plan, open for adjustment."""
    require_dispatcher(actor)
    scenario = session.get(SurgeScenario, scenario_id)
    if scenario is None:
        raise NotFound(_("No such scenario."))
    built = build_problem(session, scenario, today)
    if not built.problem["stock"]:
        raise Conflict(_("There is no stock and no need to plan for."))
    result = optimizer.solve(built.problem)
    plan = Plan(
        scenario_id=scenario.id,
        problem=built.problem,
        shortage_before=result["shortage_cost_before"],
        optimal_shortage=result["shortage_cost"],
        optimal_transport=result["transport_cost"],
        shortage_cost=result["shortage_cost"],
        transport_cost=result["transport_cost"],
        solve_seconds=result["seconds"],
        created_by_id=actor.id if actor else None,
    )
    session.add(plan)
    session.flush()
    facility_ids, item_ids = _ids(session)
    for t in result["transfers"]:
        session.add(
            PlanTransfer(
                plan_id=plan.id,
                from_facility_id=facility_ids[t["from"]],
                to_facility_id=facility_ids[t["to"]],
                item_id=item_ids[t["item"]],
                proposed_quantity=t["qty"],
                quantity=t["qty"],
                km=round(t["km"], 3),
            )
        )
    _store_unmet(session, plan, result["unmet"])
    session.flush()
    return plan


def get_plan(session: Session, actor: User | None, plan_id: int) -> Plan:
    require_reader(actor)
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(_("No such plan."))
    return plan


def transfers_of(session: Session, plan_id: int) -> list[PlanTransfer]:
    return list(
        session.exec(
            select(PlanTransfer).where(PlanTransfer.plan_id == plan_id).order_by(PlanTransfer.id)
        ).all()
    )


def _violation_message(session: Session, plan: Plan, violation, transfers) -> str:
    detail = violation.detail
    if violation.code == "quantity":
        return _("Enter a whole number of units (0 drops the line).")
    if violation.code == "distance":
        return _(
            "This route is %(km)s km, beyond the scenario's limit of %(limit)s km.",
            km=round(detail["km"], 1),
            limit=round(detail["limit"], 1),
        )
    if violation.code == "hierarchy":
        return _("The scenario allows transfers only between a depot, its parent and siblings.")
    if violation.code == "floor":
        facility = session.exec(select(Facility).where(Facility.code == detail["facility"])).one()
        item = session.exec(select(Item).where(Item.code == detail["item"])).one()
        return _(
            "%(depot)s may send at most %(surplus)s of %(item)s without going below its floor "
            "(%(sent)s planned).",
            depot=localized_name(facility),
            surplus=detail["surplus"],
            item=item.name(current_language()),
            sent=detail["sent"],
        )
    return _("This line breaks the plan's rules.")


def _check(session: Session, plan: Plan, transfers: list[PlanTransfer]) -> dict:
    facilities = dict(session.exec(select(Facility.id, Facility.code)).all())
    items = dict(session.exec(select(Item.id, Item.code)).all())
    lines = [t for t in transfers if t.quantity > 0]
    try:
        return evaluate(
            plan.problem,
            [
                {
                    "from": facilities[t.from_facility_id],
                    "to": facilities[t.to_facility_id],
                    "item": items[t.item_id],
                    "qty": t.quantity,
                }
                for t in lines
            ],
        )
    except PlanError as exc:
        message = _violation_message(session, plan, exc.violations[0], lines)
        raise ValidationError(message, field="quantity") from None


def adjust_transfer(
    session: Session, actor: User | None, plan_id: int, transfer_id: int, quantity
) -> Plan:
    """Change one line's quantity (0 drops it); the plan must still obey every rule."""
    require_dispatcher(actor)
    plan = get_plan(session, actor, plan_id)
    if plan.status != PlanStatus.PROPOSED:
        raise Conflict(_("This plan has been issued or discarded; it can no longer change."))
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        raise ValidationError(
            _("Enter a whole number of units (0 drops the line)."), field="quantity"
        )
    transfers = transfers_of(session, plan.id)
    line = next((t for t in transfers if t.id == transfer_id), None)
    if line is None:
        raise NotFound(_("No such line in this plan."))
    line.quantity = quantity
    result = _check(session, plan, transfers)
    plan.shortage_cost = result["shortage_cost"]
    plan.transport_cost = result["transport_cost"]
    plan.adjusted = any(t.quantity != t.proposed_quantity for t in transfers)
    session.add_all([line, plan])
    _store_unmet(session, plan, result["unmet"])
    session.flush()
    return plan


def discard(session: Session, actor: User | None, plan_id: int) -> Plan:
    """Set a proposed plan aside."""
    require_dispatcher(actor)
    plan = get_plan(session, actor, plan_id)
    if plan.status != PlanStatus.PROPOSED:
        raise Conflict(_("Only a proposed plan can be discarded."))
    plan.status = PlanStatus.DISCARDED
    session.add(plan)
    session.flush()
    return plan


def plans_of(session: Session, scenario_id: int) -> list[Plan]:
    return list(
        session.exec(
            select(Plan).where(Plan.scenario_id == scenario_id).order_by(Plan.id.desc())
        ).all()
    )
