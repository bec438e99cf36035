"""Forms of the administrator pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FloatField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

ROLE_CHOICES = [
    SelectChoice("clerk", _l("Warehouse clerk")),
    SelectChoice("dispatcher", _l("Dispatcher")),
    SelectChoice("viewer", _l("Viewer")),
    SelectChoice("admin", _l("Administrator")),
]
TIER_CHOICES = [
    SelectChoice("city", _l("City")),
    SelectChoice("county", _l("County")),
    SelectChoice("township", _l("Township")),
]
CATEGORY_CHOICES = [
    SelectChoice("protection", _l("Protection")),
    SelectChoice("testing", _l("Testing")),
    SelectChoice("disinfection", _l("Disinfection")),
    SelectChoice("drugs", _l("Drugs")),
    SelectChoice("equipment", _l("Treatment equipment")),
]


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=64)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    facility_ids = SelectMultipleField(_l("Depots (clerks)"), coerce=int)
    active = BooleanField(_l("May log in"), default=True)
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=200)])


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])


class FacilityForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=96)])
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=128)])
    tier = SelectField(_l("Tier"), choices=TIER_CHOICES)
    parent_code = StringField(_l("Parent depot code"), validators=[Optional(), Length(max=32)])
    region_code = StringField(_l("Region code"), validators=[DataRequired(), Length(max=12)])
    operator = StringField(_l("Operator"), validators=[Optional(), Length(max=96)])
    lon = FloatField(_l("Longitude"), validators=[Optional(), NumberRange(-180, 180)])
    lat = FloatField(_l("Latitude"), validators=[Optional(), NumberRange(-90, 90)])
    beds = IntegerField(
        _l("Full-load beds served"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=1_000_000)],
    )
    population_served = IntegerField(
        _l("Population served"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=200_000_000)],
    )
    active = BooleanField(_l("Active"), default=True)


class ItemForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name_zh = StringField(_l("Chinese name"), validators=[DataRequired(), Length(max=96)])
    name_en = StringField(_l("English name"), validators=[DataRequired(), Length(max=128)])
    category = SelectField(_l("Category"), choices=CATEGORY_CHOICES)
    unit_zh = StringField(_l("Unit (Chinese)"), validators=[DataRequired(), Length(max=16)])
    unit_en = StringField(_l("Unit (English)"), validators=[DataRequired(), Length(max=24)])
    pack_size = IntegerField(
        _l("Pack size"), default=1, validators=[DataRequired(), NumberRange(min=1, max=100_000)]
    )
    shelf_life_days = IntegerField(
        _l("Shelf life (days)"), validators=[Optional(), NumberRange(min=1, max=36_500)]
    )
    unit_kg = FloatField(
        _l("Unit weight (kg)"),
        default=1.0,
        validators=[DataRequired(), NumberRange(min=0.000001, max=100_000)],
    )
    criticality = IntegerField(
        _l("Criticality"), default=3, validators=[DataRequired(), NumberRange(min=1, max=5)]
    )
    active = BooleanField(_l("Active"), default=True)


class ProfileForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name_zh = StringField(_l("Chinese name"), validators=[DataRequired(), Length(max=64)])
    name_en = StringField(_l("English name"), validators=[DataRequired(), Length(max=96)])
    physical_days = IntegerField(
        _l("Physical days"), validators=[DataRequired(), NumberRange(1, 3650)]
    )
    all_forms_days = IntegerField(
        _l("All forms, days"), validators=[DataRequired(), NumberRange(1, 3650)]
    )
    long_days = IntegerField(
        _l("Long target, days"), validators=[DataRequired(), NumberRange(1, 3650)]
    )
    season_start_month = IntegerField(
        _l("Season from month"), validators=[Optional(), NumberRange(1, 12)]
    )
    season_end_month = IntegerField(
        _l("Season to month"), validators=[Optional(), NumberRange(1, 12)]
    )
    source = StringField(_l("Source"), validators=[Optional(), Length(max=200)])
