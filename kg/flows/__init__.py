"""Flow tables at scale: firm-linkage and origin–destination rows projected to a
city × city table by an engine (``project``: firm files; ``project_od``: OD files).

One interface, three engines behind it, one answer:

* ``duckdb`` (default): embedded, streaming CSV in, SQL checks and group-by, spills to
  disk past its memory limit (``kg/flows/duck.py``);
* ``pandas``: today's streaming reader and numpy projection, the reference
  (``kg/flows/reference.py``);
* ``spark``: the same rules on Apache Spark, local or on a cluster (``kg/flows/spark.py``).

Every engine applies the firm reader's rules (``docs/firms.md``, ``kg/flows/rules.py``):
the same rows are rejected, with the same line numbers and reasons, and the same city
table comes out. Input: a firm-linkage CSV (``firm_id, firm_name, industry, hq_adcode,
branch_adcode, year[, capital]``) or a Parquet file with those columns (``.parquet``:
scanned by the DuckDB engine itself, through a CSV copy by the others; a damaged file fails
with a ``FlowFileError`` naming it).

The table: ``origin``, ``destination`` (city adcodes; a county counts for its city),
``weight`` (links), ``capital`` (summed known capital, 万元), ``capital_links``.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "f.csv"
>>> _ = path.write_text("firm_id,firm_name,industry,hq_adcode,branch_adcode,year\\n"
...                     "F1,甲,制造业,310104,320102,2019\\nF1,甲,制造业,310104,999999,2019\\n", "utf-8")
>>> r = project(path)
>>> r.table[["origin", "destination", "weight"]].values.tolist(), r.rejects[0][:2]
([['310000', '320100', 1]], (3, 'unknown branch_adcode 999999'))
"""
from __future__ import annotations

from pathlib import Path

from kg.flows.rules import FlowResult, ODResult

ENGINES = ("duckdb", "pandas", "spark")


class FlowFileError(ValueError):
    """A flow file that cannot be read as a whole (the message names it)."""


def project(path, engine: str = "duckdb", places=None, rejects_path=None, **options) -> FlowResult:
    """Read, check and project the firm-linkage file ``path`` with ``engine``."""
    path = Path(path)
    if engine not in ENGINES:
        raise ValueError(f"unknown flow engine {engine!r}; expected one of {', '.join(ENGINES)}")
    if path.suffix.lower() == ".parquet" and engine != "duckdb":   # DuckDB reads it natively
        from kg.flows.parquet import as_csv

        with as_csv(path) as csv_path:
            return project(csv_path, engine, places, rejects_path, **options)
    if engine == "duckdb":
        from kg.flows.duck import project as run
    elif engine == "pandas":
        from kg.flows.reference import project as run
    else:
        from kg.flows.spark import project as run
    return run(path, places=places, rejects_path=rejects_path, **options)


def project_od(path, index, engine: str = "duckdb", name=None, **options) -> ODResult:
    """Read, check and project the origin–destination file ``path`` with ``engine``:
    ``kg.sources.migration.read_od``'s pairs and errors (``index``: a ``PlaceIndex``)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown flow engine {engine!r}; expected one of {', '.join(ENGINES)}")
    from kg.flows.reference import project_od as reference
    from kg.flows.rules import od_layout

    path = Path(path)
    name = name or path.name
    # files a line-by-line engine cannot read as the reader does go to the reader itself
    layout = od_layout(path) if engine != "pandas" else None
    if layout is None:
        return reference(path, index, name)
    if engine == "duckdb":
        from kg.flows.od_duck import project_od as run
    else:
        from kg.flows.od_spark import project_od as run
    return run(path, index, name, *layout, **options)


__all__ = ["ENGINES", "FlowFileError", "FlowResult", "ODResult", "project", "project_od"]
