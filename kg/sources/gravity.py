"""The gravity network in the build: LINKED_TO mode ``gravity``, ``derived: true``.

Populations are the graph's ``resident_population`` statistics (万人) of prefecture-level
units (``City`` nodes), the year that covers the most cities (the later one on a tie); coordinates are the
nodes' ``lon``/``lat``. The model is ``kg.analysis.gravity`` (P_i·P_j/d_ij², each city's
10 strongest partners, each pair once with origin < destination by adcode). With no
population statistics in the graph there are no gravity flows, and the build report says so.

>>> from kg.model.graph import new_graph, add_node
>>> g = new_graph()
>>> for code, lon, lat in [("110000", 116.4, 39.9), ("120000", 117.2, 39.1), ("310000", 121.5, 31.2)]:
...     add_node(g, code, ["Place", "Province", "City"], adcode=code, name=code, lon=lon, lat=lat)
>>> add_gravity(g)
0
>>> for code, value in [("110000", 2189.3), ("120000", 1386.6), ("310000", 2487.1)]:
...     _ = add_statistic(g, code, "resident_population", 2020, value, "万人", "census")
>>> add_gravity(g), sorted((u, v) for u, v, d in g.edges(data=True) if d.get("mode") == "gravity")
(3, [('110000', '120000'), ('110000', '310000'), ('120000', '310000')])
"""
from __future__ import annotations

from collections import Counter, defaultdict

from kg.analysis.gravity import BETA, gravity_pairs
from kg.model import schema
from kg.model.graph import add_rel
from kg.model.statistics import add_statistic, statistics_table  # noqa: F401 (doctest)

INDICATOR = "resident_population"
TOP_K = 10
UNIT = "population_product_per_km2"  # 万人 × 万人 / km²


def population_statistics(g) -> tuple[int | None, dict[str, float], dict[str, str]]:
    """(year, {city adcode: 万人}, {city adcode: source_id}) for the year covering most cities."""
    by_year: dict[int, dict[str, tuple[float, str]]] = defaultdict(dict)
    for row in statistics_table(g):
        code = row.get("adcode")
        if (row.get("indicator") == INDICATOR and code in g
                and schema.is_city(g.nodes[code])):
            by_year[int(row["year"])][code] = (float(row["value"]), row.get("source_id"))
    if not by_year:
        return None, {}, {}
    year = max(by_year, key=lambda y: (len(by_year[y]), y))
    return (year, {c: v for c, (v, _) in by_year[year].items()},
            {c: s for c, (_, s) in by_year[year].items()})


def add_gravity(g, k: int = TOP_K) -> int:
    """Add the gravity LINKED_TO relationships; returns how many (0 without populations)."""
    year, pops, sources = population_statistics(g)
    if not pops:
        return 0
    coords = {c: (g.nodes[c]["lon"], g.nodes[c]["lat"]) for c in pops
              if g.nodes[c].get("lon") is not None}
    n = 0
    for i, j, value, km in gravity_pairs(pops, coords, k=k):
        # one source per pair: the population table's (the same for both ends, as a rule)
        source = Counter([sources[i], sources[j]]).most_common(1)[0][0]
        add_rel(g, i, j, schema.LINKED_TO, mode="gravity", weight=value, weight_unit=UNIT,
                year=year, period=f"{INDICATOR} {year}", source_id=source, derived=True,
                distance_km=round(km, 3), method=f"P_i*P_j/d_ij^{BETA:g}, top {k} partners per city")
        n += 1
    return n
