"""Usable stock: what may still be issued or promised is the balance minus what approved
orders reserved, and only of lots not expired (inventory.rules.expiry).

`available` works on numbers and on SQL columns alike (Balance.quantity - Balance.reserved)."""

from datetime import date

from inventory.rules.expiry import is_expired


def available(quantity, reserved):
    """Units of a balance not promised to an order: numbers or SQL column expressions."""
    return quantity - reserved


def usable(quantity: int, reserved: int, expiry: date | None, today: date) -> int:
    """Units of a lot's balance that may be used on `today`: none once the lot is expired."""
    return 0 if is_expired(expiry, today) else available(quantity, reserved)
