"""Coverage against the curated layer's targets (kg/model/targets.py), checked against an
independent count over the CSV files and against named facts."""
from __future__ import annotations

import csv

from kg.model import schema
from kg.model.targets import new_center_coverage, planned_industry_coverage
from kg.paths import DATA


def _heads(pattern: str) -> set[tuple[str, str]]:
    out = set()
    for path in (DATA / "relations").glob(pattern):
        with open(path, encoding="utf-8") as fh:
            out |= {(r["head"], r["source_id"]) for r in csv.DictReader(fh)
                    if r["type"] == "PLANS_INDUSTRY"}
    return out


MISSING_YRD_BEFORE = {"徐州市", "连云港市", "淮安市", "镇江市", "泰州市", "杭州市", "湖州市", "舟山市",
                      "台州市", "安庆市", "黄山市", "六安市", "宣城市"}


def _articles() -> set[str]:
    with open(DATA / "sources.csv", encoding="utf-8") as fh:
        return {r["source_id"] for r in csv.DictReader(fh) if r["kind"] == "article"}


def test_planned_industry_count_agrees_with_the_files(graph):
    cov = planned_industry_coverage(graph)
    cities = {h for h, src in _heads("*.csv") if src not in _articles()
              and schema.CITY in graph.nodes[h]["labels"]}
    assert cov["cities"] == len(cities)
    assert cov["cities"] >= 116         # after the _north and _south files of session 19


def test_complete_groupings_name_their_gaps(graph):
    groups = planned_industry_coverage(graph)["groupings"]
    yrd = groups["cluster:yangtze-river-delta"]
    assert yrd["members"] == 41
    # the corpus sentence "41 cities plan 高端装备" is an article, not each city's own plan
    assert set(yrd["missing"]) <= MISSING_YRD_BEFORE and "上海市" not in yrd["missing"]
    prd = groups["cluster:pearl-river-delta"]
    assert prd["members"] == 11 and prd["missing"] == []     # 9 PRD cities + 香港 + 澳门
    cy = groups["cluster:chengdu-chongqing"]
    assert cy["members"] == 16
    assert set(cy["missing"]) <= {"德阳市", "南充市"}


def test_sar_plans_are_the_sars_own_documents(graph):
    """香港's 2022 施政报告 and 澳门's 2024-2028 diversification plan."""
    planned = {(u, v): d["source_id"] for u, v, d in graph.edges(data=True)
               if d["type"] == schema.PLANS_INDUSTRY}
    assert planned[("810000", "industry:artificial-intelligence")] == "web-hk-policy-address-2022"
    assert planned[("820000", "industry:big-health")] == "web-macao-diversification-plan-2023"


def test_new_centre_coverage_counts_typed_centres(graph):
    from kg.sources.new_centers import new_center_gap
    gap = new_center_gap(g=graph)
    cov = new_center_coverage(graph, counted=gap["studied"])
    assert cov["counted"] == 52 and cov["nodes"] == gap["named"]
    assert cov["nodes"] >= 14
    assert graph.nodes["440307"].get("center_type") == "产业引领型"      # 龙岗区
    assert cov["typed"] >= 5
    assert cov["with_industries"] >= 6          # 浦东, 龙岗, 萧山 among them
