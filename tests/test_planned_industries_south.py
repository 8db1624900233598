"""Planned leading industries of southern and western cities outside 长三角/珠三角/成渝
(data/relations/planned_industries_south.csv): coverage, region, and named facts.

The file checks read data/ directly (fresh clone); the named facts use the built graph.
The general checks (quote names the industry, source cited, taxonomy) are in
tests/test_planned_industries.py, which reads every planned_industries_*.csv.
"""
from __future__ import annotations

import csv

import pytest

from kg.model import schema
from kg.model.graph import rels_of
from kg.paths import DATA

SOUTH = DATA / "relations" / "planned_industries_south.csv"
# 闽 湘 赣 桂 琼 黔 滇 藏, 广东 outside the nine PRD cities, 四川 outside the 成渝 plan
SOUTH_PROVINCES = {"35", "36", "43", "44", "45", "46", "51", "52", "53", "54"}
PRD = {"440100", "440300", "440400", "440600", "441300", "441900", "442000", "440700", "441200"}
CHENGYU_SICHUAN = {"510100", "510300", "510500", "510600", "510700", "510900", "511000", "511100",
                   "511300", "511400", "511500", "511600", "511700", "511800", "512000"}
CITIES = {"350300", "350800", "350900", "360200", "360500", "360800", "360900", "430200",
          "430600", "430700", "431300", "440200", "440800", "445200", "450100", "450200",
          "450300", "450400", "450500", "450600", "460100", "460200", "520200", "520300",
          "530100", "530300", "530400"}


@pytest.fixture(scope="module")
def rows():
    with open(SOUTH, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_city_and_row_counts(rows):
    assert {r["head"] for r in rows} == CITIES  # 27 prefecture-level cities
    assert len(rows) == 121


def test_cities_are_in_the_region_and_new(rows):
    others = set()
    for p in (DATA / "relations").glob("planned_industries_*.csv"):
        if p != SOUTH:
            with open(p, encoding="utf-8") as fh:
                others |= {r["head"] for r in csv.DictReader(fh)}
    for r in rows:
        ad = r["head"]
        assert ad[:2] in SOUTH_PROVINCES and ad not in PRD | CHENGYU_SICHUAN, ad
        assert ad.endswith("00") and not ad.endswith("0000"), ad
        assert ad not in others, f"{ad} already has rows in another region file"


def test_rows_are_unique_and_periods_ordered(rows):
    keys = [(r["head"], r["tail"], r["source_id"]) for r in rows]
    assert len(keys) == len(set(keys))
    for r in rows:
        if r["valid_from"] and r["valid_to"]:
            assert int(r["valid_from"]) <= int(r["valid_to"]), r
        assert r["checked"] == "true"


def test_undated_copy_has_no_period(rows):
    jieyang = [r for r in rows if r["head"] == "445200"]
    assert jieyang and all(r["valid_from"] == "" for r in jieyang)


@pytest.mark.parametrize("city, industry, source_id", [
    ("350900", "industry:power-batteries", "web-ningde-gwr-2024"),           # 锂电新能源
    ("350900", "industry:advanced-nonferrous-materials", "web-ningde-gwr-2024"),  # 铜材料
    ("450500", "industry:marine-engineering-equipment", "web-beihai-press-conference-2024"),
    ("450500", "industry:low-altitude-economy", "web-beihai-press-conference-2024"),
    ("440800", "industry:petrochemical", "web-zhanjiang-party-secretary-2023"),  # 绿色石化
    ("530300", "industry:solar", "web-qujing-press-conference-2023"),        # 绿色硅光伏
    ("520300", "industry:liquor", "web-zunyi-gwr-2022"),                     # 酱香白酒
    ("430200", "industry:rail-transit-equipment", "web-zhuzhou-gwr-2024"),
    ("450200", "industry:automotive", "web-liuzhou-press-conference-2025"),
    ("450200", "industry:artificial-intelligence", "web-liuzhou-press-conference-2025-b"),
    ("460100", "industry:biomedicine", "web-haikou-gwr-2022"),
    ("430700", "industry:bio-manufacturing", "web-changde-press-conference-2025"),
    ("460200", "industry:culture-tourism", "web-sanya-gwr-2021"),            # 旅游业
    ("530100", "industry:advanced-nonferrous-materials", "web-kunming-city-report-2022"),
    ("350800", "industry:intelligent-manufacturing", "web-longyan-gwr-2026"),  # 矿业+智能制造
    ("440200", "industry:next-gen-it", "web-shaoguan-party-secretary-2024"),   # 大数据
    ("360900", "industry:power-batteries", "web-yichun-press-conference-2023"),  # 锂电新能源
    ("450600", "industry:food", "web-fangchenggang-press-conference-2023"),  # 粮油食品加工
    ("360200", "industry:aviation-equipment", "web-jingdezhen-press-conference-2022"),
    ("360500", "industry:advanced-steel-materials", "web-xinyu-action-plan-2025"),
    ("450400", "industry:building-materials", "web-wuzhou-party-congress-2021"),  # 建筑材料
    ("360800", "industry:electronic-information", "web-jian-party-secretary-2024"),
    ("431300", "industry:equipment-manufacturing", "web-loudi-gwr-2021"),  # 工程机械
    ("530400", "industry:power-batteries", "web-yuxi-city-report-2024"),     # 新能源电池
    ("520200", "industry:energy-chemicals", "web-liupanshui-press-conference-2023"),
    ("450300", "industry:food", "web-guilin-press-conference-2021"),        # 生态食品
])
def test_named_facts_in_the_graph(graph, city, industry, source_id):
    found = [d for u, v, d in rels_of(graph, schema.PLANS_INDUSTRY)
             if u == city and v == industry and d.get("source_id") == source_id]
    assert found, (city, industry, source_id)
    assert found[0].get("quote") and found[0].get("checked") in (True, "true")


def test_what_is_not_claimed(graph):
    """Names the texts give that map to no node are not loaded as some other industry."""
    tails = {v for u, v, d in rels_of(graph, schema.PLANS_INDUSTRY) if u == "530300"}
    assert "industry:advanced-nonferrous-materials" not in tails  # 绿色铝精深加工 is left unmapped
    assert "industry:steel" in tails  # 高端钢材深加工
