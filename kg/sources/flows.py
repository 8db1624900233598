"""Flow tables (``data/flows/*.csv``): observed city-to-city flows, checked cell by cell.

One format for every observed mode (air routes, train services, migration shares, firm
links); ``docs/flows.md`` describes it for researchers. UTF-8 CSV with the header

    origin,origin_name,destination,destination_name,mode,weight,weight_unit,year,period,source_id,note

- ``origin`` / ``destination``: a 6-digit adcode of a place in the graph, or a name that
  resolves to exactly one (``西安市``; an ambiguous name is an error listing the
  candidates, never a guess); ``*_name`` (optional) must then be that unit's name or
  its short form (a check against shifted columns);
- ``mode``: ``air``, ``rail``, ``migration`` or ``firm`` (``gravity`` is modelled by the
  build, never read from a file); ``weight``: a finite number above zero;
  ``weight_unit``: what it counts (``airline_routes``, ``trains_per_day``, ``share_pct`` ...);
- ``year``: 1949..2100; ``period``: free text (``2014 snapshot``); ``source_id``: a
  row of ``data/sources.csv``;
- an origin equal to its destination, or a (origin, destination, mode, year, source)
  that appears twice, is an error.

Every problem is ``file:line: reason``; a file with any problem adds nothing (the build
stops and lists them all). The rows become ``LINKED_TO`` relationships with
``derived: false``; deleting a file removes its flows from the next build.

>>> import tempfile, pathlib
>>> from kg.model.graph import new_graph, add_node
>>> from kg.model.resolve import PlaceIndex
>>> g = new_graph()
>>> for code, name in [("610100", "西安市"), ("110000", "北京市")]:
...     add_node(g, code, ["Place", "City"], adcode=code, name=name)
>>> path = pathlib.Path(tempfile.mkdtemp()) / "air.csv"
>>> _ = path.write_text(",".join(COLUMNS) + "\\n"
...     "610100,西安,110000,北京,air,12,airline_routes,2014,2014 snapshot,openflights,\\n"
...     "610100,西安,北京市,,air,-1,airline_routes,2014,,openflights,\\n", encoding="utf-8")
>>> rows, errors = check_flows(path, PlaceIndex(g), {"openflights"}, name="air.csv")
>>> [(r["origin"], r["destination"], r["weight"]) for r in rows]
[('610100', '110000', 12.0)]
>>> errors
['air.csv:3: weight -1 must be above zero']
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from kg.model import schema
from kg.model.graph import add_rel
from kg.model.resolve import AmbiguousPlace, PlaceError, PlaceIndex, short_name
from kg.sources.curated_rows import CuratedDataError, read_rows
from kg.sources.statistics import YEAR_RANGE, parse_number

COLUMNS = ("origin", "origin_name", "destination", "destination_name", "mode", "weight",
           "weight_unit", "year", "period", "source_id", "note")
REQUIRED = ("origin", "destination", "mode", "weight", "weight_unit", "year", "source_id")
FOLDER = "flows"
# Lookup tables that live beside the flow tables: airport -> city (kg.sources.air) and
# station name -> city (kg.sources.rail). Every other CSV in data/flows/ is a flow table.
LOOKUP_TABLES = ("airports_cn.csv", "rail_stations.csv")


class FlowFileError(CuratedDataError):
    """Problems in flow files, each as ``file:line: reason`` (part of the curated data)."""


def _place(ref: str, name: str, index: PlaceIndex, column: str) -> tuple[str | None, str | None]:
    """(adcode, None) or (None, reason) for one origin/destination cell and its name."""
    if not ref:
        return None, f"missing {column}"
    try:
        code = index.resolve(ref)
    except AmbiguousPlace as exc:
        return None, f"{column}: {exc}"
    except PlaceError as exc:
        return None, f"{column}: {exc}"
    if name:
        own = index.g.nodes[code]["name"]
        if name not in (own, short_name(own), *index.g.nodes[code].get("aliases", [])):
            return None, f"{column}_name {name!r} is not the name of {code} ({own})"
    return code, None


def check_row(cells: dict, where: str, index: PlaceIndex, sources: set[str],
              modes: Iterable[str] = schema.OBSERVED_MODES) -> tuple[dict | None, list[str]]:
    """One data row -> (typed row or None, its errors)."""
    errors = []
    origin, why = _place(cells.get("origin", ""), cells.get("origin_name", ""), index, "origin")
    if why:
        errors.append(why)
    dest, why = _place(cells.get("destination", ""), cells.get("destination_name", ""), index,
                       "destination")
    if why:
        errors.append(why)
    if origin and origin == dest:
        errors.append(f"origin and destination are the same place ({origin})")
    mode = cells.get("mode", "")
    if mode not in modes:
        errors.append(f"mode {mode!r} is not one of {', '.join(modes)}"
                      + (" (gravity flows are modelled by the build, not read)" if mode == "gravity" else ""))
    weight = None
    try:
        weight = parse_number(cells.get("weight", ""))
        if weight <= 0:
            errors.append(f"weight {cells['weight']} must be above zero")
    except ValueError as exc:
        errors.append(f"weight: {exc}")
    unit = cells.get("weight_unit", "")
    if not unit:
        errors.append("missing weight_unit (what the weight counts, e.g. airline_routes)")
    text = cells.get("year", "")
    year = int(text) if text.isdigit() and len(text) == 4 else None
    if year is None or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        errors.append(f"malformed year {text!r} (an integer in {YEAR_RANGE[0]}..{YEAR_RANGE[1]})")
    sid = cells.get("source_id", "")
    if not sid:
        errors.append("missing source_id")
    elif sid not in sources:
        errors.append(f"source_id {sid!r} is not in data/sources.csv")
    if errors:
        return None, [f"{where}: {e}" for e in errors]
    return {"origin": origin, "destination": dest, "mode": mode, "weight": weight,
            "weight_unit": unit, "year": year, "period": cells.get("period", ""),
            "source_id": sid, "note": cells.get("note", ""), "where": where}, []


def check_flows(path, index: PlaceIndex, sources: Iterable[str], name: str | None = None,
                modes: Iterable[str] = schema.OBSERVED_MODES, root: Path | None = None
                ) -> tuple[list[dict], list[str]]:
    """All good rows of a flow file and every problem found (``file:line: reason``).

    Lines are named relative to ``root`` (default: the file's folder), or ``name``."""
    path = Path(path)
    errors: list[str] = []
    cells = read_rows(path, Path(root) if root else path.parent, REQUIRED, errors)
    if name:  # the caller's name for the file (e.g. the path a researcher typed)
        own = path.relative_to(Path(root) if root else path.parent).as_posix()
        errors = [e.replace(own, name, 1) for e in errors]
    where_name = name or path.relative_to(Path(root) if root else path.parent).as_posix()
    unknown = sorted({c for r in cells for c in r.cells if c not in COLUMNS})
    if unknown:
        return [], [f"{where_name}:1: unknown column(s) {', '.join(unknown)} "
                    f"(expected {','.join(COLUMNS)})"]
    sources, modes = set(sources), tuple(modes)
    rows, first = [], {}
    for r in cells:
        where = r.where.replace(r.where.rsplit(":", 1)[0], where_name, 1)
        row, row_errors = check_row(r.cells, where, index, sources, modes)
        errors += row_errors
        if row is None:
            continue
        key = (row["origin"], row["destination"], row["mode"], row["year"], row["source_id"])
        if key in first:
            errors.append(f"{where}: duplicate flow {key[0]}->{key[1]} {key[2]} {key[3]} "
                          f"{key[4]} (first at line {first[key]})")
            continue
        first[key] = where.rsplit(":", 1)[1]
        rows.append(row)
    if not rows and not errors:
        errors.append(f"{where_name}:1: no flow rows")
    return rows, errors


def known_sources(data_dir: Path) -> set[str]:
    """The source ids of ``data/sources.csv`` (read by the curated reader)."""
    path = Path(data_dir) / "sources.csv"
    if not path.exists():
        return set()
    errors: list[str] = []
    return {r.cells["source_id"] for r in read_rows(path, Path(data_dir), ("source_id",), errors)}


def read_flow_folder(g, data_dir: Path) -> list[dict]:
    """Every checked row of ``data_dir/flows/*.csv``; raises ``FlowFileError`` listing all
    problems (nothing is added when one file has one)."""
    folder = Path(data_dir) / FOLDER
    if not folder.is_dir():
        return []
    index, sources = PlaceIndex(g), known_sources(data_dir)
    rows, errors = [], []
    for path in sorted(folder.glob("*.csv")):
        if path.name in LOOKUP_TABLES:
            continue
        got, bad = check_flows(path, index, sources, root=Path(data_dir))
        rows += got
        errors += bad
    if errors:
        raise FlowFileError(errors)
    return rows


def add_flow_rows(g, rows: Iterable[dict]) -> int:
    """Add checked rows as LINKED_TO (derived false); returns how many."""
    n = 0
    for r in rows:
        add_rel(g, r["origin"], r["destination"], schema.LINKED_TO, mode=r["mode"],
                weight=float(r["weight"]), weight_unit=r["weight_unit"], year=r["year"],
                period=r["period"] or None, source_id=r["source_id"], note=r["note"] or None,
                derived=False)
        n += 1
    return n


def add_flows(g, data_dir: Path) -> dict:
    """Observed flows from ``data_dir/flows/`` and the gravity network (derived) from the
    graph's resident_population statistics; returns ``{mode: relationships}``."""
    from collections import Counter

    from kg.sources.gravity import add_gravity

    rows = read_flow_folder(g, data_dir)
    add_flow_rows(g, rows)
    counts = Counter(r["mode"] for r in rows)
    counts["gravity"] = add_gravity(g)
    g.graph["flows"] = dict(counts)
    return dict(counts)
