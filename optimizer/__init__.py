"""The rebalance optimizer: provably optimal dispatch orders (rebalance-spec.md).

A pure package: it imports neither Flask nor the database. `solve(problem) -> plan` takes and
returns the JSON shapes of the spec; `python -m optimizer solve PROBLEM.json` is its CLI.
"""

import time

import numpy as np

from optimizer.geo import allowed_links
from optimizer.network import solve_item
from optimizer.plan import assemble
from optimizer.problem import ProblemError, parse

__all__ = ["ProblemError", "solve"]


def solve(problem: dict) -> dict:
    """The lexicographically optimal plan (least shortage, then least transport).

    :raises ProblemError: the input breaks the contract; the message is one line.
    """
    started = time.perf_counter()
    parsed = parse(problem)
    # links are computed once for the whole problem: from facilities that can give any item
    # to facilities that need or can give any item
    senders, nodes = set(), set()
    target = parsed.policy.target_days
    for (f, _i), (on_hand, need) in parsed.stock.items():
        if on_hand - parsed.floor_days(f) * need >= 1 - 1e-9:
            senders.add(f)
            nodes.add(f)
        if need > 0 and on_hand < target * need:
            nodes.add(f)
    tails = np.array(sorted(senders), dtype=np.int64)
    heads = np.array(sorted(nodes), dtype=np.int64)
    links = allowed_links(parsed, tails, heads)
    flows = {i: solve_item(parsed, i, links) for i in range(len(parsed.items))}
    return assemble(parsed, flows, time.perf_counter() - started)
