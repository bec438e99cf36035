"""The rules of rebalance-spec.md that the solver, its checker and the app must agree on.

One tolerance for every comparison of float stock levels (days × need is rarely a whole
number of units in binary floating point), and the donor-surplus rule written once.
"""

import numpy as np

# how far a float level may sit from a whole number and still count as it
TOLERANCE = 1e-9


def donor_surplus(on_hand, daily_need, floor_days):
    """The whole units a facility may give of an item without going below its floor.

    Its stock above `floor_days` × `daily_need`, before any plan, rounded down (a level within
    TOLERANCE of a whole number counts as that number), never negative. Takes numbers or
    numpy arrays alike and returns int64 of the same shape.
    """
    above = np.asarray(on_hand, dtype=np.float64) - np.asarray(floor_days) * daily_need
    return np.maximum(0, np.floor(above + TOLERANCE)).astype(np.int64)
