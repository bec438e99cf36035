"""Backup while the app writes, restore into a new database, and the ledger still balances."""

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from core.db import get_engine, make_engine
from core.migrate import upgrade
from inventory.models import Balance, Movement
from tests.conftest import make_test_app
from tests.factories import make_item, make_network, receive


def _migrated_app(path: Path):
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return make_test_app(url)


def _rows(path: Path) -> dict:
    conn = sqlite3.connect(path)
    try:
        return {
            "movement": conn.execute("SELECT * FROM movement ORDER BY id").fetchall(),
            "balance": conn.execute("SELECT * FROM balance ORDER BY id").fetchall(),
            "lot": conn.execute("SELECT * FROM lot ORDER BY id").fetchall(),
        }
    finally:
        conn.close()


def test_backup_during_postings_restores_a_consistent_ledger(tmp_path):
    source = tmp_path / "live.sqlite3"
    app = _migrated_app(source)
    with app.app_context(), Session(get_engine(app)) as session:
        f = make_network(session)
        item = make_item(session, shelf_life_days=None)
        session.commit()
        depot_id, item_id = f["A"].id, item.id

    stop = threading.Event()
    posted = []

    def post_movements():
        with Session(get_engine(app)) as s:
            from inventory.models import Facility, Item

            depot, it = s.get(Facility, depot_id), s.get(Item, item_id)
            n = 0
            while not stop.is_set() or n < 50:
                receive(s, depot, it, 1 + n % 7, lot_no=f"B{n % 5}", expiry=None, key=f"b{n}")
                s.commit()
                posted.append(n)
                n += 1

    writer = threading.Thread(target=post_movements)
    writer.start()
    while len(posted) < 20:
        time.sleep(0.005)
    out = tmp_path / "backups" / "snapshot.sqlite3"
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(out)])
    stop.set()
    writer.join()
    assert result.exit_code == 0, result.output
    assert out.is_file() and "backup written" in result.output

    # taken mid-stream: part of the postings, and every balance equal to its ledger
    snapshot = _rows(out)
    assert 20 <= len(snapshot["movement"]) <= len(posted)
    live = _rows(source)
    assert snapshot["movement"] == live["movement"][: len(snapshot["movement"])]

    restored = tmp_path / "restored" / "reserves.sqlite3"
    target = make_test_app(f"sqlite:///{restored}")
    result = target.test_cli_runner().invoke(args=["restore", str(out)])
    assert result.exit_code == 0, result.output
    assert "0 difference(s)" in result.output
    assert _rows(restored) == snapshot
    with Session(get_engine(target)) as s:
        total = s.exec(select(Movement)).all()
        balances = s.exec(select(Balance)).all()
        assert sum(m.quantity for m in total) == sum(b.quantity for b in balances) > 0
    get_engine(target).dispose()
    get_engine(app).dispose()


def test_restore_refuses_to_overwrite_without_yes_and_refuses_bad_files(tmp_path):
    app = _migrated_app(tmp_path / "live.sqlite3")
    with app.app_context(), Session(get_engine(app)) as session:
        f = make_network(session)
        receive(session, f["A"], make_item(session, shelf_life_days=None), 9, expiry=None)
        session.commit()
    out = tmp_path / "b.sqlite3"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0
    again = runner.invoke(args=["backup", "--out", str(out)])
    assert again.exit_code != 0 and "--yes" in again.output

    # an existing database is replaced only with --yes
    other = _migrated_app(tmp_path / "other.sqlite3")
    refused = other.test_cli_runner().invoke(args=["restore", str(out)])
    assert refused.exit_code != 0 and "--yes" in refused.output
    with Session(get_engine(other)) as s:
        assert s.exec(select(Movement)).all() == []
    done = other.test_cli_runner().invoke(args=["restore", str(out), "--yes"])
    assert done.exit_code == 0, done.output
    with Session(get_engine(other)) as s:
        assert [m.quantity for m in s.exec(select(Movement))] == [9]

    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"not a database at all" * 100)
    target = make_test_app(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    bad = target.test_cli_runner().invoke(args=["restore", str(garbage)])
    assert bad.exit_code != 0 and "not a SQLite database" in bad.output

    # a database at another migration is refused
    conn = sqlite3.connect(out)
    conn.execute("UPDATE alembic_version SET version_num = 'someoldrev'")
    conn.commit()
    conn.close()
    old = target.test_cli_runner().invoke(args=["restore", str(out)])
    assert old.exit_code != 0 and "someoldrev" in old.output
    for a in (app, other, target):
        get_engine(a).dispose()


@pytest.mark.postgresql
def test_postgresql_backup_is_a_pg_dump_archive(pg_schemas, tmp_path):
    import shutil
    import subprocess

    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        pytest.skip("pg_restore is not installed")
    url = pg_schemas.new()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = make_test_app(url)
    with app.app_context(), Session(get_engine(app)) as session:
        f = make_network(session)
        receive(session, f["A"], make_item(session, shelf_life_days=None), 4, expiry=None)
        session.commit()
    out = tmp_path / "pg.dump"
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    listing = subprocess.run([pg_restore, "--list", str(out)], capture_output=True, text=True)
    assert listing.returncode == 0
    assert "TABLE DATA" in listing.stdout and " movement " in listing.stdout
    restore = app.test_cli_runner().invoke(args=["restore", str(out)])
    assert restore.exit_code != 0 and "pg_restore" in restore.output
    with get_engine(app).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM movement")).scalar() == 1
    get_engine(app).dispose()
