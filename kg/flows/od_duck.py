"""The DuckDB engine for origin–destination files: ``read_od``'s rules in SQL, streaming.

The file's lines are scanned once into a narrow table (line, cell count, the origin,
destination, value and date cells); the distinct place cells (a few thousand at most)
and the value cells that are not plain decimals are resolved in Python by the reader's
own functions (``kg.flows.rules``), joined back, and the rules applied as a group-by.
Only the city pairs and the problems come back. A file the streaming path cannot read
line by line as the reader does (not UTF-8, a matrix, no header, a quoted cell that
spans lines) is read by ``read_od`` itself.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from kg.flows.duck import _FIELDS, _q, _repair, _scan
from kg.flows.rules import FAST_NUMBER, ODResult, od_places, od_result, od_values, whitespace


def _lines(path: str) -> str:
    return (f"read_csv('{_q(path)}', columns={{'raw': 'VARCHAR'}}, delim='\x01', quote='', "
            "escape='', header=false, auto_detect=false, strict_mode=false, new_line='\\n')")


def project_od(path, index, name, first: int, header: list[str], memory_limit: str = "256MB",
               threads: int = 2) -> ODResult:
    """Project a long OD file whose header is ``header`` at line ``first`` (``od_layout``)."""
    import duckdb

    from kg.flows.reference import project_od as reference
    from kg.paths import CACHE

    col = {h: i + 1 for i, h in enumerate(header)}   # the last of a repeated name, as the reader
    ws = whitespace().replace("'", "''")
    tmp = Path(CACHE) / "duckdb-tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=tmp, prefix="od-"))
    source = path
    if _scan(path)[1]:           # "\r\n": a copy with "\n" (DuckDB counts "\r\n" twice)
        source = _repair(path, work)[0]
    con = duckdb.connect(config={"memory_limit": memory_limit, "threads": threads,
                                 "temp_directory": str(work / "spill"),
                                 "preserve_insertion_order": True})
    try:
        con.execute("SET enable_progress_bar = false")
        date = f"trim(f[{col['date']}], '{ws}')" if "date" in col else "''"
        con.execute(f"""
            CREATE TEMP TABLE cells AS
            SELECT line, len(f) AS n, f[{col['origin']}] AS o_ref, f[{col['destination']}] AS d_ref,
                   f[{col['value']}] AS v_txt, {date} AS date, odd
            FROM (SELECT row_number() OVER () AS line, {_FIELDS} AS f,
                         (length(raw) - length(replace(raw, '"', ''))) % 2 = 1 AS odd
                  FROM (SELECT raw FROM {_lines(str(source))}))
            WHERE line > {first}
              AND NOT coalesce(list_bool_and(list_transform(f, lambda x: trim(x, '{ws}') = '')), true)""")
        if con.execute("SELECT count(*) FROM cells WHERE odd").fetchone()[0]:
            return reference(path, index, name)   # a quoted cell spans lines: the csv reader's way
        width = len(header)
        refs = [r[0] for r in con.execute(
            f"SELECT DISTINCT r FROM (SELECT o_ref AS r FROM cells WHERE n = {width} UNION "
            f"SELECT d_ref FROM cells WHERE n = {width})").fetchall()]
        con.register("refs_df", od_places(refs, index))
        texts = [r[0] for r in con.execute(
            f"SELECT DISTINCT v_txt FROM cells WHERE n = {width} AND NOT "
            f"regexp_full_match(v_txt, '{FAST_NUMBER}')").fetchall()]
        con.register("vals_df", od_values(texts))
        con.execute(f"""
            CREATE TEMP TABLE od AS
            SELECT c.line, c.n, po.code AS o, po.problem AS op, pd.code AS d, pd.problem AS dp,
                   CASE WHEN regexp_full_match(c.v_txt, '{FAST_NUMBER}') THEN CAST(c.v_txt AS DOUBLE)
                        ELSE vv.value END AS v,
                   CASE WHEN NOT regexp_full_match(c.v_txt, '{FAST_NUMBER}') THEN vv.problem END AS vp,
                   c.date
            FROM cells c
            LEFT JOIN refs_df po ON c.n = {width} AND po.ref = c.o_ref
            LEFT JOIN refs_df pd ON c.n = {width} AND pd.ref = c.d_ref
            LEFT JOIN vals_df vv ON c.n = {width} AND vv.text = c.v_txt""")
        con.execute("""
            CREATE TEMP VIEW fine AS SELECT * FROM od
            WHERE op IS NULL AND dp IS NULL AND vp IS NULL AND o IS NOT NULL AND d IS NOT NULL
                  AND v IS NOT NULL""")
        con.execute("""
            CREATE TEMP TABLE firsts AS
            SELECT o, d, date, min(line) AS first FROM fine WHERE o <> d GROUP BY o, d, date""")
        problems = con.execute(f"""
            SELECT line, 0, 'cells', n::VARCHAR, '{width}', NULL, NULL FROM od WHERE n <> {width}
            UNION ALL SELECT line, 1, 'place', op, NULL, NULL, NULL FROM od WHERE op IS NOT NULL
            UNION ALL SELECT line, 2, 'place', dp, NULL, NULL, NULL FROM od WHERE dp IS NOT NULL
            UNION ALL SELECT line, 3, 'value', vp, NULL, NULL, NULL FROM od WHERE vp IS NOT NULL
            UNION ALL SELECT line, 4, 'same', o, NULL, NULL, NULL FROM fine WHERE o = d
            UNION ALL SELECT f.line, 5, 'duplicate', f.o, f.d, f.date, x.first
                      FROM fine f JOIN firsts x USING (o, d, date) WHERE f.line > x.first
            """).fetchall()
        dates = con.execute("SELECT count(DISTINCT date) FROM firsts").fetchone()[0]
        sums = con.execute("""
            SELECT f.o, f.d, sum(f.v) FROM fine f JOIN firsts x
                   ON f.o = x.o AND f.d = x.d AND f.date = x.date AND f.line = x.first
            GROUP BY f.o, f.d""").fetchall()
    finally:
        con.close()
        shutil.rmtree(work, ignore_errors=True)
    return od_result(name, problems, sums, dates, "duckdb")
