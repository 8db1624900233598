"""Tiers and the 1+N circle added in issue 14 (rings / roles the plans name), on the built graph.

Each tier is read back from the graph and compared with the cities the row's own quote names
(an independent reading of the stored sentence), and the tier rows must not change who is a
member, who is partial or the plan-scope count.
"""
from __future__ import annotations

import csv

import opencc

from kg.model import schema
from kg.model.membership import members as members_of
from kg.paths import DATA
from kg.model.targets import coverage

T2S = opencc.OpenCC("t2s")

# circle -> (tier, members the tier names); the core city carries CORE_OF, never a tier
TIERS = {
    "metro:wuhan": ("核心区", {"鄂州市", "黄冈市", "黄石市"}),
    "metro:hangzhou": ("副中心城市", {"湖州市", "嘉兴市", "绍兴市", "衢州市", "黄山市"}),
    "metro:guangzhou": ("核心区", {"佛山市"}),
    "metro:chongqing": ("北部副中心", {"广安市"}),
    "metro:shijiazhuang": ("两极", {"邢台市", "衡水市"}),
}


def rows():
    with open(DATA / "relations/metro_members.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def tiered(graph, key, tier):
    return {graph.nodes[u]["name"] for u, _, d in graph.in_edges(key, data=True)
            if d["type"] == schema.MEMBER_OF and d.get("tier") == tier}


def core(graph, key):
    return {graph.nodes[u]["name"] for u, _, d in graph.in_edges(key, data=True)
            if d["type"] == schema.CORE_OF}


def test_each_tier_holds_the_cities_its_quote_names(graph):
    for key, (tier, expected) in TIERS.items():
        assert tiered(graph, key, tier) == expected, key
        for r in rows():
            if r["tail"] == key and r["tier"] == tier:
                quote = T2S.convert(r["quote"])
                assert tier in quote and r["head_name"].removesuffix("市") in quote, r["head_name"]
                assert r["source_id"].startswith("web-") and r["checked"] == "true"
        assert not tiered(graph, key, tier) & core(graph, key), key


def test_tier_rows_leave_membership_and_scope_alone(graph):
    table = {r["id"]: r for r in coverage(graph)}
    scope = {k: (table[k]["plan_members"], int(table[k]["scope_units"]))
             for k in ("metro:hangzhou", "metro:shijiazhuang", "metro:guangzhou", "metro:chongqing")}
    assert scope == {"metro:hangzhou": (5, 5), "metro:shijiazhuang": (3, 3), "metro:guangzhou": (3, 3),
                     "metro:chongqing": (22, 22)}
    sjz = members_of(graph, "metro:shijiazhuang")
    xingtai = next(v for k, v in sjz.items() if graph.nodes[k]["name"] == "邢台市")
    assert xingtai["partial"] and xingtai["tier"] == {"两极"} and len(xingtai["counties"]) == 8
    wuhan = members_of(graph, "metro:wuhan")
    assert len(wuhan) == 9 and sum(1 for v in wuhan.values() if "核心区" in v["tier"]) == 3


def test_tianjin_circle_is_the_1_plus_n_its_territorial_plan_names(graph):
    key = "metro:tianjin"
    named = {graph.nodes[u]["name"] for u, _, d in graph.in_edges(key, data=True)
             if d["type"] == schema.MEMBER_OF}
    assert named == {"沧州市", "廊坊市", "唐山市"} and core(graph, key) == {"天津市"}
    quote = next(r["quote"] for r in rows() if r["tail"] == key and r["type"] == "MEMBER_OF")
    assert all(n in quote for n in named) and quote.count("、") == 2 and "等" in quote
    row = {r["id"]: r for r in coverage(graph)}[key]
    assert row["plan_members"] is None and row["endorsed"] == ""   # 等: no plan count is claimed
    for code in ("130900", "131000", "130200"):
        assert graph.nodes[code]["adcode"] == code and code.startswith("13")
