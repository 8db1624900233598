"""The city-network measures of the literature (kg.analysis.citynet) on the graph's real observed
flows: air routes (OpenFlights 2014) and trains per day (RailwayVIS 2020)."""
from __future__ import annotations

import pytest

from kg.analysis import citynet
from kg.analysis.flow_networks import mode_network


@pytest.fixture(scope="module")
def air(graph):
    return mode_network(graph, "air")


@pytest.fixture(scope="module")
def rail(graph):
    return mode_network(graph, "rail")


def test_air_and_rail_city_networks_are_correlated_but_far_from_equal(air, rail):
    common = sorted(set(air) & set(rail))
    assert len(common) >= 80
    q = citynet.qap(air, rail, nodes=common, permutations=199, seed=1)
    assert 0.05 < q["r"] < 0.6 and q["p"] < 0.05      # related networks, yet different ones


def test_the_disparity_backbone_keeps_a_few_significant_links_of_each_city(air):
    backbone = citynet.disparity_backbone(air, alpha=0.05)
    assert 0 < backbone.number_of_edges() < air.number_of_edges() / 10
    assert all(air.has_edge(u, v) for u, v in backbone.edges())
    assert "310000" in backbone                       # 上海 carries significant links


def test_dominant_rail_flows_lead_suzhou_to_shanghai(rail):
    dominant = citynet.dominant_flows(rail)
    assert citynet.centre_of(dominant, "320500") == "310000"     # 苏州's largest flow goes to 上海
    assert citynet.centre_of(dominant, "310000") == "310000"     # and 上海 is a centre itself


def test_control_and_connectivity_of_the_air_network(air):
    table = citynet.control_connectivity(air)
    # air routes are listed in both directions: every city's control is one half, and the busiest
    # airports' cities lead by strength
    assert (table["control"] == 0.5).mean() > 0.9
    top = table.sort_values("out_strength", ascending=False).index[:5]
    assert {"310000", "110000"} <= set(top)
