"""Readiness as JSON: /api/v1/readiness (the dashboard's figures), for integrations.

Authenticated with an API token (`Authorization: Bearer rsv_...`); every role may read it.
Documented in the OpenAPI document with the movements API (flask-smorest).
"""

from flask import jsonify
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate
from sqlmodel import select

from core.api_framework import authenticate, errors
from core.db import get_session
from core.errors import NotFound
from inventory.models import Facility
from inventory.services.readiness import Readiness, Rollup, compute_readiness, facilities_in_county
from reports.dashboard import county_names

bp = Blueprint("api_readiness", __name__, description="Readiness figures (days of cover)")


bp.before_request(authenticate)


class TargetsSchema(Schema):
    physical_days = fields.Int()
    all_forms_days = fields.Int()
    long_days = fields.Int()


class RollupSchema(Schema):
    physical_days = fields.Float(allow_none=True)
    all_forms_days = fields.Float(allow_none=True)
    judged = fields.Int()
    share_physical = fields.Float(allow_none=True)
    share_all_forms = fields.Float(allow_none=True)
    share_long = fields.Float(allow_none=True)
    red = fields.Int()
    stock_outs = fields.Int()
    no_norm = fields.Int()
    catalog_coverage = fields.Float(allow_none=True)
    statuses = fields.Dict(keys=fields.Str(), values=fields.Int())


class CountyRollupSchema(RollupSchema):
    name = fields.Str()


class RedEntrySchema(Schema):
    facility = fields.Str()
    item = fields.Str()
    usable = fields.Int()
    daily_usage = fields.Float(allow_none=True)
    physical_days = fields.Float(allow_none=True)


class NetworkReadinessSchema(Schema):
    targets = fields.Nested(TargetsSchema)
    city = fields.Nested(RollupSchema)
    tiers = fields.Dict(keys=fields.Str(), values=fields.Nested(RollupSchema))
    counties = fields.Dict(keys=fields.Str(), values=fields.Nested(CountyRollupSchema))
    categories = fields.Dict(keys=fields.Str(), values=fields.Nested(RollupSchema))
    red_list = fields.List(fields.Nested(RedEntrySchema))


class CountyReadinessSchema(Schema):
    county = fields.Str()
    targets = fields.Nested(TargetsSchema)
    total = fields.Nested(RollupSchema)
    facilities = fields.Dict(keys=fields.Str(), values=fields.Nested(RollupSchema))


class FacilityItemSchema(Schema):
    item = fields.Str()
    status = fields.Str()
    physical = fields.Int()
    agreement = fields.Int()
    expired = fields.Int()
    daily_usage = fields.Float(allow_none=True)
    physical_days = fields.Float(allow_none=True)
    all_forms_days = fields.Float(allow_none=True)
    long_days = fields.Float(allow_none=True)
    in_catalog = fields.Bool()


class FacilityReadinessSchema(Schema):
    facility = fields.Str()
    targets = fields.Nested(TargetsSchema)
    total = fields.Nested(RollupSchema)
    items = fields.List(fields.Nested(FacilityItemSchema))


class NetworkArgs(Schema):
    red_limit = fields.Int(load_default=100, validate=validate.Range(min=0, max=5000))


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


# the views build plain JSON themselves (flask-smorest passes a Response through); the
# schemas document it


@bp.route("/readiness")
@bp.arguments(NetworkArgs, location="query", unknown=RAISE)
@bp.response(200, NetworkReadinessSchema)
@errors(401)
def network(args):
    """The whole network: city, tiers, counties, categories, and the red list."""
    session = get_session()
    r = compute_readiness(session)
    names = county_names(session)
    limit = args["red_limit"]
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
@bp.response(200, CountyReadinessSchema)
@errors(401, 404)
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
@bp.response(200, FacilityReadinessSchema)
@errors(401, 404)
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
