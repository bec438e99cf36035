"""The surge pages: scenarios, plans, allocation orders and support requests."""

from dispatch.views import order_pages, plan_pages, scenario_pages, support_pages  # noqa: F401
from dispatch.views.common import bp

__all__ = ["bp"]
