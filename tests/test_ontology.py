"""The OWL ontology matches kg/model/schema.py, and the RDF export follows it."""
from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from kg.model import schema
from kg.model.graph import nodes_with
from kg.paths import ONTOLOGY
from kg.store.rdf import CKG

CKGSH = "https://citykg.example.org/shapes#"


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY / "citykg.ttl", format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ONTOLOGY / "shapes.ttl", format="turtle")


def local(iri) -> str:
    assert str(iri).startswith(str(CKG)), iri
    return str(iri)[len(str(CKG)):]


def label_classes(onto: Graph) -> set[str]:
    """ckg classes that are node labels: all but the statement classes (Assertion, Derivation)."""
    return {local(c) for c in onto.subjects(RDF.type, OWL.Class)
            if isinstance(c, URIRef) and (c, RDFS.subClassOf, RDF.Statement) not in onto}


def class_set(onto: Graph, node) -> set[str]:
    """The classes named by a domain/range: one class, or an owl:unionOf list."""
    if isinstance(node, URIRef):
        return {local(node)}
    members = onto.value(node, OWL.unionOf)
    assert members is not None, f"domain/range {node} is neither a class nor a union"
    return {local(c) for c in Collection(onto, members)}


def test_ontology_namespace_is_the_exporters(onto):
    assert dict(onto.namespaces())["ckg"] == URIRef(str(CKG))


def test_classes_are_exactly_the_schema_labels(onto):
    assert label_classes(onto) == set(schema.LABELS)


def test_object_properties_are_exactly_the_relationship_types(onto):
    props = {local(p) for p in onto.subjects(RDF.type, OWL.ObjectProperty)}
    assert props == set(schema.REL_TYPES)


@pytest.mark.parametrize("rel_type", sorted(schema.REL_TYPES))
def test_domain_and_range_match_rel_types(onto, rel_type):
    prop = CKG[rel_type]
    starts, ends = schema.REL_TYPES[rel_type]
    assert class_set(onto, onto.value(prop, RDFS.domain)) == set(starts)
    assert class_set(onto, onto.value(prop, RDFS.range)) == set(ends)


def test_place_levels_are_places(onto):
    for level in schema.PLACE_LEVELS:
        assert (CKG[level], RDFS.subClassOf, CKG[schema.PLACE]) in onto
    assert (CKG.Assertion, RDFS.subClassOf, RDF.Statement) in onto


def test_every_term_is_labelled_and_defined_in_chinese_and_english(onto):
    terms = [CKG[name] for name in (*schema.LABELS, *schema.REL_TYPES)]
    terms += list(onto.subjects(RDF.type, OWL.DatatypeProperty))
    missing = []
    for term in terms:
        for prop in (RDFS.label, SKOS.definition):
            langs = {o.language for o in onto.objects(term, prop) if isinstance(o, Literal)}
            if not {"zh", "en"} <= langs:
                missing.append(f"{local(term)} {prop} {sorted(filter(None, langs))}")
    assert missing == []


def test_node_and_provenance_properties_are_declared(onto):
    declared = {local(p) for p in onto.subjects(RDF.type, OWL.DatatypeProperty)}
    needed = {"adcode", "id", "name", "name_en", "aliases", "lon", "lat", "source_title",
              "confidence", *schema.PROVENANCE_PROPS}
    assert needed - declared == set()


def test_shape_lists_follow_the_schema(shapes):
    """Statements use the schema's types, and all but the derived ones are a ckg:Assertion;
    a County may carry any label but City and Province."""
    def allowed(shape: str) -> set[str]:
        node = URIRef(CKGSH + shape)
        holder = shapes.value(node, SH.property) or node
        return {local(t) for t in Collection(shapes, shapes.value(holder, SH["in"]))}

    assert allowed("KnownTypes") == set(schema.REL_TYPES)
    assert allowed("AssertionType") == set(schema.REL_TYPES) - schema.DERIVED_TYPES
    assert allowed("CountyLevel") == set(schema.LABELS) - {schema.CITY, schema.PROVINCE}


@pytest.fixture(scope="module")
def turtle(build_dir) -> Graph:
    return Graph().parse(build_dir / "graph.ttl", format="turtle")


def test_turtle_round_trips_places_and_relationships(turtle, graph):
    places = set(turtle.subjects(RDF.type, CKG[schema.PLACE]))
    assert len(places) == sum(1 for _ in nodes_with(graph, schema.PLACE))
    statements = set(turtle.subjects(RDF.type, CKG.Assertion)) | set(
        turtle.subjects(RDF.type, CKG.Derivation))
    assert len(statements) == graph.number_of_edges()
    for label in schema.LABELS:
        assert len(set(turtle.subjects(RDF.type, CKG[label]))) == sum(
            1 for _ in nodes_with(graph, label)), label


def test_turtle_keeps_named_facts(turtle, graph):
    nanjing = URIRef("https://citykg.example.org/resource/place/320100")
    jiangsu = URIRef("https://citykg.example.org/resource/place/320000")
    assert turtle.value(nanjing, CKG.name) == Literal("南京市")
    assert turtle.value(nanjing, CKG.adcode) == Literal("320100")
    assert (nanjing, CKG.BELONGS_TO, jiangsu) in turtle
    # each relationship's statement node points at the same triple as the direct edge
    stated = {(turtle.value(a, RDF.subject), turtle.value(a, RDF.predicate), turtle.value(a, RDF.object))
              for a in turtle.subjects(RDF.type, CKG.Derivation)}
    assert (nanjing, CKG.BELONGS_TO, jiangsu) in stated
    lat = turtle.value(nanjing, CKG.lat)
    assert lat.toPython() == pytest.approx(graph.nodes["320100"]["lat"])


def test_asserted_relationships_keep_their_provenance(turtle, graph):
    """Every asserted edge's source_id and year come back from the Turtle, edge by edge."""
    from_graph = sorted((str(d["type"]), str(d["source_id"]), int(d["year"]))
                        for *_, d in graph.edges(data=True) if d["type"] not in schema.DERIVED_TYPES)
    from_ttl = sorted((local(turtle.value(a, RDF.predicate)), str(turtle.value(a, CKG.source_id)),
                       turtle.value(a, CKG.year).toPython())
                      for a in turtle.subjects(RDF.type, CKG.Assertion))
    assert from_ttl == from_graph


def test_shapes_use_only_terms_the_ontology_declares(onto, shapes):
    used = {t for triple in shapes for t in triple
            if isinstance(t, URIRef) and t.startswith(str(CKG))}
    declared = set(onto.subjects(RDF.type, None))
    assert {local(t) for t in used - declared} == set()
