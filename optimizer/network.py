"""One item's rebalance as a min-cost flow, solved exactly in two stages with OR-Tools.

Network (per item):

    source ─(lowering a donor's stock, per band)→ out_f ─(≤ surplus_f)→ send_f ─(transport)→ in_g
    in_g ─(raising g's stock toward T days, per band)→ sink
    in_f ─(relay)→ out_f          source ─(bypass)→ sink

(a donor that needs nothing has no in_f: transport into it arrives at out_f, to travel on).

A unit on a lowering arc costs the shortage it adds at the donor (zero while the donor stays
above T days); a unit on a raising arc is worth the shortage it removes (a negative cost).
Costs are convex in the units moved, so the cheapest arcs fill first and integral capacities
give an integral optimum.

Stage 1 minimises the shortage S alone. Node potentials from its residual graph are an
optimal dual; by complementary slackness every S-optimal flow leaves arcs of positive reduced
cost empty and arcs of negative reduced cost full. Stage 2 fixes those arcs and minimises the
transport cost R over the remaining (zero reduced cost) arcs: the lexicographic optimum,
without mixing the two objectives into one overflowing integer.
"""

import math
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from optimizer.problem import Problem, ProblemError
from optimizer.rules import TOLERANCE, donor_surplus

# largest scaled unit cost, and largest scaled total, that OR-Tools' int64 arithmetic allows
# (cost scaling multiplies costs by the number of nodes internally)
MAX_UNIT_COST = 2.0**40
# transport only needs R within 0.1 %: coarser integers make the cost-scaling solver faster
MAX_TRANSPORT_COST = 2.0**26
MAX_TOTAL_COST = 2.0**61


@dataclass
class ItemFlows:
    """The transfers of one item: parallel arrays of facility indices and units."""

    senders: np.ndarray
    receivers: np.ndarray
    quantities: np.ndarray
    km: np.ndarray


def shortage(stock: float, need: float, weight: float, bands) -> float:
    """The shortage cost of holding `stock` units against a daily need (rebalance-spec.md)."""
    if need <= 0:
        return 0.0
    cover, total, previous = stock / need, 0.0, 0.0
    for band in bands:
        total += band.cost_per_day * min(
            max(band.below_days - cover, 0.0), band.below_days - previous
        )
        previous = band.below_days
    return weight * total


def _segments(lo: int, hi: int, need: float, weight: float, bands):
    """Stock levels lo..hi cut where the marginal shortage changes: [(from, to, per unit)].

    Between consecutive cuts the marginal value of a unit is constant; a unit straddling a
    band boundary (fractional need) is a segment of its own with its exact, mixed value.
    """
    cuts = {lo, hi}
    for band in bands:
        level = band.below_days * need
        if lo < level < hi:
            cuts.update((math.floor(level + TOLERANCE), math.ceil(level - TOLERANCE)))
    points = sorted(p for p in cuts if lo <= p <= hi)
    out = []
    for p, q in zip(points, points[1:], strict=False):
        if q > p:
            value = (shortage(p, need, weight, bands) - shortage(q, need, weight, bands)) / (q - p)
            out.append((p, q, value))
    return out


def _band_arcs(lo, hi, need, weight, bands, sign: float):
    """Arcs for moving stock between levels lo and hi (arrays over facilities), per band.

    Exact when every band level (days × need) and lo, hi are whole numbers, as with integral
    input; other facilities go through `_segments` one by one.
    Returns (facility position, capacity, cost per unit).
    """
    positions, caps, costs = [], [], []
    integral = np.ones(len(need), dtype=bool)
    previous = 0.0
    levels = []
    for band in bands:
        levels.append((previous, band.below_days, band.cost_per_day))
        previous = band.below_days
        level = band.below_days * need
        integral &= np.abs(level - np.rint(level)) < TOLERANCE
    fast = np.nonzero(integral)[0]
    for low, high, cost in levels:
        a = np.maximum(lo[fast], low * need[fast])
        b = np.minimum(hi[fast], high * need[fast])
        cap = np.rint(b - a).astype(np.int64)
        ok = cap > 0
        positions.append(fast[ok])
        caps.append(cap[ok])
        costs.append(sign * weight[fast][ok] * cost / need[fast][ok])
    top = np.rint(hi[fast] - np.maximum(lo[fast], previous * need[fast])).astype(np.int64)
    ok = top > 0  # above T days a unit is worth nothing
    positions.append(fast[ok])
    caps.append(top[ok])
    costs.append(np.zeros(ok.sum()))
    for n in np.nonzero(~integral)[0]:
        for p, q, value in _segments(int(lo[n]), int(hi[n]), need[n], weight[n], bands):
            positions.append(np.array([n]))
            caps.append(np.array([q - p], dtype=np.int64))
            costs.append(np.array([sign * value]))
    return np.concatenate(positions), np.concatenate(caps), np.concatenate(costs)


def _scale(largest: float, total_units: int, finest: float = MAX_UNIT_COST) -> float:
    """The factor turning float unit costs into int64 as finely as overflow allows."""
    if largest <= 0.0:
        return 1.0
    return min(finest / largest, MAX_TOTAL_COST / (largest * max(total_units, 1)))


def _solve(n_nodes, tail, head, cap, cost, supply) -> np.ndarray:
    solver = min_cost_flow.SimpleMinCostFlow()
    if len(tail):
        solver.add_arcs_with_capacity_and_unit_cost(tail, head, cap, cost)
    nodes = np.arange(n_nodes, dtype=np.int64)
    solver.set_nodes_supplies(nodes, supply)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise ProblemError(f"the flow solver failed ({status.name}); please report this input")
    return solver.flows(np.arange(len(tail), dtype=np.int64))


def _potentials(n_nodes, tail, head, cap, cost, flow) -> np.ndarray:
    """Shortest-path distances in the residual graph from a root linked to every node.

    The residual graph of an optimal flow has no negative cycle, so Bellman-Ford converges;
    relaxing all arcs at once with numpy takes as many rounds as the longest shortest path
    has arcs (a handful: costs sit only on arcs at the source and the sink).
    """
    forward = flow < cap
    backward = flow > 0
    r_tail = np.concatenate([tail[forward], head[backward]])
    r_head = np.concatenate([head[forward], tail[backward]])
    r_cost = np.concatenate([cost[forward], -cost[backward]])
    distance = np.zeros(n_nodes, dtype=np.int64)
    for _ in range(n_nodes + 1):
        candidate = distance.copy()
        np.minimum.at(candidate, r_head, distance[r_tail] + r_cost)
        if np.array_equal(candidate, distance):
            return distance
        distance = candidate
    raise ProblemError("internal error: negative cycle after stage 1; please report this input")


@dataclass
class _Nodes:
    """One item's flow network: each facility's nodes (-1 where it has none) and their count.

    0 is the source, 1 the sink, then in_f for receivers, out_f and send_f for senders. A
    sender that needs nothing receives straight into out_f: what reaches it can only travel on.
    """

    node_in: np.ndarray
    node_out: np.ndarray
    node_send: np.ndarray
    count: int


def _nodes(n_fac: int, fac, is_sender, is_receiver) -> _Nodes:
    node_in = np.full(n_fac, -1, dtype=np.int64)
    node_in[fac[is_receiver]] = 2 + np.arange(is_receiver.sum())
    base = 2 + is_receiver.sum()
    node_out = np.full(n_fac, -1, dtype=np.int64)
    node_out[fac[is_sender]] = base + 2 * np.arange(is_sender.sum())
    node_send = np.where(node_out >= 0, node_out + 1, -1)
    return _Nodes(node_in, node_out, node_send, int(base + 2 * is_sender.sum()))


def _stock_arcs(nodes: _Nodes, fac, on_hand, need, weight, sendable, is_receiver, bands, target):
    """The arcs other than transport, and the flow to push: (tail, head, cap, cost), total."""
    node_in, node_out, node_send = nodes.node_in, nodes.node_out, nodes.node_send
    is_sender = sendable > 0
    # no more than the receivers can take ever reaches the sink: a smaller flow to push
    receivable = np.ceil(target * need - on_hand - TOLERANCE)[is_receiver].sum()
    total = int(min(sendable.sum(), receivable))
    tails, heads, caps, costs = [], [], [], []
    # lowering a sender's stock by what it sends: free above T days, then each band's cost
    s = np.nonzero(is_sender)[0]
    pos, cap, cost = _band_arcs(
        on_hand[s] - sendable[s], on_hand[s], need[s], weight[s], bands, +1.0
    )
    tails.append(np.zeros(len(pos), dtype=np.int64))
    heads.append(node_out[fac[s][pos]])
    caps.append(cap)
    costs.append(cost)
    # a sender sends at most its surplus, its own units and relayed ones together
    both = np.nonzero(is_sender & is_receiver)[0]
    tails += [node_out[fac[s]], node_in[fac[both]]]
    heads += [node_send[fac[s]], node_out[fac[both]]]
    caps += [sendable[s], sendable[both]]
    costs += [np.zeros(len(s)), np.zeros(len(both))]
    # raising a receiver's stock toward T days: each band's value, as a negative cost
    r = np.nonzero(is_receiver)[0]
    units = np.ceil(target * need[r] - on_hand[r] - TOLERANCE)
    pos, cap, cost = _band_arcs(on_hand[r], on_hand[r] + units, need[r], weight[r], bands, -1.0)
    tails.append(node_in[fac[r][pos]])
    heads.append(np.ones(len(pos), dtype=np.int64))
    caps.append(cap)
    costs.append(cost)
    # units no one needs stay where they are
    tails.append(np.zeros(1, dtype=np.int64))
    heads.append(np.ones(1, dtype=np.int64))
    caps.append(np.array([total]))
    costs.append(np.zeros(1))
    b_tail, b_head, b_cap = (np.concatenate(x) for x in (tails, heads, caps))
    b_cost1 = np.rint(
        np.concatenate(costs)
        * _scale(max((float(np.max(np.abs(c))) for c in costs if len(c)), default=0.0), total)
    ).astype(np.int64)
    return (b_tail, b_head, b_cap, b_cost1), total


def _two_stages(n_nodes, base, transport, active, supply):
    """Stage 1 (least shortage) then stage 2 (least transport among those plans), adding
    waiting transport arcs while a reduced cost shows they would improve the plan (column
    generation). Returns the flow on the active transport arcs and their indices."""
    b_tail, b_head, b_cap, b_cost1 = base
    t_tail, t_head, t_cap, t_cost2 = transport
    stage1_done = False
    for _round in range(len(t_tail) + 1):
        a = np.nonzero(active)[0]
        tail = np.concatenate([b_tail, t_tail[a]])
        head = np.concatenate([b_head, t_head[a]])
        cap = np.concatenate([b_cap, t_cap[a]])
        cost1 = np.concatenate([b_cost1, np.zeros(len(a), dtype=np.int64)])
        cost2 = np.concatenate([np.zeros(len(b_tail), dtype=np.int64), t_cost2[a]])
        waiting = np.nonzero(~active)[0]
        if not stage1_done:
            # stage 1: least shortage
            flow1 = _solve(n_nodes, tail, head, cap, cost1, supply)
            pi1 = _potentials(n_nodes, tail, head, cap, cost1, flow1)
            rc1_wait = pi1[t_tail[waiting]] - pi1[t_head[waiting]]
            if (rc1_wait < 0).any():
                active[waiting[rc1_wait < 0]] = True
                continue
            stage1_done = True
        else:
            # arcs added by stage 2 have zero stage-1 reduced cost: stage 1 stays optimal
            # and pi1 stays an optimal dual, so only stage 2 is solved again
            rc1_wait = pi1[t_tail[waiting]] - pi1[t_head[waiting]]
        # stage 2: least transport among the least-shortage plans (complementary slackness
        # with the stage-1 potentials fixes every arc whose reduced cost is not zero)
        reduced = cost1 + pi1[tail] - pi1[head]
        full = reduced < 0
        free = reduced == 0
        supply2 = supply.copy()
        np.subtract.at(supply2, tail[full], cap[full])
        np.add.at(supply2, head[full], cap[full])
        flow2 = _solve(n_nodes, tail[free], head[free], cap[free], cost2[free], supply2)
        pi2 = _potentials(n_nodes, tail[free], head[free], cap[free], cost2[free], flow2)
        free_wait = waiting[rc1_wait == 0]
        rc2_wait = t_cost2[free_wait] + pi2[t_tail[free_wait]] - pi2[t_head[free_wait]]
        if (rc2_wait < 0).any():
            active[free_wait[rc2_wait < 0]] = True
            continue
        break
    flow = np.where(full, cap, 0)
    flow[free] = flow2
    return flow[len(b_tail) :], a


def solve_item(
    problem: Problem,
    item: int,
    links: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> ItemFlows:
    """The lexicographically optimal transfers of one item."""
    policy = problem.policy
    target = policy.target_days
    n_fac = len(problem.facilities)
    rows = [(f, v) for (f, i), v in problem.stock.items() if i == item]
    if not rows:
        return ItemFlows(*(np.zeros(0, dtype=np.int64),) * 3, np.zeros(0))
    fac = np.array([f for f, _v in rows], dtype=np.int64)
    on_hand = np.array([v[0] for _f, v in rows], dtype=np.float64)
    need = np.array([v[1] for _f, v in rows], dtype=np.float64)
    floor = np.array([problem.floor_days(int(f)) for f in fac])
    weight = np.array([problem.facilities[int(f)].priority for f in fac])
    weight = weight * problem.items[item].priority
    sendable = donor_surplus(on_hand, need, floor)
    is_sender = sendable > 0
    is_receiver = (need > 0) & (on_hand < target * need - TOLERANCE)
    if not is_sender.any() or not is_receiver.any():
        return ItemFlows(*(np.zeros(0, dtype=np.int64),) * 3, np.zeros(0))
    nodes = _nodes(n_fac, fac, is_sender, is_receiver)
    base, total = _stock_arcs(
        nodes, fac, on_hand, need, weight, sendable, is_receiver, policy.bands, target
    )

    # transport arcs: direct ones (into receivers) start active; relay arcs (into senders
    # that need nothing) join only when a reduced cost shows they would improve the plan
    link_f, link_g, link_km = links
    arrival = np.where(nodes.node_in >= 0, nodes.node_in, nodes.node_out)
    usable = (nodes.node_send[link_f] >= 0) & (arrival[link_g] >= 0)
    link_f, link_g, link_km = link_f[usable], link_g[usable], link_km[usable]
    sendable_of = np.zeros(n_fac, dtype=np.int64)
    sendable_of[fac] = sendable
    t_cost2_float = link_km * problem.items[item].unit_kg
    t_cost2 = np.rint(
        t_cost2_float * _scale(float(t_cost2_float.max(initial=0.0)), total, MAX_TRANSPORT_COST)
    )
    transport = (nodes.node_send[link_f], arrival[link_g], sendable_of[link_f])
    transport += (t_cost2.astype(np.int64),)
    receiver_of = np.zeros(n_fac, dtype=bool)
    receiver_of[fac[is_receiver]] = True
    active = receiver_of[link_g]

    supply = np.zeros(nodes.count, dtype=np.int64)
    supply[0], supply[1] = total, -total
    moved, a = _two_stages(nodes.count, base, transport, active, supply)
    used = moved > 0
    chosen = a[used]
    return ItemFlows(link_f[chosen], link_g[chosen], moved[used], link_km[chosen])
