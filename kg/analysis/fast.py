"""The fast engine: networkx-shaped centrality functions computed by igraph.

Each function takes a networkx ``Graph``/``DiGraph`` and returns what the networkx
function of the same name returns (a dict ``node -> score``), equal to networkx's
result within 1e-9. igraph's C code does the work; the conversions below restate
networkx's conventions, which differ from igraph's in four places:

* betweenness: igraph counts each unordered pair once and does not normalise;
  networkx's ``normalized=True`` divides by ``(n-1)(n-2)`` for directed graphs and by
  ``(n-1)(n-2)/2`` for undirected ones (n = all nodes, also in a disconnected graph).
  With weights (distances) igraph treats path lengths within a relative 1e-10 as tied
  while networkx ties only exactly equal floats; the two agree whenever every distance
  is an integer, so weighted betweenness with non-integer distances is left to
  networkx itself (``engine_for_distances`` decides, and says so).
* closeness: networkx uses distances *to* the node (in-edges) on a directed graph,
  and with ``wf_improved`` scales by the share of the graph the node reaches,
  ``(r-1)/(n-1)``; igraph gives ``(r-1)/sum(d)`` only.
* eigenvector: networkx returns a unit-length (L2) vector, igraph one whose maximum
  is 1. Both follow in-edges on a directed graph.
* PageRank: the same definition (dangling nodes spread uniformly, weights as
  transition proportions); igraph's ARPACK solver is used because it is exact to
  ~1e-12 and several times faster than its default PRPACK on these graphs. networkx's
  own ``pagerank`` stops at ``tol=1e-6`` (errors around 1e-5), so the tests compare
  against networkx run to ``tol=1e-13``.

>>> import networkx as nx
>>> path = nx.path_graph(["a", "b", "c"])
>>> betweenness_centrality(path)
{'a': 0.0, 'b': 1.0, 'c': 0.0}
>>> {k: round(v, 6) for k, v in closeness_centrality(path).items()}
{'a': 0.666667, 'b': 1.0, 'c': 0.666667}
"""
from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass

import igraph as ig
import networkx as nx
import numpy as np

log = logging.getLogger(__name__)


@dataclass
class Converted:
    """A networkx graph as igraph sees it: same node order, one igraph edge per edge."""

    graph: ig.Graph
    nodes: list
    directed: bool

    def as_dict(self, values) -> dict:
        return {node: float(v) for node, v in zip(self.nodes, values)}


def convert(G: nx.Graph, attrs: tuple[str, ...] = ()) -> Converted:
    """``G`` as an igraph Graph carrying the numeric edge attributes ``attrs``."""
    if G.is_multigraph():
        raise TypeError("the fast engine takes simple graphs; collapse parallel edges first")
    nodes = list(G)
    index = {node: i for i, node in enumerate(nodes)}
    edges = [(index[u], index[v]) for u, v in G.edges()]
    h = ig.Graph(n=len(nodes), edges=edges, directed=G.is_directed())
    for attr in attrs:
        h.es[attr] = [float(d.get(attr, 1.0)) for _, _, d in G.edges(data=True)]
    return Converted(h, nodes, G.is_directed())


def _weights(c: Converted, attr: str | None):
    return None if attr is None else c.graph.es[attr]


def integer_distances(G: nx.Graph, distance: str | None) -> bool:
    """True when every edge length is an integer (sums of them are exact floats)."""
    if distance is None:
        return True
    return all(float(d.get(distance, 1.0)).is_integer() for *_, d in G.edges(data=True))


def engine_for_distances(G: nx.Graph, distance: str | None) -> str:
    """'igraph' when igraph's weighted betweenness is bound to equal networkx's, else 'networkx'."""
    return "igraph" if integer_distances(G, distance) else "networkx"


def betweenness_centrality(G: nx.Graph, normalized: bool = True, weight: str | None = None,
                           _c: Converted | None = None) -> dict:
    """networkx.betweenness_centrality(G, normalized=normalized, weight=weight)."""
    if engine_for_distances(G, weight) == "networkx":
        log.info("weighted betweenness with non-integer distances: computed by networkx "
                 "(igraph's tie tolerance would differ)")
        return nx.betweenness_centrality(G, normalized=normalized, weight=weight)
    c = _c or convert(G, (weight,) if weight else ())
    raw = np.asarray(c.graph.betweenness(directed=c.directed, weights=_weights(c, weight)))
    n = len(c.nodes)
    if normalized:
        scale = 1.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0
        if not c.directed:
            scale *= 2.0
    else:
        scale = 1.0
    return c.as_dict(raw * scale)


def _reached(c: Converted) -> np.ndarray:
    """How many nodes reach each node (itself included), following edges toward it."""
    if not c.directed:
        membership = np.asarray(c.graph.connected_components().membership)
        return np.bincount(membership)[membership]
    n = len(c.nodes)
    return np.asarray(c.graph.neighborhood_size(order=max(n, 1), mode="in"))


def closeness_centrality(G: nx.Graph, distance: str | None = None, wf_improved: bool = True,
                         _c: Converted | None = None) -> dict:
    """networkx.closeness_centrality(G, distance=distance, wf_improved=wf_improved)."""
    c = _c or convert(G, (distance,) if distance else ())
    n = len(c.nodes)
    if n <= 1:
        return c.as_dict([0.0] * n)
    mode = "in" if c.directed else "all"
    with np.errstate(invalid="ignore"):
        close = np.asarray(c.graph.closeness(mode=mode, weights=_weights(c, distance),
                                             normalized=True), dtype=float)
    reached = _reached(c)
    close = np.where(np.isnan(close) | (reached <= 1), 0.0, close)
    if wf_improved:
        close = close * (reached - 1) / (n - 1)
    return c.as_dict(close)


def pagerank(G: nx.Graph, alpha: float = 0.85, weight: str | None = "weight",
             _c: Converted | None = None) -> dict:
    """networkx.pagerank(G, alpha=alpha, weight=weight), solved exactly (see module doc)."""
    c = _c or convert(G, (weight,) if weight else ())
    if not c.nodes:
        return {}
    has_weight = weight is not None and weight in c.graph.es.attributes()
    values = c.graph.pagerank(directed=c.directed, damping=alpha,
                              weights=c.graph.es[weight] if has_weight else None,
                              implementation="arpack")
    return c.as_dict(values)


def _unit_eigenvector(h: ig.Graph, weight: str | None) -> np.ndarray:
    n = h.vcount()
    if h.ecount() == 0:
        # no edges: networkx's power iteration keeps the uniform start vector
        return np.full(n, 1.0 / math.sqrt(n)) if n else np.zeros(0)
    with warnings.catch_warnings():
        # igraph warns about near-zero entries (far ends of long chains); they are right
        warnings.simplefilter("ignore", RuntimeWarning)
        # igraph 1.0 rejects directed=False even on an undirected graph: pass its default
        values = np.asarray(h.eigenvector_centrality(
            weights=h.es[weight] if weight else None), dtype=float)
    norm = np.linalg.norm(values)
    return values / norm if norm else values


def eigenvector_centrality(G: nx.Graph, weight: str | None = None,
                           _c: Converted | None = None) -> dict:
    """networkx.eigenvector_centrality(G, weight=weight) for a connected graph: unit length,
    in-edges on a directed graph."""
    c = _c or convert(G, (weight,) if weight else ())
    return c.as_dict(_unit_eigenvector(c.graph, weight))


def eigenvector_by_component(G: nx.Graph, weight: str | None = None,
                             _c: Converted | None = None) -> dict:
    """Eigenvector centrality of each connected component (undirected), unit length within
    it, times the component's share of nodes; isolated nodes 0. The networkx version of the
    same definition is ``kg.analysis.centrality.eigenvector_by_component``."""
    c = _c or convert(G, (weight,) if weight else ())
    # a directed network counts as undirected, a reciprocated pair as one tie of summed weight
    h = (c.graph.as_undirected(mode="collapse", combine_edges={weight: "sum"} if weight else None)
         if c.directed else c.graph)
    n = h.vcount()
    values = np.zeros(n)
    for members in h.connected_components():
        if len(members) > 1:
            sub = h.induced_subgraph(members)
            values[members] = _unit_eigenvector(sub, weight) * len(members) / n
    return c.as_dict(values)
