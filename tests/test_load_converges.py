"""A load converges to exactly the build: a curated row removed from data/ disappears from
Neo4j on the next build + load (with the label and properties it gave), everything else stays
as it was, the firm layer is left alone, and a relationship whose end is missing fails the load."""
from __future__ import annotations

import csv
import shutil

import pytest

from kg.model import schema
from kg.model.graph import counts
from kg.paths import DATA
from kg.store.neo4j_load import LoadError, _write_rel_batch, database_counts, load_graph, rel_query


def drop_first_row(path, keep=lambda row: False):
    """Remove the first data row of a curated CSV that ``keep`` rejects; returns that row."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
        fields = list(rows[0])
    gone = next(r for r in rows if not keep(r))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(r for r in rows if r is not gone)
    return gone


def snapshot(driver):
    nodes = {r["k"]: (sorted(r["labels"]), r["props"]) for r in driver.execute_query(
        "MATCH (n) RETURN coalesce(n.adcode, n.id) AS k, labels(n) AS labels, properties(n) AS props").records}
    rels = {(r["a"], r["b"], r["t"], r["key"]): r["props"] for r in driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN coalesce(a.adcode, a.id) AS a, coalesce(b.adcode, b.id) AS b, "
        "type(r) AS t, r.key AS key, properties(r) AS props").records}
    return nodes, rels


@pytest.mark.neo4j
@pytest.mark.slow
def test_a_removed_curated_row_is_gone_after_rebuild_and_reload(loaded, graph, tmp_path):
    from kg.build import build_graph

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    coop = drop_first_row(data / "relations" / "cooperation.csv")
    centre = drop_first_row(data / "nodes" / "new_centers.csv", keep=lambda r: r["place"] != "440307")
    smaller = build_graph(data, progress=lambda s: None)
    assert smaller.number_of_edges() == graph.number_of_edges() - 1
    # the firm layer, loaded by `citykg firms import`, is not the build's to remove
    loaded.execute_query("MERGE (o:Organization {id: 'firm:converge-test'}) SET o.firm_id = 'converge-test' "
                         "WITH o MATCH (p:Place {adcode: '320100'}) MERGE (o)-[r:LOCATED_IN {key: 'hq'}]->(p)")
    before_nodes, before_rels = snapshot(loaded)
    try:
        done = load_graph(loaded, smaller, progress=False)
        assert (done["pruned_relationships"], done["pruned_nodes"], done["dropped_labels"]) == (1, 0, 1)
        after_nodes, after_rels = snapshot(loaded)
        firm_free = {**counts(smaller)}
        now = database_counts(loaded)
        assert now["relationships"] == firm_free["relationships"] + 1 and now["nodes"] == firm_free["nodes"] + 1
        # the cooperation fact is gone, and only it
        gone = set(before_rels) - set(after_rels)
        assert len(gone) == 1
        ((a, b, t, _),) = gone
        assert (a, b, t) == (coop["head"], coop["tail"], "COOPERATES_WITH")
        # 龙岗区 is no longer a NewCenter, and keeps no new-centre property; nothing else changed
        labels, props = after_nodes["440307"]
        assert schema.NEW_CENTER not in labels and not any(k.startswith("newcenter_") for k in props)
        assert schema.NEW_CENTER in before_nodes["440307"][0]
        changed = {k for k in after_nodes if after_nodes[k] != before_nodes[k]}
        assert changed == {"440307"} and set(after_nodes) == set(before_nodes)
        assert all(after_rels[k] == before_rels[k] for k in after_rels)
        assert ("firm:converge-test", "320100", "LOCATED_IN", "hq") in after_rels
        # and loading the full build again brings the row back: the database is the build again
        load_graph(loaded, graph, progress=False)
        assert snapshot(loaded) == (before_nodes, before_rels)
    finally:
        loaded.execute_query("MATCH (o:Organization {id: 'firm:converge-test'}) DETACH DELETE o")
        load_graph(loaded, graph, progress=False)
    assert database_counts(loaded) == counts(graph)


@pytest.mark.neo4j
def test_a_relationship_whose_end_is_missing_fails_and_writes_nothing(loaded):
    before = database_counts(loaded)
    query = rel_query("COOPERATES_WITH", "Place", "Place")
    rows = [{"start": "320100", "end": "320200", "key": "converge-ok", "props": {"key": "converge-ok"}},
            {"start": "320100", "end": "999999", "key": "converge-bad", "props": {"key": "converge-bad"}}]
    with loaded.session() as session:
        with pytest.raises(LoadError, match=r"320100 -> 999999 \(key 'converge-bad'\): 999999 not in the database"):
            session.execute_write(_write_rel_batch, query, rows)
    assert database_counts(loaded) == before          # the batch was rolled back, the good row too


def test_a_relationship_to_a_node_the_graph_lacks_is_refused_before_loading():
    from kg.model.graph import add_node, new_graph
    from kg.store.neo4j_load import rel_batches

    g = new_graph()
    add_node(g, "320100", ["Place", "City"], adcode="320100", name="南京市")
    g.add_edge("320100", "999999", key="k", type="COOPERATES_WITH")
    with pytest.raises(LoadError, match="'999999' is not a node of the graph"):
        rel_batches(g)
