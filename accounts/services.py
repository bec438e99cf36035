"""Creating users, checking credentials, and scoping clerks to their depots."""

import logging

from sqlmodel import Session, select

from accounts.models import Role, User, UserFacility
from accounts.passwords import MIN_LENGTH, hash_password, is_demo_password, verify_password
from errors import ValidationError

logger = logging.getLogger(__name__)


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    *,
    display_name: str = "",
    facility_ids: list[int] | None = None,
) -> User:
    """Add a user; a clerk must be given at least one depot."""
    username = username.strip()
    errors = {}
    if not username:
        errors["username"] = "required"
    elif session.exec(select(User).where(User.username == username)).first():
        errors["username"] = "taken"
    if role not in set(Role):
        errors["role"] = "unknown role"
    if len(password) < MIN_LENGTH:
        errors["password"] = f"at least {MIN_LENGTH} characters"
    if role == Role.CLERK and not facility_ids:
        errors["facility_ids"] = "a clerk needs at least one depot"
    if errors:
        raise ValidationError("invalid user", fields=errors)
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    for facility_id in facility_ids or []:
        session.add(UserFacility(user_id=user.id, facility_id=facility_id))
    session.flush()
    logger.info("User %s created with role %s", username, role)
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = session.exec(select(User).where(User.username == username.strip())).first()
    if user is None or not user.active or not verify_password(user.password_hash, password):
        return None
    return user


def facility_ids_of(session: Session, user: User) -> set[int]:
    """The depots a clerk is responsible for."""
    rows = session.exec(select(UserFacility.facility_id).where(UserFacility.user_id == user.id))
    return set(rows.all())


def users_with_demo_passwords(session: Session) -> list[str]:
    """Usernames of active users whose password is one of the demo passwords."""
    users = session.exec(select(User).where(User.active == True)).all()  # noqa: E712
    return [u.username for u in users if is_demo_password(u.password_hash)]
