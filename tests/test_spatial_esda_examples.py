"""kg.analysis.spatial on esda's own example data, against the values esda's documentation
publishes for them (the docstrings of esda.Moran, esda.Moran_Local and esda.G_Local):
St Louis homicide rates (stl), de Smith's ten units (desmith) and the six-point distance
band of G_Local. The example files ship inside libpysal (no download). Our functions take a
networkx adjacency graph and a pandas Series, so these tests also check that the
conversion to libpysal weights keeps every unit's neighbours and value together."""
from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from kg.analysis import spatial

libpysal = pytest.importorskip("libpysal")
pytest.importorskip("esda")


def _graph(neighbours: dict) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(neighbours)
    g.add_edges_from((a, b) for a, ns in neighbours.items() for b in ns)
    return g


def _example(gal: str, table: str, column: str) -> tuple[pd.Series, nx.Graph]:
    w = libpysal.io.open(libpysal.examples.get_path(gal)).read()
    f = libpysal.io.open(libpysal.examples.get_path(table))
    # the .gal ids are the rows of the table in order (esda's examples rely on the same)
    y = pd.Series(np.array(f.by_col[column], dtype=float), index=w.id_order)
    return y, _graph(w.neighbors)


def test_moran_on_st_louis_homicides_matches_esda_docs():
    y, adj = _example("stl.gal", "stl_hom.txt", "HR8893")
    r = spatial.moran(y, adj, permutations=99)
    assert round(r["I"], 3) == 0.244                      # esda.Moran docstring
    assert r["expected"] == pytest.approx(-0.012987012987012988)
    assert r["p_norm"] == pytest.approx(0.00027147862770937614, rel=1e-9)
    assert r["n"] == 78 and r["dropped"] == []


def test_lisa_quadrants_on_de_smith_match_esda_docs():
    y, adj = _example("desmith.gal", "desmith.txt", "z")
    out = spatial.lisa(y, adj, permutations=99, seed=10)
    published = [4, 4, 4, 2, 3, 3, 1, 4, 3, 3]             # esda.Moran_Local docstring, lm.q
    expected = {str(i + 1): spatial.QUADRANTS[q] for i, q in enumerate(published)}
    assert out["quadrant"].to_dict() == expected


def test_getis_ord_star_on_the_distance_band_matches_esda_docs():
    points = [(10, 10), (20, 10), (40, 10), (15, 20), (30, 20), (30, 30)]
    w = libpysal.weights.DistanceBand(points, threshold=15, silence_warnings=True)
    ids = [f"p{i}" for i in range(len(points))]
    adj = _graph({ids[i]: [ids[j] for j in ns] for i, ns in w.neighbors.items()})
    y = pd.Series([2, 3, 3.2, 5, 8, 7], index=ids, dtype=float)
    out = spatial.getis_ord(y, adj, permutations=99, seed=10)
    published = [-1.39727626, -0.28917762, 0.65064964, -0.28917762, 1.23452088, 2.02424331]
    assert np.allclose(out.loc[ids, "gi_star_z"].to_numpy(), published, atol=1e-8)  # lg_star.Zs
    assert out.loc["p5", "spot"] in ("hot", "ns") and out["gi_star_z"].idxmax() == "p5"
