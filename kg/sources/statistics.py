"""Import a statistics table (a 统计年鉴 export a researcher brings) and check every cell.

NOTE for ``kg.sources.curated`` (the one reader of ``data/``): call
``read_statistics(path, place_index, known_sources)`` for ``data/statistics.csv`` (and any
file a researcher adds); it returns rows shaped like the reader's own statistic dicts
(``adcode, year, indicator, value, unit, source_id, quote, where``) or raises
``StatisticsError`` whose ``.errors`` are ``file:line: reason`` strings, ready to be merged
into the reader's error list. ``check_statistics`` returns ``(rows, errors)`` instead of raising.

The file is UTF-8 CSV with the header ``adcode,year,indicator,value,unit,source_id,quote``
(an optional ``note`` column is allowed). What is checked, cell by cell:

- the file decodes as UTF-8 (a UTF-8 byte-order mark, as Excel writes, is accepted; a GBK or
  UTF-16 file is refused with the line of the first byte that does not decode);
- ``adcode`` is a 6-digit GB/T 2260 code of a unit in the graph (a 12-digit 统计用区划代码 whose
  last six digits are zeros is accepted and cut to six); a name gets a hint with its code;
- ``year`` is an integer in 1949..2100; ``indicator`` is snake_case ASCII;
- ``value`` is a finite number (thousands separators and full-width digits are accepted);
  it may be negative only for indicators that can fall below zero (``*_growth``, ``*_change``,
  ``net_*``, ``*_balance``); a ``*_share`` in ``%`` lies in 0..100;
- ``unit`` is given; ``source_id`` is a known source (``x`` and ``policy:x`` are one source);
- no (adcode, year, indicator) appears twice.

>>> import tempfile, pathlib
>>> from kg.model.graph import new_graph, add_node
>>> from kg.model.resolve import PlaceIndex
>>> g = new_graph(); add_node(g, "440307", ["Place", "County"], adcode="440307", name="龙岗区")
>>> path = pathlib.Path(tempfile.mkdtemp()) / "stats.csv"
>>> _ = path.write_text("adcode,year,indicator,value,unit,source_id,quote\\n"
...                     "440307,2024,gdp,5901.27,亿元,yearbook,\\n"
...                     "440307,2024,gdp_growth,-1.5,%,yearbook,\\n", encoding="utf-8")
>>> [(r["indicator"], r["value"]) for r in read_statistics(path, PlaceIndex(g), {"yearbook"})]
[('gdp', 5901.27), ('gdp_growth', -1.5)]
>>> _ = path.write_text("adcode,year,indicator,value,unit,source_id,quote\\n"
...                     "440307,2024,gdp,-3,亿元,yearbook,\\n", encoding="utf-8")
>>> rows, errors = check_statistics(path, PlaceIndex(g), {"yearbook"}, name="stats.csv")
>>> errors
['stats.csv:2: value -3 is negative, but gdp cannot be (only *_growth, *_change, net_*, *_balance can)']
"""
from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from pathlib import Path
from typing import Iterable

from kg.model.resolve import AmbiguousPlace, PlaceError

COLUMNS = ("adcode", "year", "indicator", "value", "unit", "source_id", "quote")
OPTIONAL_COLUMNS = ("note",)
YEAR_RANGE = (1949, 2100)
INDICATOR = re.compile(r"[a-z][a-z0-9_]*")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")  # 1,234,567.8
# Indicator words that allow a value below zero (a growth rate, a net flow, a balance).
SIGNED_WORDS = frozenset({"growth", "change", "net", "balance"})
UTF8_BOM = b"\xef\xbb\xbf"


class StatisticsError(ValueError):
    """One or more problems in a statistics file, each as ``file:line: reason``."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) in the statistics:\n  " + "\n  ".join(errors[:50]))


def can_be_negative(indicator: str) -> bool:
    """True for indicators whose value may fall below zero.

    >>> can_be_negative("gdp_growth"), can_be_negative("net_migration"), can_be_negative("gdp")
    (True, True, False)
    """
    return bool(SIGNED_WORDS & set(indicator.split("_")))


def decode(data: bytes, name: str) -> tuple[str | None, str | None]:
    """The text of a UTF-8 file (BOM dropped), or an error naming the first bad line.

    >>> decode("adcode\\n龙岗".encode("gbk"), "f.csv")
    (None, "f.csv:2: the file is not UTF-8 (it decodes as GBK/GB18030, as Excel saves CSV on Chinese Windows); save it as 'CSV UTF-8' and try again")
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, (f"{name}:1: the file is UTF-16 (Excel 'Unicode text'); "
                      "save it as 'CSV UTF-8' and try again")
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM):]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        try:
            data.decode("gb18030")
            guess = " (it decodes as GBK/GB18030, as Excel saves CSV on Chinese Windows)"
        except UnicodeDecodeError:
            guess = ""
        return None, f"{name}:{line}: the file is not UTF-8{guess}; save it as 'CSV UTF-8' and try again"


def parse_number(text: str) -> float:
    """A cell as a finite float; raises ValueError with the reason.

    >>> parse_number("1,234.5"), parse_number("１２"), parse_number("-0.5")
    (1234.5, 12.0, -0.5)
    """
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if GROUPED.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    if not cleaned:
        raise ValueError("missing value")
    if not NUMBER.fullmatch(cleaned):
        raise ValueError(f"value {text!r} is not a number")
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(f"value {text!r} is not finite")
    return value


def _current_code(ref: str, year: int | None, place_index) -> tuple[str | None, str, str | None]:
    """(adcode, crosswalk note, problem) for a 6-digit code: a unit of the graph as it is,
    or an old code (retired, or reused since) resolved through ``kg.sources.crosswalk`` to
    the one unit of today it became; a split or an area loss is a problem, never a guess."""
    from kg.sources.crosswalk import current_unit, default_crosswalk, describe

    cw = default_crosswalk() if year is not None else None
    record = cw.record(ref, year) if cw else None
    retired = record is not None and record["status"] == "弃用"
    if not retired:
        try:
            return place_index.resolve(ref), "", None
        except PlaceError as exc:
            if cw is None or not cw.by_code.get(ref):
                return None, "", f"adcode {ref}: {exc}"
    code, res, why = current_unit(cw, ref, year, _PlaceCodes(place_index))
    if code is None:
        return None, "", f"adcode {ref} is an old code: {why}; give the figures by today's units"
    return code, f"crosswalk: {describe(res)}", None


class _PlaceCodes:
    """``code in _PlaceCodes(index)``: the code is a place of the index's graph."""

    def __init__(self, place_index):
        self.index = place_index

    def __contains__(self, code) -> bool:
        try:
            return self.index.resolve(code) == code
        except PlaceError:
            return False


def check_row(cells: dict, where: str, place_index, sources: set[str]) -> tuple[dict | None, list[str]]:
    """One data row -> (typed row or None, its errors)."""
    errors: list[str] = []

    def bad(reason: str) -> None:
        errors.append(f"{where}: {reason}")

    year = None
    text = cells.get("year", "")
    if re.fullmatch(r"\d{4}", text) and YEAR_RANGE[0] <= int(text) <= YEAR_RANGE[1]:
        year = int(text)
    else:
        bad(f"malformed year {text!r} (an integer in {YEAR_RANGE[0]}..{YEAR_RANGE[1]})")

    adcode, changed = None, ""
    ref = cells.get("adcode", "")
    if not ref:
        bad("missing adcode")
    elif re.fullmatch(r"\d{12}", ref) and ref.endswith("000000"):
        ref = ref[:6]
    if ref and not re.fullmatch(r"\d{6}", ref):
        hint = ""
        try:
            hint = f" (did you mean {place_index.resolve(ref)}?)"
        except AmbiguousPlace as exc:  # a shared name: list the candidates, never pick one
            hint = f" ({exc})"
        except PlaceError:
            pass
        bad(f"adcode {cells['adcode']!r} is not a 6-digit GB/T 2260 code{hint}")
    elif ref:
        adcode, changed, problem = _current_code(ref, year, place_index)
        if problem:
            bad(problem)

    indicator = cells.get("indicator", "")
    if not INDICATOR.fullmatch(indicator):
        bad(f"indicator {indicator!r} must be snake_case ascii (e.g. gdp, gdp_growth)")
        indicator = None

    value = None
    unit = cells.get("unit", "")
    try:
        value = parse_number(cells.get("value", ""))
    except ValueError as exc:
        bad(str(exc))
    if value is not None and indicator:
        if value < 0 and not can_be_negative(indicator):
            bad(f"value {cells['value']} is negative, but {indicator} cannot be "
                "(only *_growth, *_change, net_*, *_balance can)")
        if "share" in indicator.split("_") and unit == "%" and not 0 <= value <= 100:
            bad(f"value {cells['value']} of {indicator} is a share in % and must lie in 0..100")
    if not unit:
        bad("missing unit (e.g. 亿元, %, 万人)")

    source = None
    sid = cells.get("source_id", "")
    if not sid:
        bad("missing source_id")
    else:
        source = next((c for c in (sid, f"policy:{sid}", sid.removeprefix("policy:")) if c in sources), None)
        if source is None:
            bad(f"source_id {sid!r} is not in sources.csv")

    if errors:
        return None, errors
    return {"adcode": adcode, "year": year, "indicator": indicator, "value": value, "unit": unit,
            "source_id": source, "quote": cells.get("quote", ""),
            "note": "; ".join(filter(None, (cells.get("note", ""), changed))), "where": where}, []


def check_statistics(path, place_index, known_sources: Iterable[str],
                     name: str | None = None) -> tuple[list[dict], list[str]]:
    """All good rows of a statistics file and every problem found (``file:line: reason``)."""
    path = Path(path)
    name = name or str(path)
    text, error = decode(path.read_bytes(), name)
    if error:
        return [], [error]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in (*COLUMNS, *OPTIONAL_COLUMNS)]
    if missing or unknown:
        parts = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + \
                ([f"unknown column(s) {', '.join(unknown)}"] if unknown else [])
        return [], [f"{name}:1: {'; '.join(parts)} (expected {','.join(COLUMNS)})"]
    reader.fieldnames = header
    sources = set(known_sources)
    rows, errors, first = [], [], {}
    try:
        for cells in reader:
            where = f"{name}:{reader.line_num}"
            if None in cells:
                errors.append(f"{where}: more cells than header columns")
                continue
            cells = {k: (v or "").strip() for k, v in cells.items()}
            if not any(cells.values()):
                continue
            row, row_errors = check_row(cells, where, place_index, sources)
            errors += row_errors
            if row is None:
                continue
            key = (row["adcode"], row["year"], row["indicator"])
            if key in first:
                errors.append(f"{where}: duplicate statistic {key} (first at line {first[key]})")
                continue
            first[key] = reader.line_num
            rows.append(row)
    except csv.Error as exc:  # e.g. a cell over csv's 128 KiB limit: usually an unclosed quote
        errors.append(f"{name}:{reader.line_num + 1}: {exc} (an unclosed quote?)")
    return rows, errors


def statistics_files(data_dir) -> list[Path]:
    """The statistics files of a data folder: ``statistics.csv`` (researchers' and accepted
    rows) and every ``statistics/*.csv`` (derived tables such as the census), in that order."""
    data_dir = Path(data_dir)
    main = [data_dir / "statistics.csv"] if (data_dir / "statistics.csv").exists() else []
    return main + sorted((data_dir / "statistics").glob("*.csv"))


def check_statistics_files(data_dir, place_index, known_sources: Iterable[str]) -> tuple[list[dict], list[str]]:
    """``check_statistics`` over every file of ``statistics_files``; a (place, year, indicator)
    that two files give is an error naming both lines (one value per fact, never a silent pick)."""
    data_dir = Path(data_dir)
    sources = set(known_sources)
    rows, errors, first = [], [], {}
    for path in statistics_files(data_dir):
        file_rows, file_errors = check_statistics(path, place_index, sources,
                                                  name=path.relative_to(data_dir).as_posix())
        errors += file_errors
        for row in file_rows:
            key = (row["adcode"], row["year"], row["indicator"])
            if key in first:
                errors.append(f"{row['where']}: duplicate statistic {key} (first at {first[key]})")
                continue
            first[key] = row["where"]
            rows.append(row)
    return rows, errors


def read_statistics(path, place_index, known_sources: Iterable[str], name: str | None = None) -> list[dict]:
    """The checked rows of a statistics file; raises ``StatisticsError`` listing every problem."""
    rows, errors = check_statistics(path, place_index, known_sources, name=name)
    if errors:
        raise StatisticsError(errors)
    return rows
