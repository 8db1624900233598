"""Load the in-memory graph into Neo4j, idempotently, converging to exactly the graph.

Constraints and indexes come first, then nodes and relationships in batches of
``UNWIND $rows AS row MERGE ...``, one transaction per batch. Places are merged on
``adcode``, every other node on ``id``; a relationship is merged on its start, end,
type and ``key`` (the MultiDiGraph edge key), so loading the same graph twice changes
nothing, and two documents stating the same fact stay two relationships.

A load converges: ``SET n = props`` replaces a node's properties, labels the graph no longer
gives a node are removed, and, after everything is written, nodes and relationships that the
graph no longer has are deleted (``prune``). Only what a citykg load writes is ever deleted: a
node with a schema label and its key (``adcode``/``id``), a relationship of a schema type with
its ``key``. Firm imports (``citykg firms import``: Organization nodes with a ``firm_id`` and the
relationships from them) are another layer and are kept, as is anything else. A
relationship whose end is missing in the database fails the load, naming it; it is never
counted as loaded.

Values always travel as query parameters. Labels and relationship types cannot be
parameters in Cypher, so they are checked against ``kg.model.schema`` before they
are written into a query string.

>>> node_query("Place", ["Place", "City"])
'UNWIND $rows AS row MERGE (n:Place {adcode: row.key}) SET n = row.props SET n:City'
"""
from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path

import networkx as nx

from kg.model import schema

DEFAULT_BATCH_SIZE = 1000
# Retries of one batch on transient errors (deadlock, server briefly away) stop after this
# many seconds; the load then fails with a clear message instead of hanging.
DEFAULT_RETRY_SECONDS = 30.0


class LoadError(RuntimeError):
    """The graph holds something that cannot be loaded; the message says what."""


# --- query text (labels and types only from the schema) -----------------------

def _label(name: str) -> str:
    if name not in schema.LABELS:
        raise LoadError(f"unknown label {name!r} (not in kg.model.schema.LABELS)")
    return name


def _rel_type(name: str) -> str:
    if name not in schema.REL_TYPES:
        raise LoadError(f"unknown relationship type {name!r} (not in kg.model.schema.REL_TYPES)")
    return name


def primary_label(labels) -> str:
    """The label a node is merged on: Place for places, else its first schema label."""
    if schema.PLACE in labels:
        return schema.PLACE
    for lab in schema.LABELS:
        if lab in labels:
            return lab
    raise LoadError(f"node has no schema label: {labels}")


def key_property(label: str) -> str:
    return schema.PLACE_KEY if label == schema.PLACE else schema.NODE_KEY


def schema_statements() -> list[str]:
    """Uniqueness constraints (adcode on Place, id on every other label) and name indexes."""
    stmts = [f"CREATE CONSTRAINT place_adcode IF NOT EXISTS FOR (n:{schema.PLACE}) "
             f"REQUIRE n.{schema.PLACE_KEY} IS UNIQUE"]
    for lab in schema.LABELS:
        if lab not in (schema.PLACE, *schema.PLACE_LEVELS):
            stmts.append(f"CREATE CONSTRAINT {lab.lower()}_id IF NOT EXISTS FOR (n:{_label(lab)}) "
                         f"REQUIRE n.{schema.NODE_KEY} IS UNIQUE")
    for lab in schema.LABELS:
        stmts.append(f"CREATE INDEX {lab.lower()}_name IF NOT EXISTS FOR (n:{_label(lab)}) ON (n.name)")
    return stmts


def node_query(label: str, labels) -> str:
    extra = "".join(f":{_label(lab)}" for lab in labels if lab != label)
    query = (f"UNWIND $rows AS row MERGE (n:{_label(label)} {{{key_property(label)}: row.key}}) "
             "SET n = row.props")
    return query + (f" SET n{extra}" if extra else "")


def rel_query(rel_type: str, start_label: str, end_label: str) -> str:
    return (f"UNWIND $rows AS row "
            f"MATCH (a:{_label(start_label)} {{{key_property(start_label)}: row.start}}) "
            f"MATCH (b:{_label(end_label)} {{{key_property(end_label)}: row.end}}) "
            f"MERGE (a)-[r:{_rel_type(rel_type)} {{key: row.key}}]->(b) SET r = row.props "
            "RETURN count(r) AS n")


# --- values -------------------------------------------------------------------

def _value(v):
    """A property value Neo4j can store: primitives, or homogeneous lists of primitives."""
    if hasattr(v, "item") and not isinstance(v, (list, tuple, dict)):
        v = v.item()  # numpy scalars
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, (str, bool, int, float)):
        return v
    if isinstance(v, (list, tuple, set)):
        items = [_value(x) for x in v if x is not None]
        if any(isinstance(x, (list, dict)) for x in items) or len({type(x) for x in items}) > 1:
            return [json.dumps(x, ensure_ascii=False) if not isinstance(x, str) else x for x in items]
        return items
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    return str(v)


def _props(attrs: dict, drop: tuple[str, ...]) -> dict:
    out = {}
    for k, v in attrs.items():
        if k in drop:
            continue
        value = _value(v)
        if value is not None:
            out[k] = value
    return out


# --- rows grouped by query ----------------------------------------------------

def node_batches(g: nx.MultiDiGraph) -> dict[tuple[str, tuple[str, ...]], list[dict]]:
    """Rows per (merge label, full label set)."""
    groups: dict = defaultdict(list)
    for key, attrs in g.nodes(data=True):
        labels = tuple(attrs.get("labels") or ())
        label = primary_label(labels)
        props = _props(attrs, ("labels",))
        props[key_property(label)] = key
        groups[(label, labels)].append({"key": key, "props": props})
    return groups


def rel_batches(g: nx.MultiDiGraph) -> dict[tuple[str, str, str], list[dict]]:
    """Rows per (type, start merge label, end merge label)."""
    merge_label = {key: primary_label(attrs["labels"]) for key, attrs in g.nodes(data=True)
                   if attrs.get("labels")}
    groups: dict = defaultdict(list)
    for u, v, k, attrs in g.edges(keys=True, data=True):
        for end in (u, v):
            if end not in merge_label:   # networkx adds a bare node for an unknown end
                raise LoadError(f"relationship {u} -{attrs.get('type')}-> {v} (key {k!r}): its end "
                                f"{end!r} is not a node of the graph; nothing was loaded")
        rel_type = attrs.get("type")
        if rel_type is None:
            raise LoadError(f"relationship {u}->{v} ({k}) has no type")
        props = _props(attrs, ("type",))
        props["key"] = k
        groups[(rel_type, merge_label[u], merge_label[v])].append(
            {"start": u, "end": v, "key": k, "props": props})
    return groups


# --- running ------------------------------------------------------------------

def _chunks(rows: list, size: int):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def _write_batch(tx, query: str, rows: list[dict]) -> int:
    tx.run(query, rows=rows).consume()
    return len(rows)


def _write_rel_batch(tx, query: str, rows: list[dict]) -> int:
    """Write relationships; raise (and so roll the batch back) if an end was not found."""
    written = tx.run(query, rows=rows).single()["n"]
    if written != len(rows):
        present = {r["key"] for r in tx.run(
            "UNWIND $keys AS k MATCH (n) WHERE n.adcode = k OR n.id = k RETURN DISTINCT k AS key",
            keys=sorted({e for row in rows for e in (row["start"], row["end"])}))}
        missing = [row for row in rows if row["start"] not in present or row["end"] not in present]
        shown = "; ".join(f"{r['start']} -> {r['end']} (key {r['key']!r}): "
                          f"{', '.join(e for e in (r['start'], r['end']) if e not in present) or '?'} "
                          "not in the database" for r in missing[:5])
        raise LoadError(f"{len(rows) - written} relationship(s) have an end that is not in the "
                        f"database: {shown}")
    return written


def ensure_schema(driver, database: str = "neo4j") -> None:
    # "IF NOT EXISTS" on an existing constraint makes the server send an informational
    # notification per statement, which the driver logs; a re-run should stay quiet.
    with driver.session(database=database, notifications_min_severity="OFF") as session:
        for stmt in schema_statements():
            session.run(stmt).consume()
        session.run("CALL db.awaitIndexes(300)").consume()


def load_graph(driver, g: nx.MultiDiGraph, database: str = "neo4j",
               batch_size: int = DEFAULT_BATCH_SIZE, progress: bool = True,
               retry_seconds: float = DEFAULT_RETRY_SECONDS, prune: bool = True) -> dict[str, int]:
    """MERGE every node and relationship of ``g``, then (``prune``) delete what ``g`` no longer
    has; returns {"nodes": n, "relationships": m} (and "pruned_nodes", "pruned_relationships",
    "dropped_labels" when ``prune``). ``prune=False`` only adds (a fragment, such as a test node).

    Each batch is one ``execute_write`` transaction; the driver retries it on transient
    errors (deadlocks, a server that went away) for at most ``retry_seconds``. A load
    that is killed or loses the server keeps the batches it committed, and since every
    write is a MERGE, running it again completes the graph without duplicates.
    """
    from neo4j.exceptions import ServiceUnavailable, SessionExpired, TransientError
    from rich.progress import Progress

    nodes = node_batches(g)
    rels = rel_batches(g)
    # Build every query string first, so a bad label fails before anything is written.
    node_work = [(node_query(label, labels), rows) for (label, labels), rows in sorted(nodes.items())]
    rel_work = [(rel_query(*group), rows) for group, rows in sorted(rels.items())]
    done = {"nodes": 0, "relationships": 0}
    try:
        ensure_schema(driver, database)
        with Progress(disable=not progress, transient=True) as bar, \
                driver.session(database=database, max_transaction_retry_time=retry_seconds) as session:
            for what, work in (("nodes", node_work), ("relationships", rel_work)):
                task = bar.add_task(f"loading {what}", total=sum(len(rows) for _, rows in work))
                write = _write_batch if what == "nodes" else _write_rel_batch
                for query, rows in work:
                    for chunk in _chunks(rows, batch_size):
                        done[what] += session.execute_write(write, query, chunk)
                        bar.advance(task, len(chunk))
            if prune:
                bar.add_task("removing what the build no longer has", total=None)
                done.update(prune_to(session, g, batch_size))
    except (ServiceUnavailable, SessionExpired, TransientError) as exc:
        # The server went away (restart, crash, network) and retries ran out: say how far
        # the load got and that a re-run is safe, rather than a driver stack trace.
        raise LoadError(
            f"load interrupted after {done['nodes']} of {g.number_of_nodes()} nodes and "
            f"{done['relationships']} of {g.number_of_edges()} relationships: Neo4j "
            f"{type(exc).__name__} ({exc}), still failing after {retry_seconds:g} s of retries; "
            "the committed batches are kept and loading is idempotent: when the server is "
            "back, run `citykg load` again to finish") from None
    return done


# --- convergence ------------------------------------------------------------------

# The firm layer (citykg firms import) is not part of a build: a prune leaves it alone.
NOT_FIRM = f"NOT (n:{schema.ORGANIZATION} AND 'firm_id' IN keys(n))"  # keys(): no warning when no firm exists


def _stale(session, g: nx.MultiDiGraph):
    """(stale node ids, stale relationship ids, {label: node ids that must lose it})."""
    stale_nodes, stale_rels, drop_labels = [], [], defaultdict(list)
    records = session.run(f"MATCH (n) WHERE {NOT_FIRM} AND (n.{schema.PLACE_KEY} IS NOT NULL OR "
                          f"n.{schema.NODE_KEY} IS NOT NULL) RETURN elementId(n) AS id, "
                          f"CASE WHEN n:{schema.PLACE} THEN n.{schema.PLACE_KEY} ELSE n.{schema.NODE_KEY} END AS key, "
                          "labels(n) AS labels")
    for r in records:
        if not set(r["labels"]) & set(schema.LABELS):
            continue                               # not a node a citykg load writes
        if r["key"] not in g:
            stale_nodes.append(r["id"])
            continue
        wanted = set(g.nodes[r["key"]].get("labels") or ())
        for label in set(r["labels"]) - wanted:
            drop_labels[label].append(r["id"])
    edges = {(u, v, d["type"], str(k)) for u, v, k, d in g.edges(keys=True, data=True)}
    records = session.run(f"MATCH (n)-[r]->(m) WHERE {NOT_FIRM} AND r.key IS NOT NULL "
                          "RETURN elementId(r) AS id, type(r) AS type, "
                          f"r.key AS key, CASE WHEN n:{schema.PLACE} THEN n.{schema.PLACE_KEY} ELSE n.{schema.NODE_KEY} END AS a, "
                          f"CASE WHEN m:{schema.PLACE} THEN m.{schema.PLACE_KEY} ELSE m.{schema.NODE_KEY} END AS b")
    for r in records:
        if r["type"] in schema.REL_TYPES and (r["a"], r["b"], r["type"], str(r["key"])) not in edges:
            stale_rels.append(r["id"])
    return stale_nodes, stale_rels, drop_labels


def prune_to(session, g: nx.MultiDiGraph, batch_size: int = DEFAULT_BATCH_SIZE) -> dict[str, int]:
    """Delete the relationships and nodes the database has but ``g`` does not (the firm layer
    aside), and remove labels ``g`` no longer gives a node; returns what it removed."""
    stale_nodes, stale_rels, drop_labels = _stale(session, g)
    for chunk in _chunks(stale_rels, batch_size):
        session.execute_write(_write_batch, "UNWIND $rows AS id MATCH ()-[r]->() WHERE elementId(r) = id "
                              "DELETE r", chunk)
    for chunk in _chunks(stale_nodes, batch_size):
        session.execute_write(_write_batch, "UNWIND $rows AS id MATCH (n) WHERE elementId(n) = id "
                              "DETACH DELETE n", chunk)
    for label, ids in sorted(drop_labels.items()):
        if label not in schema.LABELS:   # a label no citykg build writes: not ours to touch
            continue
        for chunk in _chunks(ids, batch_size):
            session.execute_write(_write_batch, f"UNWIND $rows AS id MATCH (n) WHERE elementId(n) = id "
                                  f"REMOVE n:{_label(label)}", chunk)
    return {"pruned_nodes": len(stale_nodes), "pruned_relationships": len(stale_rels),
            "dropped_labels": sum(len(ids) for label, ids in drop_labels.items() if label in schema.LABELS)}


def load_build(driver, folder: Path, **kwargs) -> dict[str, int]:
    """Load a build folder (nodes.csv + relationships.csv) written by ``citykg build``."""
    from kg.store.files import read_build

    return load_graph(driver, read_build(Path(folder)), **kwargs)


def clear_database(driver, database: str = "neo4j") -> None:
    """Delete every node and relationship (constraints and indexes stay)."""
    with driver.session(database=database) as session:
        # CALL {} IN TRANSACTIONS needs an auto-commit transaction, hence session.run.
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()


def database_counts(driver, database: str = "neo4j") -> dict:
    """Counts in the same shape as ``kg.model.graph.counts``."""
    labels = {r["label"]: r["n"] for r in driver.execute_query(
        "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n", database_=database).records}
    types = {r["type"]: r["n"] for r in driver.execute_query(
        "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n", database_=database).records}
    nodes = driver.execute_query("MATCH (n) RETURN count(n) AS n", database_=database).records[0]["n"]
    return {"nodes": nodes, "relationships": sum(types.values()),
            "labels": dict(sorted(labels.items())), "types": dict(sorted(types.items()))}
