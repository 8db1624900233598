"""The in-memory knowledge graph: one ``networkx.MultiDiGraph``.

Node keys are ``adcode`` strings for places and slug ``id`` strings for every other
node. Node attributes: ``labels`` (list of schema labels), ``name``, ``name_en``,
``aliases`` (list), plus free properties. Edge keys are ``TYPE`` or
``TYPE|source_id`` so that two documents stating the same fact stay two
relationships, each with its own quote. Edge attribute ``type`` holds the type.

>>> g = new_graph()
>>> add_node(g, "320100", ["Place", "City"], name="南京市")
>>> add_node(g, "320000", ["Place", "Province"], name="江苏省")
>>> add_rel(g, "320100", "320000", "BELONGS_TO")
'BELONGS_TO'
>>> [d["type"] for _, _, d in g.edges(data=True)]
['BELONGS_TO']
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable, Iterator

import networkx as nx

from kg.model import schema


class SchemaError(ValueError):
    """A node or relationship that the schema does not allow."""


def new_graph() -> nx.MultiDiGraph:
    return nx.MultiDiGraph(name="citykg")


def add_node(g: nx.MultiDiGraph, key: str, labels: Iterable[str], **props) -> None:
    """Add a node, or merge labels and properties into an existing one."""
    labels = list(labels)
    unknown = [lab for lab in labels if lab not in schema.LABELS]
    if unknown:
        raise SchemaError(f"node {key}: unknown label(s) {unknown}")
    props = {k: v for k, v in props.items() if v is not None and v != ""}
    if key in g:
        data = g.nodes[key]
        data["labels"] = list(dict.fromkeys([*data["labels"], *labels]))
        for k, v in props.items():
            if k == "aliases":
                data["aliases"] = list(dict.fromkeys([*data.get("aliases", []), *v]))
            else:
                data.setdefault(k, v)
    else:
        g.add_node(key, labels=labels, **props)


def rel_key(rel_type: str, props: dict) -> str:
    source = props.get("source_id")
    if rel_type == schema.LINKED_TO:  # one flow per pair, mode, source and year
        return f"{rel_type}|{props.get('mode')}|{source}|{props.get('year')}"
    return f"{rel_type}|{source}" if source else rel_type


def add_rel(g: nx.MultiDiGraph, u: str, v: str, rel_type: str, **props) -> str:
    """Add a relationship after checking its type, its endpoints and its provenance."""
    if rel_type not in schema.REL_TYPES:
        raise SchemaError(f"unknown relationship type {rel_type}")
    for end in (u, v):
        if end not in g:
            raise SchemaError(f"{rel_type} {u}->{v}: node {end} does not exist")
    src_labels, dst_labels = schema.REL_TYPES[rel_type]
    if not set(g.nodes[u]["labels"]) & set(src_labels):
        raise SchemaError(f"{rel_type} cannot start at {u} {g.nodes[u]['labels']}")
    if not set(g.nodes[v]["labels"]) & set(dst_labels):
        raise SchemaError(f"{rel_type} cannot end at {v} {g.nodes[v]['labels']}")
    props = {k: val for k, val in props.items() if val is not None and val != ""}
    if rel_type not in schema.DERIVED_TYPES:
        missing = [p for p in schema.PROVENANCE_REQUIRED if p not in props]
        if missing:
            raise SchemaError(f"{rel_type} {u}->{v}: missing provenance {missing}")
    key = rel_key(rel_type, props)
    g.add_edge(u, v, key=key, type=rel_type, **props)
    return key


def nodes_with(g: nx.MultiDiGraph, label: str) -> Iterator[tuple[str, dict]]:
    """(key, attrs) of every node that carries ``label``."""
    for key, data in g.nodes(data=True):
        if label in data["labels"]:
            yield key, data


def rels_of(g: nx.MultiDiGraph, rel_type: str) -> Iterator[tuple[str, str, dict]]:
    """(u, v, attrs) of every relationship of ``rel_type``."""
    for u, v, data in g.edges(data=True):
        if data["type"] == rel_type:
            yield u, v, data


def counts(g: nx.MultiDiGraph) -> dict[str, dict[str, int]]:
    """Counts of nodes by label and relationships by type (what build_report.json holds)."""
    labels = Counter(lab for _, d in g.nodes(data=True) for lab in d["labels"])
    types = Counter(d["type"] for _, _, d in g.edges(data=True))
    return {"nodes": len(g), "relationships": g.number_of_edges(),
            "labels": dict(sorted(labels.items())), "types": dict(sorted(types.items()))}
