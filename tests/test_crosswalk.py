"""Historical admin-code crosswalk (kg/sources/crosswalk.py, data/crosswalk/) on real changes
from the 民政部 lists as compiled by yescallop/areacodes."""
from __future__ import annotations

import pytest

from kg.sources.crosswalk import CrosswalkError, read_crosswalk, resolve_rows


@pytest.fixture(scope="module")
def cw():
    return read_crosswalk()


def test_county_to_district_cases(cw):
    r = cw.resolve("110224", 2000)                      # 大兴县 → 大兴区 (2001, 撤县设区)
    assert (r.status, r.current, r.steps[0][2], r.steps[0][3]) == ("changed", ("110115",), "撤县设区", 2001)
    assert cw.resolve("320482", 2010).current == ("320413",)   # 金坛市 → 金坛区 (2015, 撤市设区)
    late = cw.resolve("110224", 2005)                   # the code no longer existed then
    assert late.ambiguous and late.current == () and "not in use in 2005" in late.note
    assert cw.resolve("320100", 2005).status == "unchanged"


def test_prefecture_becomes_a_city_and_its_counties_move(cw):
    r = cw.resolve("522400", 2010)                      # 毕节地区 → 毕节市 (2011, 撤地设市)
    assert r.current == ("520500",) and r.steps[0][2] == "撤地设市"
    assert cw.resolve("522401", 2010).current == ("520502",)   # 县级毕节市 → 七星关区


def test_splits_and_area_losses_are_reported_not_guessed(cw):
    r = cw.resolve("320483", 2000)                      # 武进市 split into 武进区 and 新北区 (2002)
    assert r.ambiguous and set(r.current) == {"320411", "320412"}
    kept = cw.resolve("320412", 2010)                   # 武进区 kept its code, lost area in 2015
    assert kept.ambiguous and kept.current == ("320412",) and "lost part of its area" in kept.note
    # 栾城县: part went to 石家庄 in 2001, the rest became 栾城区 in 2014
    assert cw.resolve("130124", 2000).ambiguous
    assert cw.resolve("130124", 2010).current == ("130111",) and not cw.resolve("130124", 2010).ambiguous


def test_resolved_codes_are_units_of_the_graph(cw, graph):
    from kg.model import schema

    places = {k for k, d in graph.nodes(data=True) if schema.is_place(d)}
    retired = [c for c, recs in cw.by_code.items() if any(r["status"] == "弃用" and r["end"] >= 2005 for r in recs)]
    resolved = [x for c in retired for x in cw.resolve(c, 2004).current]
    assert len(resolved) > 300
    missing = [c for c in resolved if c not in places]
    assert len(missing) / len(resolved) < 0.02, missing[:20]


def test_rows_keep_everything_and_bad_input_is_named(cw, tmp_path):
    rows = resolve_rows([{"adcode": "110224", "year": 2000, "pop": 67}, {"adcode": "320483", "year": 2000}],
                        "adcode", "year", cw)
    assert [r["current_codes"] for r in rows] == ["110115", "320411;320412"]
    assert rows[0]["pop"] == 67 and rows[1]["crosswalk_status"] == "ambiguous"
    with pytest.raises(CrosswalkError, match="6-digit"):
        cw.resolve("1102", 2000)
    bad = tmp_path / "x.csv"
    bad.write_text("code,name,level,province,parent,status,valid_from,valid_to,new_codes,change_type\n"
                   "110224,大兴县,县级,北京市,直辖,弃用,1981,2001,11011X,撤县设区\n", encoding="utf-8")
    with pytest.raises(CrosswalkError, match=r"x.csv:2: new code '11011X'"):
        read_crosswalk(bad)
