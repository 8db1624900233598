"""Flows in the real Neo4j server: LINKED_TO per mode with sources, and the national hub
table read back from the database agrees with GaWC 2020 as the build's does."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.neo4j

PER_MODE = """
MATCH (a:Place)-[r:LINKED_TO]->(b:Place)
RETURN r.mode AS mode, count(*) AS pairs, count(r.source_id) AS with_source,
       collect(DISTINCT r.source_id) AS sources, collect(DISTINCT r.derived) AS derived
ORDER BY mode
"""


def test_linked_to_modes_load_with_their_sources(loaded):
    from kg.model import schema

    rows = {r["mode"]: r for r in loaded.execute_query(PER_MODE).records}
    assert set(rows) >= {"air", "rail"}
    for mode in ("air", "rail"):
        assert rows[mode]["pairs"] >= 500 and rows[mode]["with_source"] == rows[mode]["pairs"]
        assert rows[mode]["derived"] == [False]
    assert rows["air"]["sources"] == ["openflights-2014"]
    assert rows["rail"]["sources"] == ["railwayvis-2020"]
    assert set(rows) <= set(schema.FLOW_MODES)
    assert rows["gravity"]["derived"] == [True] and rows["gravity"]["pairs"] >= 1000
    xian = loaded.execute_query(
        "MATCH (:City {name: '西安市'})-[r:LINKED_TO {mode: 'air'}]->(:City {name: '北京市'}) "
        "RETURN r.weight AS w, r.weight_unit AS unit, r.year AS year").records
    assert len(xian) == 1 and xian[0]["w"] >= 1 and xian[0]["unit"] == "airline_routes"
    assert xian[0]["year"] == 2014


def test_hub_table_from_neo4j_agrees_with_gawc(loaded, graph):
    from kg.analysis import flow_report
    from kg.analysis.flow_networks import observed_flows
    from kg.analysis.source import graph_from_neo4j
    from kg.sources.rankings import read_ranking

    from_db = flow_report.flow_table(observed_flows(graph_from_neo4j(loaded)))
    built = flow_report.flow_table(observed_flows(graph))
    assert list(from_db.index[:10]) == list(built.index[:10])
    cmp = flow_report.compare_with_published(from_db, read_ranking())
    assert cmp["overlap"] >= 7 and cmp["spearman"] > 0.5
    assert cmp["spearman"] == pytest.approx(
        flow_report.compare_with_published(built, read_ranking())["spearman"], abs=1e-12)
