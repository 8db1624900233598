"""`citykg query`: parameters, read-only enforcement by the server, output formats, cookbook names."""
from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from kg import paths
from kg.cli import app
from kg.store.neo4j_query import QueryError, parse_param, parse_params, resolve_query, run_read

runner = CliRunner()

NEIGHBOURS = ("MATCH (:Place {adcode: $code})-[:ADJACENT_TO]-(n:City) "
              "RETURN n.adcode AS adcode, n.name AS name ORDER BY adcode")


@pytest.fixture
def local_env(monkeypatch):
    for var in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD"):
        monkeypatch.delenv(var, raising=False)


def test_params_are_typed():
    assert parse_params(["k=10", "w=-2.5e3", "s=长三角", "flag=true", "xs=[1, 2]", 'c="0571"', "e="]) == {
        "k": 10, "w": -2500.0, "s": "长三角", "flag": True, "xs": [1, 2], "c": "0571", "e": ""}
    assert parse_param("q=a=b") == ("q", "a=b")


@pytest.mark.parametrize("bad, why", [("novalue", "expected NAME=VALUE"), ("1x=2", "expected NAME=VALUE"),
                                      ("xs=[1,", "not valid JSON")])
def test_bad_params_are_named(bad, why):
    with pytest.raises(QueryError, match=why):
        parse_param(bad)


def test_cookbook_names_resolve_to_files(tmp_path):
    (tmp_path / "neighbours.cypher").write_text("// cities next to a place\n" + NEIGHBOURS, encoding="utf-8")
    assert resolve_query("neighbours", tmp_path).endswith(NEIGHBOURS)
    assert resolve_query("MATCH (n) RETURN n", tmp_path) == "MATCH (n) RETURN n"
    with pytest.raises(QueryError, match="no cookbook query named 'nieghbours'.*available: neighbours"):
        resolve_query("nieghbours", tmp_path)


@pytest.mark.neo4j
def test_run_read_returns_rows(loaded):
    keys, rows = run_read(loaded, NEIGHBOURS, {"code": "320100"})
    assert keys == ["adcode", "name"]
    codes = [r["adcode"] for r in rows]
    assert {"341100", "340500"} <= set(codes) and codes == sorted(codes)
    assert {"adcode": "341100", "name": "滁州市"} in rows


@pytest.mark.neo4j
@pytest.mark.parametrize("write", [
    "CREATE (n:Policy {id: 'should-not-exist'})",
    "MATCH (p:Place {adcode: '320100'}) SET p.name = 'hacked'",
    "MERGE (n:Policy {id: 'should-not-exist'}) RETURN n",
])
def test_writes_are_refused_by_the_server(loaded, local_env, write):
    result = runner.invoke(app, ["query", write])
    assert result.exit_code == 1
    assert "the server refused to write" in result.output
    assert "Traceback" not in result.output
    assert loaded.execute_query("MATCH (n:Policy {id: 'should-not-exist'}) RETURN count(n)").records[0][0] == 0
    assert loaded.execute_query("MATCH (p:Place {adcode: '320100'}) RETURN p.name").records[0][0] == "南京市"


@pytest.mark.neo4j
def test_syntax_errors_are_one_clear_line(loaded, local_env):
    result = runner.invoke(app, ["query", "MATCH (n RETURN n"])
    assert result.exit_code == 1
    assert result.output.startswith("error: Neo4j refused the query: Invalid input")


@pytest.mark.neo4j
def test_csv_and_json_formats_carry_the_same_rows(loaded, local_env):
    _, rows = run_read(loaded, NEIGHBOURS, {"code": "320100"})
    as_csv = runner.invoke(app, ["query", NEIGHBOURS, "--param", 'code="320100"', "--format", "csv"])
    assert as_csv.exit_code == 0, as_csv.output
    assert list(csv.DictReader(io.StringIO(as_csv.output))) == rows
    as_json = runner.invoke(app, ["query", NEIGHBOURS, "-p", 'code="320100"', "-f", "json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output) == rows
    table = runner.invoke(app, ["query", NEIGHBOURS, "-p", 'code="320100"'])
    assert table.exit_code == 0 and "滁州市" in table.output and f"{len(rows)} rows" in table.output


@pytest.mark.neo4j
def test_nodes_come_back_with_labels_and_properties(loaded):
    _, rows = run_read(loaded, "MATCH (p:Place {adcode: $c}) RETURN p", {"c": "429004"})
    assert rows[0]["p"]["_labels"] == ["County", "Place"]
    assert rows[0]["p"]["name"] == "仙桃市"


@pytest.mark.neo4j
def test_a_cookbook_query_runs_by_name(loaded, local_env, tmp_path, monkeypatch):
    (tmp_path / "neighbours.cypher").write_text("// cities next to a place\n" + NEIGHBOURS + ";\n",
                                                encoding="utf-8")
    monkeypatch.setattr(paths, "QUERIES", tmp_path)
    listed = runner.invoke(app, ["query", "--list"])
    assert "neighbours" in listed.output and "cities next to a place" in listed.output
    result = runner.invoke(app, ["query", "neighbours", "-p", 'code="320100"', "-f", "json"])
    assert result.exit_code == 0, result.output
    assert {"adcode": "340500", "name": "马鞍山市"} in json.loads(result.output)


@pytest.mark.neo4j
def test_missing_parameters_are_named(loaded):
    with pytest.raises(QueryError, match=r"Expected parameter\(s\): code; give each with --param"):
        run_read(loaded, NEIGHBOURS)


@pytest.mark.neo4j
def test_server_notes_come_back_as_one_line_each(loaded):
    notes = []
    _, rows = run_read(loaded, "MATCH (n:NoSuchLabel) RETURN n", notes=notes)
    assert rows == [] and any("NoSuchLabel" in n for n in notes)


def test_every_cookbook_query_declares_typed_parameters():
    """Each `$name` a cookbook query uses is declared in its header with a type and example."""
    import re

    from kg.store.neo4j_query import cookbook, declared_params

    for name, path in cookbook().items():
        text = path.read_text(encoding="utf-8")
        used = set(re.findall(r"\$(\w+)", text))
        assert used == set(declared_params(text)), name


@pytest.mark.parametrize("args, why", [
    (["-p", "min_provinces=two"], "must be an integer (e.g. 2), not 'two'"),
    (["-p", "min_provinces=2", "-p", "colour=red"], "unknown parameter(s) colour"),
    ([], "missing parameter(s) min_provinces"),
])
def test_cookbook_parameters_are_checked_before_the_server_is_asked(args, why):
    # no server needed: the check happens before connecting
    result = runner.invoke(app, ["query", "metro_circles_crossing_provinces", *args])
    assert result.exit_code != 0
    assert why in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args, why", [
    (["-p", "cluster=长三角", "-p", "as_of=twenty"], "--param as_of must be an integer (e.g. 2020), not 'twenty'"),
    (["-p", "as_of=2017"], "missing parameter(s) cluster; this query takes: cluster (string, e.g. "
                           "长江三角洲城市群), as_of (integer, optional, e.g. 2020), plan (string, optional"),
    (["-p", "cluster=长三角", "-p", "year=2017"], "unknown parameter(s) year"),
])
def test_optional_parameters_are_checked_too(args, why):
    result = runner.invoke(app, ["query", "cluster_members", *args])
    assert result.exit_code != 0 and why in result.output, result.output


def test_optional_parameters_are_filled_with_null_and_listed_as_optional():
    from kg.store.neo4j_query import check_params, cookbook, declared_params

    spec = declared_params(cookbook()["cluster_members"].read_text(encoding="utf-8"))
    assert [k for k, p in spec.items() if p.optional] == ["as_of", "plan"]
    assert check_params(spec, {"cluster": "长三角"}) == {"cluster": "长三角", "as_of": None, "plan": None}
    assert check_params(spec, {"cluster": "长三角", "as_of": 2017, "plan": None}) == \
        {"cluster": "长三角", "as_of": 2017, "plan": None}
    listing = runner.invoke(app, ["query", "--list"]).output
    assert "--param as_of=…  (integer, optional, e.g. 2020)" in listing


@pytest.mark.neo4j
def test_an_adcode_given_to_a_string_parameter_stays_text(loaded, local_env):
    result = runner.invoke(app, ["query", "policies_targeting_place", "-p", "place=310107",
                                 "--format", "json"], env=local_env)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows, "the 普陀区 (上海) node is targeted by at least one plan"
