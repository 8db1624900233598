"""Loading the graph into the real Neo4j server: counts, named facts, idempotence, constraints."""
from __future__ import annotations

import pytest
from neo4j.exceptions import ConstraintError

from kg.model import schema
from kg.model.graph import counts
from kg.store.neo4j_load import (LoadError, database_counts, load_build, load_graph, node_query,
                                 rel_query, schema_statements)


def test_query_text_accepts_only_schema_names():
    with pytest.raises(LoadError, match="unknown label 'Place:Evil'"):
        node_query("Place:Evil", ["Place"])
    with pytest.raises(LoadError, match="unknown label"):
        node_query("Place", ["Place", "City} ) DETACH DELETE n //"])
    with pytest.raises(LoadError, match="unknown relationship type 'KNOWS'"):
        rel_query("KNOWS", "Place", "Place")
    assert len(schema_statements()) == 1 + (len(schema.LABELS) - 4) + len(schema.LABELS)


@pytest.mark.neo4j
def test_counts_by_label_and_type_equal_the_graph(loaded, graph):
    assert database_counts(loaded) == counts(graph)


def one_column(driver, cypher, **params):
    return [r[0] for r in driver.execute_query(cypher, params).records]


@pytest.mark.neo4j
def test_the_two_putuo_districts_are_two_nodes(loaded):
    rows = loaded.execute_query(
        "MATCH (d:County {name: '普陀区'})-[:BELONGS_TO]->(c:City) "
        "RETURN d.adcode AS d, c.name AS c ORDER BY d").records
    assert [(r["d"], r["c"]) for r in rows] == [("310107", "上海市"), ("330903", "舟山市")]


@pytest.mark.neo4j
def test_nanjing_borders_chuzhou_and_maanshan(loaded):
    neighbours = set(one_column(loaded, "MATCH (:Place {adcode: '320100'})-[:ADJACENT_TO]-(n) RETURN n.adcode"))
    assert {"341100", "340500"} <= neighbours
    # stored once per pair, as in the graph
    assert one_column(loaded, "MATCH (:Place {adcode: '320100'})-[r:ADJACENT_TO]-(:Place {adcode: '341100'}) "
                              "RETURN count(r)") == [1]


@pytest.mark.neo4j
def test_xiantao_belongs_directly_to_hubei(loaded):
    rows = loaded.execute_query("MATCH (x:Place {adcode: '429004'})-[:BELONGS_TO]->(p) "
                                "RETURN x.name AS x, labels(x) AS lx, p.adcode AS p, labels(p) AS lp").records
    assert len(rows) == 1
    r = rows[0]
    assert (r["x"], r["p"]) == ("仙桃市", "420000")
    assert set(r["lx"]) == {"Place", "County"} and "Province" in r["lp"]


@pytest.mark.neo4j
def test_every_node_keeps_its_labels_and_properties(loaded, graph):
    stored = {r["key"]: (set(r["labels"]), r["props"]) for r in loaded.execute_query(
        "MATCH (n) RETURN coalesce(n.adcode, n.id) AS key, labels(n) AS labels, properties(n) AS props").records}
    assert stored.keys() == set(graph.nodes)
    for key, attrs in graph.nodes(data=True):
        labels, props = stored[key]
        assert labels == set(attrs["labels"]), key
        expected = {k: (list(v) if isinstance(v, (list, tuple)) else v)
                    for k, v in attrs.items() if k != "labels"}
        expected["adcode" if schema.PLACE in attrs["labels"] else "id"] = key
        assert props == expected, key


@pytest.mark.neo4j
def test_every_relationship_keeps_its_key_and_properties(loaded, graph):
    stored = {}
    for r in loaded.execute_query("MATCH (a)-[r]->(b) RETURN coalesce(a.adcode, a.id) AS u, "
                                  "coalesce(b.adcode, b.id) AS v, type(r) AS t, properties(r) AS p").records:
        stored[(r["u"], r["v"], r["p"]["key"])] = (r["t"], r["p"])
    assert len(stored) == graph.number_of_edges()
    for u, v, k, attrs in graph.edges(keys=True, data=True):
        rel_type, props = stored[(u, v, k)]
        assert rel_type == attrs["type"]
        expected = {a: (list(b) if isinstance(b, (list, tuple)) else b) for a, b in attrs.items() if a != "type"}
        assert props == {**expected, "key": k}, (u, v, k)


@pytest.mark.neo4j
def test_loading_again_changes_nothing(loaded, graph, build_dir):
    before = database_counts(loaded)
    assert load_graph(loaded, graph, progress=False) == {
        "nodes": graph.number_of_nodes(), "relationships": graph.number_of_edges(),
        "pruned_nodes": 0, "pruned_relationships": 0, "dropped_labels": 0}
    assert database_counts(loaded) == before
    # the build files describe the same graph, so loading them changes nothing either
    load_build(loaded, build_dir, progress=False)
    assert database_counts(loaded) == before == counts(graph)


@pytest.mark.neo4j
def test_constraints_keep_places_unique(loaded):
    names = set(one_column(loaded, "SHOW CONSTRAINTS YIELD name RETURN name"))
    assert {"place_adcode", "citycluster_id", "industry_id", "document_id"} <= names
    indexes = set(one_column(loaded, "SHOW INDEXES YIELD name RETURN name"))
    assert {"place_name", "citycluster_name"} <= indexes
    try:
        with pytest.raises(ConstraintError):
            loaded.execute_query("CREATE (:Place {adcode: '320100', name: 'duplicate'})")
    finally:  # should the constraint be missing, leave no duplicate behind for other tests
        loaded.execute_query("MATCH (p:Place {name: 'duplicate'}) DETACH DELETE p")
    assert one_column(loaded, "MATCH (p:Place {adcode: '320100'}) RETURN p.name") == ["南京市"]


@pytest.mark.neo4j
def test_values_travel_as_parameters(loaded):
    # A quote-laden string is stored verbatim: values are never pasted into the query text.
    from kg.model.graph import add_node, new_graph

    g = new_graph()
    nasty = "O'Brien\" }) DETACH DELETE n //"
    add_node(g, "test-nasty-org", [schema.ORGANIZATION], name=nasty, aliases=["a", "b'c"])
    try:
        load_graph(loaded, g, progress=False, prune=False)      # a fragment: add, do not converge
        rows = loaded.execute_query("MATCH (o:Organization {id: 'test-nasty-org'}) "
                                    "RETURN o.name AS name, o.aliases AS aliases").records
        assert [(r["name"], r["aliases"]) for r in rows] == [(nasty, ["a", "b'c"])]
    finally:
        loaded.execute_query("MATCH (o:Organization {id: 'test-nasty-org'}) DETACH DELETE o")
