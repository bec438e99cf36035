"""The alert scan (open, refresh, resolve) and acknowledging alerts."""

import logging
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session, select

from accounts.models import Role, User
from accounts.services import facility_ids_of
from core.errors import Forbidden, NotFound
from core.timeutil import local_today, utcnow
from inventory.models import Alert, AlertKind
from inventory.services.cover import Status
from inventory.services.expiry import expiring_lots
from inventory.services.readiness import compute_readiness
from inventory.services.usage import burn_rates

logger = logging.getLogger(__name__)
EXPIRY_ALERT_DAYS = 30


@dataclass(frozen=True)
class Condition:
    key: str
    kind: str
    facility_id: int
    item_id: int
    lot_id: int | None
    value: float | None
    quantity: int | None


def current_conditions(session: Session, today: date) -> list[Condition]:
    """Everything that deserves an alert today."""
    readiness = compute_readiness(session, today=today)
    found = []
    for (fid, iid), cover in readiness.covers.items():
        status = cover.status(readiness.targets)
        if status == Status.STOCK_OUT:
            found.append(
                Condition(f"stock_out:{fid}:{iid}", AlertKind.STOCK_OUT, fid, iid, None, 0.0, 0)
            )
        elif status == Status.RED:
            found.append(
                Condition(
                    f"below_target:{fid}:{iid}",
                    AlertKind.BELOW_TARGET,
                    fid,
                    iid,
                    None,
                    round(cover.physical_days, 1),
                    cover.physical,
                )
            )
    for lot in expiring_lots(session, within_days=EXPIRY_ALERT_DAYS, today=today):
        found.append(
            Condition(
                f"expiring:{lot.facility_id}:{lot.item_id}:{lot.lot.id}",
                AlertKind.EXPIRING,
                lot.facility_id,
                lot.item_id,
                lot.lot.id,
                float(lot.days_left),
                lot.quantity,
            )
        )
    for (fid, iid), rate in burn_rates(session, today=today).items():
        if rate.above_norm:
            found.append(
                Condition(
                    f"above_norm:{fid}:{iid}",
                    AlertKind.ABOVE_NORM,
                    fid,
                    iid,
                    None,
                    round(rate.ratio_to_norm, 2),
                    None,
                )
            )
    return found


def scan(session: Session, *, today: date | None = None) -> dict[str, int]:
    """Open alerts for new conditions, refresh continuing ones, resolve those that cleared."""
    today = today or local_today()
    now = utcnow()
    conditions = {c.key: c for c in current_conditions(session, today)}
    existing = {a.key: a for a in session.exec(select(Alert))}
    opened = refreshed = resolved = 0
    for key, c in conditions.items():
        alert = existing.get(key)
        if alert is None:
            alert = Alert(
                key=key,
                kind=c.kind,
                facility_id=c.facility_id,
                item_id=c.item_id,
                lot_id=c.lot_id,
                opened_at=now,
            )
            opened += 1
        elif alert.resolved_at is not None:
            # the condition came back: a new episode, to be acknowledged again
            alert.resolved_at = None
            alert.acknowledged_by = alert.acknowledged_at = None
            alert.opened_at = now
            opened += 1
        else:
            refreshed += 1
        alert.value, alert.quantity, alert.last_seen_at = c.value, c.quantity, now
        session.add(alert)
    for key, alert in existing.items():
        if key not in conditions and alert.resolved_at is None:
            alert.resolved_at = now
            session.add(alert)
            resolved += 1
    session.flush()
    logger.info("Alert scan: %s opened, %s still open, %s resolved", opened, refreshed, resolved)
    return {"opened": opened, "open": opened + refreshed, "resolved": resolved}


def open_alerts(
    session: Session, user: User, *, kind: str | None = None, include_acknowledged: bool = True
) -> list[Alert]:
    """Open alerts the user may see: a clerk's depots, or every depot for other roles."""
    query = select(Alert).where(Alert.resolved_at.is_(None))
    if kind:
        query = query.where(Alert.kind == kind)
    if not include_acknowledged:
        query = query.where(Alert.acknowledged_at.is_(None))
    if user.role == Role.CLERK:
        query = query.where(Alert.facility_id.in_(facility_ids_of(session, user)))
    return list(session.exec(query.order_by(Alert.kind, Alert.value, Alert.id)).all())


def acknowledge(session: Session, user: User, alert_id: int) -> Alert:
    """Mark an alert as seen; clerks for their depots, dispatchers and administrators for all."""
    alert = session.get(Alert, alert_id)
    if alert is None or alert.resolved_at is not None:
        raise NotFound(_("No such open alert."))
    allowed = user.role in (Role.DISPATCHER, Role.ADMIN) or (
        user.role == Role.CLERK and alert.facility_id in facility_ids_of(session, user)
    )
    if not allowed:
        raise Forbidden(_("You are not allowed to do this."))
    if alert.acknowledged_at is None:
        alert.acknowledged_by, alert.acknowledged_at = user.id, utcnow()
        session.add(alert)
        session.flush()
        logger.info("Alert %s acknowledged by %s", alert.key, user.username)
    return alert
