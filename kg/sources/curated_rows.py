"""Reading one curated CSV file (``data/**/*.csv``) into typed rows, each knowing its file and line.

This is the *read* step of ``kg.sources.curated`` (read, check, apply), and the one reader of
every CSV under ``data/`` (``admin`` and ``flows`` use it too). Problems never raise here: each
goes to ``errors`` as ``file:line: reason``, so a loader can report them all at once.

>>> parse_value("counties", "江北区; 渝北区")
['江北区', '渝北区']
>>> parse_value("checked", "TRUE"), parse_value("year", "2021"), parse_value("endorsed", "2022-12")
(True, 2021, '2022-12')
>>> errors = []
>>> row_props(Row("relations/x.csv:3", {"type": "CORE_OF", "year": "20x1"}), ("type",), errors)
{}
>>> errors
["relations/x.csv:3: malformed year '20x1' (an integer in 1949..2100)"]
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

SEP = ";"
SOURCE_COLUMNS = ("source_id", "title", "publisher", "year", "kind", "url_or_ref", "note")
SOURCE_KINDS = ("plan", "official-report", "article", "package", "dataset")
NODE_COLUMNS = ("id", "place", "labels", "name", "name_en", "aliases")
REL_COLUMNS = ("type", "head", "head_name", "tail", "tail_name")
PROVENANCE_COLUMNS = ("source_id", "source_title", "year", "quote", "checked", "note")
LIST_COLUMNS = ("aliases", "counties", "labels")
BOOL_COLUMNS = ("partial", "checked")
SLUG = re.compile(r"[a-z]+:[a-z0-9][a-z0-9._-]*")
NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?")
DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")
DATE_COLUMNS = ("endorsed",)
YEAR_RANGE = (1949, 2100)


class CuratedDataError(ValueError):
    """One or more problems in data/, each as ``file:line: reason``."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        shown = "\n  ".join(errors[:100])
        more = f"\n  ... and {len(errors) - 100} more" if len(errors) > 100 else ""
        super().__init__(f"{len(errors)} problem(s) in the curated data:\n  {shown}{more}")


# --- step 1: read ---------------------------------------------------------------------------

@dataclass
class Row:
    where: str       # "relations/cluster_members.csv:12"
    cells: dict      # column -> stripped text

    def get(self, column: str) -> str:
        return self.cells.get(column) or ""


def read_rows(path: Path, root: Path, required: tuple[str, ...], errors: list[str]) -> list[Row]:
    """The non-empty rows of one CSV file, each knowing its file and line."""
    from kg.sources.statistics import decode

    name = path.relative_to(root).as_posix()
    # Decode first, so a GBK or UTF-16 file (Excel's defaults) is one error naming its line
    # rather than a UnicodeDecodeError; a BOM is accepted.
    text, problem = decode(path.read_bytes(), name)
    if problem:
        errors.append(problem)
        return []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = []
    try:
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            errors.append(f"{name}:1: missing column(s) {', '.join(missing)}")
            return []
        for cells in reader:
            # DictReader puts surplus cells under the key None: a row with too many commas.
            if None in cells:
                errors.append(f"{name}:{reader.line_num}: more cells than header columns")
                continue
            cells = {k: (v or "").strip() for k, v in cells.items()}
            if any(cells.values()):
                rows.append(Row(f"{name}:{reader.line_num}", cells))
    except csv.Error as exc:  # e.g. a cell over csv's 128 KiB limit: usually an unclosed quote
        errors.append(f"{name}:{reader.line_num + 1}: {exc} (an unclosed quote?)")
        return []
    return rows


def parse_year(text: str) -> int:
    if not re.fullmatch(r"\d{4}", text) or not YEAR_RANGE[0] <= int(text) <= YEAR_RANGE[1]:
        raise ValueError(f"malformed year {text!r} (an integer in {YEAR_RANGE[0]}..{YEAR_RANGE[1]})")
    return int(text)


def parse_value(column: str, text: str):
    """A cell's text as the typed property value its column calls for."""
    if column in LIST_COLUMNS:
        return [part.strip() for part in text.split(SEP) if part.strip()]
    if column in BOOL_COLUMNS:
        if text.lower() not in ("true", "false"):
            raise ValueError(f"{column} must be true or false, not {text!r}")
        return text.lower() == "true"
    if column in ("year", "valid_from", "valid_to") or column.endswith("_year"):
        return parse_year(text)
    if column in DATE_COLUMNS or column.endswith("_date"):
        # a date as precise as the source gives it (2023, 2022-12, 2021-02-02): always text
        if not DATE.fullmatch(text):
            raise ValueError(f"{column} must be a date YYYY, YYYY-MM or YYYY-MM-DD, not {text!r}")
        return text
    if NUMBER.fullmatch(text):
        return float(text) if "." in text else int(text)
    if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        # a spreadsheet's placeholder for "no number", never a fact: leave the cell empty
        raise ValueError(f"{column} {text!r} is not a number (leave the cell empty if unknown)")
    return text


def row_props(row: Row, fixed: tuple[str, ...], errors: list[str]) -> dict:
    """Typed values of every non-empty cell outside the ``fixed`` columns."""
    props = {}
    for column, text in row.cells.items():
        if column in fixed or not text:
            continue
        try:
            props[column] = parse_value(column, text)
        except ValueError as exc:
            errors.append(f"{row.where}: {exc}")
    return props
