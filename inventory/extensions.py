"""What other packages add to the inventory's figures and pages without the inventory importing
them: the surge package promises stock to orders and moves it with them, and the app plugs
its answers in here at start (app.py). Unset, the inventory stands alone: nothing reserved,
no orders on the depot page."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Extensions:
    # (at, facility ids or None) -> a query of (facility_id, item_id, reserved) at that instant
    reserved_at: Callable | None = None
    # (session, facility_id) -> [(order, sender's name, receiver's name)] still open
    open_orders: Callable | None = None


EXTENSIONS = Extensions()
