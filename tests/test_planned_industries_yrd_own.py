"""Own-document planned industries of six 长三角 cities that had only the corpus's blanket
高端装备 sentence: 徐州, 镇江 (党代会报告 2021), 连云港 (2026 work plan), 泰州 (2022 市委工作会议),
杭州 (五大产业生态圈, 2022) and 湖州 (八大新兴产业链, 2024), in data/relations/planned_industries_yrd.csv.

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


@pytest.fixture(scope="module")
def rows():
    """This file's own-document rows: those citing one of the six sources."""
    return [r for r in _read(YRD) if r["source_id"] in SOURCES.values()]


@pytest.fixture(scope="module")
def by_city(rows):
    return {city: {r["tail"] for r in rows if r["head"] == city} for city in SOURCES}


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


def test_rows_are_loaded_into_the_graph(graph, rows):
    loaded = {(u, v, d["source_id"]): d.get("quote") for u, v, d in rels_of(graph, schema.PLANS_INDUSTRY)
              if d.get("source_id") in SOURCES.values()}
    assert len(loaded) == len(rows) == 34
    for r in rows:
        assert loaded[(r["head"], r["tail"], r["source_id"])] == r["quote"], r["head_name"]
