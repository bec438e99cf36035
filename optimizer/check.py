"""Checking a plan someone edited against the rules of rebalance-spec.md, and costing it.

The dispatcher may change a proposed plan before issuing it; the changed plan must still obey
the same rules (allowed links, donor floors, whole positive quantities). `evaluate` checks
every transfer and returns the plan in the solver's output shape, with S, R and the unmet need
recomputed, or raises PlanError listing each broken rule.
"""

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from optimizer.geo import allowed_links, haversine_km
from optimizer.network import ItemFlows
from optimizer.plan import assemble
from optimizer.problem import Problem, parse


@dataclass(frozen=True)
class Violation:
    """One broken rule: which transfer (None: the plan as a whole), a code, and the facts."""

    index: int | None
    code: str  # unknown_facility, unknown_item, quantity, same_facility, distance, hierarchy, floor
    detail: dict


class PlanError(ValueError):
    """The plan breaks the rules; `violations` says where and how."""

    def __init__(self, violations: list[Violation]):
        self.violations = violations
        first = violations[0]
        super().__init__(f"transfer {first.index}: {first.code} {first.detail}")


def distance_km(problem: Problem, f: int, g: int) -> float:
    """The distance the solver uses between two facilities (given, else haversine × factor)."""
    given = problem.distances.get((f, g))
    if given is not None:
        return given
    a, b = problem.facilities[f], problem.facilities[g]
    return float(haversine_km(a.lat, a.lon, b.lat, b.lon)) * problem.policy.road_factor


def evaluate(problem: dict, transfers: list[dict]) -> dict:
    """The plan of these transfers, checked and costed like a solver's plan.

    :raises ProblemError: the problem itself is malformed.
    :raises PlanError: a transfer breaks a rule of the plan.
    """
    parsed = parse(problem)
    position = {f.id: n for n, f in enumerate(parsed.facilities)}
    item_position = {i.id: n for n, i in enumerate(parsed.items)}
    violations: list[Violation] = []
    sent: dict[tuple[int, int], int] = defaultdict(int)
    by_item: dict[int, list[tuple[int, int, int, float]]] = defaultdict(list)
    for n, transfer in enumerate(transfers):
        f, g = position.get(transfer.get("from")), position.get(transfer.get("to"))
        i = item_position.get(transfer.get("item"))
        qty = transfer.get("qty")
        if f is None or g is None:
            violations.append(Violation(n, "unknown_facility", {}))
            continue
        if i is None:
            violations.append(Violation(n, "unknown_item", {}))
            continue
        if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
            violations.append(Violation(n, "quantity", {"qty": qty}))
            continue
        if f == g:
            violations.append(Violation(n, "same_facility", {}))
            continue
        tails, heads = np.array([f]), np.array([g])
        ff, _gg, km = allowed_links(parsed, tails, heads)
        if len(ff) == 0:
            km_fg = distance_km(parsed, f, g)
            limit = parsed.policy.max_distance_km
            if limit is not None and km_fg > limit:
                violations.append(Violation(n, "distance", {"km": km_fg, "limit": limit}))
            else:
                violations.append(Violation(n, "hierarchy", {}))
            continue
        sent[(f, i)] += qty
        by_item[i].append((f, g, qty, float(km[0])))
    for (f, i), total in sorted(sent.items()):
        allowed = parsed.surplus(f, i)
        if total > allowed:
            violations.append(
                Violation(
                    None,
                    "floor",
                    {
                        "facility": parsed.facilities[f].id,
                        "item": parsed.items[i].id,
                        "sent": total,
                        "surplus": allowed,
                    },
                )
            )
    if violations:
        raise PlanError(violations)
    flows = {}
    for i, rows in by_item.items():
        # one row per (from, to): the dispatcher may split a line, the plan sums it
        merged: dict[tuple[int, int], list] = {}
        for f, g, qty, km in rows:
            merged.setdefault((f, g), [0, km])[0] += qty
        keys = sorted(merged)
        flows[i] = ItemFlows(
            senders=np.array([k[0] for k in keys], dtype=np.int64),
            receivers=np.array([k[1] for k in keys], dtype=np.int64),
            quantities=np.array([merged[k][0] for k in keys], dtype=np.int64),
            km=np.array([merged[k][1] for k in keys], dtype=np.float64),
        )
    plan = assemble(parsed, flows, 0.0)
    plan["status"] = "checked"
    return plan
