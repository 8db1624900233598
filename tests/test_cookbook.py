"""The Cypher cookbook (queries/*.cypher) against the real Neo4j server.

Every query runs with the example parameters its header documents, and its rows
are compared with the same question answered independently in Python on the
networkx graph that was loaded (plus a few named facts a researcher would
check by hand).
"""
from __future__ import annotations

import re
from collections import defaultdict
from itertools import combinations

import networkx as nx
import pytest

from kg.model import schema
from kg.paths import QUERIES

pytestmark = pytest.mark.neo4j

PARAM_LINE = re.compile(r"^//\s*params:\s*(\w+)\s*\((string|integer|float)\b[^)]*?e\.g\.\s*(.+)\)\s*$")
TYPES = {"string": str, "integer": int, "float": float}
GROUPINGS = (schema.CITY_CLUSTER, schema.METRO_CIRCLE, schema.CORRIDOR)


def header(path):
    """(description, {param: example value}) from a query file's comment header."""
    lines = path.read_text(encoding="utf-8").splitlines()
    params = {}
    for line in lines:
        if (m := PARAM_LINE.match(line.strip())) and "optional" not in line:  # left out: as today
            name, kind, example = m.groups()
            params[name] = TYPES[kind](example.strip())
    return lines[0].lstrip("/ ").strip(), params


QUERY_FILES = sorted(QUERIES.glob("*.cypher"))


@pytest.fixture(scope="module")
def run(loaded):
    from kg.store.neo4j_query import check_params, declared_params, run_read

    def run_query(name, **override):
        path = QUERIES / f"{name}.cypher"
        text = path.read_text(encoding="utf-8")
        params = check_params(declared_params(text), {**header(path)[1], **override})
        return run_read(loaded, text, params)[1]

    return run_query


# --- the same questions in Python ---------------------------------------------------

def node_named(g, ref, labels):
    """The one node of ``labels`` whose id, name or alias is ``ref``."""
    found = [k for k, d in g.nodes(data=True) if set(d["labels"]) & set(labels)
             and ref in (k, d.get("name"), *d.get("aliases", ()))]
    assert len(found) == 1, (ref, found)
    return found[0]


def place_named(g, ref):
    found = [k for k, d in g.nodes(data=True) if schema.is_place(d) and ref in (k, d["name"])]
    assert len(found) == 1, (ref, found)
    return found[0]


def rels(g, rel_type, u=None, v=None):
    return [(a, b, d) for a, b, d in g.edges(data=True) if d["type"] == rel_type
            and (u is None or a == u) and (v is None or b == v)]


MEMBERSHIP = (schema.MEMBER_OF, schema.CORE_OF)  # a core city counts as a member


def members(g, grouping, types=MEMBERSHIP):
    return {a for t in types for a, _, _ in rels(g, t, v=grouping)}


def groupings_of(g, p):
    return {b for t in MEMBERSHIP for _, b, _ in rels(g, t, u=p)}


def up_chain(g, p, hops=2):
    """p and the places it BELONGS_TO, up to ``hops`` steps."""
    out, node = [p], p
    for _ in range(hops):
        parents = [b for _, b, _ in rels(g, schema.BELONGS_TO, u=node)]
        if not parents:
            break
        node = parents[0]
        out.append(node)
    return out


def province_of(g, p):
    return next(n for n in up_chain(g, p) if schema.PROVINCE in g.nodes[n]["labels"])


def in_grouping(g, p, grouping):
    return any(n in members(g, grouping) for n in up_chain(g, p))


def below(g, industry, depth=4):
    """{sub-industry: depth} for every industry under ``industry``."""
    out, frontier = {}, {industry}
    for level in range(1, depth + 1):
        frontier = {a for n in frontier for a, _, _ in rels(g, schema.PART_OF, v=n)
                    if schema.INDUSTRY in g.nodes[a]["labels"]}
        for n in frontier:
            out.setdefault(n, level)
    return out


# --- the files themselves --------------------------------------------------------------

def test_there_are_at_least_twenty_queries():
    assert len(QUERY_FILES) >= 20


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_header_documents_every_parameter(path):
    description, params = header(path)
    body = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                     if not line.lstrip().startswith("//"))
    used = set(re.findall(r"\$(\w+)", body))
    optional = {line.split(":")[1].split("(")[0].strip() for line in path.read_text(encoding="utf-8").splitlines()
                if line.startswith("// params:") and "optional" in line}
    assert description and not description.startswith("params:")
    assert used == set(params) | optional, f"{path.name}: used {sorted(used)}, documented {sorted(params)}"


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_every_query_runs_read_only_with_its_example(path, run):
    rows = run(path.stem)
    assert isinstance(rows, list)


# --- results, query by query ----------------------------------------------------------

def test_cluster_members(run, graph):
    rows = run("cluster_members")
    yrd = node_named(graph, "长江三角洲城市群", [schema.CITY_CLUSTER])
    assert {r["adcode"] for r in rows} == members(graph, yrd)
    assert {"310000", "320100", "330100", "340100"} <= {r["adcode"] for r in rows}
    alias = run("cluster_members", cluster="长三角")
    assert alias == rows


def test_cluster_members_in_plan(run, graph):
    rows = run("cluster_members_in_plan")
    yrd = node_named(graph, "长三角", [schema.CITY_CLUSTER])
    expected = {a for t in MEMBERSHIP for a, _, d in rels(graph, t, v=yrd)
                if d["source_id"] == "policy:yrd-cluster-plan-2016"}
    assert {r["adcode"] for r in rows} == expected and len(expected) == 26
    assert all(r["quote"] for r in rows)


def test_metro_circle_members(run, graph):
    rows = run("metro_circle_members")
    nj = node_named(graph, "南京都市圈", [schema.METRO_CIRCLE])
    expected = members(graph, nj)
    assert {r["adcode"] for r in rows} == expected
    assert [r["member"] for r in rows if r["core"]] == ["南京市"]
    assert {r["adcode"]: r["province"] for r in rows} == {
        p: graph.nodes[province_of(graph, p)]["name"] for p in expected}


def test_metro_circles_crossing_provinces(run, graph):
    rows = run("metro_circles_crossing_provinces")
    expected = {}
    for m, _ in [(k, d) for k, d in graph.nodes(data=True) if schema.METRO_CIRCLE in d["labels"]]:
        provinces = {province_of(graph, p) for p in members(graph, m)}
        if len(provinces) >= 2:
            expected[graph.nodes[m]["name"]] = {graph.nodes[p]["name"] for p in provinces}
    assert {r["metro_circle"]: set(r["provinces"]) for r in rows} == expected
    assert expected["南京都市圈"] == {"江苏省", "安徽省"}
    assert run("metro_circles_crossing_provinces", min_provinces=99) == []


def test_places_in_two_groupings(run, graph):
    rows = run("places_in_two_groupings")
    a = node_named(graph, "长江三角洲城市群", GROUPINGS)
    b = node_named(graph, "南京都市圈", GROUPINGS)
    candidates = members(graph, a) | members(graph, b)
    expected = {p for p in candidates if in_grouping(graph, p, a) and in_grouping(graph, p, b)}
    assert {r["adcode"] for r in rows} == expected
    by_code = {r["adcode"]: r for r in rows}
    # 金坛区 is in 南京都市圈 itself and in 长三角 through 常州市.
    assert by_code["320413"]["direct_in_second"] and not by_code["320413"]["direct_in_first"]
    assert "320100" in by_code and by_code["320100"]["direct_in_first"]


def test_groupings_of_place(run, graph):
    rows = run("groupings_of_place")
    p = place_named(graph, "金坛区")
    expected = {(graph.nodes[g]["name"], graph.nodes[via]["name"])
                for via in up_chain(graph, p) for g in groupings_of(graph, via)}
    assert {(r["grouping"], r["through"]) for r in rows} == expected
    assert ("南京都市圈", "金坛区") in expected and ("长江三角洲城市群", "常州市") in expected


def test_cluster_overlaps(run, graph):
    rows = run("cluster_overlaps")
    yrd = node_named(graph, "长江三角洲城市群", [schema.CITY_CLUSTER])
    shared = defaultdict(set)
    for p in members(graph, yrd):
        for other in groupings_of(graph, p):
            if other != yrd and set(graph.nodes[other]["labels"]) & set(GROUPINGS):
                shared[graph.nodes[other]["name"]].add(graph.nodes[p]["name"])
    assert {r["grouping"]: set(r["shared"]) for r in rows} == dict(shared)
    assert rows[0]["n_shared"] == max(len(s) for s in shared.values())


def test_core_cities_of_cluster(run, graph):
    rows = run("core_cities_of_cluster")
    yrd = node_named(graph, "长江三角洲城市群", [schema.CITY_CLUSTER])
    expected = {(graph.nodes[m]["name"], graph.nodes[c]["name"])
                for m, _, _ in rels(graph, schema.PART_OF, v=yrd)
                for c, _, _ in rels(graph, schema.CORE_OF, v=m)}
    assert {(r["metro_circle"], r["core_city"]) for r in rows} == expected
    assert ("南京都市圈", "南京市") in expected


def test_industry_specialists(run, graph):
    rows = run("industry_specialists")
    ic = node_named(graph, "集成电路", [schema.INDUSTRY])
    subs = {ic, *below(graph, ic)}
    expected = {(a, b, d["source_id"]) for a, b, d in graph.edges(data=True)
                if d["type"] == schema.SPECIALIZES_IN and b in subs}
    got = {(r["key"], node_named(graph, r["industry"], [schema.INDUSTRY]), r["source"]) for r in rows}
    assert got == expected and expected
    assert all(r["quote"] and r["source"] for r in rows)
    assert "昆山市" in {r["who"] for r in rows}


def test_industry_subtree(run, graph):
    rows = run("industry_subtree")
    root = node_named(graph, "战略性新兴产业", [schema.INDUSTRY])
    depth = below(graph, root)
    assert {r["id"]: r["depth"] for r in rows if r["depth"] == depth[r["id"]]} == depth
    assert len({r["id"] for r in rows}) == len(depth)


def test_majority_planned_industries(run, graph):
    yrd = node_named(graph, "长江三角洲城市群", [schema.CITY_CLUSTER])
    ms = members(graph, yrd)
    planners = defaultdict(set)
    for a, b, _ in rels(graph, schema.PLANS_INDUSTRY):
        if a in ms:
            planners[b].add(a)
    for share in (0.5, 0.01):
        rows = run("majority_planned_industries", share=share)
        expected = {i: len(p) for i, p in planners.items() if len(p) > share * len(ms)}
        assert {r["id"]: r["planners"] for r in rows} == expected
    rows = run("majority_planned_industries")
    assert rows[0]["id"] == "industry:high-end-equipment" and rows[0]["share"] == 1.0


def test_shared_planned_industries(run, graph):
    yrd = node_named(graph, "长江三角洲城市群", [schema.CITY_CLUSTER, schema.METRO_CIRCLE])
    plans = defaultdict(set)
    for a, b, _ in rels(graph, schema.PLANS_INDUSTRY):
        plans[a].add(b)
    ms = sorted(members(graph, yrd))
    for min_shared in (1, 2):
        rows = run("shared_planned_industries", min_shared=min_shared)
        expected = {(graph.nodes[a]["name"], graph.nodes[b]["name"]): len(plans[a] & plans[b])
                    for a, b in combinations(ms, 2) if len(plans[a] & plans[b]) >= min_shared}
        assert {(r["place_a"], r["place_b"]): r["n_shared"] for r in rows} == expected


def test_spillover_chains(run, graph):
    rows = run("spillover_chains")
    sh = place_named(graph, "上海市")
    h = nx.DiGraph([(a, b) for a, b, _ in rels(graph, schema.SPILLOVER_TO)])
    expected = {tuple(graph.nodes[n]["name"] for n in path)
                for target in h if target != sh
                for path in nx.all_simple_paths(h, sh, target, cutoff=3)}
    assert {tuple(r["chain"]) for r in rows} == expected and expected
    assert all(len(r["functions"]) == r["hops"] <= 3 for r in rows)
    one_hop = run("spillover_chains", max_hops=1)
    assert {tuple(r["chain"]) for r in one_hop} == {c for c in expected if len(c) == 2}


def test_central_city_districts(run, graph):
    rows = run("central_city_districts")
    hz = place_named(graph, "杭州市")
    expected = {k for k, d in graph.nodes(data=True)
                if schema.NEW_CENTER in d["labels"] and d.get("central_city_plan")
                and up_chain(graph, k)[1:2] == [hz]}
    assert {r["adcode"] for r in rows} == expected
    assert {r["district"] for r in rows} >= {"萧山区", "余杭区", "临平区", "钱塘区"}
    assert all(r["from_year"] == 2021 for r in rows)


def test_new_centers_by_type(run, graph):
    rows = run("new_centers_by_type")
    expected = {k for k, d in graph.nodes(data=True) if d.get("center_type") == "产业引领型"}
    assert {r["adcode"] for r in rows} == expected and "440307" in expected  # 龙岗区


def test_new_centers_in_cluster(run, graph):
    rows = run("new_centers_in_cluster")
    yrd = node_named(graph, "长江三角洲城市群", [schema.CITY_CLUSTER])
    expected = {k for k, d in graph.nodes(data=True) if schema.NEW_CENTER in d["labels"]
                and any(n in members(graph, yrd) for n in up_chain(graph, k, hops=1))}
    assert {r["adcode"] for r in rows} == expected
    assert {"310107", "330110"} <= expected  # 上海普陀区 (not 舟山's), 余杭区
    pudong = next(r for r in rows if r["adcode"] == "310115")
    assert "集成电路" in pudong["industries"]


def test_policies_targeting_place(run, graph):
    rows = run("policies_targeting_place")
    nj = place_named(graph, "南京市")
    targets = set(up_chain(graph, nj))
    for p in list(targets):
        for grp in groupings_of(graph, p):
            targets.add(grp)
            targets |= {c for _, c, _ in rels(graph, schema.PART_OF, u=grp)}
    expected = {a for a, b, _ in rels(graph, schema.TARGETS) if b in targets}
    assert {r["policy_id"] for r in rows} == expected
    assert {"policy:nanjing-metro-plan-2021", "policy:yrd-cluster-plan-2016"} <= expected


def test_shortest_path_city_system(run, graph):
    rows = run("shortest_path_city_system")
    layer = {schema.MEMBER_OF, schema.CORE_OF, schema.PART_OF, schema.SPILLOVER_TO, schema.COOPERATES_WITH}
    h = nx.Graph([(a, b) for a, b, d in graph.edges(data=True) if d["type"] in layer])
    hops = nx.shortest_path_length(h, place_named(graph, "鹤壁市"), place_named(graph, "南京市"))
    assert len(rows) == 1 and rows[0]["hops"] == hops
    assert rows[0]["path"][0] == "鹤壁市" and rows[0]["path"][-1] == "南京市"
    assert set(rows[0]["types"]) <= layer


def test_parks_in_province(run, graph):
    rows = run("parks_in_province")
    js = place_named(graph, "江苏省")
    expected = {a for a, b, _ in rels(graph, schema.LOCATED_IN)
                if schema.INDUSTRIAL_PARK in graph.nodes[a]["labels"] and js in up_chain(graph, b)}
    assert {r["id"] for r in rows} == expected and "park:suzhou-industrial-park" in expected


def test_new_areas_since(run, graph):
    for since in (2014, 1990, 2030):
        rows = run("new_areas_since", since=since)
        expected = {k for k, d in graph.nodes(data=True) if schema.NATIONAL_NEW_AREA in d["labels"]
                    and d.get("approved_year", 0) >= since}
        assert {r["id"] for r in rows} == expected
    assert "newarea:xiongan" in {r["id"] for r in run("new_areas_since")}


def test_cooperation_partners(run, graph):
    rows = run("cooperation_partners")
    pt = "310107"  # 上海市普陀区, not 舟山's 330903
    assert graph.nodes[pt]["name"] == "普陀区"
    expected = {(graph.nodes[b if a == pt else a]["name"], d["source_id"])
                for a, b, d in rels(graph, schema.COOPERATES_WITH) if pt in (a, b)}
    assert {(r["partner"], r["source"]) for r in rows} == expected
    assert {"南京市", "无锡市"} <= {r["partner"] for r in rows}


def test_facts_from_source(run, graph):
    rows = run("facts_from_source")
    sid = "001_78ebd5c545a785bc.txt"
    expected = sum(1 for *_, d in graph.edges(data=True) if d.get("source_id") == sid)
    assert len(rows) == expected > 0
    by_type = defaultdict(int)
    for *_, d in graph.edges(data=True):
        if d.get("source_id") == sid:
            by_type[d["type"]] += 1
    got = defaultdict(int)
    for r in rows:
        got[r["type"]] += 1
    assert got == by_type


def test_unchecked_facts(run, graph):
    for rel_type in (schema.PART_OF, schema.MEMBER_OF, schema.SPILLOVER_TO):
        rows = run("unchecked_facts", rel_type=rel_type)
        expected = sum(1 for *_, d in graph.edges(data=True)
                       if d["type"] == rel_type and d.get("checked") is False)
        assert len(rows) == expected


def test_places_in_most_groupings(run, graph):
    rows = run("places_in_most_groupings", top=5)
    count = defaultdict(set)
    for a, b, d in graph.edges(data=True):
        if d["type"] in MEMBERSHIP and set(graph.nodes[b]["labels"]) & set(GROUPINGS) \
                and schema.is_place(graph.nodes[a]):
            count[a].add(b)
    ranked = sorted(count, key=lambda p: (-len(count[p]), p))[:5]
    assert [r["adcode"] for r in rows] == ranked
    assert [r["n_groupings"] for r in rows] == [len(count[p]) for p in ranked]


def test_cross_province_neighbours_in_cluster(run, graph):
    rows = run("cross_province_neighbours_in_cluster")
    yrd = node_named(graph, "长江三角洲城市群", [schema.CITY_CLUSTER])
    cities = {p for p in members(graph, yrd) if schema.CITY in graph.nodes[p]["labels"]}
    expected = {tuple(sorted((a, b))) for a, b, _ in rels(graph, schema.ADJACENT_TO)
                if a in cities and b in cities and province_of(graph, a) != province_of(graph, b)}
    name = {p: graph.nodes[p]["name"] for p in cities}
    assert {tuple(sorted((r["city_a"], r["city_b"]))) for r in rows} == \
        {tuple(sorted((name[a], name[b]))) for a, b in expected}
    assert ("上海市", "苏州市") in {(r["city_a"], r["city_b"]) for r in rows}


def test_indicator_ranking(run, graph):
    from kg.model.statistics import statistics_table

    for indicator, year in (("resident_population", 2020), ("gdp", 2024)):
        rows = run("indicator_ranking", indicator=indicator, year=year)
        stats = [s for s in statistics_table(graph) if (s["indicator"], s["year"]) == (indicator, year)]
        expected = sorted(((-s["value"], s["adcode"]) for s in stats))
        assert [(-r["value"], r["adcode"]) for r in rows] == expected and expected
        by_code = {s["adcode"]: s for s in stats}
        assert all((r["unit"], r["source_id"]) == (by_code[r["adcode"]]["unit"], by_code[r["adcode"]]["source_id"])
                   for r in rows)


# --- bad input ----------------------------------------------------------------------------

def test_syntax_error_and_unknown_name_are_reported(loaded, tmp_path):
    from kg.store.neo4j_query import QueryError, resolve_query, run_read

    (tmp_path / "broken.cypher").write_text("// broken\nMATCH (n RETURN n\n", encoding="utf-8")
    with pytest.raises(QueryError, match="refused the query|Invalid input"):
        run_read(loaded, resolve_query("broken", tmp_path))
    with pytest.raises(QueryError, match="no cookbook query named 'nope'"):
        resolve_query("nope", tmp_path)


def test_queries_are_read_only(loaded):
    from kg.store.neo4j_query import QueryError, run_read

    with pytest.raises(QueryError, match="read-only|refused"):
        run_read(loaded, "CREATE (:Policy {id: 'policy:should-not-exist'})")
