"""Readiness at province scale: time the dashboard's data on SQLite and PostgreSQL.

Builds ~1,400 depots (11 cities, ~90 counties, ~1,300 townships) × 40 items with a year of
ledger rows (several million), bulk-loaded with balances equal to the ledger, then times the
whole-network roll-up, one county drill-down, burn rates and expiring lots.

    .venv/bin/python bench/readiness_bench.py [--backends sqlite,postgresql] [--days 365]
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app import create_app  # noqa: E402
from core.db import get_engine  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from inventory.services.expiry import expiring_lots  # noqa: E402
from inventory.services.readiness import compute_readiness, facilities_in_county  # noqa: E402
from inventory.services.usage import burn_rates  # noqa: E402

PG = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
CATEGORIES = ["protection", "testing", "disinfection", "drugs", "equipment"]


def build_network(rng: random.Random, items: int):
    regions, facilities = [], []
    fid = 0
    for c in range(11):
        city = f"33{c + 1:02d}00"
        regions.append((city, f"城市{c + 1}", "city", None))
        fid += 1
        lon0, lat0 = 118 + rng.random() * 4, 28 + rng.random() * 3
        facilities.append((fid, f"C{city}", "city", None, city, lon0, lat0))
        city_id = fid
        for k in range(rng.randint(7, 9)):
            county = f"{city[:4]}{k + 1:02d}"
            regions.append((county, f"区县{county}", "county", city))
            fid += 1
            lon1, lat1 = lon0 + rng.uniform(-0.6, 0.6), lat0 + rng.uniform(-0.5, 0.5)
            facilities.append((fid, f"K{county}", "county", city_id, county, lon1, lat1))
            county_id = fid
            for t in range(rng.randint(12, 17)):
                town = f"{county}{t + 1:03d}"
                regions.append((town, f"乡镇{town}", "township", county))
                fid += 1
                facilities.append(
                    (
                        fid,
                        f"T{town}",
                        "township",
                        county_id,
                        town,
                        lon1 + rng.uniform(-0.2, 0.2),
                        lat1 + rng.uniform(-0.2, 0.2),
                    )
                )
    item_rows = [
        (i + 1, f"IT{i + 1:03d}", CATEGORIES[i % 5], None if i % 5 == 4 else 730)
        for i in range(items)
    ]
    return regions, facilities, item_rows


def generate(rng, facilities, items, days, today):
    """Lots, movements (a year of receipts and issues) and the balances they sum to."""
    lots, movements, balances, norms = [], [], [], []
    lot_id = mov_id = bal_id = 0
    start = datetime.combine(today - timedelta(days=days), datetime.min.time(), UTC)
    for fid, code, tier, *_ in facilities:
        scale = {"city": 400, "county": 60, "township": 8}[tier]
        for iid, icode, _cat, shelf in items:
            if tier == "township" and iid > 25:
                continue
            usage = scale * rng.uniform(0.5, 1.5)
            norms.append((fid, iid, round(usage, 2)))
            for n in range(2):
                lot_id += 1
                expiry = None if shelf is None else today + timedelta(days=rng.randint(-20, 700))
                lots.append((lot_id, iid, f"{code}-{icode}-{n}", expiry))
                balance = 0
                # receipts every ~30 days, daily-ish issues: about 25 rows per lot a year
                t = start
                while t < start + timedelta(days=days):
                    mov_id += 1
                    if rng.random() < 0.15 or balance < usage * 3:
                        qty = int(usage * rng.uniform(20, 40))
                        kind = "receipt"
                    else:
                        qty = -min(balance, int(usage * rng.uniform(3, 12)) or 1)
                        kind = "issue"
                    balance += qty
                    if qty == 0:
                        mov_id -= 1
                    else:
                        movements.append(
                            (mov_id, fid, iid, lot_id, "physical", kind, qty, balance, t, t)
                        )
                    t += timedelta(days=rng.uniform(10, 18))
                bal_id += 1
                balances.append((bal_id, fid, iid, lot_id, "physical", balance, 0, t))
    return lots, movements, balances, norms


def load(engine, regions, facilities, items, lots, movements, balances, norms):
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO region (code, name, name_en, level, parent_code, population_source,"
                " synthetic, source) VALUES (:c, :n, '', :l, :p, '', true, 'bench')"
            ),
            [{"c": c, "n": n, "l": lv, "p": p} for c, n, lv, p in regions],
        )
        conn.execute(
            text(
                "INSERT INTO facility (id, code, name, name_en, tier, parent_id, region_code, operator,"
                " lon, lat, beds, population_served, active, synthetic, source)"
                " VALUES (:id, :code, :code, '', :tier, :parent, :region, '', :lon, :lat, 0, 0, true,"
                " true, 'bench')"
            ),
            [
                dict(zip(("id", "code", "tier", "parent", "region", "lon", "lat"), f, strict=True))
                for f in facilities
            ],
        )
        conn.execute(
            text(
                "INSERT INTO item (id, code, name_zh, name_en, category, unit_zh, unit_en, pack_size,"
                " shelf_life_days, unit_kg, criticality, active, synthetic)"
                " VALUES (:id, :code, :code, :code, :cat, '件', 'unit', 1, :shelf, 1, 3, true, true)"
            ),
            [dict(zip(("id", "code", "cat", "shelf"), i, strict=True)) for i in items],
        )
        conn.execute(
            text("INSERT INTO catalog_entry (tier, item_id) VALUES (:t, :i)"),
            [{"t": t, "i": i[0]} for t in ("city", "county") for i in items]
            + [{"t": "township", "i": i[0]} for i in items if i[0] <= 25],
        )
        conn.execute(
            text(
                "INSERT INTO usage_norm (facility_id, item_id, daily_usage, basis, source, updated_at)"
                " VALUES (:f, :i, :u, 'bench', 'bench', :now)"
            ),
            [{"f": f, "i": i, "u": u, "now": now} for f, i, u in norms],
        )
        conn.execute(
            text("INSERT INTO lot (id, item_id, lot_no, expiry) VALUES (:id, :i, :n, :e)"),
            [{"id": a, "i": b, "n": c, "e": d} for a, b, c, d in lots],
        )
        if engine.dialect.name == "postgresql":
            raw = conn.connection.driver_connection
            with raw.cursor().copy(
                "COPY movement (id, facility_id, item_id, lot_id, form, kind, quantity,"
                " balance_after, occurred_at, recorded_at, reason, note) FROM STDIN"
            ) as copy:
                for m in movements:
                    copy.write_row((*m, "", ""))
            with raw.cursor().copy(
                "COPY balance (id, facility_id, item_id, lot_id, form, quantity, reserved,"
                " updated_at) FROM STDIN"
            ) as copy:
                for b in balances:
                    copy.write_row(b)
            for table in ("movement", "balance", "lot", "facility", "item"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                        f" (SELECT max(id) FROM {table}))"
                    )
                )
            conn.execute(text("ANALYZE"))
        else:
            raw = conn.connection.driver_connection
            raw.executemany(
                "INSERT INTO movement (id, facility_id, item_id, lot_id, form, kind, quantity,"
                " balance_after, occurred_at, recorded_at, reason, note)"
                " VALUES (?,?,?,?,?,?,?,?,?,?, '', '')",
                [(*m[:8], m[8].isoformat(" "), m[9].isoformat(" ")) for m in movements],
            )
            raw.executemany(
                "INSERT INTO balance (id, facility_id, item_id, lot_id, form, quantity, reserved,"
                " updated_at) VALUES (?,?,?,?,?,?,?,?)",
                [(*b[:7], b[7].isoformat(" ")) for b in balances],
            )
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return result, statistics.median(times), min(times)


def run(backend: str, data, repeat: int, today: date) -> None:
    schema = None
    if backend == "sqlite":
        tmp = tempfile.mkdtemp()
        url = f"sqlite:///{tmp}/bench.sqlite3"
    else:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_app({"DATABASE_URL": PG, "TESTING": True})
        with get_engine(admin).begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{PG}?options=-csearch_path%3D{schema}"
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    engine = get_engine(app)
    try:
        upgrade(engine)
        t0 = time.perf_counter()
        load(engine, *data)
        print(
            f"[{backend}] loaded {len(data[4]):,} ledger rows, {len(data[5]):,} balances "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        with app.app_context(), Session(engine) as session:
            county = data[0][1][0]
            ids = facilities_in_county(session, county)
            if os.environ.get("BENCH_PROFILE"):
                import cProfile

                cProfile.runctx(
                    "compute_readiness(session, today=today)", globals(), locals(), sort="cumtime"
                )
            r, med, best = timed(lambda: compute_readiness(session, today=today), repeat)
            print(
                f"[{backend}] whole-network roll-up ({len(r.covers):,} depot-items, "
                f"{len(r.facilities):,} depots): median {med:.0f} ms, best {best:.0f} ms"
            )
            r2, med, best = timed(
                lambda: compute_readiness(
                    session, facility_ids=facilities_in_county(session, county), today=today
                ),
                repeat,
            )
            print(
                f"[{backend}] county drill-down ({len(ids)} depots): median {med:.0f} ms, "
                f"best {best:.0f} ms"
            )
            rates, med, best = timed(lambda: burn_rates(session, today=today), repeat)
            print(f"[{backend}] burn rates, whole network ({len(rates):,}): median {med:.0f} ms")
            lots, med, best = timed(lambda: expiring_lots(session, today=today), repeat)
            print(f"[{backend}] lots expiring within 180 days ({len(lots):,}): median {med:.0f} ms")
    finally:
        engine.dispose()
        if schema:
            with get_engine(admin).begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    today = date.today()
    regions, facilities, items = build_network(rng, args.items)
    t0 = time.perf_counter()
    lots, movements, balances, norms = generate(rng, facilities, items, args.days, today)
    print(
        f"generated {len(facilities):,} depots, {len(items)} items, {len(lots):,} lots, "
        f"{len(movements):,} ledger rows in {time.perf_counter() - t0:.1f} s"
    )
    data = (regions, facilities, items, lots, movements, balances, norms)
    for backend in args.backends.split(","):
        run(backend.strip(), data, args.repeat, today)


if __name__ == "__main__":
    main()
