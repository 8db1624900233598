"""The Spark engine: the rules of ``kg.flows.rules`` as Spark SQL, local or on a cluster.

The file is read as text lines numbered with ``zipWithIndex`` (file order, across
partitions), split into fields in SQL, checked and grouped exactly as the DuckDB engine
does; only the city table (≤ 370² rows) and the rejected lines come back to the driver.
``spark`` may be any SparkSession (``SparkSession.builder.master("spark://…")`` or
``yarn``: see ``docs/scaling.md``); by default a local one is made (``local[2]``).
Undecodable bytes are read by Spark as U+FFFD, so a line holding that character is
reported "not valid UTF-8".
"""
from __future__ import annotations

from pathlib import Path

from kg.flows.rules import (REQUIRED, FlowResult, crosswalk_codes, ends_without_newline, finish,
                            old_code_map, places_frame, read_header, rejects_from, write_rejects)
from kg.sources.firms import ReadStats, YEAR_RANGE, default_places

_SESSION = None


def local_session(cores: int = 2, memory: str = "2g"):
    """A local SparkSession (made once per process), ANSI mode off like DuckDB's TRY_CAST."""
    global _SESSION
    if _SESSION is None:
        from pyspark.sql import SparkSession

        _SESSION = (SparkSession.builder.master(f"local[{cores}]").appName("citykg-flows")
                    .config("spark.driver.memory", memory)
                    .config("spark.sql.ansi.enabled", "false")
                    .config("spark.sql.shuffle.partitions", str(max(4, cores * 2)))
                    .config("spark.ui.enabled", "false")
                    .config("spark.ui.showConsoleProgress", "false")
                    .getOrCreate())
        _SESSION.sparkContext.setLogLevel("ERROR")
    return _SESSION


def _num(expr: str) -> str:
    t = f"trim({expr})"
    v = f"CAST({t} AS DOUBLE)"
    return (f"CASE WHEN {expr} IS NULL OR {t} = '' THEN NULL ELSE coalesce(CASE WHEN NOT isnan({v}) "
            f"AND abs({v}) <> double('inf') THEN {v} END, -1.0D) END")


def _code(expr: str) -> str:
    return f"CASE WHEN {expr} = floor({expr}) AND {expr} >= 0 AND {expr} < 1e6 THEN CAST({expr} AS BIGINT) END"


_FIELDS = ("CASE WHEN instr(raw, '\"') = 0 THEN split(raw, ',', -1) ELSE transform("
           "regexp_extract_all(raw, '(?:^|,) *(\"(?:[^\"]|\"\")*\"|[^,]*)', 1), x -> CASE WHEN "
           "length(x) >= 2 AND substr(x, 1, 1) = '\"' AND substr(x, -1, 1) = '\"' THEN "
           "replace(substr(x, 2, length(x) - 2), '\"\"', '\"') ELSE x END) END")


def _numbered_lines(spark, path):
    """The file's lines with their numbers (1 = header), in the JVM: a row's number is its
    place in its partition (from ``monotonically_increasing_id``) plus the lines of the
    partitions before it (text partitions follow the file's order)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    text = (spark.read.option("lineSep", "\n").text(str(path))
            .withColumn("pid", F.spark_partition_id())
            .withColumn("pos", F.monotonically_increasing_id()
                        - F.shiftleft(F.spark_partition_id().cast("long"), 33)))
    counts = text.groupBy("pid").count()
    before = Window.orderBy("pid").rowsBetween(Window.unboundedPreceding, -1)
    offsets = counts.select("pid", F.coalesce(F.sum("count").over(before), F.lit(0)).alias("off"))
    return (text.join(F.broadcast(offsets), "pid")
            .select((F.col("off") + F.col("pos") + 1).alias("line"),
                    F.regexp_replace("value", "\r$", "").alias("raw")))


def _old_codes(spark, places):
    """Old codes read as the reader does (``kg.flows.rules.old_code_map``): the distinct
    (code, year) pairs of crosswalk codes come to the driver, the answer goes back as the
    ``oldmap`` view (code, year, new)."""
    from pyspark.sql import types as T

    spark.createDataFrame([(c,) for c in crosswalk_codes()], "code BIGINT") \
        .createOrReplaceTempView("crosswalk")
    pairs = spark.sql("""
        SELECT DISTINCT code, year FROM (
            SELECT hq_code AS code, year FROM rows WHERE read
            UNION ALL SELECT branch_code, year FROM rows WHERE read)
        WHERE code IN (SELECT code FROM crosswalk) AND year = floor(year)""").collect()
    found, changes = old_code_map([(int(r["code"]), int(r["year"])) for r in pairs], places)
    schema = T.StructType([T.StructField("code", T.LongType()), T.StructField("year", T.DoubleType()),
                           T.StructField("new", T.LongType())])
    spark.createDataFrame([tuple(x) for x in changes.itertuples(index=False)], schema) \
        .createOrReplaceTempView("oldmap")
    return found, changes


def project(path, places=None, rejects_path=None, spark=None) -> FlowResult:
    """Read, check and project a firm-linkage file with Spark (see ``kg.flows.project``)."""
    spark = spark or local_session()
    path = Path(path)
    places = places or default_places()
    header = read_header(path)
    col = {c: header.index(c) + 1 for c in header}
    truncated = ends_without_newline(path)
    _numbered_lines(spark, path).createOrReplaceTempView("lines")
    spark.createDataFrame(places_frame(places)).createOrReplaceTempView("places")
    text = {c: f"nullif(ltrim(element_at(f, {col[c]})), '')" for c in ("firm_id", "firm_name", "industry")}
    num = {c: _num(f"element_at(f, {col[c]})") if c in col else "CAST(NULL AS DOUBLE)"
           for c in ("hq_adcode", "branch_adcode", "year", "capital")}
    last = "(SELECT max(line) FROM lines)" if truncated else "-1"
    name = {"hq_adcode": "hq", "branch_adcode": "branch"}
    missing = " ".join(f"WHEN r.{name.get(c, c)} IS NULL THEN 'missing field:{c}'" for c in REQUIRED)
    y0, y1 = YEAR_RANGE
    rows = spark.sql(f"""
        WITH parsed AS (SELECT line, {_FIELDS} AS f, line = {last} AS cut,
                               instr(raw, '\ufffd') > 0 AS undecodable
                        FROM lines WHERE line > 1),
        r AS (
            SELECT line, size(f) AS n, cut, undecodable,
                   {text['firm_id']} AS firm_id, {text['firm_name']} AS firm_name,
                   {text['industry']} AS industry, {num['hq_adcode']} AS hq,
                   {num['branch_adcode']} AS branch, {num['year']} AS year,
                   {num['capital']} AS capital
            FROM parsed
            WHERE cut OR undecodable OR NOT (size(f) = 0 OR (size(f) = 1 AND trim(f[0]) = '')))
        SELECT *, {_code('hq')} AS hq_code, {_code('branch')} AS branch_code,
               NOT cut AND NOT undecodable AND n = {len(header)} AS read
        FROM r""")
    rows.persist()
    rows.createOrReplaceTempView("rows")
    old_codes, changes = _old_codes(spark, places)
    checked = spark.sql(f"""
        SELECT r.line, r.firm_id, r.firm_name, r.industry, r.capital,
               coalesce(mh.new, r.hq_code) AS hq, coalesce(mb.new, r.branch_code) AS branch,
               mh.new >= 0 AS hq_old, mb.new >= 0 AS branch_old,
               hp.ci AS hq_ci, bp.ci AS branch_ci,
               CASE WHEN r.cut THEN 'truncated' WHEN r.undecodable THEN 'encoding'
                    WHEN r.n <> {len(header)} THEN 'field count' {missing}
                    WHEN hp.ci IS NULL THEN 'unknown adcode:hq_adcode'
                    WHEN bp.ci IS NULL THEN 'unknown adcode:branch_adcode'
                    WHEN r.year <> floor(r.year) OR r.year < {y0} OR r.year > {y1} THEN 'bad year:year'
                    WHEN r.capital < 0 THEN 'bad capital:capital' END AS bad
        FROM rows r
        LEFT JOIN oldmap mh ON r.read AND mh.code = r.hq_code AND mh.year = r.year
        LEFT JOIN oldmap mb ON r.read AND mb.code = r.branch_code AND mb.year = r.year
        LEFT JOIN places hp ON hp.code = coalesce(mh.new, r.hq_code)
        LEFT JOIN places bp ON bp.code = coalesce(mb.new, r.branch_code)""")
    checked.persist()
    checked.createOrReplaceTempView("checked")
    verdict = spark.sql("""
        WITH ok AS (SELECT * FROM checked WHERE bad IS NULL),
        firm AS (SELECT firm_id, min(line) AS dline, min_by(firm_name, line) AS dname,
                        min_by(industry, line) AS dind, min_by(hq, line) AS dhq
                 FROM ok GROUP BY firm_id),
        same AS (SELECT ok.*, d.dline, (ok.firm_name = d.dname AND ok.industry = d.dind
                                        AND ok.hq = d.dhq) AS agrees
                 FROM ok JOIN firm d ON ok.firm_id = d.firm_id),
        link AS (SELECT firm_id, branch, min(line) AS fline FROM same WHERE agrees
                 GROUP BY firm_id, branch)
        SELECT s.line, s.hq_ci, s.branch_ci, s.capital,
               CASE WHEN NOT s.agrees THEN 'conflicting firm_id:firm_id'
                    WHEN s.line <> l.fline THEN 'duplicate:branch_adcode' END AS bad,
               CASE WHEN NOT s.agrees THEN s.dline ELSE l.fline END AS other
        FROM same s LEFT JOIN link l ON s.agrees AND l.firm_id = s.firm_id AND l.branch = s.branch""")
    verdict.persist()
    verdict.createOrReplaceTempView("verdict")
    try:
        table = spark.sql("""
            SELECT hq_ci AS o, branch_ci AS d, count(*) AS weight, sum(capital) AS capital,
                   count(capital) AS capital_links
            FROM verdict WHERE bad IS NULL GROUP BY hq_ci, branch_ci""").toPandas()
        counts = spark.sql("SELECT count(*) AS n, count_if(hq_old) + count_if(branch_old) AS old "
                           "FROM checked").collect()[0]
        total = spark.sql("SELECT max(line) AS n FROM lines").collect()[0]["n"] or 1
        rejected = spark.sql("""
            WITH r AS (SELECT line, bad, CAST(NULL AS BIGINT) AS other FROM checked WHERE bad IS NOT NULL
                       UNION ALL SELECT line, bad, other FROM verdict WHERE bad IS NOT NULL)
            SELECT r.line, split_part(r.bad, ':', 1) AS kind, split_part(r.bad, ':', 2) AS col,
                   r.other, l.raw FROM r JOIN lines l ON r.line = l.line""").collect()
    finally:
        rows.unpersist()
        checked.unpersist()
        verdict.unpersist()
    n = counts["n"]
    stats = ReadStats(rows=n, blank=(total - 1) - n, crosswalked=counts["old"] or 0)
    rejects = rejects_from([tuple(r) for r in rejected], header, places, stats, old_codes)
    stats.rejected = len(rejects)
    stats.accepted = n - stats.rejected
    write_rejects(rejects_path, header, rejects)
    return FlowResult(finish(table, places), stats, rejects[:1000], "spark")
