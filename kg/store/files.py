"""Write the graph to plain files and read it back: nodes.csv, relationships.csv,
graph.graphml and graph.ttl. ``read_build`` restores the exact MultiDiGraph, so
analyses give the same results from the files as from the build in memory.

Property columns carry their type in the header (``year:int``, ``aliases:string[]``),
lists are ``;``-joined, so ``read_build`` restores every value with its type.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx

from kg.model import schema
from kg.model.graph import new_graph
from kg.store.geo import write_geo

SEP = ";"
# Column headers carry the value type, as neo4j-admin import headers do: ``year:int``.
_TYPES = {bool: "boolean", int: "int", float: "float", str: "string"}
_PARSE = {"boolean": lambda t: t == "true", "int": int, "float": float, "string": str}


def _column_type(values) -> str:
    """The header type of a column: scalar type, ``[]`` suffix for lists; str when mixed."""
    kinds = set()
    for v in values:
        if isinstance(v, (list, tuple)):
            kinds |= {_TYPES.get(type(x), "string") + "[]" for x in v} or {"string[]"}
        elif v is not None:
            kinds.add(_TYPES.get(type(v), "string"))
    if kinds == {"int", "float"}:
        return "float"
    return kinds.pop() if len(kinds) == 1 else "string"


def _cell(value, typ: str) -> str:
    if value is None or value == "":
        return ""
    if typ.endswith("[]"):
        return SEP.join(str(v) for v in value)
    if typ == "boolean":
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _parse(text: str, typ: str):
    if text == "":
        return None
    if typ.endswith("[]"):
        return [_PARSE[typ[:-2]](t) for t in text.split(SEP)]
    return _PARSE[typ](text)


def write_all(g: nx.MultiDiGraph, out: Path) -> None:
    out = Path(out)
    write_csv(g, out)
    write_graphml(g, out / "graph.graphml")
    from kg.store.rdf import write_turtle

    write_turtle(g, out / "graph.ttl")
    write_geo(g, out)  # places (points, polygons) with their statistics and flows, as GeoJSON


def _write_table(path: Path, fixed: list[str], rows: list[tuple[list, dict]]) -> None:
    cols = sorted({k for _, props in rows for k in props})
    types = {c: _column_type(props.get(c) for _, props in rows) for c in cols}
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([*fixed, *(f"{c}:{types[c]}" for c in cols)])
        for head, props in rows:
            w.writerow([*head, *(_cell(props.get(c), types[c]) for c in cols)])


def write_csv(g: nx.MultiDiGraph, out: Path) -> None:
    """nodes.csv (key, labels, typed property columns) and relationships.csv."""
    out = Path(out)
    nodes = [([key, SEP.join(d["labels"])], {k: v for k, v in d.items() if k != "labels"})
             for key, d in sorted(g.nodes(data=True))]
    _write_table(out / "nodes.csv", ["key", "labels"], nodes)
    rels = [([u, v, d["type"], k], {a: b for a, b in d.items() if a != "type"})
            for u, v, k, d in sorted(g.edges(keys=True, data=True), key=lambda e: e[:3])]
    _write_table(out / "relationships.csv", ["start", "end", "type", "key"], rels)


def _last_build_file() -> Path:
    from kg.paths import CACHE

    return CACHE / "last_build.json"


def remember_build(out: Path) -> None:
    """Note ``out`` as the last build (a pointer under ``kg.paths.CACHE``, outside the repo)."""
    path = _last_build_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"path": str(Path(out).resolve())}), encoding="utf-8")
    tmp.replace(path)


def last_build() -> Path | None:
    """The folder of the last ``citykg build`` if it still holds a build, else None."""
    try:
        folder = Path(json.loads(_last_build_file().read_text(encoding="utf-8"))["path"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return folder if (folder / "nodes.csv").is_file() else None


class BuildFileError(ValueError):
    """A build file that cannot be read back (damaged or hand-edited); names file and line."""


def _read_table(path: Path, fixed: tuple[str, ...]):
    # A build folder may have been edited by hand or cut short by a full disk: every
    # problem is reported as "file:line: reason" instead of a stack trace.
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise BuildFileError(f"{path}: missing; run `citykg build` again") from None
    except UnicodeDecodeError as exc:
        raise BuildFileError(f"{path}: not UTF-8 (byte {exc.start}); run `citykg build` again") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        if tuple(header[:len(fixed)]) != fixed:
            raise BuildFileError(f"{path}:1: header must start with {','.join(fixed)}")
        typed = [h.rsplit(":", 1) for h in header[len(fixed):]]
        bad = [h for h, t in zip(header[len(fixed):], typed)
               if len(t) != 2 or t[1].removesuffix("[]") not in _PARSE]
        if bad:
            raise BuildFileError(f"{path}:1: column(s) {', '.join(bad)} lack a type such as :int or :string")
        for row in reader:
            where = f"{path}:{reader.line_num}"
            if len(row) != len(header):
                raise BuildFileError(f"{where}: {len(row)} cells, the header has {len(header)}")
            props = {}
            for (name, typ), cell in zip(typed, row[len(fixed):]):
                try:
                    val = _parse(cell, typ)
                except ValueError:
                    raise BuildFileError(f"{where}: {name}: {cell[:40]!r} is not a {typ}") from None
                if val is not None:
                    props[name] = val
            yield where, row[:len(fixed)], props
    except csv.Error as exc:
        raise BuildFileError(f"{path}:{reader.line_num}: {exc}") from None


def read_build(folder: Path) -> nx.MultiDiGraph:
    """Read nodes.csv and relationships.csv back into the MultiDiGraph they came from.

    Raises ``BuildFileError`` (file:line: reason) for a damaged file, a repeated node key
    or a relationship whose end is not in nodes.csv.
    """
    folder = Path(folder)
    g = new_graph()
    for where, (key, labels), props in _read_table(folder / "nodes.csv", ("key", "labels")):
        if key in g:
            raise BuildFileError(f"{where}: node {key} is given twice")
        if unknown := [lab for lab in labels.split(SEP) if lab not in schema.LABELS]:
            raise BuildFileError(f"{where}: unknown label(s) {', '.join(map(repr, unknown))}")
        g.add_node(key, labels=labels.split(SEP), **props)
    for where, (u, v, typ, k), props in _read_table(folder / "relationships.csv",
                                                    ("start", "end", "type", "key")):
        if typ not in schema.REL_TYPES:
            raise BuildFileError(f"{where}: unknown relationship type {typ!r}")
        for end in (u, v):
            if end not in g:  # networkx would silently add a node without labels
                raise BuildFileError(f"{where}: relationship end {end!r} is not in nodes.csv")
        if g.has_edge(u, v, key=k):
            raise BuildFileError(f"{where}: relationship {u} -{typ}-> {v} with key {k!r} is given twice")
        g.add_edge(u, v, key=k, type=typ, **props)
    return g


def _flat(value):
    """GraphML has no lists: join them."""
    return SEP.join(map(str, value)) if isinstance(value, (list, tuple)) else value


_GRAPHML_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}


def _graphml_types(items) -> dict[str, str]:
    """attr.type of each attribute: its Python type's; int and float mixed: double; else string."""
    seen: dict[str, set] = {}
    for data in items:
        for name, value in data.items():
            seen.setdefault(name, set()).add(type(_flat(value)))
    types = {}
    for name, kinds in seen.items():
        names = {_GRAPHML_TYPES.get(k, "string") for k in kinds}
        types[name] = names.pop() if len(names) == 1 else (
            "double" if names == {"long", "double"} else "string")
    return types


def write_graphml(g: nx.MultiDiGraph, path: Path) -> None:
    """Write ``g`` as GraphML, streamed: one pass for the key declarations, one to write.

    Reads back with ``networkx.read_graphml`` as networkx's own writer's file does (lists
    ``;``-joined), without building a copy of the graph or an XML tree in memory."""
    from xml.sax.saxutils import escape, quoteattr

    node_types = _graphml_types(d for _, d in g.nodes(data=True))
    edge_types = _graphml_types(d for _, _, d in g.edges(data=True))
    ids: dict[tuple[str, str], str] = {}
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("<?xml version='1.0' encoding='utf-8'?>\n<graphml xmlns=\"http://graphml.graphdrawing"
                 ".org/xmlns\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLoca"
                 "tion=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1"
                 ".0/graphml.xsd\">\n")
        for scope, types in (("node", node_types), ("edge", edge_types)):
            for name, typ in types.items():
                key = ids[scope, name] = f"d{len(ids)}"
                fh.write(f'  <key id="{key}" for="{scope}" attr.name={quoteattr(name)} '
                         f'attr.type="{typ}" />\n')
        fh.write('  <graph edgedefault="directed">\n')

        def data(scope: str, d: dict) -> str:
            return "".join(f'      <data key="{ids[scope, k]}">{escape(str(_flat(v)))}</data>\n'
                           for k, v in d.items())

        for key, d in g.nodes(data=True):
            fh.write(f"    <node id={quoteattr(str(key))}>\n{data('node', d)}    </node>\n")
        for u, v, k, d in g.edges(keys=True, data=True):
            fh.write(f"    <edge source={quoteattr(str(u))} target={quoteattr(str(v))} "
                     f"id={quoteattr(str(k))}>\n{data('edge', d)}    </edge>\n")
        fh.write("  </graph>\n</graphml>\n")
