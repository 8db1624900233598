"""SHACL validation: the real build conforms; broken facts are caught and named."""
from __future__ import annotations

import json

import pytest

from kg.build import BuildError, write_build
from kg.model import schema
from kg.model.graph import add_node, add_rel
from kg.validate import validate_graph

PROVENANCE = {"source_id": "test-source", "year": 2020, "quote": "test"}


def test_full_graph_conforms(build_dir):
    """``build_dir`` holds the build of the ``graph`` fixture; write_build validated it
    (validating the same graph again here would cost a full pySHACL run)."""
    report = json.loads((build_dir / "build_report.json").read_text(encoding="utf-8"))
    assert report["validation"] == {"conforms": True, "violations": []}


def break_facts(g):
    """Break one fact per rule in ``g`` (places of 江苏省), each written with plain
    networkx calls (as a buggy loader would) so that only SHACL can catch them."""
    del g.nodes["320100"]["adcode"]                          # 南京市 loses its adcode
    g.nodes["320200"]["adcode"] = "32020"                    # 无锡市: five digits
    add_node(g, "cluster:test", [schema.CITY_CLUSTER], name="测试城市群")
    add_node(g, "industry:test", [schema.INDUSTRY], name="测试产业")
    g.add_node("Bad Id", labels=[schema.INDUSTRY], name="坏标识产业")
    g.add_edge("320500", "cluster:test", key="MEMBER_OF", type="MEMBER_OF", year=2020)
    g.add_edge("320400", "cluster:test", key="MEMBER_OF|s", type="MEMBER_OF", source_id="s",
               year=1900)
    g.add_edge("320400", "industry:test", key="MEMBER_OF|t", type="MEMBER_OF", **PROVENANCE)
    g.add_edge("320102", "cluster:test", key="CORE_OF|t", type="CORE_OF", **PROVENANCE)
    g.add_edge("320102", "320104", key="BELONGS_TO", type="BELONGS_TO")
    g.add_edge("320500", "320000", key="FOO|t", type="FOO", **PROVENANCE)
    g.add_edge("320500", "cluster:test", key="CORE_OF|tier", type="CORE_OF", tier="核心区", **PROVENANCE)
    return g


EXPECTED = {
    "南京市 (320100): a Place has exactly one adcode of six digits",
    "无锡市 (320200): a Place has exactly one adcode of six digits (value: 32020)",
    "坏标识产业 (Bad Id): a node that is not a Place has exactly one id of the form kind:slug",
    "苏州市 (320500) -MEMBER_OF-> 测试城市群 (cluster:test): an asserted relationship has a source_id",
    "常州市 (320400) -MEMBER_OF-> 测试城市群 (cluster:test): "
    "an asserted relationship has one integer year in 1949..2100 (value: 1900)",
    "常州市 (320400) -MEMBER_OF-> 测试产业 (industry:test): "
    "MEMBER_OF ends at a CityCluster, MetroCircle, Corridor or ForeignRegion",
    "玄武区 (320102) -CORE_OF-> 测试城市群 (cluster:test): CORE_OF starts at a City",
    "玄武区 (320102) -BELONGS_TO-> 秦淮区 (320104): a County BELONGS_TO a City or a Province",
    "玄武区 (320102): a County BELONGS_TO exactly one unit",
    "苏州市 (320500) -FOO-> 江苏省 (320000): an asserted relationship has one known relationship type",
    "FOO: not a relationship type of the schema",
    "苏州市 (320500) -CORE_OF-> 测试城市群 (cluster:test): only a MEMBER_OF relationship has a tier",
}


@pytest.fixture(scope="module")
def broken_result(graph):
    return validate_graph(break_facts(graph.copy()))


def test_broken_graph_fails(broken_result):
    assert not broken_result.conforms


def test_violations_name_the_node_or_relationship_and_the_rule(broken_result):
    assert set(broken_result.violations) == EXPECTED


@pytest.fixture
def jiangsu(graph):
    """The 江苏省 part of the graph: small enough to validate in a moment."""
    return graph.subgraph([n for n in graph if n.startswith("32")]).copy()


def test_lean_validation_equals_validating_the_whole_export(jiangsu):
    """validate_graph feeds pySHACL only what the shapes read; the whole export gives
    the same violations."""
    break_facts(jiangsu)
    lean, full = validate_graph(jiangsu), validate_graph(jiangsu, full=True)
    assert lean == full
    assert set(lean.violations) == EXPECTED


def test_add_rel_refuses_the_same_unsourced_fact(jiangsu):
    """The same MEMBER_OF without a source is refused by add_rel too: SHACL is the
    second line, for graphs written by other means (files, direct networkx calls)."""
    from kg.model.graph import SchemaError

    with pytest.raises(SchemaError, match="provenance"):
        add_rel(break_facts(jiangsu), "320500", "cluster:test", "MEMBER_OF", year=2020)


def test_write_build_refuses_a_broken_graph_and_keeps_the_old_build(jiangsu, tmp_path):
    out = tmp_path / "out"
    write_build(jiangsu, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    del jiangsu.nodes["320100"]["adcode"]
    with pytest.raises(BuildError, match=r"南京市 \(320100\): a Place has exactly one adcode"):
        write_build(jiangsu, out, force=True)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary folder left behind


def test_write_build_replaces_the_old_build_only_with_force(jiangsu, tmp_path):
    from kg.store.outdir import OutputDirError

    out = tmp_path / "out"
    write_build(jiangsu, out)
    (out / "nodes.csv").write_text("stale", encoding="utf-8")
    with pytest.raises(OutputDirError, match="--force"):
        write_build(jiangsu, out)
    report = write_build(jiangsu, out, force=True)
    assert report["validation"] == {"conforms": True, "violations": []}
    names = {p.name for p in out.iterdir()}
    assert {"graph.ttl", "nodes.csv", "relationships.csv", "build_report.json", ".citykg-output"} <= names
    assert (out / "nodes.csv").read_text(encoding="utf-8") != "stale"


@pytest.mark.parametrize("force", [False, True])
def test_write_build_never_deletes_a_folder_it_did_not_write(jiangsu, tmp_path, force):
    from kg.store.outdir import OutputDirError

    out = tmp_path / "mine"
    (out / "thesis").mkdir(parents=True)
    (out / "notes.txt").write_text("my notes", encoding="utf-8")
    (out / "thesis" / "ch1.md").write_text("chapter 1", encoding="utf-8")
    with pytest.raises(OutputDirError, match="not written by citykg"):
        write_build(jiangsu, out, force=force)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my notes"
    assert (out / "thesis" / "ch1.md").read_text(encoding="utf-8") == "chapter 1"
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "thesis"]


def test_a_file_added_to_a_previous_build_blocks_its_replacement(jiangsu, tmp_path):
    from kg.store.outdir import OutputDirError

    out = tmp_path / "out"
    write_build(jiangsu, out)
    (out / "my-query.cypher").write_text("MATCH (n) RETURN n", encoding="utf-8")
    with pytest.raises(OutputDirError, match="my-query.cypher"):
        write_build(jiangsu, out, force=True)
    assert (out / "my-query.cypher").exists() and (out / "nodes.csv").exists()


# --- the fast validator (kg/shacl.py) against pySHACL, the reference ----------------

from collections import Counter  # noqa: E402
import random  # noqa: E402

from rdflib import Graph  # noqa: E402

from kg.shacl import COMPONENTS, STRUCTURE, UnsupportedShape, compile_shapes, used_components  # noqa: E402
from kg.validate import describe, shapes_graph, validation_results  # noqa: E402


def same_as_pyshacl(g):
    """Both engines on ``g``: identical results (focus node, path, value, component, message)."""
    fast, ref = validation_results(g), validation_results(g, engine="pyshacl")
    assert Counter(fast) == Counter(ref)
    assert sorted(describe(fast, g)) == sorted(describe(ref, g))
    return fast


def test_fast_equals_pyshacl_on_the_broken_full_graph(graph):
    results = same_as_pyshacl(break_facts(graph.copy()))
    assert {r.focus.rsplit("/", 1)[-1] for r in results} >= {"320100", "320200", "Bad%20Id"}
    assert set(validate_graph(break_facts(graph.copy())).violations) == EXPECTED


def test_fast_equals_pyshacl_on_the_whole_export(jiangsu):
    break_facts(jiangsu)
    assert Counter(validation_results(jiangsu, full=True)) == Counter(
        validation_results(jiangsu, engine="pyshacl", full=True))


def _breakers(rng: random.Random, g):
    """Ways to break one fact of the 江苏省 graph (each written with plain networkx calls)."""
    nodes = sorted(g.nodes)
    cities = [n for n in nodes if "City" in g.nodes[n]["labels"]]
    counties = [n for n in nodes if "County" in g.nodes[n]["labels"]]
    places = [n for n in nodes if "Place" in g.nodes[n]["labels"]]
    asserted = [(u, v, k) for u, v, k, t in g.edges(keys=True, data="type")
                if t not in schema.DERIVED_TYPES]
    pick = rng.choice

    def edge_prop(name, value):
        u, v, k = pick(asserted)
        if value is None:
            g.edges[u, v, k].pop(name, None)
        else:
            g.edges[u, v, k][name] = value

    def relabel(node, change):
        g.nodes[node]["labels"] = change(g.nodes[node]["labels"])

    def add(u, v, typ, **props):
        g.add_edge(u, v, key=f"{typ}|gen{rng.random()}", type=typ, **props)

    other = ["cluster:gen", "industry:gen", "policy:gen", "doc:gen"]
    return [
        lambda: g.nodes[pick(places)].pop("adcode", None),
        lambda: g.nodes[pick(places)].update(adcode=pick(["3201", "32010a", 320100, "３２０１００"])),
        lambda: g.nodes[pick(places)].update(adcode=[g.nodes[pick(places)]["adcode"], "320999"]),
        lambda: g.nodes[pick(places)].pop("name", None),
        # new lists, never in-place edits: graph.copy() shares the session graph's label lists
        lambda: relabel(pick(cities), lambda labels: [x for x in labels if x != "City"]),
        lambda: relabel(pick(counties), lambda labels: [*labels, "City"]),
        lambda: relabel(pick(counties), lambda labels: [*labels, "Province"]),
        lambda: g.nodes[pick(other)].update(id=pick(["no colon", "x:", "Bad:id", ["a:b", "c:d"]])),
        lambda: g.nodes[pick(other)].pop("name", None),
        lambda: edge_prop("source_id", None),
        lambda: edge_prop("source_id", pick(["", 17, ["a", "b"]])),
        lambda: edge_prop("year", pick([None, 1900, 2101, "2020", 2020.0, True, [2019, 2020], 1949])),
        lambda: add(pick(cities), "industry:gen", "MEMBER_OF", **PROVENANCE),
        lambda: add("policy:gen", "cluster:gen", "MEMBER_OF", **PROVENANCE),
        lambda: add(pick(counties), "cluster:gen", "CORE_OF", **PROVENANCE),
        lambda: add(pick(cities), pick(cities), "CORE_OF", **PROVENANCE),
        lambda: add(pick(counties), pick(counties), "BELONGS_TO"),
        lambda: add(pick(cities), pick(cities), "BELONGS_TO"),
        lambda: add("industry:gen", pick(places), "BELONGS_TO"),
        lambda: g.remove_edges_from([(u, v, k) for u, v, k, t in g.out_edges(
            pick(counties), keys=True, data="type") if t == "BELONGS_TO"]),
        lambda: add(pick(places), "industry:gen", "ADJACENT_TO"),
        lambda: add("policy:gen", pick(places), "LOCATED_IN", **PROVENANCE),
        lambda: add(pick(places), "industry:gen", "LOCATED_IN", **PROVENANCE),
        lambda: add(pick(cities), "industry:gen", "TARGETS", **PROVENANCE),
        lambda: add(pick(cities), "cluster:gen", "MENTIONS", **PROVENANCE),
        lambda: add(pick(cities), "cluster:gen", "PART_OF", **PROVENANCE),
        lambda: add("industry:gen", pick(cities), "PART_OF", **PROVENANCE),
        lambda: add(pick(cities), pick(cities), "SPECIALIZES_IN", **PROVENANCE),
        lambda: add(pick(cities), pick(cities), "PLANS_INDUSTRY", **PROVENANCE),
        lambda: add("industry:gen", pick(cities), "SPILLOVER_TO", **PROVENANCE),
        lambda: add(pick(cities), pick(cities), pick(["FOO", "member_of"]), **PROVENANCE),
    ]


@pytest.mark.parametrize("seed", range(20))
def test_fast_equals_pyshacl_on_generated_broken_graphs(jiangsu, seed):
    """20 seeded graphs, each with 1-6 random breakages of the 31 kinds above."""
    rng = random.Random(seed)
    g = jiangsu
    add_node(g, "cluster:gen", [schema.CITY_CLUSTER], name="生成城市群")
    add_node(g, "industry:gen", [schema.INDUSTRY], name="生成产业")
    add_node(g, "policy:gen", [schema.POLICY], name="生成政策")
    add_node(g, "doc:gen", [schema.DOCUMENT], name="生成文件")
    for city in ("320100", "320200", "320500", "320400"):  # valid facts for the breakers to spoil
        add_rel(g, city, "cluster:gen", "MEMBER_OF", **PROVENANCE)
        add_rel(g, city, "industry:gen", "SPECIALIZES_IN", **PROVENANCE)
    add_rel(g, "policy:gen", "320100", "TARGETS", **PROVENANCE)
    breakers = _breakers(rng, g)
    for _ in range(rng.randint(1, 6)):
        rng.choice(breakers)()
    results = same_as_pyshacl(g)
    assert results, "every generated graph breaks at least one rule"


def test_every_constraint_component_of_the_shapes_is_implemented():
    """A shape using a constraint kg/shacl.py lacks must fail loudly, not pass silently."""
    used = used_components(shapes_graph())
    assert used - set(COMPONENTS) - STRUCTURE - {"inversePath"} == set()
    assert {"class", "datatype", "minCount", "maxCount", "pattern", "in", "or"} <= used
    bad = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex.org/> .
        ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ;
            sh:qualifiedValueShape [ sh:class ex:D ] ; sh:qualifiedMinCount 1 ] .""")
    with pytest.raises(UnsupportedShape, match="qualified"):
        compile_shapes(bad)
    sequence = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex.org/> .
        ex:S sh:targetClass ex:C ; sh:property [ sh:path ( ex:p ex:q ) ; sh:minCount 1 ] .""")
    with pytest.raises(UnsupportedShape, match="path"):
        compile_shapes(sequence)


def test_every_shape_says_its_rule():
    """Each targeted or property shape with constraints of its own has a sh:message (the
    report line names it)."""
    from rdflib.namespace import SH

    shapes = shapes_graph()
    targeted = {s for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
                for s in shapes.subjects(p, None)}
    checked = 0
    for shape in targeted | set(shapes.objects(None, SH.property)):
        if any(str(p).startswith(str(SH)) and str(p)[len(str(SH)):] in COMPONENTS
               for p in shapes.predicates(shape, None)):
            assert shapes.value(shape, SH.message) is not None, shape
            checked += 1
    assert checked >= 20


ENGINE_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:A sh:targetClass ex:Thing ; sh:message "A" ;
  sh:property [ sh:path ex:label ; sh:languageIn ( "zh" "en" ) ; sh:uniqueLang true ; sh:message "lang" ] ;
  sh:property [ sh:path ex:code ; sh:maxLength 3 ; sh:nodeKind sh:Literal ; sh:message "code" ] ;
  sh:property [ sh:path ex:size ; sh:minExclusive 0 ; sh:maxExclusive 10 ; sh:datatype xsd:decimal ;
                sh:message "size" ] ;
  sh:property [ sh:path ex:kind ; sh:hasValue ex:good ; sh:message "kind" ] ;
  sh:property [ sh:path ex:link ; sh:node ex:Linked ; sh:nodeKind sh:IRI ; sh:message "link" ] ;
  sh:property [ sh:path ex:name ; sh:pattern "^a" ; sh:flags "i" ; sh:message "name" ] ;
  sh:xone ( [ sh:class ex:Red ] [ sh:class ex:Blue ] ) ;
  sh:not [ sh:class ex:Banned ] ;
  sh:and ( [ sh:property [ sh:path ex:name ; sh:minCount 1 ] ] [ sh:nodeKind sh:IRI ] ) .
ex:Linked sh:property [ sh:path ex:ok ; sh:in ( true ) ] .
ex:B sh:targetNode ex:lonely ; sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "B" ] .
ex:Red rdfs:subClassOf ex:Colour .
ex:C sh:targetClass ex:Colour ; sh:property [ sh:path ex:shade ; sh:maxCount 1 ; sh:message "C" ] .
"""
ENGINE_DATA = """
@prefix ex: <http://ex.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Red rdfs:subClassOf ex:Colour .
ex:t1 a ex:Thing, ex:Red ; ex:label "甲"@zh, "乙"@zh, "a"@fr ; ex:code "abcd", ex:x ; ex:size 0.0, 5.5, 12, "7" ;
  ex:kind ex:bad ; ex:link ex:l1, "lit" ; ex:name "Apple", "pear" ; ex:shade 1, 2 .
ex:l1 ex:ok false .
ex:t2 a ex:Thing, ex:Red, ex:Blue, ex:Banned ; ex:kind ex:good ; ex:size 3.0 .
ex:t3 a ex:Thing ; ex:name "abc" ; ex:kind ex:good ; ex:code "ab" ; ex:size "1"^^xsd:decimal .
"""


def test_engine_matches_pyshacl_on_components_the_shapes_do_not_use_yet():
    """Every component kg/shacl.py implements, checked against pySHACL on a small graph."""
    import pyshacl

    from kg.shacl import light
    from kg.validate import pyshacl_results

    shapes = Graph().parse(format="turtle", data=ENGINE_SHAPES)
    data = Graph().parse(format="turtle", data=ENGINE_DATA)
    fast = compile_shapes(shapes).validate((light(s), light(p), light(o)) for s, p, o in data)
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    ref = pyshacl_results(report)
    assert Counter(fast) == Counter(ref)
    used = {c for r in fast for c in [r.component[3:]]}
    assert len(used) >= 14, used
