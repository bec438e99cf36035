"""The ledger's SQL (inventory.services.ledger): statements built once, the balance row's
lock, and each engine's posting path: one statement on PostgreSQL, three on SQLite."""

from sqlalchemy import bindparam, insert, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from core.timeutil import utcnow
from inventory.models import Balance, Movement


def dialect_insert(session: Session):
    dialect = session.get_bind().dialect.name
    return pg_insert if dialect == "postgresql" else sqlite_insert


_BALANCE = Balance.__table__
_MOVEMENT = Movement.__table__
# built once: Core statements on the tables, with bind parameters, skip both statement
# construction and the ORM's bulk path on every posting
_SELECT_BALANCE = (
    select(_BALANCE.c.id, _BALANCE.c.quantity, _BALANCE.c.reserved)
    .where(
        _BALANCE.c.facility_id == bindparam("facility_id"),
        _BALANCE.c.item_id == bindparam("item_id"),
        _BALANCE.c.lot_id == bindparam("lot_id"),
        _BALANCE.c.form == bindparam("form"),
    )
    .with_for_update()
)
_INSERT_MOVEMENT = insert(_MOVEMENT).returning(_MOVEMENT.c.id)
_INSERT_KEYED = {
    name: dialect_insert(_MOVEMENT)
    .on_conflict_do_nothing(index_elements=["idempotency_key"])
    .returning(_MOVEMENT.c.id)
    for name, dialect_insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}
_MOVEMENT_COLUMNS = (
    "facility_id",
    "item_id",
    "lot_id",
    "form",
    "kind",
    "quantity",
    "balance_after",
    "reason",
    "note",
    "counterpart_facility_id",
    "order_ref",
    "reverses_id",
    "user_id",
    "occurred_at",
    "recorded_at",
    "idempotency_key",
)


def _post_pg(keyed: bool):
    """PostgreSQL: lock the balance, insert the ledger row and move the balance, in one statement.

    `locked` takes the balance row FOR UPDATE (after a concurrent writer commits, it reads the
    row's newest version: READ COMMITTED re-checks a locked row); `inserted` appends the ledger
    row only when the new quantity still covers what orders reserved, computing `balance_after`
    from the locked row; `moved` updates the balance from the inserted row, so when a used
    idempotency key or too little stock makes the INSERT do nothing, the balance stays as it was.
    The statement returns the locked row (id, quantity, reserved) and the new movement's id (NULL
    when nothing was posted), or no row when the balance row does not exist yet. The lock is
    thus held for one statement and the commit only.
    """
    # parameters named after no column of either table: a nested UPDATE would otherwise SET
    # every balance column whose name is a parameter's; typed, so that they are cast in the
    # INSERT's SELECT list
    params = {c: bindparam(f"m_{c}", type_=_MOVEMENT.c[c].type) for c in _MOVEMENT_COLUMNS}
    locked = (
        select(_BALANCE.c.id, _BALANCE.c.quantity, _BALANCE.c.reserved)
        .where(
            _BALANCE.c.facility_id == params["facility_id"],
            _BALANCE.c.item_id == params["item_id"],
            _BALANCE.c.lot_id == params["lot_id"],
            _BALANCE.c.form == params["form"],
        )
        .with_for_update()
        .cte("locked")
    )
    new_quantity = locked.c.quantity + params["quantity"]
    values = [new_quantity if c == "balance_after" else params[c] for c in _MOVEMENT_COLUMNS]
    statement = pg_insert(_MOVEMENT).from_select(
        list(_MOVEMENT_COLUMNS), select(*values).where(new_quantity >= locked.c.reserved)
    )
    if keyed:
        statement = statement.on_conflict_do_nothing(index_elements=["idempotency_key"])
    inserted = statement.returning(_MOVEMENT.c.id, _MOVEMENT.c.balance_after).cte("inserted")
    moved = (
        update(_BALANCE)
        .where(_BALANCE.c.id == locked.c.id, select(inserted.c.id).exists())
        .values(
            quantity=select(inserted.c.balance_after).scalar_subquery(),
            last_movement_id=select(inserted.c.id).scalar_subquery(),
            updated_at=params["recorded_at"],
        )
        .returning(_BALANCE.c.id)
        .cte("moved")
    )
    return (
        select(locked.c.id, locked.c.quantity, locked.c.reserved, inserted.c.id)
        .select_from(locked.outerjoin(inserted, true()))
        .add_cte(moved)
    )


_POST_PG = {keyed: _post_pg(keyed) for keyed in (False, True)}
_UPDATE_BALANCE = (
    update(_BALANCE)
    .where(_BALANCE.c.id == bindparam("balance_id"))
    .values(
        quantity=bindparam("new_quantity"),
        last_movement_id=bindparam("movement_id"),
        updated_at=bindparam("now"),
    )
)


def locked_balance(session: Session, facility_id: int, item_id: int, lot_id: int, form: str):
    """(id, quantity, reserved) of the balance row, locked until commit; None if it is new."""
    key = {"facility_id": facility_id, "item_id": item_id, "lot_id": lot_id, "form": form}
    return session.connection().execute(_SELECT_BALANCE, key).first()


def lock_row(session: Session, facility_id: int, item_id: int, lot_id: int, form: str):
    """(id, quantity, reserved) of the balance row, created if new, locked until commit."""
    key = {"facility_id": facility_id, "item_id": item_id, "lot_id": lot_id, "form": form}
    connection = session.connection()
    row = locked_balance(session, facility_id, item_id, lot_id, form)
    if row is None:
        connection.execute(
            dialect_insert(session)(_BALANCE)
            .values(**key, quantity=0, reserved=0, updated_at=utcnow())
            .on_conflict_do_nothing(index_elements=list(key))
        )
        row = connection.execute(_SELECT_BALANCE, key).one()
    return row


def post_postgresql(session: Session, values: dict, keyed: bool):
    """(balance id, quantity and reserved before, new movement id or None): `_post_pg`, and
    first the balance row when the posting is the first to it."""
    connection = session.connection()
    params = {f"m_{k}": v for k, v in values.items()}
    row = connection.execute(_POST_PG[keyed], params).first()
    if row is None:  # the first posting to this balance: create its row, then post
        lock_row(
            session, values["facility_id"], values["item_id"], values["lot_id"], values["form"]
        )
        row = connection.execute(_POST_PG[keyed], params).one()
    return tuple(row)


def post_sqlite(session: Session, values: dict, keyed: bool, balance_id: int, now) -> int | None:
    """Insert the ledger row (nothing when the key is used) and move the locked balance; the
    new movement's id, or None."""
    connection = session.connection()
    statement = _INSERT_KEYED["sqlite"] if keyed else _INSERT_MOVEMENT
    movement_id = connection.execute(statement, values).scalar()
    if movement_id is not None:
        connection.execute(
            _UPDATE_BALANCE,
            {
                "balance_id": balance_id,
                "new_quantity": values["balance_after"],
                "movement_id": movement_id,
                "now": now,
            },
        )
    return movement_id
