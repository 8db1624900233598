"""Flow tables (LINKED_TO): the committed air and rail tables, the readers' checks on bad
input, the OD / firm importers, idempotence, and the gravity model."""
from __future__ import annotations

import csv
import shutil

import pytest

from kg.model import schema
from kg.model.graph import rels_of
from kg.paths import DATA
from kg.sources import air, flows, migration, rail

HEADER = ",".join(flows.COLUMNS) + "\n"


@pytest.fixture(scope="module")
def backbone():
    from kg.model.graph import new_graph
    from kg.sources.backbone import add_backbone

    g = new_graph()
    add_backbone(g, adjacency=False)
    return g


@pytest.fixture(scope="module")
def index(backbone):
    from kg.model.resolve import PlaceIndex

    return PlaceIndex(backbone)


def table(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --- the committed tables -----------------------------------------------------------------

def test_airport_table_maps_airports_to_the_city_they_serve(backbone):
    t = air.read_airport_table(DATA / "flows" / air.AIRPORTS_TABLE, backbone)  # checks names
    assert t["XIY"] == "610100"                       # 西安咸阳 lies in 咸阳 (610400)
    assert t["XNN"] == "630100" and t["LXA"] == "540100"
    assert t["PEK"] == t["NAY"] == "110000"
    assert t["PVG"] == t["SHA"] == "310000"
    assert (t["SZX"], t["CAN"], t["CTU"]) == ("440300", "440100", "510100")
    assert t["HKG"] == "810000" and t["MFM"] == "820000"
    assert "610400" not in t.values()                 # no airport serves 咸阳 itself


def test_committed_flow_tables_have_several_hundred_pairs_each(backbone, index):
    sources = flows.known_sources(DATA)
    for name, mode, unit in [(air.OUTPUT, "air", "airline_routes"),
                             (rail.OUTPUT, "rail", "trains_per_day")]:
        rows, errors = flows.check_flows(DATA / "flows" / name, index, sources)
        assert errors == []
        assert len(rows) >= 500, name
        assert {r["mode"] for r in rows} == {mode} and {r["weight_unit"] for r in rows} == {unit}
    air_rows = {(r["origin"], r["destination"]): r["weight"]
                for r in table(DATA / "flows" / air.OUTPUT)}
    assert float(air_rows[("610100", "110000")]) >= 1           # 西安 -> 北京 is there ...
    assert not any("610400" in pair for pair in air_rows)        # ... and 咸阳 has no airport
    rail_rows = {(r["origin"], r["destination"]): float(r["weight"])
                 for r in table(DATA / "flows" / rail.OUTPUT)}
    assert rail_rows[("110000", "310000")] >= 20                # 京沪: dozens of trains a day


def test_build_loads_flows_with_sources(graph):
    by_mode = {}
    for u, v, d in rels_of(graph, schema.LINKED_TO):
        by_mode.setdefault(d["mode"], set()).add((u, v))
        assert d["source_id"] and d["weight"] > 0 and d["weight_unit"]
        assert d["derived"] is (d["mode"] == "gravity")
    assert len(by_mode["air"]) >= 500 and len(by_mode["rail"]) >= 500
    assert graph.graph["flows"]["air"] == len(by_mode["air"])
    # the census table gives the gravity model its populations: >= 330 cities, 10 partners each
    assert len({c for pair in by_mode["gravity"] for c in pair}) >= 330
    assert graph.graph["flows"]["gravity"] == len(by_mode["gravity"]) >= 330 * 10 / 2


# --- bad input ----------------------------------------------------------------------------

BAD = [
    ("610100,西安,999999,,air,1,n,2014,,openflights-2014,", "destination: adcode 999999 is not"),
    ("610100,西安,鼓楼区,,air,1,n,2014,,openflights-2014,", "'鼓楼区' is ambiguous"),
    ("610100,西安,110000,北京,air,-2,n,2014,,openflights-2014,", "weight -2 must be above zero"),
    ("610100,西安,110000,北京,air,many,n,2014,,openflights-2014,", "is not a number"),
    ("610100,西安,110000,上海,air,1,n,2014,,openflights-2014,", "destination_name '上海' is not the name of 110000"),
    ("610100,西安,610100,,air,1,n,2014,,openflights-2014,", "the same place"),
    ("610100,西安,110000,,gravity,1,n,2014,,openflights-2014,", "modelled by the build"),
    ("610100,西安,110000,,air,1,,2014,,openflights-2014,", "missing weight_unit"),
    ("610100,西安,110000,,air,1,n,14,,openflights-2014,", "malformed year"),
    ("610100,西安,110000,,air,1,n,2014,,nobody,", "not in data/sources.csv"),
]


@pytest.mark.parametrize("line, message", BAD)
def test_bad_rows_give_file_line_errors(tmp_path, index, line, message):
    path = tmp_path / "f.csv"
    path.write_text(HEADER + "110000,北京,310000,上海,air,3,n,2014,,openflights-2014,\n" + line + "\n",
                    encoding="utf-8")
    rows, errors = flows.check_flows(path, index, {"openflights-2014"}, name="f.csv")
    assert len(rows) == 1 and len(errors) == 1
    assert errors[0].startswith("f.csv:3: ") and message in errors[0]


def test_duplicate_pairs_encoding_and_header_are_refused(tmp_path, index):
    path = tmp_path / "f.csv"
    row = "110000,北京,310000,上海,air,3,n,2014,,s,\n"
    path.write_text(HEADER + row + row, encoding="utf-8")
    assert flows.check_flows(path, index, {"s"}, name="f.csv")[1] == [
        "f.csv:3: duplicate flow 110000->310000 air 2014 s (first at line 2)"]
    path.write_bytes((HEADER + row).encode("gbk"))
    assert "not UTF-8" in flows.check_flows(path, index, {"s"}, name="f.csv")[1][0]
    path.write_text(HEADER.replace("weight,", "amount,") + row, encoding="utf-8")
    assert "missing column(s) weight" in flows.check_flows(path, index, {"s"}, name="f.csv")[1][0]


def test_a_bad_flow_file_stops_the_build_and_removing_a_file_removes_its_flows(tmp_path):
    from kg.build import build_graph

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    extra = data / "flows" / "migration_sample.csv"
    extra.write_text(HEADER + "110000,北京市,120000,天津市,migration,2.5,share_pct,2020,,"
                     "openflights-2014,sample\n", encoding="utf-8")
    g = build_graph(data, adjacency=False)
    assert [(u, v, d["weight"]) for u, v, d in rels_of(g, schema.LINKED_TO)
            if d["mode"] == "migration"] == [("110000", "120000", 2.5)]
    extra.write_text(HEADER + "110000,北京市,天律市,,migration,2.5,share_pct,2020,,x,\n", encoding="utf-8")
    with pytest.raises(flows.FlowFileError, match="flows/migration_sample.csv:2: destination: unknown"):
        build_graph(data, adjacency=False)
    extra.unlink()
    g = build_graph(data, adjacency=False)
    assert not [d for *_, d in rels_of(g, schema.LINKED_TO) if d["mode"] == "migration"]


# --- derivations and importers --------------------------------------------------------------

def test_air_derivation_counts_distinct_non_codeshare_direct_routes(tmp_path, backbone):
    routes = ["CA,1,PEK,1,XIY,2,,0,738", "MU,2,NAY,3,XIY,2,,0,320", "MU,2,NAY,3,XIY,2,,0,321",
              "HU,3,PEK,1,XIY,2,Y,0,738", "CA,1,PEK,1,XIY,2,,1,738", "CA,1,XIY,2,PEK,1,,0,738"]
    folder = tmp_path / "of"
    folder.mkdir()
    (folder / "routes.dat").write_text("\n".join(routes) + "\n", encoding="utf-8")
    out = tmp_path / "air.csv"
    path, stats = air.derive_air(folder, backbone, DATA, out)
    first = path.read_bytes()
    assert [(r["origin"], r["destination"], r["weight"]) for r in table(path)] == [
        ("110000", "610100", "2"), ("610100", "110000", "1")]   # CA and MU; HU codeshare, stop dropped
    assert stats["codeshare_or_stops"] == 2
    air.derive_air(folder, backbone, DATA, out)
    assert out.read_bytes() == first                               # twice = the same file


def test_rail_stations_resolve_to_cities_or_are_reported(backbone):
    resolve = rail.station_resolver(backbone, DATA / "flows" / rail.STATION_TABLE)
    assert resolve("万州") == "500000" and resolve("吉林") == "220200" and resolve("婺源") == "361100"
    assert resolve("青城山") == "510100"        # from the hand table
    assert resolve("福利屯") is None            # no place of that name: reported, not guessed
    flows_, unknown = rail.city_services({"K1": ["北京", "万州", "福利屯", "重庆"]}, resolve)
    assert flows_ == {("110000", "500000"): 1} and unknown == {"福利屯": 1}


def test_od_matrix_and_long_files(tmp_path, backbone, index):
    path = tmp_path / "od.csv"
    path.write_text(",北京市,天津市,石家庄市\n北京市,,3.5,1.25\n天津市,2,,\n", encoding="utf-8")
    pairs, errors = migration.read_od(path, index)
    assert errors == [] and pairs == {("110000", "120000"): 3.5, ("110000", "130100"): 1.25,
                                      ("120000", "110000"): 2.0}
    bad = "origin,destination,date,value\n北京,天津,d1,4\n北京,天津,d1,5\n北京,火星,d1,1\n天津,北京,d1,-1\n天津,北京,d2,x\n"
    path.write_text(bad, encoding="utf-8")
    pairs, errors = migration.read_od(path, index, name="od.csv")
    assert pairs == {}
    assert [e.split(":")[1] for e in errors] == ["3", "4", "5", "6"]
    assert "duplicate pair" in errors[0] and "unknown place name '火星'" in errors[1]
    assert "negative" in errors[2] and "not a number" in errors[3]
    path.write_bytes("origin,destination,value\n北京,天津,1\n".encode("utf-16"))
    assert "UTF-16" in migration.read_od(path, index, name="od.csv")[1][0]


def test_import_cli_twice_writes_the_same_table(tmp_path):
    from typer.testing import CliRunner

    from kg.cli import app

    od = tmp_path / "qianxi.csv"
    od.write_text("origin,destination,date,value\n北京市,天津市,2020-01-10,10.5\n"
                  "北京市,天津市,2020-01-11,9.5\n上海市,苏州市,2020-01-11,20\n", encoding="utf-8")
    out = tmp_path / "flows" / "migration_qianxi.csv"
    args = ["flows", "import", str(od), "--out", str(out), "--year", "2020", "--source-id",
            "openflights-2014", "--weight-unit", "share_pct"]
    runner = CliRunner()
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    data = out.read_bytes()
    assert runner.invoke(app, args).exit_code == 0 and out.read_bytes() == data
    assert [(r["origin"], r["destination"], r["weight"]) for r in table(out)] == [
        ("110000", "120000", "10.0"), ("310000", "320500", "10.0")]   # means over the 2 dates
    bad = runner.invoke(app, ["flows", "import", str(od), "--out", str(out), "--year", "2020",
                              "--source-id", "nobody", "--weight-unit", "share_pct"])
    assert bad.exit_code == 1 and "not in" in bad.output


def test_firm_file_becomes_firm_flows(tmp_path, backbone):
    path = tmp_path / "firms.csv"
    path.write_text("firm_id,firm_name,industry,hq_adcode,branch_adcode,year\n"
                    "F1,甲,制造业,310000,320100,2019\nF1,甲,制造业,310000,320106,2019\n"
                    "F2,乙,制造业,310000,320100,2019\nF3,丙,金融业,110000,999999,2019\n",
                    encoding="utf-8")
    rows, stats = migration.firm_flow_rows(path, backbone, 2019, "firm-sample",
                                           rejects_path=tmp_path / "rej.csv")
    # F1 (city and a district of 南京) collapses onto one city row per branch place: 3 links
    assert [(r["origin"], r["destination"], r["weight"], r["mode"]) for r in rows] == [
        ("310000", "320100", 3.0, "firm")]
    assert stats.rejected == 1


# --- gravity ------------------------------------------------------------------------------

def test_gravity_against_a_hand_computation(backbone):
    import math

    from kg.sources.gravity import add_gravity

    g = backbone.copy()
    assert add_gravity(g) == 0                          # no population statistics: no edges
    pops = {"110000": 2189.31, "120000": 1386.60, "130100": 1123.51}
    from kg.model.statistics import add_statistic

    for code, value in pops.items():
        add_statistic(g, code, "resident_population", 2020, value, "万人", "census-2020")
    assert add_gravity(g) == 3
    e = next(d for u, v, d in rels_of(g, schema.LINKED_TO) if (u, v) == ("110000", "120000"))
    a, b = g.nodes["110000"], g.nodes["120000"]
    p1, p2 = math.radians(a["lat"]), math.radians(b["lat"])
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b["lon"] - a["lon"]) / 2) ** 2)
    km = 2 * 6371.0088 * math.asin(math.sqrt(h))
    assert e["weight"] == pytest.approx(2189.31 * 1386.60 / km ** 2, rel=1e-12)
    assert e["derived"] is True and e["mode"] == "gravity" and e["year"] == 2020


def test_shapes_tell_modelled_from_observed_flows():
    from kg.model.graph import add_node, add_rel, new_graph
    from kg.validate import validate_graph

    def graph(mode, derived):
        g = new_graph()
        for code in ("110000", "120000"):
            add_node(g, code, ["Place", "Province", "City"], adcode=code, name=code)
        add_rel(g, "110000", "120000", "LINKED_TO", mode=mode, weight=1.0, weight_unit="n",
                year=2020, source_id="s", derived=derived)
        return g

    assert validate_graph(graph("air", False)).conforms
    assert validate_graph(graph("gravity", True)).conforms
    for mode, derived in (("air", True), ("gravity", False)):
        result = validate_graph(graph(mode, derived))
        assert not result.conforms
        assert any("derived is true exactly for modelled flows" in v for v in result.violations)
