"""Readiness as JSON: /api/v1/readiness (the dashboard's figures), for integrations.

Authenticated with an API token (`Authorization: Bearer rsv_...`); every role may read it.
"""

from functools import wraps

from flask import Blueprint, abort, g, jsonify, request
from sqlmodel import select

from accounts.tokens import bearer_user
from db import get_session
from errors import NotFound
from inventory.models import Facility
from inventory.services.readiness import Readiness, Rollup, compute_readiness, facilities_in_county
from reports.dashboard import county_names

bp = Blueprint("api_readiness", __name__)


def token_required(view):
    """Refuse the request with 401 unless it carries a valid API token."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        user = bearer_user(get_session(), request.headers.get("Authorization"))
        if user is None:
            abort(401)
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def rollup_json(r: Rollup) -> dict:
    """A roll-up's figures."""
    return {
        "physical_days": _round(r.physical_days),
        "all_forms_days": _round(r.all_forms_days),
        "judged": r.judged,
        "share_physical": _round(r.share_physical, 4),
        "share_all_forms": _round(r.share_short, 4),
        "share_long": _round(r.share_long, 4),
        "red": r.red,
        "stock_outs": r.stock_outs,
        "no_norm": r.no_norm,
        "catalog_coverage": _round(r.catalog_coverage, 4),
        "statuses": dict(r.statuses),
    }


def _targets(r: Readiness) -> dict:
    t = r.targets
    return {
        "physical_days": t.physical_days,
        "all_forms_days": t.all_forms_days,
        "long_days": t.long_days,
    }


@bp.route("/readiness")
@token_required
def network():
    """The whole network: city, tiers, counties, categories, and the red list."""
    session = get_session()
    r = compute_readiness(session)
    names = county_names(session)
    limit = min(max(request.args.get("red_limit", 100, type=int), 0), 5000)
    return jsonify(
        {
            "targets": _targets(r),
            "city": rollup_json(r.city),
            "tiers": {k: rollup_json(v) for k, v in r.by_tier.items()},
            "counties": {
                k: {"name": names.get(k, k), **rollup_json(v)} for k, v in r.by_county.items()
            },
            "categories": {k: rollup_json(v) for k, v in r.by_category.items()},
            "red_list": [
                {
                    "facility": r.facilities[c.facility_id].code,
                    "item": r.items[c.item_id].code,
                    "usable": c.physical,
                    "daily_usage": c.daily_usage,
                    "physical_days": _round(c.physical_days),
                }
                for c in r.red_list()[:limit]
            ],
        }
    )


@bp.route("/readiness/county/<code>")
@token_required
def county(code: str):
    """One county's depots."""
    session = get_session()
    ids = facilities_in_county(session, code)
    if not ids:
        raise NotFound("no such county")
    r = compute_readiness(session, facility_ids=ids)
    return jsonify(
        {
            "county": code,
            "targets": _targets(r),
            "total": rollup_json(r.city),
            "facilities": {
                r.facilities[f].code: rollup_json(roll) for f, roll in r.by_facility.items()
            },
        }
    )


@bp.route("/readiness/facility/<code>")
@token_required
def facility(code: str):
    """One depot, item by item."""
    session = get_session()
    f = session.exec(select(Facility).where(Facility.code == code)).first()
    if f is None:
        raise NotFound("no such depot")
    r = compute_readiness(session, facility_ids=[f.id])
    return jsonify(
        {
            "facility": code,
            "targets": _targets(r),
            "total": rollup_json(r.by_facility[f.id]),
            "items": [
                {
                    "item": r.items[c.item_id].code,
                    "status": c.status(r.targets).value,
                    "physical": c.physical,
                    "agreement": c.agreement,
                    "expired": c.expired,
                    "daily_usage": c.daily_usage,
                    "physical_days": _round(c.physical_days),
                    "all_forms_days": _round(c.all_forms_days(r.targets.all_forms_days)),
                    "long_days": _round(c.all_forms_days(r.targets.long_days)),
                    "in_catalog": c.in_catalog,
                }
                for c in sorted(r.covers.values(), key=lambda c: r.items[c.item_id].code)
            ],
        }
    )
