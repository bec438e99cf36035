"""Who may do what in the surge response: enforced here, not only in templates."""

from flask_babel import gettext as _
from sqlmodel import Session

from accounts.models import Role, User
from accounts.services import facility_ids_of
from core.errors import Forbidden

READERS = (Role.DISPATCHER, Role.VIEWER, Role.ADMIN)


def require_dispatcher(actor: User | None) -> None:
    """Scenarios, plans, orders and support requests are the emergency office's."""
    if actor is not None and actor.role != Role.DISPATCHER:
        raise Forbidden(_("Only the emergency office's dispatchers may do this."))


def require_reader(actor: User | None) -> None:
    """Scenarios and plans may be read by the office, leaders and administrators."""
    if actor is not None and actor.role not in READERS:
        raise Forbidden(_("You are not allowed to see surge plans."))


def require_clerk_of(session: Session, actor: User | None, facility_id: int, message: str) -> None:
    """Only a clerk of this depot (or the system) may confirm what happens at its door."""
    if actor is None:
        return
    if actor.role != Role.CLERK or facility_id not in facility_ids_of(session, actor):
        raise Forbidden(message)


def may_read_order(session: Session, actor: User, from_id: int, to_id: int) -> bool:
    """The office, leaders and administrators see every order; clerks those of their depots."""
    if actor.role in READERS:
        return True
    if actor.role == Role.CLERK:
        return bool({from_id, to_id} & facility_ids_of(session, actor))
    return False
