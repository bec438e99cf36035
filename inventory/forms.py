"""Forms for the clerk's movement pages: one per movement type, quick to fill by keyboard."""

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from core.fields import NOTE_MAX

SOURCES = [
    SelectChoice("purchase", _l("Purchase")),
    SelectChoice("donation", _l("Donation")),
    SelectChoice("agreement", _l("From agreement stock")),
    SelectChoice("return", _l("Returned by an institution")),
]
ADJUST_REASONS = [
    SelectChoice("damaged", _l("Damaged")),
    SelectChoice("expired", _l("Expired (disposal)")),
    SelectChoice("lost", _l("Lost")),
    SelectChoice("found", _l("Found")),
]
FORMS = [SelectChoice("physical", _l("Physical")), SelectChoice("agreement", _l("Agreement stock"))]


class MovementForm(FlaskForm):
    """Fields every movement has."""

    item_id = SelectField(_l("Item"), coerce=int, validators=[DataRequired()])
    quantity = IntegerField(
        _l("Quantity"),
        validators=[DataRequired(), NumberRange(min=1, max=10_000_000)],
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=NOTE_MAX)])
    # a fresh key per rendered form: pressing submit twice records the movement once
    idempotency_key = HiddenField(default=lambda: uuid.uuid4().hex)


class ReceiptForm(MovementForm):
    lot_no = StringField(_l("Lot number"), validators=[DataRequired(), Length(max=64)])
    expiry = DateField(_l("Expiry date"), validators=[Optional()])
    source = SelectField(_l("Source"), choices=SOURCES)
    form = SelectField(_l("Reserve form"), choices=FORMS)


class IssueForm(MovementForm):
    lot_no = StringField(
        _l("Lot number (empty: first expiry first out)"), validators=[Optional(), Length(max=64)]
    )


class TransferOutForm(IssueForm):
    counterpart_id = SelectField(_l("To depot"), coerce=int, validators=[DataRequired()])
    order_ref = StringField(_l("Order number"), validators=[Optional(), Length(max=32)])


class TransferInForm(MovementForm):
    counterpart_id = SelectField(_l("From depot"), coerce=int, validators=[DataRequired()])
    lot_no = StringField(_l("Lot number"), validators=[DataRequired(), Length(max=64)])
    expiry = DateField(_l("Expiry date"), validators=[Optional()])
    order_ref = StringField(_l("Order number"), validators=[Optional(), Length(max=32)])


class AdjustmentForm(MovementForm):
    lot_no = StringField(_l("Lot number"), validators=[DataRequired(), Length(max=64)])
    reason = SelectField(_l("Reason"), choices=ADJUST_REASONS)
    form = SelectField(_l("Reserve form"), choices=FORMS)


class ReversalForm(FlaskForm):
    note = TextAreaField(
        _l("Why is it reversed?"), validators=[DataRequired(), Length(max=NOTE_MAX)]
    )
    idempotency_key = HiddenField(default=lambda: uuid.uuid4().hex)


MOVEMENT_FORMS = {
    "receipt": (ReceiptForm, _l("Receipt")),
    "issue": (IssueForm, _l("Issue")),
    "transfer_out": (TransferOutForm, _l("Transfer out")),
    "transfer_in": (TransferInForm, _l("Transfer in")),
    "adjustment": (AdjustmentForm, _l("Adjustment")),
}
