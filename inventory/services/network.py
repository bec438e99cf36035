"""Regions and depots: creating them, and reading the reserve network as a tree."""

import logging
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlmodel import Session, select

from core.errors import ValidationError
from inventory.models import TIER_ORDER, Facility, Region, Tier

logger = logging.getLogger(__name__)


def upsert_region(session: Session, code: str, **values) -> Region:
    """Create the region with this code, or update it to the given values."""
    if values.get("level") not in set(Tier):
        raise ValidationError(_("Unknown tier."), field="level")
    parent = values.get("parent_code")
    if parent and session.get(Region, parent) is None:
        raise ValidationError(_("Unknown parent region."), field="parent_code")
    region = session.get(Region, code) or Region(code=code, **values)
    region.sqlmodel_update(values)
    session.add(region)
    session.flush()
    return region


def upsert_facility(session: Session, code: str, *, parent_code: str | None, **values) -> Facility:
    """Create the depot with this code, or update it; its parent must be one tier up."""
    tier = values.get("tier")
    if tier not in set(Tier):
        raise ValidationError(_("Unknown tier."), field="tier")
    if session.get(Region, values.get("region_code")) is None:
        raise ValidationError(_("Unknown region."), field="region_code")
    parent_id = None
    if parent_code:
        parent = session.exec(select(Facility).where(Facility.code == parent_code)).first()
        if parent is None:
            raise ValidationError(_("Unknown parent depot."), field="parent_code")
        if TIER_ORDER[Tier(parent.tier)] != TIER_ORDER[Tier(tier)] - 1:
            raise ValidationError(_("The parent depot must be one tier up."), field="parent_code")
        parent_id = parent.id
    facility = session.exec(select(Facility).where(Facility.code == code)).first()
    if facility is None:
        facility = Facility(code=code, parent_id=parent_id, **values)
        logger.info("Facility %s created", code)
    facility.sqlmodel_update({**values, "parent_id": parent_id})
    session.add(facility)
    session.flush()
    return facility


@dataclass
class FacilityNode:
    """A depot with the depots one tier below it."""

    facility: Facility
    children: list["FacilityNode"] = field(default_factory=list)


def facility_tree(session: Session) -> list[FacilityNode]:
    """All active depots as a forest, each level ordered by code."""
    facilities = session.exec(
        select(Facility).where(Facility.active == True).order_by(Facility.code)  # noqa: E712
    ).all()
    nodes = {f.id: FacilityNode(f) for f in facilities}
    roots = []
    for f in facilities:
        parent = nodes.get(f.parent_id)
        (parent.children if parent else roots).append(nodes[f.id])
    return roots
