"""pyvis views: scopes, counts, positions, tooltips, offline HTML, bad input."""
from __future__ import annotations

import re

import networkx as nx
import pytest
from typer.testing import CliRunner

from kg.model import schema
from kg.model.graph import add_node, nodes_with, rels_of
from kg.viz.pyvis_html import render_html, write_html
from kg.viz.scope import ScopeError, ego_scope, resolve_scope, scope_nodes
from kg.viz.sizing import MAX_SIZE, centrality
from kg.viz.views import EmptyView, make_view


@pytest.fixture(scope="module")
def national(graph):
    return make_view(graph, resolve_scope(graph, "national"))


def drawable(g):
    """Every node but the Statistic facts (a view shows those in its places' tooltips)."""
    return {k for k, d in g.nodes(data=True) if schema.STATISTIC not in d["labels"]}


def distinct_edges(g, keys=None):
    """(u, v, type) triples: what a view draws, counted straight from the graph (flows,
    LINKED_TO, are drawn by the hub report's maps, not by the views)."""
    keys = drawable(g) if keys is None else keys
    return {(u, v, d["type"]) for u, v, d in g.edges(data=True)
            if u in keys and v in keys and d["type"] != schema.LINKED_TO}


def test_national_view_draws_every_node_and_every_distinct_relationship(graph, national):
    assert len(national.nodes) == len(drawable(graph)) > 3600
    assert len(national.edges) == len(distinct_edges(graph))
    assert national.node_types()["County"] == sum(
        1 for _, d in graph.nodes(data=True)
        if "County" in d["labels"] and schema.NEW_CENTER not in d["labels"])


def test_positions_follow_geography(national):
    pos = {n["label"]: (n["x"], n["y"]) for n in national.nodes if n["type"] in ("City", "Province")}
    assert pos["上海市"][0] > pos["成都市"][0]  # east is right
    assert pos["哈尔滨市"][1] < pos["广州市"][1]  # north is up (screen y grows downwards)
    assert pos["乌鲁木齐市"][0] < pos["兰州市"][0]


def test_every_node_has_a_position_and_the_top_node_the_largest_size(national):
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in national.nodes)
    assert max(n["size"] for n in national.nodes) == pytest.approx(MAX_SIZE)


def test_province_scope_holds_exactly_its_units(graph):
    keys = scope_nodes(graph, resolve_scope(graph, "江苏省"))
    places = {k for k in keys if schema.is_place(graph.nodes[k])}
    by_code = {k for k, d in graph.nodes(data=True) if schema.is_place(d) and k.startswith("32")}
    assert places == by_code and "320000" in places and len(places) > 100


def test_ego_network_is_the_node_and_its_neighbours(graph):
    nanjing = "320100"
    view = make_view(graph, ego_scope(graph, "南京市", depth=1))
    expected = {nanjing, *graph.successors(nanjing), *graph.predecessors(nanjing)} & drawable(graph)
    assert {n["id"] for n in view.nodes} == expected
    assert len(view.edges) == len(distinct_edges(graph, expected))
    two = scope_nodes(graph, ego_scope(graph, "南京市", depth=2))
    assert expected < two and "320000" in two


def test_grouping_scope_holds_its_members(graph):
    clusters = list(nodes_with(graph, schema.CITY_CLUSTER))
    assert len(clusters) >= 19                     # the 14th Five-Year Plan's clusters
    key, d = next((k, d) for k, d in clusters if d["name"] == "长江三角洲城市群")
    members = {u for u, v, _ in rels_of(graph, schema.MEMBER_OF) if v == key}
    keys = scope_nodes(graph, resolve_scope(graph, "长江三角洲城市群"))
    assert members and members <= keys and "310000" in keys
    assert resolve_scope(graph, key).key == key  # by id as well as by name


def test_edge_tooltips_carry_source_and_quote(graph):
    # a named curated fact: 武汉 -> 鄂州, 研发 -> 生产 (data/relations/spillovers.csv)
    (u, v, d), = [(u, v, d) for u, v, d in graph.edges(data=True)
                  if (u, v, d["type"]) == ("420100", "420700", schema.SPILLOVER_TO)]
    assert d["quote"] and d["source_id"]
    view = make_view(graph, ego_scope(graph, u, depth=1))
    edge = next(e for e in view.edges if e["from"] == u and e["to"] == v and e["rel"] == d["type"])
    assert d["source_id"] in edge["title"] and str(d["quote"])[:40] in edge["title"]


def test_node_tooltip_has_key_facts(graph):
    view = make_view(graph, resolve_scope(graph, "南京市"))
    node = next(n for n in view.nodes if n["id"] == "320100")
    assert "南京市" in node["title"] and "320100" in node["title"] and "Nanjing" in node["title"]
    pop = graph.nodes["stat:320100:resident_population:2020"]
    assert f"resident_population 2020: {pop['value']:g} 万人 (leiii-census-2020)" in node["title"]


def test_node_tooltip_cites_the_node_source(graph):
    cited = {k: d for k, d in graph.nodes(data=True)
             if not schema.is_place(d) and schema.STATISTIC not in d["labels"]
             and d.get("source_id") and d.get("quote")}
    assert len(cited) >= 20
    key = min(k for k, d in cited.items() if schema.NATIONAL_NEW_AREA in d["labels"])
    d = cited[key]
    view = make_view(graph, ego_scope(graph, key, depth=1))
    title = next(n["title"] for n in view.nodes if n["id"] == key)
    assert d["source_id"] in title and str(d["quote"])[:30] in title


def test_html_is_self_contained(graph):
    html = render_html(make_view(graph, resolve_scope(graph, "江苏省")))
    assert not re.search(r"<script[^>]*\bsrc=|<link[^>]*\bhref=|@import|url\(\s*['\"]?https?:", html)
    assert "new vis.Network" in html and "vis.DataView" in html
    assert "physics" in html and '"enabled": false' in html
    assert "江苏省" in html and 'charset="utf-8"' in html


def test_rustworkx_sizes_match_networkx(graph):
    sub = graph.subgraph(scope_nodes(graph, resolve_scope(graph, "浙江省")))
    simple = nx.Graph(sub.to_undirected(as_view=True))
    for measure, reference in (("betweenness", nx.betweenness_centrality),
                               ("closeness", nx.closeness_centrality)):
        ours, theirs = centrality(sub, measure), reference(simple)
        assert max(abs(ours[k] - theirs[k]) for k in theirs) < 1e-9


def test_bad_scopes_say_what_is_wrong(graph):
    with pytest.raises(ScopeError, match="closest names"):
        resolve_scope(graph, "南京是")
    with pytest.raises(ScopeError, match="ambiguous.*320106"):
        resolve_scope(graph, "鼓楼区")
    with pytest.raises(ScopeError, match="depth"):
        ego_scope(graph, "南京市", depth=0)


def test_empty_scope_is_reported_not_drawn(graph, tmp_path):
    g = graph.copy()
    add_node(g, "cluster:empty-test", [schema.CITY_CLUSTER], name="测试空城市群")
    with pytest.raises(EmptyView, match="empty"):
        make_view(g, resolve_scope(g, "测试空城市群"))


def test_cli_writes_a_view_and_refuses_bad_input(build_dir, tmp_path):
    from kg.cli import app

    runner = CliRunner()
    out = tmp_path / "zj.html"
    ok = runner.invoke(app, ["viz", "--build", str(build_dir), "--scope", "浙江省",
                             "--size-by", "pagerank", "--out", str(out)])
    assert ok.exit_code == 0, ok.output
    assert out.exists() and "浙江省" in out.read_text(encoding="utf-8")
    for args, message in ((["--scope", "不存在的地方"], "no scope named"),
                          (["--scope", "鼓楼区"], "ambiguous"),
                          (["--size-by", "fame"], "not a centrality"),
                          (["--out", str(tmp_path / "x.png")], "HTML")):
        bad = runner.invoke(app, ["viz", "--build", str(build_dir), *args])
        assert bad.exit_code == 1 and message in bad.output, bad.output
        assert "Traceback" not in bad.output


def test_write_html_replaces_atomically(graph, tmp_path):
    out = write_html(make_view(graph, resolve_scope(graph, "海南省")), tmp_path / "hn" / "v.html")
    assert out.exists() and not list(out.parent.glob(".view-*"))
