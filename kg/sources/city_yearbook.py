"""Prefecture-level GDP and tertiary share of GDP, 2004–2012, from a public city-yearbook extract.

The figures come from the public repository ``jcdasheng/China_City_sustainability`` (JC
Zhang, MIT licence; brought in with the search tool's ``fetch``). Its file
``1999-2018 Cities data.xlsx`` holds 1,989 city-year rows (287 cities, 2004–2012) compiled
by the author from the 中国城市统计年鉴. The columns are named the yearbook's way:
``地区生产总值_当年价格_全市_万元`` and ``第三产业占GDP的比重_全市_百分比`` (全市 = the whole
prefecture, counties included). Only the derived table is committed:
``data/statistics/city_yearbook.csv`` (the columns of ``statistics.csv``), with indicators
``gdp`` (亿元) and ``tertiary_industry_share`` (%). The source gives *only* the tertiary
share, not all three sectors, so a share index on it compares two sectors: tertiary
against primary + secondary.

The source names cities, it gives no codes. A name is matched to a prefecture-level unit
of today (City level; the four municipalities are ``xx0000``). A name that is no longer
in use is looked up among the crosswalk's prefecture records in use that year and
resolved with ``kg.sources.crosswalk.current_unit``: 襄樊市 (renamed 襄阳市 in 2010, same
code 420600) and 思茅市 (普洱市 since 2007, same code) resolve; 巢湖市 (split in 2011) and
莱芜市 (merged into 济南) do not,
since a share of a unit that no longer exists whole is given to no one. Unmatched rows
(and the typo 毫州市 for 亳州市, which is never guessed) go to
``city_yearbook.coverage.json``.

>>> match_city({"北京市": "110000"}, {}, "北京市", 2010)
('110000', None)
>>> match_city({"北京市": "110000"}, {}, "毫州市", 2010)
(None, 'no prefecture-level unit is named 毫州市 today or was in 2010 (crosswalk)')
"""
from __future__ import annotations

from pathlib import Path

from kg.model import schema

SOURCE_ID = "jcdasheng-city-yearbook"
RAW_FILE = "1999-2018 Cities data.xlsx"
TABLE = Path("statistics") / "city_yearbook.csv"
COVERAGE = Path("statistics") / "city_yearbook.coverage.json"
# source column letter -> (indicator, unit, divisor from the source unit, source column name)
COLUMNS = {"C": ("gdp", "亿元", 1e4, "地区生产总值_当年价格_全市_万元"),
           "G": ("tertiary_industry_share", "%", 1.0, "第三产业占GDP的比重_全市_百分比")}


def match_city(today: dict, old: dict, name: str, year: int, crosswalk=None) -> tuple[str | None, str | None]:
    """(adcode, None) for the prefecture-level unit ``name`` denotes in ``year``, else
    (None, reason). ``today``: name -> adcode of today's City units; ``old``: name ->
    [codes] of the crosswalk's prefecture records."""
    if name in today:
        return today[name], None
    from kg.sources.crosswalk import current_unit

    codes = [c for c in old.get(name, []) if crosswalk is not None
             and (r := crosswalk.record(c, year) or crosswalk.record(c, year - 1)) and r["name"] == name]
    if not codes:
        return None, f"no prefecture-level unit is named {name} today or was in {year} (crosswalk)"
    if len(codes) > 1:
        return None, f"{name} names {len(codes)} prefecture codes in {year}: {', '.join(codes)}"
    target, res, why = current_unit(crosswalk, codes[0], year, set(today.values()), name=name)
    merged = [step for step in res.steps if step[2] == "并入"]
    if target is not None and merged:   # a share or total of the old unit is not today's unit's
        return None, (f"{name} {codes[0]} was merged into {target} in {merged[0][3]}: its figures "
                      "are not those of today's unit")
    return target, why


def derive(xlsx: Path, units: dict, crosswalk=None) -> tuple[list[dict], dict]:
    """The statistics rows and the unmatched source rows. ``units``: adcode -> (name, level)."""
    from kg.sources.census import read_xlsx
    from kg.sources.crosswalk import default_crosswalk

    cw = crosswalk or default_crosswalk()
    today = {name: code for code, (name, level) in units.items() if level == schema.CITY}
    old: dict = {}
    for code, records in cw.by_code.items():
        for r in records:
            if r.get("level") == "地级":
                old.setdefault(r["name"], []).append(code)
    rows, unmatched, seen = [], [], {}
    sheet = read_xlsx(xlsx)
    header = sheet[0]
    for letter, (_, _, _, column) in COLUMNS.items():
        if header.get(letter) != column:
            raise ValueError(f"{xlsx}:1: column {letter} is {header.get(letter)!r}, expected {column!r}")
    for line, r in enumerate(sheet[1:], start=2):
        name, year = (r.get("A") or "").strip(), int(float(r.get("B") or 0))
        adcode, reason = match_city(today, old, name, year, cw)
        if adcode is None:
            unmatched.append({"year": year, "name": name, "reason": reason, "where": f"{RAW_FILE}:{line}"})
            continue
        if (adcode, year) in seen:
            unmatched.append({"year": year, "name": name, "where": f"{RAW_FILE}:{line}",
                              "reason": f"second row for {adcode} in {year} (first at line {seen[adcode, year]})"})
            continue
        seen[adcode, year] = line
        for letter, (indicator, unit, divisor, column) in COLUMNS.items():
            try:
                value = float(r.get(letter) or "")
            except ValueError:
                value = 0.0
            if value <= 0:           # empty or 0: the source has no figure
                continue
            note = f"jcdasheng/China_City_sustainability {RAW_FILE}:{line} {letter}"
            if name != units[adcode][0]:
                note += f"; the source's {name} is today's {adcode} {units[adcode][0]}"
            rows.append({"adcode": adcode, "year": year, "indicator": indicator,
                         "value": f"{value / divisor:.4f}".rstrip("0").rstrip("."), "unit": unit,
                         "source_id": SOURCE_ID, "quote": f"{name} {year} {column} {r.get(letter)}",
                         "note": note})
    rows.sort(key=lambda x: (x["adcode"], x["year"], x["indicator"]))
    return rows, {"unmatched": unmatched}


def main(argv=None) -> int:
    """``python -m kg.sources.city_yearbook XLSX [DATA_DIR]``: derive the table from the fetched file."""
    from kg.sources.census import run_derive

    return run_derive(argv, derive, TABLE, COVERAGE, main.__doc__)


if __name__ == "__main__":
    raise SystemExit(main())
