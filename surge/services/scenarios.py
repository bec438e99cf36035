"""Surge scenarios: validated, saved, listed, reused; and which depots they affect."""

import math
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session, select

from accounts.models import User
from core.errors import NotFound, ValidationError
from core.fields import NOTE_MAX
from core.timeutil import utcnow
from inventory.models import Category, Facility, Region, Tier
from surge.models import LinkPolicy, SurgeScenario
from surge.services.access import require_dispatcher, require_reader

DEFAULT_FLOOR_DAYS = {Tier.CITY: 10, Tier.COUNTY: 10, Tier.TOWNSHIP: 10}
MAX_DAYS = 365
MAX_MULTIPLIER = 100.0
MAX_EXTRA = 1_000_000.0


@dataclass
class ScenarioInput:
    """What the dispatcher declares; `validate` turns it into field errors or clean values."""

    name: str
    start_date: date | None
    region_codes: list[str] = field(default_factory=list)
    facility_ids: list[int] = field(default_factory=list)
    multiplier: float | None = 1.0
    category_rules: dict = field(default_factory=dict)
    horizon_days: int | None = 14
    target_days: int | None = 10
    floor_days: dict = field(default_factory=lambda: dict(DEFAULT_FLOOR_DAYS))
    links: str = LinkPolicy.DISTANCE
    max_distance_km: float | None = 60.0
    road_factor: float | None = 1.3
    note: str = ""


def _number(value, lo: float, hi: float) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and lo <= value <= hi
    )


def _whole(value, lo: int, hi: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi


def _affected(session: Session, data: ScenarioInput, errors: dict) -> tuple[list, list]:
    """The affected region codes and depot ids, each known."""
    codes = sorted({c.strip() for c in data.region_codes if c and c.strip()})
    if codes:
        known = set(session.exec(select(Region.code).where(Region.code.in_(codes))).all())
        unknown = [c for c in codes if c not in known]
        if unknown:
            errors["region_codes"] = _("Unknown region: %(codes)s.", codes=", ".join(unknown))
    ids = sorted({int(i) for i in data.facility_ids})
    if ids:
        known_ids = set(session.exec(select(Facility.id).where(Facility.id.in_(ids))).all())
        if set(ids) - known_ids:
            errors["facility_ids"] = _("Unknown depot.")
    if not codes and not ids:
        errors["region_codes"] = _("Choose at least one affected region or depot.")
    return codes, ids


def _category_rules(data: ScenarioInput, errors: dict) -> dict:
    """The per-category multipliers and extra needs that say something."""
    rules = {}
    for category, rule in (data.category_rules or {}).items():
        if category not in set(Category):
            errors["category_rules"] = _("Unknown category.")
            continue
        multiplier, extra = rule.get("multiplier"), rule.get("extra") or 0
        if multiplier is not None and not _number(multiplier, 0.0, MAX_MULTIPLIER):
            errors[f"multiplier_{category}"] = _(
                "The multiplier must be a number from 0 to %(max)s.", max=int(MAX_MULTIPLIER)
            )
        if not _number(extra, 0.0, MAX_EXTRA):
            errors[f"extra_{category}"] = _("The extra daily need must be zero or more.")
        if multiplier is not None or extra:
            rules[str(category)] = {"multiplier": multiplier, "extra": extra}
    return rules


def _floors(data: ScenarioInput, errors: dict) -> dict:
    """The donor floor per tier, the default where none is given."""
    floors = {}
    for tier in DEFAULT_FLOOR_DAYS:
        value = (data.floor_days or {}).get(tier, DEFAULT_FLOOR_DAYS[tier])
        if not _number(value, 0, MAX_DAYS):
            errors[f"floor_{tier}"] = _("From 0 to %(max)s days.", max=MAX_DAYS)
        else:
            floors[str(tier)] = value
    return floors


def _max_distance(data: ScenarioInput, errors: dict) -> float | None:
    """The link policy's distance limit (none when any link is allowed)."""
    if data.links not in set(LinkPolicy):
        errors["links"] = _("Choose a link policy.")
    distance = data.max_distance_km
    if data.links == LinkPolicy.ANY:
        distance = None
    elif distance is not None and not _number(distance, 0.1, 5000.0):
        errors["max_distance_km"] = _("A distance from 0.1 to 5000 km.")
    elif distance is None and data.links == LinkPolicy.DISTANCE:
        errors["max_distance_km"] = _("Give the largest distance of a transfer.")
    return distance


def validate(session: Session, data: ScenarioInput) -> dict:
    """Clean column values for a scenario, or a ValidationError with a message per field."""
    errors: dict[str, str] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = _("Give the scenario a name.")
    elif len(name) > 96:
        errors["name"] = _("At most %(n)s characters.", n=96)
    if len(data.note or "") > NOTE_MAX:
        errors["note"] = _("At most %(n)s characters.", n=NOTE_MAX)
    codes, ids = _affected(session, data, errors)
    if not _number(data.multiplier, 0.0, MAX_MULTIPLIER):
        errors["multiplier"] = _(
            "The multiplier must be a number from 0 to %(max)s.", max=int(MAX_MULTIPLIER)
        )
    rules = _category_rules(data, errors)
    if data.start_date is None:
        errors["start_date"] = _("Give the start date.")
    if not _whole(data.horizon_days, 1, MAX_DAYS):
        errors["horizon_days"] = _("A whole number of days from 1 to %(max)s.", max=MAX_DAYS)
    if not _whole(data.target_days, 1, MAX_DAYS):
        errors["target_days"] = _("A whole number of days from 1 to %(max)s.", max=MAX_DAYS)
    floors = _floors(data, errors)
    distance = _max_distance(data, errors)
    if not _number(data.road_factor, 1.0, 3.0):
        errors["road_factor"] = _("The road factor must be between 1 and 3.")
    if errors:
        raise ValidationError(next(iter(errors.values())), fields=errors)
    return dict(
        name=name,
        note=(data.note or "").strip(),
        region_codes=codes,
        facility_ids=ids,
        multiplier=float(data.multiplier),
        category_rules=rules,
        start_date=data.start_date,
        horizon_days=data.horizon_days,
        target_days=data.target_days,
        floor_days=floors,
        links=str(data.links),
        max_distance_km=None if distance is None else float(distance),
        road_factor=float(data.road_factor),
    )


def create(session: Session, actor: User | None, data: ScenarioInput) -> SurgeScenario:
    """Save a new scenario."""
    require_dispatcher(actor)
    scenario = SurgeScenario(**validate(session, data), created_by_id=actor.id if actor else None)
    session.add(scenario)
    session.flush()
    return scenario


def update(
    session: Session, actor: User | None, scenario_id: int, data: ScenarioInput
) -> SurgeScenario:
    """Change a saved scenario (plans already made keep the problem they were solved on)."""
    require_dispatcher(actor)
    scenario = get(session, actor, scenario_id)
    for key, value in validate(session, data).items():
        setattr(scenario, key, value)
    scenario.updated_at = utcnow()
    session.add(scenario)
    session.flush()
    return scenario


def set_archived(
    session: Session, actor: User | None, scenario_id: int, archived: bool
) -> SurgeScenario:
    """Hide a scenario from the list (or bring it back); nothing is deleted."""
    require_dispatcher(actor)
    scenario = get(session, actor, scenario_id)
    scenario.archived = archived
    scenario.updated_at = utcnow()
    session.add(scenario)
    session.flush()
    return scenario


def get(session: Session, actor: User | None, scenario_id: int) -> SurgeScenario:
    require_reader(actor)
    scenario = session.get(SurgeScenario, scenario_id)
    if scenario is None:
        raise NotFound(_("No such scenario."))
    return scenario


def listing(session: Session, actor: User | None, *, archived: bool = False) -> list[SurgeScenario]:
    """Saved scenarios, newest first."""
    require_reader(actor)
    query = select(SurgeScenario).where(SurgeScenario.archived.is_(archived))
    return list(session.exec(query.order_by(SurgeScenario.id.desc())).all())


def as_input(scenario: SurgeScenario) -> ScenarioInput:
    """A saved scenario as input again (to copy it into a new one)."""
    return ScenarioInput(
        name=scenario.name,
        start_date=scenario.start_date,
        region_codes=list(scenario.region_codes),
        facility_ids=list(scenario.facility_ids),
        multiplier=scenario.multiplier,
        category_rules=dict(scenario.category_rules),
        horizon_days=scenario.horizon_days,
        target_days=scenario.target_days,
        floor_days=dict(scenario.floor_days),
        links=scenario.links,
        max_distance_km=scenario.max_distance_km,
        road_factor=scenario.road_factor,
        note=scenario.note,
    )


def affected_facility_ids(session: Session, scenario: SurgeScenario) -> set[int]:
    """Depots named by the scenario, and every depot in (or below) its regions."""
    parents = dict(session.exec(select(Region.code, Region.parent_code)).all())
    wanted = set(scenario.region_codes)

    def inside(code: str | None) -> bool:
        seen = 0
        while code is not None and seen < 10:
            if code in wanted:
                return True
            code, seen = parents.get(code), seen + 1
        return False

    ids = set(scenario.facility_ids)
    if wanted:
        for fid, region in session.exec(
            select(Facility.id, Facility.region_code).where(Facility.active.is_(True))
        ):
            if inside(region):
                ids.add(fid)
    return ids
