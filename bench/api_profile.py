"""CPU and database round trips of one POST /api/v1/movements, measured in-process.

    .venv/bin/python bench/api_profile.py [--backend sqlite|postgresql] [--requests 2000]
                                          [--profile N]

Builds the benchmark's depots, items and clerks (`bench/api_bench.py::prepare`), then sends
receipts and issues with idempotency keys through the app's WSGI callable, one at a time, and
prints per request: the app's CPU time (best and median of several rounds: other
work on the machine inflates CPU time too) (thread CPU inside the WSGI call, so the test client's
own work is not counted), the wall time, the SQL statements the app sent, and the other round
trips (BEGIN, COMMIT, pool pings) counted at the driver. On PostgreSQL it also prints the CPU the
database backend spent per request (from /proc). `--profile N` prints the N most expensive
functions (cProfile, `--sort cumulative` or `tottime`).
"""

import argparse
import cProfile
import gc
import io
import logging
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api_bench import PG, prepare  # noqa: E402


def backend_cpu(pid: int | None) -> float:
    """CPU seconds a local PostgreSQL backend has used (user + system), or 0."""
    if not pid:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5, help="report the best and the median")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--sort", default="cumulative", choices=("cumulative", "tottime"))
    parser.add_argument("--dump", help="write the cProfile statistics to this file")
    args = parser.parse_args()

    from sqlalchemy import create_engine, event, text

    from app import create_app
    from core.db import get_engine

    schema = None
    if args.backend == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/profile.sqlite3"
    else:
        schema = f"apiprof_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG.replace("postgresql://", "postgresql+psycopg://"))
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{PG}?options=-csearch_path%3D{schema}"
    try:
        clients = prepare(url)
        os.environ.setdefault("APP_ENV", "development")
        app = create_app({"DATABASE_URL": url})
        # the app logs every posting at INFO; gunicorn's stderr goes to /dev/null in the benchmark
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(open(os.devnull, "w"))  # noqa: SIM115
        engine = get_engine(app)
        counts = {"statements": 0, "begin": 0, "commit": 0, "rollback": 0, "ping": 0}
        do_ping = engine.dialect.do_ping

        def ping(dbapi_connection):
            counts["ping"] += 1
            return do_ping(dbapi_connection)

        engine.dialect.do_ping = ping

        @event.listens_for(engine, "before_cursor_execute")
        def _statement(*_a, **_k):
            counts["statements"] += 1

        for name in ("begin", "commit", "rollback"):
            event.listen(
                engine, name, lambda *_a, _n=name, **_k: counts.__setitem__(_n, counts[_n] + 1)
            )

        pid = None
        if args.backend == "postgresql":
            # one thread, one pooled connection: the backend serving every request
            with engine.connect() as conn:
                pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()

        app_cpu = [0.0]
        inner = app.wsgi_app

        def timed(environ, start_response):
            started = time.thread_time()
            try:
                return list(inner(environ, start_response))
            finally:
                app_cpu[0] += time.thread_time() - started

        app.wsgi_app = timed
        test_client = app.test_client()

        def send(n: int) -> int:
            token, depot, item = clients[n % len(clients)]
            kind = "receipt" if (n // len(clients)) % 2 == 0 else "issue"
            body = {
                "type": kind,
                "facility": depot,
                "item": item,
                "quantity": 5 if kind == "receipt" else 3,
                "lot_no": f"L{n % len(clients)}",
            }
            response = test_client.post(
                "/api/v1/movements",
                json=body,
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
            )
            if response.status_code != 201:
                raise SystemExit(f"unexpected {response.status_code}: {response.get_data(True)}")
            return response.status_code

        for n in range(2 * len(clients)):  # warm up: lots, balances, caches
            send(n)
        gc_time, gc_started = [0.0, 0], [0.0]

        def gc_timer(phase, info):
            if phase == "start":
                gc_started[0] = time.thread_time()
            else:
                gc_time[0] += time.thread_time() - gc_started[0]
                gc_time[1] += 1

        gc.callbacks.append(gc_timer)
        profiler = cProfile.Profile() if args.profile else None
        n = args.requests // args.rounds
        app_cpus, totals = [], {key: 0 for key in counts}
        db_cpu0 = backend_cpu(pid)
        wall0, cpu0 = time.perf_counter(), time.process_time()
        for _round in range(args.rounds):
            for key in counts:
                counts[key] = 0
            app_cpu[0] = 0.0
            if profiler:
                profiler.enable()
            for k in range(n):
                send(k)
            if profiler:
                profiler.disable()
            app_cpus.append(app_cpu[0] / n)
            for key in counts:
                totals[key] += counts[key]
        n *= args.rounds
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        db_cpu = backend_cpu(pid) - db_cpu0
        print(f"{args.backend}: {n} POST /api/v1/movements (receipts and issues, idempotency keys)")
        print(
            f"  app CPU per request      {min(app_cpus) * 1000:6.2f} ms best round, "
            f"{statistics.median(app_cpus) * 1000:6.2f} ms median of {args.rounds} rounds"
        )
        print(
            f"  garbage collection       {gc_time[0] / n * 1000:6.2f} ms per request "
            f"({gc_time[1]} collections)"
        )
        print(f"  process CPU per request  {cpu / n * 1000:6.2f} ms (with the test client)")
        print(f"  wall time per request    {wall / n * 1000:6.2f} ms")
        if pid:
            print(f"  PostgreSQL backend CPU   {db_cpu / n * 1000:6.2f} ms per request")
        print(
            f"  SQL statements {totals['statements'] / n:.2f}, BEGIN {totals['begin'] / n:.2f}, "
            f"COMMIT {totals['commit'] / n:.2f}, ROLLBACK {totals['rollback'] / n:.2f}, "
            f"pool ping {totals['ping'] / n:.2f} per request"
        )
        if profiler:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            print(f"  Python function calls per request: {stats.total_calls / n:,.0f}")
            stats.sort_stats(args.sort).print_stats(args.profile)
            if args.dump:
                stats.dump_stats(args.dump)
            print(out.getvalue())
        engine.dispose()
    finally:
        if schema:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
