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

import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, NamedTuple

import numpy as np
import pandas as pd

from kg.model import schema
from kg.sources.firm_blocks import (UNPARSED, RejectsFile, SeenIndex, Verdicts, fields_of, first_index,
                                    hash_text, is_blank, maybe_not_a_number, to_number)
from kg.sources.firm_places import (Places, default_places, industry_lookup,  # noqa: F401 (re-exported)
                                    old_code, taxonomy)

REQUIRED = ("firm_id", "firm_name", "industry", "hq_adcode", "branch_adcode", "year")
OPTIONAL = ("capital",)
COLUMNS = REQUIRED + OPTIONAL
TEXT = ("firm_id", "firm_name", "industry")
NUMERIC = ("hq_adcode", "branch_adcode", "year", "capital")
YEAR_RANGE = (1949, 2100)
BLOCK_BYTES = 4 << 20            # lines are read and checked ~4 MB at a time
MAX_KEPT_REJECTS = 1000          # rejects kept in memory (all of them go to the file)
# odd 64-bit constants that mix the hashes of a row's fields into one key
_MIX1, _MIX2, _MIX3 = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F),
                       np.uint64(0x165667B19E3779F9))


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
        self._links = SeenIndex()                  # hash(firm_id, branch) -> line
        self._firms = SeenIndex(with_value=True)   # hash(firm_id) -> line, hash(name, industry, hq)
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
        with open(self.path, "rb") as fh, RejectsFile(self.rejects_path) as self._writer:
            self._read_header(fh.readline())
            self._writer.start(["line", "reason", *self.header])
            line = 1
            while lines := fh.readlines(self.block_bytes):
                first, line = line + 1, line + len(lines)
                self.bytes_read = fh.tell()
                if not lines[-1].endswith(b"\n"):  # only the file's last line can lack one
                    self.stats.rows += 1
                    self._reject(line, "last line has no line break (file cut off?)", "truncated",
                                 fields_of(lines.pop()))
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
        self.header = [h.strip() for h in fields_of(raw.decode("utf-8-sig", errors="replace"))]
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
        if maybe_not_a_number(block):
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
                    frame[col] = to_number(frame[col])
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
            fields = fields_of(lines[i])
            if is_blank(fields):
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
                fields = fields_of(raw.decode("utf-8"))
            except UnicodeDecodeError:
                self.stats.rows += 1
                self._reject(first + i, "not valid UTF-8", "encoding",
                             fields_of(raw.decode("utf-8", errors="replace")))
                continue
            if is_blank(fields):
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
                frame[col] = to_number(frame[col])
        frame = frame[[c for c in COLUMNS if c in frame]]
        frame.insert(0, "line", np.asarray(numbers, dtype=np.int64))
        return frame

    # -- checking ---------------------------------------------------------------------------
    def _validated(self, df: pd.DataFrame, lines: list[bytes], first: int) -> pd.DataFrame:
        df = df.reset_index(drop=True)
        if "capital" not in df:
            df["capital"] = np.nan
        v = Verdicts(len(df))
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
        fid = hash_text(df["firm_id"])
        attrs = (hash_text(df["firm_name"]) ^ (hash_text(df["industry"], few=True) * _MIX1)
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
            fields = fields_of(lines[lines_of[i] - first])
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

    def _check_firms(self, fid, attrs, line, v: "Verdicts"):
        """A firm id names one firm: the same name, industry and HQ on every row."""
        known, pos, order = self._firms.lookup(fid)
        v.flag(known & (self._firms.value_at(pos) != attrs), "conflicting firm_id", "firm_id",
               other=self._firms.line_at(pos))
        # a firm new in this block is held to its first still-valid row in the block
        fresh = ~v.bad & ~known
        first = first_index(fid, fresh, order)
        v.flag(fresh & (attrs[first] != attrs), "conflicting firm_id", "firm_id",
               other=line[first])
        return known, pos

    def _check_links(self, link, line, v: "Verdicts"):
        """A (firm_id, branch_adcode) pair is given once."""
        known, pos, order = self._links.lookup(link)
        v.flag(known, "duplicate", "branch_adcode", other=self._links.line_at(pos))
        fresh = ~v.bad
        first = first_index(link, fresh, order)
        v.flag(fresh & (first != np.arange(len(link))), "duplicate", "branch_adcode",
               other=line[first])
        return pos

    def _reason(self, v: "Verdicts", i: int, fields: dict) -> str:
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
