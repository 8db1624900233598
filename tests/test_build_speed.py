"""The fast build's parts give what the slow ones gave: cached adjacency, streamed writers."""
from __future__ import annotations

import json

import networkx as nx
import pytest
from rdflib import Graph

from kg.sources import boundaries
from kg.sources.boundaries import adjacent_pairs, layer_adjacency, read_polygons
from kg.store.files import _flat, write_graphml
from kg.store.rdf import to_rdf, write_turtle


def test_adjacency_is_computed_once_then_read_from_the_cache(tmp_path, monkeypatch):
    polygons = read_polygons("province")
    expected = adjacent_pairs(polygons)
    pairs, points = layer_adjacency("province", cache=tmp_path)
    assert pairs == expected
    assert ("320000", "340000") in pairs           # 江苏 | 安徽
    assert ("320000", "370000") in pairs           # 江苏 | 山东
    assert set(points) == set(polygons)
    files = list((tmp_path / "adjacency").glob("province-*.json"))
    assert len(files) == 1
    # the second call never touches the polygons
    monkeypatch.setattr(boundaries, "adjacent_pairs", lambda *a: pytest.fail("recomputed"))
    assert layer_adjacency("province", cache=tmp_path) == (pairs, points)


def test_a_damaged_cache_file_is_recomputed(tmp_path):
    pairs, _ = layer_adjacency("province", cache=tmp_path)
    (path,) = (tmp_path / "adjacency").glob("province-*.json")
    path.write_text('{"versions": "x", "pai', encoding="utf-8")
    assert layer_adjacency("province", cache=tmp_path)[0] == pairs
    assert json.loads(path.read_text(encoding="utf-8"))["pairs"]


def test_the_cache_key_follows_the_package_versions(tmp_path, monkeypatch):
    layer_adjacency("province", cache=tmp_path)
    monkeypatch.setattr(boundaries, "RULE_VERSION", boundaries.RULE_VERSION + 1)
    layer_adjacency("province", cache=tmp_path)
    assert len(list((tmp_path / "adjacency").glob("province-*.json"))) == 2


def test_streamed_graphml_reads_back_as_networkx_own_writer(graph, tmp_path):
    """Same nodes, edges, keys and typed values as networkx.write_graphml of the same graph."""
    ours = tmp_path / "ours.graphml"
    write_graphml(graph, ours)
    h = nx.MultiDiGraph()
    h.add_nodes_from((k, {a: _flat(b) for a, b in d.items()}) for k, d in graph.nodes(data=True))
    h.add_edges_from((u, v, k, {a: _flat(b) for a, b in d.items()})
                     for u, v, k, d in graph.edges(keys=True, data=True))
    nx.write_graphml(h, tmp_path / "nx.graphml")
    a, b = nx.read_graphml(ours), nx.read_graphml(tmp_path / "nx.graphml")
    assert sorted(a.nodes(data=True)) == sorted(b.nodes(data=True))
    assert sorted(a.edges(keys=True, data=True)) == sorted(b.edges(keys=True, data=True))
    assert a.nodes["320100"]["name"] == "南京市" and a.number_of_edges() == graph.number_of_edges()


def test_streamed_turtle_is_the_rdf_export(graph, tmp_path):
    path = tmp_path / "g.ttl"
    write_turtle(graph, path)
    assert set(Graph().parse(path, format="turtle")) == set(to_rdf(graph))
