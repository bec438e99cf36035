"""The surge pages: scenarios, plans, allocation orders and support requests."""

from surge.views import order_pages, plan_pages, scenario_pages, support_pages  # noqa: F401
from surge.views.common import bp

__all__ = ["bp"]
