"""Origin–destination matrices a researcher brings (百度迁徙-style share or index tables).

Baidu's 迁徙 (Qianxi) data may not be redistributed, so none is committed; this module
reads such exports and turns them into a flow table (``kg.sources.flows``) that the
build picks up from ``data/flows/``. Two layouts are read (``docs/flows.md``):

* **long**: a header with ``origin``, ``destination`` and ``value`` (optional ``date``);
  one row per pair (and day). With ``date``, the weight of a pair is the mean of its
  values over **all** dates of the file (a pair missing on a day counts 0 that day: a
  Baidu top-100 list leaves out small flows, it does not say they were unknown);
* **matrix**: the first header cell is empty or ``origin``; the other header cells
  name destinations; each row names an origin and gives one value per destination (an
  empty cell = no flow).

Places are adcodes or names that resolve to one unit (``北京市``, ``苏州``); values are
finite and not negative (0 = no flow, skipped); a pair (and date) given twice, an unknown
or ambiguous place, a non-numeric value or a file that is not UTF-8 is an error
``file:line: reason`` and nothing is written. Converting the same file twice writes
the same table.

>>> import tempfile, pathlib
>>> from kg.model.graph import new_graph, add_node
>>> from kg.model.resolve import PlaceIndex
>>> g = new_graph()
>>> for code, name in [("110000", "北京市"), ("120000", "天津市"), ("130100", "石家庄市")]:
...     add_node(g, code, ["Place", "City"], adcode=code, name=name)
>>> path = pathlib.Path(tempfile.mkdtemp()) / "od.csv"
>>> _ = path.write_text(",北京,天津,石家庄\\n北京,,3.5,1.25\\n天津,2,,\\n", encoding="utf-8")
>>> pairs, errors = read_od(path, PlaceIndex(g))
>>> sorted(pairs.items()), errors
([(('110000', '120000'), 3.5), (('110000', '130100'), 1.25), (('120000', '110000'), 2.0)], [])
>>> _ = path.write_text("origin,destination,date,value\\n北京,天津,2020-01-10,4\\n"
...                     "北京,天津,2020-01-11,2\\n北京,石家庄,2020-01-11,1\\n", encoding="utf-8")
>>> sorted(read_od(path, PlaceIndex(g))[0].items())    # means over the file's two dates
[(('110000', '120000'), 3.0), (('110000', '130100'), 0.5)]
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path

from kg.model.resolve import PlaceError, PlaceIndex
from kg.sources.statistics import decode, parse_number


def _resolve(ref: str, index: PlaceIndex, where: str, errors: list[str]) -> str | None:
    try:
        return index.resolve(ref)
    except PlaceError as exc:
        errors.append(f"{where}: {exc}")
        return None


NO_FLOW = "no flow above zero"


def od_value(text: str) -> tuple[float | None, str | None]:
    """(value, None) for a flow cell, or (None, the problem).

    >>> od_value("1,200"), od_value("-2")
    ((1200.0, None), (None, 'value -2 is negative (a flow is 0 or more)'))
    """
    try:
        value = parse_number(text)
    except ValueError as exc:
        return None, str(exc)
    if value < 0:
        return None, f"value {text} is negative (a flow is 0 or more)"
    return value, None


def cells_problem(found: int, header: int) -> str:
    return f"{found} cells, the header has {header}"


def same_place_problem(code: str) -> str:
    return f"origin and destination are the same place ({code})"


def duplicate_problem(o: str, d: str, date: str, first: int) -> str:
    return f"duplicate pair {o}->{d}{' on ' + date if date else ''} (first at line {first})"


def _value(text: str, where: str, errors: list[str]) -> float | None:
    value, problem = od_value(text)
    if problem:
        errors.append(f"{where}: {problem}")
    return value


def _long(rows: list[list[str]], header: list[str], index, name, errors) -> dict:
    col = {h: i for i, h in enumerate(header)}
    has_date = "date" in col
    values: dict[tuple, float] = {}
    first: dict[tuple, int] = {}
    dates = set()
    for line, cells in rows:
        where = f"{name}:{line}"
        if len(cells) != len(header):
            errors.append(f"{where}: {cells_problem(len(cells), len(header))}")
            continue
        o = _resolve(cells[col["origin"]], index, where, errors)
        d = _resolve(cells[col["destination"]], index, where, errors)
        v = _value(cells[col["value"]], where, errors)
        date = cells[col["date"]] if has_date else ""
        if o is None or d is None or v is None:
            continue
        if o == d:
            errors.append(f"{where}: {same_place_problem(o)}")
            continue
        key = (o, d, date)
        if key in first:
            errors.append(f"{where}: {duplicate_problem(o, d, date, first[key])}")
            continue
        first[key] = line
        dates.add(date)
        values[key] = v
    sums: dict[tuple, float] = defaultdict(float)
    for (o, d, _), v in values.items():
        sums[(o, d)] += v
    n = max(1, len(dates))
    return {pair: total / n for pair, total in sums.items() if total > 0}


def _matrix(rows, header, index, name, errors) -> dict:
    dests = [_resolve(ref, index, f"{name}:1 (column {i + 2})", errors)
             for i, ref in enumerate(header[1:])]
    seen_cols = {}
    for i, d in enumerate(dests):
        if d is not None and d in seen_cols:
            errors.append(f"{name}:1: destination {d} is column {seen_cols[d]} and column {i + 2}")
        elif d is not None:
            seen_cols[d] = i + 2
    out, first = {}, {}
    for line, cells in rows:
        where = f"{name}:{line}"
        if len(cells) != len(header):
            errors.append(f"{where}: {len(cells)} cells, the header has {len(header)}")
            continue
        o = _resolve(cells[0], index, where, errors)
        if o is None:
            continue
        if o in first:
            errors.append(f"{where}: origin {o} was already given at line {first[o]}")
            continue
        first[o] = line
        for d, text in zip(dests, cells[1:]):
            if d is None or not text.strip():
                continue
            v = _value(text, where, errors)
            if v and o != d:
                out[(o, d)] = v
            elif v and o == d:
                errors.append(f"{where}: a value on the diagonal ({o} to itself)")
    return out


def read_od(path, index: PlaceIndex, name: str | None = None,
            partial: bool = False) -> tuple[dict, list[str]]:
    """``({(origin, destination): weight}, errors)`` of a long or matrix OD file; with
    errors the pairs are empty, unless ``partial`` (then: the pairs of the good rows)."""
    path = Path(path)
    name = name or path.name
    text, error = decode(path.read_bytes(), name)
    if error:
        return {}, [error]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        lines = [(reader.line_num, [c.strip() for c in cells]) for cells in reader]
    except csv.Error as exc:
        return {}, [f"{name}:{reader.line_num + 1}: {exc}"]
    lines = [(n, c) for n, c in lines if any(c)]
    if not lines:
        return {}, [f"{name}:1: the file is empty"]
    header, rows, errors = lines[0][1], lines[1:], []
    if {"origin", "destination", "value"} <= set(header):
        pairs = _long(rows, header, index, name, errors)
    elif header[0] in ("", "origin") and len(header) > 1:
        pairs = _matrix(rows, header, index, name, errors)
    else:
        return {}, [f"{name}:1: neither a long file (origin,destination,value[,date]) nor a "
                    "matrix (first header cell empty or 'origin', then destinations)"]
    if not pairs and not errors:
        errors.append(f"{name}: {NO_FLOW}")
    return (pairs if not errors or partial else {}), errors


def od_flow_rows(pairs: dict, g, mode: str, weight_unit: str, year: int, period: str,
                 source_id: str, note: str = "") -> list[dict]:
    """The pairs as flow-table rows, sorted (so the same input writes the same file)."""
    return [{"origin": o, "origin_name": g.nodes[o]["name"], "destination": d,
             "destination_name": g.nodes[d]["name"], "mode": mode, "weight": round(w, 6),
             "weight_unit": weight_unit, "year": year, "period": period,
             "source_id": source_id, "note": note} for (o, d), w in sorted(pairs.items())]


def firm_flow_rows(firms_path, g, year: int, source_id: str, rejects_path=None) -> tuple[list[dict], object]:
    """A firm headquarters–branch file (``kg.sources.firms``) projected to cities
    (``kg.analysis.firm_network``) as flow-table rows, mode ``firm``."""
    from kg.analysis.firm_network import firm_network
    from kg.sources.firms import Places

    h, stats = firm_network(firms_path, places=Places.from_graph(g), rejects_path=rejects_path)
    pairs = {(u, v): float(w) for u, v, w in h.edges(data="weight")}
    rows = od_flow_rows(pairs, g, "firm", "firm_branch_links", year,
                        f"firm file {Path(firms_path).name}", source_id)
    return rows, stats
