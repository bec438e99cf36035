"""Creating users, checking credentials, and scoping clerks to their depots."""

import logging
from datetime import datetime, timedelta

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import bindparam
from sqlmodel import Session, select

from accounts.models import Role, User, UserFacility
from accounts.passwords import (
    DEMO_PASSWORDS,
    MIN_LENGTH,
    hash_password,
    is_demo_password,
    verify_password,
)
from core import db
from core.errors import StartupError, ValidationError
from core.timeutil import as_utc, utcnow

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


MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
# verified when the username is unknown, so a wrong name takes as long as a wrong password
_DUMMY_HASH = hash_password("not-a-real-password")


class AccountLocked(Exception):
    """Too many wrong passwords: the account is locked until `until`."""

    def __init__(self, until: datetime):
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None; counts failures and locks.

    :raises AccountLocked: the account is locked after repeated wrong passwords.
    """
    user = session.exec(select(User).where(User.username == username.strip())).first()
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return None
    now = utcnow()
    if user.locked_until is not None and as_utc(user.locked_until) > now:
        raise AccountLocked(as_utc(user.locked_until))
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
            logger.warning("User %s locked after repeated failed logins", user.username)
        session.add(user)
        session.flush()
        return None
    if not user.active:
        return None
    if user.failed_logins or user.locked_until:
        user.failed_logins, user.locked_until = 0, None
        session.add(user)
        session.flush()
    return user


def change_password(session: Session, user: User, current: str, new: str) -> User:
    """Replace the user's password after checking the current one."""
    errors = {}
    if not verify_password(user.password_hash, current):
        errors["current"] = _("The current password is wrong.")
    if len(new) < MIN_LENGTH:
        errors["new"] = _("At least %(n)d characters.", n=MIN_LENGTH)
    elif new == current:
        errors["new"] = _("Choose a password different from the current one.")
    elif new in DEMO_PASSWORDS.values():
        errors["new"] = _("Demo passwords cannot be used.")
    if errors:
        raise ValidationError(_("The password was not changed."), fields=errors)
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    session.add(user)
    session.flush()
    logger.info("User %s changed their password", user.username)
    return user


def facility_ids_of(session: Session, user: User) -> set[int]:
    """The depots a clerk is responsible for."""
    rows = session.exec(select(UserFacility.facility_id).where(UserFacility.user_id == user.id))
    return set(rows.all())


_CLERK_OF = select(UserFacility.id).where(
    UserFacility.user_id == bindparam("user_id"),
    UserFacility.facility_id == bindparam("facility_id"),
)


def is_clerk_of(session: Session, user: User, facility_id: int) -> bool:
    """Whether the depot is one of the user's: one indexed lookup of the pair, unless this
    unit of work has already read it (`note_clerk_of`)."""
    known = db.noted(session, "clerk_of").get((user.id, facility_id))
    if known is not None:
        return known
    params = {"user_id": user.id, "facility_id": facility_id}
    return session.connection().execute(_CLERK_OF, params).first() is not None


def clerk_of_clause(user_id: int, facility_id_column):
    """A SQL boolean: the user is a clerk of the depot in `facility_id_column`, so a query that
    loads the depot can answer `is_clerk_of` too (record its answer with `note_clerk_of`)."""
    return (
        select(UserFacility.id)
        .where(UserFacility.user_id == user_id, UserFacility.facility_id == facility_id_column)
        .exists()
    )


def note_clerk_of(session: Session, user: User, facility_id: int, is_clerk: bool) -> None:
    """Record what this unit of work read about the pair; the note ends with the session's
    transaction (commit or rollback), so it is never older than the transaction."""
    db.note(session, "clerk_of", (user.id, facility_id), bool(is_clerk))


def users_with_demo_passwords(session: Session) -> list[str]:
    """Usernames of active users whose password is one of the demo passwords."""
    users = session.exec(select(User).where(User.active == True)).all()  # noqa: E712
    return [u.username for u in users if is_demo_password(u.password_hash)]


def refuse_demo_passwords_in_production(app: Flask) -> None:
    """A startup check: production does not start while any active user has a demo password."""
    if app.config["APP_ENV"] != "production":
        return
    with db.session_scope(db.get_engine(app)) as session:
        demo_users = users_with_demo_passwords(session)
    if demo_users:
        raise StartupError(
            "refusing to start in production: demo passwords are set for "
            + ", ".join(sorted(demo_users))
        )
