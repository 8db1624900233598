"""The gravity model of interaction between cities: ``G_ij = P_i · P_j / d_ij^β`` (β = 2).

A modelled (``derived``) network, never an observation: it says how strongly two cities
*would* interact if interaction grew with their populations and fell with the square of
the distance between them. It is the usual baseline against which observed flows (air,
rail, migration, firm links) are read.

* ``P``: resident population (万人); ``d``: great-circle distance between the cities'
  coordinates in km (haversine, Earth radius 6371.0088 km); β = 2 by default;
* ``G`` is symmetric; ``gravity_pairs`` keeps, for every city, its ``k`` strongest
  partners (the union over cities, each unordered pair once, ``i < j``), so that the
  network stays sparse like an observed one; ``k=None`` keeps every pair.

Pure functions: no I/O, no graph.

>>> pops = {"a": 100.0, "b": 50.0, "c": 10.0}
>>> coords = {"a": (0.0, 0.0), "b": (1.0, 0.0), "c": (0.0, 2.0)}
>>> round(haversine_km(0.0, 0.0, 1.0, 0.0), 3)      # one degree of longitude at the equator
111.195
>>> [(i, j, round(g, 4)) for i, j, g, _ in gravity_pairs(pops, coords, k=None)]
[('a', 'b', 0.4044), ('a', 'c', 0.0202), ('b', 'c', 0.0081)]
>>> [(i, j) for i, j, _, _ in gravity_pairs(pops, coords, k=1)]   # a's and b's best is a–b, c's a–c
[('a', 'b'), ('a', 'c')]
"""
from __future__ import annotations

import math
from typing import Mapping

EARTH_RADIUS_KM = 6371.0088
BETA = 2.0


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in km between two (lon, lat) points in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def gravity_pairs(populations: Mapping[str, float], coords: Mapping[str, tuple[float, float]],
                  k: int | None = 10, beta: float = BETA, min_km: float = 1.0
                  ) -> list[tuple[str, str, float, float]]:
    """``[(i, j, G_ij, d_ij_km)]`` with ``i < j``, sorted by (i, j).

    Only cities with both a population (> 0) and coordinates take part. Distances below
    ``min_km`` are raised to it (two cities never share a point, but bad coordinates
    must not divide by zero)."""
    cities = sorted(c for c in populations if populations[c] and populations[c] > 0 and c in coords)
    values: dict[tuple[str, str], tuple[float, float]] = {}
    for a, i in enumerate(cities):
        for j in cities[a + 1:]:
            d = max(min_km, haversine_km(*coords[i], *coords[j]))
            values[(i, j)] = (populations[i] * populations[j] / d ** beta, d)
    if k is None:
        keep = set(values)
    else:
        partners: dict[str, list[tuple[float, str, tuple[str, str]]]] = {c: [] for c in cities}
        for pair, (g, _) in values.items():
            partners[pair[0]].append((-g, pair[1], pair))
            partners[pair[1]].append((-g, pair[0], pair))
        keep = {pair for c in cities for _, _, pair in sorted(partners[c])[:k]}
    return [(i, j, *values[(i, j)]) for i, j in sorted(keep)]
