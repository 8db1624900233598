"""Centrality table of a network and the hubs it names.

``centrality_table(h)`` returns one row per node: degree and strength (in/out on a
directed network), betweenness and closeness on weighted networks measured along
``distance`` = 1/weight (betweenness on its integer form ``length``, so that equal paths
tie exactly in every engine, see ``networks.edge_length``), eigenvector
centrality, PageRank (in = on the network, out = on the reversed network, for directed
ones), the connected component, and a composite hub score: the mean of the node's
percentile ranks in strength, betweenness, closeness, eigenvector and PageRank.
``hub_rank`` orders by that score (ties broken by node key, so the order is stable).

Conventions that matter on disconnected networks (every adjacency network is: islands,
units without polygons):

- betweenness and closeness are networkx's (closeness scaled by the share of the
  network a node reaches, ``wf_improved``), computed on the whole network;
- eigenvector centrality is computed per connected component (on a disconnected graph
  the leading eigenvector is not unique) with networkx's unit-length convention, then
  scaled by the component's share of nodes, so a two-node island does not outrank the
  mainland; isolated nodes get 0. A directed network uses its undirected version.

``engine="fast"`` computes with igraph via ``kg.analysis.fast`` (equal to networkx within
1e-9, checked by the tests); ``engine="networkx"`` uses networkx itself.

>>> import networkx as nx
>>> star = nx.star_graph(3)   # 0 is the centre
>>> t = centrality_table(star)
>>> t.loc[0, ["degree", "betweenness", "hub_rank"]].tolist()
[3.0, 1.0, 1.0]
"""
from __future__ import annotations

from collections import Counter

import networkx as nx
import numpy as np
import pandas as pd

from kg.analysis import fast
from kg.analysis.networks import edge_length

MEASURES = ("strength", "betweenness", "closeness", "eigenvector", "pagerank")
PAGERANK_TOL = 1e-13  # networkx's default 1e-6 leaves errors near 1e-5; see fast.py


def _components(h: nx.Graph) -> list[set]:
    u = h.to_undirected(as_view=True) if h.is_directed() else h
    return sorted(nx.connected_components(u), key=lambda c: (-len(c), min(map(str, c))))


def undirected_sum(h: nx.Graph, weight: str | None = "weight") -> nx.Graph:
    """``h`` without directions; a reciprocated pair becomes one tie of summed weight."""
    if not h.is_directed():
        return h
    u = nx.Graph()
    u.add_nodes_from(h)
    for a, b, d in h.edges(data=True):
        w = d.get(weight, 1.0) if weight else 1.0
        if u.has_edge(a, b):
            u.edges[a, b]["weight"] += w
        else:
            u.add_edge(a, b, weight=w)
    return u


def eigenvector_by_component(h: nx.Graph, weight: str | None = "weight") -> dict:
    """Eigenvector centrality per connected component with networkx (the reference for
    ``fast.eigenvector_by_component``): unit length in each component, times the
    component's share of nodes; isolated nodes 0; directed networks as undirected."""
    u = undirected_sum(h, weight)
    w = "weight" if weight else None
    n = len(u)
    out = {}
    for comp in _components(u):
        if len(comp) == 1:
            out.update(dict.fromkeys(comp, 0.0))
            continue
        sub = u.subgraph(comp)
        # ARPACK (exact) where it applies; power iteration to 1e-14 on 2-node components
        values = (nx.eigenvector_centrality_numpy(sub, weight=w) if len(comp) > 2 else
                  nx.eigenvector_centrality(sub, weight=w, max_iter=100000, tol=1e-14))
        out.update({k: v * len(comp) / n for k, v in values.items()})
    return out


def with_lengths(h: nx.Graph) -> nx.Graph:
    """``h``, or a copy of it whose edges all carry ``length`` (see ``networks.edge_length``)."""
    if all("length" in d for *_, d in h.edges(data=True)):
        return h
    h = h.copy()
    for *_, d in h.edges(data=True):
        d["length"] = edge_length(d.get("distance", 1.0))
    return h


def measures(h: nx.Graph, engine: str = "fast", weighted: bool | None = None) -> pd.DataFrame:
    """The raw measures of every node of ``h`` (no ranks)."""
    if engine not in ("fast", "networkx"):
        raise ValueError(f"unknown engine {engine!r} (fast or networkx)")
    if weighted is None:
        weighted = any(d.get("weight", 1.0) != 1.0 for *_, d in h.edges(data=True))
    weight = "weight" if weighted else None
    if weighted:
        h = with_lengths(h)
    length = "length" if weighted else None
    distance = "distance" if weighted else None
    directed = h.is_directed()
    cols: dict[str, object] = {}
    if directed:
        cols["in_degree"] = dict(h.in_degree())
        cols["out_degree"] = dict(h.out_degree())
        cols["in_strength"] = dict(h.in_degree(weight="weight"))
        cols["out_strength"] = dict(h.out_degree(weight="weight"))
    else:
        cols["degree"] = dict(h.degree())
        cols["strength"] = dict(h.degree(weight="weight"))
    if engine == "fast":
        c = fast.convert(h, tuple(a for a in (weight, distance, length) if a))
        cols["betweenness"] = fast.betweenness_centrality(h, weight=length, _c=c)
        cols["closeness"] = fast.closeness_centrality(h, distance=distance, _c=c)
        cols["eigenvector"] = fast.eigenvector_by_component(h, weight=weight, _c=c)
        cols["pagerank"] = fast.pagerank(h, weight=weight, _c=c)
        if directed:
            cols["pagerank_out"] = fast.pagerank(h.reverse(copy=False), weight=weight)
    else:
        cols["betweenness"] = nx.betweenness_centrality(h, weight=length)
        cols["closeness"] = nx.closeness_centrality(h, distance=distance)
        cols["eigenvector"] = eigenvector_by_component(h, weight)
        cols["pagerank"] = (nx.pagerank(h, weight=weight, tol=PAGERANK_TOL, max_iter=100000)
                            if len(h) else {})
        if directed:
            cols["pagerank_out"] = nx.pagerank(h.reverse(copy=False), weight=weight,
                                               tol=PAGERANK_TOL, max_iter=100000)
    nodes = list(h)
    df = pd.DataFrame({k: [v.get(n, 0.0) for n in nodes] for k, v in cols.items()},
                      index=pd.Index(nodes, name="node"), dtype=float)
    if directed:
        df["degree"] = df["in_degree"] + df["out_degree"]
        df["strength"] = df["in_strength"] + df["out_strength"]
        df = df.rename(columns={"pagerank": "pagerank_in"})
        df["pagerank"] = (df["pagerank_in"] + df["pagerank_out"]) / 2
    comp_of = {n: i for i, comp in enumerate(_components(h)) for n in comp}
    df["component"] = [comp_of[n] for n in nodes]
    return df


def tied_pct_rank(values: pd.Series, rtol: float = 1e-9) -> pd.Series:
    """Percentile rank (ties averaged) where values within ``rtol`` of the largest count as
    tied, so that rounding noise (1e-17) between engines cannot reorder equal scores."""
    order = values.sort_values(kind="mergesort")
    x = order.to_numpy(dtype=float)
    scale = max(float(np.nanmax(np.abs(x))), 1e-300) if len(x) else 1.0
    group = np.concatenate([[0], np.cumsum(np.diff(x) > rtol * scale)]) if len(x) else x
    ranks = pd.Series(np.arange(1, len(x) + 1, dtype=float), index=order.index)
    averaged = ranks.groupby(group).transform("mean").to_numpy()
    return pd.Series(averaged / len(x), index=order.index).reindex(values.index)


def add_hub_rank(df: pd.DataFrame, cols=MEASURES) -> pd.DataFrame:
    """Composite hub score (mean percentile rank over ``cols``) and its 1-based rank."""
    df = df.copy()
    df["hub_score"] = pd.concat([tied_pct_rank(df[c]) for c in cols], axis=1).mean(axis=1)
    order = df.assign(_key=df.index.astype(str)).sort_values(["hub_score", "_key"],
                                                            ascending=[False, True])
    df["hub_rank"] = pd.Series(np.arange(1, len(df) + 1, dtype=float), index=order.index)
    return df


def centrality_table(h: nx.Graph, engine: str = "fast", weighted: bool | None = None) -> pd.DataFrame:
    """Every measure, the composite hub score/rank, names and coordinates; sorted by rank."""
    df = add_hub_rank(measures(h, engine, weighted))
    for attr in ("name", "level", "province", "lon", "lat"):
        df[attr] = [h.nodes[n].get(attr) for n in df.index]
    df["carried_by"] = pd.Series(explain_all(h), dtype=object)
    return df.sort_values("hub_rank")


def carriers(h: nx.Graph) -> dict:
    """``{node: Counter(relation -> share of its strength carried)}`` from edge ``relations``."""
    out = {n: Counter() for n in h}
    for u, v, d in h.edges(data=True):
        for what, amount in d.get("relations", {}).items():
            out[u][what] += amount
            out[v][what] += amount
    return out


def explain_all(h: nx.Graph, top: int = 3) -> dict:
    """``{node: 'ADJACENT_TO 100% (7 ties)'}``: which relations carry each node."""
    names = h.graph.get("names", {})
    degree = dict(h.degree())
    out = {}
    for node, total in carriers(h).items():
        weight = sum(total.values())
        if not weight:
            out[node] = "no ties"
            continue
        # largest share first; equal shares by name, so the text never depends on edge order
        ranked = sorted(total.items(), key=lambda x: (-round(x[1], 9), str(x[0])))[:top]
        parts = [f"{names.get(what, what)} {amount / weight:.0%}" for what, amount in ranked]
        out[node] = f"{', '.join(parts)} ({degree[node]} ties)"
    return out


def top_hubs(df: pd.DataFrame, k: int = 10) -> pd.DataFrame:
    """The ``k`` best-ranked nodes with the columns a reader needs."""
    cols = [c for c in ("name", "hub_rank", "hub_score", "degree", "strength", "betweenness",
                        "closeness", "eigenvector", "pagerank", "pagerank_in", "pagerank_out",
                        "carried_by") if c in df.columns]
    return df.sort_values("hub_rank").head(k)[cols]
