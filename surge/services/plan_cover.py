"""What a plan does to cover, for the plan page and its map: days of cover per (depot, item)
and per depot, before and after the plan's lines as they stand."""

import math
from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, select

from inventory.models import Facility, Item
from optimizer.rules import TOLERANCE
from surge.models import Plan, SurgeScenario
from surge.services.planning import transfers_of
from surge.services.scenarios import affected_facility_ids


@dataclass
class CoverChange:
    """One (depot, item) with a need: stock and days of cover before and after the plan."""

    facility: Facility
    item: Item
    daily_need: float
    before: int
    after: int
    affected: bool

    @property
    def days_before(self) -> float:
        return self.before / self.daily_need

    @property
    def days_after(self) -> float:
        return self.after / self.daily_need


@dataclass
class FacilityChange:
    """A depot's worst cover and its items below target, before and after."""

    facility: Facility
    affected: bool
    worst_before: float | None
    worst_after: float | None
    below_before: int
    below_after: int
    received: int
    sent: int


def cover_changes(session: Session, plan: Plan) -> tuple[list[CoverChange], list[FacilityChange]]:
    """Cover per (depot, item) and per depot for the lines as they stand."""
    problem = plan.problem
    codes = [f["id"] for f in problem["facilities"]]
    facilities = {
        f.code: f for f in session.exec(select(Facility).where(Facility.code.in_(codes))).all()
    }
    items = {i.code: i for i in session.exec(select(Item)).all()}
    by_id = {f.id: f for f in facilities.values()}
    item_by_id = {i.id: i for i in items.values()}
    scenario = session.get(SurgeScenario, plan.scenario_id)
    affected = affected_facility_ids(session, scenario) if scenario else set()
    delta: dict[tuple[str, str], int] = defaultdict(int)
    received: dict[str, int] = defaultdict(int)
    sent: dict[str, int] = defaultdict(int)
    for t in transfers_of(session, plan.id):
        if t.quantity <= 0:
            continue
        f, g, i = (
            by_id[t.from_facility_id].code,
            by_id[t.to_facility_id].code,
            item_by_id[t.item_id].code,
        )
        delta[(f, i)] -= t.quantity
        delta[(g, i)] += t.quantity
        sent[f] += t.quantity
        received[g] += t.quantity
    target = problem["policy"]["bands"][-1]["below_days"]
    rows: list[CoverChange] = []
    per_facility: dict[str, list[CoverChange]] = defaultdict(list)
    for s in problem["stock"]:
        if s["daily_need"] <= 0:
            continue
        f = facilities.get(s["facility"])
        if f is None:
            continue
        key = (s["facility"], s["item"])
        row = CoverChange(
            facility=f,
            item=items[s["item"]],
            daily_need=s["daily_need"],
            before=s["on_hand"],
            after=s["on_hand"] + delta.get(key, 0),
            affected=f.id in affected,
        )
        rows.append(row)
        per_facility[f.code].append(row)
    summary = []
    for code in set(per_facility) | set(sent) | set(received):
        f = facilities[code]
        own = per_facility.get(code, [])
        summary.append(
            FacilityChange(
                facility=f,
                affected=f.id in affected,
                worst_before=min((r.days_before for r in own), default=None),
                worst_after=min((r.days_after for r in own), default=None),
                below_before=sum(1 for r in own if r.days_before < target - TOLERANCE),
                below_after=sum(1 for r in own if r.days_after < target - TOLERANCE),
                received=received.get(code, 0),
                sent=sent.get(code, 0),
            )
        )
    summary.sort(
        key=lambda c: (
            not c.affected,
            c.worst_before if c.worst_before is not None else math.inf,
            c.facility.code,
        )
    )
    return rows, summary
