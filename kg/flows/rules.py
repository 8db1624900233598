"""What every flow engine shares: the firm reader's rules, its reject texts, the places table.

The rules are those of ``kg.sources.firms.FirmReader`` (``docs/firms.md``), stated on the
whole file instead of block by block, which gives the same verdicts:

1. a line that is blank is skipped (not a row); one whose field count differs from the
   header's, one that is not UTF-8, and a last line without a line break are rejected;
2. per row, the first failing check of: a required field empty; ``hq_adcode``, then
   ``branch_adcode`` not a city or county; a bad year; a negative or unparsable capital;
3. a firm is defined by its first row (by line) that passed 2; a later row of the same
   ``firm_id`` with another ``firm_name``, ``industry`` or ``hq_adcode`` is a
   "conflicting firm_id" of that line;
4. of the rows still standing, the first of each (``firm_id``, ``branch_adcode``) is kept
   and the later ones are "duplicate of line N";

and before 2, an old code (one of the crosswalk's, with a whole-number year) is read as
the unit of today it became (``kg.sources.firms.old_code``, the reader's own rule): an
engine finds the few distinct (code, year) pairs of its file, asks ``old_code_map`` and
joins the answer back.

>>> reason("duplicate", "branch_adcode", 7, {"branch_adcode": "320100"})
'duplicate of line 7 (same firm_id and branch_adcode)'
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kg.sources.firms import (COLUMNS, REQUIRED, FirmFileError, FirmReader, Places, ReadStats,
                              Reject, default_places, old_code)
from kg.sources.firm_blocks import fields_of

TRUNCATED = "last line has no line break (file cut off?)"
TABLE_COLUMNS = ["origin", "destination", "weight", "capital", "capital_links"]


@dataclass
class FlowResult:
    """A projected city × city table and what the reading found.

    ``table``: one row per (origin city, destination city) with at least one link,
    sorted; ``weight`` = links (firm-branch rows), ``capital`` = summed known capital
    (万元), ``capital_links`` = links whose capital is known. Pairs of a city with itself
    (links inside a city) are rows too. ``stats`` and ``rejects`` as ``FirmReader``'s.
    """
    table: pd.DataFrame
    stats: ReadStats
    rejects: list[Reject] = field(default_factory=list)
    engine: str = ""


def read_header(path: Path) -> list[str]:
    """The header of a firm file, checked as the reader checks it (FirmFileError otherwise)."""
    path = Path(path)
    if not path.is_file():
        raise FirmFileError(f"{path}: no such file")
    reader = FirmReader(path, places=Places({}, {}, {}), industries={})
    with open(path, "rb") as fh:
        reader._read_header(fh.readline())
    return reader.header


def ends_without_newline(path: Path) -> bool:
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        if fh.tell() == 0:
            return False
        fh.seek(-1, 2)
        return fh.read(1) != b"\n"


class _Verdict:
    def __init__(self, kind, column, other):
        self.kind, self.column, self.other = [kind], [column], [other]


def crosswalk_codes() -> list[int]:
    """The codes the crosswalk knows (candidates for old-code reading), as integers."""
    from kg.sources.crosswalk import default_crosswalk

    return sorted(int(c) for c in default_crosswalk().by_code)


def old_code_map(pairs, places: Places) -> tuple[dict, pd.DataFrame]:
    """For the distinct (code, year) integer pairs of crosswalk codes an engine found:
    the reader's ``old_codes`` ({(code text, year): (today's code or None, why)}) and a
    frame ``code, year, new`` of the pairs whose value changes (``new`` = -1: read as no
    place, for a code reused since whose old unit is not today's)."""
    from kg.sources.crosswalk import default_crosswalk

    cw, found, rows = default_crosswalk(), {}, []
    for code_i, year in sorted(set(pairs)):
        code = f"{int(code_i):06d}"
        verdict = old_code(cw, code, int(year), places)
        if verdict is None:
            continue
        found[code, int(year)] = verdict
        if verdict[0] is not None:
            rows.append((int(code_i), float(year), int(verdict[0])))
        elif code in places.city:
            rows.append((int(code_i), float(year), -1))
    return found, pd.DataFrame(rows, columns=["code", "year", "new"]).astype(
        {"code": "int64", "year": "float64", "new": "int64"})


def reason(kind: str, column: str, other: int, fields: dict, places: Places | None = None,
           old_codes: dict | None = None) -> str:
    """The reject text the firm reader writes for a row (its own wording, reused)."""
    shim = type("Shim", (), {"places": places or default_places(), "old_codes": old_codes or {}})()
    return FirmReader._reason(shim, _Verdict(kind, column, other or 0), 0, fields)


def places_frame(places: Places) -> pd.DataFrame:
    """code (int) -> ci (position in ``places.cities``) for every firm location."""
    codes = np.flatnonzero(places.city_index >= 0)
    return pd.DataFrame({"code": codes.astype(np.int64),
                         "ci": places.city_index[codes].astype(np.int64)})


def finish(table: pd.DataFrame, places: Places) -> pd.DataFrame:
    """Engine output (ci pairs) -> the sorted city table with adcodes."""
    table = table.sort_values(["o", "d"]).reset_index(drop=True)
    out = pd.DataFrame({"origin": places.cities[table["o"].to_numpy(np.int64)],
                        "destination": places.cities[table["d"].to_numpy(np.int64)],
                        "weight": table["weight"].to_numpy(np.int64),
                        "capital": table["capital"].fillna(0.0).to_numpy(np.float64),
                        "capital_links": table["capital_links"].to_numpy(np.int64)})
    return out


def write_rejects(rejects_path, header: list[str], rows) -> None:
    """The rejects CSV as the reader writes it: line, reason, then the row's own fields."""
    if not rejects_path:
        return
    path = Path(rejects_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["line", "reason", *header])
        for r in rows:
            out.writerow([r.line, r.reason, *r.fields])


def rejects_from(rows, header: list[str], places: Places, stats: ReadStats,
                 old_codes: dict | None = None) -> list[Reject]:
    """Rejects from engine rows (line, kind, column, other line, raw text), line order."""
    out = []
    for line, kind, column, other, raw in rows:
        fields = fields_of(raw)
        if kind == "truncated":
            text = TRUNCATED
        elif kind == "encoding":
            text = "not valid UTF-8"
        elif kind == "field count":
            text = f"expected {len(header)} fields, found {len(fields)}"
        else:
            text = reason(kind, column, None if other is None or (isinstance(other, float) and
                                                                   math.isnan(other)) else int(other),
                          dict(zip(header, fields)), places, old_codes)
        stats.reasons[kind] += 1
        out.append(Reject(int(line), text, fields))
    out.sort()
    return out


__all__ = ["COLUMNS", "REQUIRED", "FlowResult", "crosswalk_codes", "old_code_map", "read_header",
           "reason", "places_frame"]


# --- origin–destination files ------------------------------------------------------------
# The rules are those of ``kg.sources.migration.read_od`` (long layout; a matrix has at most
# one row per place, so every engine reads it with the reader itself): cells stripped; a
# line whose cells are all empty is skipped; per row the first failing of: the cell count,
# then each of origin, destination (names or adcodes, ``PlaceIndex.resolve``) and value
# (``migration.od_value``) -- all three reported --, origin = destination, and a (origin,
# destination, date) given before ("duplicate pair"); the weight of a pair is its summed
# value over the number of distinct dates of the accepted rows, pairs above 0 kept.
# Streaming engines resolve the few distinct place texts and the rare value texts that are
# not plain decimals (``FAST_NUMBER``) here, in Python, with the reader's own functions.
FAST_NUMBER = r"[0-9]{1,15}(\.[0-9]{1,15})?"   # cast by the engine itself: float() agrees
OD_COLUMNS = ["origin", "destination", "weight"]


@dataclass
class ODResult:
    """An OD file projected: ``table`` (origin, destination, weight; sorted) from the good
    rows and ``errors`` (``file:line: problem``, in line order) as ``read_od`` gives them. A
    caller that must not write a partial table checks ``errors`` first."""
    table: pd.DataFrame
    errors: list[str]
    engine: str = ""


def whitespace() -> str:
    """The characters ``str.strip()`` removes (for SQL ``trim``)."""
    import sys

    return "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())


def od_layout(path: Path):
    """``(header line, header cells)`` of a long OD file a streaming engine may read, or
    ``None`` when the reader itself must (not UTF-8, empty, a matrix, not an OD file)."""
    import codecs
    import io

    with open(path, "rb") as fh:
        if fh.read(2) in (b"\xff\xfe", b"\xfe\xff"):
            return None
        fh.seek(0)
        dec = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(8 << 20):
                dec.decode(chunk)
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        try:
            for cells in reader:
                cells = [c.strip() for c in cells]
                if any(cells):
                    break
            else:
                return None
        except csv.Error:
            return None
    if {"origin", "destination", "value"} <= set(cells):
        return reader.line_num, cells
    return None


def od_places(refs, index) -> pd.DataFrame:
    """``ref, code, problem`` for each distinct place cell (as written, stripped here)."""
    from kg.model.resolve import PlaceError

    rows = []
    for ref in refs:
        try:
            rows.append((ref, index.resolve(ref.strip()), None))
        except PlaceError as exc:
            rows.append((ref, None, str(exc)))
    return pd.DataFrame(rows, columns=["ref", "code", "problem"], dtype=object)


def od_values(texts) -> pd.DataFrame:
    """``text, value, problem`` for each distinct value cell that is not a plain decimal."""
    from kg.sources.migration import od_value

    rows = [(t, *od_value(t.strip())) for t in texts]
    return pd.DataFrame({"text": [r[0] for r in rows],
                         "value": pd.array([r[1] for r in rows], dtype="Float64"),
                         "problem": pd.Series([r[2] for r in rows], dtype=object)})


def od_problems(name: str, rows) -> list[str]:
    """Error texts from engine rows ``(line, order, kind, a, b, c, d)`` in the reader's order:
    kinds ``cells`` (a found, b header), ``place``/``value`` (a = problem text), ``same``
    (a = code), ``duplicate`` (a, b, c = origin, destination, date; d = first line)."""
    from kg.sources.migration import cells_problem, duplicate_problem, same_place_problem

    out = []
    for line, _, kind, a, b, c, d in sorted(rows, key=lambda r: (r[0], r[1])):
        text = (cells_problem(int(a), int(b)) if kind == "cells" else
                same_place_problem(a) if kind == "same" else
                duplicate_problem(a, b, c or "", int(d)) if kind == "duplicate" else a)
        out.append(f"{name}:{int(line)}: {text}")
    return out


def od_result(name: str, problems, sums, dates: int, engine: str) -> ODResult:
    """An engine's answer: the errors in the reader's order and wording, the table, and the
    reader's "no flow above zero" when there is neither."""
    from kg.sources.migration import NO_FLOW

    errors, table = od_problems(name, problems), od_table(sums, dates)
    if table.empty and not errors:
        errors.append(f"{name}: {NO_FLOW}")
    return ODResult(table, errors, engine)


def od_table(sums, dates: int) -> pd.DataFrame:
    """The table from summed values per pair: mean over the file's dates, above 0 kept."""
    n = max(1, dates)
    rows = sorted((o, d, total / n) for o, d, total in sums if total > 0)
    return pd.DataFrame(rows, columns=OD_COLUMNS).astype({"weight": "float64"})
