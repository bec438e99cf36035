"""The surge pages' blueprint, their labels and the helpers every page uses."""

from collections.abc import Callable
from typing import TypeVar

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
)
from flask_babel import gettext as _

from core.db import unit_of_work
from core.errors import DomainError
from core.i18n import datetime_local
from surge.models import (
    LinkPolicy,
    OrderStatus,
    PlanStatus,
)

# the templates live in surge/templates: the blueprint is rooted at the surge package
bp = Blueprint("surge", "surge", template_folder="templates")


def order_status_labels():
    return {
        OrderStatus.DRAFT: _("Draft"),
        OrderStatus.APPROVED: _("Approved"),
        OrderStatus.DISPATCHED: _("Dispatched"),
        OrderStatus.RECEIVED: _("Received"),
        OrderStatus.CLOSED: _("Closed"),
        OrderStatus.CANCELLED: _("Cancelled"),
    }


def _plan_labels():
    return {
        PlanStatus.PROPOSED: _("Proposed"),
        PlanStatus.ISSUED: _("Orders issued"),
        PlanStatus.DISCARDED: _("Discarded"),
    }


def _link_labels():
    return {
        LinkPolicy.DISTANCE: _("Within a distance (the 1-hour response circle)"),
        LinkPolicy.HIERARCHY: _("Along the depot hierarchy (parent, child, sibling)"),
        LinkPolicy.ANY: _("Any depot to any depot"),
    }


@bp.app_context_processor
def order_labels():
    return {
        "order_status_label": lambda code: order_status_labels().get(code, code),
        "plan_status_label": lambda code: _plan_labels().get(code, code),
        "link_label": lambda code: _link_labels().get(code, code),
    }


def fail(exc: DomainError):
    """Flash a refusal's message (its unit of work is already rolled back); its HTTP status."""
    flash(exc.message, "error")
    return exc.status_code


T = TypeVar("T")


def attempt(action: Callable, back: str) -> T:
    """Run `action(session)` in a unit of work, giving what it returns. A refusal is rolled
    back and flashed: a 403 or 404 shows its page, anything else goes back to `back` (303)."""
    try:
        with unit_of_work() as session:
            return action(session)
    except DomainError as exc:
        code = fail(exc)
        if code in (403, 404):
            abort(code)
        abort(redirect(back, 303))


def local_time(value) -> str:
    """A stored time as Shanghai wall-clock time, for the PDFs."""
    return datetime_local(value)
