"""Expiry: a lot is expired from the day after its expiry date (a lot expiring today is still
usable today); a lot without an expiry date never expires. Expired stock may only be
disposed of.

The same rule as a Python predicate (`is_expired`) and as SQL (`expired_clause`,
`usable_clause`), and the one refusal message for taking an expired lot out."""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, or_


def is_expired(expiry: date | None, today: date) -> bool:
    """Past its expiry date on `today`: may only be disposed of."""
    return expiry is not None and expiry < today


def expired_clause(expiry_column, today: date):
    """SQL: the lot whose expiry is `expiry_column` is expired on `today` (`is_expired`)."""
    return and_(expiry_column.is_not(None), expiry_column < today)


def usable_clause(expiry_column, today: date):
    """SQL: the lot is not expired on `today`, the negation of `expired_clause`, written so
    that an expiry-less lot is usable without relying on NULL logic."""
    return or_(expiry_column.is_(None), expiry_column >= today)


def expired_lot_refusal(lot_no: str, expiry: date) -> str:
    """Why an expired lot cannot be issued, sent or promised."""
    return _(
        "Lot %(lot)s expired on %(expiry)s: it can only be disposed of.",
        lot=lot_no,
        expiry=expiry.isoformat(),
    )
