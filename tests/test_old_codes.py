"""Data keyed by an old admin code, in the statistics reader and the firm reader: resolved
through the one crosswalk (kg.sources.crosswalk) to today's unit, or refused where the old
unit was split. Real codes: 金坛市 320482 became 金坛区 320413 (撤市设区 2015), 密云县 110228
became 密云区 110118 (撤县设区 2015), 崇文区 110103 went into 东城区 110101 (2010), 桥东区
(石家庄) 130103 was split into 长安区 130102 and 新华区 130104 (2014)."""
from __future__ import annotations

import pytest

from kg.sources.firms import FirmReader

HEADER = "adcode,year,indicator,value,unit,source_id,quote\n"


@pytest.fixture(scope="module")
def index(graph):
    from kg.model.resolve import PlaceIndex

    return PlaceIndex(graph)


def check(tmp_path, index, body):
    from kg.sources.statistics import check_statistics

    path = tmp_path / "stats.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return check_statistics(path, index, {"yearbook"}, name="stats.csv")


def test_statistics_reader_resolves_old_codes(tmp_path, index):
    rows, errors = check(tmp_path, index, "320482,2010,gdp,500.1,亿元,yearbook,\n"
                                          "110228,2012,gdp,200,亿元,yearbook,\n"
                                          "320413,2020,gdp,700,亿元,yearbook,\n")
    assert errors == []
    assert [(r["adcode"], r["year"]) for r in rows] == [("320413", 2010), ("110118", 2012), ("320413", 2020)]
    assert rows[0]["note"] == "crosswalk: 320482 金坛市 → 320413 (撤市设区 2015)"
    assert rows[1]["note"] == "crosswalk: 110228 密云县 → 110118 (撤县设区 2015)" and rows[2]["note"] == ""


def test_statistics_reader_refuses_a_split_and_merges_a_merged_unit(tmp_path, index):
    rows, errors = check(tmp_path, index, "130103,2010,gdp,100,亿元,yearbook,\n"
                                          "110103,2009,gdp,100,亿元,yearbook,\n"
                                          "110103,2009,gdp_growth,1,%,yearbook,\n")
    assert errors[0].startswith("stats.csv:2: adcode 130103 is an old code: 130103 桥东区 (2010) split "
                                "into 130102, 130104 after 2010")
    # 崇文区's figure goes to 东城区: two rows of one indicator would be two figures for one unit
    assert [(r["adcode"], r["indicator"]) for r in rows] == [("110101", "gdp"), ("110101", "gdp_growth")]
    assert len(errors) == 1


def test_firm_reader_resolves_old_codes_and_rejects_splits(tmp_path):
    path = tmp_path / "firms.csv"
    path.write_text("firm_id,firm_name,industry,hq_adcode,branch_adcode,year\n"
                    "F1,甲公司,制造业,310000,320482,2010\n"      # 金坛市 -> 金坛区, 常州市
                    "F1,甲公司,制造业,310000,130103,2010\n"      # split: rejected
                    "F2,乙公司,制造业,320482,320100,2016\n"      # 金坛市 no longer existed in 2016
                    "F3,丙公司,制造业,110103,110105,2005\n",     # 崇文区 -> 东城区
                    encoding="utf-8")
    reader = FirmReader(path)
    rows = list(reader.rows())
    assert [(r.line, r.hq_adcode, r.branch_adcode, r.branch_city) for r in rows] == [
        (2, "310000", "320413", "320400"), (5, "110101", "110105", "110000")]
    assert reader.stats.crosswalked == 2
    reasons = {x.line: x.reason for x in reader.rejects}
    assert reasons[3].startswith("branch_adcode 130103 is an old code: 130103 桥东区 (2010) split into 130102, 130104")
    assert reasons[4] == "hq_adcode 320482 is an old code: 320482 金坛市 (2016): 320482 was not in use in 2016 (retired in 2015)"
