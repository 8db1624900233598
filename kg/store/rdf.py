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
from typing import Collection, Iterator, NamedTuple
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


class Lit(NamedTuple):
    """A literal as plain text: lexical form, datatype IRI (None: a plain string), language.

    The export is produced as these light terms (IRIs are plain ``str``), which the
    Turtle writer and the validator (``kg/shacl.py``) read directly; ``triples`` turns
    them into rdflib terms for callers that want an rdflib graph."""
    lexical: str
    datatype: str | None = None
    lang: str | None = None


_XSD_INTEGER, _XSD_DOUBLE, _XSD_BOOLEAN = str(XSD.integer), str(XSD.double), str(XSD.boolean)
_RDF_TYPE, _RDFS_LABEL = str(RDF.type), str(RDFS.label)
_RDF_SUBJECT, _RDF_PREDICATE, _RDF_OBJECT = str(RDF.subject), str(RDF.predicate), str(RDF.object)
_ASSERTION, _DERIVATION, _KEY, _ID = (str(CKG.Assertion), str(CKG.Derivation), str(CKG.key),
                                      str(CKG.id))
_PROPS: dict[str, str] = {}


def _prop(name: str) -> str:
    """``ckg:<name>`` for a property key or label (cached: the same few keys recur ~100k times)."""
    iri = _PROPS.get(name)
    if iri is None:
        iri = _PROPS[name] = str(CKG) + quote(name, safe="")
    return iri


def _literals(value) -> list[Lit]:
    """One literal per value: lists give several, missing values (None, NaN, '') none."""
    if isinstance(value, str):
        return [Lit(value)] if value else []
    if isinstance(value, (list, tuple, set)):
        return [lit for item in value for lit in _literals(item)]
    if hasattr(value, "item") and not isinstance(value, bytes):
        value = value.item()  # numpy / pandas scalars -> Python
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, dict):
        return [Lit(json.dumps(value, ensure_ascii=False))]
    if isinstance(value, bool):
        return [Lit("true" if value else "false", _XSD_BOOLEAN)]
    if isinstance(value, int):
        return [Lit(str(value), _XSD_INTEGER)]
    if isinstance(value, float):
        lexical = repr(value) if math.isfinite(value) else ("INF" if value > 0 else "-INF")
        return [Lit(lexical, _XSD_DOUBLE)]
    return [Lit(str(value))]


def raw_triples(g: nx.MultiDiGraph, node_props: Collection[str] | None = None,
                derivations: bool = True) -> Iterator[tuple]:
    """Every RDF triple of the graph as light terms (IRI ``str``, ``Lit``); the triples of
    one subject come together.

    ``node_props`` keeps only those node properties (``None``: all, plus ``rdfs:label``);
    ``derivations=False`` leaves out the statement nodes of derived relationships
    (their direct triples stay). Validation uses both to build only what the shapes read.
    """
    iris = {}
    for key, data in g.nodes(data=True):
        s = iris[key] = str(node_iri(key, data))
        for label in data.get("labels") or ():
            yield s, _RDF_TYPE, _prop(label)
        if not schema.is_place(data) and (node_props is None or "id" in node_props):
            yield s, _ID, Lit(str(data.get("id", key)))
        if node_props is None:
            if data.get("name"):
                yield s, _RDFS_LABEL, Lit(data["name"], None, "zh")
            if data.get("name_en"):
                yield s, _RDFS_LABEL, Lit(data["name_en"], None, "en")
        for name, value in data.items():
            if name not in ("labels", "id") and (node_props is None or name in node_props):
                p = _prop(name)
                for lit in _literals(value):
                    yield s, p, lit
    derived_types = schema.DERIVED_TYPES
    for u, v, key, data in g.edges(keys=True, data=True):
        rel_type = str(data.get("type"))
        s, o, p = iris[u], iris[v], _prop(rel_type)
        yield s, p, o
        derived = rel_type in derived_types
        if derived and not derivations:
            continue
        a = str(statement_iri(u, v, key))
        yield a, _RDF_TYPE, _DERIVATION if derived else _ASSERTION
        yield a, _RDF_SUBJECT, s
        yield a, _RDF_PREDICATE, p
        yield a, _RDF_OBJECT, o
        yield a, _KEY, Lit(key)
        for name, value in data.items():
            if name != "type":
                pr = _prop(name)
                for lit in _literals(value):
                    yield a, pr, lit


def to_term(term):
    """A light term as an rdflib term (``URIRef`` or ``Literal``)."""
    if isinstance(term, Lit):
        if term.lang:
            return Literal(term.lexical, lang=term.lang)
        return Literal(term.lexical, datatype=URIRef(term.datatype) if term.datatype else None)
    return URIRef(term)


def triples(g: nx.MultiDiGraph, node_props: Collection[str] | None = None,
            derivations: bool = True) -> Iterator[tuple]:
    """``raw_triples`` as rdflib terms (IRIs made once each)."""
    iris: dict[str, URIRef] = {}
    for s, p, o in raw_triples(g, node_props, derivations):
        s_ = iris.get(s) or iris.setdefault(s, URIRef(s))
        p_ = iris.get(p) or iris.setdefault(p, URIRef(p))
        if isinstance(o, Lit):
            o_ = to_term(o)
        else:
            o_ = iris.get(o) or iris.setdefault(o, URIRef(o))
        yield s_, p_, o_


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
        for s, p, o in raw_triples(g):
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
_TERMS: dict[str, str] = {}


def _predicate(term) -> str:
    return "a" if term == _RDF_TYPE else _turtle(term)


def _turtle(term) -> str:
    """One light term (IRI ``str`` or ``Lit``) in Turtle syntax."""
    if isinstance(term, Lit):
        text, datatype = term.lexical, term.datatype
        if (datatype == _XSD_INTEGER and _INTEGER.match(text)) or (
                datatype == _XSD_BOOLEAN and text in ("true", "false")):
            return text  # Turtle's shorthand for these two datatypes
        quoted = '"' + text.translate(_ESCAPES) + '"'
        if term.lang:
            return f"{quoted}@{term.lang}"
        if datatype is not None:
            return f"{quoted}^^{_turtle(datatype)}"
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
