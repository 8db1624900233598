"""The vectorised pieces of the firm reader (``kg.sources.firms.FirmReader``): per-row
verdicts of a block, the sorted hash index of keys seen, the rejects file, and the parsing of
number columns and single lines.

>>> to_number(pd.Series(["1.5", None, "x", "nan"])).tolist()   # empty -> NaN, not a number -> UNPARSED
[1.5, nan, -1.0, -1.0]
>>> fields_of(b'F1, "a,b",320100\\n')
['F1', 'a,b', '320100']
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd

UNPARSED = -1.0                  # stands for a number column whose text is not a number


class Verdicts:
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


class SeenIndex:
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


class RejectsFile:
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


def hash_text(col: pd.Series, few: bool = False) -> np.ndarray:
    """64-bit hashes of a text column (``few``: few distinct values, hash those once)."""
    return pd.util.hash_array(col.to_numpy(dtype=object), categorize=few)


def first_index(keys: np.ndarray, among: np.ndarray, order: np.ndarray) -> np.ndarray:
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


def to_number(text: pd.Series) -> pd.Series:
    """Floats from text; NaN where empty, ``UNPARSED`` where not a (finite) number."""
    try:
        value = text.astype(np.float64)  # most columns are clean, and this is 5x faster
    except ValueError:
        value = pd.to_numeric(text, errors="coerce")
    # "NaN" and "inf" parse as floats, but a cell holding them is not a number: reject it
    return value.where(np.isfinite(value) | text.isna(), UNPARSED).astype(np.float64)


# A cell that is just NaN/inf: the C parser would read it as a float (NaN looking like an
# empty cell), so such a block goes the line-by-line way, where to_number rejects it.
_NOT_A_NUMBER = re.compile(rb"(?im)(?:^|,)[ \t]*[+-]?(?:nan|inf(?:inity)?)[ \t]*(?=,|\r?$)")


def maybe_not_a_number(block: bytes) -> bool:
    """Does a block hold a NaN/inf cell? The regex alone costs ~2 s a million rows; a plain
    substring test first (0.1 s) leaves it only the rare blocks that spell nan or inf."""
    low = block.lower()
    return (b"nan" in low or b"inf" in low) and _NOT_A_NUMBER.search(block) is not None


def fields_of(line) -> list[str]:
    """The CSV fields of one line (bytes or text)."""
    if isinstance(line, bytes):
        line = line.decode("utf-8", errors="replace")
    try:
        return next(csv.reader([line.rstrip("\r\n")], skipinitialspace=True), [])
    except csv.Error:  # a cell over csv's 128 KiB limit: split plainly, it is only reported
        return [f.strip() for f in line.rstrip("\r\n").split(",")]


def is_blank(fields: list[str]) -> bool:
    return not fields or (len(fields) == 1 and not fields[0].strip())
