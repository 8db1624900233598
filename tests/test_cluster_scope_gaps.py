"""Issue 14, the 黔中 rows that quote the provincial spatial plan (data/relations/cluster_members.csv).

Five members of 黔中城市群 come from one sentence of 贵州省国土空间规划(2021—2035年), quoted by a
网易号 page. They must cite that page, not the 2017 cluster plan, and the quote must name the
cluster. The cities are read off the quote itself, so a typed list cannot drift from it.
"""
from __future__ import annotations

import csv
import re

from kg.model import schema
from kg.model.targets import coverage
from kg.paths import DATA

CLUSTER = "cluster:central-guizhou"
PLAN_2017 = "policy:central-guizhou-cluster-plan-2017"
SPATIAL_PAGE = "web-163-guizhou-territorial-plan"


def rows(path):
    with open(DATA / path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def guizhou_rows():
    return [r for r in rows("relations/cluster_members.csv") if r["tail"] == CLUSTER]


def test_spatial_plan_rows_cite_the_page_and_name_the_cluster():
    spatial = [r for r in guizhou_rows() if r["source_id"] == SPATIAL_PAGE]
    quotes = {r["quote"] for r in spatial}
    assert len(spatial) == 5 and len(quotes) == 1
    quote = quotes.pop()
    assert quote.startswith("积极培育黔中城市群")
    # the 支撑 cities of the sentence, parsed from it: 以遵义市、毕节市、安顺市、凯里市和都匀市为支撑
    named = set(re.split("[、和]", re.search(r"以([^以]+?)为支撑", quote).group(1)))
    assert named == {"遵义市", "毕节市", "安顺市", "凯里市", "都匀市"}
    assert {r["head_name"] for r in spatial} == named
    assert all(r["checked"] == "true" and "贵州省国土空间规划" in r["note"] for r in spatial)
    # no row quoting the spatial plan cites the 2017 cluster plan, and the 2017 row is another text
    assert not [r for r in guizhou_rows() if r["source_id"] == PLAN_2017 and "贵阳都市圈为引擎" in r["quote"]]
    plan_rows = [r for r in guizhou_rows() if r["source_id"] == PLAN_2017]
    assert [r["head_name"] for r in plan_rows] == ["贵阳市"]
    source = next(r for r in rows("sources.csv") if r["source_id"] == SPATIAL_PAGE)
    assert "贵州省国土空间规划" in source["note"]


def test_central_guizhou_members_and_gaps_on_the_graph(graph):
    members = {graph.nodes[u]["name"]: d for u, _, d in graph.in_edges(CLUSTER, data=True)
               if d["type"] == schema.MEMBER_OF}
    assert set(members) == {"贵阳市", "遵义市", "安顺市", "毕节市", "凯里市", "都匀市"}
    # the prefecture-level cities the 2017 plan takes in part; their counties are in no stored text
    partial = {n for n, d in members.items() if d.get("partial")}
    assert partial == {"遵义市", "安顺市", "毕节市"}
    assert all(not members[n].get("counties") for n in partial)
    row = {r["id"]: r for r in coverage(graph)}[CLUSTER]
    assert (row["members"], row["partial"], row["plan_members"]) == (6, 3, 1)
    assert not row["scope_units"]          # the plan's 33 县市区 are in no stored text
    assert all(schema.level(graph.nodes[c]) == schema.COUNTY for c in ("522601", "522701"))
