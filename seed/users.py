"""The demo logins: one account per role, and clerks at a city, a county and a township depot."""

from sqlmodel import Session, select

from accounts.models import Role, User
from accounts.passwords import DEMO_PASSWORDS, verify_password
from accounts.services import create_user
from inventory.models import Facility, Tier


def demo_accounts(facilities: list[Facility]) -> list[dict]:
    """The demo logins: one per role, and clerks at a city, a county and a township depot."""
    by_tier = {}
    for f in facilities:
        by_tier.setdefault(f.tier, f)
    return [
        dict(username="admin", role=Role.ADMIN, display_name="系统管理员", facilities=[]),
        dict(
            username="dispatcher",
            role=Role.DISPATCHER,
            display_name="市应急办调度员",
            facilities=[],
        ),
        dict(username="viewer", role=Role.VIEWER, display_name="市卫健委领导", facilities=[]),
        dict(
            username="clerk_city",
            role=Role.CLERK,
            display_name="市级库管理员",
            facilities=[by_tier[Tier.CITY]],
        ),
        dict(
            username="clerk_county",
            role=Role.CLERK,
            display_name="县级库管理员",
            facilities=[by_tier[Tier.COUNTY]],
        ),
        dict(
            username="clerk_township",
            role=Role.CLERK,
            display_name="乡镇储备点管理员",
            facilities=[by_tier[Tier.TOWNSHIP]],
        ),
    ]


def load_users(session: Session, facilities: list[Facility]) -> list[dict]:
    """Create the demo accounts that do not exist yet; never touch existing passwords."""
    accounts = demo_accounts(facilities)
    for account in accounts:
        if session.exec(select(User).where(User.username == account["username"])).first():
            continue
        create_user(
            session,
            account["username"],
            DEMO_PASSWORDS[account["role"]],
            account["role"],
            display_name=account["display_name"],
            facility_ids=[f.id for f in account["facilities"]],
        )
    return accounts


def demo_logins(session: Session) -> list[tuple[str, str, str]]:
    """(username, password, role) of demo accounts still using their demo password."""
    rows = []
    for user in session.exec(select(User).order_by(User.id)):
        password = DEMO_PASSWORDS.get(user.role)
        if password and verify_password(user.password_hash, password):
            rows.append((user.username, password, user.role))
    return rows
