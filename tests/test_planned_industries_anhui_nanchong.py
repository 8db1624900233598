"""Planned industries of 南充 (成渝, planned_industries_chengyu.csv) and 宣城 (安徽, planned_industries_yrd.csv).

南充's rows come from the 2024 “万千气象看四川” press conference (three 支柱性, two 成长性 and
three 新赛道 industries); 宣城's from the 主导产业 its 2025 government work report names.
File checks read data/ directly (fresh clone); the loaded edges use the ``graph`` fixture.
"""
from __future__ import annotations

import csv
import pytest

from kg.model import schema
from kg.model.graph import rels_of
from kg.paths import DATA

CHENGYU = DATA / "relations" / "planned_industries_chengyu.csv"
YRD = DATA / "relations" / "planned_industries_yrd.csv"
SOURCES = {"511300": "web-nanchong-press-2024", "341800": "web-xuancheng-gwr-2025"}


def _read(path):
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def rows():
    return [r for p in (CHENGYU, YRD) for r in _read(p) if r["source_id"] in SOURCES.values()]


@pytest.fixture(scope="module")
def by_city(rows):
    return {city: {r["tail"] for r in rows if r["head"] == city} for city in SOURCES}


def test_rows_sit_in_their_region_files(rows):
    assert {r["source_id"] for r in _read(CHENGYU)} >= {"web-nanchong-press-2024"}
    assert {r["source_id"] for r in _read(YRD)} >= {"web-xuancheng-gwr-2025"}
    assert all(SOURCES[r["head"]] == r["source_id"] for r in rows)
    assert len(rows) == 12


def test_nanchong_3_2_3(by_city, rows):
    """汽车汽配、化工轻纺、食品医药 + 电子信息、高端装备制造 + 低空经济、氢能、人工智能."""
    assert by_city["511300"] == {
        "industry:automotive", "industry:chemicals", "industry:textiles", "industry:food",
        "industry:biomedicine", "industry:electronic-information", "industry:high-end-equipment",
        "industry:low-altitude-economy", "industry:hydrogen", "industry:artificial-intelligence"}
    roles = {r["tail"]: r["role"] for r in rows if r["head"] == "511300"}
    assert roles["industry:automotive"].startswith("三大支柱性产业")
    assert roles["industry:high-end-equipment"].startswith("两大成长性产业")
    assert roles["industry:hydrogen"].startswith("三大新赛道产业")


def test_xuancheng_two_leading_industries(by_city):
    assert by_city["341800"] == {"industry:automotive", "industry:new-energy"}


def test_sources_are_appended_with_their_urls(rows):
    sources = {r["source_id"]: r for r in _read(DATA / "sources.csv")}
    for r in rows:
        src = sources[r["source_id"]]
        assert src["url_or_ref"] in r["note"] and r["checked"] == "true"
        assert r["valid_from"] == "2024"


def test_rows_are_loaded_into_the_graph(graph, rows):
    loaded = {(u, v): d.get("quote") for u, v, d in rels_of(graph, schema.PLANS_INDUSTRY)
              if d.get("source_id") in SOURCES.values()}
    assert len(loaded) == len(rows)
    assert "“三大新赛道产业”" in loaded[("511300", "industry:low-altitude-economy")]
    assert loaded[("341800", "industry:new-energy")].startswith("主导产业取得新发展")
