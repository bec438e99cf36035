"""Movements through the HTTP API under load, on SQLite and PostgreSQL, then the ledger check.

    .venv/bin/python bench/api_bench.py [--seconds 8] [--clients 1,8,32]
        [--backends sqlite,postgresql] [--worker-class gthread|sync] [--workers 2] [--threads 4]
        [--client-procs 2] [--rate MOVEMENTS_PER_S]

A production-style server (gunicorn) serves `wsgi:app` on a free port. Each client keeps one
HTTP/1.1 connection (reopened when a sync worker closes it), sends a request, waits for the
whole answer, and sends the next: receipts and issues in turn at its own depot, item and lot
(8 depots × 2 items; from 17 clients on, two clients share a balance row), each with a fresh
Idempotency-Key. That is a closed loop: the clients offer as much as the server takes. With
`--rate` the loop is open: the clients offer that many movements per second in all, each
request due at a fixed time, and its latency counts from when it was due (so a server that
falls behind is charged for the wait). The clients run in their own processes (raw sockets, requests prepared as
bytes) so that their CPU stays small; it is measured and printed.

Each run prints movements per second, p50 and p99 latency, errors, and the CPU time per
movement of the server (gunicorn master and workers), of the PostgreSQL backends serving it
and of the clients, which does not depend on how loaded the machine is; then the ledger check
(balances against ledger sums) after every run, and `flask verify-ledger` at the end.
"""

import argparse
import multiprocessing as mp
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
VENV = ROOT / ".venv" / "bin"
TICK = os.sysconf("SC_CLK_TCK")

from bench.api_load import client_process  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url: str) -> list[tuple[str, str, str]]:
    """Migrate and create depots, items, clerks and their tokens; returns (token, depot, item)."""
    from sqlmodel import Session

    from accounts.tokens import issue_token
    from app import create_app
    from core.db import get_engine
    from core.migrate import upgrade
    from inventory.services import catalog, network
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


def ledger_differences(url: str) -> int:
    """How many balances differ from the sum of their ledger rows."""
    from sqlmodel import Session

    from core.db import make_engine
    from inventory.services.ledger import verify_ledger

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return len(verify_ledger(session))
    finally:
        engine.dispose()


def process_cpu(pids) -> dict[int, float]:
    """CPU seconds (user + system) of each live process."""
    cpu = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        cpu[pid] = (int(fields[11]) + int(fields[12])) / TICK
    return cpu


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def server_pids(server: subprocess.Popen) -> list[int]:
    return [server.pid, *children(server.pid)]


def pg_backend_pids(admin, app_name: str) -> list[int]:
    if admin is None:
        return []
    from sqlalchemy import text

    with admin.connect() as conn:
        rows = conn.execute(
            text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
            {"name": app_name},
        )
        return [r[0] for r in rows]


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def run(backend: str, args) -> list[dict]:
    schema = admin = None
    app_name = f"apibench_{uuid.uuid4().hex[:8]}"
    if backend == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/api.sqlite3"
    else:
        from sqlalchemy import create_engine, text

        schema = app_name
        admin = create_engine(PG.replace("postgresql://", "postgresql+psycopg://"))
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{PG}?options=-csearch_path%3D{schema}&application_name={app_name}"
    tokens = prepare(url)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "APP_ENV": "development", "SCHEDULER_ENABLED": "0"}
    command = [
        str(VENV / "gunicorn"),
        "-w",
        str(args.workers),
        "-k",
        args.worker_class,
        "-b",
        f"127.0.0.1:{port}",
        "--backlog",
        "256",
        "--log-level",
        "warning",
    ]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads)]
    server = subprocess.Popen([*command, "wsgi:app"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    results = []
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(1.0)
        # warm up every worker and connection: lots, balance rows, pools, prepared statements
        warm = mp.Queue()
        warm_proc = mp.Process(
            target=client_process,
            args=(
                port,
                [(*t, f"L{k}", 0.0) for k, t in enumerate(tokens)] * 2,
                time.time(),
                2.0,
                warm,
            ),
        )
        warm_proc.start()
        warm.get()
        warm_proc.join()
        for n_clients in args.clients:
            # open loop: each client sends every n_clients / rate seconds, the clients spread
            # evenly over one interval
            interval = n_clients / args.rate if args.rate else None
            clients = [
                (*tokens[k % len(tokens)], f"L{k % 16}", (interval or 0.0) * k / n_clients)
                for k in range(n_clients)
            ]
            n_procs = max(1, min(args.client_procs, n_clients))
            queue = mp.Queue()
            start_at = time.time() + 0.5
            procs = [
                mp.Process(
                    target=client_process,
                    args=(port, clients[p::n_procs], start_at, args.seconds, queue, interval),
                )
                for p in range(n_procs)
            ]
            load = os.getloadavg()[0]
            for p in procs:
                p.start()
            while time.time() < start_at:
                time.sleep(0.01)
            srv0 = process_cpu(server_pids(server))
            pg0 = process_cpu(pg_backend_pids(admin, app_name))
            outcomes = [queue.get() for _ in procs]
            srv1 = process_cpu(server_pids(server))
            pg1 = process_cpu(pg_backend_pids(admin, app_name))
            for p in procs:
                p.join()
            latencies = sorted(x for lat, _e, _c in outcomes for x in lat)
            errors = sum(e for _l, e, _c in outcomes)
            client_cpu = sum(c for _l, _e, c in outcomes)
            ok = len(latencies) - errors
            differences = ledger_differences(url)
            row = {
                "backend": backend,
                "clients": n_clients,
                "rate": ok / args.seconds,
                "p50": statistics.median(latencies) * 1000,
                "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
                "errors": errors,
                "server_cpu": cpu_delta(srv0, srv1) / max(ok, 1) * 1000,
                "db_cpu": cpu_delta(pg0, pg1) / max(ok, 1) * 1000,
                "client_cpu": client_cpu / max(ok, 1) * 1000,
                "load": load,
                "differences": differences,
            }
            results.append(row)
            print(
                f"[{backend}] {n_clients:>2} clients: {row['rate']:6.1f} movements/s, "
                f"p50 {row['p50']:6.1f} ms, p99 {row['p99']:6.1f} ms, errors {errors}; "
                f"CPU per movement: server {row['server_cpu']:.2f} ms"
                + (f", PostgreSQL {row['db_cpu']:.2f} ms" if admin is not None else "")
                + f", clients {row['client_cpu']:.2f} ms; load {load:.1f}; "
                f"ledger check: {differences} difference(s)",
                flush=True,
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
    print(f"[{backend}] flask verify-ledger: {check.stdout.strip().splitlines()[-1]}", flush=True)
    if schema:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--worker-class", default="gthread", choices=("gthread", "sync"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="open loop: offer this many movements/s in all, spread over the clients "
        "(latency counted from when each request was due); default: closed loop",
    )
    args = parser.parse_args()
    args.clients = [int(c) for c in args.clients.split(",")]
    threads = f" × {args.threads} threads" if args.worker_class == "gthread" else ""
    print(
        f"gunicorn {args.workers} {args.worker_class} workers{threads}; "
        f"{args.seconds:g} s per run; clients in {args.client_procs} processes; "
        + (f"open loop, {args.rate:g} movements/s offered; " if args.rate else "closed loop; ")
        + f"{os.cpu_count()} CPUs",
        flush=True,
    )
    for backend in args.backends.split(","):
        run(backend.strip(), args)


if __name__ == "__main__":
    main()
