"""Distances and allowed links between facilities (rebalance-spec.md, "Rules of a plan" 1)."""

import numpy as np

from optimizer.problem import Problem

EARTH_RADIUS_KM = 6371.0088
BLOCK = 512  # rows of the pair matrix computed at once, to bound memory


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km (broadcasting numpy arrays, degrees in)."""
    lat1, lon1, lat2, lon2 = (np.radians(a) for a in (lat1, lon1, lat2, lon2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def allowed_links(
    problem: Problem, tails: np.ndarray, heads: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every allowed (f, g, km) with f in `tails` and g in `heads` (facility indices).

    A link needs f != g, distance within max_distance_km and, under the hierarchy policy,
    a parent-child or sibling relation. A given distance is used as it is; a missing one is
    the great-circle distance times road_factor.
    """
    policy = problem.policy
    facilities = problem.facilities
    lat = np.array([f.lat for f in facilities], dtype=np.float64)
    lon = np.array([f.lon for f in facilities], dtype=np.float64)
    position = {f.id: n for n, f in enumerate(facilities)}
    parent = np.array(
        [position.get(f.parent, -1) if f.parent is not None else -1 for f in facilities]
    )
    limit = np.inf if policy.max_distance_km is None else policy.max_distance_km
    n_fac = len(facilities)

    def linkable(f: np.ndarray, g: np.ndarray) -> np.ndarray:
        ok = f != g
        if policy.links == "hierarchy":
            ok &= (
                (parent[g] == f) | (parent[f] == g) | ((parent[f] == parent[g]) & (parent[f] >= 0))
            )
        return ok

    out_f, out_g, out_km = [], [], []
    heads = np.asarray(heads, dtype=np.int64)
    tails = np.asarray(tails, dtype=np.int64)
    for start in range(0, len(tails), BLOCK):
        f = tails[start : start + BLOCK][:, None]
        g = heads[None, :]
        km = haversine_km(lat[f], lon[f], lat[g], lon[g]) * policy.road_factor
        rows, cols = np.nonzero(linkable(f, g) & (km <= limit))
        out_f.append(f[rows, 0])
        out_g.append(heads[cols])
        out_km.append(km[rows, cols])
    ff = np.concatenate(out_f) if out_f else np.zeros(0, dtype=np.int64)
    gg = np.concatenate(out_g) if out_g else np.zeros(0, dtype=np.int64)
    km = np.concatenate(out_km) if out_km else np.zeros(0)
    if problem.distances:
        # a given distance replaces the great-circle one, whichever side of the limit it is
        pairs = np.array(list(problem.distances), dtype=np.int64).reshape(-1, 2)
        values = np.array(list(problem.distances.values()), dtype=np.float64)
        keep = np.isin(pairs[:, 0], tails) & np.isin(pairs[:, 1], heads)
        keep &= linkable(pairs[:, 0], pairs[:, 1]) & (values <= limit)
        given_keys = pairs[:, 0] * n_fac + pairs[:, 1]
        computed = ~np.isin(ff * n_fac + gg, given_keys)
        ff = np.concatenate([ff[computed], pairs[keep, 0]])
        gg = np.concatenate([gg[computed], pairs[keep, 1]])
        km = np.concatenate([km[computed], values[keep]])
    return ff, gg, km
