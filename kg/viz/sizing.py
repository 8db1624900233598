"""Node sizes from a centrality, computed on the view's own network.

The view is read as a simple undirected graph (parallel relationships and
directions collapsed), which is what "how central is this node in what I see"
means. Betweenness and closeness, which need a shortest-path search from every
node, run in rustworkx (same definitions as networkx, multithreaded) so the
national view takes a second, not a minute; eigenvector centrality uses power
iteration, which also works on a graph in several pieces.

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
    if measure in ("betweenness", "closeness"):
        return _rustworkx(h, measure)
    return nx.eigenvector_centrality(h, max_iter=1000, tol=1e-8)


def _rustworkx(h: nx.Graph, measure: str) -> dict[str, float]:
    import rustworkx as rx

    r = rx.PyGraph()
    index = {n: r.add_node(n) for n in h}
    r.add_edges_from_no_data([(index[u], index[v]) for u, v in h.edges()])
    if measure == "betweenness":
        scores = rx.betweenness_centrality(r, normalized=True)
    else:
        scores = rx.closeness_centrality(r, wf_improved=True)
    return {n: float(scores[i]) for n, i in index.items()}


def node_sizes(scores: dict[str, float]) -> dict[str, float]:
    """Scores scaled linearly to MIN_SIZE..MAX_SIZE px (the top node gets MAX_SIZE)."""
    if not scores:
        return {}
    top = max(scores.values())
    if top <= 0:
        return {n: MIN_SIZE for n in scores}
    return {n: MIN_SIZE + (MAX_SIZE - MIN_SIZE) * max(s, 0.0) / top for n, s in scores.items()}
