"""Daily readiness snapshots: the headline figures of the city and of each county, kept so
the weekly report can show the change against the week before."""

import logging
from dataclasses import asdict, fields
from datetime import date, timedelta

from sqlmodel import Session, select

from core.timeutil import local_today, utcnow
from inventory.services.readiness import (
    Readiness,
    Rollup,
    compute_readiness,
    facilities_in_county,
)
from reports.models import ReadinessSnapshot

logger = logging.getLogger(__name__)
CITY = "city"
_COUNTS = [f.name for f in fields(Rollup) if f.name not in ("key", "statuses")]


def rollup_figures(roll: Rollup) -> dict:
    """What a Rollup counts, as plain JSON."""
    data = asdict(roll)
    data.pop("key")
    return data


def rollup_from(key: str, figures: dict) -> Rollup:
    """A Rollup back from its stored figures."""
    values = {name: figures.get(name, 0) for name in _COUNTS}
    return Rollup(key, **values, statuses=dict(figures.get("statuses") or {}))


def scope_figures(r: Readiness, scope: str) -> dict:
    """Headline, per-tier and per-group figures of one computed scope.

    Groups are counties ("city" for the city depot) for the city, depot codes for a county.
    """
    if scope == CITY:
        groups = {key: rollup_figures(roll) for key, roll in r.by_county.items()}
    else:
        groups = {
            r.facilities[fid].code: rollup_figures(roll)
            for fid, roll in r.by_facility.items()
            if fid in r.facilities
        }
    return {
        "targets": asdict(r.targets),
        "headline": rollup_figures(r.city),
        "by_tier": {tier: rollup_figures(roll) for tier, roll in r.by_tier.items()},
        "groups": groups,
    }


def county_codes(r: Readiness) -> list[str]:
    """The counties that hold depots, from a city-wide computation."""
    return sorted(key for key in r.by_county if key != CITY)


def take_snapshots(session: Session, *, day: date | None = None) -> int:
    """Store (or replace) today's snapshot of the city and of every county; returns rows."""
    day = day or local_today()
    city = compute_readiness(session, today=day)
    scopes = {CITY: scope_figures(city, CITY)}
    for code in county_codes(city):
        ids = facilities_in_county(session, code)
        scopes[code] = scope_figures(compute_readiness(session, facility_ids=ids, today=day), code)
    existing = {
        s.scope: s
        for s in session.exec(select(ReadinessSnapshot).where(ReadinessSnapshot.day == day))
    }
    now = utcnow()
    for scope, figures in scopes.items():
        row = existing.get(scope) or ReadinessSnapshot(day=day, scope=scope)
        row.figures, row.taken_at = figures, now
        session.add(row)
    session.flush()
    logger.info("Readiness snapshot of %s: %s scopes", day, len(scopes))
    return len(scopes)


def snapshot_before(session: Session, scope: str, as_of: date) -> ReadinessSnapshot | None:
    """The snapshot a week before `as_of`: the latest taken 7 to 13 days earlier."""
    return session.exec(
        select(ReadinessSnapshot)
        .where(
            ReadinessSnapshot.scope == scope,
            ReadinessSnapshot.day <= as_of - timedelta(days=7),
            ReadinessSnapshot.day >= as_of - timedelta(days=13),
        )
        .order_by(ReadinessSnapshot.day.desc())
        .limit(1)
    ).first()
