"""Movements through the HTTP API under load, on SQLite and PostgreSQL, then the ledger check.

    .venv/bin/python bench/api_bench.py [--seconds 10] [--clients 1,8,32] [--backends sqlite,postgresql]

A production-style server (gunicorn, gthread workers) serves `wsgi:app` on a free port; each
client thread keeps one HTTP connection and alternates receipts and issues at its own depot
and item (8 township depots × 2 items, so 32 clients share rows), each with an
Idempotency-Key. Prints movements per second, p50 and p99 latency, errors, and the ledger check.
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
VENV = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url: str) -> list[tuple[str, str, str]]:
    """Migrate and create depots, items, clerks and their tokens; returns (token, depot, item)."""
    from sqlmodel import Session

    from accounts.tokens import issue_token
    from app import create_app
    from db import get_engine
    from inventory.services import catalog, network
    from schema import upgrade
    from tests.factories import make_user

    app = create_app({"DATABASE_URL": url, "TESTING": True})
    engine = get_engine(app)
    upgrade(engine)
    clients = []
    with app.app_context(), Session(engine) as session:
        network.upsert_region(session, "330600", name="绍兴市", level="city")
        network.upsert_region(
            session, "330602", name="越城区", level="county", parent_code="330600"
        )
        network.upsert_facility(
            session, "K", parent_code=None, name="K", tier="city", region_code="330600"
        )
        items = [
            catalog.upsert_item(
                session,
                f"IT{n}",
                name_zh=f"物资{n}",
                name_en=f"item {n}",
                category="protection",
                unit_zh="只",
                unit_en="piece",
                shelf_life_days=None,
                unit_kg=0.1,
                criticality=3,
            )
            for n in range(2)
        ]
        for n in range(8):
            code = f"330602{n:03d}"
            network.upsert_region(
                session, code, name=f"乡镇{n}", level="township", parent_code="330602"
            )
            depot = network.upsert_facility(
                session, f"T{n}", parent_code="K", name=f"T{n}", tier="county", region_code=code
            )
            clerk = make_user(session, f"clerk{n}", "clerk", facilities=[depot])
            _row, token = issue_token(session, clerk, "bench")
            clients += [(token, depot.code, item.code) for item in items]
        session.commit()
    engine.dispose()
    return clients


def client_loop(port, token, depot, item, deadline, latencies, errors, lot):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    n = 0
    while time.perf_counter() < deadline:
        kind = "receipt" if n % 2 == 0 else "issue"
        body = {
            "type": kind,
            "facility": depot,
            "item": item,
            "quantity": 5 if kind == "receipt" else 3,
            "lot_no": lot,
        }
        headers["Idempotency-Key"] = uuid.uuid4().hex
        started = time.perf_counter()
        try:
            conn.request("POST", "/api/v1/movements", json.dumps(body), headers)
            response = conn.getresponse()
            response.read()
            ok = response.status == 201
        except OSError:
            ok = False
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies.append(time.perf_counter() - started)
        if not ok:
            errors.append(1)
        n += 1
    conn.close()


def run(backend: str, clients_list: list[int], seconds: float, workers: int, threads: int):
    schema = None
    if backend == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/api.sqlite3"
    else:
        from sqlalchemy import create_engine, text

        schema = f"apibench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG.replace("postgresql://", "postgresql+psycopg://"))
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{PG}?options=-csearch_path%3D{schema}"
    tokens = prepare(url)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "APP_ENV": "development"}
    server = subprocess.Popen(
        [
            str(VENV / "gunicorn"),
            "-w",
            str(workers),
            "-k",
            "gthread",
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(1.0)
        for n_clients in clients_list:
            latencies, errors = [], []
            deadline = time.perf_counter() + seconds
            threads_ = [
                threading.Thread(
                    target=client_loop,
                    args=(port, *tokens[k % len(tokens)], deadline, latencies, errors, f"L{k}"),
                )
                for k in range(n_clients)
            ]
            started = time.perf_counter()
            for t in threads_:
                t.start()
            for t in threads_:
                t.join()
            elapsed = time.perf_counter() - started
            ok = len(latencies) - len(errors)
            lat = sorted(latencies)
            p50 = statistics.median(lat) * 1000
            p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
            print(
                f"[{backend}] {n_clients:>2} clients: {ok / elapsed:7.1f} movements/s, "
                f"p50 {p50:6.1f} ms, p99 {p99:6.1f} ms, errors {len(errors)}"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    check = subprocess.run(
        [str(VENV / "flask"), "--app", "app", "verify-ledger"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    print(f"[{backend}] ledger check: {check.stdout.strip().splitlines()[-1]}")
    if schema:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    print(f"gunicorn {args.workers} workers × {args.threads} threads; {args.seconds:g} s per run")
    for backend in args.backends.split(","):
        run(backend.strip(), clients, args.seconds, args.workers, args.threads)


if __name__ == "__main__":
    main()
