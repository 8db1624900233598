"""SHACL validation of the graph against ``ontology/shapes.ttl``.

Two engines give the same results: ``fast`` (default) compiles the shapes once
(``kg/shacl.py``) and checks the graph's triples in memory; ``pyshacl`` runs pySHACL on
an rdflib graph of the export and stays the reference the tests compare against.
Each violation is one line that names the node (``南京市 (320100)``) or the
relationship (``南京市 (320100) -MEMBER_OF-> 长三角城市群 (cluster:yrd)``) and the
rule it breaks (the shape's ``sh:message``).

>>> from kg.model.graph import new_graph, add_node
>>> g = new_graph()
>>> add_node(g, "320100", ["Place", "City"], name="南京市")   # no adcode property
>>> validate_graph(g).violations
['南京市 (320100): a Place has exactly one adcode of six digits']
>>> validate_graph(g, engine="pyshacl").violations == validate_graph(g).violations
True
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import networkx as nx
from rdflib import RDF, BNode, Graph, URIRef
from rdflib.namespace import SH

from kg.model import schema
from kg.paths import ONTOLOGY
from kg.shacl import Result, Validator, compile_shapes, light, local
from kg.store.rdf import CKG, Lit, node_iri, raw_triples, statement_iri, to_rdf

SHAPES = ONTOLOGY / "shapes.ttl"
ENGINES = ("fast", "pyshacl")


@dataclass
class ValidationResult:
    conforms: bool
    violations: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The SHACL shapes, parsed once per process."""
    return Graph().parse(SHAPES, format="turtle")


@lru_cache(maxsize=1)
def compiled_shapes() -> Validator:
    """The shapes compiled to checks (``kg.shacl``), once per process."""
    return compile_shapes(shapes_graph())


@lru_cache(maxsize=1)
def shape_properties() -> frozenset[str]:
    """Names of the ckg properties the shapes read (every sh:path, inverse paths included)."""
    shapes = shapes_graph()
    paths = set(shapes.objects(None, SH.path)) | set(shapes.objects(None, SH.inversePath))
    return frozenset(str(p)[len(str(CKG)):] for p in paths
                     if isinstance(p, URIRef) and p.startswith(str(CKG)))


def validation_results(g: nx.MultiDiGraph, engine: str = "fast", full: bool = False) -> list[Result]:
    """The SHACL results for ``g`` (focus node, path, value, component, message, severity).

    By default the engines get only the part of the RDF export that the shapes read: node
    types, the node properties named in a sh:path, every direct relationship triple and
    the ckg:Assertion statements (no shape targets a ckg:Derivation). The results are the
    same as for the whole export (``full=True``; tests check it). No inference: the export
    types every node with all of its labels, so the shapes need no ontology reasoning.
    """
    lean = {} if full else {"node_props": shape_properties(), "derivations": False}
    if engine == "fast":
        return compiled_shapes().validate(raw_triples(g, **lean))
    if engine != "pyshacl":
        raise ValueError(f"unknown validation engine {engine!r}; expected one of {ENGINES}")
    import pyshacl  # heavy import, only when asked for

    _, report, _ = pyshacl.validate(to_rdf(g, **lean), shacl_graph=shapes_graph(),
                                    inference="none", advanced=False, meta_shacl=False)
    return pyshacl_results(report)


def pyshacl_results(report: Graph) -> list[Result]:
    """pySHACL's results graph as ``Result``s in light terms (top-level results: the
    ``sh:detail`` results pySHACL nests under an sh:node failure are left out)."""
    out = []
    details = set(report.objects(None, SH.detail))
    for r in report.subjects(RDF.type, SH.ValidationResult):
        if r in details:
            continue
        path = report.value(r, SH.resultPath)
        if isinstance(path, BNode):
            path = ("^", str(report.value(path, SH.inversePath)))
        elif path is not None:
            path = str(path)
        value = report.value(r, SH.value)
        message = report.value(r, SH.resultMessage)
        out.append(Result(light(report.value(r, SH.focusNode)), path,
                          None if value is None else light(value),
                          "sh:" + local(report.value(r, SH.sourceConstraintComponent)),
                          None if message is None else str(message),
                          local(report.value(r, SH.resultSeverity))))
    return out


def validate_graph(g: nx.MultiDiGraph, full: bool = False, engine: str = "fast") -> ValidationResult:
    """Validate ``g`` against the SHACL shapes; violations are sorted, one line each."""
    results = validation_results(g, engine, full)
    return ValidationResult(not results, sorted(describe(results, g)))


def describe(results: list[Result], g: nx.MultiDiGraph) -> list[str]:
    """Readable lines: the node or relationship at fault, the shape's message, the value."""
    names = _Names(g)
    lines = []
    for r in results:
        where = names.describe(r.focus)
        if isinstance(r.path, str) and names.is_rel_type(r.path) and r.value is not None:
            where = names.relationship(r.focus, r.path, r.value)
        elif isinstance(r.path, tuple) and r.value is not None and names.is_rel_type(r.path[1]):
            where = names.relationship(r.value, r.path[1], r.focus)
        detail = f" (value: {r.value.lexical})" if isinstance(r.value, Lit) else ""
        lines.append(f"{where}: {r.message or r.component}{detail}")
    return lines


class _Names:
    """Maps the IRIs in a validation report back to the graph's nodes and relationships."""

    def __init__(self, g: nx.MultiDiGraph):
        self.g = g
        self.nodes = {str(node_iri(k, d)): k for k, d in g.nodes(data=True)}
        self._rels = None

    @property
    def rels(self) -> dict:
        if self._rels is None:  # only a failing relationship-statement result needs it
            self._rels = {str(statement_iri(u, v, k)): (u, v, d.get("type"))
                          for u, v, k, d in self.g.edges(keys=True, data=True)}
        return self._rels

    @staticmethod
    def is_rel_type(iri: str) -> bool:
        return iri.startswith(str(CKG)) and iri[len(str(CKG)):] in schema.REL_TYPES

    def node(self, key: str) -> str:
        # the key, not the adcode property: it is the identity even when the property is wrong
        return f"{self.g.nodes[key].get('name', '(no name)')} ({key})"

    def describe(self, iri) -> str:
        if isinstance(iri, Lit):
            return iri.lexical
        if iri in self.nodes:
            return self.node(self.nodes[iri])
        if iri in self.rels:
            u, v, rel_type = self.rels[iri]
            return f"{self.node(u)} -{rel_type}-> {self.node(v)}"
        if iri.startswith(str(CKG)):
            return iri[len(str(CKG)):]
        return str(iri)

    def relationship(self, start, rel_type: str, end) -> str:
        return f"{self.describe(start)} -{rel_type[len(str(CKG)):]}-> {self.describe(end)}"
