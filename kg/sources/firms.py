"""Firm-linkage files: one row per firm and branch, read as a validated stream.

A firm-linkage file says that a firm headquartered in one place has a branch (分支机构 or
subsidiary) in another. Projected to cities it gives the HQ → branch city network that
firm-linkage studies of the Chinese city system use (see ``kg.analysis.firm_network``).

Schema (UTF-8 CSV, header row, column order free, extra columns ignored; full guide in
``docs/firms.md``):

==============  ========  ================================================================
column          required  meaning
==============  ========  ================================================================
firm_id         yes       stable id of the firm (e.g. its 统一社会信用代码)
firm_name       yes       registered name
industry        yes       industry as the source names it (e.g. a 国民经济行业分类 name)
hq_adcode       yes       6-digit GB/T 2260 code of the HQ city or county
branch_adcode   yes       6-digit code of the branch city or county
year            yes       year the branch was set up or observed (1949..2100)
capital         no        capital of the branch, 万元 (10,000 CNY); empty if unknown
==============  ========  ================================================================

A code retired by the row's ``year`` (金坛市 320482 in 2010, now 金坛区 320413) is read as
the one unit of today it became, through ``kg.sources.crosswalk`` (``stats.crosswalked``
counts them, ``old_codes`` lists them); a code whose unit was split since is rejected with
the split as the reason, never apportioned.

An industry that matches an id, name or alias of the curated taxonomy (``data/nodes``)
also gets that ``industry_id``. One row per (firm_id, branch_adcode): a firm's rows
repeat its name, industry and HQ. One record per line (a line break inside a quoted
field is not supported: both halves are rejected).

A row is *rejected* (the rest still loads) when it has the wrong number of fields, a
required field is empty, a code is not a city or county, the year or capital is
malformed, it is not valid UTF-8, the firm-branch pair was given before, the firm id was used before with
another name, industry or HQ, or it is the last line and has no line break (the file
was cut off). Every reject goes to a rejects CSV with its line number and reason; fix
the rows there and feed that file back (its extra ``line``/``reason`` columns are
ignored). A file without a header naming every required column fails as a whole
(``FirmFileError``).

Speed and memory: blocks of lines (~4 MB) are parsed by pandas' C parser and checked
with vectorised numpy operations; nothing is kept but, to catch duplicates anywhere in
the file, sorted 64-bit hashes of the firm-branch keys and firm ids seen (≈ 12 bytes a
row: 12 MB for a million rows).

>>> import io, tempfile, pathlib
>>> text = ("firm_id,firm_name,industry,hq_adcode,branch_adcode,year\\n"
...         "F1,甲公司,制造业,310000,320100,2019\\n"
...         "F1,甲公司,制造业,310000,999999,2019\\n")
>>> path = pathlib.Path(tempfile.mkdtemp()) / "firms.csv"; _ = path.write_text(text, "utf-8")
>>> reader = FirmReader(path)
>>> [(r.firm_id, r.hq_city, r.branch_city) for r in reader.rows()]
[('F1', '310000', '320100')]
>>> reader.stats.rejected, reader.rejects[0].line, reader.rejects[0].reason
(1, 3, 'unknown branch_adcode 999999')
"""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, NamedTuple

import numpy as np
import pandas as pd

from kg.model import schema

REQUIRED = ("firm_id", "firm_name", "industry", "hq_adcode", "branch_adcode", "year")
OPTIONAL = ("capital",)
COLUMNS = REQUIRED + OPTIONAL
TEXT = ("firm_id", "firm_name", "industry")
NUMERIC = ("hq_adcode", "branch_adcode", "year", "capital")
YEAR_RANGE = (1949, 2100)
BLOCK_BYTES = 4 << 20            # lines are read and checked ~4 MB at a time
MAX_KEPT_REJECTS = 1000          # rejects kept in memory (all of them go to the file)
UNPARSED = -1.0                  # stands for a number column whose text is not a number


def old_code(cw, code: str, year: int, places: "Places"):
    """How the firm reader reads ``code`` given for ``year`` (a code of the crosswalk
    ``cw``): ``None`` = as it is (today's unit); ``(target, why)`` = the one unit of today
    it became (``why`` the change chain), or ``(None, why)`` when it became none or several
    (rejected with ``why``; a code in use today for another unit is then not read as that)."""
    from kg.sources.crosswalk import current_unit, describe

    record = cw.record(code, year)
    if code in places.city and not (record and record["status"] == "弃用"):
        return None
    target, res, why = current_unit(cw, code, year, places.city)
    return (None, why) if target is None else (target, describe(res))


class FirmFileError(ValueError):
    """The whole file is unusable (missing, empty, or a required column is absent)."""


class Reject(NamedTuple):
    line: int
    reason: str
    fields: list


class FirmRow(NamedTuple):
    line: int
    firm_id: str
    firm_name: str
    industry: str
    industry_id: str | None
    hq_adcode: str
    branch_adcode: str
    year: int
    capital: float | None
    hq_city: str
    branch_city: str


# --- places ------------------------------------------------------------------------------

@dataclass
class Places:
    """What firm files need to know about places: which codes are firm locations (cities
    and counties), the city each belongs to, and names and points for the network.

    ``city`` maps a county to its prefecture-level city; a city, municipality or SAR to
    itself; and a county that no city holds (省直辖县级市 such as 仙桃市) to itself, since
    it is governed like a city. ``cities`` lists the city codes; the arrays ``city_index``
    (code -> position in ``cities``, -1 if not a location) and ``code_text`` (code ->
    "320100") let whole columns of codes be looked up at once.
    """
    city: dict[str, str]
    name: dict[str, str]
    level: dict[str, str]
    lon: dict[str, float] = field(default_factory=dict)
    lat: dict[str, float] = field(default_factory=dict)
    province: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        self.cities = np.array(sorted(set(self.city.values())), dtype=object)
        position = {c: i for i, c in enumerate(self.cities)}
        self.city_index = np.full(1_000_000, -1, dtype=np.int32)
        self.code_text = np.full(1_000_000, None, dtype=object)
        for code, city in self.city.items():
            self.city_index[int(code)] = position[city]
            self.code_text[int(code)] = code

    @classmethod
    def from_units(cls, units=None) -> "Places":
        """From the administrative code table (fast; no graph build needed)."""
        from kg.sources.admin import read_units

        units = units if units is not None else read_units()
        nodes = {u.adcode: {"labels": u.labels, "name": u.name, "lon": u.lon, "lat": u.lat,
                            "parent": u.parent} for u in units}
        # units without coordinates in the code table take their parent's point
        for d in nodes.values():
            parent = nodes.get(d["parent"]) if d["parent"] else None
            if d["lon"] is None and parent and parent["lon"] is not None:
                d["lon"], d["lat"] = parent["lon"], parent["lat"]
        return cls._build(nodes)

    @classmethod
    def from_graph(cls, g) -> "Places":
        """From a built graph (same codes; coordinates as the build filled them)."""
        nodes = {}
        for key, d in g.nodes(data=True):
            if schema.is_place(d):
                parents = [v for _, v, t in g.out_edges(key, data="type") if t == schema.BELONGS_TO]
                nodes[key] = {"labels": d["labels"], "name": d.get("name"), "lon": d.get("lon"),
                              "lat": d.get("lat"), "parent": parents[0] if parents else None}
        return cls._build(nodes)

    @classmethod
    def _build(cls, nodes: dict) -> "Places":
        city, level, name, lon, lat, province = {}, {}, {}, {}, {}, {}
        for code, d in nodes.items():
            lev = schema.level(d)
            name[code], level[code] = d["name"], lev
            if d["lon"] is not None:
                lon[code], lat[code] = d["lon"], d["lat"]
            top = code
            while nodes[top]["parent"]:
                top = nodes[top]["parent"]
            province[code] = top
            if lev == schema.CITY:
                city[code] = code
            elif lev == schema.COUNTY:
                parent = d["parent"]
                city[code] = parent if parent and schema.is_city(nodes[parent]) else code
        return cls(city, name, level, lon, lat, province)

    def lookup(self, codes: np.ndarray) -> np.ndarray:
        """City positions of a float array of codes; -1 where it is not a firm location."""
        with np.errstate(invalid="ignore"):
            ints = np.nan_to_num(codes, nan=-1.0).astype(np.int64)
        ok = (ints >= 0) & (ints < len(self.city_index)) & (ints == codes)
        return np.where(ok, self.city_index[np.where(ok, ints, 0)], -1)


_PLACES: Places | None = None


def default_places() -> Places:
    """Places from the code table, made once per process."""
    global _PLACES
    if _PLACES is None:
        _PLACES = Places.from_units()
    return _PLACES


# --- industries --------------------------------------------------------------------------

def taxonomy(data_dir=None) -> dict[str, dict]:
    """The Industry nodes of the curated taxonomy (``data/nodes/*.csv``): id -> row.

    Read straight from the files, so that firm files can be checked without a build.
    """
    from kg.paths import DATA

    found = {}
    for path in sorted((Path(data_dir or DATA) / "nodes").glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if schema.INDUSTRY in (row.get("labels") or "").split(";") and row.get("id"):
                    found[row["id"]] = row
    return found


def industry_lookup(data_dir=None) -> dict[str, str]:
    """id, name, English name and aliases of every taxonomy industry -> its id."""
    lookup = {}
    for key, row in taxonomy(data_dir).items():
        aliases = (row.get("aliases") or "").split(";")
        for form in (key, row.get("name"), row.get("name_en"), *aliases):
            if form and form.strip():
                lookup.setdefault(form.strip(), key)
    return lookup


# --- the reader --------------------------------------------------------------------------

@dataclass
class ReadStats:
    rows: int = 0          # data rows seen (blank lines not counted)
    accepted: int = 0
    rejected: int = 0
    blank: int = 0
    crosswalked: int = 0   # codes given by an old code and resolved to today's unit
    reasons: Counter = field(default_factory=Counter)  # kind of problem -> rows

    def summary(self) -> str:
        kinds = ", ".join(f"{k}: {n}" for k, n in self.reasons.most_common())
        return (f"{self.rows} rows: {self.accepted} accepted, {self.rejected} rejected"
                + (f" ({kinds})" if kinds else "")
                + (f"; {self.crosswalked} old codes resolved to today's units" if self.crosswalked else ""))


class FirmReader:
    """Stream a firm-linkage CSV as validated chunks (DataFrames) or rows.

    ``chunks()`` yields DataFrames with the schema columns (adcodes as text, ``year``
    int, ``capital`` float, NaN when unknown) plus ``line``, ``industry_id``,
    ``hq_city``/``branch_city`` (city adcodes), ``hq_ci``/``branch_ci`` (positions in
    ``places.cities``) and ``new_firm`` (True on the first accepted row of each firm,
    the row that defines its name, industry and HQ). With ``network_only`` the chunks
    hold just ``hq_ci``, ``branch_ci`` and ``capital`` (the same rows, checked the same
    way), which is all the city projection reads. Rejects go to ``rejects_path`` as they happen (the first
    ``MAX_KEPT_REJECTS`` are also kept in ``rejects``); counts are in ``stats``.
    A reader reads its file once.
    """

    def __init__(self, path, places: Places | None = None, industries: dict | None = None,
                 rejects_path=None, block_bytes: int = BLOCK_BYTES, network_only: bool = False):
        self.path = Path(path)
        self.places = places or default_places()
        self.industries = industries if industries is not None else industry_lookup()
        self.rejects_path = Path(rejects_path) if rejects_path else None
        self.block_bytes = block_bytes
        self.network_only = network_only
        self.stats = ReadStats()
        self.bytes_read = 0  # for progress bars
        self.rejects: list[Reject] = []
        self.header: list[str] = []
        self._links = _SeenIndex()                  # hash(firm_id, branch) -> line
        self._firms = _SeenIndex(with_value=True)   # hash(firm_id) -> line, hash(name, industry, hq)
        self._writer = None
        self._pending: list[Reject] = []
        self._text_columns: set[str] = set()  # number columns found holding text
        self._crosswalk_codes = None
        # (old code, year) -> (today's code or None, the change chain or why not)
        self.old_codes: dict[tuple[str, int], tuple[str | None, str]] = {}

    # -- public -----------------------------------------------------------------------------
    def chunks(self) -> Iterator[pd.DataFrame]:
        if not self.path.is_file():
            raise FirmFileError(f"{self.path}: no such file")
        with open(self.path, "rb") as fh, _RejectsFile(self.rejects_path) as self._writer:
            self._read_header(fh.readline())
            self._writer.start(["line", "reason", *self.header])
            line = 1
            while lines := fh.readlines(self.block_bytes):
                first, line = line + 1, line + len(lines)
                self.bytes_read = fh.tell()
                if not lines[-1].endswith(b"\n"):  # only the file's last line can lack one
                    self.stats.rows += 1
                    self._reject(line, "last line has no line break (file cut off?)", "truncated",
                                 _fields(lines.pop()))
                frame = self._parse(lines, first)
                out = self._validated(frame, lines, first) if len(frame) else None
                self._flush()
                if out is not None and len(out):
                    yield out

    def rows(self) -> Iterator[FirmRow]:
        for c in self.chunks():
            ind = c["industry_id"].astype(object).where(c["industry_id"].notna(), None)
            cap = c["capital"].astype(object).where(c["capital"].notna(), None)
            yield from (FirmRow(*t) for t in zip(
                c["line"], c["firm_id"], c["firm_name"], c["industry"], ind, c["hq_adcode"],
                c["branch_adcode"], c["year"], cap, c["hq_city"], c["branch_city"]))

    # -- parsing ----------------------------------------------------------------------------
    def _read_header(self, raw: bytes) -> None:
        text = raw.decode("utf-8-sig", errors="replace").strip()
        if not text:
            raise FirmFileError(f"{self.path}: empty file (no header row)")
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # else it reads as "missing columns"
            raise FirmFileError(f"{self.path}, line 1: the file is UTF-16 (Excel 'Unicode text'); "
                                "save it as 'CSV UTF-8' and try again")
        self.header = [h.strip() for h in _fields(raw.decode("utf-8-sig", errors="replace"))]
        twice = sorted({h for h in self.header if self.header.count(h) > 1})
        if twice:
            raise FirmFileError(f"{self.path}, line 1: column(s) {', '.join(twice)} given twice")
        missing = [c for c in REQUIRED if c not in self.header]
        if missing:
            raise FirmFileError(f"{self.path}, line 1: missing column(s) {', '.join(missing)}; "
                                f"expected {', '.join(REQUIRED)} [, capital]")

    def _parse(self, lines: list[bytes], first: int) -> pd.DataFrame:
        """Parse a block with pandas' C parser, numbers straight to floats. A block with
        a number column holding text is parsed again as text and converted; one with bad
        bytes, a row with extra fields or a quoted line break is parsed line by line."""
        block = b"".join(lines)
        if _maybe_not_a_number(block):
            return self._parse_lines(lines, first)
        try:
            block.decode("utf-8")
            try:
                frame = self._read_block(block)
            except pd.errors.ParserError:
                raise
            except ValueError:  # text in a number column: read them all as text this once
                frame = self._read_block(block, all_text=True)
            for col in NUMERIC:
                if col in frame and frame[col].dtype == object:
                    frame[col] = _to_number(frame[col])
                    if (frame[col] == UNPARSED).any():
                        self._text_columns.add(col)  # later blocks read it as text at once
            if len(frame) != len(lines):
                raise ValueError("a record spans lines")
        except (ValueError, UnicodeDecodeError):
            return self._parse_lines(lines, first)
        frame = frame[[c for c in COLUMNS if c in frame]]  # extra columns (a rejects file's
        frame.insert(0, "line", np.arange(first, first + len(lines)))  # own "line") are dropped
        # empty cells: a blank line, a short row, or a genuinely empty field
        holes = np.flatnonzero(frame[list(REQUIRED)].isna().any(axis=1).to_numpy())
        drop = []
        for i in holes:
            fields = _fields(lines[i])
            if _blank(fields):
                self.stats.blank += 1
                drop.append(i)
            elif len(fields) != len(self.header):
                self.stats.rows += 1
                self._reject(first + i, f"expected {len(self.header)} fields, found {len(fields)}",
                             "field count", fields)
                drop.append(i)
        self.stats.rows += len(lines) - len(drop)
        return frame.drop(index=drop) if drop else frame

    def _read_block(self, block: bytes, all_text: bool = False) -> pd.DataFrame:
        numbers = () if all_text else set(NUMERIC) - self._text_columns
        kinds = {c: (np.float64 if c in numbers else object) for c in self.header}
        return pd.read_csv(io.BytesIO(block), header=None, names=self.header, engine="c",
                           dtype=kinds, keep_default_na=False, na_values=[""],
                           skip_blank_lines=False, skipinitialspace=True)

    def _parse_lines(self, lines: list[bytes], first: int) -> pd.DataFrame:
        records, numbers = [], []
        for i, raw in enumerate(lines):
            try:
                fields = _fields(raw.decode("utf-8"))
            except UnicodeDecodeError:
                self.stats.rows += 1
                self._reject(first + i, "not valid UTF-8", "encoding",
                             _fields(raw.decode("utf-8", errors="replace")))
                continue
            if _blank(fields):
                self.stats.blank += 1
                continue
            self.stats.rows += 1
            if len(fields) != len(self.header):
                self._reject(first + i, f"expected {len(self.header)} fields, found {len(fields)}",
                             "field count", fields)
                continue
            records.append(fields)
            numbers.append(first + i)
        frame = pd.DataFrame(records, columns=self.header, dtype=object).replace("", np.nan)
        for col in NUMERIC:
            if col in frame:
                frame[col] = _to_number(frame[col])
        frame = frame[[c for c in COLUMNS if c in frame]]
        frame.insert(0, "line", np.asarray(numbers, dtype=np.int64))
        return frame

    # -- checking ---------------------------------------------------------------------------
    def _validated(self, df: pd.DataFrame, lines: list[bytes], first: int) -> pd.DataFrame:
        df = df.reset_index(drop=True)
        if "capital" not in df:
            df["capital"] = np.nan
        v = _Verdicts(len(df))
        for col in REQUIRED:
            v.flag(df[col].isna().to_numpy(), "missing field", col)
        for col in ("hq_adcode", "branch_adcode"):
            self._resolve_old_codes(df, col)
        hq_ci = self.places.lookup(df["hq_adcode"].to_numpy())
        branch_ci = self.places.lookup(df["branch_adcode"].to_numpy())
        v.flag(hq_ci < 0, "unknown adcode", "hq_adcode")
        v.flag(branch_ci < 0, "unknown adcode", "branch_adcode")
        year = df["year"].to_numpy()
        with np.errstate(invalid="ignore"):
            v.flag((year % 1 != 0) | (year < YEAR_RANGE[0]) | (year > YEAR_RANGE[1]), "bad year",
                   "year")
            capital = df["capital"].to_numpy(dtype=np.float64)
            v.flag(capital < 0, "bad capital", "capital")
        # duplicates, by 64-bit hashes (text hashed once, codes mixed in arithmetically)
        hq_code = np.nan_to_num(df["hq_adcode"].to_numpy()).astype(np.uint64)
        branch_code = np.nan_to_num(df["branch_adcode"].to_numpy()).astype(np.uint64)
        fid = _hash_text(df["firm_id"])
        attrs = (_hash_text(df["firm_name"]) ^ (_hash_text(df["industry"], few=True) * _MIX1)
                 ^ (hq_code * _MIX2))
        link = fid ^ (branch_code * _MIX3)
        line = df["line"].to_numpy()
        firm_known, firm_pos = self._check_firms(fid, attrs, line, v)
        link_pos = self._check_links(link, line, v)
        keep = ~v.bad
        # remember what was accepted: new firms (first row of each) and every link
        new = np.flatnonzero(keep & ~firm_known)
        new = new[np.unique(fid[new], return_index=True)[1]]
        self._firms.add(fid[new], firm_pos[new], line[new], attrs[new])
        self._links.add(link[keep], link_pos[keep], line[keep])

        lines_of = df["line"].to_numpy()
        for i in np.flatnonzero(v.bad):
            fields = _fields(lines[lines_of[i] - first])
            named = dict(zip(self.header, fields))
            self._reject(int(lines_of[i]), self._reason(v, i, named), v.kind[i], fields)
        self.stats.accepted += int(keep.sum())
        if self.network_only:  # what the city projection needs, nothing more
            return pd.DataFrame({"hq_ci": hq_ci[keep], "branch_ci": branch_ci[keep],
                                 "capital": capital[keep]})
        out = df.loc[keep, ["line", *TEXT]].reset_index(drop=True)
        out["industry_id"] = out["industry"].map(self.industries)
        hq_codes = df["hq_adcode"].to_numpy()[keep].astype(np.int64)
        branch_codes = df["branch_adcode"].to_numpy()[keep].astype(np.int64)
        out["hq_adcode"] = self.places.code_text[hq_codes]
        out["branch_adcode"] = self.places.code_text[branch_codes]
        out["year"] = year[keep].astype(np.int64)
        out["capital"] = capital[keep]
        out["hq_ci"], out["branch_ci"] = hq_ci[keep], branch_ci[keep]
        out["hq_city"] = self.places.cities[hq_ci[keep]]
        out["branch_city"] = self.places.cities[branch_ci[keep]]
        first_of_firm = np.zeros(len(df), dtype=bool)
        first_of_firm[new] = True
        out["new_firm"] = first_of_firm[keep]
        return out

    def _resolve_old_codes(self, df: pd.DataFrame, col: str) -> None:
        """Replace, in place, each code that was retired by ``year`` (or reused since) with
        the one unit of today it became (``kg.sources.crosswalk.current_unit``); a code
        whose unit was split stays as it is (rejected, with the split as the reason)."""
        from kg.sources.crosswalk import default_crosswalk

        cw = default_crosswalk()
        if self._crosswalk_codes is None:
            self._crosswalk_codes = np.array(sorted(int(c) for c in cw.by_code), dtype=np.float64)
        codes, years = df[col].to_numpy(dtype=np.float64), df["year"].to_numpy(dtype=np.float64)
        with np.errstate(invalid="ignore"):
            maybe = np.isin(codes, self._crosswalk_codes) & (years % 1 == 0)
        if not maybe.any():
            return
        pairs = np.unique(np.stack([codes[maybe], years[maybe]], axis=1), axis=0)
        for code_f, year_f in pairs:
            code, year = f"{int(code_f):06d}", int(year_f)
            verdict = old_code(cw, code, year, self.places)
            if verdict is None:
                continue
            self.old_codes[code, year] = verdict
            sel = maybe & (codes == code_f) & (years == year_f)
            if verdict[0] is None:
                if code in self.places.city:     # a reused code: its old unit is not today's
                    df.loc[sel, col] = UNPARSED
                continue
            df.loc[sel, col] = float(verdict[0])
            self.stats.crosswalked += int(sel.sum())

    def _check_firms(self, fid, attrs, line, v: "_Verdicts"):
        """A firm id names one firm: the same name, industry and HQ on every row."""
        known, pos, order = self._firms.lookup(fid)
        v.flag(known & (self._firms.value_at(pos) != attrs), "conflicting firm_id", "firm_id",
               other=self._firms.line_at(pos))
        # a firm new in this block is held to its first still-valid row in the block
        fresh = ~v.bad & ~known
        first = _first_index(fid, fresh, order)
        v.flag(fresh & (attrs[first] != attrs), "conflicting firm_id", "firm_id",
               other=line[first])
        return known, pos

    def _check_links(self, link, line, v: "_Verdicts"):
        """A (firm_id, branch_adcode) pair is given once."""
        known, pos, order = self._links.lookup(link)
        v.flag(known, "duplicate", "branch_adcode", other=self._links.line_at(pos))
        fresh = ~v.bad
        first = _first_index(link, fresh, order)
        v.flag(fresh & (first != np.arange(len(link))), "duplicate", "branch_adcode",
               other=line[first])
        return pos

    def _reason(self, v: "_Verdicts", i: int, fields: dict) -> str:
        kind, col, other = v.kind[i], v.column[i], int(v.other[i])
        value = fields.get(col, "").strip()
        if kind == "missing field":
            return f"missing {col}"
        if kind == "unknown adcode":
            year = fields.get("year", "").strip()
            old = self.old_codes.get((value, int(year))) if year.isdigit() else None
            if old is not None and old[0] is None:
                return f"{col} {value} is an old code: {old[1]}"
            if self.places.level.get(value) == schema.PROVINCE:
                return f"{col} {value} is a province; give the city or county"
            return f"unknown {col} {value}"
        if kind == "bad year":
            return f"year {value} is not a year in {YEAR_RANGE[0]}..{YEAR_RANGE[1]}"
        if kind == "bad capital":
            return f"capital {value} is not a non-negative number"
        if kind == "conflicting firm_id":
            return (f"firm_id {value} is used at line {other} with another firm_name, industry "
                    "or hq_adcode")
        return f"duplicate of line {other} (same firm_id and branch_adcode)"

    def _reject(self, line: int, reason: str, kind: str, fields: list) -> None:
        self.stats.rejected += 1
        self.stats.reasons[kind] += 1
        self._pending.append(Reject(line, reason, list(fields)))

    def _flush(self) -> None:
        """Write the block's rejects in line order."""
        for r in sorted(self._pending):
            if len(self.rejects) < MAX_KEPT_REJECTS:
                self.rejects.append(r)
            self._writer.write([r.line, r.reason, *r.fields])
        self._pending = []


class _Verdicts:
    """The first problem found with each row of a block (kind None while it passes)."""

    def __init__(self, n: int):
        self.kind = np.full(n, None, dtype=object)
        self.column = np.full(n, None, dtype=object)
        self.other = np.zeros(n, dtype=np.int64)     # the earlier line a duplicate repeats
        self.bad = np.zeros(n, dtype=bool)

    def flag(self, mask, kind: str, column: str, other=None) -> None:
        mask = np.asarray(mask, dtype=bool) & ~self.bad
        if mask.any():
            self.kind[mask], self.column[mask], self.bad[mask] = kind, column, True
            if other is not None:
                self.other[mask] = np.asarray(other)[mask]


class _SeenIndex:
    """Sorted 64-bit hashes of keys already accepted, with the line each came from.

    Hashes stand for the keys so that memory is 12 bytes a key whatever the key's
    length; two different keys share a hash with probability ~n²/2⁶⁵ (3e-8 at 10⁶ keys).
    """

    def __init__(self, with_value: bool = False):
        self.hashes = np.empty(0, dtype=np.uint64)
        self.lines = np.empty(0, dtype=np.uint32)
        self.values = np.empty(0, dtype=np.uint64) if with_value else None

    def lookup(self, h: np.ndarray):
        """(found mask, insertion position, stable sort order) of each hash."""
        order = np.argsort(h, kind="stable")  # sorted needles: cache-friendly searches
        pos = np.empty(len(h), dtype=np.int64)
        pos[order] = np.searchsorted(self.hashes, h[order])
        if not len(self.hashes):
            return np.zeros(len(h), dtype=bool), pos, order
        return self.hashes[np.minimum(pos, len(self.hashes) - 1)] == h, pos, order

    def line_at(self, pos):
        return self.lines[np.minimum(pos, len(self.lines) - 1)] if len(self.lines) else 0

    def value_at(self, pos):
        return self.values[np.minimum(pos, len(self.values) - 1)] if len(self.values) else 0

    def add(self, h, pos, lines, values=None) -> None:
        """Insert new hashes at the positions ``lookup`` gave (one copy of the index)."""
        order = np.lexsort((h, pos))
        self.hashes = np.insert(self.hashes, pos[order], h[order])
        self.lines = np.insert(self.lines, pos[order], lines[order].astype(np.uint32))
        if self.values is not None:
            self.values = np.insert(self.values, pos[order], values[order])


class _RejectsFile:
    """The rejects CSV, written as rejects happen (nothing is written without a path)."""

    def __init__(self, path: Path | None):
        self.path, self.fh, self.out = path, None, None

    def __enter__(self):
        return self

    def start(self, header: list[str]) -> None:
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.fh = open(self.path, "w", newline="", encoding="utf-8")
            self.out = csv.writer(self.fh)
            self.out.writerow(header)

    def write(self, row: list) -> None:
        if self.out:
            self.out.writerow(row)

    def __exit__(self, *exc):
        if self.fh:
            self.fh.close()


_MIX1, _MIX2, _MIX3 = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F),
                       np.uint64(0x165667B19E3779F9))


def _hash_text(col: pd.Series, few: bool = False) -> np.ndarray:
    """64-bit hashes of a text column (``few``: few distinct values, hash those once)."""
    return pd.util.hash_array(col.to_numpy(dtype=object), categorize=few)


def _first_index(keys: np.ndarray, among: np.ndarray, order: np.ndarray) -> np.ndarray:
    """For each row, the first row in ``among`` with the same key (0 when there is none;
    callers only read rows that are in ``among``). ``order`` sorts ``keys`` stably."""
    rows = order[among[order]]          # rows in ``among``, by key, ties in row order
    first = np.zeros(len(keys), dtype=np.int64)
    if len(rows):
        k = keys[rows]
        starts = np.flatnonzero(np.concatenate([[True], k[1:] != k[:-1]]))
        run = np.repeat(starts, np.diff(np.append(starts, len(rows))))
        first[rows] = rows[run]
    return first


def _to_number(text: pd.Series) -> pd.Series:
    """Floats from text; NaN where empty, ``UNPARSED`` where not a (finite) number."""
    try:
        value = text.astype(np.float64)  # most columns are clean, and this is 5x faster
    except ValueError:
        value = pd.to_numeric(text, errors="coerce")
    # "NaN" and "inf" parse as floats, but a cell holding them is not a number: reject it
    return value.where(np.isfinite(value) | text.isna(), UNPARSED).astype(np.float64)


# A cell that is just NaN/inf: the C parser would read it as a float (NaN looking like an
# empty cell), so such a block goes the line-by-line way, where _to_number rejects it.
_NOT_A_NUMBER = re.compile(rb"(?im)(?:^|,)[ \t]*[+-]?(?:nan|inf(?:inity)?)[ \t]*(?=,|\r?$)")


def _maybe_not_a_number(block: bytes) -> bool:
    """Does a block hold a NaN/inf cell? The regex alone costs ~2 s a million rows; a plain
    substring test first (0.1 s) leaves it only the rare blocks that spell nan or inf."""
    low = block.lower()
    return (b"nan" in low or b"inf" in low) and _NOT_A_NUMBER.search(block) is not None


def _fields(line) -> list[str]:
    """The CSV fields of one line (bytes or text)."""
    if isinstance(line, bytes):
        line = line.decode("utf-8", errors="replace")
    try:
        return next(csv.reader([line.rstrip("\r\n")], skipinitialspace=True), [])
    except csv.Error:  # a cell over csv's 128 KiB limit: split plainly, it is only reported
        return [f.strip() for f in line.rstrip("\r\n").split(",")]


def _blank(fields: list[str]) -> bool:
    return not fields or (len(fields) == 1 and not fields[0].strip())
