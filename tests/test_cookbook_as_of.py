"""The grouping-scoped cookbook queries with ``as_of`` / ``plan`` against the real Neo4j
server: each answer must equal the one the Python membership rule (kg/model/membership.py)
gives on the same graph, and leaving both out must give every membership, as before.

The worked case is 长三角: as of 2017 the 2016 plan's 26 cities, as of 2020 the 2019
outline's 41, counted independently from data/relations/cluster_members.csv."""
from __future__ import annotations

import csv
import re
from collections import defaultdict

import pytest

from kg.model import membership as M
from kg.model import schema
from kg.paths import DATA, QUERIES

YRD = "cluster:yangtze-river-delta"
PLAN_2016 = "policy:yrd-cluster-plan-2016"
RULE_START = "// membership rule of kg/model/membership.py"


def _csv_members(source_id):
    with open(DATA / "relations" / "cluster_members.csv", encoding="utf-8") as fh:
        return {r["head"] for r in csv.DictReader(fh)
                if r["tail"] == YRD and r["source_id"] == source_id}


CITIES_2016 = _csv_members(PLAN_2016)
CITIES_2019 = _csv_members("policy:yrd-integration-outline-2019")


def _as_of_queries():
    return sorted(p for p in QUERIES.glob("*.cypher")
                  if "// params: as_of (integer, optional" in p.read_text(encoding="utf-8"))


def _rule_blocks(text):
    """Each copy of the rule in a query: the lines from its comment to its RETURN, without the
    lines that bind ``c`` and ``plan`` (the only lines that may differ between copies)."""
    lines, blocks = text.splitlines(), []
    for i, line in enumerate(lines):
        if line.strip().startswith(RULE_START):
            end = next(j for j in range(i, len(lines)) if lines[j].strip().startswith("RETURN"))
            blocks.append([x for x in lines[i:end] if not re.match(r"\s*WITH \w+ AS c$", x)
                           and not x.strip().startswith("WITH c, ")])
    return blocks


def test_every_grouping_query_takes_as_of_and_plan_and_one_copy_of_the_rule():
    names = {p.stem for p in _as_of_queries()}
    assert names >= {"cluster_members", "metro_circle_members", "core_cities_of_cluster",
                     "cross_province_neighbours_in_cluster", "new_centers_in_cluster",
                     "places_in_two_groupings", "groupings_of_place", "places_in_most_groupings",
                     "cluster_overlaps", "metro_circles_crossing_provinces",
                     "shared_planned_industries", "majority_planned_industries",
                     "policies_targeting_place"}
    reference = _rule_blocks((QUERIES / "cluster_members.cypher").read_text(encoding="utf-8"))[0]
    for path in _as_of_queries():
        text = path.read_text(encoding="utf-8")
        assert "// params: plan (string, optional" in text, path.name
        blocks = _rule_blocks(text)
        assert blocks and all(b == reference for b in blocks), f"{path.name}: the rule differs"


# --- against the server ------------------------------------------------------------------

@pytest.fixture(scope="module")
def run(loaded):
    from kg.store.neo4j_query import check_params, declared_params, run_read

    def run_query(name, **params):
        text = (QUERIES / f"{name}.cypher").read_text(encoding="utf-8")
        return run_read(loaded, text, check_params(declared_params(text), params))[1]

    run_query.driver = loaded
    return run_query


def _groupings(g, labels=(schema.CITY_CLUSTER, schema.METRO_CIRCLE, schema.CORRIDOR)):
    return sorted(k for k, d in g.nodes(data=True) if set(d["labels"]) & set(labels))


def _direct(g, key):
    return {a for a, _, d in g.in_edges(key, data=True) if d["type"] in M.MEMBER_TYPES
            and schema.is_place(g.nodes[a])}


def _rule(g, key, as_of=None, plan=None, targets_only=False):
    """The Python answer: no as_of and no plan = every direct membership (as before);
    ``targets_only``: the plan counts only for the grouping it TARGETS (queries over several
    groupings)."""
    if targets_only and plan and M.norm_source(plan) not in {M.norm_source(p) for p in M.plans_of(g, key)}:
        plan = None
    if as_of is None and plan is None:
        return _direct(g, key)
    return set(M.members(g, key, as_of=as_of, plan=plan))


@pytest.mark.neo4j
def test_cluster_members_as_of_follows_the_latest_plan(run, graph):
    codes = lambda **kw: {r["adcode"] for r in run("cluster_members", cluster="长三角", **kw)}
    assert codes(as_of=2017) == CITIES_2016 and len(CITIES_2016) == 26
    assert codes(as_of=2020) == CITIES_2019 and len(CITIES_2019) == 41
    assert codes(plan=PLAN_2016) == codes(plan="yrd-cluster-plan-2016", as_of=2020) == CITIES_2016
    assert codes(as_of=2015) == set()
    assert codes() == _direct(graph, YRD)                # left out: every membership, as before
    from kg.store.neo4j_query import run_read               # the Python API fills them with null too
    text = (QUERIES / "cluster_members.cypher").read_text(encoding="utf-8")
    assert {r["adcode"] for r in run_read(run.driver, text, {"cluster": "长三角"})[1]} == _direct(graph, YRD)
    latest = codes(as_of=2026)                            # metro circles PART_OF 长三角 bring theirs
    assert {"320413", "320481"} <= latest - CITIES_2019 and latest == set(M.members(graph, YRD, 2026))


@pytest.mark.neo4j
def test_cluster_and_metro_members_match_python_everywhere(run, graph):
    for key in _groupings(graph, (schema.CITY_CLUSTER,)):
        for year in (None, 2017, 2020, 2024):
            rows = run("cluster_members", cluster=key, as_of=year)
            assert {r["adcode"] for r in rows} == _rule(graph, key, year), (key, year)
    for key in _groupings(graph, (schema.METRO_CIRCLE,)):
        for year in (None, 2021, 2024):
            rows = run("metro_circle_members", metro=key, as_of=year)
            expected = _rule(graph, key, year)
            assert {r["adcode"] for r in rows} == expected, (key, year)
            if year:
                cores = {p for p, e in M.members(graph, key, year).items() if schema.CORE_OF in e["roles"]}
                assert {r["adcode"] for r in rows if r["core"]} == cores, (key, year)


@pytest.mark.neo4j
def test_majority_and_shared_industries_as_of(run, graph):
    plans = defaultdict(set)
    for a, b, d in graph.edges(data=True):
        if d["type"] == schema.PLANS_INDUSTRY:
            plans[a].add(b)
    for year in (2017, 2020):
        ms = _rule(graph, YRD, year)
        rows = run("majority_planned_industries", cluster="长三角", share=0.3, as_of=year)
        planners = defaultdict(int)
        for p in ms:
            for i in plans[p]:
                planners[i] += 1
        assert {r["id"]: r["planners"] for r in rows} == {i: n for i, n in planners.items() if n > 0.3 * len(ms)}
        assert {r["n_members"] for r in rows} <= {len(ms)}
        rows = run("shared_planned_industries", grouping="长三角", min_shared=3, as_of=year)
        expected = {frozenset((a, b)) for a in ms for b in ms if a < b and len(plans[a] & plans[b]) >= 3}
        names = {k: graph.nodes[k]["name"] for k in ms}
        assert {frozenset((r["place_a"], r["place_b"])) for r in rows} == \
               {frozenset(names[x] for x in pair) for pair in expected}


@pytest.mark.neo4j
def test_cross_province_seams_as_of(run, graph):
    def province(p):
        node = p
        while schema.PROVINCE not in graph.nodes[node]["labels"]:
            node = next(b for _, b, d in graph.out_edges(node, data=True) if d["type"] == schema.BELONGS_TO)
        return node

    adjacent = {frozenset((a, b)) for a, b, d in graph.edges(data=True) if d["type"] == schema.ADJACENT_TO}
    for year in (2017, 2020):
        cities = {p for p in _rule(graph, YRD, year) if schema.CITY in graph.nodes[p]["labels"]}
        expected = {frozenset((graph.nodes[a]["name"], graph.nodes[b]["name"])) for a in cities for b in cities
                    if a < b and frozenset((a, b)) in adjacent and province(a) != province(b)}
        rows = run("cross_province_neighbours_in_cluster", cluster="长三角", as_of=year)
        assert {frozenset((r["city_a"], r["city_b"])) for r in rows} == expected, year
    # 徐州 (320300) entered with the 2019 outline: its seams with Anhui appear only in 2020
    assert not any("徐州市" in (r["city_a"], r["city_b"])
                   for r in run("cross_province_neighbours_in_cluster", cluster="长三角", as_of=2017))


def _up(g, p, hops=2):
    out, node = {p}, p
    for _ in range(hops):
        parents = [b for _, b, d in g.out_edges(node, data=True) if d["type"] == schema.BELONGS_TO]
        if not parents:
            break
        node = parents[0]
        out.add(node)
    return out


@pytest.mark.neo4j
@pytest.mark.parametrize("as_of, plan", [(None, None), (2017, None), (2022, None),
                                         (2022, PLAN_2016)])
def test_queries_over_several_groupings_match_python(run, graph, as_of, plan):
    keys = _groupings(graph)
    of = {k: _rule(graph, k, as_of, plan, targets_only=True) for k in keys}
    # groupings_of_place: 金坛区 is in 长三角 through 常州 and in 南京都市圈 itself
    rows = run("groupings_of_place", place="金坛区", as_of=as_of, plan=plan)
    up = _up(graph, "320413")
    assert {r["grouping"] for r in rows} == {graph.nodes[k]["name"] for k in keys if of[k] & up}
    # places_in_most_groupings: every returned count is the Python count
    count = defaultdict(int)
    for k in keys:
        for p in of[k]:
            count[p] += 1
    rows = run("places_in_most_groupings", top=15, as_of=as_of, plan=plan)
    assert rows and all(r["n_groupings"] == count[r["adcode"]] for r in rows)
    assert rows[0]["n_groupings"] == max(count.values())
    # metro_circles_crossing_provinces
    rows = run("metro_circles_crossing_provinces", min_provinces=2, as_of=as_of, plan=plan)
    provinces = lambda ps: {n for p in ps for n in _up(graph, p) if schema.PROVINCE in graph.nodes[n]["labels"]}
    assert {r["metro_circle"]: r["n_provinces"] for r in rows} == {
        graph.nodes[k]["name"]: len(provinces(of[k])) for k in _groupings(graph, (schema.METRO_CIRCLE,))
        if len(provinces(of[k])) >= 2}
    # cluster_overlaps of 长三角
    rows = run("cluster_overlaps", cluster="长三角", as_of=as_of, plan=plan)
    assert {r["grouping"]: r["n_shared"] for r in rows} == {
        graph.nodes[k]["name"]: len(of[k] & of[YRD]) for k in keys if k != YRD and of[k] & of[YRD]}
    # places_in_two_groupings: 长三角 × 南京都市圈
    first, second = of[YRD], of["metro:nanjing"]
    rows = run("places_in_two_groupings", first="长三角", second="南京都市圈", as_of=as_of, plan=plan)
    assert {r["adcode"] for r in rows} == {p for p in first | second if _up(graph, p) & first
                                           and _up(graph, p) & second}


@pytest.mark.neo4j
def test_a_plan_in_a_multi_grouping_query_picks_the_list_of_its_grouping(run):
    names = lambda **kw: {r["grouping"] for r in run("groupings_of_place", place="徐州市", as_of=2022, **kw)}
    with_plan, without = names(plan=PLAN_2016), names()
    assert "长江三角洲城市群" in without          # the 2019 outline lists 徐州
    assert with_plan == without - {"长江三角洲城市群"}  # the 2016 plan does not; the rest stay as of 2022


@pytest.mark.neo4j
def test_core_cities_and_new_centres_as_of(run, graph):
    circles = lambda year: {r["metro_circle"] for r in run("core_cities_of_cluster", cluster="长三角", as_of=year)}
    part_of = {a for a, b, d in graph.edges(data=True) if d["type"] == schema.PART_OF and b == YRD}
    for year in (2017, 2022):
        expected = {graph.nodes[m]["name"] for m in part_of
                    if M.in_force(next(d for a, b, d in graph.edges(data=True)
                                       if a == m and b == YRD and d["type"] == schema.PART_OF), year)}
        assert circles(year) == expected, year
    assert circles(None) == {graph.nodes[m]["name"] for m in part_of}
    centres = lambda **kw: {r["adcode"] for r in run("new_centers_in_cluster", cluster="长三角", **kw)}
    new = {k for k, d in graph.nodes(data=True) if schema.NEW_CENTER in d["labels"]}
    for year in (2017, 2020):
        ms = _rule(graph, YRD, year)
        expected = {d for d in new if d in ms or any(b in ms for _, b, e in graph.out_edges(d, data=True)
                                                    if e["type"] == schema.BELONGS_TO)}
        assert centres(as_of=year) == expected, year


@pytest.mark.neo4j
@pytest.mark.parametrize("as_of, plan", [(None, None), (2017, None), (2020, None), (2022, PLAN_2016)])
def test_policies_targeting_place_as_of_match_python(run, graph, as_of, plan):
    targets = defaultdict(set)                      # grouping -> policies targeting it (in force by as_of)
    for a, b, d in graph.edges(data=True):
        year = graph.nodes[a].get("approved_year")
        if d["type"] == schema.TARGETS and (as_of is None or year is None or year <= as_of):
            targets[b].add(a)
    of = {k: _rule(graph, k, as_of, plan, targets_only=True) for k in targets}
    for place in ("320100", "320413", "341100", "500112", "440600"):   # 南京 金坛 滁州 渝北 佛山
        up = _up(graph, place)
        expected = {(pol, graph.nodes[k]["name"]) for k, pols in targets.items() if of[k] & up for pol in pols}
        rows = run("policies_targeting_place", place=place, as_of=as_of, plan=plan)
        assert {(r["policy_id"], r["via"]) for r in rows} == expected, (place, as_of, plan)
        assert as_of is None or all(r["year"] is None or r["year"] <= as_of for r in rows)
    nanjing = lambda year: {r["policy_id"] for r in run("policies_targeting_place", place="南京市", as_of=year)}
    assert nanjing(2017) < nanjing(2020) <= nanjing(None)    # later plans only add targets
