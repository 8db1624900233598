"""Membership as of a date (kg/model/membership.py), its use by every scope, and the
cookbook queries that ask the same questions of Neo4j.

The worked case is 长三角: the 2016 plan lists 26 cities, the 2019 outline 41 (its 27-city
中心区 plus 14 more), counted independently here from data/relations/cluster_members.csv."""
from __future__ import annotations

import csv

import pytest

from kg.model import membership as M
from kg.paths import DATA, QUERIES

YRD = "cluster:yangtze-river-delta"


def _csv_members(source_id):
    with open(DATA / "relations" / "cluster_members.csv", encoding="utf-8") as fh:
        return {r["head"] for r in csv.DictReader(fh)
                if r["tail"] == YRD and r["source_id"] == source_id}


PLAN_2016 = _csv_members("policy:yrd-cluster-plan-2016")
OUTLINE_2019 = _csv_members("policy:yrd-integration-outline-2019")


def test_the_csv_holds_the_two_plans():
    assert len(PLAN_2016) == 26 and len(OUTLINE_2019) == 41 and PLAN_2016 < OUTLINE_2019


def test_yrd_as_of_a_year_follows_the_latest_plan(graph):
    assert M.members(graph, YRD, as_of=2015) == {}
    assert set(M.members(graph, YRD, as_of=2018)) == PLAN_2016
    assert set(M.members(graph, YRD, as_of=2020)) == OUTLINE_2019
    assert set(M.members(graph, YRD, plan="policy:yrd-cluster-plan-2016")) == PLAN_2016
    assert set(M.members(graph, YRD, plan="yrd-cluster-plan-2016")) == PLAN_2016
    latest = M.members(graph, YRD)              # default: the latest year in the data
    # metro circles PART_OF 长三角 bring their own members (rule 4): the extra places are all
    # members of such circles in metro_members.csv, among them 南京都市圈's 金坛区 and 溧阳市
    with open(DATA / "relations" / "metro_members.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    circles = {r["head"] for r in rows if r["type"] == "PART_OF" and r["tail"] == YRD}
    circle_members = {code for c in circles for code in M.members(graph, c)}
    assert set(latest) >= OUTLINE_2019
    assert {"320413", "320481"} <= set(latest) - OUTLINE_2019 <= circle_members
    assert M.latest_year(graph) >= 2025


def test_scope_change_names_the_places_that_entered(graph):
    change = M.scope_change(graph, YRD, 2018, 2020)
    assert set(change["entered"]) == OUTLINE_2019 - PLAN_2016 and change["left"] == []
    assert "320300" in change["entered"] and "330300" in change["entered"]  # 徐州, 温州
    by_plan = M.scope_change(graph, YRD, "policy:yrd-cluster-plan-2016",
                             "policy:yrd-integration-outline-2019")
    assert by_plan == change


def test_pearl_river_delta_switches_to_the_bay_area_outline(graph):
    prd = "cluster:pearl-river-delta"
    before, after = M.members(graph, prd, as_of=2018), M.members(graph, prd, as_of=2020)
    assert "810000" not in before and "810000" in after      # 香港 enters with the 2019 outline
    assert len(before) == 9


def test_partial_and_county_members_keep_their_detail(graph):
    nanjing = M.members(graph, "metro:nanjing", as_of=2022)
    assert "320413" in nanjing and nanjing["320413"]["partial"] is False  # 金坛区, county-level
    places, partial = M.member_places(graph, "metro:nanjing", as_of=2022)
    assert "320400" in partial and "320413" in places and "320412" not in places  # 常州 partly


def test_analysis_and_viz_scopes_use_the_same_members(graph):
    from kg.analysis.scope import EmptyScope, analysis_scope
    from kg.viz.scope import ScopeError, resolve_scope, scope_nodes, with_reference

    s2018, s2020 = analysis_scope(graph, "长三角", as_of=2018), analysis_scope(graph, "长三角", as_of=2020)
    cities = lambda s: {p for p in s.places if p in PLAN_2016 | OUTLINE_2019}
    assert cities(s2018) == PLAN_2016 and cities(s2020) == OUTLINE_2019
    assert "320311" in s2020.places and "320311" not in s2018.places  # a 徐州 district
    assert s2018.describe() == "长江三角洲城市群 (as of 2018)" and s2018.slug().endswith("-2018")
    view = scope_nodes(graph, with_reference(graph, resolve_scope(graph, "长三角"), 2018))
    assert PLAN_2016 <= view and not (OUTLINE_2019 - PLAN_2016) & view
    with pytest.raises(EmptyScope, match="in force in 2010"):
        analysis_scope(graph, "长三角", as_of=2010)
    with pytest.raises(ScopeError, match="not one"):
        with_reference(graph, resolve_scope(graph, "江苏"), plan="policy:yrd-cluster-plan-2016")
    with pytest.raises(ScopeError, match="no membership"):
        with_reference(graph, resolve_scope(graph, "长三角"), plan="policy:nanjing-metro-plan-2021")


def test_cli_analyze_takes_as_of_and_plan(graph, build_dir, tmp_path):
    from typer.testing import CliRunner

    from kg.cli import app

    out = tmp_path / "a"
    res = CliRunner().invoke(app, ["analyze", "centrality", "--build", str(build_dir), "--scope",
                                   "长三角", "--plan", "policy:yrd-cluster-plan-2016", "--network",
                                   "city-adjacency", "--out", str(out)])
    assert res.exit_code == 0, res.output
    page = next(out.glob("centrality_city-adjacency_cluster-yangtze-river-delta-policy-*.md"))
    text = page.read_text(encoding="utf-8")
    assert "plan policy:yrd-cluster-plan-2016" in text
    table = next(out.glob("centrality_city-adjacency_cluster-*-policy-*.csv"))
    with open(table, encoding="utf-8") as fh:
        assert {r[next(iter(r))] for r in csv.DictReader(fh)} == PLAN_2016
    res = CliRunner().invoke(app, ["analyze", "centrality", "--build", str(build_dir), "--scope",
                                   "长三角", "--as-of", "2010", "--out", str(tmp_path / "b")])
    assert res.exit_code != 0 and "in force in 2010" in res.output


# --- the cookbook, against the real server ----------------------------------------------

def _run(loaded, name, **params):
    from kg.store.neo4j_query import run_read

    return run_read(loaded, (QUERIES / f"{name}.cypher").read_text(encoding="utf-8"), params)[1]


@pytest.mark.neo4j
@pytest.mark.parametrize("year", [2015, 2018, 2020, 2026])
def test_members_as_of_query_matches_python(loaded, graph, year):
    rows = _run(loaded, "members_as_of", grouping="长三角", year=year)
    assert {r["adcode"] for r in rows} == set(M.members(graph, YRD, as_of=year))


@pytest.mark.neo4j
@pytest.mark.parametrize("key", ["cluster:pearl-river-delta", "metro:qingdao", "metro:nanjing",
                                 "metro:zhengzhou", "metro:jinan",
                                 "cluster:guangdong-fujian-zhejiang-coast"])
def test_members_as_of_query_matches_python_elsewhere(loaded, graph, key):
    for year in (2018, 2024):
        rows = _run(loaded, "members_as_of", grouping=key, year=year)
        assert {r["adcode"] for r in rows} == set(M.members(graph, key, as_of=year)), year


@pytest.mark.neo4j
def test_scope_change_between_plans_query(loaded):
    rows = _run(loaded, "scope_change_between_plans", grouping="长三角",
                plan_a="policy:yrd-cluster-plan-2016", plan_b="yrd-integration-outline-2019")
    by = {c: {r["adcode"] for r in rows if r["change"] == c} for c in ("entered", "left", "stayed")}
    assert by == {"entered": OUTLINE_2019 - PLAN_2016, "left": set(), "stayed": PLAN_2016}
    xuzhou = next(r for r in rows if r["adcode"] == "320300")
    assert xuzhou["parts"] == ["规划范围"]


@pytest.mark.neo4j
def test_places_entered_or_left_query(loaded, graph):
    rows = _run(loaded, "places_entered_or_left", grouping="长三角", from_year=2018, to_year=2020)
    assert {r["adcode"] for r in rows if r["change"] == "entered"} == OUTLINE_2019 - PLAN_2016
    back = _run(loaded, "places_entered_or_left", grouping="长三角", from_year=2020, to_year=2018)
    assert {r["adcode"] for r in back if r["change"] == "left"} == OUTLINE_2019 - PLAN_2016
    change = M.scope_change(graph, "cluster:pearl-river-delta", 2018, 2020)
    rows = _run(loaded, "places_entered_or_left", grouping="珠三角", from_year=2018, to_year=2020)
    assert sorted(r["adcode"] for r in rows if r["change"] == "entered") == change["entered"]
    assert sorted(r["adcode"] for r in rows if r["change"] == "left") == change["left"]


def test_cli_viz_takes_as_of_and_plan(build_dir, tmp_path):
    from typer.testing import CliRunner

    from kg.cli import app

    runs = {}
    for flag in (["--as-of", "2018"], ["--as-of", "2020"]):
        out = tmp_path / f"v{flag[1]}.html"
        res = CliRunner().invoke(app, ["viz", "--scope", "长三角", *flag, "--build", str(build_dir),
                                       "--out", str(out)])
        assert res.exit_code == 0 and f"(as of {flag[1]})" in res.output, res.output
        runs[flag[1]] = out.read_text(encoding="utf-8")
    assert "320300" in runs["2020"] and "320300" not in runs["2018"]   # 徐州市 entered in 2019
    res = CliRunner().invoke(app, ["viz", "--scope", "江苏", "--plan", "policy:yrd-cluster-plan-2016",
                                   "--build", str(build_dir), "--out", str(tmp_path / "x.html")])
    assert res.exit_code != 0 and "not one" in res.output
