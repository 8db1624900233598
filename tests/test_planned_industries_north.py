"""Planned industries of northern and central cities and of 德阳 (data/relations/planned_industries_north.csv).

File checks read data/ directly (fresh clone); the named facts in the built graph use the ``graph``
fixture, so they also test that the curated reader loads this file.
"""
from __future__ import annotations

import csv
import re
from collections import defaultdict

import pytest

from kg.model import schema
from kg.model.graph import rels_of
from kg.paths import DATA

NORTH = DATA / "relations" / "planned_industries_north.csv"
# cities of this file: 德阳 (成渝) and capitals / large cities of the north and centre
CITIES = {"510600": "德阳市", "610100": "西安市", "420600": "襄阳市", "420500": "宜昌市",
          "410300": "洛阳市", "150100": "呼和浩特市", "620100": "兰州市", "650100": "乌鲁木齐市",
          "630100": "西宁市", "640100": "银川市", "130400": "邯郸市", "420300": "十堰市",
          "230600": "大庆市", "370800": "济宁市", "410700": "新乡市", "210300": "鞍山市",
          "140400": "长治市", "150400": "赤峰市", "420200": "黄石市", "410400": "平顶山市",
          "230200": "齐齐哈尔市", "130600": "保定市", "420800": "荆门市", "610300": "宝鸡市",
          "140800": "运城市"}


def _read(path):
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def rows():
    return _read(NORTH)


@pytest.fixture(scope="module")
def by_city(rows):
    out = defaultdict(set)
    for r in rows:
        out[r["head"]].add(r["tail"])
    return out


def test_cities_and_rows(rows, by_city):
    assert {r["head"]: r["head_name"] for r in rows} == CITIES
    assert len(CITIES) == 25
    assert len(rows) == 129


def test_cities_are_new(by_city):
    """The file adds cities: none of them has rows in the earlier region files."""
    earlier = {r["head"] for p in (DATA / "relations").glob("planned_industries_*.csv")
               if p.name != NORTH.name for r in _read(p)}
    assert not set(by_city) & earlier


@pytest.mark.parametrize("city, industry", [
    ("510600", "industry:equipment-manufacturing"),   # 德阳 机械装备 (“3+1”)
    ("510600", "industry:digital-economy"),
    ("610100", "industry:large-aircraft"),            # 西安 大飞机 链群
    ("610100", "industry:solar"),
    ("420600", "industry:bio-manufacturing"),         # 襄阳 “3+4” 生物制造
    ("420500", "industry:chemicals"),                 # 宜昌 绿色化工
    ("140400", "industry:semiconductors"),            # 长治 半导体光电
    ("370800", "industry:high-end-equipment"),        # 济宁 高端装备 千亿级
    ("230200", "industry:rail-transit-equipment"),    # 齐齐哈尔 轨道交通 产业链
    ("620100", "industry:hydrogen"),                  # 兰州 氢能 支柱产业链
    ("630100", "industry:energy-storage"),            # 西宁 锂电储能
    ("640100", "industry:food"),                      # 银川 新食品
])
def test_named_facts_in_the_file(by_city, city, industry):
    assert industry in by_city[city]


def test_named_absences(by_city):
    """Composite names are split, unmapped names stay out: 宜昌's four 优势产业 are exactly these."""
    assert by_city["420500"] == {"industry:chemicals", "industry:equipment-manufacturing",
                                 "industry:food", "industry:biomedicine"}
    assert {"industry:new-energy", "industry:new-materials"} <= by_city["420600"]  # 新能源新材料
    # 西安: 商用车 and 乘用车与智能网联汽车 are one 汽车 row; 输配电 and 能源(油气) stay unmapped
    assert by_city["610100"] == {"industry:large-aircraft", "industry:automotive", "industry:solar",
                                 "industry:semiconductors", "industry:new-materials", "industry:software",
                                 "industry:biomedicine"}
    assert by_city["130400"] >= {"industry:steel", "industry:equipment-manufacturing", "industry:food",
                                 "industry:new-materials", "industry:new-energy"}  # 邯郸 “532”
    assert "industry:textiles" not in by_city["130400"]


def test_pinyin_pages_are_quoted_without_readings(rows):
    for r in rows:
        assert not re.search(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔù]+\)", r["quote"]), r["head_name"]


def test_plan_periods(rows):
    periods = {(r["head"], r["valid_from"], r["valid_to"]) for r in rows}
    assert ("420600", "2026", "2030") in periods   # 襄阳: the “十五五” system of the 2026 report
    assert ("510600", "2023", "2025") in periods
    assert ("370800", "2022", "2026") in periods   # 济宁: 今后五年 of the 2022 report
    assert all(not r["valid_to"] or r["valid_from"] <= r["valid_to"] for r in rows)


def test_every_row_is_loaded_into_the_graph(graph, rows):
    """The curated reader loads each row of the file as one PLANS_INDUSTRY edge with its quote."""
    sources = {r["source_id"] for r in rows}
    loaded = {(u, v, d["source_id"]): d.get("quote") for u, v, d in rels_of(graph, schema.PLANS_INDUSTRY)
              if d.get("source_id") in sources}
    assert len(loaded) == len(rows)
    for r in rows:
        assert loaded[(r["head"], r["tail"], r["source_id"])] == r["quote"], r["head_name"]
    assert ("510600", "industry:food", "web-deyang-party-plenum-2023") in loaded  # 德阳 食品饮料
