"""The inventory's scheduled job: the daily alert scan."""

from datetime import datetime

from sqlmodel import Session

from core.jobs import JobSpec
from inventory.services.alerts import scan


def alert_scan_job(session: Session, occurrence: datetime) -> str:
    """Open, refresh and resolve alerts (expiry, low cover, stock-outs, use above the norm)."""
    result = scan(session)
    return ", ".join(f"{k} {v}" for k, v in result.items())


JOBS = (JobSpec("alert_scan", "ALERT_SCAN_CRON", alert_scan_job),)
