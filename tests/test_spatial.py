"""Spatial statistics (kg/analysis/spatial.py): esda's Moran's I, LISA and Gi* against the
textbook formulas computed here with numpy on a hand-built 4×4 rook lattice (no network,
no libpysal example download), reproducibility with a seed, and a run on the real graph."""
from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from kg.analysis import spatial

pytest.importorskip("esda")

GRID = nx.relabel_nodes(nx.grid_2d_graph(4, 4), lambda rc: f"u{rc[0]}{rc[1]}")
IDS = sorted(GRID)
# a high block in one corner, low elsewhere, with noise
VALUES = pd.Series([9, 8, 2, 1, 8, 7, 3, 1, 2, 3, 2, 2, 1, 1, 2, 3], index=[f"u{r}{c}" for r in range(4)
                                                                             for c in range(4)], dtype=float)


def _w(binary_self=False):
    w = nx.to_numpy_array(GRID, nodelist=IDS)
    if binary_self:
        return w + np.eye(len(IDS))
    return w / w.sum(axis=1, keepdims=True)


def test_global_moran_matches_the_formula():
    y = VALUES.loc[IDS].to_numpy()
    z = y - y.mean()
    w = _w()
    expected = len(y) / w.sum() * (z @ w @ z) / (z @ z)
    r = spatial.moran(VALUES, GRID, permutations=499, seed=3)
    assert r["I"] == pytest.approx(expected) and r["expected"] == pytest.approx(-1 / 15)
    assert r["I"] > 0 and r["p_sim"] < 0.05       # the corner block clusters
    assert spatial.moran(VALUES, GRID, permutations=499, seed=3)["p_sim"] == r["p_sim"]  # seeded


def test_lisa_matches_the_formula_and_finds_the_hot_corner():
    y = VALUES.loc[IDS].to_numpy()
    z = y - y.mean()
    m2 = (z ** 2).sum() / (len(z) - 1)  # esda divides by n - 1 (Anselin 1995 uses n)
    expected = z / m2 * (_w() @ z)
    out = spatial.lisa(VALUES, GRID, permutations=999, seed=5)
    assert np.allclose(out["local_i"].to_numpy(), expected)
    assert out.loc["u00", "quadrant"] == "HH" and out.loc["u33", "quadrant"] == "LL"
    again = spatial.lisa(VALUES, GRID, permutations=999, seed=5)
    assert (again["p_sim"] == out["p_sim"]).all()


def test_getis_ord_star_matches_the_formula():
    y = VALUES.loc[IDS].to_numpy()
    n, w = len(y), _w(binary_self=True)
    mean, s = y.mean(), np.sqrt((y ** 2).mean() - y.mean() ** 2)
    wi, s1 = w.sum(axis=1), (w ** 2).sum(axis=1)
    expected = (w @ y - mean * wi) / (s * np.sqrt((n * s1 - wi ** 2) / (n - 1)))
    out = spatial.getis_ord(VALUES, GRID, permutations=999, seed=5)
    assert np.allclose(out["gi_star_z"].to_numpy(), expected)
    assert out.loc["u00", "gi_star_z"] == out["gi_star_z"].max()


def test_islands_and_missing_values_are_dropped_and_counted():
    adj = GRID.copy()
    adj.add_node("island")
    y = pd.concat([VALUES, pd.Series({"island": 5.0, "nowhere": 1.0})])
    r = spatial.moran(y, adj, permutations=99, seed=1)
    assert r["n"] == 16 and r["dropped"] == ["island", "nowhere"]
    with pytest.raises(ValueError, match="constant"):
        spatial.moran(pd.Series(1.0, index=IDS), GRID, permutations=99)


@pytest.mark.slow
def test_planned_industries_on_the_city_adjacency(graph):
    from kg.analysis import networks

    y = spatial.indicator(graph, "planned_industries")
    assert y["310000"] >= 1 and len(y) > 300           # 上海 plans industries; every city counted
    adj = networks.city_adjacency(graph)
    r = spatial.moran(y, adj, permutations=199, seed=1)
    assert r["n"] > 300 and -1 < r["I"] < 1
    hot = spatial.getis_ord(y, adj, permutations=199, seed=1)
    assert set(hot["spot"]) <= {"hot", "cold", "ns"}


@pytest.mark.slow
def test_spatial_report_for_yrd_as_of_2020(graph, tmp_path):
    from kg.analysis import networks
    from kg.analysis.scope import analysis_scope
    from kg.analysis.spatial_report import write_spatial

    sc = analysis_scope(graph, "长三角", as_of=2020)
    written = write_spatial(graph, tmp_path, scope=sc, permutations=99, seed=2)
    names = {p.name for _, p in written}
    assert {"spatial_planned_industries_cluster-yangtze-river-delta-2020_lisa.png",
            "spatial_planned_industries_cluster-yangtze-river-delta-2020_gi.png"} <= names
    table = pd.read_csv(tmp_path / "spatial_planned_industries_cluster-yangtze-river-delta-2020.csv",
                        dtype={"unit": str}).set_index("unit")
    assert set(table.index) <= set(sc.places) and len(table) >= 38   # 41 cities, islands dropped
    y = spatial.indicator(graph, "planned_industries")
    expected = spatial.moran(y[y.index.isin(sc.places)], networks.city_adjacency(graph),
                             permutations=99, seed=2)
    moran = pd.read_csv(tmp_path / "spatial_planned_industries_cluster-yangtze-river-delta-2020_moran.csv")
    assert moran.loc[0, "I"] == pytest.approx(expected["I"]) and moran.loc[0, "n"] == expected["n"]
