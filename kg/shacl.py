"""A SHACL Core validator compiled from a shapes graph, run over an in-memory triple index.

``compile_shapes`` reads the shapes (an rdflib graph) once and turns every shape into
plain Python checks; ``Validator.validate`` runs them over data triples given as light
terms (IRIs as ``str``, literals as ``kg.store.rdf.Lit``) and returns SHACL validation
results. It follows pySHACL's reading of the spec (``inference="none"``), which stays the
reference: the tests run both on broken graphs and require the same results. Any
SHACL predicate it does not implement makes ``compile_shapes`` raise ``UnsupportedShape``,
so a new kind of constraint in ``ontology/shapes.ttl`` fails loudly instead of passing.

>>> from rdflib import Graph
>>> shapes = Graph().parse(format="turtle", data='''
... @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex.org/> .
... ex:S a sh:NodeShape ; sh:targetClass ex:City ;
...      sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "a City has a name" ] .''')
>>> RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
>>> data = [("http://ex.org/a", RDF_TYPE, "http://ex.org/City")]
>>> [(r.focus, r.message) for r in compile_shapes(shapes).validate(data)]
[('http://ex.org/a', 'a City has a name')]
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Iterable, NamedTuple

from rdflib import RDF, RDFS, BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from kg.store.rdf import Lit

_TYPE, _SUBCLASS = str(RDF.type), str(RDFS.subClassOf)
_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING, _LANGSTRING = _XSD + "string", str(RDF.langString)


class UnsupportedShape(ValueError):
    """The shapes use a SHACL feature this validator does not implement."""


class Result(NamedTuple):
    """One validation result, as in a SHACL report (path: IRI, ``("^", IRI)`` or None)."""
    focus: object
    path: object
    value: object
    component: str
    message: str
    severity: str


# Parameters of each supported constraint component (sh:<name>), and the shape predicates
# that are structure or documentation rather than constraints.
COMPONENTS = {
    "class": "ClassConstraintComponent", "datatype": "DatatypeConstraintComponent",
    "nodeKind": "NodeKindConstraintComponent", "minCount": "MinCountConstraintComponent",
    "maxCount": "MaxCountConstraintComponent", "minInclusive": "MinInclusiveConstraintComponent",
    "maxInclusive": "MaxInclusiveConstraintComponent",
    "minExclusive": "MinExclusiveConstraintComponent",
    "maxExclusive": "MaxExclusiveConstraintComponent", "minLength": "MinLengthConstraintComponent",
    "maxLength": "MaxLengthConstraintComponent", "pattern": "PatternConstraintComponent",
    "in": "InConstraintComponent", "hasValue": "HasValueConstraintComponent",
    "or": "OrConstraintComponent", "and": "AndConstraintComponent",
    "not": "NotConstraintComponent", "xone": "XoneConstraintComponent",
    "node": "NodeConstraintComponent", "languageIn": "LanguageInConstraintComponent",
    "uniqueLang": "UniqueLangConstraintComponent",
}
STRUCTURE = {"targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "path",
             "property", "message", "severity", "deactivated", "name", "description", "order",
             "group", "defaultValue", "flags"}
_OTHER_OK = {str(RDF.type), str(RDFS.comment), str(RDFS.label)}


def local(iri) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def light(term):
    """An rdflib term as a light term (``str`` IRI, ``Lit``; blank nodes stay ``BNode``)."""
    if isinstance(term, Literal):
        return Lit(str(term), str(term.datatype) if term.datatype else None, term.language)
    return term if isinstance(term, BNode) else str(term)


def used_components(shapes) -> set[str]:
    """Local names of every sh: predicate the shapes graph uses."""
    return {local(p) for p in shapes.predicates() if str(p).startswith(str(SH))}


class _Shape:
    def __init__(self, node, path, constraints, properties, message, severity, deactivated):
        self.node, self.path, self.constraints = node, path, constraints
        self.properties, self.message, self.severity = properties, message, severity
        self.deactivated = deactivated


def compile_shapes(shapes) -> "Validator":
    """Compile every shape of an rdflib shapes graph; raises UnsupportedShape on the unknown."""
    for s, p, _ in shapes:
        name = local(p)
        if str(p).startswith(str(SH)) and name not in COMPONENTS and name not in STRUCTURE \
                and name not in ("inversePath", "first", "rest"):
            raise UnsupportedShape(f"shapes.ttl uses sh:{name}, which kg/shacl.py does not "
                                   f"implement (shape {s}); add it there and to its tests")
    cache: dict = {}

    def build(node) -> _Shape:
        if node in cache:
            return cache[node]
        path = shapes.value(node, SH.path)
        if path is not None:
            path = _path(shapes, path)
        messages = [str(m) for m in shapes.objects(node, SH.message)]
        severity = shapes.value(node, SH.severity) or SH.Violation
        deact = str(shapes.value(node, SH.deactivated) or "false").lower() == "true"
        shape = cache[node] = _Shape(node, path, [], [], messages[0] if messages else None,
                                     local(severity), deact)
        for pred, obj in shapes.predicate_objects(node):
            name = local(pred)
            if not str(pred).startswith(str(SH)) or name not in COMPONENTS:
                continue
            if name in ("or", "and", "xone"):
                param = [build(m) for m in Collection(shapes, obj)]
            elif name in ("not", "node"):
                param = build(obj)
            elif name in ("in", "languageIn"):
                param = [light(m) for m in Collection(shapes, obj)]
                if name == "languageIn":
                    param = {str(x.lexical if isinstance(x, Lit) else x).lower() for x in param}
            elif name == "pattern":
                flags = str(shapes.value(node, SH.flags) or "")
                param = re.compile(str(obj), (re.I if "i" in flags else 0) |
                                   (re.M if "m" in flags else 0))
            elif name in ("minCount", "maxCount", "minLength", "maxLength"):
                param = int(obj)
            elif name in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
                param = obj  # an rdflib Literal, compared as pySHACL does
            elif name == "uniqueLang":
                param = str(obj).lower() == "true"
            else:
                param = light(obj)
            shape.constraints.append((name, param))
        shape.properties = [build(p) for p in shapes.objects(node, SH.property)]
        return shape

    targets = []
    for node in set(shapes.subjects()):
        if isinstance(node, Literal):
            continue
        kinds = {"targetClass": shapes.objects(node, SH.targetClass),
                 "targetNode": shapes.objects(node, SH.targetNode),
                 "targetSubjectsOf": shapes.objects(node, SH.targetSubjectsOf),
                 "targetObjectsOf": shapes.objects(node, SH.targetObjectsOf)}
        found = [(kind, light(t)) for kind, ts in kinds.items() for t in ts]
        if (node, RDF.type, RDFS.Class) in shapes:  # implicit class target
            found.append(("targetClass", str(node)))
        if found:
            targets.append((build(node), found))
    return Validator(targets)


def _path(shapes, path):
    if isinstance(path, URIRef):
        return str(path)
    inverse = shapes.value(path, SH.inversePath)
    if isinstance(inverse, URIRef) and len(list(shapes.predicate_objects(path))) == 1:
        return ("^", str(inverse))
    raise UnsupportedShape(f"sh:path {path}: only a predicate or sh:inversePath of one "
                           "predicate is implemented in kg/shacl.py")


class _Index:
    """Subject -> predicate -> objects and predicate -> object -> subjects, as sets."""

    def __init__(self, triples: Iterable[tuple]):
        spo: dict = {}
        pos: dict = {}
        for s, p, o in triples:
            d = spo.get(s)
            if d is None:
                d = spo[s] = {}
            objs = d.get(p)
            if objs is None:
                d[p] = {o}
            else:
                objs.add(o)
            d = pos.get(p)
            if d is None:
                d = pos[p] = {}
            subs = d.get(o)
            if subs is None:
                d[o] = {s}
            else:
                subs.add(s)
        self.spo, self.pos = spo, pos
        self._supers: dict = {}
        self._instances: dict = {}
        self.conforms: dict = {}

    def objects(self, s, p):
        d = self.spo.get(s)
        return d.get(p, ()) if d else ()

    def subjects(self, p, o):
        d = self.pos.get(p)
        return d.get(o, ()) if d else ()

    def superclasses(self, c) -> set:
        """c and every class it is an rdfs:subClassOf of (transitively)."""
        got = self._supers.get(c)
        if got is None:
            got, todo = {c}, [c]
            while todo:
                for sup in self.objects(todo.pop(), _SUBCLASS):
                    if sup not in got:
                        got.add(sup)
                        todo.append(sup)
            self._supers[c] = got
        return got

    def is_instance(self, node, cls) -> bool:
        return node in self.instances(cls)

    def instances(self, cls) -> set:
        """Every node typed ``cls`` or a subclass of it (literals never are)."""
        got = self._instances.get(cls)
        if got is None:
            subs = [c for c in self.pos.get(_TYPE, {}) if cls in self.superclasses(c)]
            got = self._instances[cls] = {s for c in subs for s in self.subjects(_TYPE, c)}
        return got


class Validator:
    """Compiled shapes; ``validate(triples)`` gives the list of ``Result``s."""

    def __init__(self, targets):
        self.targets = targets

    def validate(self, triples: Iterable[tuple]) -> list[Result]:
        idx = _Index(triples)
        results: list[Result] = []
        for shape, found in self.targets:
            if shape.deactivated:
                continue
            focus = set()
            for kind, t in found:
                if kind == "targetClass":
                    focus |= idx.instances(t)
                elif kind == "targetNode":
                    focus.add(t)
                elif kind == "targetSubjectsOf":
                    focus |= {s for objs in idx.pos.get(t, {}).values() for s in objs}
                else:
                    focus |= set(idx.pos.get(t, {}))
            for f in focus:
                results.extend(_check(shape, f, idx))
        return results


def _values(shape: _Shape, f, idx: _Index):
    if shape.path is None:
        return (f,)
    if isinstance(shape.path, tuple):
        return idx.subjects(shape.path[1], f)
    return idx.objects(f, shape.path)


def _conforms(shape: _Shape, node, idx: _Index) -> bool:
    """Whether ``node`` conforms to ``shape`` (memoised per run: sh:or members recur)."""
    key = (id(shape), node)
    got = idx.conforms.get(key)
    if got is None:
        got = idx.conforms[key] = not _check(shape, node, idx)
    return got


def _check(shape: _Shape, f, idx: _Index) -> list[Result]:
    """The results of validating focus node ``f`` against ``shape``."""
    if shape.deactivated:
        return []
    values = _values(shape, f, idx)
    out: list[Result] = []

    def fail(component, value=None):
        out.append(Result(f, shape.path, value, "sh:" + COMPONENTS[component],
                          shape.message, shape.severity))

    for name, param in shape.constraints:
        if name == "minCount":
            if len(values) < param:
                fail(name)
        elif name == "maxCount":
            if len(values) > param:
                fail(name)
        elif name == "hasValue":
            if param not in values:
                fail(name)
        elif name == "hasValue":
            if param not in values:
                fail(name)
        elif name == "uniqueLang":
            langs = [v.lang.lower() for v in values if isinstance(v, Lit) and v.lang]
            for _ in {lang for lang in langs if langs.count(lang) > 1} if param else ():
                fail(name)
        else:
            test = _VALUE_TESTS[name]
            for v in values:
                if not test(v, param, idx):
                    fail(name, v)
    for prop in shape.properties:
        out.extend(_check(prop, f, idx))
    return out


def _string(v) -> str:
    return v.lexical if isinstance(v, Lit) else str(v)


def _node_kind(v, kind) -> bool:
    k = "Literal" if isinstance(v, Lit) else ("BlankNode" if isinstance(v, BNode) else "IRI")
    return k in local(kind)


_WELL_FORMED = {_XSD + "integer": re.compile(r"[+-]?[0-9]+$"),
                _XSD + "boolean": re.compile(r"(true|false|1|0)$"),
                _XSD + "double": re.compile(r"[+-]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|INF|NaN)$"),
                _XSD + "decimal": re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")}


def _datatype(v, dt, idx) -> bool:
    """pySHACL's rule: the datatype matches and the lexical form is well formed."""
    if not isinstance(v, Lit):
        return False
    actual = v.datatype
    if actual == dt:
        form = _WELL_FORMED.get(dt)
        if form is not None:
            return bool(form.match(v.lexical))
        if dt in (_XSD_STRING, _LANGSTRING):
            return True
        lit = Literal(v.lexical, datatype=URIRef(dt))
        return not getattr(lit, "ill_typed", False) and lit.value is not None
    if dt == str(RDFS.Literal):
        return True
    if dt == str(RDFS.Datatype):
        return actual is not None
    if actual is None and v.lang is None:
        return dt == _XSD_STRING
    return dt == _LANGSTRING and bool(v.lang)


def _compare(v, limit: Literal, ok) -> bool:
    """A value-range test as pySHACL makes it (IRIs, strings against numbers: fail)."""
    if not isinstance(v, Lit):
        return False
    lit = Literal(v.lexical, lang=v.lang) if v.lang else Literal(
        v.lexical, datatype=URIRef(v.datatype) if v.datatype else None)
    if isinstance(lit.value, str) != isinstance(limit.value, str):
        return False
    try:
        if lit.eq(limit):
            cmp = 0
        else:
            a, b = lit.value, limit.value
            if isinstance(a, (int, float, Decimal)) and isinstance(b, (int, float, Decimal)) \
                    and not isinstance(a, bool) and not isinstance(b, bool):
                cmp = 1 if a > b else -1
            else:
                cmp = 1 if lit > limit else -1
    except (TypeError, NotImplementedError):
        return False
    return ok(cmp)


_VALUE_TESTS = {
    "class": lambda v, c, idx: idx.is_instance(v, c),
    "datatype": _datatype,
    "nodeKind": lambda v, k, idx: _node_kind(v, k),
    "minInclusive": lambda v, m, idx: _compare(v, m, lambda c: c >= 0),
    "maxInclusive": lambda v, m, idx: _compare(v, m, lambda c: c <= 0),
    "minExclusive": lambda v, m, idx: _compare(v, m, lambda c: c > 0),
    "maxExclusive": lambda v, m, idx: _compare(v, m, lambda c: c < 0),
    "minLength": lambda v, n, idx: not isinstance(v, BNode) and len(_string(v)) >= n,
    "maxLength": lambda v, n, idx: not isinstance(v, BNode) and len(_string(v)) <= n,
    "pattern": lambda v, rx, idx: not isinstance(v, BNode) and bool(rx.search(_string(v))),
    "in": lambda v, members, idx: v in members,
    "languageIn": lambda v, langs, idx: isinstance(v, Lit) and bool(v.lang) and (
        "*" in langs or v.lang.lower() in langs or v.lang.lower().split("-")[0] in langs),
    "or": lambda v, shapes, idx: any(_conforms(s, v, idx) for s in shapes),
    "and": lambda v, shapes, idx: all(_conforms(s, v, idx) for s in shapes),
    "xone": lambda v, shapes, idx: sum(_conforms(s, v, idx) for s in shapes) == 1,
    "not": lambda v, shape, idx: not _conforms(shape, v, idx),
    "node": lambda v, shape, idx: _conforms(shape, v, idx),
}
