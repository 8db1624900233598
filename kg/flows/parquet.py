"""Parquet input for the flow engines: the same rules and line numbers as the CSV would have.

A Parquet file's row *i* (1 first) is reported as line *i* + 1, as if the file had been
written as CSV with a header row; every value is read as its text (``CAST … AS VARCHAR``),
so a typed column checks as its CSV would. The DuckDB engine scans the file itself
(``scan``, ``rows_text``); the pandas and Spark engines read a CSV copy streamed by DuckDB
(``as_csv``). A file that is not readable Parquet, or lacks a required column, fails as a
whole with a ``FlowFileError`` that names it.
"""
from __future__ import annotations

import csv
import io
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from kg.sources.firms import COLUMNS, REQUIRED


def _q(path) -> str:
    return str(path).replace("'", "''")


def header(path: Path, con=None) -> tuple[list[str], int]:
    """(the firm columns the file has, in the reader's order; its row count), checked."""
    import duckdb

    from kg.flows import FlowFileError

    path = Path(path)
    if not path.is_file():
        raise FlowFileError(f"{path}: no such file")
    own = con is None
    con = con or duckdb.connect()
    try:
        names = [r[0] for r in con.execute(
            f"DESCRIBE SELECT * FROM read_parquet('{_q(path)}')").fetchall()]
        rows = con.execute(f"SELECT count(*) FROM read_parquet('{_q(path)}')").fetchone()[0]
    except duckdb.Error as exc:
        raise FlowFileError(f"{path}: not a readable Parquet file ({str(exc).splitlines()[0]})") from None
    finally:
        if own:
            con.close()
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise FlowFileError(f"{path}: missing column(s) {', '.join(missing)}; expected "
                            f"{', '.join(REQUIRED)} [, capital]")
    return [c for c in COLUMNS if c in names], rows


def scan(path: Path, cols: list[str]) -> str:
    """The rows as text columns ``c1 … cN`` (the header's order), in file order."""
    select = ", ".join(f'CAST("{c}" AS VARCHAR) AS c{i}' for i, c in enumerate(cols, start=1))
    return f"(SELECT {select} FROM read_parquet('{_q(path)}'))"


def rows_text(con, path: Path, cols: list[str], lines: list[int]) -> dict[int, bytes]:
    """The given lines' rows as the CSV line they would be (line = row number + 1)."""
    if not lines:
        return {}
    con.execute("CREATE OR REPLACE TEMP TABLE wanted AS SELECT unnest(?::BIGINT[]) - 2 AS r",
                [sorted(set(lines))])
    select = ", ".join(f'CAST("{c}" AS VARCHAR)' for c in cols)
    out = {}
    for row in con.execute(f"SELECT file_row_number, {select} FROM read_parquet('{_q(path)}', "
                           "file_row_number=true) WHERE file_row_number IN (SELECT r FROM wanted)"
                           ).fetchall():
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(["" if v is None else v for v in row[1:]])
        out[int(row[0]) + 2] = buf.getvalue().encode("utf-8")
    return out


@contextmanager
def as_csv(path: Path):
    import duckdb

    from kg.flows import FlowFileError
    from kg.paths import CACHE

    path = Path(path)
    cols, _ = header(path)
    folder = Path(tempfile.mkdtemp(dir=Path(CACHE).mkdir(parents=True, exist_ok=True) or CACHE,
                                   prefix="parquet-"))
    out = folder / (path.stem + ".csv")
    con = duckdb.connect()
    try:
        select = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in cols)
        con.execute(f"COPY (SELECT {select} FROM read_parquet('{_q(path)}')) TO "
                    f"'{_q(out)}' (HEADER, DELIMITER ',')")
    except duckdb.Error as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise FlowFileError(f"{path}: damaged Parquet file ({str(exc).splitlines()[0]})") from None
    finally:
        con.close()
    try:
        yield out
    finally:
        shutil.rmtree(folder, ignore_errors=True)
