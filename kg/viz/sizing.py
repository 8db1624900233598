"""Node sizes from a centrality, computed on the view's own network.

The view is read as a simple undirected graph (parallel relationships and
directions collapsed), which is what "how central is this node in what I see"
means. Betweenness on thousands of nodes is sampled (k=300, fixed seed) so a
national view stays quick; every other measure is exact.

>>> import networkx as nx
>>> g = nx.MultiDiGraph([("a", "b"), ("a", "c"), ("a", "d")])
>>> scores = centrality(g, "degree")
>>> scores["a"], scores["b"]
(1.0, 0.3333333333333333)
>>> sizes = node_sizes(scores)
>>> sizes["a"] > sizes["b"]
True
"""
from __future__ import annotations

import networkx as nx

MEASURES = ("degree", "pagerank", "betweenness", "closeness", "eigenvector")
MIN_SIZE, MAX_SIZE = 5.0, 28.0


def centrality(g: nx.MultiDiGraph, measure: str) -> dict[str, float]:
    """Scores of every node of ``g`` under ``measure`` (one of MEASURES)."""
    if measure not in MEASURES:
        raise ValueError(f"unknown centrality {measure!r}; choose one of {', '.join(MEASURES)}")
    h = nx.Graph(g.to_undirected(as_view=True))
    if measure == "degree":
        return nx.degree_centrality(h)
    if measure == "pagerank":
        return nx.pagerank(h)
    if measure == "betweenness":
        k = 300 if len(h) > 1500 else None
        return nx.betweenness_centrality(h, k=k, seed=7)
    if measure == "closeness":
        return nx.closeness_centrality(h)
    return nx.eigenvector_centrality_numpy(h) if len(h) > 2 else {n: 1.0 for n in h}


def node_sizes(scores: dict[str, float]) -> dict[str, float]:
    """Scores scaled linearly to MIN_SIZE..MAX_SIZE px (the top node gets MAX_SIZE)."""
    if not scores:
        return {}
    top = max(scores.values())
    if top <= 0:
        return {n: MIN_SIZE for n in scores}
    return {n: MIN_SIZE + (MAX_SIZE - MIN_SIZE) * max(s, 0.0) / top for n, s in scores.items()}
