"""A plan's transfers, its costs recomputed from them, and the need it leaves unmet."""

import math

import numpy as np

from optimizer.network import ItemFlows, shortage
from optimizer.problem import Problem
from optimizer.rules import TOLERANCE


def _weight(problem: Problem, f: int, i: int) -> float:
    return problem.facilities[f].priority * problem.items[i].priority


def shortage_cost(problem: Problem, after: dict[tuple[int, int], float]) -> float:
    """S of the stock levels `after` (rows without a need cost nothing)."""
    total = 0.0
    for (f, i), (on_hand, need) in problem.stock.items():
        if need > 0:
            level = after.get((f, i), on_hand)
            total += shortage(level, need, _weight(problem, f, i), problem.policy.bands)
    return total


def assemble(
    problem: Problem,
    flows: dict[int, ItemFlows],
    seconds: float,
) -> dict:
    """The plan in the output shape of rebalance-spec.md."""
    facilities, items = problem.facilities, problem.items
    after = {key: float(on_hand) for key, (on_hand, _need) in problem.stock.items()}
    transfers, transport = [], 0.0
    for i in sorted(flows):
        result = flows[i]
        order = np.lexsort((result.receivers, result.senders))
        for n in order:
            f, g, qty = int(result.senders[n]), int(result.receivers[n]), int(result.quantities[n])
            km = float(result.km[n])
            transfers.append(
                {
                    "from": facilities[f].id,
                    "to": facilities[g].id,
                    "item": items[i].id,
                    "qty": qty,
                    "km": km,
                }
            )
            transport += qty * items[i].unit_kg * km
            after[(f, i)] = after.get((f, i), 0.0) - qty
            after[(g, i)] = after.get((g, i), 0.0) + qty
    target = problem.policy.target_days
    unmet = []
    for (f, i), (_on_hand, need) in sorted(problem.stock.items()):
        missing = target * need - after[(f, i)]
        if need > 0 and missing > TOLERANCE:
            unmet.append(
                {
                    "facility": facilities[f].id,
                    "item": items[i].id,
                    "qty": math.ceil(missing - TOLERANCE),
                }
            )
    return {
        "status": "optimal",
        "shortage_cost": shortage_cost(problem, after),
        "transport_cost": transport,
        "shortage_cost_before": shortage_cost(problem, {}),
        "transfers": transfers,
        "unmet": unmet,
        "seconds": round(seconds, 3),
    }
