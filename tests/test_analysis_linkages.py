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


# --- linkages as of a year or a plan (kg.model.membership) -----------------------------------

def test_linkage_memberships_follow_as_of_and_plan(graph):
    """The memberships linkages use are those of --as-of/--plan, each checked against the
    membership rule computed directly (kg.model.membership.member_places)."""
    from kg.analysis.scope import memberships
    from kg.model import membership

    yrd = "cluster:yangtze-river-delta"
    for as_of, plan in ((2010, None), (2016, None), (None, "policy:yrd-cluster-plan-2016")):
        got = memberships(graph, as_of=as_of, plan=plan)
        direct = membership.member_places(graph, yrd, as_of=as_of,
                                          plan=plan if plan in membership.plans_of(graph, yrd) else None)[0]
        assert {p for p, ks in got.items() if yrd in ks} == set(direct)
    # 2010: only two clusters had a plan in force, so the cluster matrix shrinks to them
    assert linkages.cluster_matrix(graph, as_of=2010).shape == (2, 2)
    assert linkages.cluster_matrix(graph).shape[0] > 10
    # the 2016 plan's 26 cities: 长三角's own-cluster ties are fewer than under today's list
    default = linkages.boundary_crossings(graph)
    plan16 = linkages.boundary_crossings(graph, plan="policy:yrd-cluster-plan-2016")
    assert not default.equals(plan16)


def test_linkages_report_uses_the_as_of_year(graph, tmp_path):
    from kg.analysis.reports import write_linkages
    from kg.analysis.scope import analysis_scope

    sc = analysis_scope(graph, None, as_of=2010)
    assert sc.as_of == 2010 and sc.explicit and sc.is_national
    write_linkages(graph, tmp_path, scope=sc)
    import pandas as pd
    matrix = pd.read_csv(tmp_path / "linkages_cluster_matrix.csv", index_col=0)
    assert matrix.shape == (2, 2)
