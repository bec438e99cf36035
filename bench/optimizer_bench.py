"""Rebalance at province scale: the project's solver against the same model as an LP in HiGHS.

    .venv/bin/python bench/optimizer_bench.py [--items 40] [--seed 1] [--skip-highs]

Each solver runs in its own process (so peak memory is its own); both get the same problem.
The LP has the same variables as the plan (transfers on the same allowed links, pruned the
same way: only from facilities with surplus) plus per-band shortage variables, and is solved
lexicographically: least S, then least R with S held.
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run_ours(path: str, workers: int) -> dict:
    from optimizer import solve

    problem = json.loads(Path(path).read_text(encoding="utf-8"))
    started = time.perf_counter()
    plan = solve(problem, workers=workers)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "S": plan["shortage_cost"],
        "R": plan["transport_cost"],
        "transfers": len(plan["transfers"]),
        "unmet": len(plan["unmet"]),
    }


def run_highs(path: str) -> dict:
    import highspy
    import numpy as np

    from optimizer.geo import allowed_links
    from optimizer.problem import parse

    problem = parse(json.loads(Path(path).read_text(encoding="utf-8")))
    started = time.perf_counter()
    bands = problem.policy.bands
    target = problem.policy.target_days
    n_fac, n_items = len(problem.facilities), len(problem.items)
    on_hand = np.zeros((n_fac, n_items))
    need = np.zeros((n_fac, n_items))
    for (f, i), (o, d) in problem.stock.items():
        on_hand[f, i], need[f, i] = o, d
    floor = np.array([problem.floor_days(f) for f in range(n_fac)])
    surplus = np.maximum(0.0, on_hand - floor[:, None] * need)
    tails = np.nonzero((surplus >= 1).any(axis=1))[0]
    heads = np.nonzero(((surplus >= 1) | (on_hand < target * need)).any(axis=1))[0]
    lf, lg, lkm = allowed_links(problem, tails, heads)
    # variables: x[link, item] for items the tail can give, then shortage[f, i, band]
    x_link, x_item = [], []
    for i in range(n_items):
        ok = surplus[lf, i] >= 1
        x_link.append(np.nonzero(ok)[0])
        x_item.append(np.full(ok.sum(), i))
    x_link, x_item = np.concatenate(x_link), np.concatenate(x_item)
    nx = len(x_link)
    fi_need = np.argwhere(need > 0)
    ns = len(fi_need) * len(bands)
    # rows: cover row per (f, i) (after >= 0, or the shortage identity), send row per (f, i)
    row_cover = np.arange(n_fac * n_items).reshape(n_fac, n_items)
    row_send = n_fac * n_items + row_cover
    n_rows = 2 * n_fac * n_items
    xf, xg = lf[x_link], lg[x_link]
    rows = np.concatenate([row_send[xf, x_item], row_cover[xf, x_item], row_cover[xg, x_item]])
    cols = np.concatenate([np.arange(nx)] * 3)
    vals = np.concatenate([np.ones(nx), -np.ones(nx), np.ones(nx)])
    s_cols = nx + np.arange(ns)
    s_f = np.repeat(fi_need[:, 0], len(bands))
    s_i = np.repeat(fi_need[:, 1], len(bands))
    rows = np.concatenate([rows, row_cover[s_f, s_i]])
    cols = np.concatenate([cols, s_cols])
    vals = np.concatenate([vals, need[s_f, s_i]])
    order = np.lexsort((rows, cols))
    rows, cols, vals = rows[order], cols[order], vals[order]
    start = np.searchsorted(cols, np.arange(nx + ns + 1))
    widths = np.diff([0.0] + [b.below_days for b in bands])
    weight = (
        np.array([f.priority for f in problem.facilities])[:, None]
        * np.array([i.priority for i in problem.items])[None, :]
    )
    cost_s = np.concatenate(
        [np.zeros(nx), np.tile([b.cost_per_day for b in bands], len(fi_need)) * weight[s_f, s_i]]
    )
    unit_kg = np.array([i.unit_kg for i in problem.items])
    cost_r = np.concatenate([lkm[x_link] * unit_kg[x_item], np.zeros(ns)])
    lower = np.zeros(nx + ns)
    upper = np.concatenate([np.full(nx, highspy.kHighsInf), np.tile(widths, len(fi_need))])
    row_lo = np.concatenate(
        [
            np.where(need > 0, target * need - on_hand, -on_hand).ravel(),
            np.full(n_fac * n_items, -highspy.kHighsInf),
        ]
    )
    row_hi = np.concatenate([np.full(n_fac * n_items, highspy.kHighsInf), surplus.ravel()])
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = nx + ns, n_rows
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost_s, lower, upper
    lp.row_lower_, lp.row_upper_ = row_lo, row_hi
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start.astype(np.int32)
    lp.a_matrix_.index_ = rows.astype(np.int32)
    lp.a_matrix_.value_ = vals
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    built = time.perf_counter() - started
    h.run()
    s_opt = h.getInfo().objective_function_value
    nz = np.nonzero(cost_s)[0]
    h.addRow(
        -highspy.kHighsInf, s_opt * (1 + 1e-9) + 1e-9, len(nz), nz.astype(np.int32), cost_s[nz]
    )
    h.changeColsCost(nx + ns, np.arange(nx + ns, dtype=np.int32), cost_r)
    h.run()
    r_opt = h.getInfo().objective_function_value
    return {
        "seconds": time.perf_counter() - started,
        "build_seconds": built,
        "S": s_opt,
        "R": r_opt,
        "variables": nx + ns,
        "rows": n_rows,
    }


def child(kind: str, path: str) -> None:
    if kind.startswith("ours"):
        result = run_ours(path, int(kind.split(":")[1]))
    else:
        result = run_highs(path)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-distance", type=float, default=60.0)
    parser.add_argument("--skip-highs", action="store_true")
    parser.add_argument("--workers", type=int, default=2, help="processes for the second run")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    from bench.instances import province

    problem = province(args.seed, args.items, max_distance_km=args.max_distance)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(problem, fh)
        path = fh.name
    print(
        f"instance: {len(problem['facilities']):,} facilities, {len(problem['items'])} items, "
        f"{len(problem['stock']):,} stock rows, max distance {args.max_distance:g} km"
    )
    results = {}
    kinds = ["ours:1", f"ours:{args.workers}"] if args.workers > 1 else ["ours:1"]
    if not args.skip_highs:
        kinds.append("highs")
    for kind in kinds:
        out = subprocess.run(
            [sys.executable, __file__, "--child", kind, path],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        results[kind] = r = json.loads(out.stdout.strip().splitlines()[-1])
        if kind.startswith("ours"):
            label = f"OR-Tools flow, {kind.split(':')[1]} proc"
            extra = f", {r['transfers']:,} transfers, {r['unmet']:,} unmet"
        else:
            label = "HiGHS LP"
            extra = (
                f", {r['variables']:,} variables, {r['rows']:,} rows, "
                f"built in {r['build_seconds']:.2f} s"
            )
        print(
            f"{label:<24} {r['seconds']:8.2f} s  S {r['S']:.4f}  R {r['R']:.1f}  "
            f"peak RSS {r['peak_rss_mb']:.0f} MB{extra}"
        )
    if "highs" in results:
        highs = results["highs"]
        for kind in kinds[:-1]:
            ours = results[kind]
            same_s = abs(ours["S"] - highs["S"]) <= 1e-6 * max(1.0, abs(highs["S"]))
            print(
                f"{kind}: same S: {same_s}; R ours/HiGHS - 1: "
                f"{ours['R'] / highs['R'] - 1:+.2e}; time ours/HiGHS: "
                f"{ours['seconds'] / highs['seconds']:.1%}"
            )


if __name__ == "__main__":
    main()
