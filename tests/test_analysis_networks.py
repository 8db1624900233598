"""Networks derived from the KG, scopes, and the errors a researcher can run into."""
from __future__ import annotations

import networkx as nx
import pytest

from kg.analysis import networks
from kg.analysis.centrality import centrality_table
from kg.analysis.scope import EmptyScope, ScopeError, analysis_scope
from kg.model import schema
from kg.model.graph import nodes_with, rels_of


def test_adjacency_networks_hold_every_unit_and_boundary(graph):
    counties = networks.county_adjacency(graph)
    n_county = sum(1 for _, d in graph.nodes(data=True)
                   if schema.is_place(d) and schema.level(d) == schema.COUNTY)
    n_edges = sum(1 for *_, d in rels_of(graph, schema.ADJACENT_TO) if d.get("level") == schema.COUNTY)
    assert counties.number_of_nodes() == n_county
    assert counties.number_of_edges() == n_edges
    cities = networks.city_adjacency(graph)
    assert {"341100", "340500"} <= set(cities["320100"])  # 南京 borders 滁州 and 马鞍山
    assert cities.edges["320100", "341100"]["relations"] == {schema.ADJACENT_TO: 1.0}


def test_comembership_counts_shared_groupings(graph):
    h = networks.comembership(graph)
    # 南京 and 镇江 share at least 长三角 and 南京都市圈
    d = h.edges["320100", "321100"]
    assert {"cluster:yangtze-river-delta", "metro:nanjing"} <= set(d["relations"])
    assert d["weight"] == len(d["relations"])


def test_spillover_network_keeps_function_and_direction(graph):
    h = networks.spillover(graph)
    assert h.is_directed()
    wuhan, ezhou = "420100", "420700"
    assert h.has_edge(wuhan, ezhou) and not h.has_edge(ezhou, wuhan)
    assert any("研发" in f for f in h.edges[wuhan, ezhou]["functions"])
    table = centrality_table(h)
    assert table.loc[wuhan, "out_degree"] >= 2  # 武汉 → 鄂州, 孝感
    assert table.loc[ezhou, "pagerank_in"] > table.loc[ezhou, "pagerank_out"]


def test_place_industry_and_similarity(graph):
    b = networks.place_industry(graph)
    assert nx.is_bipartite(b)
    n_rels = {(u, v) for t in (schema.SPECIALIZES_IN, schema.PLANS_INDUSTRY)
              for u, v, _ in rels_of(graph, t)
              if schema.FOREIGN_REGION not in graph.nodes[u]["labels"]}
    assert b.number_of_edges() == len(n_rels)
    sim = networks.industry_similarity(graph, b)
    for u, v, d in list(sim.edges(data=True))[:50]:
        a, c = set(b[u]), set(b[v])
        assert d["weight"] == pytest.approx(len(a & c) / len(a | c))


def test_combined_network_weights_are_configurable(graph):
    base = networks.combined(graph)
    no_adj = networks.combined(graph, {"adjacency": 0.0})
    assert base.number_of_nodes() == no_adj.number_of_nodes()
    d = base.edges["320100", "341100"]
    assert d["relations"]["adjacency"] == 1.0
    assert d["weight"] == pytest.approx(sum(d["relations"].values()))
    with pytest.raises(ValueError, match="unknown combined-network weight"):
        networks.combined(graph, {"adjacensy": 1.0})


def test_scopes(graph):
    nanjing = analysis_scope(graph, "南京都市圈")
    assert {"320100", "341100", "340500"} <= nanjing.places  # 滁州, 马鞍山 are members
    assert "320413" in nanjing.places  # 常州市金坛区, a county-level member
    assert "320400" in nanjing.partial  # so 常州 is only partly inside
    yrd = analysis_scope(graph, "长三角")
    assert yrd.key == "cluster:yangtze-river-delta"
    h = networks.network(graph, "city-adjacency", "江苏")
    assert h.number_of_nodes() == 13  # the 13 prefecture-level cities of 江苏


def test_scope_errors_are_clear(graph):
    with pytest.raises(ScopeError, match="closest scope names: 长三角"):
        analysis_scope(graph, "长三家")
    with pytest.raises(ScopeError, match="give a province, city, city cluster"):
        analysis_scope(graph, "industry:biomedicine")
    with pytest.raises(EmptyScope, match="has no node in the spillover network"):
        networks.network(graph, "spillover", "西藏自治区")
    with pytest.raises(ValueError, match="unknown network 'county'.*closest: county-adjacency"):
        networks.network(graph, "county", None)


def test_disconnected_network_is_handled_per_component(graph):
    h = networks.network(graph, "county-adjacency", "浙江省")  # 舟山 islands: 定海–普陀, 岱山, 嵊泗
    t = centrality_table(h)
    assert t["component"].nunique() == nx.number_connected_components(h) > 1
    isolated = [n for n in h if h.degree(n) == 0]
    assert all(t.loc[n, "eigenvector"] == 0 and t.loc[n, "closeness"] == 0 for n in isolated)
    assert len(t) == h.number_of_nodes()


def test_every_cluster_and_metro_circle_is_a_scope(graph):
    for label in (schema.CITY_CLUSTER, schema.METRO_CIRCLE):
        for key, d in nodes_with(graph, label):
            assert analysis_scope(graph, d["name"]).key == key
