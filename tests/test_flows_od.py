"""Origin–destination files on every flow engine: the reader's (``read_od``) pairs and its
errors, line for line (kg.flows.project_od)."""
from __future__ import annotations

import numpy as np
import pytest

from kg.flows import project_od
from kg.sources.migration import read_od
from kg.synth import OD_DIRT_KINDS, generate_od

# one line of every kind read_od rejects, between good ones
BAD = ("\n"                                                   # 1 blank: the header is line 2
       "origin,destination,date,value\n"                      # 2
       "北京,上海,2020-01-10,4\n"                              # 3 ok (names)
       "110000,310000,2020-01-10,5\n"                         # 4 duplicate of line 3
       "北京,310000,2020-01-11,2\n"                            # 5 ok: another date
       "鼓楼区,上海,2020-01-10,1\n"                             # 6 ambiguous name
       "南京/鼓楼区,999999,2020-01-10,n/a\n"                    # 7 unknown adcode and a bad value
       "南京,南京市,2020-01-10,3\n"                              # 8 the same place
       "南京,苏州,2020-01-10,-2\n"                              # 9 negative
       "南京,苏州,2020-01-10\n"                                 # 10 a cell too few
       " , ,\n"                                               # 11 blank (cells all empty)
       "南京,苏州,2020-01-10,\"1,234.5\"\r\n"                   # 12 ok: grouped number, CRLF
       "南京/鼓楼区,110000, 2020-01-11 ,１２\n"                  # 13 ok: full-width digits, spaces
       "苏州,南京,2020-01-11,0\n"                               # 14 ok: zero (no flow, counts a day)
       "苏州,南京,2020-01-11,NaN\n")                            # 15 NaN is not a number


@pytest.fixture(scope="module")
def index():
    from kg.model.graph import new_graph
    from kg.model.resolve import PlaceIndex
    from kg.sources.backbone import add_backbone

    g = new_graph()
    add_backbone(g, adjacency=False)
    return PlaceIndex(g)


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    path = tmp_path_factory.mktemp("od") / "bad.csv"
    path.write_bytes(BAD.encode("utf-8"))
    return path


def same(a, b):
    assert a.errors == b.errors
    assert a.table[["origin", "destination"]].values.tolist() == \
        b.table[["origin", "destination"]].values.tolist()
    assert np.allclose(a.table["weight"], b.table["weight"], rtol=1e-12, atol=0)


def test_reference_is_read_od(bad, index):
    ref = project_od(bad, index, engine="pandas")
    assert [e.split(": ", 1)[0] for e in ref.errors] == [
        f"bad.csv:{n}" for n in (4, 6, 7, 7, 8, 9, 10, 15)]
    assert "'鼓楼区' is ambiguous" in ref.errors[1] and "999999" in ref.errors[2]
    assert ref.errors[0] == "bad.csv:4: duplicate pair 110000->310000 on 2020-01-10 (first at line 3)"
    assert ref.errors[3] == "bad.csv:7: value 'n/a' is not a number"
    assert ref.errors[4] == "bad.csv:8: origin and destination are the same place (320100)"
    assert ref.errors[6] == "bad.csv:10: 3 cells, the header has 4"
    # two dates: each pair's weight is its sum over the days / 2
    assert ref.table.values.tolist() == [["110000", "310000", 3.0], ["320100", "320500", 617.25],
                                         ["320106", "110000", 6.0]]
    assert read_od(bad, index) == ({}, ref.errors)   # the importer writes nothing


def test_duckdb_equals_the_reference_on_every_kind_of_bad_row(bad, index):
    same(project_od(bad, index, engine="duckdb"), project_od(bad, index, engine="pandas"))


def test_duckdb_equals_the_reference_on_a_synthetic_file(tmp_path, index):
    path = tmp_path / "od.csv"
    made = generate_od(path, rows=40_000, seed=3, dirty=0.01)
    ref, got = project_od(path, index, engine="pandas"), project_od(path, index, engine="duckdb")
    same(got, ref)
    # each spoilt row is exactly one error; 370 cities x 100 destinations a day
    assert len(ref.errors) == sum(made[k] for k in OD_DIRT_KINDS) > 300
    assert 36_000 < len(ref.table) <= 370 * 369


def test_files_the_streaming_path_cannot_read_go_to_the_reader(tmp_path, index):
    matrix = tmp_path / "m.csv"
    matrix.write_text(",北京,上海\n北京,,3\n上海,2,\n", encoding="utf-8")
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("origin,destination,value\n北京,上海,1\n".encode("gbk"))
    spans = tmp_path / "spans.csv"
    spans.write_text('origin,destination,value\n北京,上海,"1\n2"\n', encoding="utf-8")
    for path in (matrix, gbk, spans):
        pairs, errors = read_od(path, index, partial=True)
        got = project_od(path, index, engine="duckdb")
        assert got.errors == errors
        assert {(o, d): w for o, d, w in got.table.values} == pairs
    assert project_od(matrix, index).table.values.tolist() == [
        ["110000", "310000", 3.0], ["310000", "110000", 2.0]]
    assert "gbk.csv:2: the file is not UTF-8" in project_od(gbk, index).errors[0]


@pytest.mark.slow
def test_spark_equals_the_reference(bad, index, tmp_path):
    pytest.importorskip("pyspark")
    same(project_od(bad, index, engine="spark"), project_od(bad, index, engine="pandas"))
    path = tmp_path / "od.csv"
    generate_od(path, rows=20_000, seed=4, dirty=0.01)
    same(project_od(path, index, engine="spark"), project_od(path, index, engine="duckdb"))


def test_import_cli_writes_the_same_table_on_either_engine(tmp_path, bad):
    from typer.testing import CliRunner

    from kg.cli import app

    od = tmp_path / "qianxi.csv"
    generate_od(od, rows=3000, seed=5)
    runner, written = CliRunner(), {}
    for engine in ("pandas", "duckdb"):
        out = tmp_path / engine / "migration.csv"
        done = runner.invoke(app, ["flows", "import", str(od), "--out", str(out), "--year", "2020",
                                   "--source-id", "openflights-2014", "--weight-unit", "share_pct",
                                   "--engine", engine])
        assert done.exit_code == 0, done.output
        written[engine] = out.read_bytes()
    assert written["pandas"] == written["duckdb"] and written["pandas"].count(b"\n") > 2900
    refused = runner.invoke(app, ["flows", "import", str(bad), "--out", str(tmp_path / "x.csv"),
                                  "--year", "2020", "--source-id", "openflights-2014",
                                  "--weight-unit", "share_pct", "--engine", "duckdb"])
    assert refused.exit_code == 1 and "8 problem(s), nothing written" in refused.output
    assert "bad.csv:10: 3 cells, the header has 4" in refused.output
    assert not (tmp_path / "x.csv").exists()
