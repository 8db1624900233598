"""Where the analyses read the knowledge graph from: build files, Neo4j, or a fresh build.

All three give the same ``MultiDiGraph`` shape (node key = adcode for places, ``id``
otherwise; ``labels`` list; edge key = the relationship's ``key``; edge ``type``), so
every analysis gives the same result whichever it came from (a Neo4j test checks it).
"""
from __future__ import annotations

from pathlib import Path

import networkx as nx

from kg.model import schema
from kg.model.graph import new_graph


def graph_from_build(folder: Path) -> nx.MultiDiGraph:
    """The graph written by ``citykg build`` (nodes.csv + relationships.csv)."""
    from kg.store.files import read_build

    folder = Path(folder)
    if not (folder / "nodes.csv").is_file():
        raise FileNotFoundError(f"{folder}: no nodes.csv here; run `citykg build --out {folder}`")
    return read_build(folder)


def _ordered_labels(labels) -> list[str]:
    return [lab for lab in schema.LABELS if lab in labels]


def graph_from_neo4j(driver, database: str = "neo4j") -> nx.MultiDiGraph:
    """The graph as loaded into Neo4j by ``citykg load``: every node with its labels and
    properties, every relationship with its type, ``key`` and properties."""
    g = new_graph()
    nodes = driver.execute_query(
        "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props", database_=database).records
    for rec in nodes:
        labels, props = _ordered_labels(rec["labels"]), dict(rec["props"])
        key = props.get(schema.PLACE_KEY) if schema.PLACE in labels else props.get(schema.NODE_KEY)
        if key is None:
            continue  # not a citykg node
        g.add_node(key, labels=labels, **props)
    rels = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN coalesce(a.adcode, a.id) AS u, coalesce(b.adcode, b.id) AS v, "
        "type(r) AS type, properties(r) AS props", database_=database).records
    for rec in rels:
        props = dict(rec["props"])
        key = props.pop("key", rec["type"])
        if rec["u"] in g and rec["v"] in g:
            g.add_edge(rec["u"], rec["v"], key=key, type=rec["type"], **props)
    return g


def load_graph(build: Path | None = None, neo4j: bool = False, progress=None) -> nx.MultiDiGraph:
    """From ``build`` files, from the local Neo4j server (``neo4j=True``; env
    ``NEO4J_URI``/``NEO4J_USER``/``NEO4J_PASSWORD`` as for ``citykg load``), or built now."""
    if build is not None and neo4j:
        raise ValueError("give either --build DIR or --neo4j, not both")
    if build is not None:
        return graph_from_build(build)
    if neo4j:
        from kg.store import neo4j_server

        driver = neo4j_server.connect()
        try:
            return graph_from_neo4j(driver)
        finally:
            driver.close()
    from kg.build import build_graph

    return build_graph(progress=progress)
