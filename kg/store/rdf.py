"""The graph as RDF, following ``ontology/citykg.ttl`` (layout: ontology/README.md).

Every node becomes a resource typed with all its labels (``ckg:Place``, ``ckg:City``…);
places live at ``…/resource/place/<adcode>``, other nodes at
``…/resource/<label-lowercase>/<percent-encoded id>``. Every relationship becomes
the direct triple (``<南京市> ckg:MEMBER_OF <长三角城市群>``) plus one statement node
(``rdf:subject`` / ``rdf:predicate`` / ``rdf:object``) that carries its properties:
a ``ckg:Assertion`` when a source states it, a ``ckg:Derivation`` when it was
computed (BELONGS_TO, ADJACENT_TO). Two documents stating one fact stay two
assertions of one triple.

>>> from kg.model.graph import new_graph, add_node, add_rel
>>> g = new_graph()
>>> add_node(g, "320100", ["Place", "City"], adcode="320100", name="南京市")
>>> add_node(g, "cluster:yrd", ["CityCluster"], name="长三角城市群")
>>> _ = add_rel(g, "320100", "cluster:yrd", "MEMBER_OF", source_id="doc1", year=2016)
>>> rdf = to_rdf(g)
>>> print(node_iri("cluster:yrd", g.nodes["cluster:yrd"]))
https://citykg.example.org/resource/citycluster/cluster%3Ayrd
>>> (node_iri("320100", g.nodes["320100"]), CKG.MEMBER_OF,
...  node_iri("cluster:yrd", g.nodes["cluster:yrd"])) in rdf
True
>>> [str(o) for o in rdf.objects(None, CKG.source_id)]
['doc1']
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Collection, Iterator
from urllib.parse import quote

import networkx as nx
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef

from kg.model import schema

CKG = Namespace("https://citykg.example.org/ontology#")
# A plain Namespace rather than rdflib's XSD, whose attribute guard warns under pytest's doctests.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
RESOURCE = "https://citykg.example.org/resource/"

# Turtle prefixes: the vocabularies, then one per kind of resource (place:, citycluster:…).
PREFIXES = {"ckg": str(CKG), "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD),
            "place": f"{RESOURCE}place/", "assertion": f"{RESOURCE}assertion/",
            **{lab.lower(): f"{RESOURCE}{lab.lower()}/" for lab in schema.LABELS
               if lab not in (schema.PLACE, *schema.PLACE_LEVELS)}}


def node_iri(key: str, data: dict) -> URIRef:
    """The IRI of a node: ``place/<adcode>`` for places, ``<label>/<id>`` otherwise."""
    if schema.is_place(data):
        return URIRef(f"{RESOURCE}place/{quote(key, safe='')}")
    return URIRef(f"{RESOURCE}{_main_label(data).lower()}/{quote(key, safe='')}")


def statement_iri(u: str, v: str, key: str) -> URIRef:
    """The IRI of the statement node of relationship ``u -[key]-> v``."""
    return URIRef(f"{RESOURCE}assertion/{quote(u, safe='')}/{quote(key, safe='')}/"
                  f"{quote(v, safe='')}")


def _main_label(data: dict) -> str:
    """The first of a node's labels in schema order: stable however labels were added."""
    labels = data.get("labels") or ()
    for label in schema.LABELS:
        if label in labels:
            return label
    return "node"  # no schema label at all: the IRI stays readable


_PROPS: dict[str, URIRef] = {}


def _prop(name: str) -> URIRef:
    """``ckg:<name>`` for a property key (cached: the same few keys recur ~100k times)."""
    iri = _PROPS.get(name)
    if iri is None:
        iri = _PROPS[name] = CKG[quote(name, safe="")]
    return iri


def _literals(value) -> list[Literal]:
    """One literal per value: lists give several, missing values (None, NaN, '') none."""
    if isinstance(value, (list, tuple, set)):
        return [lit for item in value for lit in _literals(item)]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy / pandas scalars -> Python
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, dict):
        return [Literal(json.dumps(value, ensure_ascii=False))]
    if isinstance(value, bool):
        return [Literal(value, datatype=XSD.boolean)]
    if isinstance(value, int):
        return [Literal(value, datatype=XSD.integer)]
    if isinstance(value, float):
        lexical = repr(value) if math.isfinite(value) else ("INF" if value > 0 else "-INF")
        return [Literal(lexical, datatype=XSD.double)]
    return [Literal(str(value))]


def triples(g: nx.MultiDiGraph, node_props: Collection[str] | None = None,
            derivations: bool = True) -> Iterator[tuple]:
    """Every RDF triple of the graph; the triples of one subject come together.

    ``node_props`` keeps only those node properties (``None``: all, plus ``rdfs:label``);
    ``derivations=False`` leaves out the statement nodes of derived relationships
    (their direct triples stay). Validation uses both to build only what the shapes read.
    """
    iris = {}
    for key, data in g.nodes(data=True):
        s = iris[key] = node_iri(key, data)
        for label in data.get("labels") or ():
            yield s, RDF.type, CKG[label]
        if not schema.is_place(data) and (node_props is None or "id" in node_props):
            yield s, CKG.id, Literal(str(data.get("id", key)))
        if node_props is None:
            if data.get("name"):
                yield s, RDFS.label, Literal(data["name"], lang="zh")
            if data.get("name_en"):
                yield s, RDFS.label, Literal(data["name_en"], lang="en")
        for name, value in data.items():
            if name not in ("labels", "id") and (node_props is None or name in node_props):
                p = _prop(name)
                for lit in _literals(value):
                    yield s, p, lit
    for u, v, key, data in g.edges(keys=True, data=True):
        rel_type = str(data.get("type"))
        s, o, p = iris[u], iris[v], CKG[rel_type]
        yield s, p, o
        derived = rel_type in schema.DERIVED_TYPES
        if derived and not derivations:
            continue
        a = statement_iri(u, v, key)
        yield a, RDF.type, CKG.Derivation if derived else CKG.Assertion
        yield a, RDF.subject, s
        yield a, RDF.predicate, p
        yield a, RDF.object, o
        yield a, CKG.key, Literal(key)
        for name, value in data.items():
            if name != "type":
                pr = _prop(name)
                for lit in _literals(value):
                    yield a, pr, lit


def new_rdf_graph() -> Graph:
    """An empty rdflib graph with the citykg prefixes bound."""
    rdf = Graph()
    for prefix, ns in PREFIXES.items():
        rdf.bind(prefix, ns, replace=True)
    return rdf


def to_rdf(g: nx.MultiDiGraph, node_props: Collection[str] | None = None,
           derivations: bool = True) -> Graph:
    """The graph as an rdflib Graph (triples added in bulk); arguments as in ``triples``."""
    rdf = new_rdf_graph()
    rdf.addN((s, p, o, rdf) for s, p, o in triples(g, node_props, derivations))
    return rdf


def write_turtle(g: nx.MultiDiGraph, path: Path) -> None:
    """Write the graph as Turtle to ``path``.

    Streams ``triples(g)`` straight to text: rdflib's own Turtle serializer sorts
    and inspects the whole graph and takes ~10x longer on the full build.
    """
    with open(path, "w", encoding="utf-8") as fh:
        for prefix, ns in PREFIXES.items():
            fh.write(f"@prefix {prefix}: <{ns}> .\n")
        subject = predicate = None
        for s, p, o in triples(g):
            if s != subject:
                fh.write(" .\n\n" if subject is not None else "\n")
                fh.write(f"{_turtle(s)} {_predicate(p)} {_turtle(o)}")
            elif p != predicate:
                fh.write(f" ;\n    {_predicate(p)} {_turtle(o)}")
            else:
                fh.write(f" , {_turtle(o)}")
            subject, predicate = s, p
        if subject is not None:
            fh.write(" .\n")


# A local name that needs no escaping in Turtle (a safe subset of PN_LOCAL).
_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_%-]*[A-Za-z0-9_])?$")
_INTEGER = re.compile(r"[+-]?[0-9]+$")
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t",
                          **{chr(c): f"\\u{c:04X}" for c in range(32) if c not in (9, 10, 13)}})
_NAMESPACES = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))  # longest match first
_TERMS: dict[URIRef, str] = {}


def _predicate(term) -> str:
    return "a" if term == RDF.type else _turtle(term)


def _turtle(term) -> str:
    """One RDF term in Turtle syntax."""
    if isinstance(term, Literal):
        text = str(term)
        if (term.datatype == XSD.integer and _INTEGER.match(text)) or (
                term.datatype == XSD.boolean and text in ("true", "false")):
            return text  # Turtle's shorthand for these two datatypes
        quoted = '"' + text.translate(_ESCAPES) + '"'
        if term.language:
            return f"{quoted}@{term.language}"
        if term.datatype is not None:
            return f"{quoted}^^{_turtle(term.datatype)}"
        return quoted
    cached = _TERMS.get(term)
    if cached is None:
        cached = f"<{term}>"
        for prefix, ns in _NAMESPACES:
            if term.startswith(ns) and _LOCAL.match(term[len(ns):]):
                cached = f"{prefix}:{term[len(ns):]}"
                break
        if len(_TERMS) < 100_000:  # vocabulary and node IRIs recur; bound the cache anyway
            _TERMS[term] = cached
    return cached
