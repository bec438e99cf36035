"""API tokens: issued once in clear, stored hashed, revocable."""

import hashlib
import logging
import secrets

from flask_babel import gettext as _
from sqlalchemy import bindparam
from sqlmodel import Session, select

from accounts.models import ApiToken, User
from core.errors import Forbidden, NotFound, ValidationError
from core.timeutil import utcnow

logger = logging.getLogger(__name__)
PREFIX = "rsv_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the user; the clear text is returned once and never stored."""
    name = name.strip()
    if not name or len(name) > 64:
        raise ValidationError(_("Give the token a name of at most 64 characters."), field="name")
    clear = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=_digest(clear), prefix=clear[:12])
    session.add(token)
    session.flush()
    logger.info("API token %s issued to %s", token.prefix, user.username)
    return token, clear


# one statement: the token's row joined to its user, refusing revoked tokens and inactive users;
# nothing is cached, so a revocation or a deactivation takes effect on the next request
_USER_FOR_DIGEST = (
    select(User)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(
        ApiToken.token_hash == bindparam("digest"),
        ApiToken.revoked_at.is_(None),
        User.active.is_(True),
    )
)


def user_for_token(session: Session, clear: str) -> User | None:
    """The active user owning this unrevoked token, or None."""
    if not clear.startswith(PREFIX):
        return None
    return session.exec(_USER_FOR_DIGEST, params={"digest": _digest(clear)}).first()


def revoke_token(session: Session, actor: User, token_id: int) -> ApiToken:
    """Revoke a token; users revoke their own, administrators anyone's."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(_("No such token."))
    if token.user_id != actor.id and actor.role != "admin":
        raise Forbidden(_("You are not allowed to do this."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        session.flush()
        logger.info("API token %s revoked by %s", token.prefix, actor.username)
    return token


def bearer_user(session: Session, header: str | None) -> User | None:
    """The user of an `Authorization: Bearer <token>` header, or None."""
    if not header or not header.startswith("Bearer "):
        return None
    return user_for_token(session, header[len("Bearer ") :].strip())
