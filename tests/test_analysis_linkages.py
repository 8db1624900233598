"""Linkages: crossings, cluster matrix, bridging places, metro-circle neighbours, spillovers."""
from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from kg.analysis import linkages


def test_bridging_betweenness_by_hand():
    # A = {a1, a2}, B = {b1, b2} in a path a1–a2–x–b1–b2: x lies on all 4 A–B paths
    h = nx.path_graph(["a1", "a2", "x", "b1", "b2"])
    member = {"a1": {"A"}, "a2": {"A"}, "b1": {"B"}, "b2": {"B"}}
    btw = linkages.bridging_betweenness(h, member)
    assert btw["x"] == pytest.approx(4.0)
    assert btw["a2"] == pytest.approx(2.0)  # on a1–b1 and a1–b2
    assert btw["a1"] == 0.0


def test_nanjing_neighbours_across_the_province_line(graph):
    pairs = linkages.cross_provincial_pairs(graph)
    nj = pairs[(pairs["metro_circle"] == "南京都市圈") & (pairs["level"] == "City")]
    found = {frozenset((r.a_name, r.b_name)) for r in nj.itertuples()}
    assert frozenset(("南京市", "滁州市")) in found
    assert frozenset(("南京市", "马鞍山市")) in found
    assert (nj["a_province"] != nj["b_province"]).all()


def test_boundary_crossings_add_up(graph):
    df = linkages.boundary_crossings(graph).set_index("relation")
    assert ((df["within_province"] + df["cross_province"]) == df["ties"]).all()
    assert ((df["within_cluster"] + df["cross_cluster"] + df["outside_clusters"]) == df["ties"]).all()
    assert df.loc["SPILLOVER_TO", "cross_province"] >= 1  # 上海 → 苏浙皖


def test_cluster_matrix_is_symmetric(graph):
    m = linkages.cluster_matrix(graph)
    assert list(m.index) == list(m.columns)
    assert np.allclose(m.to_numpy(), m.to_numpy().T)
    assert m.loc["长江三角洲城市群", "长江三角洲城市群"] > 0


def test_spillover_flows_by_function(graph):
    flows, summary = linkages.spillover_flows(graph)
    wuhan = flows[(flows["from_name"] == "武汉市") & (flows["to_name"] == "鄂州市")]
    assert list(wuhan["function"]) == ["研发→生产"]
    assert summary["flows"].sum() == len(flows)
    assert flows["source_id"].notna().all()


def test_bridging_places_rank(graph):
    df = linkages.bridging_places(graph, top=10)
    assert len(df) == 10
    assert df["bridging_betweenness"].is_monotonic_decreasing
