"""The curated-layer reader (kg.sources.curated) and the curated city-system data in data/.

Reader tests use small files in a temporary folder on top of the real administrative
backbone; data tests use the whole graph built from data/ (the ``graph`` fixture).
"""
from __future__ import annotations

import csv
import textwrap

import pytest

from kg.model import schema
from kg.model.graph import new_graph, nodes_with, rels_of
from kg.paths import DATA
from kg.sources.curated import CuratedDataError, add_curated, coverage

SOURCES = """\
source_id,title,publisher,year,kind,url_or_ref,note
policy:nj-plan-2021,南京都市圈发展规划,江苏省人民政府,2021,plan,,
000_e72cbd7cbd590d7c.txt,东部地区城市新中心发展模式与路径研究,赛迪顾问,2025,article,,
"""
NODE_HEAD = "id,place,labels,name,name_en,aliases,source_id,source_title,year,quote,checked\n"
METRO = "metro:nanjing,,MetroCircle,南京都市圈,Nanjing Metropolitan Circle,宁镇扬,policy:nj-plan-2021,,2021,,false\n"
REL_HEAD = "type,head,head_name,tail,tail_name,partial,counties,source_id,source_title,year,quote,checked\n"
GOOD_REL = "CORE_OF,320100,南京市,metro:nanjing,南京都市圈,,,policy:nj-plan-2021,,2021,,false\n"


@pytest.fixture(scope="module")
def backbone():
    from kg.sources.backbone import add_backbone

    g = new_graph()
    add_backbone(g)
    return g


def write_data(root, relations: str, nodes: str = METRO, sources: str = SOURCES):
    (root / "nodes").mkdir(parents=True, exist_ok=True)
    (root / "relations").mkdir(parents=True, exist_ok=True)
    (root / "sources.csv").write_text(sources, encoding="utf-8")
    (root / "nodes" / "metro.csv").write_text(NODE_HEAD + nodes, encoding="utf-8")
    (root / "relations" / "rels.csv").write_text(REL_HEAD + relations, encoding="utf-8")
    return root


def snapshot(g):
    return (len(g), g.number_of_edges(), sorted(g.nodes["320100"].items()))


def fails_with(g, data_dir, *expected: str) -> list[str]:
    """Load data_dir into g, expect CuratedDataError whose errors contain each expected text."""
    before = snapshot(g)
    with pytest.raises(CuratedDataError) as info:
        add_curated(g, data_dir)
    assert snapshot(g) == before, "a failed load must leave the graph unchanged"
    for text in expected:
        assert any(text in e for e in info.value.errors), (text, info.value.errors)
    return info.value.errors


def test_good_files_load(backbone, tmp_path):
    g = backbone.copy()
    write_data(tmp_path, GOOD_REL +
               "MEMBER_OF,常州市/金坛区,,metro:nanjing,,,,policy:nj-plan-2021,,2021,,true\n"
               "MEMBER_OF,320400,常州市,metro:nanjing,,true,金坛区;溧阳市,policy:nj-plan-2021,,2021,,true\n")
    add_curated(g, tmp_path)
    assert g.nodes["metro:nanjing"]["aliases"] == ["宁镇扬"]
    assert g.nodes["doc:000_e72cbd7cbd590d7c"]["labels"] == [schema.DOCUMENT]
    core = g.edges["320100", "metro:nanjing", "CORE_OF|policy:nj-plan-2021"]
    assert (core["year"], core["checked"], core["source_title"]) == (2021, False, "南京都市圈发展规划")
    member = g.edges["320400", "metro:nanjing", "MEMBER_OF|policy:nj-plan-2021"]
    assert member["partial"] is True
    assert member["county_adcodes"] == ["320413", "320481"]
    assert g.has_edge("320413", "metro:nanjing")


TIER_HEAD = REL_HEAD.replace(",counties,", ",counties,tier,")


def test_tier_passes_through_to_the_membership(backbone, tmp_path):
    g = backbone.copy()
    write_data(tmp_path, "MEMBER_OF,镇江市/句容市,,metro:nanjing,,false,,主要包括,policy:nj-plan-2021,,2021,"
                         "南京都市圈主要包括:江苏省南京市、镇江市京口区、润州区、丹徒区和句容市,true\n"
                         # a quote in traditional script names the tier in its own script
                         "MEMBER_OF,321100,镇江市,metro:nanjing,,false,,规划范围,policy:nj-plan-2021,,2021,"
                         "規劃範圍拓展到南京、鎮江等8市全域,true\n")
    (tmp_path / "relations" / "rels.csv").write_text(
        TIER_HEAD + (tmp_path / "relations" / "rels.csv").read_text(encoding="utf-8").split("\n", 1)[1],
        encoding="utf-8")
    add_curated(g, tmp_path)
    assert g.edges["321183", "metro:nanjing", "MEMBER_OF|policy:nj-plan-2021"]["tier"] == "主要包括"
    assert g.edges["321100", "metro:nanjing", "MEMBER_OF|policy:nj-plan-2021"]["tier"] == "规划范围"


def test_tier_only_on_member_of_and_in_the_quote(backbone, tmp_path):
    write_data(tmp_path, "")
    (tmp_path / "relations" / "rels.csv").write_text(
        TIER_HEAD +
        "CORE_OF,320100,南京市,metro:nanjing,,,,核心区,policy:nj-plan-2021,,2021,以南京为核心区,true\n"
        "MEMBER_OF,321100,镇江市,metro:nanjing,,false,,紧密圈,policy:nj-plan-2021,,2021,镇江是辐射区,true\n"
        "MEMBER_OF,321000,扬州市,metro:nanjing,,false,,紧密圈,policy:nj-plan-2021,,2021,,true\n",
        encoding="utf-8")
    fails_with(backbone.copy(), tmp_path,
               "rels.csv:2: tier '核心区' on CORE_OF: only MEMBER_OF has a tier",
               "rels.csv:3: tier '紧密圈' is not in the quote (use the plan's own words)",
               "rels.csv:4: tier '紧密圈' needs the quote that names it")


def test_unknown_place(backbone, tmp_path):
    write_data(tmp_path, GOOD_REL + "MEMBER_OF,南京府,,metro:nanjing,,,,policy:nj-plan-2021,,2021,,false\n")
    fails_with(backbone.copy(), tmp_path, "relations/rels.csv:3: head: unknown place name '南京府'")


def test_ambiguous_name_lists_candidates(backbone, tmp_path):
    write_data(tmp_path, "MEMBER_OF,鼓楼区,,metro:nanjing,,,,policy:nj-plan-2021,,2021,,false\n")
    [error] = fails_with(backbone.copy(), tmp_path, "relations/rels.csv:2: head: '鼓楼区' is ambiguous")
    for candidate in ("320106 江苏省南京市鼓楼区", "350102 福建省福州市鼓楼区", "320302", "410204"):
        assert candidate in error


def test_name_must_agree_with_adcode(backbone, tmp_path):
    write_data(tmp_path, "CORE_OF,320100,苏州市,metro:nanjing,,,,policy:nj-plan-2021,,2021,,false\n")
    fails_with(backbone.copy(), tmp_path, "relations/rels.csv:2: head: name '苏州市' disagrees with adcode 320100")


def test_missing_and_unknown_source(backbone, tmp_path):
    write_data(tmp_path, "CORE_OF,320100,南京市,metro:nanjing,,,,,,2021,,false\n"
                         "MEMBER_OF,320400,,metro:nanjing,,,,policy:nowhere,,2021,,false\n")
    fails_with(backbone.copy(), tmp_path, "relations/rels.csv:2: missing source_id",
               "relations/rels.csv:3: source_id 'policy:nowhere' is not in sources.csv")


def test_malformed_year(backbone, tmp_path):
    write_data(tmp_path, "CORE_OF,320100,南京市,metro:nanjing,,,,policy:nj-plan-2021,,20x1,,false\n"
                         "MEMBER_OF,320400,,metro:nanjing,,,,policy:nj-plan-2021,,1850,,false\n")
    fails_with(backbone.copy(), tmp_path, "relations/rels.csv:2: malformed year '20x1'",
               "relations/rels.csv:3: malformed year '1850'")


def test_duplicate_row(backbone, tmp_path):
    write_data(tmp_path, GOOD_REL + GOOD_REL.replace("320100,南京市", "南京市,"))
    fails_with(backbone.copy(), tmp_path, "relations/rels.csv:3: duplicate relationship")


def test_unknown_type_label_and_endpoint(backbone, tmp_path):
    write_data(tmp_path, "OWNS,320100,,metro:nanjing,,,,policy:nj-plan-2021,,2021,,false\n"
                         "CORE_OF,metro:nanjing,,320100,,,,policy:nj-plan-2021,,2021,,false\n",
               nodes=METRO + "metro:x,,Metro,X,,,policy:nj-plan-2021,,2021,,false\n")
    fails_with(backbone.copy(), tmp_path, "relations/rels.csv:2: unknown relationship type 'OWNS'",
               "relations/rels.csv:3: CORE_OF cannot start at metro:nanjing",
               "nodes/metro.csv:3: unknown label 'Metro'")


def test_errors_are_collected_across_files(backbone, tmp_path):
    errors = fails_with(backbone.copy(), write_data(
        tmp_path, "MEMBER_OF,鼓楼区,,metro:nanjing,,,,policy:nj-plan-2021,,2021,,false\n",
        nodes=METRO + "metro:y,,MetroCircle,Y都市圈,,,,,2021,,false\n"))
    assert {e.split(":")[0] for e in errors} == {"nodes/metro.csv", "relations/rels.csv"}


# --- the real data --------------------------------------------------------------------------

def rows(path):
    with open(DATA / path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_nineteen_clusters_and_new_areas(graph):
    assert len(list(nodes_with(graph, schema.CITY_CLUSTER))) == 19 == len(rows("nodes/clusters.csv"))
    areas = dict(nodes_with(graph, schema.NATIONAL_NEW_AREA))
    assert len(areas) == 19
    assert areas["newarea:xiongan"]["approved_year"] == 2017
    assert areas["newarea:pudong"]["approved_year"] == 1992
    for key in areas:
        assert any(d["type"] == schema.LOCATED_IN for _, _, d in graph.out_edges(key, data=True)), key


def test_every_cluster_has_a_plan_and_three_members(graph):
    for key, data in nodes_with(graph, schema.CITY_CLUSTER):
        plans = {u for u, _, d in graph.in_edges(key, data=True)
                 if d["type"] == schema.TARGETS and schema.POLICY in graph.nodes[u]["labels"]}
        members = {u for u, _, d in graph.in_edges(key, data=True) if d["type"] == schema.MEMBER_OF}
        assert plans, f"{data['name']} has no plan"
        if key == "cluster:tianshan-north-slope":
            # no stored text states its scope; only 乌鲁木齐 (the core the 13th-FYP text names) is in
            assert members == {"650100"}
            continue
        assert len(members) >= 3, f"{data['name']} has {len(members)} members"


def test_every_metro_circle_has_exactly_one_core(graph):
    """Exactly one core, except 厦漳泉 (endorsed; its plan's layout names 三核 and no single core
    was found, so it has none and the build's coverage lists it as a gap)."""
    circles = dict(nodes_with(graph, schema.METRO_CIRCLE))
    assert len(circles) >= 24
    coreless = set()
    for key, data in circles.items():
        # one core city; a circle whose newer plan restates it has one CORE_OF row per source
        cores = sorted({u for u, _, d in graph.in_edges(key, data=True) if d["type"] == schema.CORE_OF})
        assert len(cores) <= 1, f"{data['name']}: cores {cores}"
        if not cores:
            coreless.add(key)
    assert coreless == {"metro:xiamen-zhangzhou-quanzhou"}
    assert [u for u, _, d in graph.in_edges("metro:nanjing", data=True) if d["type"] == "CORE_OF"] == ["320100"]


def test_every_curated_relationship_has_source_and_year(graph):
    asserted = [d for _, _, d in graph.edges(data=True) if d["type"] not in schema.DERIVED_TYPES]
    assert len(asserted) > 400
    missing = [d for d in asserted if not d.get("source_id") or not isinstance(d.get("year"), int)]
    assert missing == []


def test_cross_provincial_members_of_yrd_and_nanjing(graph):
    def members(target):
        return {graph.nodes[u]["name"] for u, _, d in graph.in_edges(target, data=True) if d["type"] == "MEMBER_OF"}

    both = members("cluster:yangtze-river-delta") & members("metro:nanjing")
    assert {"马鞍山市", "滁州市", "芜湖市", "宣城市"} <= both
    assert {"金坛区", "溧阳市"} <= members("metro:nanjing")


@pytest.mark.neo4j
def test_cross_provincial_members_in_neo4j(loaded):
    query = textwrap.dedent("""
        MATCH (p:Place)-[:MEMBER_OF]->(:CityCluster {name: '长江三角洲城市群'}),
              (p)-[:MEMBER_OF]->(:MetroCircle {name: '南京都市圈'})
        RETURN collect(DISTINCT p.name) AS names""")
    with loaded.session() as session:
        names = set(session.run(query).single()["names"])
    assert {"马鞍山市", "滁州市", "芜湖市", "宣城市"} <= names


def test_partial_members_name_their_counties(graph):
    edge = graph.edges["511700", "cluster:chengdu-chongqing", "MEMBER_OF|policy:chengyu-cluster-plan-2016"]
    assert edge["partial"] is True
    assert "万源市" not in edge["counties"] and "通川区" in edge["counties"]
    # the 2016 plan (26 cities) and the 2019 outline (wider scope) are separate facts
    yrd = [d for u, _, d in graph.in_edges("cluster:yangtze-river-delta", data=True)
           if d["type"] == "MEMBER_OF"]
    assert sum(d["source_id"] == "policy:yrd-cluster-plan-2016" for d in yrd) == 26
    assert sum(d["source_id"] == "policy:yrd-integration-outline-2019" for d in yrd) == 41


def test_coverage_agrees_with_an_independent_count(graph):
    table = {r["id"]: r for r in coverage(graph)}
    member_rows = rows("relations/cluster_members.csv")
    expected = {r["head"] for r in member_rows if r["tail"] == "cluster:middle-yangtze"}
    assert table["cluster:middle-yangtze"]["members"] == len(expected) == 31
    assert table["cluster:middle-yangtze"]["partial"] == 2
    assert table["metro:xian"]["core"] == "西安市"


# --- clusters at plan scope (issue 14) -------------------------------------------------------

def test_every_cluster_with_a_known_scope_is_at_full_scope(graph):
    """The members citing each cluster's scope plan, counted from the CSV, are as many as the
    units that plan names (scope_units, clusters.csv); coverage() agrees with the count."""
    table = {r["id"]: r for r in coverage(graph)}
    members = rows("relations/cluster_members.csv")
    known = 0
    for node in rows("nodes/clusters.csv"):
        if not node["scope_units"]:
            continue
        known += 1
        cited = {r["head"] for r in members
                 if r["tail"] == node["id"] and r["source_id"] == node["scope_plan"]}
        assert len(cited) == int(node["scope_units"]), node["id"]
        assert table[node["id"]]["plan_members"] == len(cited)
    assert known == 17       # all but 黔中 and 天山北坡, whose plan scope is in no stored text


def test_central_plains_tiers_are_the_plans_words(graph):
    tier = {u: d["tier"] for u, _, d in graph.in_edges("cluster:central-plains", data=True)
            if d["type"] == "MEMBER_OF"}
    core = {graph.nodes[u]["name"] for u, t in tier.items() if t == "核心发展区"}
    outer = {graph.nodes[u]["name"] for u, t in tier.items() if t == "联动辐射区"}
    assert len(core) == 14 and len(outer) == 16
    assert {"郑州市", "洛阳市", "晋城市", "亳州市", "济源市"} <= core
    assert {"南阳市", "邯郸市", "聊城市", "蚌埠市", "长治市"} <= outer
    row = next(r for r in coverage(graph) if r["id"] == "cluster:central-plains")
    assert row["tiers"] == "核心发展区 14; 联动辐射区 16"


def test_chengyu_2021_outline_scope(graph):
    edges = {u: d for u, _, d in graph.in_edges("cluster:chengdu-chongqing", data=True)
             if d["type"] == "MEMBER_OF" and d["source_id"] == "policy:chengyu-twin-city-outline-2021"}
    assert len(edges) == 18
    for county in ("500154", "500235"):              # 开州区, 云阳县: 部分地区, no list
        assert edges[county]["partial"] is True and "counties" not in edges[county]
    mianyang = edges["510700"]
    assert "北川羌族自治县" not in mianyang["counties"] and "江油市" in mianyang["counties"]
    cq = edges["500000"]
    # 27 区县, 江北区 and 渝北区 included
    assert len(cq["county_adcodes"]) == len(cq["counties"]) == 27
    assert {"500105", "500112"} <= set(cq["county_adcodes"])
    assert {"500101", "500110", "500151", "500233"} <= set(cq["county_adcodes"])  # 万州 綦江 铜梁 忠县


def test_west_strait_scope_has_zhejiang_and_meizhou_but_no_jiangxi(graph):
    members = {graph.nodes[u]["name"] for u, _, d in
               graph.in_edges("cluster:guangdong-fujian-zhejiang-coast", data=True) if d["type"] == "MEMBER_OF"}
    assert {"温州市", "衢州市", "丽水市", "梅州市", "汕头市", "福州市"} <= members
    assert not {u for u, _, d in graph.in_edges("cluster:guangdong-fujian-zhejiang-coast", data=True)
                if d["type"] == "MEMBER_OF" and u.startswith("36")}


def test_new_area_host_districts(graph):
    def hosts(area):
        return {graph.nodes[v]["name"] for _, v, d in graph.out_edges(area, data=True) if d["type"] == "LOCATED_IN"}

    assert {"浦口区", "六合区", "栖霞区"} <= hosts("newarea:jiangbei")
    assert {"花溪区", "清镇市", "平坝区", "西秀区"} <= hosts("newarea:guian")
    assert {"未央区", "长安区", "鄠邑区", "秦都区", "渭城区", "泾阳县", "兴平市"} <= hosts("newarea:xixian")


@pytest.mark.parametrize("path", ["relations/cluster_members.csv", "relations/new_area_locations.csv"])
def test_cluster_files_hold_only_checked_rows_with_a_quote(path):
    bad = [(i, r["head"], r["tail"]) for i, r in enumerate(rows(path), 2)
           if r["checked"] != "true" or not r["quote"] or not r["note"].startswith("checked")]
    assert bad == []
