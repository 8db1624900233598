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
