"""Target profiles: which cover rules are in force."""

from flask_babel import gettext as _
from sqlmodel import Session, select

from core.errors import ValidationError
from inventory.models import TargetProfile


def upsert_profile(session: Session, code: str, **values) -> TargetProfile:
    """Create the profile with this code, or update it."""
    for name in ("physical_days", "all_forms_days", "long_days"):
        if name in values and int(values[name]) <= 0:
            raise ValidationError(_("Must be positive."), field=name)
    profile = session.exec(select(TargetProfile).where(TargetProfile.code == code)).first()
    profile = profile or TargetProfile(code=code, **values)
    profile.sqlmodel_update(values)
    session.add(profile)
    session.flush()
    return profile


def activate_profile(session: Session, code: str) -> TargetProfile:
    """Make this profile the one in force, and no other."""
    profiles = session.exec(select(TargetProfile)).all()
    chosen = next((p for p in profiles if p.code == code), None)
    if chosen is None:
        raise ValidationError(_("Unknown target profile."), field="code")
    for p in profiles:
        p.active = p is chosen
        session.add(p)
    session.flush()
    return chosen


def active_profile(session: Session) -> TargetProfile | None:
    """The profile in force."""
    return session.exec(select(TargetProfile).where(TargetProfile.active == True)).first()  # noqa: E712
