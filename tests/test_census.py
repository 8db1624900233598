"""Statistics as facts, and the census population of every unit (data/statistics/census_population.csv)."""
from __future__ import annotations

import csv
import json
import shutil

import pytest

from kg.model import schema
from kg.model.statistics import statistic, statistic_value, statistics_of, statistics_table
from kg.paths import DATA

POP = "resident_population"
# 第七次全国人口普查公报 (2021-05): 常住人口 of the municipalities and large cities, in 万人.
COMMUNIQUE_2020 = {"310000": 2487.09, "110000": 2189.31, "440300": 1756.01, "500000": 3205.42,
                   "120000": 1386.60, "510100": 2093.78, "440100": 1867.66}
# 第六次全国人口普查: 北京 19,612,368 and 上海 23,019,196 persons.
CENSUS_2010 = {"110000": 1961.2368, "310000": 2301.9196}


def places(graph, level):
    return [k for k, d in graph.nodes(data=True) if schema.level(d) == level]


def test_population_matches_the_census_communiques(graph):
    for code, value in COMMUNIQUE_2020.items():
        fact = statistic(graph, code, POP, 2020)
        assert fact["value"] == pytest.approx(value, abs=0.006), graph.nodes[code]["name"]
        assert (fact["unit"], fact["source_id"]) == ("万人", "leiii-census-2020")
    for code, value in CENSUS_2010.items():
        assert statistic_value(graph, code, POP, 2010) == pytest.approx(value, abs=1e-4)
        assert statistic(graph, code, POP, 2010)["source_id"] == "leiii-census-2010"


def test_every_prefecture_level_unit_the_source_covers(graph):
    cities = places(graph, schema.CITY)
    with_2020 = [c for c in cities if statistic(graph, c, POP, 2020)]
    assert len(with_2020) >= 330
    # the ones left out are the ones the source cannot give: 雄安 (set up 2017, not a
    # prefecture in the census), the six Taiwan cities; nothing in the mainland else
    missing = {graph.nodes[c]["name"] for c in set(cities) - set(with_2020)}
    assert "雄安新区" in missing and "上海市" not in missing
    assert all(c.startswith(("71", "133100")) for c in set(cities) - set(with_2020))


def test_county_table_adds_up_to_the_municipality(graph):
    """An independent check of the county table against the city table: 上海's 16 districts
    (county table, 7th census yearbook) sum to 上海's total (city table, communiqué)."""
    districts = [c for c in places(graph, schema.COUNTY) if c.startswith("3101")]
    assert len(districts) == 16
    total = sum(statistic_value(graph, c, POP, 2020) for c in districts)
    assert total == pytest.approx(COMMUNIQUE_2020["310000"], abs=0.05)
    assert statistic_value(graph, "310115", POP, 2020) > 500        # 浦东新区 > 5 million


def test_counties_covered_per_year(graph):
    counties = places(graph, schema.COUNTY)
    mainland = [c for c in counties if schema.is_mainland(c)]
    covered = {y: sum(1 for c in mainland if statistic(graph, c, POP, y)) for y in (2010, 2020)}
    assert covered[2020] >= 0.98 * len(mainland)            # the 7th census yearbook covers ~all
    assert covered[2010] >= 0.85 * len(mainland)            # 2010 codes: changed units are unmatched


def test_statistics_are_nodes_not_place_properties(graph):
    assert not [k for k, d in graph.nodes(data=True)
                if schema.is_place(d) and any(p.startswith(("gdp_", f"{POP}_")) for p in d)]
    stats = list(statistics_table(graph))
    assert len(stats) == sum(1 for _ in graph.nodes if str(_).startswith("stat:"))
    longgang = [s for s in statistics_of(graph, "440307") if s["indicator"] == "gdp"]
    assert longgang[0]["value"] == pytest.approx(5901.27) and "5901.27" in longgang[0]["quote"]


def test_build_report_lists_coverage_and_unmatched(build_dir):
    report = json.loads((build_dir / "build_report.json").read_text(encoding="utf-8"))
    cov = report["coverage"]["census_population"]
    city = cov["levels"]["City 2020"]
    assert city["covered"] >= 330 and city["covered"] + city["missing"] == city["units"]
    # the 198 Taiwan/HK/Macao districts are counted, but not as mainland units a census can cover
    county = cov["levels"]["County 2010"]
    assert county["units"] - county["mainland_units"] == 198
    assert county["missing"] - county["mainland_missing"] == 198
    assert county["mainland_units"] - county["mainland_missing"] == county["covered"]
    reasons = {u["reason"].split(" (")[0] for u in cov["unmatched"]}
    # 2010 codes that no longer exist go through the crosswalk: 金坛市 became 金坛区 (320413);
    # a unit split since is listed with the split, never apportioned
    assert not any(u["code"] == "320482" and u["year"] == 2010 for u in cov["unmatched"])
    assert any(u["code"] == "130103" and u["year"] == 2010 and "split into 130102, 130104" in u["reason"]
               for u in cov["unmatched"])
    assert any("functional zone" in r for r in reasons)
    assert {c["adcode"] for c in report["backbone_corrections"]} >= {"500105", "500112", "500157", "320576"}


def test_statistics_in_rdf_and_graphml(build_dir):
    import networkx as nx
    from rdflib import Graph, Literal, URIRef

    from kg.store.rdf import CKG

    ttl = Graph().parse(build_dir / "graph.ttl", format="turtle")
    stat = URIRef("https://citykg.example.org/resource/statistic/stat%3A310000%3Aresident_population%3A2020")
    assert ttl.value(stat, CKG.unit) == Literal("万人")
    assert ttl.value(stat, CKG.value).toPython() == pytest.approx(2487.09, abs=0.006)
    assert (URIRef("https://citykg.example.org/resource/place/310000"), CKG.HAS_STATISTIC, stat) in ttl
    gml = nx.read_graphml(build_dir / "graph.graphml")
    node = gml.nodes["stat:440300:resident_population:2020"]
    assert node["labels"] == "Statistic" and node["source_id"] == "leiii-census-2020"


def copy_data(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    return data


def test_removing_the_census_file_removes_its_rows(tmp_path):
    from kg.build import build_graph

    data = copy_data(tmp_path)
    (data / "statistics" / "census_population.csv").unlink()
    g = build_graph(data, adjacency=False)
    assert statistic(g, "310000", POP, 2020) is None
    assert statistic(g, "440307", "gdp", 2024)["value"] == pytest.approx(5901.27)   # statistics.csv stays
    assert g.graph["report"]["coverage"]["census_population"] == {}


def test_bad_rows_in_a_statistics_table_name_file_and_line(tmp_path):
    from kg.build import build_graph
    from kg.sources.curated import CuratedDataError

    data = copy_data(tmp_path)
    with open(data / "statistics" / "extra.csv", "w", encoding="utf-8") as fh:
        fh.write("adcode,year,indicator,value,unit,source_id,quote,note\n"
                 "310000,2020,resident_population,2487.09,万人,leiii-census-2020,,\n"   # also in the census table
                 "999999,2020,resident_population,1,万人,leiii-census-2020,,\n"
                 "310000,2021,resident_population,-4,万人,nowhere,,\n")
    with pytest.raises(CuratedDataError) as exc:
        build_graph(data, adjacency=False)
    errors = exc.value.errors
    assert any(e.startswith("statistics/extra.csv:2: duplicate statistic ('310000', 2020, 'resident_population')")
               and "statistics/census_population.csv:" in e for e in errors)
    assert any(e.startswith("statistics/extra.csv:3: adcode 999999") for e in errors)
    assert "statistics/extra.csv:4: source_id 'nowhere' is not in sources.csv" in errors
    assert any(e.startswith("statistics/extra.csv:4: value -4 is negative") for e in errors)


def test_census_table_has_the_statistics_columns_and_no_guesses():
    with open(DATA / "statistics" / "census_population.csv", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert reader.fieldnames == ["adcode", "year", "indicator", "value", "unit", "source_id", "quote", "note"]
    assert {r["indicator"] for r in rows} == {POP} and {r["unit"] for r in rows} == {"万人"}
    # every value is the quoted person count / 10,000 (the sum of the quoted units where
    # old units were merged into today's one)
    for r in rows:
        persons = sum(int(part.rsplit(" ", 1)[1].removesuffix("人")) for part in r["quote"].split("; "))
        assert float(r["value"]) == pytest.approx(persons / 1e4, abs=1e-4), r


@pytest.mark.neo4j
def test_indicator_ranking_returns_every_prefecture_with_a_source(loaded):
    from typer.testing import CliRunner

    from kg.cli import app

    result = CliRunner().invoke(app, ["query", "indicator_ranking", "-p", f"indicator={POP}",
                                      "-p", "year=2020", "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    cities = [r for r in rows if r["level"] == "City"]
    assert len(cities) >= 330 and all(r["source_id"] == "leiii-census-2020" for r in cities)
    assert [r["value"] for r in rows] == sorted((r["value"] for r in rows), reverse=True)
    assert cities[0]["place"] == "重庆市" and cities[0]["unit"] == "万人"
    shanghai = next(r for r in rows if r["adcode"] == "310000")
    assert shanghai["value"] == pytest.approx(2487.09, abs=0.006)


# --- old 2010 codes resolved through the crosswalk (kg.sources.crosswalk) ----------------

def test_old_2010_codes_resolve_to_todays_units(graph):
    # 撤县设区: 密云县 110228 (6th census 467,680) is today's 密云区 110118
    fact = statistic(graph, "110118", POP, 2010)
    assert fact["value"] == pytest.approx(46.768) and "110228 密云县 → 110118 (撤县设区 2015)" in fact["note"]
    # a merger: 崇文区 went into 东城区 in 2010, so today's 东城区 is the sum of both
    fact = statistic(graph, "110101", POP, 2010)
    assert fact["value"] == pytest.approx((573180 + 346073) / 1e4) and "sum of" in fact["note"]
    # 撤市设区: 吴江市 320584 -> 吴江区 320509 (2012)
    assert "320584" in statistic(graph, "320509", POP, 2010)["note"]
    # a unit that kept its code but took in part of a split unit says so
    assert "took in part of 130103 桥东区" in statistic(graph, "130102", POP, 2010)["note"]


def test_county_coverage_2010_before_and_after_the_crosswalk(graph):
    counties = places(graph, schema.COUNTY)
    covered = sum(1 for c in counties if statistic(graph, c, POP, 2010))
    resolved = sum(1 for c in counties if (f := statistic(graph, c, POP, 2010)) and
                   f["note"].startswith("crosswalk:"))
    # 2,484 of 3,044 counties were covered by code alone; the crosswalk adds the renamed,
    # upgraded and merged units (2,762 when written); splits stay out
    assert covered >= 2750 and resolved >= 270 and covered - resolved <= 2484


def test_resolved_counties_add_up_to_the_authors_prefecture_table(graph):
    """Independent check on real data: leiii/census's prefecture table gives 2010 population
    in 2020 boundaries, made by its authors from their own matching of 770 changes. Where
    every county of a prefecture has a 2010 figure, their sum must equal it; before the
    crosswalk only 160 prefectures had all their counties, now most do."""
    kids = {}
    for u, v, d in graph.edges(data=True):
        if d["type"] == schema.BELONGS_TO and schema.level(graph.nodes[u]) == schema.COUNTY:
            kids.setdefault(v, []).append(u)
    complete = agree = 0
    for city, counties in kids.items():
        total = statistic(graph, city, POP, 2010)
        values = [statistic(graph, k, POP, 2010) for k in counties]
        if schema.level(graph.nodes[city]) != schema.CITY or total is None or not all(values):
            continue
        complete += 1
        agree += abs(sum(v["value"] for v in values) - total["value"]) <= 0.005 * total["value"]
    assert complete >= 270 and agree >= 0.95 * complete
    suzhou = [statistic(graph, k, POP, 2010)["value"] for k in kids["320500"]]
    assert sum(suzhou) == pytest.approx(statistic(graph, "320500", POP, 2010)["value"], rel=0.005)
