"""The item catalog, the graded catalog per tier, usage norms, and reserves held elsewhere."""

import logging

from flask_babel import gettext as _
from sqlmodel import Session, select

from core.errors import ValidationError
from core.timeutil import utcnow
from inventory.models import (
    CapacityReserve,
    CatalogEntry,
    Category,
    Enterprise,
    Facility,
    Item,
    Tier,
    UsageNorm,
)

logger = logging.getLogger(__name__)


def upsert_item(session: Session, code: str, **values) -> Item:
    """Create the item with this code, or update it to the given values."""
    errors = {}
    if values.get("category") not in set(Category):
        errors["category"] = _("Unknown category.")
    if int(values.get("pack_size", 1)) < 1:
        errors["pack_size"] = _("Must be at least 1.")
    if not 1 <= int(values.get("criticality", 3)) <= 5:
        errors["criticality"] = _("Must be between 1 and 5.")
    shelf = values.get("shelf_life_days")
    if shelf is not None and int(shelf) <= 0:
        errors["shelf_life_days"] = _("Must be positive.")
    if float(values.get("unit_kg", 1.0)) <= 0:
        errors["unit_kg"] = _("Must be positive.")
    if errors:
        raise ValidationError(_("The item is not valid."), fields=errors)
    item = session.exec(select(Item).where(Item.code == code)).first() or Item(code=code, **values)
    item.sqlmodel_update(values)
    session.add(item)
    session.flush()
    return item


def set_catalog(session: Session, tier: str, item_ids: list[int]) -> list[CatalogEntry]:
    """Make the tier's reserve catalog exactly these items."""
    if tier not in set(Tier):
        raise ValidationError(_("Unknown tier."), field="tier")
    wanted = set(item_ids)
    existing = session.exec(select(CatalogEntry).where(CatalogEntry.tier == tier)).all()
    for entry in existing:
        if entry.item_id not in wanted:
            session.delete(entry)
    have = {e.item_id for e in existing}
    for item_id in sorted(wanted - have):
        session.add(CatalogEntry(tier=tier, item_id=item_id))
    session.flush()
    return session.exec(select(CatalogEntry).where(CatalogEntry.tier == tier)).all()


def set_norm(
    session: Session, facility: Facility, item: Item, daily_usage: float, *, basis: str, source: str
) -> UsageNorm:
    """Record the full-load daily usage of an item at a depot, with its derivation."""
    if not daily_usage >= 0:  # also refuses NaN
        raise ValidationError(_("Daily usage must be zero or more."), field="daily_usage")
    norm = session.exec(
        select(UsageNorm).where(UsageNorm.facility_id == facility.id, UsageNorm.item_id == item.id)
    ).first() or UsageNorm(facility_id=facility.id, item_id=item.id, daily_usage=daily_usage)
    if (norm.daily_usage, norm.basis, norm.source) != (
        daily_usage,
        basis,
        source,
    ) or norm.id is None:
        norm.sqlmodel_update(
            {"daily_usage": daily_usage, "basis": basis, "source": source, "updated_at": utcnow()}
        )
        session.add(norm)
        session.flush()
    return norm


def upsert_enterprise(session: Session, code: str, **values) -> Enterprise:
    """Create the enterprise with this code, or update it."""
    enterprise = session.exec(select(Enterprise).where(Enterprise.code == code)).first()
    enterprise = enterprise or Enterprise(code=code, **values)
    enterprise.sqlmodel_update(values)
    session.add(enterprise)
    session.flush()
    return enterprise


def set_capacity(
    session: Session,
    facility: Facility,
    item: Item,
    enterprise: Enterprise,
    *,
    units_per_day: int,
    lead_time_days: int,
    note: str = "",
) -> CapacityReserve:
    """Record a producer's capacity reserved for a depot's item."""
    errors = {}
    if units_per_day < 0:
        errors["units_per_day"] = _("Must be zero or more.")
    if lead_time_days < 0:
        errors["lead_time_days"] = _("Must be zero or more.")
    if errors:
        raise ValidationError(_("The capacity reserve is not valid."), fields=errors)
    reserve = session.exec(
        select(CapacityReserve).where(
            CapacityReserve.facility_id == facility.id,
            CapacityReserve.item_id == item.id,
            CapacityReserve.enterprise_id == enterprise.id,
        )
    ).first() or CapacityReserve(
        facility_id=facility.id,
        item_id=item.id,
        enterprise_id=enterprise.id,
        units_per_day=units_per_day,
        lead_time_days=lead_time_days,
    )
    reserve.sqlmodel_update(
        {"units_per_day": units_per_day, "lead_time_days": lead_time_days, "note": note}
    )
    session.add(reserve)
    session.flush()
    return reserve
