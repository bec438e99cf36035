"""One item's rebalance as a min-cost flow, solved exactly in two stages with OR-Tools.

Network (per item):

    source ─(lowering a donor's stock, per band)→ out_f ─(≤ surplus_f)→ send_f ─(transport)→ in_g
    in_g ─(raising g's stock toward T days, per band)→ sink
    in_f ─(relay, ≤ surplus_f)→ out_f          source ─(bypass)→ sink

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

# largest scaled unit cost, and largest scaled total, that OR-Tools' int64 arithmetic allows
# (cost scaling multiplies costs by the number of nodes internally)
MAX_UNIT_COST = 2.0**40
MAX_TOTAL_COST = 2.0**61
EPS = 1e-9


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
            cuts.update((math.floor(level + EPS), math.ceil(level - EPS)))
    points = sorted(p for p in cuts if lo <= p <= hi)
    out = []
    for p, q in zip(points, points[1:], strict=False):
        if q > p:
            value = (shortage(p, need, weight, bands) - shortage(q, need, weight, bands)) / (q - p)
            out.append((p, q, value))
    return out


class _Arcs:
    """Arcs collected as parallel lists, then handed to OR-Tools in one bulk call."""

    def __init__(self) -> None:
        self.tail: list[np.ndarray] = []
        self.head: list[np.ndarray] = []
        self.cap: list[np.ndarray] = []
        self.shortage: list[np.ndarray] = []  # stage-1 cost per unit (float, S units)
        self.transport: list[np.ndarray] = []  # stage-2 cost per unit (float, kg·km)

    def add(self, tail, head, cap, shortage_cost=0.0, transport_cost=0.0) -> None:
        tail = np.atleast_1d(np.asarray(tail, dtype=np.int64))
        n = len(tail)
        self.tail.append(tail)
        self.head.append(np.broadcast_to(np.asarray(head, dtype=np.int64), n))
        self.cap.append(np.broadcast_to(np.asarray(cap, dtype=np.int64), n))
        self.shortage.append(np.broadcast_to(np.asarray(shortage_cost, dtype=np.float64), n))
        self.transport.append(np.broadcast_to(np.asarray(transport_cost, dtype=np.float64), n))

    def arrays(self):
        return tuple(
            np.concatenate(parts)
            for parts in (self.tail, self.head, self.cap, self.shortage, self.transport)
        )


def _scaled(costs: np.ndarray, total_units: int) -> np.ndarray:
    """Float costs as int64, as finely as overflow allows."""
    largest = float(np.max(np.abs(costs))) if len(costs) else 0.0
    if largest == 0.0:
        return np.zeros(len(costs), dtype=np.int64)
    scale = min(MAX_UNIT_COST / largest, MAX_TOTAL_COST / (largest * max(total_units, 1)))
    return np.rint(costs * scale).astype(np.int64)


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


def solve_item(
    problem: Problem,
    item: int,
    links: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> ItemFlows:
    """The lexicographically optimal transfers of one item."""
    policy = problem.policy
    bands = policy.bands
    target = policy.target_days
    weight_item = problem.items[item].priority
    unit_kg = problem.items[item].unit_kg
    rows = {f: v for (f, i), v in problem.stock.items() if i == item}

    senders, receivers = {}, {}
    for f, (on_hand, need) in rows.items():
        surplus = on_hand - problem.floor_days(f) * need
        sendable = max(0, math.floor(surplus + EPS))
        if sendable > 0:
            senders[f] = sendable
        if need > 0 and on_hand < target * need - EPS:
            receivers[f] = math.ceil(target * need - on_hand - EPS)
    if not senders or not receivers:
        return ItemFlows(*(np.zeros(0, dtype=np.int64),) * 3, np.zeros(0))

    # node numbering: 0 source, 1 sink, then in_f for every facility that can receive or
    # relay, out_f and send_f for every sender
    link_f, link_g, link_km = links
    usable = np.isin(link_f, list(senders)) & np.isin(link_g, list(senders | receivers))
    link_f, link_g, link_km = link_f[usable], link_g[usable], link_km[usable]
    in_ids = sorted(set(receivers) | set(link_g.tolist()) | set(senders))
    node_in = {f: 2 + n for n, f in enumerate(in_ids)}
    send_ids = sorted(senders)
    node_out = {f: 2 + len(in_ids) + 2 * n for n, f in enumerate(send_ids)}
    node_send = {f: node_out[f] + 1 for f in send_ids}
    n_nodes = 2 + len(in_ids) + 2 * len(send_ids)
    total = sum(senders.values())

    arcs = _Arcs()
    weight = {f: problem.facilities[f].priority * weight_item for f in rows}
    for f, sendable in senders.items():
        on_hand, need = rows[f]
        # lowering f's stock by what it sends: free above T days, then each band's cost
        for p, q, value in _segments(on_hand - sendable, on_hand, need, weight[f], bands):
            arcs.add(0, node_out[f], q - p, shortage_cost=value)
        arcs.add(node_out[f], node_send[f], sendable)
        # what f receives can travel on, within what f may send
        arcs.add(node_in[f], node_out[f], sendable)
    for g, units in receivers.items():
        on_hand, need = rows[g]
        for p, q, value in _segments(on_hand, on_hand + units, need, weight[g], bands):
            arcs.add(node_in[g], 1, q - p, shortage_cost=-value)
    first_transport = sum(len(t) for t in arcs.tail)
    if len(link_f):
        caps = np.array([senders[int(f)] for f in link_f], dtype=np.int64)
        arcs.add(
            np.array([node_send[int(f)] for f in link_f]),
            np.array([node_in[int(g)] for g in link_g]),
            caps,
            transport_cost=link_km * unit_kg,
        )
    arcs.add(0, 1, total)  # units no one needs stay where they are
    tail, head, cap, shortage_cost, transport_cost = arcs.arrays()
    supply = np.zeros(n_nodes, dtype=np.int64)
    supply[0], supply[1] = total, -total

    # stage 1: least shortage
    cost1 = _scaled(shortage_cost, total)
    flow1 = _solve(n_nodes, tail, head, cap, cost1, supply)
    # stage 2: least transport among the least-shortage plans
    distance = _potentials(n_nodes, tail, head, cap, cost1, flow1)
    reduced = cost1 + distance[tail] - distance[head]
    full = reduced < 0
    free = reduced == 0
    supply2 = supply.copy()
    np.subtract.at(supply2, tail[full], cap[full])
    np.add.at(supply2, head[full], cap[full])
    cost2 = _scaled(transport_cost[free], total)
    flow2 = _solve(n_nodes, tail[free], head[free], cap[free], cost2, supply2)
    flow = np.where(full, cap, 0)
    flow[free] = flow2

    moved = flow[first_transport : first_transport + len(link_f)]
    used = moved > 0
    return ItemFlows(link_f[used], link_g[used], moved[used], link_km[used])
