"""The rebalance problem: validated input as frozen dataclasses (rebalance-spec.md, "Input").

Every rule broken raises `ProblemError` with one line a dispatcher can act on.
"""

import math
from dataclasses import dataclass, field

from optimizer.rules import donor_surplus

TIERS = ("province", "city", "county", "township")
LINKS = ("any", "hierarchy")


class ProblemError(ValueError):
    """The problem breaks a rule of the input contract; the message is one line."""


@dataclass(frozen=True)
class Facility:
    id: str | int
    name: str
    tier: str
    parent: str | int | None
    lat: float
    lon: float
    priority: float
    floor_days: float | None


@dataclass(frozen=True)
class Item:
    id: str | int
    name: str
    priority: float
    unit_kg: float


@dataclass(frozen=True)
class Band:
    below_days: float
    cost_per_day: float


@dataclass(frozen=True)
class Policy:
    bands: tuple[Band, ...]
    donor_floor_days: float
    max_distance_km: float | None
    links: str
    road_factor: float

    @property
    def target_days(self) -> float:
        """T: the last band's bound, the cover every facility should reach."""
        return self.bands[-1].below_days


@dataclass(frozen=True)
class Problem:
    facilities: tuple[Facility, ...]
    items: tuple[Item, ...]
    # (facility index, item index) -> (on_hand, daily_need)
    stock: dict[tuple[int, int], tuple[int, float]]
    policy: Policy
    # (facility index, facility index) -> km, both directions
    distances: dict[tuple[int, int], float] = field(default_factory=dict)

    def floor_days(self, f: int) -> float:
        """A facility's own floor, else the policy's."""
        own = self.facilities[f].floor_days
        return self.policy.donor_floor_days if own is None else own

    def surplus(self, f: int, i: int) -> int:
        """What facility f may give of item i before the plan (`rules.donor_surplus`)."""
        on_hand, need = self.stock.get((f, i), (0, 0.0))
        return int(donor_surplus(on_hand, need, self.floor_days(f)))


def _where(path: str, message: str) -> ProblemError:
    return ProblemError(f"{path}: {message}")


def _number(value, path: str, *, minimum: float | None = 0.0, strict: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _where(path, f"must be a number, not {json_type(value)}")
    if not math.isfinite(value):
        raise _where(path, "must be a finite number")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        raise _where(path, f"must be {'greater than' if strict else 'at least'} {minimum:g}")
    return float(value)


def _optional_number(obj: dict, key: str, path: str, default, **kw):
    value = obj.get(key)
    return default if value is None else _number(value, f"{path}.{key}", **kw)


def json_type(value) -> str:
    """The JSON name of a Python value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _object(value, path: str) -> dict:
    if not isinstance(value, dict):
        raise _where(path, f"must be an object, not {json_type(value)}")
    return value


def _list(obj: dict, key: str, path: str, *, required: bool = True) -> list:
    if key not in obj or obj[key] is None:
        if required:
            raise _where(path, f"missing field '{key}'")
        return []
    value = obj[key]
    if not isinstance(value, list):
        raise _where(f"{path}.{key}", f"must be an array, not {json_type(value)}")
    return value


def _identifier(obj: dict, key: str, path: str):
    if key not in obj:
        raise _where(path, f"missing field '{key}'")
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise _where(f"{path}.{key}", "must be a non-empty string or an integer")
    return value


def _facilities(raw: dict) -> tuple[list[Facility], dict]:
    """The facilities, and each id's position."""
    facilities, index = [], {}
    entries = _list(raw, "facilities", "problem")
    if not entries:
        raise ProblemError("facilities: at least one facility is needed")
    for n, entry in enumerate(entries):
        path = f"facilities[{n}]"
        entry = _object(entry, path)
        fid = _identifier(entry, "id", path)
        if fid in index:
            raise _where(f"{path}.id", f"duplicate facility id {fid!r}")
        tier = entry.get("tier")
        if tier not in TIERS:
            raise _where(f"{path}.tier", f"must be one of {', '.join(TIERS)}, not {tier!r}")
        for key in ("lat", "lon"):
            if entry.get(key) is None:
                raise _where(path, f"missing field '{key}'")
        lat = _number(entry["lat"], f"{path}.lat", minimum=-90.0)
        lon = _number(entry["lon"], f"{path}.lon", minimum=-180.0)
        if lat > 90 or lon > 180:
            raise _where(path, "lat must be within ±90 and lon within ±180")
        name = entry.get("name", "")
        if not isinstance(name, str):
            raise _where(f"{path}.name", "must be a string")
        facilities.append(
            Facility(
                id=fid,
                name=name,
                tier=tier,
                parent=entry.get("parent"),
                lat=lat,
                lon=lon,
                priority=_optional_number(entry, "priority", path, 1.0),
                floor_days=_optional_number(entry, "floor_days", path, None),
            )
        )
        index[fid] = n
    for n, f in enumerate(facilities):
        if f.parent is not None and f.parent not in index:
            raise _where(f"facilities[{n}].parent", f"unknown facility {f.parent!r}")
        if f.parent == f.id:
            raise _where(f"facilities[{n}].parent", "a facility cannot be its own parent")
    return facilities, index


def _items(raw: dict) -> tuple[list[Item], dict]:
    """The items, and each id's position."""
    items, item_index = [], {}
    for n, entry in enumerate(_list(raw, "items", "problem")):
        path = f"items[{n}]"
        entry = _object(entry, path)
        iid = _identifier(entry, "id", path)
        if iid in item_index:
            raise _where(f"{path}.id", f"duplicate item id {iid!r}")
        name = entry.get("name", "")
        if not isinstance(name, str):
            raise _where(f"{path}.name", "must be a string")
        items.append(
            Item(
                id=iid,
                name=name,
                priority=_optional_number(entry, "priority", path, 1.0),
                unit_kg=_optional_number(entry, "unit_kg", path, 1.0),
            )
        )
        item_index[iid] = n
    return items, item_index


def _stock(raw: dict, index: dict, item_index: dict) -> dict:
    """(facility, item) positions -> (on_hand, daily_need), one row each."""
    stock = {}
    for n, entry in enumerate(_list(raw, "stock", "problem")):
        path = f"stock[{n}]"
        entry = _object(entry, path)
        for key in ("facility", "item", "on_hand", "daily_need"):
            if key not in entry:
                raise _where(path, f"missing field '{key}'")
        if entry["facility"] not in index:
            raise _where(f"{path}.facility", f"unknown facility {entry['facility']!r}")
        if entry["item"] not in item_index:
            raise _where(f"{path}.item", f"unknown item {entry['item']!r}")
        on_hand = entry["on_hand"]
        if isinstance(on_hand, bool) or not isinstance(on_hand, int | float):
            raise _where(f"{path}.on_hand", f"must be a number, not {json_type(on_hand)}")
        if not math.isfinite(on_hand) or on_hand != int(on_hand):
            raise _where(f"{path}.on_hand", "must be a whole number")
        if on_hand < 0:
            raise _where(f"{path}.on_hand", "must not be negative")
        need = _number(entry["daily_need"], f"{path}.daily_need")
        key = (index[entry["facility"]], item_index[entry["item"]])
        if key in stock:
            raise _where(
                path, f"a second row for facility {entry['facility']!r} and item {entry['item']!r}"
            )
        stock[key] = (int(on_hand), need)
    return stock


def _bands(policy_raw: dict) -> list[Band]:
    """The bands by their bounds, each bound once, costs strictly decreasing."""
    bands = []
    band_list = _list(policy_raw, "bands", "policy")
    if not band_list:
        raise ProblemError("policy.bands: at least one band is needed")
    for n, entry in enumerate(band_list):
        path = f"policy.bands[{n}]"
        entry = _object(entry, path)
        for key in ("below_days", "cost_per_day"):
            if key not in entry:
                raise _where(path, f"missing field '{key}'")
        bands.append(
            Band(
                _number(entry["below_days"], f"{path}.below_days", strict=True),
                _number(entry["cost_per_day"], f"{path}.cost_per_day", strict=True),
            )
        )
    bands.sort(key=lambda b: b.below_days)
    for lower, upper in zip(bands, bands[1:], strict=False):
        if upper.below_days == lower.below_days:
            raise ProblemError(f"policy.bands: two bands end at {lower.below_days:g} days")
        if not upper.cost_per_day < lower.cost_per_day:
            raise ProblemError(
                "policy.bands: cost_per_day must strictly decrease as below_days grows "
                f"({lower.cost_per_day:g} at {lower.below_days:g} days, "
                f"{upper.cost_per_day:g} at {upper.below_days:g} days)"
            )
    return bands


def _policy(raw: dict) -> Policy:
    """The policy; the donor floor defaults to T."""
    policy_raw = _object(raw.get("policy", {}), "policy")
    bands = _bands(policy_raw)
    target = bands[-1].below_days
    links = policy_raw.get("links", "any") or "any"
    if links not in LINKS:
        raise ProblemError(f"policy.links: must be 'any' or 'hierarchy', not {links!r}")
    return Policy(
        bands=tuple(bands),
        donor_floor_days=_optional_number(policy_raw, "donor_floor_days", "policy", target),
        max_distance_km=_optional_number(policy_raw, "max_distance_km", "policy", None),
        links=links,
        road_factor=_optional_number(policy_raw, "road_factor", "policy", 1.0, strict=True),
    )


def _distances(raw: dict, index: dict) -> dict:
    """Given distances between facility positions, both directions."""
    distances = {}
    for n, entry in enumerate(_list(raw, "distances_km", "problem", required=False)):
        path = f"distances_km[{n}]"
        entry = _object(entry, path)
        for key in ("from", "to", "km"):
            if key not in entry:
                raise _where(path, f"missing field '{key}'")
        for key in ("from", "to"):
            if entry[key] not in index:
                raise _where(f"{path}.{key}", f"unknown facility {entry[key]!r}")
        a, b = index[entry["from"]], index[entry["to"]]
        km = _number(entry["km"], f"{path}.km")
        if (a, b) in distances and distances[(a, b)] != km:
            raise _where(
                path,
                f"the distance {entry['from']!r}–{entry['to']!r} is given twice "
                f"with different values ({distances[(a, b)]:g} and {km:g} km)",
            )
        distances[(a, b)] = distances[(b, a)] = km
    return distances


def parse(raw) -> Problem:
    """Validate a problem dict and return it as a Problem."""
    raw = _object(raw, "problem")
    if raw.get("version") != 1:
        raise ProblemError(f"version: must be 1, not {raw.get('version')!r}")
    facilities, index = _facilities(raw)
    items, item_index = _items(raw)
    stock = _stock(raw, index, item_index)
    policy = _policy(raw)
    distances = _distances(raw, index)
    return Problem(tuple(facilities), tuple(items), stock, policy, distances)
