"""The JSON shapes of the stock API (/api/v1, inventory/api.py): query arguments, request
bodies and answers."""

from marshmallow import Schema, fields, validate

from core.fields import NOTE_MAX
from core.timeutil import SHANGHAI
from inventory.models import MovementKind, ReserveForm
from inventory.services.movements import ADJUST_IN, ADJUST_OUT, RECEIPT_SOURCES
from inventory.services.recording import MAX_QUANTITY

TYPES = ("receipt", "issue", "transfer_out", "transfer_in", "adjustment")


class FacilitySchema(Schema):
    id = fields.Int()
    code = fields.Str()
    name = fields.Str()
    name_en = fields.Str()
    tier = fields.Str()
    region_code = fields.Str()


class ItemSchema(Schema):
    id = fields.Int()
    code = fields.Str()
    name_zh = fields.Str()
    name_en = fields.Str()
    category = fields.Str()
    unit_zh = fields.Str()
    unit_en = fields.Str()
    shelf_life_days = fields.Int(allow_none=True)


class PageArgs(Schema):
    page = fields.Int(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Int(load_default=100, validate=validate.Range(min=1, max=1000))


class BalanceArgs(PageArgs):
    facility = fields.Str(validate=validate.Length(max=32))
    item = fields.Str(validate=validate.Length(max=32))
    form = fields.Str(validate=validate.OneOf([f.value for f in ReserveForm]))


class BalanceSchema(Schema):
    facility = fields.Str()
    item = fields.Str()
    lot_no = fields.Str()
    expiry = fields.Date(allow_none=True)
    form = fields.Str()
    quantity = fields.Int()
    reserved = fields.Int()
    available = fields.Int()


class BalancePage(Schema):
    total = fields.Int()
    page = fields.Int()
    items = fields.List(fields.Nested(BalanceSchema))


class MovementArgs(PageArgs):
    facility = fields.Str(validate=validate.Length(max=32))
    item = fields.Str(validate=validate.Length(max=32))
    kind = fields.Str(validate=validate.OneOf([k.value for k in MovementKind]))
    since = fields.Date()
    until = fields.Date()


class MovementSchema(Schema):
    id = fields.Int()
    type = fields.Str()
    facility = fields.Str()
    item = fields.Str()
    lot_no = fields.Str()
    form = fields.Str()
    quantity = fields.Int(metadata={"description": "signed change of the lot balance"})
    balance_after = fields.Int()
    reason = fields.Str()
    counterpart = fields.Str(allow_none=True)
    order_ref = fields.Str(allow_none=True)
    note = fields.Str()
    occurred_at = fields.Str(metadata={"description": "ISO 8601, Asia/Shanghai"})
    user = fields.Int(allow_none=True)


class MovementPage(Schema):
    total = fields.Int()
    page = fields.Int()
    items = fields.List(fields.Nested(MovementSchema))


class MovementList(Schema):
    movements = fields.List(fields.Nested(MovementSchema))


class MovementIn(Schema):
    type = fields.Str(required=True, validate=validate.OneOf(TYPES))
    facility = fields.Str(required=True, validate=validate.Length(min=1, max=32))
    item = fields.Str(required=True, validate=validate.Length(min=1, max=32))
    quantity = fields.Int(
        required=True, strict=True, validate=validate.Range(min=1, max=MAX_QUANTITY)
    )
    lot_no = fields.Str(validate=validate.Length(min=1, max=64))
    expiry = fields.Date(allow_none=True)
    form = fields.Str(
        load_default="physical", validate=validate.OneOf([f.value for f in ReserveForm])
    )
    source = fields.Str(load_default="purchase", validate=validate.OneOf(RECEIPT_SOURCES))
    reason = fields.Str(validate=validate.OneOf(ADJUST_OUT + ADJUST_IN))
    counterpart = fields.Str(validate=validate.Length(min=1, max=32))
    order_ref = fields.Str(validate=validate.Length(max=32))
    note = fields.Str(load_default="", validate=validate.Length(max=NOTE_MAX))
    occurred_at = fields.AwareDateTime(default_timezone=SHANGHAI)


class CountLineIn(Schema):
    lot_no = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    counted = fields.Int(
        required=True, strict=True, validate=validate.Range(min=0, max=MAX_QUANTITY)
    )
    expiry = fields.Date(allow_none=True)


class CountIn(Schema):
    facility = fields.Str(required=True, validate=validate.Length(min=1, max=32))
    item = fields.Str(required=True, validate=validate.Length(min=1, max=32))
    lines = fields.List(
        fields.Nested(CountLineIn), required=True, validate=validate.Length(min=1, max=1000)
    )
    note = fields.Str(load_default="", validate=validate.Length(max=NOTE_MAX))


class ReversalIn(Schema):
    note = fields.Str(required=True, validate=validate.Length(min=1, max=NOTE_MAX))


class IdempotencyHeader(Schema):
    class Meta:
        unknown = "exclude"

    idempotency_key = fields.Str(
        data_key="Idempotency-Key", validate=validate.Length(min=1, max=40)
    )
