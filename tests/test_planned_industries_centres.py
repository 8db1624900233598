"""Own-document planned industries of the new urban centres (data/nodes/new_centers.csv) that had
none: 通州 (七大千亿级产业集群, 2019 两会), 临平 (“3+2+X”, undated copy), 武清 (京津产业新城 “双高引领”,
2023), 吴江 (新能源 主攻方向, 2024 新年第一会), 龙华 (高端医疗器械产业集群, 2022), 余杭 (人工智能
第一城核心承载地, 2026) and 滨海新区 (十四五 纲要: 优势产业 and 特色产业, 2021), in
data/relations/planned_industries_centres.csv. 宝安 is still missing (data/README.md says why).

File checks read data/ directly (fresh clone); the last tests use the built graph (``graph``
fixture), so they also check that the curated reader loads these rows and that the build's
new-centre line counts them.
"""
from __future__ import annotations

import csv
import pytest

from kg.model import schema
from kg.model.graph import rels_of
from kg.model.targets import new_center_coverage
from kg.paths import DATA

CENTRES = "relations/planned_industries_centres.csv"
SOURCES = {  # district -> the one source its rows cite
    "110112": "web-tongzhou-two-sessions-2019",
    "330113": "web-linping-3-2-x-undated",
    "120114": "web-wuqing-industrial-new-city-2023",
    "320509": "web-wujiang-new-year-meeting-2024",
    "440309": "web-longhua-cluster-briefing-2022",
    "330110": "web-yuhang-development-conference-2026",
    "120116": "web-binhai-14th-fyp-2021",
}
STILL_MISSING = {"440306"}  # 宝安区
# (district, industry) -> the words of the quote that name the industry
TERMS = {
    ("110112", "industry:finance"): "财富管理",
    ("110112", "industry:culture-tourism"): "文化旅游",
    ("110112", "industry:integrated-circuits"): "尖端芯片",
    ("110112", "industry:software"): "IT信息软件",
    ("110112", "industry:intelligent-manufacturing"): "智能制造",
    ("330113", "industry:high-end-equipment"): "高端装备",
    ("330113", "industry:biomedicine"): "生物医药",
    ("330113", "industry:new-energy"): "绿色能源",
    ("330113", "industry:semiconductors"): "泛半导体算力",
    ("330113", "industry:frontier-materials"): "前沿新材料",
    ("330113", "industry:artificial-intelligence"): "人工智能",
    ("120114", "industry:biomedicine"): "生物医药",
    ("320509", "industry:new-energy"): "新能源作为主攻方向",
    ("320509", "industry:energy-storage"): "新型储能",
    ("320509", "industry:solar"): "新型光伏",
    ("440309", "industry:high-end-medical-equipment"): "高端医疗器械产业集群",
    ("330110", "industry:artificial-intelligence"): "人工智能创新发展第一城",
    ("120116", "industry:aviation-equipment"): "飞机制造",
    ("120116", "industry:aerospace"): "大型航天器",
    ("120116", "industry:high-end-equipment"): "高端装备制造",
    ("120116", "industry:marine-engineering-equipment"): "海洋装备产业",
    ("120116", "industry:hydrogen"): "氢能产业",
}


def _table(relpath: str) -> list[dict]:
    """The rows of a curated file under data/."""
    with (DATA / relpath).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def rows():
    return _table(CENTRES)


@pytest.fixture(scope="module")
def by_centre(rows):
    """district -> the industries its rows plan"""
    return {c: {r["tail"] for r in rows if r["head"] == c} for c in SOURCES}


def test_centres_rows_and_sources(rows):
    assert {r["head"]: r["source_id"] for r in rows} == SOURCES
    assert len(rows) == 22
    centres = {r["place"]: r["name"] for r in _table("nodes/new_centers.csv")}
    assert {r["head"] for r in rows} <= set(centres)
    assert all(centres[r["head"]] == r["head_name"] for r in rows)
    assert not STILL_MISSING & {r["head"] for r in rows}
    sources = {r["source_id"]: r for r in _table("sources.csv")}
    for sid in SOURCES.values():
        assert sources[sid]["url_or_ref"].startswith("http")
        assert all(sources[sid]["url_or_ref"] in r["note"] for r in rows if r["source_id"] == sid)


def test_named_industry_sets(by_centre):
    # 通州 七大千亿级产业集群: 总部经济 and 文化科技 map to no node
    assert by_centre["110112"] == {"industry:finance", "industry:culture-tourism", "industry:integrated-circuits",
                                   "industry:software", "industry:intelligent-manufacturing"}
    # 临平 “3+2+X”: 时尚产业, 精准医疗, 仿生机器人, 新型智算 map to no node
    assert by_centre["330113"] == {"industry:high-end-equipment", "industry:biomedicine", "industry:new-energy",
                                   "industry:semiconductors", "industry:frontier-materials",
                                   "industry:artificial-intelligence"}
    assert by_centre["120114"] == {"industry:biomedicine"}
    assert by_centre["320509"] == {"industry:new-energy", "industry:energy-storage", "industry:solar"}
    assert by_centre["440309"] == {"industry:high-end-medical-equipment"}
    assert by_centre["330110"] == {"industry:artificial-intelligence"}
    # 滨海 纲要 第三节 优势产业 (航空航天 → 航空装备 + 航天, 高端装备制造) and 第四节 特色产业 (海水淡化 unmapped)
    assert by_centre["120116"] == {"industry:aviation-equipment", "industry:aerospace", "industry:high-end-equipment",
                                   "industry:marine-engineering-equipment", "industry:hydrogen"}


def test_named_absences(by_centre):
    """Names a page gives but that map to no node stay out, and nothing is added beyond the page."""
    assert "industry:artificial-intelligence" not in by_centre["120114"]  # 武清 says 智能科技, not 人工智能
    assert "industry:new-energy-vehicles" not in by_centre["320509"]      # 吴江: only a 风口 to seize
    assert "industry:fashion-consumer" not in by_centre["330113"]         # 临平 时尚产业 is not 时尚消费品
    assert "industry:culture-tourism" not in by_centre["330110"]          # 余杭 文化产业 is not 文旅
    assert "industry:marine-economy" not in by_centre["120116"]           # 滨海 海洋装备 is equipment, not 海洋经济


def test_each_industry_is_named_in_its_quote(rows):
    assert {(r["head"], r["tail"]) for r in rows} == set(TERMS)
    for r in rows:
        assert TERMS[(r["head"], r["tail"])] in r["quote"], (r["head_name"], r["tail"])
        assert r["tail_name"] and r["role"]


def test_quotes_periods_and_notes(rows):
    for r in rows:
        assert r["checked"] == "true" and r["note"].startswith("checked: quote read in the stored page http")
        assert "search tool, pages corpus" in r["note"]
        assert not r["valid_to"] or r["valid_from"] <= r["valid_to"]
    # one sentence per district, except the 纲要's sections for 滨海 (one per industry heading)
    quotes = {c: {r["quote"] for r in rows if r["head"] == c} for c in SOURCES}
    assert {c: len(q) for c, q in quotes.items() if len(q) > 1} == {"120116": 4}
    periods = {(r["head"], r["valid_from"], r["valid_to"], r["year"]) for r in rows}
    assert ("110112", "2019", "2025", "2019") in periods   # 到2025年
    assert ("330113", "", "", "2026") in periods           # undated copy: year consulted
    assert ("320509", "2024", "", "2024") in periods
    assert ("120116", "2021", "2025", "2021") in periods   # the 十四五 period


def test_rows_are_loaded_into_the_graph(graph, rows):
    loaded = {(u, v, d["source_id"]): d.get("quote") for u, v, d in rels_of(graph, schema.PLANS_INDUSTRY)
              if d.get("source_id") in SOURCES.values()}
    assert len(loaded) == len(rows) == 22
    for r in rows:
        assert loaded[(r["head"], r["tail"], r["source_id"])] == r["quote"], r["head_name"]


def test_new_centre_coverage_counts_them(graph):
    """The build's line “N with planned industries”: 13 of the 14 centres, all but 宝安."""
    centres = {n for n, d in graph.nodes(data=True) if schema.NEW_CENTER in d.get("labels", ())}
    planned = {u for u, _, _ in rels_of(graph, schema.PLANS_INDUSTRY)}
    assert len(centres) == 14
    assert centres - planned == STILL_MISSING
    assert new_center_coverage(graph, counted=52)["with_industries"] == 13
