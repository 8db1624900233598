"""City-network measures from the literature, over directed weighted networkx graphs.

Pure functions; ``weight`` names the edge attribute (flows: passengers, trains, firm
links). They take any ``nx.DiGraph`` (the ``LINKED_TO`` air/rail/firm networks once
loaded, or hand-made graphs):

- ``control_connectivity``: out- vs in-strength — command over others (headquarters
  sending links, Alderson & Beckfield 2004 "power") against being reached ("prestige");
  ``control = out / (out + in)``;
- ``bonacich_power``: Bonacich's (1987) ``c(β) = α (I − βA)⁻¹ A 1``, scaled so that
  ``Σ c² = n``; ``β < 0`` rewards ties to *weak* partners (bargaining power), ``β > 0``
  to strong ones; ``|β|`` must stay below ``1/λ_max``;
- ``disparity_backbone``: the disparity filter (Serrano, Boguñá & Vespignani 2009): an
  edge stays when, for its source's out-flows or its target's in-flows, its share
  ``p`` is unlikely under a uniform split, ``α = (1 − p)^(k − 1) < alpha``;
- ``dominant_flows``: Nystuen & Dacey (1961): each city's largest out-flow is *dominant*
  when it goes to a larger city (size: total in-flow by default); cities without a
  dominant flow are the centres; ``centre_of`` follows the chain;
- ``qap``: correlation of two city × city matrices with the Quadratic Assignment
  Procedure (Krackhardt 1988): the same permutation of rows and columns of one
  matrix, seeded.

>>> g = nx.DiGraph()
>>> g.add_weighted_edges_from([("a", "b", 10), ("c", "b", 8), ("b", "a", 3), ("d", "c", 2)])
>>> control_connectivity(g).loc["b", ["out_strength", "in_strength"]].tolist()
[3.0, 18.0]
>>> flows = dominant_flows(g)
>>> sorted(flows.edges()), centre_of(flows, "d")
([('a', 'b'), ('c', 'b'), ('d', 'c')], 'b')
"""
from __future__ import annotations

import random

import networkx as nx
import numpy as np
import pandas as pd

__all__ = ["control_connectivity", "bonacich_power", "disparity_backbone", "dominant_flows",
           "centre_of", "qap"]


def _matrix(g: nx.DiGraph, weight: str, nodes=None) -> tuple[list, np.ndarray]:
    nodes = sorted(g) if nodes is None else list(nodes)
    return nodes, nx.to_numpy_array(g, nodelist=nodes, weight=weight, multigraph_weight=sum)


def control_connectivity(g: nx.DiGraph, weight: str = "weight") -> pd.DataFrame:
    """Out/in degree and strength, ``control`` share and ``net`` (out − in) per node."""
    nodes, a = _matrix(g, weight)
    out_s, in_s = a.sum(axis=1), a.sum(axis=0)
    with np.errstate(invalid="ignore"):
        control = np.where(out_s + in_s > 0, out_s / (out_s + in_s), np.nan)
    return pd.DataFrame({"out_degree": (a > 0).sum(axis=1), "in_degree": (a > 0).sum(axis=0),
                         "out_strength": out_s, "in_strength": in_s, "control": control,
                         "net": out_s - in_s}, index=pd.Index(nodes, name="node"))


def bonacich_power(g: nx.DiGraph, beta: float, weight: str = "weight") -> pd.Series:
    """Bonacich power/centrality ``c(β)`` (out-ties: what a node's partners can reach)."""
    nodes, a = _matrix(g, weight)
    lam = max(abs(np.linalg.eigvals(a))) if len(a) else 0.0
    if lam and abs(beta) >= 1 / lam:
        raise ValueError(f"|beta| must be below 1/lambda_max = {1 / lam:.4g}, not {beta}")
    c = np.linalg.solve(np.eye(len(a)) - beta * a, a @ np.ones(len(a)))
    norm = np.sqrt((c ** 2).sum())
    c = c * np.sqrt(len(a)) / norm if norm else c
    return pd.Series(c, index=nodes, name=f"bonacich_{beta:g}")


def disparity_backbone(g: nx.DiGraph, alpha: float = 0.05, weight: str = "weight") -> nx.DiGraph:
    """Edges significant for their source's out-flows or target's in-flows; ``alpha``
    (the smaller of the two p-values) is kept on each edge."""
    out_s = dict(g.out_degree(weight=weight))
    in_s = dict(g.in_degree(weight=weight))
    out_k, in_k = dict(g.out_degree()), dict(g.in_degree())
    b = nx.DiGraph()
    b.add_nodes_from(g.nodes(data=True))
    for u, v, d in g.edges(data=True):
        w = float(d.get(weight, 1.0))
        p_out = (1 - w / out_s[u]) ** (out_k[u] - 1) if out_k[u] > 1 else 1.0
        p_in = (1 - w / in_s[v]) ** (in_k[v] - 1) if in_k[v] > 1 else 1.0
        p = min(p_out, p_in)
        if p < alpha:
            b.add_edge(u, v, **{**d, "alpha": p})
    return b


def dominant_flows(g: nx.DiGraph, weight: str = "weight", size: dict | None = None) -> nx.DiGraph:
    """The Nystuen–Dacey nodal structure: one edge per city, its largest out-flow, kept
    when the target is larger (``size``, default: total in-flow). Ties: smaller key."""
    size = dict(g.in_degree(weight=weight)) if size is None else size
    flows = nx.DiGraph()
    flows.add_nodes_from(g)
    for u in g:
        out = [(float(d.get(weight, 1.0)), v) for _, v, d in g.out_edges(u, data=True) if v != u]
        if not out:
            continue
        w, v = min(out, key=lambda t: (-t[0], str(t[1])))
        if size.get(v, 0) > size.get(u, 0):
            flows.add_edge(u, v, **{weight: w})
    return flows


def centre_of(flows: nx.DiGraph, node) -> object:
    """The centre a node's chain of dominant flows ends at (itself if independent)."""
    seen = {node}
    while flows.out_degree(node):
        node = next(iter(flows.successors(node)))
        if node in seen:
            break
        seen.add(node)
    return node


def qap(g1: nx.DiGraph, g2: nx.DiGraph, nodes=None, weight: str = "weight",
        permutations: int = 999, seed: int = 0) -> dict:
    """Pearson correlation of the off-diagonal cells of two city × city matrices over
    ``nodes`` (default: nodes of both) and its QAP p-value (two-sided)."""
    nodes = sorted(set(g1) & set(g2)) if nodes is None else list(nodes)
    if len(nodes) < 3:
        raise ValueError(f"QAP needs at least 3 common nodes, not {len(nodes)}")
    _, a = _matrix(g1, weight, nodes)
    _, b = _matrix(g2, weight, nodes)
    off = ~np.eye(len(nodes), dtype=bool)
    if a[off].std() == 0 or b[off].std() == 0:
        raise ValueError("a network with equal weight on every pair has no correlation")
    r = float(np.corrcoef(a[off], b[off])[0, 1])
    rng = random.Random(seed)
    order = list(range(len(nodes)))
    hits = 0
    for _ in range(permutations):
        rng.shuffle(order)
        p = b[np.ix_(order, order)]
        hits += abs(np.corrcoef(a[off], p[off])[0, 1]) >= abs(r) - 1e-12
    return {"r": r, "p": (1 + hits) / (1 + permutations), "n": len(nodes),
            "permutations": permutations, "seed": seed}
