"""Weekly report: time and peak memory to build and render the PDF, for the demo city and for a
province-size network (~1,400 depots, the readiness benchmark's generator).

Each render runs in its own process, so its peak RSS is its own; the database is prepared
first (the demo city seeded through the services, the province bulk-loaded). The report of a finished week is rebuilt from the ledger as at the
week's end; the figures alone are timed for it and for the current week (live balances).

    .venv/bin/python bench/report_bench.py [--only demo|province] [--days 35]
"""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not getrusage: Linux carries ru_maxrss over exec, so
    a child started by a parent holding a year of generated ledger would report the parent's."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def render(url: str, county: str | None) -> dict:
    """In this process: build and render one report; time it and read the peak RSS."""
    from sqlmodel import Session

    from app import create_app
    from core.db import get_engine
    from core.timeutil import local_today
    from reports.archive import render_weekly
    from reports.weekly import build_weekly_report
    from reports.weeks import IsoWeek, last_complete_week

    app = create_app({"DATABASE_URL": url, "TESTING": True})
    before = peak_rss_mb()
    with app.app_context(), Session(get_engine(app)) as session:
        # cold: the first report of a process (imports WeasyPrint, loads the fonts) ...
        t0, c0 = time.perf_counter(), time.process_time()
        generated = render_weekly(session, last_complete_week(), county=county)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        # ... warm: the next one in the same process
        t0, c0 = time.perf_counter(), time.process_time()
        render_weekly(session, last_complete_week(), county=county)
        warm, warm_cpu = time.perf_counter() - t0, time.process_time() - c0
        # the figures alone: a finished week rebuilt from the ledger (its end and the end of
        # the week before) against the current week's live figures (balances, a snapshot)
        figures = {}
        for name, week in (("past", last_complete_week()), ("live", IsoWeek.of(local_today()))):
            times = []
            for _ in range(5):
                t0 = time.perf_counter()
                build_weekly_report(session, week, county=county)
                times.append(time.perf_counter() - t0)
            figures[name] = round(statistics.median(times), 3)
    rep = generated.report
    return {
        "figures_past": figures["past"],
        "figures_live": figures["live"],
        "ledger_rows": ledger_rows(url),
        "seconds": round(seconds, 2),
        "cpu": round(cpu, 2),
        "warm": round(warm, 2),
        "warm_cpu": round(warm_cpu, 2),
        "pages": generated.rendered.pages,
        "bytes": len(generated.rendered.pdf),
        "depots": len(rep.readiness.facilities),
        "pairs": len(rep.readiness.table),
        "red": len(rep.red_list),
        "expiring": len(rep.expiring),
        "rss_before_mb": round(before),
        "peak_rss_mb": round(peak_rss_mb()),
    }


def ledger_rows(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM movement")).scalar()
    engine.dispose()
    return rows


def run_child(url: str, county: str | None = None) -> dict:
    args = [sys.executable, __file__, "--render", url]
    if county:
        args += ["--county", county]
    out = subprocess.run(args, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def prepare_demo(tmp: str) -> str:
    from app import create_app
    from core.db import get_engine, session_scope
    from core.migrate import upgrade
    from seed.demo import load_demo_city

    url = f"sqlite:///{tmp}/demo.sqlite3"
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    upgrade(get_engine(app))
    t0 = time.perf_counter()
    with app.app_context(), session_scope(get_engine(app)) as session:
        load_demo_city(session)
    print(f"[demo] seeded the demo city in {time.perf_counter() - t0:.1f} s")
    get_engine(app).dispose()
    return url


def prepare_province(tmp: str, days: int) -> str:
    from app import create_app
    from bench.readiness_bench import build_network, generate, load
    from core.db import get_engine
    from core.migrate import upgrade

    rng = random.Random(7)
    regions, facilities, items = build_network(rng, 40)
    lots, movements, balances, norms = generate(rng, facilities, items, days, date.today())
    url = f"sqlite:///{tmp}/province.sqlite3"
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    engine = get_engine(app)
    upgrade(engine)
    t0 = time.perf_counter()
    load(engine, regions, facilities, items, lots, movements, balances, norms)
    print(
        f"[province] loaded {len(facilities):,} depots, {len(balances):,} balances, "
        f"{len(movements):,} ledger rows in {time.perf_counter() - t0:.1f} s"
    )
    engine.dispose()
    return url


def show(name: str, r: dict) -> None:
    print(
        f"[{name}] first in its process {r['seconds']:.2f} s ({r['cpu']:.2f} s CPU), "
        f"next {r['warm']:.2f} s ({r['warm_cpu']:.2f} s CPU), peak RSS {r['peak_rss_mb']} MB "
        f"(after imports {r['rss_before_mb']} MB): {r['pages']} pages, {r['bytes']:,} bytes; "
        f"{r['depots']:,} depots, {r['pairs']:,} depot-items, {r['red']:,} red, "
        f"{r['expiring']:,} lots expiring within 90 days; figures alone (median of 5): "
        f"last week from the ledger ({r['ledger_rows']:,} rows) {r['figures_past']:.3f} s, "
        f"this week live {r['figures_live']:.3f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--render", help=argparse.SUPPRESS)
    parser.add_argument("--county", help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=("demo", "province"))
    parser.add_argument("--days", type=int, default=35, help="ledger history of the province")
    args = parser.parse_args()
    if args.render:
        print(json.dumps(render(args.render, args.county)))
        return
    os.environ.setdefault("SCHEDULER_ENABLED", "0")
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "demo"):
            url = prepare_demo(tmp)
            show("demo city report", run_child(url))
            show("demo county report (新昌县)", run_child(url, "330624"))
        if args.only in (None, "province"):
            url = prepare_province(tmp, args.days)
            show("province report", run_child(url))


if __name__ == "__main__":
    main()
