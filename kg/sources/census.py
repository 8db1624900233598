"""Census resident population (常住人口) of every prefecture- and county-level unit, 2010 and 2020.

The figures come from the public repository ``leiii/census`` (Lei Dong et al., MIT licence;
brought in with the search tool's ``fetch``). Only the derived table is committed:
``data/statistics/census_population.csv`` (the columns of ``statistics.csv``, indicator
``resident_population``, unit 万人), read by the one statistics reader
(``kg.sources.statistics``) like any other statistics file. ``derive`` makes it:

- prefecture level, 2010 and 2020: ``census_city_2010-2020_v1.csv`` (``popu_2010``,
  ``popu_2020``; the authors made 2010 comparable with 2020 boundaries); a municipality's
  ``xx0100`` row stands for the municipality (the backbone has one node ``xx0000``);
- county level, 2020: ``census_county_2020_v1.xlsx`` (7th census yearbook, 人口数_合计);
- county level, 2010: ``census_county_2010_v1.xlsx`` (6th census yearbook, 合计, 2010 codes).

A source row is matched to a unit of today's backbone by its code only, and kept only when
the names agree (equal, or equal once the unit suffix 市/县/区/旗… is cut). Everything else
is listed, never guessed: codes the backbone does not have (old 2010 codes of units that
were renamed, merged or upgraded since), codes whose unit now has another name, and units
of the backbone that the source lacks (``coverage``). The lists go to
``census_population.coverage.json`` beside the table and into ``build_report.json``.

>>> match_unit({"320583": ("昆山市", "County")}, "320583", "昆山市", "County")
('320583', None)
>>> match_unit({"320904": ("大丰区", "County")}, "320982", "大丰市", "County")
(None, 'code 320982 is not in the backbone (an old or changed code)')
"""
from __future__ import annotations

import csv
import io
import json
import re
import sys
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

from kg.model import schema

INDICATOR, UNIT = "resident_population", "万人"
SOURCE = {2010: "leiii-census-2010", 2020: "leiii-census-2020"}
TABLE = Path("statistics") / "census_population.csv"
COVERAGE = Path("statistics") / "census_population.coverage.json"
CITY_FILE = "census_city_2010-2020_v1.csv"
COUNTY_FILES = {2020: ("census_county_2020_v1.xlsx", "A", "D", "E"),   # code, name, total columns
                2010: ("census_county_2010_v1.xlsx", "B", "A", "C")}
MUNICIPALITY_ROWS = {"110100": "110000", "120100": "120000", "310100": "310000", "500100": "500000"}
SUFFIXES = ("特别行政区", "自治县", "自治旗", "自治州", "林区", "特区", "地区", "新区",
            "市", "县", "区", "旗", "盟")
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def stem(name: str) -> str:
    """A unit name without its level suffix: 大丰市 -> 大丰, 鄂伦春自治旗 -> 鄂伦春.

    >>> stem("大丰市"), stem("鄂伦春自治旗"), stem("市中区")
    ('大丰', '鄂伦春', '市中')
    """
    name = name.strip()
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def match_unit(units: dict, code: str, name: str, level: str) -> tuple[str | None, str | None]:
    """(adcode, None) when ``code`` is a unit of ``level`` whose name agrees, else (None, reason).
    ``units`` maps adcode -> (name, level)."""
    code = MUNICIPALITY_ROWS.get(code, code) if level == schema.CITY else code
    name = name.replace("巿", "市")  # U+5DFF for 市 U+5E02: a typo throughout the 2010 yearbook
    if code not in units and 71 <= int(code[4:]) <= 80:
        return None, f"code {code} is an NBS code of a functional zone (开发区 etc.), not a GB/T 2260 unit"
    if code not in units:
        return None, f"code {code} is not in the backbone (an old or changed code)"
    have, have_level = units[code]
    if level == schema.CITY and have_level == schema.COUNTY and code[2:4] == "90":
        level = schema.COUNTY  # a 省直辖县级市 (仙桃市 429004): a county-level unit in the backbone
    if have_level != level and not (level == schema.CITY and code in MUNICIPALITY_ROWS.values()):
        return None, f"code {code} is a {have_level} in the backbone ({have}), not a {level}"
    if name != have and stem(name) != stem(have):
        return None, f"code {code} is {have} in the backbone, not {name}"
    return code, None


def read_xlsx(path: Path) -> list[dict[str, str]]:
    """The first sheet of an .xlsx file as rows of {column letter: text} (stdlib only)."""
    with zipfile.ZipFile(path) as z:
        shared = []
        if "xl/sharedStrings.xml" in z.namelist():
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).iter(f"{_NS}si"):
                shared.append("".join(t.text or "" for t in si.iter(f"{_NS}t")))
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    rows = []
    for r in sheet.iter(f"{_NS}row"):
        row = {}
        for c in r.iter(f"{_NS}c"):
            column = re.match(r"[A-Z]+", c.get("r")).group()
            v = c.find(f"{_NS}v")
            if c.get("t") == "s":
                row[column] = shared[int(v.text)]
            elif c.get("t") == "inlineStr":
                row[column] = "".join(t.text or "" for t in c.iter(f"{_NS}t"))
            elif v is not None:
                row[column] = v.text
        rows.append(row)
    return rows


def _persons(text) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def source_rows(raw_dir: Path):
    """(year, level, code, name, persons, where) for every row of the three source files
    (county tables first: they are the source of county-level units)."""
    raw_dir = Path(raw_dir)
    for year, (name, code_col, name_col, total_col) in COUNTY_FILES.items():  # noqa: B007
        for line, r in enumerate(read_xlsx(raw_dir / name)[1:], start=2):
            code = (r.get(code_col) or "").strip()
            if re.fullmatch(r"\d{6}", code) and not code.endswith("00"):
                yield year, schema.COUNTY, code, (r.get(name_col) or "").strip(), \
                    _persons(r.get(total_col)), f"{name}:{line} {total_col}"
    csv.field_size_limit(1 << 28)  # the city file carries WKT polygons
    with open(raw_dir / CITY_FILE, encoding="utf-8-sig", newline="") as fh:
        for line, r in enumerate(csv.DictReader(fh), start=2):
            for year in (2010, 2020):
                yield year, schema.CITY, r["city_code"], r["city"], _persons(r[f"popu_{year}"]), \
                    f"{CITY_FILE}:{line} popu_{year}"


def derive(raw_dir: Path, units: dict, crosswalk=None) -> tuple[list[dict], dict]:
    """The statistics rows and the unmatched source rows. ``units``: adcode -> (name, level).

    A source row whose code is not a unit of today (an old code) goes through the code
    crosswalk (``kg.sources.crosswalk.current_unit``): a unit renamed or upgraded 1:1 gives
    its figure to today's unit; units merged into one are summed (with today's unit's own
    row if it had one then); a unit split or that lost area after the census is listed as
    unmatched with the split, never apportioned. Each such figure's note names the old
    units and the changes. A unit of today that kept its code but whose area changed after
    the census year (it lost area, or took in part of a split unit) keeps its figure, and
    the note says the figure is of the census year's area."""
    from kg.sources.crosswalk import current_unit, default_crosswalk, describe

    cw = crosswalk or default_crosswalk()
    rows, unmatched, seen, merged = [], [], {}, {}
    for year, level, code, name, persons, where in source_rows(raw_dir):
        if persons is None:
            unmatched.append({"year": year, "level": level, "code": code, "name": name,
                              "reason": "no population figure in the source", "where": where})
            continue
        adcode, reason = match_unit(units, code, name, level)
        if adcode is None and reason.endswith("(an old or changed code)"):
            target, res, why = current_unit(cw, code, year, units, name=name.replace("巿", "市"))
            if target is not None and units[target][1] != level:
                target, why = None, f"{code} {name} became {target} {units[target][0]}, a {units[target][1]}"
            if target is not None:
                merged.setdefault((target, year), []).append(
                    {"code": code, "name": name, "persons": persons, "where": where,
                     "change": describe(res)})
                continue
            reason = f"{reason}; crosswalk: {why}"
        if adcode is None:
            unmatched.append({"year": year, "level": level, "code": code, "name": name,
                              "reason": reason, "where": where})
            continue
        if (adcode, year) in seen:  # a 省直辖县级市 in both the city and the county table
            first = seen[adcode, year]
            if abs(first[1] - persons) > 0.005 * persons:
                unmatched.append({"year": year, "level": level, "code": code, "name": name,
                                  "reason": f"second row for {adcode} disagrees with {first[0]}",
                                  "where": where})
            continue
        seen[adcode, year] = (where, persons)
        rows.append(_row(adcode, year, persons, f"{name} {int(persons)}人", f"leiii/census {where}"))
    rows = _merge(rows, merged, units, seen)
    _note_area_changes(rows, cw)
    rows.sort(key=lambda r: (r["adcode"], r["year"]))
    return rows, {"unmatched": unmatched,
                  "crosswalk": [{"adcode": t, "year": y, "from": [p["code"] for p in parts]}
                                for (t, y), parts in sorted(merged.items())]}


def _row(adcode, year, persons, quote, note) -> dict:
    return {"adcode": adcode, "year": year, "indicator": INDICATOR,
            "value": f"{persons / 1e4:.4f}".rstrip("0").rstrip("."), "unit": UNIT,
            "source_id": SOURCE[year], "quote": quote, "note": note}


def _merge(rows: list[dict], merged: dict, units: dict, seen: dict) -> list[dict]:
    """Give each of today's units the figures of the old units that became it, summed with
    its own row of that year if it had one."""
    by_key = {(r["adcode"], r["year"]): r for r in rows}
    for (target, year), parts in sorted(merged.items()):
        own = by_key.pop((target, year), None)
        total = sum(p["persons"] for p in parts)
        quotes = [f"{p['name']} {int(p['persons'])}人" for p in parts]
        wheres = [p["where"] for p in parts]
        if own is not None:
            total += seen[target, year][1]
            quotes.insert(0, own["quote"])
            wheres.insert(0, own["note"].removeprefix("leiii/census "))
        how = "sum of " if len(quotes) > 1 else ""
        note = (f"crosswalk: {how}{year} units {' + '.join(quotes)} = today's {target} "
                f"{units[target][0]} ({'; '.join(p['change'] for p in parts)}); "
                f"leiii/census {', '.join(wheres)}")
        by_key[target, year] = _row(target, year, total, "; ".join(quotes), note)
    return list(by_key.values())


def _note_area_changes(rows: list[dict], cw) -> None:
    """Say on a kept figure when its unit's area changed after the census year."""
    gained: dict = {}
    for code, records in cw.by_code.items():
        for rec in records:
            targets = [t for t, _ in rec["targets"]]
            if rec["status"] == "在用" or len(targets) > 1:
                for t in targets:
                    gained.setdefault(t, []).append((code, rec))
    for r in rows:
        year, notes = r["year"], []
        res = cw.resolve(r["adcode"], year)
        if res.ambiguous and res.note:
            notes.append(res.note)
        for code, rec in gained.get(r["adcode"], []):
            moved = [y or rec["end"] for t, y in rec["targets"] if t == r["adcode"]]
            if any(y is not None and y > year for y in moved) and cw.record(code, year) is rec:
                notes.append(f"took in part of {code} {rec['name']} after {year}")
        if notes:
            r["note"] += f"; area changed after {year} ({'; '.join(notes)}): the figure is of the {year} area"


def write_table(rows: list[dict], extra: dict, data_dir: Path, table: Path = TABLE,
                coverage: Path = COVERAGE) -> None:
    """Write a derived statistics table and its coverage file under ``data_dir``."""
    path = Path(data_dir) / table
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, ["adcode", "year", "indicator", "value", "unit", "source_id", "quote", "note"],
                           lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    (Path(data_dir) / coverage).write_text(json.dumps(extra, ensure_ascii=False, indent=1) + "\n",
                                           encoding="utf-8")


def coverage(g, data_dir: Path, examples: int = 10) -> dict:
    """Per level and census year: units in the graph, units with a figure, and the units
    without one (also counted over the mainland alone, which is all a census covers); plus the source rows that matched no unit (from the coverage file).
    Empty when the census table is not in ``data_dir`` (the build is from files)."""
    from kg.model.statistics import statistic

    data_dir = Path(data_dir)
    if not (data_dir / TABLE).exists():
        return {}
    extra = {}
    if (data_dir / COVERAGE).exists():
        extra = json.loads((data_dir / COVERAGE).read_text(encoding="utf-8"))
    out = {"indicator": INDICATOR, "table": TABLE.as_posix(), "levels": {}}
    for level in (schema.CITY, schema.COUNTY):
        places = sorted(k for k, d in g.nodes(data=True) if schema.level(d) == level)
        for year in sorted(SOURCE):
            missing = [p for p in places if statistic(g, p, INDICATOR, year) is None]
            mainland_missing = sum(1 for p in missing if schema.is_mainland(p))
            lost = [u for u in extra.get("unmatched", []) if (u["level"], u["year"]) == (level, year)]
            out["levels"][f"{level} {year}"] = {
                "units": len(places), "covered": len(places) - len(missing),
                "missing": len(missing),
                "mainland_units": sum(1 for p in places if schema.is_mainland(p)),
                "mainland_missing": mainland_missing,
                "missing_examples": [f"{p} {g.nodes[p].get('name')}" for p in missing[:examples]],
                "unmatched_source_rows": len(lost),
                "unmatched_examples": [f"{u['code']} {u['name']}: {u['reason']}" for u in lost[:examples]]}
    out["unmatched"] = extra.get("unmatched", [])
    return out


def run_derive(argv, derive_fn, table: Path, coverage: Path, usage: str) -> int:
    """``SOURCE [DATA_DIR]`` of a derive command: ``derive_fn(source, units)`` on today's
    backbone, its rows written to ``table`` and its unmatched rows to ``coverage``."""
    from kg.sources.admin import read_units

    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print(usage)
        return 2
    data_dir = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[2] / "data"
    units = {u.adcode: (u.name, u.level) for u in read_units(data_dir / "corrections" / "backbone.csv")}
    rows, extra = derive_fn(Path(argv[0]), units)
    write_table(rows, extra, data_dir, table, coverage)
    print(f"{len(rows)} rows -> {data_dir / table}; {len(extra['unmatched'])} source rows unmatched")
    return 0


def main(argv=None) -> int:
    """``python -m kg.sources.census RAW_DIR [DATA_DIR]``: derive the table from the fetched files."""
    return run_derive(argv, derive, TABLE, COVERAGE, main.__doc__)


if __name__ == "__main__":
    raise SystemExit(main())
