"""Own-document planned industries of six 长三角 cities that had only the corpus's blanket
高端装备 sentence: 徐州, 镇江 (党代会报告 2021), 连云港 (2026 work plan), 泰州 (2022 市委工作会议),
杭州 (五大产业生态圈, 2022) and 湖州 (八大新兴产业链, 2024), in data/relations/planned_industries_yrd.csv;
then three more (``GAPS``): 淮安 (三个制造业主导产业, 2021 城市推介会), 台州 (“1734”现代产业体系 of the
市五届三次党代会, undated copy) and 黄山 (200亿元产业集群 of a 政府工作报告, undated copy).
舟山, 安庆 and 六安 are still missing (data/README.md).

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
    "320300": "web-xuzhou-party-congress-2021",
    "321100": "web-zhenjiang-party-congress-2021",
    "320700": "web-lianyungang-work-plan-2026",
    "321200": "web-taizhou-js-party-work-conference-2022",
    "330100": "web-hangzhou-ecosystems-interview-2022",
    "330500": "web-huzhou-eight-chains-2024",
}


def _read(path):
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _citing(sources):
    """The rows of the 长三角 file citing one of ``sources`` (city -> source id)."""
    return [r for r in _read(YRD) if r["source_id"] in sources.values()]


def _tails(rows, sources):
    return {city: {r["tail"] for r in rows if r["head"] == city} for city in sources}


@pytest.fixture(scope="module")
def rows():
    """This file's own-document rows: those citing one of the six sources."""
    return _citing(SOURCES)


@pytest.fixture(scope="module")
def by_city(rows):
    return _tails(rows, SOURCES)


def test_cities_rows_and_sources(rows, by_city):
    assert {r["head"]: r["source_id"] for r in rows} == SOURCES
    assert len(rows) == 34
    assert {c: len(t) for c, t in by_city.items()} == {
        "320300": 8, "321100": 4, "320700": 6, "321200": 9, "330100": 5, "330500": 2}
    cited = {r["source_id"] for r in _read(DATA / "sources.csv")}
    assert set(SOURCES.values()) <= cited


def test_named_industry_sets(by_city):
    # 镇江 党代会: 高端装备制造、新材料 (1500亿), 数字经济 (800亿), 生命健康 (500亿)
    assert by_city["321100"] == {"industry:high-end-equipment", "industry:new-materials",
                                 "industry:digital-economy", "industry:life-health"}
    # 杭州 五大产业生态圈: 智能物联、生物医药、高端装备、新材料、绿色能源
    assert by_city["330100"] == {"industry:iot", "industry:biomedicine", "industry:high-end-equipment",
                                 "industry:new-materials", "industry:new-energy"}
    # 连云港 2026: four 支柱产业 plus 海洋经济 and 低空经济 (安防 unmapped)
    assert by_city["320700"] == {"industry:petrochemical", "industry:biomedicine", "industry:new-materials",
                                 "industry:new-energy", "industry:marine-economy",
                                 "industry:low-altitude-economy"}
    # 泰州: 大健康 (医药、食品) and four clusters; 海工装备和高技术船舶 is one row
    assert {"industry:big-health", "industry:marine-engineering-equipment", "industry:solar",
            "industry:power-batteries", "industry:chemicals"} <= by_city["321200"]
    # 徐州 “6+4”: 工程机械与智能装备 gives two rows, 集成电路与ICT one
    assert {"industry:equipment-manufacturing", "industry:intelligent-manufacturing-equipment",
            "industry:integrated-circuits", "industry:energy-saving-environmental"} <= by_city["320300"]
    assert by_city["330500"] == {"industry:semiconductors", "industry:new-energy-vehicles"}


def test_named_absences(by_city):
    """Names a page gives but that map to no node stay out, and nothing is added beyond the page."""
    assert "industry:high-end-equipment" not in by_city["320300"]  # 徐州 says 工程机械与智能装备
    assert "industry:automotive" not in by_city["330500"]          # 湖州: 新能源汽车及关键零部件 only


def test_quotes_periods_and_notes(rows):
    for r in rows:
        assert r["checked"] == "true" and r["note"].startswith("checked: quote read in the stored page http")
        assert "search tool, pages corpus" in r["note"]
        assert not r["valid_to"] or r["valid_from"] <= r["valid_to"]
    periods = {(r["head"], r["valid_from"], r["valid_to"]) for r in rows}
    assert ("321100", "2021", "2025") in periods      # 到“十四五”末
    assert ("320700", "2026", "2026") in periods      # the 2026 tasks
    assert ("321200", "2022", "") in periods          # the page gives no horizon
    taizhou = next(r for r in rows if r["head"] == "321200")
    assert "四個特色產業集群" in taizhou["quote"] and "2022年泰州市委工作會議" in taizhou["quote"]


@pytest.mark.parametrize("sources, n", [("six", 34), ("gaps", 15)])
def test_rows_are_loaded_into_the_graph(graph, sources, n):
    sources = SOURCES if sources == "six" else GAPS
    rows = _citing(sources)
    loaded = {(u, v, d["source_id"]): d.get("quote") for u, v, d in rels_of(graph, schema.PLANS_INDUSTRY)
              if d.get("source_id") in sources.values()}
    assert len(loaded) == len(rows) == n
    for r in rows:
        assert loaded[(r["head"], r["tail"], r["source_id"])] == r["quote"], r["head_name"]


GAPS = {  # city -> the one source its own rows cite
    "320800": "web-huaian-city-promotion-2021",
    "331000": "web-taizhou-zj-party-congress-1734",
    "341000": "web-huangshan-gwr-undated",
}
STILL_MISSING = {"330900", "340800", "341500"}  # 舟山, 安庆, 六安


@pytest.fixture(scope="module")
def gap_rows():
    return _citing(GAPS)


@pytest.fixture(scope="module")
def gap_by_city(gap_rows):
    return _tails(gap_rows, GAPS)


def test_gap_cities_rows_and_sources(gap_rows, gap_by_city):
    assert {r["head"]: r["source_id"] for r in gap_rows} == GAPS
    assert {c: len(t) for c, t in gap_by_city.items()} == {"320800": 3, "331000": 8, "341000": 4}
    cited = {r["source_id"]: r for r in _read(DATA / "sources.csv")}
    assert set(GAPS.values()) <= set(cited)
    assert cited["web-taizhou-zj-party-congress-1734"]["kind"] == "plan"
    assert cited["web-huangshan-gwr-undated"]["kind"] == "official-report"


def test_gap_industry_sets(gap_by_city):
    # 淮安: 绿色食品、新一代信息技术、新型装备制造 (read as 装备制造, not 高端装备)
    assert gap_by_city["320800"] == {"industry:food", "industry:next-gen-it",
                                     "industry:equipment-manufacturing"}
    # 台州 “1734”: 汽车, 医药, 航空 of the seven; the three 未来产业; 金融 and 物流 of the four services
    assert gap_by_city["331000"] == {"industry:automotive", "industry:biomedicine",
                                     "industry:aviation-equipment", "industry:new-materials",
                                     "industry:new-energy", "industry:energy-saving-environmental",
                                     "industry:finance", "industry:logistics"}
    # 黄山: 汽车电子及装备制造 (two rows), 新材料, 绿色食品
    assert gap_by_city["341000"] == {"industry:automotive", "industry:equipment-manufacturing",
                                     "industry:new-materials", "industry:food"}


def test_gap_absences(gap_by_city):
    """Names the pages give but that map to no node stay out, and nothing beyond the pages is added."""
    assert "industry:high-end-equipment" not in gap_by_city["320800"]   # 新型装备制造 is not 高端装备
    assert "industry:electrical-machinery" not in gap_by_city["331000"]  # 泵與電機 is not mapped
    assert "industry:smart-home-appliances" not in gap_by_city["331000"]  # nor 智能馬桶
    own = {r["head"] for r in _read(YRD) if r["source_id"].startswith("web-")}
    assert not STILL_MISSING & own


def test_gap_quotes_periods_and_notes(gap_rows):
    for r in gap_rows:
        assert r["checked"] == "true" and "search tool, pages corpus" in r["note"]
        assert r["note"].startswith("checked: quote read in the stored page http")
    huaian = [r for r in gap_rows if r["head"] == "320800"]
    assert {(r["year"], r["valid_from"], r["valid_to"]) for r in huaian} == {("2021", "2021", "")}
    assert all("三个制造业主导产业" in r["quote"] for r in huaian)
    undated = [r for r in gap_rows if r["head"] in ("331000", "341000")]
    assert {(r["year"], r["valid_from"]) for r in undated} == {("2026", "")}  # year consulted
    assert all("no date" in r["note"] for r in undated)
    assert all("“1734”現代產業體系" in r["quote"] for r in gap_rows if r["head"] == "331000")
    assert all("200億元產業集群" in r["quote"] and "(yè)" not in r["quote"]
               for r in gap_rows if r["head"] == "341000")

