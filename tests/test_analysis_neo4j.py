"""The analyses give the same results from Neo4j as from the build files."""
from __future__ import annotations

import pandas as pd
import pytest

pytestmark = pytest.mark.neo4j


def test_centrality_identical_from_neo4j_and_build_files(loaded, build_dir):
    from kg.analysis import graph_from_build, graph_from_neo4j, hubs

    from_db = graph_from_neo4j(loaded)
    from_files = graph_from_build(build_dir)
    assert from_db.number_of_nodes() == from_files.number_of_nodes()
    assert from_db.number_of_edges() == from_files.number_of_edges()
    for name in ("combined", "city-adjacency", "spillover"):
        a = hubs(from_db, name)
        b = hubs(from_files, name)
        pd.testing.assert_frame_equal(a, b.loc[a.index], check_exact=False, rtol=0, atol=1e-12)
