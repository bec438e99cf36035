"""Every table of the inventory domain, importable from one place."""

from inventory.models.alerts import Alert, AlertKind
from inventory.models.catalog import CatalogEntry, Category, Item, UsageNorm
from inventory.models.regions import TIER_ORDER, Facility, Region, Tier
from inventory.models.stock import (
    Balance,
    CapacityReserve,
    Enterprise,
    Lot,
    Movement,
    MovementKind,
    ReserveForm,
)
from inventory.models.targets import TargetProfile

__all__ = [
    "Alert",
    "AlertKind",
    "TIER_ORDER",
    "Balance",
    "CapacityReserve",
    "CatalogEntry",
    "Category",
    "Enterprise",
    "Facility",
    "Item",
    "Lot",
    "Movement",
    "MovementKind",
    "Region",
    "ReserveForm",
    "TargetProfile",
    "Tier",
    "UsageNorm",
]
