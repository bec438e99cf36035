"""What the depot pages post: a movement from its form, the lines of the count page, the
pages' idempotency keys, and a refusal's field messages placed back on the form."""

from datetime import date

from flask import flash
from flask_babel import gettext as _
from sqlmodel import Session

from accounts.models import User
from core.errors import DomainError
from inventory.models import Facility, ReserveForm
from inventory.services import by_kind
from inventory.services.corrections import CountLine


def web_key(user: User, key: str | None) -> str | None:
    # keys from the pages are namespaced by user, so two clerks cannot collide
    return f"web:{user.id}:{key[:40]}" if key else None


def post_movement(session: Session, user: User, kind: str, form, facility: Facility) -> None:
    """Record the movement a validated form of `kind` describes (fields a kind's form lacks
    are left at their defaults)."""

    def data(name):
        field = getattr(form, name, None)
        return field.data if field is not None else None

    by_kind.record(
        session,
        user,
        kind,
        facility_id=facility.id,
        item_id=form.item_id.data,
        quantity=form.quantity.data,
        lot_no=data("lot_no"),
        expiry=data("expiry"),
        source=data("source") or "purchase",
        form=data("form") or ReserveForm.PHYSICAL,
        counterpart_id=data("counterpart_id"),
        order_ref=data("order_ref") or None,
        reason=data("reason") or "",
        note=(form.note.data or "").strip(),
        idempotency_key=web_key(user, form.idempotency_key.data),
    )


def form_errors(form, exc: DomainError) -> None:
    """Put the refusal's field messages on the form's fields; flash what has no field."""
    placed = False
    aliases = {
        "to_facility_id": "counterpart_id",
        "from_facility_id": "counterpart_id",
        "item": "item_id",
        "facility": "item_id",
    }
    for name, message in (exc.fields or {}).items():
        field = getattr(form, aliases.get(name, name), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), str(message)]
            placed = True
    if not placed or not exc.fields:
        flash(exc.message, "error")


def count_lines(form) -> tuple[list[CountLine], dict[str, str]]:
    """The count page's rows as count lines, with a message per wrong cell."""
    lines, errors = [], {}
    rows = form.get("rows", "0").strip()
    # the page says how many rows it rendered; a tampered number counts no row
    n_rows = int(rows) if rows.isascii() and rows.isdigit() and len(rows) <= 4 else 0
    for n in range(n_rows):
        lot_no = form.get(f"lot_{n}", "").strip()
        raw = form.get(f"counted_{n}", "").strip()
        if not raw and not lot_no:
            continue
        if not raw:
            continue  # a lot left blank is not counted
        if not (raw.isascii() and raw.isdigit()):
            errors[f"counted_{n}"] = _("Enter a whole number, zero or more.")
            continue
        if not lot_no:
            errors[f"lot_{n}"] = _("A lot number is required.")
            continue
        expiry = None
        if form.get(f"expiry_{n}"):
            try:
                expiry = date.fromisoformat(form[f"expiry_{n}"])
            except ValueError:
                errors[f"expiry_{n}"] = _("Not a date.")
                continue
        lines.append(CountLine(lot_no, int(raw), expiry))
    if not lines and not errors:
        errors["form"] = _("Count at least one lot.")
    return lines, errors
