"""The Spark engine for origin–destination files: ``read_od``'s rules as Spark SQL.

As ``kg.flows.od_duck``: lines numbered in the JVM (``kg.flows.spark._numbered_lines``),
cells split in SQL, the distinct place cells and the value cells that are not plain
decimals resolved on the driver by the reader's own functions and joined back; only the
city pairs and the problems come back. Files the line-by-line path cannot read as the
reader does go to ``read_od`` itself.
"""
from __future__ import annotations

import pandas as pd

from kg.flows.rules import FAST_NUMBER, ODResult, od_places, od_result, od_values, whitespace
from kg.flows.spark import _FIELDS, _numbered_lines, local_session


def _literal(text: str) -> str:
    return "'" + "".join(f"\\u{ord(c):04x}" for c in text) + "'"


def project_od(path, index, name, first: int, header: list[str], spark=None) -> ODResult:
    """Project a long OD file whose header is ``header`` at line ``first`` (``od_layout``)."""
    from pyspark.sql import types as T

    from kg.flows.reference import project_od as reference

    spark = spark or local_session()
    col = {h: i + 1 for i, h in enumerate(header)}
    ws = _literal(whitespace())
    trim = lambda x: f"trim(BOTH {ws} FROM {x})"    # noqa: E731 -- str.strip()
    width, fast = len(header), f"'^{FAST_NUMBER}$'"
    _numbered_lines(spark, path).createOrReplaceTempView("od_lines")
    date = trim(f"element_at(f, {col['date']})") if "date" in col else "''"
    cells = spark.sql(f"""
        SELECT line, size(f) AS n, element_at(f, {col['origin']}) AS o_ref,
               element_at(f, {col['destination']}) AS d_ref, element_at(f, {col['value']}) AS v_txt,
               {date} AS date, odd
        FROM (SELECT line, {_FIELDS} AS f,
                     (length(raw) - length(replace(raw, '"', ''))) % 2 = 1 AS odd
              FROM od_lines WHERE line > {first})
        WHERE NOT forall(f, x -> {trim('x')} = '')""")
    cells.persist()
    try:
        cells.createOrReplaceTempView("od_cells")
        if spark.sql("SELECT count(*) AS n FROM od_cells WHERE odd").collect()[0]["n"]:
            return reference(path, index, name)
        refs = [r["r"] for r in spark.sql(
            f"SELECT o_ref AS r FROM od_cells WHERE n = {width} UNION "
            f"SELECT d_ref FROM od_cells WHERE n = {width}").collect()]
        places = od_places(refs, index)
        spark.createDataFrame([tuple(r) for r in places.itertuples(index=False)],
                              "ref STRING, code STRING, problem STRING").createOrReplaceTempView("od_refs")
        texts = [r["v_txt"] for r in spark.sql(
            f"SELECT DISTINCT v_txt FROM od_cells WHERE n = {width} AND NOT v_txt RLIKE {fast}").collect()]
        values = od_values(texts)
        spark.createDataFrame(
            [(t, None if pd.isna(v) else float(v), p)
             for t, v, p in zip(values["text"], values["value"], values["problem"])],
            T.StructType([T.StructField("text", T.StringType()), T.StructField("value", T.DoubleType()),
                          T.StructField("problem", T.StringType())])).createOrReplaceTempView("od_vals")
        spark.sql(f"""
            SELECT c.line, c.n, po.code AS o, po.problem AS op, pd.code AS d, pd.problem AS dp,
                   CASE WHEN c.v_txt RLIKE {fast} THEN CAST(c.v_txt AS DOUBLE) ELSE vv.value END AS v,
                   CASE WHEN NOT c.v_txt RLIKE {fast} THEN vv.problem END AS vp, c.date
            FROM od_cells c
            LEFT JOIN od_refs po ON c.n = {width} AND po.ref = c.o_ref
            LEFT JOIN od_refs pd ON c.n = {width} AND pd.ref = c.d_ref
            LEFT JOIN od_vals vv ON c.n = {width} AND vv.text = c.v_txt""").createOrReplaceTempView("od")
        spark.sql("""SELECT * FROM od WHERE op IS NULL AND dp IS NULL AND vp IS NULL AND o IS NOT NULL
                     AND d IS NOT NULL AND v IS NOT NULL""").createOrReplaceTempView("od_fine")
        firsts = spark.sql("SELECT o, d, date, min(line) AS first FROM od_fine WHERE o <> d "
                           "GROUP BY o, d, date")
        firsts.persist()
        firsts.createOrReplaceTempView("od_firsts")
        problems = spark.sql(f"""
            SELECT line, 0 AS k, 'cells' AS kind, CAST(n AS STRING) AS a, '{width}' AS b,
                   CAST(NULL AS STRING) AS c, CAST(NULL AS BIGINT) AS d FROM od WHERE n <> {width}
            UNION ALL SELECT line, 1, 'place', op, NULL, NULL, NULL FROM od WHERE op IS NOT NULL
            UNION ALL SELECT line, 2, 'place', dp, NULL, NULL, NULL FROM od WHERE dp IS NOT NULL
            UNION ALL SELECT line, 3, 'value', vp, NULL, NULL, NULL FROM od WHERE vp IS NOT NULL
            UNION ALL SELECT line, 4, 'same', o, NULL, NULL, NULL FROM od_fine WHERE o = d
            UNION ALL SELECT f.line, 5, 'duplicate', f.o, f.d, f.date, x.first
                      FROM od_fine f JOIN od_firsts x ON f.o = x.o AND f.d = x.d AND f.date = x.date
                      WHERE f.line > x.first""").collect()
        dates = spark.sql("SELECT count(DISTINCT date) AS n FROM od_firsts").collect()[0]["n"]
        sums = spark.sql("""
            SELECT f.o, f.d, sum(f.v) AS total FROM od_fine f JOIN od_firsts x
                   ON f.o = x.o AND f.d = x.d AND f.date = x.date AND f.line = x.first
            GROUP BY f.o, f.d""").collect()
        firsts.unpersist()
    finally:
        cells.unpersist()
    return od_result(name, [tuple(r) for r in problems], [tuple(r) for r in sums], dates, "spark")
