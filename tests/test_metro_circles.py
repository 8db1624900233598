"""Metro circles at plan scope: endorsed list, members, tiers (data/relations/metro_members.csv).

Each test checks the built graph (``graph`` fixture) against an independent reading of the
CSV files or of the quoted plan sentence itself, so a loader bug or a mistyped row shows.
"""
from __future__ import annotations

import csv
import re

import opencc

from kg.model import schema
from kg.model.graph import nodes_with
from kg.paths import DATA
from kg.sources.curated import coverage, endorsed_gaps

T2S = opencc.OpenCC("t2s")


def rows(path):
    with open(DATA / path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def members(graph, key, tier=None, source=None):
    """Names of the MEMBER_OF heads of ``key`` (optionally of one tier / source)."""
    return {graph.nodes[u]["name"] for u, _, d in graph.in_edges(key, data=True)
            if d["type"] == schema.MEMBER_OF and (tier is None or d.get("tier") == tier)
            and (source is None or d["source_id"] == source)}


def parent(graph, code):
    return next(v for _, v, d in graph.out_edges(code, data=True) if d["type"] == schema.BELONGS_TO)


def test_every_metro_row_is_checked_and_quoted():
    for path in ("relations/metro_members.csv", "nodes/metro_circles.csv"):
        bad = [(i, r["head_name"] or r.get("name")) for i, r in enumerate(rows(path), 2)
               if r["checked"] != "true" or not r["quote"]]
        assert bad == [], path


def test_every_tier_is_the_plans_word_and_reaches_the_graph(graph):
    tiered = [r for r in rows("relations/metro_members.csv") if r["tier"]]
    assert len(tiered) >= 40
    for r in tiered:
        assert r["type"] == "MEMBER_OF"
        assert r["tier"] in r["quote"] or r["tier"] in T2S.convert(r["quote"]), r
    on_graph = [d for _, v, d in graph.edges(data=True)
                if d["type"] == schema.MEMBER_OF and str(v).startswith("metro:") and d.get("tier")]
    assert len(on_graph) == len(tiered)


def test_nanjing_county_level_body_and_planning_area(graph):
    """The plan: the circle 主要包括 南京 and 22 周边 units (2.7万km²); its 规划范围 拓展到 the
    other seven cities whole plus 金坛区 and 溧阳市."""
    body = [u for u, _, d in graph.in_edges("metro:nanjing", data=True) if d.get("tier") == "主要包括"]
    wide = members(graph, "metro:nanjing", tier="规划范围")
    assert len(body) == 22
    assert all(schema.level(graph.nodes[u]) == schema.COUNTY for u in body)
    assert wide == {"镇江市", "扬州市", "淮安市", "芜湖市", "马鞍山市", "滁州市", "宣城市", "金坛区", "溧阳市"}
    # every unit of the body lies in a city of the planning area (none in 常州)
    assert {graph.nodes[parent(graph, u)]["name"] for u in body} == wide - {"金坛区", "溧阳市"}
    assert {"盱眙县", "天长市", "当涂县"} <= {graph.nodes[u]["name"] for u in body}


def test_chengdu_body_lies_inside_its_three_cities(graph):
    body = [u for u, _, d in graph.in_edges("metro:chengdu", data=True) if d.get("tier") == "主要包括"]
    assert len(body) == 10
    assert {graph.nodes[parent(graph, u)]["name"] for u in body} == \
        members(graph, "metro:chengdu", tier="规划范围") == {"德阳市", "眉山市", "资阳市"}


def test_shanghai_has_the_eight_cities_its_plan_names(graph):
    quote = next(r["quote"] for r in rows("relations/metro_members.csv")
                 if r["source_id"] == "policy:shanghai-metro-spatial-plan-2022")
    named = set(re.search(r"周边(.+?)在内的", quote).group(1).split("、"))
    assert len(named) == 8
    assert members(graph, "metro:shanghai", source="policy:shanghai-metro-spatial-plan-2022") == named
    assert {"常州市", "宁波市", "湖州市", "嘉兴市", "舟山市"} <= members(graph, "metro:shanghai")


def test_wuhan_has_the_three_province_administered_cities(graph):
    circle = members(graph, "metro:wuhan")
    assert {"仙桃市", "潜江市", "天门市", "鄂州市", "孝感市", "咸宁市", "黄冈市", "黄石市"} == circle
    for code in ("429004", "429005", "429006"):
        assert schema.level(graph.nodes[code]) == schema.COUNTY and parent(graph, code) == "420000"


def test_hefei_is_its_core_and_seven_counties(graph):
    quote = next(r["quote"] for r in rows("relations/metro_members.csv") if r["tail"] == "metro:hefei"
                 and r["type"] == "MEMBER_OF")
    assert "周边7个县" in quote
    heads = [u for u, _, d in graph.in_edges("metro:hefei", data=True) if d["type"] == schema.MEMBER_OF]
    assert len(heads) == 7 and all(schema.level(graph.nodes[u]) == schema.COUNTY for u in heads)
    assert {graph.nodes[u]["name"] for u in heads} == {"寿县", "金安区", "舒城县", "无为市", "含山县", "定远县", "桐城市"}


def test_partial_members_name_counties_inside_them(graph):
    edge = graph.edges["130500", "metro:shijiazhuang", "MEMBER_OF|policy:shijiazhuang-metro-plan-2025"]
    assert edge["partial"] is True and len(edge["county_adcodes"]) == 8
    assert all(code.startswith("1305") for code in edge["county_adcodes"])


def test_guangzhou_circle_is_not_put_inside_the_prd(graph):
    """广州都市圈 takes in 清远's 清城区, 清新区 and 佛冈县, which are outside the nine PRD cities."""
    assert not [v for _, v, d in graph.out_edges("metro:guangzhou", data=True) if d["type"] == schema.PART_OF]
    prd = members(graph, "cluster:pearl-river-delta")
    assert "清远市" not in prd and "清远市" in members(graph, "metro:guangzhou")


def test_endorsed_circles_and_their_gaps(graph):
    endorsed = {r["id"]: r["endorsed"] for r in rows("nodes/metro_circles.csv") if r["endorsed"]}
    assert len(endorsed) == 18
    by_year = {}
    for date in endorsed.values():
        by_year[date[:4]] = by_year.get(date[:4], 0) + 1
    assert by_year == {"2021": 3, "2022": 4, "2023": 7, "2024": 2, "2025": 2}
    table = coverage(graph)
    assert {r["id"] for r in table if r["endorsed"]} == set(endorsed)
    # 厦漳泉: three members from a page naming them, no core (the plan's layout has 三核)
    assert endorsed_gaps(table) == ["厦漳泉都市圈: no core"]
    circles = dict(nodes_with(graph, schema.METRO_CIRCLE))
    assert circles["metro:changchun"]["endorsed"] == "2025-08-22"


# --- metro circles at plan scope (issue 14, items 2 and 3) ----------------------------------

def test_chongqing_is_its_21_main_urban_districts_and_guangan(graph):
    """The plan: 重庆都市圈 包括重庆市渝中区……荣昌区21个区和四川省广安市行政辖区全域; the names
    are read off the quoted sentence, not typed twice."""
    quote = next(r["quote"] for r in rows("relations/metro_members.csv")
                 if r["tail"] == "metro:chongqing" and r["head"] == "重庆市/渝中区")
    listed = re.search(r"包括重庆市(.+?)21个区", quote).group(1).split("、")
    named = {n.split("—")[0] for n in listed}          # 綦江区—万盛经开区
    assert len(named) == 21 and {"江北区", "渝北区", "綦江区", "荣昌区"} <= named
    heads = [u for u, _, d in graph.in_edges("metro:chongqing", data=True) if d["type"] == schema.MEMBER_OF]
    districts = [u for u in heads if schema.level(graph.nodes[u]) == schema.COUNTY]
    assert {graph.nodes[u]["name"] for u in districts} == named
    assert all(parent(graph, u) == "500000" for u in districts)
    assert set(heads) - set(districts) == {"511600"}          # 广安市, the whole city
    assert [u for u, _, d in graph.in_edges("metro:chongqing", data=True)
            if d["type"] == schema.CORE_OF] == ["500000"]


def test_every_metro_circle_with_a_known_scope_is_at_full_scope(graph):
    """The members citing each circle's scope plan, counted from the CSV, are as many as the
    units that plan names besides the core (scope_units, metro_circles.csv); coverage() and
    its n/N column agree."""
    from kg.cli.build import plan_scope

    table = {r["id"]: r for r in coverage(graph)}
    members_csv = rows("relations/metro_members.csv")
    known = {}
    for node in rows("nodes/metro_circles.csv"):
        if not node["scope_units"]:
            continue
        cited = {r["head"] for r in members_csv if r["type"] == "MEMBER_OF"
                 and r["tail"] == node["id"] and r["source_id"] == node["scope_plan"]}
        assert len(cited) == int(node["scope_units"]), node["id"]
        assert table[node["id"]]["plan_members"] == len(cited)
        known[node["id"]] = plan_scope(table[node["id"]])
    assert len(known) == 21
    assert known["metro:chongqing"] == "22/22" and known["metro:nanjing"] == "31/31"
    assert known["metro:changzhutan"] == "2/2"
    # endorsed circles whose plan's scope sentence is in no stored text (listed in data/README.md)
    endorsed = {r["id"] for r in rows("nodes/metro_circles.csv") if r["endorsed"]}
    assert endorsed - set(known) == {"metro:wuhan", "metro:xiamen-zhangzhou-quanzhou"}


def test_member_counts_of_circles_at_plan_scope(graph):
    table = {r["id"]: r for r in coverage(graph)}
    expected = {"metro:chongqing": (22, 0), "metro:nanjing": (31, 0), "metro:chengdu": (13, 0),
                "metro:xian": (3, 3), "metro:guangzhou": (3, 2), "metro:fuzhou": (3, 2),
                "metro:changchun": (3, 3), "metro:shijiazhuang": (3, 2), "metro:hefei": (7, 0),
                "metro:shenzhen": (2, 0), "metro:pearl-river-west": (3, 0),
                "metro:zhanjiang-maoming": (1, 0), "metro:shantou-chaozhou-jieyang": (2, 0),
                "metro:changzhutan": (2, 2),
                # coverage() counts a circle's rows in force: the newest plan's list only
                "metro:zhengzhou": (7, 2), "metro:jinan": (5, 0), "metro:qingdao": (6, 0)}
    assert {k: (table[k]["members"], table[k]["partial"]) for k in expected} == expected
    for key in expected:
        assert len(table[key]["core"].split(";")) == 1, key


def test_partial_members_name_counties_from_their_quote(graph):
    """Every county a partial metro member names is in that row's quote and lies in the member."""
    checked = 0
    for r in rows("relations/metro_members.csv"):
        if not r["counties"]:
            continue
        quote = T2S.convert(r["quote"])
        for name in r["counties"].split(";"):
            # 杨陵区 is the seat of 杨凌示范区, which the 西安 plan names; 伊通县 is 伊通满族自治县
            alias = {"杨陵区": "杨凌", "伊通满族自治县": "伊通县"}.get(name, name)
            assert alias in quote, (r["tail"], r["head_name"], name)
        edge = graph.edges[r["head"], r["tail"], f"MEMBER_OF|{r['source_id']}"]
        assert len(edge["county_adcodes"]) == len(r["counties"].split(";"))
        assert all(c[:4] == r["head"][:4] for c in edge["county_adcodes"]), r["head_name"]
        checked += 1
    assert checked >= 8
    counties = graph.edges["441200", "metro:guangzhou", "MEMBER_OF|policy:guangzhou-metro-plan-2023"]["counties"]
    assert counties == ["端州区", "鼎湖区", "高要区", "四会市"]
    # 长株潭: 株洲 and 湘潭 with their (unlisted) 中心城区 plus the named county-level units
    cz = {graph.nodes[u]["name"]: d.get("counties") for u, _, d in graph.in_edges("metro:changzhutan", data=True)
          if d["type"] == schema.MEMBER_OF}
    assert cz == {"株洲市": ["醴陵市"], "湘潭市": ["韶山市", "湘潭县"]}


def test_newer_plans_replace_older_lists_and_keep_their_core(graph):
    """济南 (2024 plan) and 青岛 (2023 plan) replace the 2017 cluster plan's lists in membership
    queries, and every circle's core is among its members as of the latest year."""
    from kg.model.membership import members as members_as_of

    def names(key):
        return {graph.nodes[u]["name"] for u in members_as_of(graph, key)}

    assert names("metro:jinan") == {"济南市", "淄博市", "泰安市", "聊城市", "德州市", "滨州市"}
    qingdao = names("metro:qingdao")
    assert {"青岛市", "诸城市", "高密市", "东港区", "莱州市"} <= qingdao and "潍坊市" not in qingdao
    assert len(qingdao) == 7
    for key, _ in nodes_with(graph, schema.METRO_CIRCLE):
        cores = {u for u, _, d in graph.in_edges(key, data=True) if d["type"] == schema.CORE_OF}
        assert cores <= set(members_as_of(graph, key)), key


def test_zhengzhou_endorsed_plan_replaces_the_provincial_1_plus_8(graph):
    """The 2023 plan's “1+2+2+3”: 开封, 许昌 whole; 新乡, 焦作 in part; 偃师, 郏县, 临颍. The 2021
    “1+8” rows (洛阳, 平顶山, 漯河, 济源 whole) are in force only up to 2022."""
    from kg.model.membership import members as members_as_of

    def names(year):
        return {graph.nodes[u]["name"] for u in members_as_of(graph, "metro:zhengzhou", as_of=year)}

    now = names(None)
    assert now == {"郑州市", "开封市", "许昌市", "新乡市", "焦作市", "偃师区", "郏县", "临颍县"}
    assert {"洛阳市", "平顶山市", "漯河市", "济源市"} <= names(2022)
    quote = next(r["quote"] for r in rows("relations/metro_members.csv")
                 if r["source_id"] == "policy:zhengzhou-metro-plan-2023")
    assert all(T2S.convert(w) in T2S.convert(quote) for w in ("偃師", "郟縣", "臨潁", "三市全域"))
    partial = {graph.nodes[u]["name"] for u, _, d in graph.in_edges("metro:zhengzhou", data=True)
               if d["source_id"] == "policy:zhengzhou-metro-plan-2023" and d.get("partial")}
    assert partial == {"新乡市", "焦作市"}
