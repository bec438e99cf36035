"""CPU and database round trips of one POST /api/v1/movements, measured in-process.

    .venv/bin/python bench/api_profile.py [--backend sqlite|postgresql] [--requests 2000]
                                          [--profile N]

Builds the benchmark's depots, items and clerks (`bench/api_bench.py::prepare`), then sends
receipts and issues with idempotency keys through the app's WSGI callable, one at a time, and
prints per request: the app's CPU time (thread CPU inside the WSGI call, so the test client's
own work is not counted), the wall time, the SQL statements the app sent, and the other round
trips (BEGIN, COMMIT, pool pings) counted at the driver. On PostgreSQL it also prints the CPU the
database backend spent per request (from /proc). `--profile N` prints the N most expensive
functions (cProfile, cumulative).
"""

import argparse
import cProfile
import io
import os
import pstats
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
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args()

    from sqlalchemy import create_engine, event, text

    from app import create_app
    from db import get_engine

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
        for key in counts:
            counts[key] = 0
        app_cpu[0] = 0.0
        profiler = cProfile.Profile() if args.profile else None
        db_cpu0 = backend_cpu(pid)
        wall0, cpu0 = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        for n in range(args.requests):
            send(n)
        if profiler:
            profiler.disable()
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        db_cpu = backend_cpu(pid) - db_cpu0
        n = args.requests
        print(f"{args.backend}: {n} POST /api/v1/movements (receipts and issues, idempotency keys)")
        print(f"  app CPU per request      {app_cpu[0] / n * 1000:6.2f} ms")
        print(f"  process CPU per request  {cpu / n * 1000:6.2f} ms (with the test client)")
        print(f"  wall time per request    {wall / n * 1000:6.2f} ms")
        if pid:
            print(f"  PostgreSQL backend CPU   {db_cpu / n * 1000:6.2f} ms per request")
        print(
            f"  SQL statements {counts['statements'] / n:.2f}, BEGIN {counts['begin'] / n:.2f}, "
            f"COMMIT {counts['commit'] / n:.2f}, ROLLBACK {counts['rollback'] / n:.2f}, "
            f"pool ping {counts['ping'] / n:.2f} per request"
        )
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.profile)
            print(out.getvalue())
        engine.dispose()
    finally:
        if schema:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
