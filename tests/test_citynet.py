"""City-network measures (kg/analysis/citynet.py) on hand-made directed weighted graphs,
each checked against an independent computation (series expansion, the filter's formula
by hand, numpy correlation, a worked Nystuen–Dacey example)."""
from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from kg.analysis import citynet


def _flows():
    g = nx.DiGraph()
    g.add_weighted_edges_from([
        ("沪", "苏", 50), ("沪", "杭", 40), ("沪", "宁", 30), ("苏", "沪", 60), ("杭", "沪", 45),
        ("宁", "沪", 35), ("宁", "苏", 5), ("苏", "锡", 20), ("锡", "苏", 25), ("锡", "沪", 10),
        ("湖", "杭", 15), ("湖", "沪", 8), ("嘉", "沪", 12), ("嘉", "杭", 11)])
    return g


def test_control_and_connectivity_are_out_and_in_strength():
    t = citynet.control_connectivity(_flows())
    assert t.loc["沪", "out_strength"] == 120 and t.loc["沪", "in_strength"] == 60 + 45 + 35 + 10 + 8 + 12
    assert t.loc["湖", "control"] == 1.0 and t.loc["湖", "in_degree"] == 0
    assert t["net"].sum() == pytest.approx(0)


def test_bonacich_power_equals_its_series_expansion():
    g = _flows()
    nodes, a = sorted(g), nx.to_numpy_array(g, nodelist=sorted(g))
    beta = 0.2 / max(abs(np.linalg.eigvals(a)))
    series, term = np.zeros(len(a)), a @ np.ones(len(a))
    for _ in range(300):                                   # Σ_k β^k A^(k+1) 1
        series, term = series + term, beta * (a @ term)
    series *= np.sqrt(len(a)) / np.linalg.norm(series)
    assert np.allclose(citynet.bonacich_power(g, beta).loc[nodes].to_numpy(), series)
    assert np.allclose(citynet.bonacich_power(g, -beta).pow(2).sum(), len(a))
    with pytest.raises(ValueError, match="lambda_max"):
        citynet.bonacich_power(g, 2 / max(abs(np.linalg.eigvals(a))))


def test_disparity_filter_keeps_the_dominant_share():
    g = nx.DiGraph()
    g.add_weighted_edges_from([("h", t, 1) for t in "abcdefghij" if t != "h"])
    g.add_edge("h", "z", weight=91)                     # one flow dominates h's 100 out-flows
    b = citynet.disparity_backbone(g, alpha=0.05)
    assert list(b.edges()) == [("h", "z")]
    assert b["h"]["z"]["alpha"] == pytest.approx((1 - 91 / 100) ** (10 - 1))
    # a unit flow among ten: (1 - 0.01)^9 = 0.914, kept only at a lax alpha; k_in = 1 never helps
    assert citynet.disparity_backbone(g, alpha=0.92).number_of_edges() == 10
    assert citynet.disparity_backbone(g, alpha=0.91).number_of_edges() == 1


def test_dominant_flows_nystuen_dacey():
    flows = citynet.dominant_flows(_flows())
    # largest out-flows: 苏→沪 60, 杭→沪 45, 宁→沪 35, 锡→苏 25, 湖→杭 15, 嘉→沪 12; 沪→苏 goes to a smaller city
    assert sorted(flows.edges()) == sorted([("苏", "沪"), ("杭", "沪"), ("宁", "沪"), ("锡", "苏"),
                                            ("湖", "杭"), ("嘉", "沪")])
    assert {citynet.centre_of(flows, c) for c in flows} == {"沪"}


def test_qap_correlation_and_its_permutation_p():
    g = _flows()
    nodes = sorted(g)
    a = nx.to_numpy_array(g, nodelist=nodes)
    off = ~np.eye(len(nodes), dtype=bool)
    noisy = nx.DiGraph()
    rng = np.random.default_rng(1)
    for u, v, d in g.edges(data=True):
        noisy.add_edge(u, v, weight=d["weight"] * rng.uniform(0.8, 1.2))
    b = nx.to_numpy_array(noisy, nodelist=nodes)
    r = citynet.qap(g, noisy, permutations=499, seed=4)
    assert r["r"] == pytest.approx(np.corrcoef(a[off], b[off])[0, 1]) and r["p"] < 0.01
    assert citynet.qap(g, noisy, permutations=499, seed=4) == r          # seeded
    other = nx.DiGraph()
    other.add_weighted_edges_from((u, v, float(rng.integers(1, 50))) for u in nodes for v in nodes if u != v)
    assert citynet.qap(g, other, permutations=499, seed=4)["p"] > 0.05   # unrelated weights
