"""The fast engine equals networkx within 1e-9, and agrees with an independent computation
(rustworkx / igraph on the same edges) on the real county adjacency network."""
from __future__ import annotations

import random

import networkx as nx
import numpy as np
import pytest
import rustworkx as rx

from kg.analysis import centrality, fast
from kg.analysis.networks import city_adjacency, county_adjacency

TOL = 1e-9


def _max_diff(a: dict, b: dict) -> float:
    assert set(a) == set(b)
    return max((abs(a[k] - b[k]) for k in a), default=0.0)


def _random_graphs():
    rng = random.Random(7)
    for directed in (False, True):
        for seed in range(3):
            g = nx.gnp_random_graph(40, 0.07, seed=seed, directed=directed)  # disconnected too
            for u, v in g.edges():
                g[u][v]["weight"] = rng.randint(1, 5)
                g[u][v]["distance"] = rng.randint(1, 4)
            yield g


@pytest.mark.parametrize("g", list(_random_graphs()))
def test_equal_to_networkx_on_random_graphs(g):
    for weight in (None, "distance"):
        assert _max_diff(fast.betweenness_centrality(g, weight=weight),
                         nx.betweenness_centrality(g, weight=weight)) < TOL
        assert _max_diff(fast.betweenness_centrality(g, normalized=False, weight=weight),
                         nx.betweenness_centrality(g, normalized=False, weight=weight)) < TOL
        assert _max_diff(fast.closeness_centrality(g, distance=weight),
                         nx.closeness_centrality(g, distance=weight)) < TOL
    for weight in (None, "weight"):
        assert _max_diff(fast.pagerank(g, weight=weight),
                         nx.pagerank(g, weight=weight, tol=1e-13, max_iter=100000)) < TOL
        assert _max_diff(fast.eigenvector_by_component(g, weight=weight),
                         centrality.eigenvector_by_component(g, weight=weight)) < TOL


def test_hand_checkable_cases():
    path = nx.path_graph(["a", "b", "c", "d"])
    # b lies on a–c and a–d; 2 of the 3 pairs not involving b, normalised by (n-1)(n-2)/2 = 3
    assert fast.betweenness_centrality(path) == pytest.approx({"a": 0, "b": 2 / 3, "c": 2 / 3, "d": 0})
    # closeness of a: 3 / (1 + 2 + 3)
    assert fast.closeness_centrality(path)["a"] == pytest.approx(0.5)
    # two components: a node reaching 1 of 3 others at distance 1 -> (1/1) * (1/3)
    two = nx.Graph([("x", "y"), ("p", "q")])
    assert fast.closeness_centrality(two)["x"] == pytest.approx(1 / 3)
    # a star's centre: PageRank (1-a)/n + a * 3 leaves' full mass
    star = nx.star_graph(3)
    pr = fast.pagerank(star, weight=None)
    a = 0.85
    # centre c and leaf l: c = (1-a)/4 + a*3*l ; l = (1-a)/4 + a*c/3 ; sum c + 3l = 1
    l_ = ((1 - a) / 4 + a * (1 - a) / 12) / (1 - a * a)
    assert pr[1] == pytest.approx(l_, abs=1e-12)
    assert pr[0] == pytest.approx(1 - 3 * l_, abs=1e-12)
    # eigenvector of a triangle with a pendant island: per component, scaled by share
    g = nx.Graph([(1, 2), (2, 3), (1, 3), (8, 9)])
    ev = fast.eigenvector_by_component(g)
    assert ev[1] == pytest.approx(1 / np.sqrt(3) * 3 / 5)
    assert ev[8] == pytest.approx(1 / np.sqrt(2) * 2 / 5)


def test_weighted_lengths_tie_exactly_in_both_engines():
    # as floats 0.1 + 0.2 > 0.15 + 0.15; as integer micro-units they are equal, a tie
    assert 0.1 + 0.2 != 0.15 + 0.15
    g = nx.Graph()
    for u, v, dist in [("s", "a", 0.1), ("a", "t", 0.2), ("s", "b", 0.15), ("b", "t", 0.15)]:
        g.add_edge(u, v, weight=1 / dist, distance=dist)
    t_fast = centrality.centrality_table(g)
    t_nx = centrality.centrality_table(g, engine="networkx")
    nodes = list(g)
    assert np.allclose(t_fast.loc[nodes, "betweenness"], t_nx.loc[nodes, "betweenness"], atol=TOL)
    # a and b each carry half of the s–t shortest paths (and both of the a–b paths' middles)
    assert t_fast.loc["a", "betweenness"] == pytest.approx(t_fast.loc["b", "betweenness"])
    assert t_fast.loc["a", "betweenness"] > 0


@pytest.fixture(scope="module")
def counties(graph):
    return county_adjacency(graph)


def test_county_network_against_rustworkx(counties):
    """An independent computation on the same ≈3,000-node network."""
    nodes = list(counties)
    index = {n: i for i, n in enumerate(nodes)}
    r = rx.PyGraph()
    r.add_nodes_from(nodes)
    r.add_edges_from_no_data([(index[u], index[v]) for u, v in counties.edges()])
    ours = centrality.centrality_table(counties)
    btw = rx.betweenness_centrality(r, normalized=True)
    close = rx.closeness_centrality(r, wf_improved=True)
    assert max(abs(ours.loc[n, "betweenness"] - btw[index[n]]) for n in nodes) < TOL
    assert max(abs(ours.loc[n, "closeness"] - close[index[n]]) for n in nodes) < TOL
    assert ours["degree"].sum() == 2 * counties.number_of_edges()
    assert nx.number_connected_components(counties) > 1  # islands: the disconnected case is real


def test_table_equal_across_engines_on_city_network(graph):
    h = city_adjacency(graph)
    a = centrality.centrality_table(h)
    b = centrality.centrality_table(h, engine="networkx").loc[a.index]
    for col in ("degree", "strength", "betweenness", "closeness", "eigenvector", "pagerank"):
        assert np.max(np.abs(a[col] - b[col])) < TOL, col
    assert (a["hub_rank"] == b["hub_rank"]).all()
