"""Own-document planned industries of three 长三角 cities that had only the corpus's blanket
高端装备 sentence: 淮安 (三个制造业主导产业, 2021 城市推介会), 台州 (“1734”现代产业体系 of the
市五届三次党代会, undated copy) and 黄山 (200亿元产业集群 of a 政府工作报告, undated copy), in
data/relations/planned_industries_yrd.csv. 舟山, 安庆 and 六安 are still missing (data/README.md).

File checks read data/ directly (fresh clone); the last test uses the built graph (``graph``
fixture), so it also checks that the curated reader loads these rows.
"""
from __future__ import annotations

import csv

import pytest

from kg.model import schema
from kg.model.graph import rels_of
from kg.paths import DATA

YRD = DATA / "relations" / "planned_industries_yrd.csv"
SOURCES = {  # city -> the one source its own rows cite
    "320800": "web-huaian-city-promotion-2021",
    "331000": "web-taizhou-zj-party-congress-1734",
    "341000": "web-huangshan-gwr-undated",
}
STILL_MISSING = {"330900", "340800", "341500"}  # 舟山, 安庆, 六安


def _read(path):
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def rows():
    return [r for r in _read(YRD) if r["source_id"] in SOURCES.values()]


@pytest.fixture(scope="module")
def by_city(rows):
    return {city: {r["tail"] for r in rows if r["head"] == city} for city in SOURCES}


def test_cities_rows_and_sources(rows, by_city):
    assert {r["head"]: r["source_id"] for r in rows} == SOURCES
    assert {c: len(t) for c, t in by_city.items()} == {"320800": 3, "331000": 8, "341000": 4}
    cited = {r["source_id"]: r for r in _read(DATA / "sources.csv")}
    assert set(SOURCES.values()) <= set(cited)
    assert cited["web-taizhou-zj-party-congress-1734"]["kind"] == "plan"
    assert cited["web-huangshan-gwr-undated"]["kind"] == "official-report"


def test_named_industry_sets(by_city):
    # 淮安: 绿色食品、新一代信息技术、新型装备制造 (read as 装备制造, not 高端装备)
    assert by_city["320800"] == {"industry:food", "industry:next-gen-it",
                                 "industry:equipment-manufacturing"}
    # 台州 “1734”: 汽车, 医药, 航空 of the seven; the three 未来产业; 金融 and 物流 of the four services
    assert by_city["331000"] == {"industry:automotive", "industry:biomedicine",
                                 "industry:aviation-equipment", "industry:new-materials",
                                 "industry:new-energy", "industry:energy-saving-environmental",
                                 "industry:finance", "industry:logistics"}
    # 黄山: 汽车电子及装备制造 (two rows), 新材料, 绿色食品
    assert by_city["341000"] == {"industry:automotive", "industry:equipment-manufacturing",
                                 "industry:new-materials", "industry:food"}


def test_named_absences(by_city):
    """Names the pages give but that map to no node stay out, and nothing beyond the pages is added."""
    assert "industry:high-end-equipment" not in by_city["320800"]   # 新型装备制造 is not 高端装备
    assert "industry:electrical-machinery" not in by_city["331000"]  # 泵與電機 is not mapped
    assert "industry:smart-home-appliances" not in by_city["331000"]  # nor 智能馬桶
    own = {r["head"] for r in _read(YRD) if r["source_id"].startswith("web-")}
    assert not STILL_MISSING & own


def test_quotes_periods_and_notes(rows):
    for r in rows:
        assert r["checked"] == "true" and "search tool, pages corpus" in r["note"]
        assert r["note"].startswith("checked: quote read in the stored page http")
    huaian = [r for r in rows if r["head"] == "320800"]
    assert {(r["year"], r["valid_from"], r["valid_to"]) for r in huaian} == {("2021", "2021", "")}
    assert all("三个制造业主导产业" in r["quote"] for r in huaian)
    undated = [r for r in rows if r["head"] in ("331000", "341000")]
    assert {(r["year"], r["valid_from"]) for r in undated} == {("2026", "")}  # year consulted
    assert all("no date" in r["note"] for r in undated)
    assert all("“1734”現代產業體系" in r["quote"] for r in rows if r["head"] == "331000")
    assert all("200億元產業集群" in r["quote"] and "(yè)" not in r["quote"]
               for r in rows if r["head"] == "341000")


def test_rows_are_loaded_into_the_graph(graph, rows):
    loaded = {(u, v, d["source_id"]): d.get("quote") for u, v, d in rels_of(graph, schema.PLANS_INDUSTRY)
              if d.get("source_id") in SOURCES.values()}
    assert len(loaded) == len(rows) == 15
    for r in rows:
        assert loaded[(r["head"], r["tail"], r["source_id"])] == r["quote"], r["head_name"]
