"""Usable stock: what may still be issued or promised is the balance minus what approved
orders reserved, and only of lots not expired (inventory.rules.expiry); the SQL form is
`available` of the columns where `usable_clause` holds.

`available` works on numbers and on SQL columns alike (Balance.quantity - Balance.reserved)."""


def available(quantity, reserved):
    """Units of a balance not promised to an order: numbers or SQL column expressions."""
    return quantity - reserved


def usable(quantity: int, reserved: int, expired: bool) -> int:
    """Units of a lot's balance that may be used: none once the lot is expired
    (`inventory.rules.expiry.is_expired`), else what is not reserved."""
    return 0 if expired else available(quantity, reserved)
