"""The statistics importer: good files load typed rows; every bad cell is reported as file:line: reason."""
from __future__ import annotations

import re

import pytest

from kg.model.graph import add_node, add_rel, new_graph
from kg.model.resolve import PlaceIndex
from kg.sources.statistics import StatisticsError, check_statistics, read_statistics

HEADER = "adcode,year,indicator,value,unit,source_id,quote\n"
SOURCES = {"yearbook-2025", "policy:sz-plan"}


@pytest.fixture(scope="module")
def index():
    g = new_graph()
    add_node(g, "440000", ["Place", "Province"], adcode="440000", name="广东省")
    add_node(g, "440300", ["Place", "City"], adcode="440300", name="深圳市")
    add_node(g, "440307", ["Place", "County"], adcode="440307", name="龙岗区")
    add_node(g, "320100", ["Place", "City"], adcode="320100", name="南京市")
    add_rel(g, "440307", "440300", "BELONGS_TO")
    add_rel(g, "440300", "440000", "BELONGS_TO")
    return PlaceIndex(g)


def write(tmp_path, body: str, encoding="utf-8", name="stats.csv"):
    path = tmp_path / name
    path.write_bytes((HEADER + body).encode(encoding))
    return path


def errors_of(tmp_path, index, body, **kw):
    rows, errors = check_statistics(write(tmp_path, body, **kw), index, SOURCES, name="stats.csv")
    for e in errors:
        assert re.match(r"^stats\.csv:\d+: \S", e), e
    return rows, errors


def test_good_file_gives_typed_rows(tmp_path, index):
    rows = read_statistics(write(tmp_path, "440307,2024,gdp,5901.27,亿元,yearbook-2025,龙岗区GDP\n"
                                           "440307,2023,gdp_growth,-0.4,%,yearbook-2025,\n"
                                           "320100,2024,resident_population,\"9,548.0\",万人,sz-plan,\n"),
                           index, SOURCES, name="stats.csv")
    assert [(r["adcode"], r["year"], r["indicator"], r["value"]) for r in rows] == [
        ("440307", 2024, "gdp", 5901.27), ("440307", 2023, "gdp_growth", -0.4),
        ("320100", 2024, "resident_population", 9548.0)]
    assert rows[0]["where"] == "stats.csv:2" and rows[0]["quote"] == "龙岗区GDP"
    assert rows[2]["source_id"] == "policy:sz-plan"   # x and policy:x are one source


def test_bom_is_accepted_and_changes_nothing(tmp_path, index):
    body = "440307,2024,gdp,5901.27,亿元,yearbook-2025,\n"
    plain = read_statistics(write(tmp_path, body), index, SOURCES, name="stats.csv")
    bom = read_statistics(write(tmp_path, body, encoding="utf-8-sig", name="bom.csv"), index, SOURCES,
                          name="stats.csv")
    assert bom == plain and bom[0]["adcode"] == "440307"


def test_gbk_file_names_the_first_bad_line(tmp_path, index):
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + "440307,2024,gdp,5901.27,yuan,yearbook-2025,\n"
                      "440307,2023,gdp,5500,亿元,yearbook-2025,\n").encode("gbk"))
    rows, errors = check_statistics(path, index, SOURCES, name="gbk.csv")
    assert rows == []
    assert len(errors) == 1 and errors[0].startswith("gbk.csv:3: the file is not UTF-8")
    assert "GBK" in errors[0]


def test_utf16_file_is_refused_at_line_1(tmp_path, index):
    path = tmp_path / "u16.csv"
    path.write_bytes((HEADER + "440307,2024,gdp,1,亿元,yearbook-2025,\n").encode("utf-16"))
    _, errors = check_statistics(path, index, SOURCES, name="u16.csv")
    assert errors == ["u16.csv:1: the file is UTF-16 (Excel 'Unicode text'); save it as 'CSV UTF-8' and try again"]


@pytest.mark.parametrize("adcode, reason", [
    ("999999", "adcode 999999: adcode 999999 is not an administrative unit"),
    ("4403", "adcode '4403' is not a 6-digit GB/T 2260 code"),
    ("南京市", "adcode '南京市' is not a 6-digit GB/T 2260 code (did you mean 320100?)"),
    ("", "missing adcode"),
])
def test_bad_adcode(tmp_path, index, adcode, reason):
    rows, errors = errors_of(tmp_path, index, f"{adcode},2024,gdp,1,亿元,yearbook-2025,\n")
    assert rows == [] and errors == [f"stats.csv:2: {reason}"]


def test_twelve_digit_statistical_code_is_cut_to_six(tmp_path, index):
    rows, errors = errors_of(tmp_path, index, "440307000000,2024,gdp,1,亿元,yearbook-2025,\n")
    assert errors == [] and rows[0]["adcode"] == "440307"


def test_negative_value_only_where_allowed(tmp_path, index):
    rows, errors = errors_of(tmp_path, index, "440307,2024,gdp,-5,亿元,yearbook-2025,\n"
                                              "440307,2024,gdp_growth,-5,%,yearbook-2025,\n"
                                              "440307,2024,net_migration,-1.2,万人,yearbook-2025,\n")
    assert [r["indicator"] for r in rows] == ["gdp_growth", "net_migration"]
    assert errors == ["stats.csv:2: value -5 is negative, but gdp cannot be "
                      "(only *_growth, *_change, net_*, *_balance can)"]


@pytest.mark.parametrize("value, reason", [
    ("NaN", "value 'NaN' is not a number"),
    ("nan", "value 'nan' is not a number"),
    ("inf", "value 'inf' is not a number"),
    ("1e999", "value '1e999' is not finite"),
    ("n/a", "value 'n/a' is not a number"),
    ("", "missing value"),
    ("12亿", "value '12亿' is not a number"),
])
def test_value_must_be_a_finite_number(tmp_path, index, value, reason):
    rows, errors = errors_of(tmp_path, index, f"440307,2024,gdp,{value},亿元,yearbook-2025,\n")
    assert rows == [] and errors == [f"stats.csv:2: {reason}"]


@pytest.mark.parametrize("year", ["24", "2024.0", "1900", "2101", "二〇二四", ""])
def test_bad_year(tmp_path, index, year):
    rows, errors = errors_of(tmp_path, index, f"440307,{year},gdp,1,亿元,yearbook-2025,\n")
    assert rows == [] and errors == [f"stats.csv:2: malformed year {year!r} (an integer in 1949..2100)"]


def test_share_in_percent_lies_in_0_100(tmp_path, index):
    _, errors = errors_of(tmp_path, index, "440307,2024,tertiary_industry_share,135.77,%,yearbook-2025,\n")
    assert errors == ["stats.csv:2: value 135.77 of tertiary_industry_share is a share in % and must lie in 0..100"]


def test_unit_source_and_indicator_are_checked(tmp_path, index):
    _, errors = errors_of(tmp_path, index, "440307,2024,gdp,1,,yearbook-2025,\n"
                                           "440307,2024,gdp,1,亿元,nowhere,\n"
                                           "440307,2024,GDP-total,1,亿元,yearbook-2025,\n")
    assert errors == ["stats.csv:2: missing unit (e.g. 亿元, %, 万人)",
                      "stats.csv:3: source_id 'nowhere' is not in sources.csv",
                      "stats.csv:4: indicator 'GDP-total' must be snake_case ascii (e.g. gdp, gdp_growth)"]


def test_header_problems_are_reported_at_line_1(tmp_path, index):
    path = tmp_path / "h.csv"
    path.write_text("adcode,year,indictor,value,unit,source_id,quote\n440307,2024,gdp,1,亿元,x,\n",
                    encoding="utf-8")
    _, errors = check_statistics(path, index, SOURCES, name="h.csv")
    assert errors == ["h.csv:1: missing column(s) indicator; unknown column(s) indictor "
                      "(expected adcode,year,indicator,value,unit,source_id,quote)"]


def test_duplicates_and_every_error_collected(tmp_path, index):
    body = ("440307,2024,gdp,1,亿元,yearbook-2025,\n"
            "440307,2024,gdp,2,亿元,yearbook-2025,\n"
            "440307,1800,gdp,NaN,亿元,yearbook-2025,\n"
            "440307,2024,gdp,1,亿元,yearbook-2025,extra,cell\n")
    with pytest.raises(StatisticsError) as info:
        read_statistics(write(tmp_path, body), index, SOURCES, name="stats.csv")
    assert info.value.errors == [
        "stats.csv:3: duplicate statistic ('440307', 2024, 'gdp') (first at line 2)",
        "stats.csv:4: malformed year '1800' (an integer in 1949..2100)",
        "stats.csv:4: value 'NaN' is not a number",
        "stats.csv:5: more cells than header columns",
    ]
