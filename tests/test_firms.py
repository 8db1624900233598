"""Firm-linkage files: reader and rejects, generator, city projection, both Neo4j load paths,
the CLI, and the benchmarks' smoke runs (smallest size, results still checked)."""
from __future__ import annotations

import csv
import math
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from kg.analysis.firm_network import CYPHER, city_network, firm_network
from kg.sources.firms import (COLUMNS, FirmFileError, FirmReader, default_places, industry_lookup,
                              taxonomy)
from kg.synth import DIRT_KINDS, generate_firms

REPO = Path(__file__).resolve().parent.parent
HEADER = ",".join(COLUMNS)


def write(tmp_path, text: str, name="firms.csv", newline="\n") -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


def read_all(path, **kw):
    reader = FirmReader(path, **kw)
    rows = list(reader.rows())
    return reader, rows


# --- the reader ------------------------------------------------------------------------------

BAD = f"""{HEADER}
F1,甲公司,集成电路,310104,320102,2019,100
F1,甲公司,集成电路,310104,320104,2019,
F1,甲公司,集成电路,310104,320102,2020,5
F2,乙公司,制造业,320000,320100,2019,1
F3,丙公司,制造业,320102,320104,20x1,1

F4,,制造业,320102,110105,2018,1
F5,戊公司,制造业,320102,110105
F1,甲公司X,集成电路,310104,330100,2019,1
F6,"己,公司",制造业,320102,429004,2018,-3
F7,庚公司,制造业,320102,429004,2018,abc
F8,辛公司,制造业,320102,999999,2018,1
F9,壬公司,制造业,320102,110105,2018,1,extra
F10,癸公司,制造业,441900,110105,2018,1
F10,癸公司,制造业,441900,110105,2019,1
F11,子公司,制造业,320102,4401"""   # cut off: no line break at the end


def test_every_kind_of_bad_row_is_rejected_with_its_line_and_the_rest_loads(tmp_path):
    reader, rows = read_all(write(tmp_path, BAD), rejects_path=tmp_path / "rejects.csv")
    assert [(r.line, r.firm_id, r.branch_adcode, r.branch_city) for r in rows] == [
        (2, "F1", "320102", "320100"), (3, "F1", "320104", "320100"),
        (15, "F10", "110105", "110000")]
    assert [(r.line, r.reason) for r in reader.rejects] == [
        (4, "duplicate of line 2 (same firm_id and branch_adcode)"),
        (5, "hq_adcode 320000 is a province; give the city or county"),
        (6, "year 20x1 is not a year in 1949..2100"),
        (8, "missing firm_name"),
        (9, "expected 7 fields, found 5"),
        (10, "firm_id F1 is used at line 2 with another firm_name, industry or hq_adcode"),
        (11, "capital -3 is not a non-negative number"),
        (12, "capital abc is not a non-negative number"),
        (13, "unknown branch_adcode 999999"),
        (14, "expected 7 fields, found 8"),
        (16, "duplicate of line 15 (same firm_id and branch_adcode)"),
        (17, "last line has no line break (file cut off?)"),
    ]
    assert (reader.stats.rows, reader.stats.accepted, reader.stats.rejected, reader.stats.blank) \
        == (15, 3, 12, 1)
    assert reader.stats.reasons["duplicate"] == 2 and reader.stats.reasons["truncated"] == 1
    # the taxonomy gives 集成电路 its id; 制造业 is not in it and stays free text
    assert rows[0].industry_id == industry_lookup()["集成电路"] and rows[2].industry_id is None
    assert rows[1].capital is None and rows[0].capital == 100.0 and rows[0].year == 2019


def test_the_rejects_file_names_line_and_reason_and_fixed_rows_load_from_it(tmp_path):
    reader, _ = read_all(write(tmp_path, BAD), rejects_path=tmp_path / "rejects.csv")
    with open(tmp_path / "rejects.csv", newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    assert table[0] == ["line", "reason", *COLUMNS]
    assert table[5][:3] == ["9", "expected 7 fields, found 5", "F5"]
    assert table[7][2:] == ["F6", "己,公司", "制造业", "320102", "429004", "2018", "-3"]
    # fix two rows in the rejects file and feed it back: its line/reason columns are ignored
    table[7][-1] = "3"                       # capital -3 -> 3
    table[3][-2] = "2021"                    # year 20x1 -> 2021
    fixed = [table[0], table[3], table[7]]
    with open(tmp_path / "fixed.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(fixed)
    again, rows = read_all(tmp_path / "fixed.csv")
    assert [(r.firm_id, r.year, r.capital) for r in rows] == [("F3", 2021, 1.0), ("F6", 2018, 3.0)]
    assert again.stats.rejected == 0


@pytest.mark.parametrize("text, message", [
    ("", "empty file"),
    ("firm_id,firm_name,industry,hq_adcode,year\nF1,a,b,310104,2019\n",
     r"line 1: missing column\(s\) branch_adcode"),
    (f"{HEADER},year\n", r"line 1: column\(s\) year given twice"),
])
def test_a_file_without_the_required_header_fails_whole(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(FirmFileError, match=message) as exc:
        list(FirmReader(path).chunks())
    assert str(path) in str(exc.value)


def test_line_numbers_survive_crlf_bom_blank_lines_quotes_and_a_quoted_line_break(tmp_path):
    text = (f"\ufeff{HEADER}\n"
            "A1,\"名称, 含逗号\",制造业,310104,320102,2019,\n"
            "\n"
            "A2,\"跨行\n名称\",制造业,310104,320102,2019,\n"   # lines 4-5: a quoted line break
            "A3,丙,制造业,310104,320102,2019,7.5\n")
    reader, rows = read_all(write(tmp_path, text, newline="\r\n"))
    assert [(r.line, r.firm_id, r.firm_name) for r in rows] == [(2, "A1", "名称, 含逗号"),
                                                                (6, "A3", "丙")]
    assert [(r.line, r.reason) for r in reader.rejects] == [
        (4, "expected 7 fields, found 2"), (5, "expected 7 fields, found 6")]


def test_not_utf8_rows_are_rejected_and_the_rest_loads(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(f"{HEADER}\n".encode() + "B1,南京公司,制造业,310104,320102,2019,\n".encode("gbk")
                     + "B2,上海公司,制造业,310104,320102,2019,\n".encode("utf-8"))
    reader, rows = read_all(path)
    assert [r.firm_id for r in rows] == ["B2"]
    assert [(r.line, r.reason) for r in reader.rejects] == [(2, "not valid UTF-8")]


@pytest.fixture(scope="module")
def dirty_file(tmp_path_factory):
    """A synthetic file of 20k rows with 2% spoilt rows, and what was spoilt."""
    path = tmp_path_factory.mktemp("firms") / "dirty.csv"
    made = generate_firms(path, 20_000, seed=5, dirty=0.02)
    return path, made


def test_small_blocks_give_the_same_rows_and_rejects_as_one_block(dirty_file):
    path, _ = dirty_file
    whole = FirmReader(path, block_bytes=64 << 20)
    pieces = FirmReader(path, block_bytes=4096)   # ~40 rows a block: duplicates span blocks
    a = pd.concat(list(whole.chunks()), ignore_index=True)
    b = pd.concat(list(pieces.chunks()), ignore_index=True)
    pd.testing.assert_frame_equal(a, b)
    assert whole.rejects == pieces.rejects and whole.stats == pieces.stats


def test_network_only_chunks_hold_the_same_rows(dirty_file):
    path, _ = dirty_file
    full = pd.concat(list(FirmReader(path).chunks()), ignore_index=True)
    lean = pd.concat(list(FirmReader(path, network_only=True).chunks()), ignore_index=True)
    pd.testing.assert_frame_equal(full[["hq_ci", "branch_ci", "capital"]], lean)


# --- the generator ---------------------------------------------------------------------------

def test_generator_is_seeded_and_every_spoilt_row_is_rejected_as_what_it_is(dirty_file, tmp_path):
    path, made = dirty_file
    again = tmp_path / "again.csv"
    assert generate_firms(again, 20_000, seed=5, dirty=0.02) == made
    assert again.read_bytes() == path.read_bytes()
    other = tmp_path / "other.csv"
    generate_firms(other, 20_000, seed=6, dirty=0.02)
    assert other.read_bytes() != path.read_bytes()
    reader = FirmReader(path)
    accepted = sum(len(c) for c in reader.chunks())
    assert made["rows"] == 20_000 == reader.stats.rows
    assert {k: reader.stats.reasons[k] for k in DIRT_KINDS} == {k: made[k] for k in DIRT_KINDS}
    assert all(made[k] > 50 for k in DIRT_KINDS)
    assert accepted == 20_000 - sum(made[k] for k in DIRT_KINDS)


def test_generated_firms_sit_on_real_mainland_units_and_branch_out_by_gravity(dirty_file):
    path, _ = dirty_file
    places = default_places()
    rows = pd.concat(list(FirmReader(path).chunks()), ignore_index=True)
    codes = set(rows["hq_adcode"]) | set(rows["branch_adcode"])
    assert all(places.level[c] in ("County", "City") and c[:2] not in ("71", "81", "82")
               for c in codes)
    names = {r["name"] for r in taxonomy().values()}
    assert set(rows["industry"]) <= names and rows["industry_id"].notna().all()
    # gravity: a branch lies in its HQ's province far more often than if branches were
    # placed with no regard to where the HQ is (same marginal shares)
    hq_p = rows["hq_adcode"].map(places.province)
    br_p = rows["branch_adcode"].map(places.province)
    same = (hq_p == br_p).mean()
    independent = (hq_p.value_counts(normalize=True) * br_p.value_counts(normalize=True)).sum()
    assert same > 3 * independent
    assert rows.groupby("firm_id").size().max() > 20   # heavy-tailed branch counts


# --- the city projection ---------------------------------------------------------------------

HAND = f"""{HEADER}
F1,甲,制造业,310104,320102,2019,10
F1,甲,制造业,310104,320104,2019,
F1,甲,制造业,310104,310115,2019,4
F1,甲,制造业,310104,429004,2019,2.5
F2,乙,制造业,320102,310104,2020,1
F2,乙,制造业,320102,110105,2020,
F3,丙,制造业,429004,420102,2021,3
F3,丙,制造业,429004,999999,2021,3
"""


def test_projection_of_a_hand_computed_case(tmp_path):
    g, stats = firm_network(write(tmp_path, HAND), rejects_path=tmp_path / "r.csv")
    assert stats.accepted == 7 and stats.rejected == 1
    # counties count for their city; 仙桃 (no city above it) for itself; 浦东 is internal
    assert sorted((u, v, d["weight"], d["capital"], d["capital_links"])
                  for u, v, d in g.edges(data=True)) == [
        ("310000", "320100", 2, 10.0, 1), ("310000", "429004", 1, 2.5, 1),
        ("320100", "110000", 1, 0.0, 0), ("320100", "310000", 1, 1.0, 1),
        ("429004", "420100", 1, 3.0, 1)]
    assert g.nodes["310000"]["internal"] == 1 and g.nodes["310000"]["out_links"] == 3
    assert g.nodes["310000"]["in_links"] == 1 and g.nodes["429004"]["name"] == "仙桃市"
    assert g.edges["310000", "320100"]["distance"] == 0.5
    loops, _ = firm_network(write(tmp_path, HAND), self_loops=True)
    assert loops.edges["310000", "310000"]["weight"] == 1


def test_projection_equals_an_independent_count_and_igraph(dirty_file):
    path, _ = dirty_file
    g, stats = firm_network(path)
    count, capital = Counter(), Counter()
    for r in FirmReader(path).rows():       # row by row, in plain Python
        if r.hq_city != r.branch_city:
            count[(r.hq_city, r.branch_city)] += 1
            capital[(r.hq_city, r.branch_city)] += r.capital or 0.0
    assert {(u, v): d["weight"] for u, v, d in g.edges(data=True)} == dict(count)
    assert all(math.isclose(g.edges[k]["capital"], v, rel_tol=1e-9, abs_tol=1e-9)
               for k, v in capital.items())
    nodes = list(g)
    index = {n: i for i, n in enumerate(nodes)}
    h = ig.Graph(n=len(nodes), directed=True, edges=[(index[u], index[v]) for u, v in count])
    ranks = h.pagerank(weights=list(count.values()))
    ours = nx.pagerank(g, weight="weight", tol=1e-12, max_iter=1000)
    assert max(abs(ours[n] - ranks[index[n]]) for n in nodes) < 1e-9
    assert list(g.nodes["110000"]) and sum(count.values()) + sum(
        d["internal"] for _, d in g.nodes(data=True)) == stats.accepted


def test_firms_network_plugs_into_the_analysis_networks_and_scopes(graph, tmp_path):
    from kg.analysis.firm_network import firms_network
    from kg.analysis.networks import restrict
    from kg.analysis.scope import analysis_scope

    path = write(tmp_path, HAND)
    h = firms_network(graph, path)
    g, _ = firm_network(path)
    assert sorted(h.edges(data="weight")) == sorted(g.edges(data="weight"))
    assert h.nodes["320100"]["province"] == "320000" and h.nodes["320100"]["kind"] == "place"
    yrd = restrict(h, analysis_scope(graph, "长三角城市群"))   # 上海, 南京 in; 北京, 仙桃, 武汉 out
    assert sorted(yrd.edges(data="weight")) == [("310000", "320100", 2), ("320100", "310000", 1)]


def test_projection_of_chunks_is_a_pure_function():
    places = default_places()
    ci = {c: i for i, c in enumerate(places.cities)}
    chunk = pd.DataFrame({"hq_ci": [ci["110000"]], "branch_ci": [ci["441900"]], "capital": [1.0]})
    a = city_network([chunk, chunk], places)
    b = city_network([pd.concat([chunk, chunk])], places)
    assert nx.utils.edges_equal(a.edges(data=True), b.edges(data=True))
    assert a.edges["110000", "441900"]["weight"] == 2


# --- the CLI ---------------------------------------------------------------------------------

def test_cli_check_reports_counts_and_writes_rejects(tmp_path):
    from kg.cli import app

    path = write(tmp_path, BAD)
    result = CliRunner().invoke(app, ["firms", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert "15 rows: 3 accepted, 12 rejected" in result.output
    assert (tmp_path / "firms.rejects.csv").read_text("utf-8").count("\n") == 13
    bad = CliRunner().invoke(app, ["firms", "check", str(write(tmp_path, "a,b\n1,2\n", "h.csv"))])
    assert bad.exit_code == 1 and "missing column(s) firm_id" in bad.output
    assert "Traceback" not in bad.output


@pytest.mark.slow
def test_bench_firm_network_smoke(tmp_path):
    """The benchmark at its smallest size: it asserts both sides give the same network."""
    out = subprocess.run([sys.executable, "benchmarks/bench_firm_network.py", "--sizes", "10000",
                          "--repeat", "1", "--no-memory"], cwd=REPO, capture_output=True, text=True,
                         env={**os.environ, "CITYKG_BENCH_DATA": str(tmp_path)})
    assert out.returncode == 0, out.stderr[-3000:]
    assert "results identical" in out.stdout and "| 10k |" in out.stdout


# --- Neo4j: path (a), path (b) ---------------------------------------------------------------

@pytest.fixture(scope="module")
def small_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("neo4j-firms") / "small.csv"
    generate_firms(path, 3000, seed=11, dirty=0.02)
    return path


@pytest.mark.neo4j
def test_path_a_loads_idempotently_and_the_cypher_projection_agrees(loaded, graph, small_file):
    from kg.model.graph import counts
    from kg.store.neo4j_firms import delete_firms, firm_counts, load_firms
    from kg.store.neo4j_load import database_counts

    try:
        first = load_firms(loaded, small_file, progress=False, batch_size=700)
        stats = first["stats"]
        want = {"firms": first["firms"], "rels": first["firms"] + stats.accepted,
                "hq": first["firms"], "branches": stats.accepted}
        assert firm_counts(loaded) == want and stats.rejected > 0
        assert first["firms"] == len({r.firm_id for r in FirmReader(small_file).rows()})
        load_firms(loaded, small_file, progress=False)      # the same file again adds nothing
        assert firm_counts(loaded) == want
        # the projection run in Neo4j (CYPHER, for GDS) equals the one from the file
        g, _ = firm_network(small_file)
        rows = loaded.execute_query(CYPHER).records
        across = {(r["source"], r["target"]): r["count"] for r in rows if r["source"] != r["target"]}
        assert across == {(u, v): d["weight"] for u, v, d in g.edges(data=True)}
        internal = {r["source"]: r["count"] for r in rows if r["source"] == r["target"]}
        assert internal == {n: d["internal"] for n, d in g.nodes(data=True) if d["internal"]}
        cap = {(r["source"], r["target"]): r["capital"] for r in rows}
        assert all(math.isclose(cap[(u, v)], d["capital"], rel_tol=1e-9)
                   for u, v, d in g.edges(data=True))
        named = loaded.execute_query(
            "MATCH (o:Organization {id: $id})-[r:LOCATED_IN {role: 'headquarters'}]->(p:Place) "
            "RETURN o.name AS name, p.adcode AS hq, r.source_id AS source, r.line AS line",
            id="firm:" + next(FirmReader(small_file).rows()).firm_id).records[0]
        first_row = next(FirmReader(small_file).rows())
        assert (named["name"], named["hq"], named["source"], named["line"]) == (
            first_row.firm_name, first_row.hq_adcode, "small.csv", first_row.line)
    finally:
        delete_firms(loaded)
    assert database_counts(loaded) == counts(graph)


@pytest.mark.neo4j
def test_cli_firms_import_loads_and_reports_rejects(loaded, graph, small_file, tmp_path):
    from kg.cli import app
    from kg.store.neo4j_firms import delete_firms, firm_counts

    try:
        result = CliRunner().invoke(app, ["firms", "import", str(small_file), "--rejects",
                                          str(tmp_path / "rej.csv"), "--source-id", "test-firms"])
        assert result.exit_code == 0, result.output
        reader = FirmReader(small_file)
        accepted = sum(len(c) for c in reader.chunks())
        assert f"{accepted} accepted, {reader.stats.rejected} rejected" in result.output
        assert firm_counts(loaded, "test-firms")["branches"] == accepted
        rejects = list(csv.reader(open(tmp_path / "rej.csv", encoding="utf-8")))
        assert len(rejects) == reader.stats.rejected + 1
    finally:
        delete_firms(loaded)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def spare_neo4j(neo4j_server, tmp_path_factory):
    """A second, throwaway Neo4j server (the same jars, its own data and ports) for the tests
    that rebuild a database with neo4j-admin import: the session's server keeps its data,
    its transaction ids and so the bookmarks its drivers hold."""
    from kg import paths
    from kg.store import neo4j_server as srv

    jars = srv.home() / "lib"
    cache = tmp_path_factory.mktemp("spare-neo4j")
    env = {"CITYKG_CACHE": str(cache), "CITYKG_BOLT_PORT": str(_free_port()),
           "CITYKG_HTTP_PORT": str(_free_port())}
    saved_env, saved_cache = {k: os.environ.get(k) for k in env}, paths.CACHE
    os.environ.update(env)
    paths.CACHE = cache
    try:
        srv.home().mkdir(parents=True)
        (srv.home() / "lib").symlink_to(jars)
        srv.install()
        srv.start()
        yield env
    finally:
        srv.stop()
        paths.CACHE = saved_cache
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.mark.neo4j
@pytest.mark.slow
def test_path_b_bulk_import_builds_the_same_database_as_path_a(spare_neo4j, graph, small_file):
    """Bulk import of graph + firms (on the spare server), compared node by node and
    relationship by relationship with what the incremental loaders write."""
    from kg.model.graph import counts
    from kg.store import neo4j_server as srv
    from kg.store.neo4j_bulk import bulk_load
    from kg.store.neo4j_firms import firm_counts
    from kg.store.neo4j_load import _props

    result = bulk_load(graph, firms_path=small_file)
    stats = result["stats"]
    firms = len({r.firm_id for r in FirmReader(small_file).rows()})
    want = counts(graph)
    assert result["counts"]["nodes"] == want["nodes"] + firms
    assert result["counts"]["types"]["LOCATED_IN"] == want["types"].get("LOCATED_IN", 0) \
        + firms + stats.accepted
    assert {k: v for k, v in result["counts"]["types"].items() if k != "LOCATED_IN"} == \
        {k: v for k, v in want["types"].items() if k != "LOCATED_IN"}
    with srv.connect_local() as driver:
        assert firm_counts(driver) == {"firms": firms, "rels": firms + stats.accepted,
                                       "hq": firms, "branches": stats.accepted}
        # every node and relationship of the graph, with the properties path (a)'s loader writes
        stored = {r["k"]: (set(r["labels"]), r["props"]) for r in driver.execute_query(
            "MATCH (n) WHERE NOT n:Organization OR NOT n.id STARTS WITH 'firm:' "
            "RETURN coalesce(n.adcode, n.id) AS k, labels(n) AS labels, properties(n) AS props"
        ).records}
        assert len(stored) == graph.number_of_nodes()
        for key, attrs in graph.nodes(data=True):
            props = _props(attrs, ("labels",))
            props["adcode" if "Place" in attrs["labels"] else "id"] = key
            assert stored[key] == (set(attrs["labels"]), props), key
        rels = {(r["a"], r["b"], r["t"], r["k"]): r["props"] for r in driver.execute_query(
            "MATCH (a)-[r]->(b) WHERE NOT a:Organization OR NOT a.id STARTS WITH 'firm:' "
            "RETURN coalesce(a.adcode, a.id) AS a, coalesce(b.adcode, b.id) AS b, type(r) AS t, "
            "r.key AS k, properties(r) AS props").records}
        assert len(rels) == graph.number_of_edges()
        for u, v, k, attrs in graph.edges(keys=True, data=True):
            assert rels[(u, v, attrs["type"], k)] == {**_props(attrs, ("type",)), "key": k}
        # a firm relationship as path (a) writes it
        row = next(FirmReader(small_file).rows())
        rec = driver.execute_query(
            "MATCH (o:Organization {id: $id})-[r:LOCATED_IN {role: 'branch'}]->(p:Place {adcode: $b}) "
            "RETURN o.name AS name, r.year AS year, r.line AS line, r.key AS key",
            id="firm:" + row.firm_id, b=row.branch_adcode).records[0]
        assert (rec["name"], rec["year"], rec["line"], rec["key"]) == (
            row.firm_name, row.year, row.line, "LOCATED_IN|small.csv|branch")
        # constraints were created after the import
        names = {r["name"] for r in driver.execute_query("SHOW CONSTRAINTS YIELD name").records}
        assert {"place_adcode", "organization_id"} <= names


@pytest.mark.neo4j
@pytest.mark.slow
def test_bench_load_smoke(spare_neo4j, tmp_path):
    """bench_load at its smallest size (on the spare server): it checks the database after
    each path and that a second path (a) run adds nothing."""
    out = subprocess.run([sys.executable, "benchmarks/bench_load.py", "--sizes", "10000",
                          "--naive-rows", "100", "--no-restore"], cwd=REPO, capture_output=True, text=True,
                         env={**os.environ, **spare_neo4j, "CITYKG_BENCH_DATA": str(tmp_path)})
    assert out.returncode == 0, out.stderr[-3000:]
    assert "| 10k |" in out.stdout and "checked results only" in out.stdout
