"""Reading stock: a depot's items and lots with days of cover, history, and stock cards."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, select

from accounts.models import Role, User
from accounts.services import facility_ids_of
from core.errors import Forbidden, NotFound
from core.timeutil import SHANGHAI, local_today
from inventory.models import (
    Balance,
    CatalogEntry,
    Facility,
    Item,
    Lot,
    Movement,
    ReserveForm,
    UsageNorm,
)
from inventory.rules.stock import available, usable
from inventory.services.cover import days_of_cover


def depot_for(session: Session, user: User, facility_id: int) -> Facility:
    """The depot, if the user may see it: clerks see their own, other roles every depot."""
    facility = session.get(Facility, facility_id)
    if facility is None:
        raise NotFound(_("No such depot."))
    if user.role == Role.CLERK and facility_id not in facility_ids_of(session, user):
        raise Forbidden(_("This is not your depot."))
    return facility


def visible_facility_ids(session: Session, user: User) -> list[int] | None:
    """The depots whose stock and ledger the user may read: a clerk's own, or None for
    every depot (other roles)."""
    if user.role == Role.CLERK:
        return sorted(facility_ids_of(session, user))
    return None


def can_record(session: Session, user: User, facility_id: int) -> bool:
    """True when the user records movements at this depot."""
    return user.role == Role.CLERK and facility_id in facility_ids_of(session, user)


@dataclass
class LotLine:
    """One lot of an item at a depot."""

    lot: Lot
    form: str
    quantity: int
    reserved: int
    expired: bool

    @property
    def available(self) -> int:
        return available(self.quantity, self.reserved)

    @property
    def usable(self) -> int:
        return usable(self.quantity, self.reserved, self.expired)


@dataclass
class ItemStock:
    """An item at a depot: usable physical stock, agreement stock, and days of cover."""

    item: Item
    daily_usage: float | None
    in_catalog: bool
    lots: list[LotLine] = field(default_factory=list)

    @property
    def physical_usable(self) -> int:
        return sum(line.usable for line in self.lots if line.form == ReserveForm.PHYSICAL)

    @property
    def agreement(self) -> int:
        return sum(line.available for line in self.lots if line.form == ReserveForm.AGREEMENT)

    @property
    def expired_quantity(self) -> int:
        return sum(line.quantity for line in self.lots if line.expired)

    @property
    def physical_days(self) -> float | None:
        """Usable physical stock over full-load daily use; None when there is no norm."""
        return days_of_cover(self.physical_usable, self.daily_usage)


def depot_stock(
    session: Session, facility: Facility, *, today: date | None = None
) -> list[ItemStock]:
    """Every item the depot holds or should hold, with its lots, first expiry first."""
    today = today or local_today()
    norms = {
        n.item_id: n.daily_usage
        for n in session.exec(select(UsageNorm).where(UsageNorm.facility_id == facility.id))
    }
    catalog = set(
        session.exec(select(CatalogEntry.item_id).where(CatalogEntry.tier == facility.tier)).all()
    )
    rows = session.exec(
        select(Balance, Lot)
        .join(Lot, Lot.id == Balance.lot_id)
        .where(Balance.facility_id == facility.id, Balance.quantity > 0)
    ).all()
    item_ids = catalog | {b.item_id for b, _ in rows}
    items = (
        {i.id: i for i in session.exec(select(Item).where(Item.id.in_(item_ids)))}
        if item_ids
        else {}
    )
    stock = {
        item_id: ItemStock(items[item_id], norms.get(item_id), item_id in catalog)
        for item_id in item_ids
    }
    for balance, lot in rows:
        stock[balance.item_id].lots.append(
            LotLine(lot, balance.form, balance.quantity, balance.reserved, lot.is_expired(today))
        )
    for entry in stock.values():
        entry.lots.sort(
            key=lambda ln: (ln.lot.expiry is None, ln.lot.expiry or date.max, ln.lot.lot_no)
        )
    return sorted(stock.values(), key=lambda s: (s.item.category, s.item.code))


@dataclass(frozen=True)
class HistoryFilter:
    """What the history page narrows to."""

    item_id: int | None = None
    kind: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass
class Page:
    """A page of rows and where it sits."""

    rows: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _shanghai_bounds(since: date | None, until: date | None):
    start = datetime.combine(since, time.min, SHANGHAI) if since else None
    end = datetime.combine(until + timedelta(days=1), time.min, SHANGHAI) if until else None
    return start, end


def movement_history(
    session: Session,
    facility_ids: list[int],
    filters: HistoryFilter,
    *,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """Ledger rows of the depots, newest first, filtered and paged."""
    query = select(Movement).where(Movement.facility_id.in_(facility_ids))
    if filters.item_id:
        query = query.where(Movement.item_id == filters.item_id)
    if filters.kind:
        query = query.where(Movement.kind == filters.kind)
    start, end = _shanghai_bounds(filters.since, filters.until)
    if start:
        query = query.where(Movement.occurred_at >= start)
    if end:
        query = query.where(Movement.occurred_at < end)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    page = max(1, page)
    rows = session.exec(
        query.order_by(Movement.occurred_at.desc(), Movement.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return Page(rows, page, per_page, total)


@dataclass
class CardLine:
    """A stock-card row: the movement and the item's running total at the depot."""

    movement: Movement
    lot: Lot
    running_total: int


def stock_card(
    session: Session, facility: Facility, item: Item, form: str = ReserveForm.PHYSICAL
) -> list[CardLine]:
    """Every movement of an item at a depot in order, with the running total (the 货位卡)."""
    rows = session.exec(
        select(Movement, Lot)
        .join(Lot, Lot.id == Movement.lot_id)
        .where(
            Movement.facility_id == facility.id, Movement.item_id == item.id, Movement.form == form
        )
        .order_by(Movement.id)
    ).all()
    total, lines = 0, []
    for movement, lot in rows:
        total += movement.quantity
        lines.append(CardLine(movement, lot, total))
    return lines


def lookups(session: Session, rows: list[Movement]) -> dict:
    """The lots, items, counterpart depots and users the movements name, by id, for pages."""
    lot_ids = {m.lot_id for m in rows}
    item_ids = {m.item_id for m in rows}
    fac_ids = {m.counterpart_facility_id for m in rows if m.counterpart_facility_id}
    user_ids = {m.user_id for m in rows if m.user_id}
    return {
        "lots": {x.id: x for x in session.exec(select(Lot).where(Lot.id.in_(lot_ids)))},
        "items": {x.id: x for x in session.exec(select(Item).where(Item.id.in_(item_ids)))},
        "facilities": {
            x.id: x for x in session.exec(select(Facility).where(Facility.id.in_(fac_ids)))
        },
        "users": {x.id: x for x in session.exec(select(User).where(User.id.in_(user_ids)))},
    }
