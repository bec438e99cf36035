"""An independent check of the optimizer: the spec's model written directly as an LP in HiGHS.

It shares no code with `optimizer/`: links and distances are recomputed here in plain Python,
and the model uses transfer variables x[f, g, i] and per-band shortage variables, exactly as
rebalance-spec.md states the problem. Lexicographic: minimise S, then R with S held at its
optimum.
"""

import math

import highspy
import numpy as np

R_EARTH = 6371.0088


def _km(problem: dict) -> dict:
    given = {}
    for d in problem.get("distances_km", []):
        given[(d["from"], d["to"])] = given[(d["to"], d["from"])] = d["km"]
    road = problem["policy"].get("road_factor", 1.0) or 1.0
    out = {}
    for a in problem["facilities"]:
        for b in problem["facilities"]:
            if a["id"] == b["id"]:
                continue
            if (a["id"], b["id"]) in given:
                out[(a["id"], b["id"])] = given[(a["id"], b["id"])]
                continue
            p1, p2 = math.radians(a["lat"]), math.radians(b["lat"])
            dp, dl = p2 - p1, math.radians(b["lon"] - a["lon"])
            h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
            out[(a["id"], b["id"])] = 2 * R_EARTH * math.asin(math.sqrt(h)) * road
    return out


def _allowed(problem: dict, km: dict) -> list[tuple]:
    policy = problem["policy"]
    limit = policy.get("max_distance_km")
    parent = {f["id"]: f.get("parent") for f in problem["facilities"]}
    pairs = []
    for (a, b), dist in km.items():
        if limit is not None and dist > limit:
            continue
        if policy.get("links", "any") == "hierarchy":
            if not (
                parent[b] == a
                or parent[a] == b
                or (parent[a] is not None and parent[a] == parent[b])
            ):
                continue
        pairs.append((a, b))
    return pairs


def solve_lp(problem: dict) -> tuple[float, float]:
    """(S*, R*) of the continuous relaxation, by HiGHS."""
    policy = problem["policy"]
    bands = sorted(policy["bands"], key=lambda b: b["below_days"])
    target = bands[-1]["below_days"]
    default_floor = policy.get("donor_floor_days")
    default_floor = target if default_floor is None else default_floor
    fac = {f["id"]: f for f in problem["facilities"]}
    items = {i["id"]: i for i in problem["items"]}
    given = {(s["facility"], s["item"]): (s["on_hand"], s["daily_need"]) for s in problem["stock"]}
    # a (facility, item) pair without a stock row has on_hand 0 and daily_need 0
    stock = {(f, i): given.get((f, i), (0, 0.0)) for f in fac for i in items}
    km = _km(problem)
    pairs = _allowed(problem, km)

    cols_cost_s, cols_cost_r, lower, upper = [], [], [], []
    x_index = {}
    for i in items:
        for a, b in pairs:
            x_index[(a, b, i)] = len(lower)
            lower.append(0.0)
            upper.append(highspy.kHighsInf)
            cols_cost_s.append(0.0)
            cols_cost_r.append(items[i].get("unit_kg", 1.0) * km[(a, b)])
    s_index = {}
    for (f, i), (_on, need) in stock.items():
        if need <= 0:
            continue
        weight = fac[f].get("priority", 1.0) * items[i].get("priority", 1.0)
        previous = 0.0
        for k, band in enumerate(bands):
            s_index[(f, i, k)] = len(lower)
            lower.append(0.0)
            upper.append(band["below_days"] - previous)
            cols_cost_s.append(weight * band["cost_per_day"])
            cols_cost_r.append(0.0)
            previous = band["below_days"]

    rows, row_lower, row_upper = [], [], []
    for (f, i), (on_hand, need) in stock.items():
        floor = fac[f].get("floor_days")
        floor = default_floor if floor is None else floor
        sent = [(x_index[(f, b, i)], 1.0) for (a, b) in pairs if a == f]
        received = [(x_index[(a, f, i)], 1.0) for (a, b) in pairs if b == f]
        # what f sends of i is at most its surplus before the plan
        rows.append(sent)
        row_lower.append(-highspy.kHighsInf)
        row_upper.append(max(0.0, on_hand - floor * need))
        if need > 0:
            # need * shortage days + after >= T * need, with after = on_hand + received - sent
            coeffs = [(s_index[(f, i, k)], need) for k in range(len(bands))]
            coeffs += received + [(j, -1.0) for j, _ in sent]
            rows.append(coeffs)
            row_lower.append(target * need - on_hand)
            row_upper.append(highspy.kHighsInf)
        else:
            # stock that is not needed must still not go negative
            rows.append(received + [(j, -1.0) for j, _ in sent])
            row_lower.append(-on_hand)
            row_upper.append(highspy.kHighsInf)

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    n = len(lower)
    h.addVars(n, np.array(lower), np.array(upper))
    for coeffs, lo, hi in zip(rows, row_lower, row_upper, strict=True):
        idx = np.array([c for c, _ in coeffs], dtype=np.int32)
        val = np.array([v for _, v in coeffs], dtype=np.float64)
        h.addRow(lo, hi, len(idx), idx, val)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(cols_cost_s))
    h.run()
    s_opt = h.getInfo().objective_function_value
    # hold S at its optimum, then least transport
    tol = 1e-9 * max(1.0, abs(s_opt))
    nz = [j for j, c in enumerate(cols_cost_s) if c]
    h.addRow(
        -highspy.kHighsInf,
        s_opt + tol,
        len(nz),
        np.array(nz, dtype=np.int32),
        np.array([cols_cost_s[j] for j in nz]),
    )
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(cols_cost_r))
    h.run()
    r_opt = h.getInfo().objective_function_value
    return s_opt, r_opt
