"""The rebalance optimizer: provably optimal dispatch orders (rebalance-spec.md).

A pure package: it imports neither Flask nor the database. `solve(problem) -> plan` takes and
returns the JSON shapes of the spec; `python -m optimizer solve PROBLEM.json` is its CLI.
"""

import multiprocessing
import os
import time

import numpy as np

from optimizer.geo import allowed_links
from optimizer.network import solve_item
from optimizer.plan import assemble
from optimizer.problem import ProblemError, parse
from optimizer.rules import donor_surplus

__all__ = ["ProblemError", "default_workers", "solve"]


# the problem shared with forked workers (read-only, inherited rather than pickled)
_shared: tuple | None = None


def _solve_shared(item: int):
    parsed, links = _shared
    return item, solve_item(parsed, item, links)


def solve(problem: dict, *, workers: int = 1) -> dict:
    """The lexicographically optimal plan (least shortage, then least transport).

    Items are independent: with `workers` > 1 they are solved in that many forked processes.
    Use it from single-threaded callers (the CLI, batch jobs), not from a threaded server.

    :raises ProblemError: the input breaks the contract; the message is one line.
    """
    started = time.perf_counter()
    parsed = parse(problem)
    # links are computed once for the whole problem: from facilities that can give any item
    # to facilities that need or can give any item
    fac = np.array([f for f, _i in parsed.stock], dtype=np.int64)
    on_hand = np.array([v[0] for v in parsed.stock.values()], dtype=np.float64)
    need = np.array([v[1] for v in parsed.stock.values()], dtype=np.float64)
    floor = np.array([parsed.floor_days(int(f)) for f in fac], dtype=np.float64)
    gives = donor_surplus(on_hand, need, floor) > 0
    short = (need > 0) & (on_hand < parsed.policy.target_days * need)
    tails = np.unique(fac[gives])
    heads = np.unique(fac[gives | short])
    links = allowed_links(parsed, tails, heads)
    items = range(len(parsed.items))
    if workers > 1 and len(parsed.items) > 1 and "fork" in multiprocessing.get_all_start_methods():
        global _shared
        _shared = (parsed, links)
        try:
            context = multiprocessing.get_context("fork")
            with context.Pool(min(workers, len(parsed.items))) as pool:
                flows = dict(pool.imap_unordered(_solve_shared, items))
        finally:
            _shared = None
    else:
        flows = {i: solve_item(parsed, i, links) for i in items}
    return assemble(parsed, flows, time.perf_counter() - started)


def default_workers() -> int:
    """Processes worth using on this machine for a large problem."""
    return max(1, min(4, os.cpu_count() or 1))
