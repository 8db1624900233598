"""Write the graph to plain files and read it back: nodes.csv, relationships.csv,
graph.graphml and graph.ttl. ``read_build`` restores the exact MultiDiGraph, so
analyses give the same results from the files as from the build in memory.

List-valued properties (labels, aliases) are stored as ``;``-joined strings in CSV.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx

from kg.model.graph import new_graph

LIST_PROPS = ("labels", "aliases")
SEP = ";"


def _flat(value):
    if isinstance(value, (list, tuple)):
        return SEP.join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_all(g: nx.MultiDiGraph, out: Path) -> None:
    out = Path(out)
    write_csv(g, out)
    write_graphml(g, out / "graph.graphml")
    from kg.store.rdf import write_turtle

    write_turtle(g, out / "graph.ttl")


def write_csv(g: nx.MultiDiGraph, out: Path) -> None:
    node_cols = sorted({k for _, d in g.nodes(data=True) for k in d} - {"labels"})
    with open(out / "nodes.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["key", "labels", *node_cols])
        for key, d in sorted(g.nodes(data=True)):
            w.writerow([key, _flat(d["labels"]), *(_flat(d.get(c, "")) for c in node_cols)])
    rel_cols = sorted({k for *_, d in g.edges(data=True) for k in d} - {"type"})
    with open(out / "relationships.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["start", "end", "type", "key", *rel_cols])
        for u, v, k, d in sorted(g.edges(keys=True, data=True), key=lambda e: e[:3]):
            w.writerow([u, v, d["type"], k, *(_flat(d.get(c, "")) for c in rel_cols)])


def _typed(col: str, text: str):
    if text == "":
        return None
    if col in LIST_PROPS:
        return text.split(SEP)
    if col in ("lon", "lat", "confidence", "value", "weight", "output_value"):
        try:
            return float(text)
        except ValueError:
            return text
    if col in ("year", "valid_from", "valid_to"):
        try:
            return int(text)
        except ValueError:
            return text
    if text in ("True", "False"):
        return text == "True"
    return text


def read_build(folder: Path) -> nx.MultiDiGraph:
    """Read nodes.csv and relationships.csv back into the MultiDiGraph they came from."""
    folder = Path(folder)
    g = new_graph()
    with open(folder / "nodes.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = row.pop("key")
            g.add_node(key, **{c: v for c in row if (v := _typed(c, row[c])) is not None})
    with open(folder / "relationships.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            u, v, k = row.pop("start"), row.pop("end"), row.pop("key")
            g.add_edge(u, v, key=k, **{c: x for c in row if (x := _typed(c, row[c])) is not None})
    return g


def write_graphml(g: nx.MultiDiGraph, path: Path) -> None:
    h = nx.MultiDiGraph()
    for key, d in g.nodes(data=True):
        h.add_node(key, **{k: _flat(v) for k, v in d.items()})
    for u, v, k, d in g.edges(keys=True, data=True):
        h.add_edge(u, v, key=k, **{a: _flat(b) for a, b in d.items()})
    nx.write_graphml(h, path)
