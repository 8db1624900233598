"""Parquet input for the flow engines: the rows as a CSV with the same rules and lines.

A Parquet file's row *i* (1 first) is reported as line *i* + 1, as if the file had been
written as CSV with a header row; the conversion streams through DuckDB. A file that is
not readable Parquet, or lacks a required column, fails as a whole with a
``FlowFileError`` that names it.
"""
from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from kg.sources.firms import COLUMNS, REQUIRED


@contextmanager
def as_csv(path: Path):
    import duckdb

    from kg.flows import FlowFileError
    from kg.paths import CACHE

    path = Path(path)
    if not path.is_file():
        raise FlowFileError(f"{path}: no such file")
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    quoted = str(path).replace("'", "''")
    try:
        names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{quoted}')").fetchall()]
    except duckdb.Error as exc:
        con.close()
        raise FlowFileError(f"{path}: not a readable Parquet file ({str(exc).splitlines()[0]})") from None
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        con.close()
        raise FlowFileError(f"{path}: missing column(s) {', '.join(missing)}; expected "
                            f"{', '.join(REQUIRED)} [, capital]")
    cols = [c for c in COLUMNS if c in names]
    folder = Path(tempfile.mkdtemp(dir=Path(CACHE).mkdir(parents=True, exist_ok=True) or CACHE,
                                   prefix="parquet-"))
    out = folder / (path.stem + ".csv")
    try:
        select = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in cols)
        con.execute(f"COPY (SELECT {select} FROM read_parquet('{quoted}')) TO "
                    f"'{str(out).replace(chr(39), chr(39) * 2)}' (HEADER, DELIMITER ',')")
    except duckdb.Error as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise FlowFileError(f"{path}: damaged Parquet file ({str(exc).splitlines()[0]})") from None
    finally:
        con.close()
    try:
        yield out
    finally:
        shutil.rmtree(folder, ignore_errors=True)
