"""What administrators change: users, depots, items, tier catalogs, norms, target profiles.

Every function checks that the actor is an administrator, so the rule holds for the pages,
the API and the CLI alike. The underlying writes are the inventory and account services.
"""

import logging

from flask_babel import gettext as _
from sqlmodel import Session, select

from accounts.models import Role, User, UserFacility
from accounts.passwords import DEMO_PASSWORDS, MIN_LENGTH, hash_password
from accounts.services import create_user
from core.errors import Forbidden, NotFound, ValidationError
from core.timeutil import utcnow
from inventory.models import Facility, Item, Region
from inventory.services import catalog, network, targets

logger = logging.getLogger(__name__)


def require_admin(actor: User | None) -> None:
    """Only administrators (or the system itself) manage master data and users."""
    if actor is not None and actor.role != Role.ADMIN:
        raise Forbidden(_("Only administrators may do this."))


def add_user(
    session: Session,
    actor: User,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str,
    facility_ids: list[int],
) -> User:
    """Create an account."""
    require_admin(actor)
    if password in DEMO_PASSWORDS.values():
        raise ValidationError(_("Demo passwords cannot be used."), field="password")
    return create_user(
        session, username, password, role, display_name=display_name, facility_ids=facility_ids
    )


def update_user(
    session: Session,
    actor: User,
    user_id: int,
    *,
    role: str,
    display_name: str,
    active: bool,
    facility_ids: list[int],
) -> User:
    """Change a user's role, name, depots or whether they may log in."""
    require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    errors = {}
    if role not in set(Role):
        errors["role"] = _("Unknown role.")
    if role == Role.CLERK and not facility_ids:
        errors["facility_ids"] = _("A clerk needs at least one depot.")
    if user.id == actor.id and (role != Role.ADMIN or not active):
        errors["role"] = _("You cannot remove your own administrator rights.")
    known = set(session.exec(select(Facility.id).where(Facility.id.in_(facility_ids))).all())
    if set(facility_ids) - known:
        errors["facility_ids"] = _("Unknown depot.")
    if errors:
        raise ValidationError(_("The user was not changed."), fields=errors)
    user.role, user.display_name, user.active = role, display_name.strip() or user.username, active
    session.add(user)
    current = {
        uf.facility_id: uf
        for uf in session.exec(select(UserFacility).where(UserFacility.user_id == user.id))
    }
    wanted = set(facility_ids) if role == Role.CLERK else set()
    for fid, link in current.items():
        if fid not in wanted:
            session.delete(link)
    for fid in wanted - set(current):
        session.add(UserFacility(user_id=user.id, facility_id=fid))
    session.flush()
    logger.info("User %s updated by %s", user.username, actor.username)
    return user


def reset_password(session: Session, actor: User, user_id: int, new_password: str) -> User:
    """Set a new password for a user (who should then change it)."""
    require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    if len(new_password) < MIN_LENGTH:
        raise ValidationError(_("At least %(n)d characters.", n=MIN_LENGTH), field="password")
    if new_password in DEMO_PASSWORDS.values():
        raise ValidationError(_("Demo passwords cannot be used."), field="password")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.failed_logins, user.locked_until = 0, None
    session.add(user)
    session.flush()
    logger.info("Password of %s reset by %s", user.username, actor.username)
    return user


def save_facility(
    session: Session, actor: User, code: str, *, parent_code: str | None, **values
) -> Facility:
    """Create or change a depot."""
    require_admin(actor)
    code = code.strip()
    if not code:
        raise ValidationError(_("A code is required."), field="code")
    if session.get(Region, values.get("region_code")) is None:
        raise ValidationError(_("Unknown region."), field="region_code")
    return network.upsert_facility(session, code, parent_code=parent_code or None, **values)


def save_item(session: Session, actor: User, code: str, **values) -> Item:
    """Create or change a catalog item."""
    require_admin(actor)
    code = code.strip()
    if not code:
        raise ValidationError(_("A code is required."), field="code")
    return catalog.upsert_item(session, code, **values)


def save_tier_catalog(session: Session, actor: User, tier: str, item_ids: list[int]):
    """Set the items a tier's depots must hold."""
    require_admin(actor)
    return catalog.set_catalog(session, tier, item_ids)


def save_norm(
    session: Session,
    actor: User,
    facility_id: int,
    item_id: int,
    daily_usage: float,
    *,
    basis: str,
    source: str,
):
    """Set a depot's full-load daily usage of an item, with its derivation."""
    require_admin(actor)
    facility, item = session.get(Facility, facility_id), session.get(Item, item_id)
    if facility is None or item is None:
        raise NotFound(_("No such depot or item."))
    if not basis.strip():
        raise ValidationError(_("Say how the number was derived."), field="basis")
    return catalog.set_norm(
        session, facility, item, daily_usage, basis=basis.strip(), source=source.strip()
    )


def save_profile(session: Session, actor: User, code: str, **values):
    """Create or change a target profile."""
    require_admin(actor)
    for name in ("physical_days", "all_forms_days", "long_days"):
        if int(values.get(name, 1)) <= 0:
            raise ValidationError(_("Must be positive."), field=name)
    return targets.upsert_profile(session, code, **values)


def activate_profile(session: Session, actor: User, code: str):
    """Put a target profile in force."""
    require_admin(actor)
    return targets.activate_profile(session, code)
