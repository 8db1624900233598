"""SHACL validation of the graph: ``ontology/shapes.ttl`` run by pySHACL on the RDF export.

Each violation is one line that names the node (``南京市 (320100)``) or the
relationship (``南京市 (320100) -MEMBER_OF-> 长三角城市群 (cluster:yrd)``) and the
rule it breaks (the shape's ``sh:message``).

>>> from kg.model.graph import new_graph, add_node
>>> g = new_graph()
>>> add_node(g, "320100", ["Place", "City"], name="南京市")   # no adcode property
>>> validate_graph(g).violations
['南京市 (320100): a Place has exactly one adcode of six digits']
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import networkx as nx
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH

from kg.model import schema
from kg.paths import ONTOLOGY
from kg.store.rdf import CKG, node_iri, statement_iri, to_rdf

SHAPES = ONTOLOGY / "shapes.ttl"


@dataclass
class ValidationResult:
    conforms: bool
    violations: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The SHACL shapes, parsed once per process."""
    return Graph().parse(SHAPES, format="turtle")


@lru_cache(maxsize=1)
def shape_properties() -> frozenset[str]:
    """Names of the ckg properties the shapes read (every sh:path, inverse paths included)."""
    shapes = shapes_graph()
    paths = set(shapes.objects(None, SH.path)) | set(shapes.objects(None, SH.inversePath))
    return frozenset(str(p)[len(str(CKG)):] for p in paths
                     if isinstance(p, URIRef) and p.startswith(str(CKG)))


def validate_graph(g: nx.MultiDiGraph, full: bool = False) -> ValidationResult:
    """Validate ``g`` against the SHACL shapes; violations are sorted, one line each.

    By default pySHACL gets only the part of the RDF export that the shapes read: node
    types, the node properties named in a sh:path, every direct relationship triple and
    the ckg:Assertion statements (no shape targets a ckg:Derivation). The results are the
    same as for the whole export (``full=True``; tests check it) at about half the cost.
    No inference: the export types every node with all of its labels, so the shapes
    need no ontology reasoning.
    """
    import pyshacl  # heavy import, only when validating

    data = to_rdf(g) if full else to_rdf(g, node_props=shape_properties(), derivations=False)
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes_graph(), inference="none",
                                            advanced=False, meta_shacl=False)
    return ValidationResult(bool(conforms), sorted(_describe(results, g)))


def _describe(results: Graph, g: nx.MultiDiGraph) -> list[str]:
    """Turn pySHACL's results graph into readable lines."""
    names = _Names(g)
    lines = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        message = (results.value(result, SH.resultMessage)
                   or results.value(result, SH.sourceConstraintComponent))
        where = names.describe(focus)
        if isinstance(path, URIRef) and names.is_rel_type(path) and value is not None:
            where = names.relationship(focus, path, value)
        elif isinstance(path, BNode) and value is not None:
            inverse = results.value(path, SH.inversePath)
            if inverse is not None and names.is_rel_type(inverse):
                where = names.relationship(value, inverse, focus)
        detail = f" (value: {value})" if isinstance(value, Literal) else ""
        lines.append(f"{where}: {message}{detail}")
    return lines


class _Names:
    """Maps the IRIs in a validation report back to the graph's nodes and relationships."""

    def __init__(self, g: nx.MultiDiGraph):
        self.g = g
        self.nodes = {node_iri(k, d): k for k, d in g.nodes(data=True)}
        self.rels = {statement_iri(u, v, k): (u, v, d.get("type"))
                     for u, v, k, d in g.edges(keys=True, data=True)}

    @staticmethod
    def is_rel_type(iri) -> bool:
        return iri.startswith(str(CKG)) and iri[len(str(CKG)):] in schema.REL_TYPES

    def node(self, key: str) -> str:
        # the key, not the adcode property: it is the identity even when the property is wrong
        return f"{self.g.nodes[key].get('name', '(no name)')} ({key})"

    def describe(self, iri) -> str:
        if iri in self.nodes:
            return self.node(self.nodes[iri])
        if iri in self.rels:
            u, v, rel_type = self.rels[iri]
            return f"{self.node(u)} -{rel_type}-> {self.node(v)}"
        if isinstance(iri, URIRef) and iri.startswith(str(CKG)):
            return iri[len(str(CKG)):]
        return str(iri)

    def relationship(self, start, rel_type: URIRef, end) -> str:
        return f"{self.describe(start)} -{rel_type[len(str(CKG)):]}-> {self.describe(end)}"
