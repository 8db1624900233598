"""The DuckDB engine: a firm file read, checked and projected in SQL, streaming.

DuckDB reads the file as raw lines (one column, no quoting), numbered from the scan
order (``preserve_insertion_order``), so every row keeps its line number, blank lines
included; the fields are split in SQL (a regular expression for the rare quoted line).
The checks of ``kg.flows.rules`` run as SQL over the whole file: two group-bys find each
firm's defining row and each link's first row. DuckDB spills to disk past
``memory_limit``, so memory stays flat as files grow. Only the rejected lines come back
to Python, to be worded as the firm reader words them.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from kg.flows.rules import (REQUIRED, FlowResult, ends_without_newline, finish, places_frame,
                            read_header, rejects_from, write_rejects)
from kg.sources.firms import ReadStats, YEAR_RANGE, default_places

SEP = "\x01"  # a byte that does not occur in a text CSV: each line is one value


def _lines_sql(path: str) -> str:
    path = path.replace("'", "''")
    return (f"SELECT row_number() OVER () + 1 AS line, rtrim(raw, chr(13)) AS raw FROM read_csv("
            f"'{path}', columns={{'raw': 'VARCHAR'}}, delim='{SEP}', quote='', escape='', "
            "header=true, auto_detect=false, strict_mode=false, new_line='\\n')")


_FIELDS = ("CASE WHEN raw IS NULL THEN []::VARCHAR[] WHEN strpos(raw, '\"') = 0 "
           "THEN string_split(raw, ',') ELSE list_transform(regexp_extract_all(raw, "
           "'(?:^|,) *(\"(?:[^\"]|\"\")*\"|[^,]*)', 1), lambda x: CASE WHEN length(x) >= 2 AND "
           "x[1] = '\"' AND x[-1] = '\"' THEN replace(x[2:-2], '\"\"', '\"') ELSE x END) END")


def _num(expr: str) -> str:
    """A number column as the reader reads it: NULL when empty, -1 when not a finite number."""
    t = f"trim({expr})"
    return (f"CASE WHEN {expr} IS NULL OR {t} = '' THEN NULL ELSE coalesce(CASE WHEN "
            f"isfinite(TRY_CAST({t} AS DOUBLE)) THEN TRY_CAST({t} AS DOUBLE) END, -1.0) END")


def _code(expr: str) -> str:
    return f"CASE WHEN {expr} = floor({expr}) AND {expr} >= 0 AND {expr} < 1e6 THEN CAST({expr} AS BIGINT) END"


def _native_sql(path: str, width: int) -> str:
    """The file through DuckDB's own CSV parser (fields by position, all text), numbered."""
    path = path.replace("'", "''")
    types = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(1, width + 1))
    return (f"SELECT row_number() OVER () + 1 AS line, * FROM read_csv('{path}', header=true, "
            f"columns={{{types}}}, auto_detect=false, quote='\"', escape='\"', "
            "new_line='\\n', strict_mode=true)")


def _rows_sql(source: str, header: list[str], native: bool, last: str, bad_lines: str) -> str:
    """(line, n, cut, undecodable, firm_id, firm_name, industry, hq, branch, year, capital)
    for every non-blank line: from DuckDB's CSV parser (a clean file) or from raw lines."""
    col = {c: header.index(c) + 1 for c in header}
    cell = (lambda c: f"c{col[c]}") if native else (lambda c: f"f[{col[c]}]")
    text = {c: f"nullif(ltrim({cell(c)}, ' '), '')" for c in ("firm_id", "firm_name", "industry")}
    num = {c: _num(cell(c)) if c in col else "NULL::DOUBLE"
           for c in ("hq_adcode", "branch_adcode", "year", "capital")}
    values = (f"{text['firm_id']} AS firm_id, {text['firm_name']} AS firm_name, "
              f"{text['industry']} AS industry, {num['hq_adcode']} AS hq, "
              f"{num['branch_adcode']} AS branch, {num['year']} AS year, {num['capital']} AS capital")
    if native:
        return (f"SELECT line, {len(header)} AS n, line = {last} AS cut, false AS undecodable, "
                f"{values} FROM ({_native_sql(source, len(header))})")
    return (f"SELECT line, len(f) AS n, cut, undecodable, {values} FROM ("
            f"SELECT line, {_FIELDS} AS f, line = {last} AS cut, line IN ({bad_lines}) AS undecodable "
            f"FROM ({_lines_sql(source)})) "
            "WHERE cut OR undecodable OR NOT (len(f) = 0 OR (len(f) = 1 AND trim(f[1]) = ''))")


def project(path, places=None, rejects_path=None, memory_limit: str = "1GB",
            threads: int = 2) -> FlowResult:
    """Read, check and project a firm-linkage file with DuckDB (see ``kg.flows.project``).

    A file whose every line is one record (no blank line, no CR, UTF-8, the header's field
    count throughout: the common case, checked) goes through DuckDB's own CSV parser;
    any other file through raw lines split in SQL. Both give the same rows and lines."""
    import duckdb

    from kg.paths import CACHE

    path = Path(path)
    places = places or default_places()
    header = read_header(path)
    truncated = ends_without_newline(path)
    newlines, has_cr = _scan(path)
    lines_after_header = newlines - 1 + (1 if truncated else 0)
    tmp = Path(CACHE) / "duckdb-tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"memory_limit": memory_limit, "threads": threads,
                                 "temp_directory": str(tmp), "preserve_insertion_order": True})
    con.execute("SET enable_progress_bar = false")
    repaired = None
    last = str(lines_after_header + 1) if truncated else "-1"
    try:
        con.register("places_df", places_frame(places))
        con.execute("CREATE TEMP TABLE places AS SELECT * FROM places_df")
        source, bad_bytes, native = str(path), set(), not has_cr
        if native:
            try:
                _check(con, _rows_sql(source, header, True, last, "-1"), len(header))
                native = con.execute("SELECT count(*) FROM checked").fetchone()[0] == lines_after_header
            except duckdb.Error:  # a line the strict parser refuses: take the raw-line way
                native = False
            if not native:
                con.execute("DROP TABLE IF EXISTS checked")
        if not native:
            try:
                if has_cr:  # DuckDB counts "\r\n" as two line breaks in raw-line mode
                    raise _NeedsRepair
                con.execute(f"SELECT count(*) FROM ({_lines_sql(source)})").fetchone()
            except (duckdb.Error, _NeedsRepair) as exc:  # not UTF-8 / CRLF: a same-lines copy
                if not isinstance(exc, _NeedsRepair) and "unicode" not in str(exc).lower() \
                        and "encoding" not in str(exc).lower():
                    raise
                repaired, bad_bytes = _repair(path, tmp)
                source = str(repaired)
            bad_lines = ",".join(str(n) for n in sorted(bad_bytes)) or "-1"
            _check(con, _rows_sql(source, header, False, last, bad_lines), len(header))
        con.execute("""
            CREATE TEMP TABLE verdict AS
            WITH ok AS (SELECT * FROM checked WHERE bad IS NULL),
            firm AS (SELECT fid, min(line) AS dline, arg_min(attrs, line) AS dattrs
                     FROM ok GROUP BY fid),
            same AS (SELECT ok.*, d.dline, ok.attrs = d.dattrs AS agrees
                     FROM ok JOIN firm d USING (fid)),
            link AS (SELECT fid, branch, min(line) AS fline FROM same WHERE agrees
                     GROUP BY fid, branch)
            SELECT s.line, s.hq_ci, s.branch_ci, s.capital,
                   CASE WHEN NOT s.agrees THEN 'conflicting firm_id:firm_id'
                        WHEN s.line <> l.fline THEN 'duplicate:branch_adcode' END AS bad,
                   CASE WHEN NOT s.agrees THEN s.dline ELSE l.fline END AS other
            FROM same s LEFT JOIN link l ON s.agrees AND l.fid = s.fid AND l.branch = s.branch""")
        table = con.execute("""
            SELECT hq_ci AS o, branch_ci AS d, count(*) AS weight, sum(capital) AS capital,
                   count(capital) AS capital_links
            FROM verdict WHERE bad IS NULL GROUP BY 1, 2""").df()
        rows = con.execute("SELECT count(*) FROM checked").fetchone()[0]
        con.execute("""CREATE TEMP TABLE rejected AS
            SELECT line, bad, NULL::BIGINT AS other FROM checked WHERE bad IS NOT NULL
            UNION ALL SELECT line, bad, other FROM verdict WHERE bad IS NOT NULL""")
        raw = (f"SELECT line, concat_ws(',', {', '.join(_quoted(i) for i in range(1, len(header) + 1))})"
               f" AS raw FROM ({_native_sql(source, len(header))})") if native else _lines_sql(source)
        rejected = con.execute(f"""
            SELECT r.line, split_part(r.bad, ':', 1), split_part(r.bad, ':', 2), r.other, l.raw
            FROM rejected r JOIN ({raw}) l USING (line) ORDER BY r.line""").fetchall()
    finally:
        con.close()
        if repaired is not None:
            shutil.rmtree(repaired.parent, ignore_errors=True)
    stats = ReadStats(rows=rows, blank=lines_after_header - rows)
    rejects = rejects_from(rejected, header, places, stats)
    stats.rejected = len(rejects)
    stats.accepted = rows - stats.rejected
    write_rejects(rejects_path, header, rejects)
    return FlowResult(finish(table, places), stats, rejects[:1000], "duckdb")


def _quoted(i: int) -> str:
    """Field ``c<i>`` written back as CSV text (quoted when it holds a comma or a quote)."""
    c = f"coalesce(c{i}, '')"
    return (f"CASE WHEN strpos({c}, ',') > 0 OR strpos({c}, '\"') > 0 THEN "
            f"'\"' || replace({c}, '\"', '\"\"') || '\"' ELSE {c} END")


def _check(con, rows_sql: str, width: int):
    """The per-row checks (first failing one per row) into table ``checked``; firm ids and
    (name, industry, HQ) kept as 64-bit hashes, as the firm reader keeps them."""
    y0, y1 = YEAR_RANGE
    name = {"hq_adcode": "hq", "branch_adcode": "branch"}
    missing = " ".join(f"WHEN r.{name.get(c, c)} IS NULL THEN 'missing field:{c}'" for c in REQUIRED)
    con.execute(f"""
        CREATE TEMP TABLE checked AS
        SELECT r.line, hash(r.firm_id) AS fid, hash(r.firm_name, r.industry, r.hq) AS attrs,
               r.branch, r.capital, hp.ci AS hq_ci, bp.ci AS branch_ci,
               CASE WHEN cut THEN 'truncated' WHEN undecodable THEN 'encoding'
                    WHEN n <> {width} THEN 'field count' {missing}
                    WHEN hp.ci IS NULL THEN 'unknown adcode:hq_adcode'
                    WHEN bp.ci IS NULL THEN 'unknown adcode:branch_adcode'
                    WHEN year <> floor(year) OR year < {y0} OR year > {y1} THEN 'bad year:year'
                    WHEN capital < 0 THEN 'bad capital:capital' END AS bad
        FROM ({rows_sql}) r
        LEFT JOIN places hp ON hp.code = {_code('r.hq')}
        LEFT JOIN places bp ON bp.code = {_code('r.branch')}""")


def _scan(path: Path, block: int = 8 << 20) -> tuple[int, bool]:
    """(line breaks, whether a carriage return occurs): one byte search, ~0.2 s a GB."""
    newlines, cr = 0, False
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            newlines += chunk.count(b"\n")
            cr = cr or b"\r" in chunk
    return newlines, cr


class _NeedsRepair(Exception):
    pass


def _repair(path: Path, tmp: Path) -> tuple[Path, set[int]]:
    """A copy of ``path`` with "\r\n" line ends made "\n" and undecodable lines decoded with
    replacement characters (line numbers unchanged), and those lines' numbers. Streams;
    only for files that need it."""
    folder = Path(tempfile.mkdtemp(dir=tmp, prefix="repair-"))
    out, bad = folder / path.name, set()
    with open(path, "rb") as src, open(out, "wb") as dst:
        for number, raw in enumerate(src, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                bad.add(number)
                raw = raw.decode("utf-8", errors="replace").replace(SEP, " ").encode("utf-8")
            if raw.endswith(b"\r\n"):
                raw = raw[:-2] + b"\n"
            dst.write(raw)
    return out, bad
