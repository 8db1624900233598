"""Load path (b): a fresh database from CSV files with ``neo4j-admin database import full``.

For a new or disposable database this is the fast way in: the graph (and optionally a
firm-linkage file) is written as import CSVs with typed headers, the server is
stopped, the ``neo4j`` database is rebuilt from the files (``--overwrite-destination``:
everything that was in it is gone), the server is started again and the constraints
and indexes of ``kg.store.neo4j_load`` are created. The result is the same graph that
``citykg load`` (and ``citykg firms import``) would make: same labels, keys,
properties and relationship keys.

Files (in ``<neo4j home>/import/citykg-bulk/``):

* ``places.csv``: ``adcode:ID(Place)``, ``:LABEL`` and the places' properties;
* ``nodes.csv``: ``id:ID(Node)``, ``:LABEL`` and every other node's properties;
* ``rels_<start>_<end>.csv``: ``:START_ID(…)``, ``:END_ID(…)``, ``:TYPE``, ``key``,
  properties, one file per pair of id spaces;
* ``firms.csv`` / ``firm_rels.csv``: Organization nodes and their LOCATED_IN
  relationships, streamed from the validated firm rows (flat memory).

Each property column has one Neo4j type (``:long``, ``:double``, ``:boolean``,
``:string[]`` …) found from the values; lists are joined with ``;``.

>>> column_type([1, 2]), column_type([0.5, 2]), column_type([["a"], ["b", "c"]])
('long', 'double', 'string[]')
"""
from __future__ import annotations

import csv
import shutil
import time
from collections import defaultdict
from pathlib import Path

from kg.model import schema
from kg.store.neo4j_firms import BRANCH, FIRM_PREFIX, HQ, default_source_id, rel_key

ARRAY_DELIMITER = ";"
PLACE_SPACE, NODE_SPACE = "Place", "Node"
_SCALAR = {bool: "boolean", int: "long", float: "double", str: "string"}


class BulkError(RuntimeError):
    """The graph cannot be written as import files, or the import failed."""


def column_type(values) -> str:
    """The Neo4j import type of a column holding ``values`` (None values ignored)."""
    kinds = set()
    for v in values:
        if isinstance(v, list):
            kinds |= {f"{_SCALAR[type(x)]}[]" for x in v}
        elif v is not None:
            kinds.add(_SCALAR[type(v)])
    if kinds == {"long", "double"}:
        return "double"
    if kinds == {"long[]", "double[]"}:
        return "double[]"
    if len(kinds) > 1:
        raise BulkError(f"a property holds values of several types ({sorted(kinds)})")
    return kinds.pop() if kinds else "string"


def _cell(value, kind: str):
    if value is None or value == []:
        return ""
    if kind.endswith("[]"):
        items = [_scalar_text(x) for x in value]
        bad = [x for x in items if ARRAY_DELIMITER in x]
        if bad:
            raise BulkError(f"list value {bad[0]!r} contains the array delimiter {ARRAY_DELIMITER!r}")
        return ARRAY_DELIMITER.join(items)
    return _scalar_text(value)


def _scalar_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _write_table(path: Path, id_columns: list[str], fixed: list[list], props: list[dict]) -> int:
    """One import file: the id columns, then a typed column per property."""
    names = sorted({k for p in props for k in p})
    kinds = {k: column_type(p.get(k) for p in props) for k in names}
    header = id_columns + [f"{k}:{kinds[k]}" if kinds[k] != "string" else k for k in names]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        for first, p in zip(fixed, props):
            out.writerow(first + [_cell(p.get(k), kinds[k]) for k in names])
    return len(props)


def write_graph_files(g, folder: Path) -> dict[str, list[Path]]:
    """Import files for every node and relationship of ``g``: {"nodes": [...], "relationships": [...]}."""
    from kg.store.neo4j_load import _props, primary_label

    folder.mkdir(parents=True, exist_ok=True)
    space = {}
    places, others = ([], []), ([], [])
    for key, attrs in g.nodes(data=True):
        labels = list(attrs.get("labels") or ())
        is_place = primary_label(labels) == schema.PLACE
        space[key] = PLACE_SPACE if is_place else NODE_SPACE
        fixed, props = places if is_place else others
        fixed.append([key, ARRAY_DELIMITER.join(labels)])
        props.append(_props(attrs, ("labels", schema.PLACE_KEY if is_place else schema.NODE_KEY)))
    files = {"nodes": [], "relationships": []}
    for name, (fixed, props), id_col in (
            ("places.csv", places, f"{schema.PLACE_KEY}:ID({PLACE_SPACE})"),
            ("nodes.csv", others, f"{schema.NODE_KEY}:ID({NODE_SPACE})")):
        if fixed:
            _write_table(folder / name, [id_col, ":LABEL"], fixed, props)
            files["nodes"].append(folder / name)
    groups = defaultdict(lambda: ([], []))
    for u, v, k, attrs in g.edges(keys=True, data=True):
        fixed, props = groups[(space[u], space[v])]
        fixed.append([u, v, attrs["type"]])
        props.append({**_props(attrs, ("type",)), "key": k})
    for (a, b), (fixed, props) in sorted(groups.items()):
        path = folder / f"rels_{a.lower()}_{b.lower()}.csv"
        _write_table(path, [f":START_ID({a})", f":END_ID({b})", ":TYPE"], fixed, props)
        files["relationships"].append(path)
    return files


def write_firm_files(firms_path, folder: Path, source_id: str | None = None,
                     rejects_path=None, places=None, progress=None) -> tuple[list[Path], list[Path], object]:
    """Stream a firm-linkage file into import files; returns (node files, rel files, reader stats)."""
    from kg.sources.firms import FirmReader

    source_id = source_id or default_source_id(firms_path)
    reader = FirmReader(firms_path, places=places, rejects_path=rejects_path)
    nodes_path, rels_path = folder / "firms.csv", folder / "firm_rels.csv"
    node_header = [f"{schema.NODE_KEY}:ID({NODE_SPACE})", ":LABEL", "firm_id", "name", "industry",
                   "industry_id", "source_id"]
    rel_header = [f":START_ID({NODE_SPACE})", f":END_ID({PLACE_SPACE})", ":TYPE", "key", "role",
                  "source_id", "year:long", "capital:double", "line:long"]
    with open(nodes_path, "w", newline="", encoding="utf-8") as nf, \
            open(rels_path, "w", newline="", encoding="utf-8") as rf:
        csv.writer(nf).writerow(node_header)
        csv.writer(rf).writerow(rel_header)
        for chunk in reader.chunks():
            node = FIRM_PREFIX + chunk["firm_id"]  # as neo4j_firms.firm_node_id
            new = chunk["new_firm"].to_numpy()
            firms = chunk[new]
            firms.assign(id=node[new], label=schema.ORGANIZATION, source_id=source_id)[
                ["id", "label", "firm_id", "firm_name", "industry", "industry_id", "source_id"]
            ].to_csv(nf, header=False, index=False)
            hq = firms.assign(start=node[new], end=firms["hq_adcode"], type=schema.LOCATED_IN,
                              key=rel_key(source_id, HQ), role=HQ, source_id=source_id,
                              capital=float("nan"))
            branch = chunk.assign(start=node, end=chunk["branch_adcode"], type=schema.LOCATED_IN,
                                  key=rel_key(source_id, BRANCH), role=BRANCH, source_id=source_id)
            cols = ["start", "end", "type", "key", "role", "source_id", "year", "capital", "line"]
            for part in (hq, branch):
                part[cols].to_csv(rf, header=False, index=False)
            if progress:
                progress(reader)
    return [nodes_path], [rels_path], reader.stats


def import_files(node_files: list[Path], rel_files: list[Path], threads: int = 2,
                 heap: str = "1g") -> str:
    """Run ``neo4j-admin database import full`` on the local install (server stopped).
    The database is replaced. Returns the tool's output."""
    from kg.store import neo4j_server as srv

    args = ["database", "import", "full", srv.DATABASE, "--overwrite-destination",
            f"--threads={threads}", f"--array-delimiter={ARRAY_DELIMITER}",
            "--multiline-fields=true", "--bad-tolerance=0",
            # the tool writes its report to the working directory unless told otherwise
            f"--report-file={srv.home() / 'logs' / 'import.report'}",
            *(f"--nodes={p}" for p in node_files), *(f"--relationships={p}" for p in rel_files)]
    try:
        return srv.admin(args, heap=heap)
    except srv.ServerError as exc:
        raise BulkError(str(exc)) from None


def bulk_load(g, firms_path=None, source_id: str | None = None, rejects_path=None,
              places=None, threads: int = 2, heap: str = "1g", keep_files: bool = False,
              progress=None) -> dict:
    """Replace the local server's ``neo4j`` database with ``g`` (+ the firms in
    ``firms_path``) by bulk import, then restart the server and create the constraints.

    Returns timings (seconds per step), the firm reader's stats (if any), and the
    database counts after the load.
    """
    from kg.store import neo4j_server as srv
    from kg.store.neo4j_load import database_counts, ensure_schema

    if not srv.is_installed():
        raise BulkError("Neo4j is not installed; run `citykg neo4j install`")
    folder = srv.home() / "import" / "citykg-bulk"
    shutil.rmtree(folder, ignore_errors=True)
    step = progress or (lambda what: None)
    seconds, stats = {}, None
    t = time.perf_counter()
    step("writing import files")
    files = write_graph_files(g, folder)
    if firms_path is not None:
        node_files, rel_files, stats = write_firm_files(firms_path, folder, source_id,
                                                        rejects_path, places)
        files["nodes"] += node_files
        files["relationships"] += rel_files
    seconds["write files"] = time.perf_counter() - t
    t = time.perf_counter()
    step("stopping Neo4j")
    srv.stop()
    seconds["stop"] = time.perf_counter() - t
    t = time.perf_counter()
    step("neo4j-admin database import full")
    try:
        import_files(files["nodes"], files["relationships"], threads=threads, heap=heap)
        seconds["import"] = time.perf_counter() - t
    finally:  # started again even when the import failed, so the server is not left down
        t = time.perf_counter()
        step("starting Neo4j")
        srv.start()
        seconds["start"] = time.perf_counter() - t
    t = time.perf_counter()
    step("creating constraints and indexes")
    with srv.connect_local() as driver:
        ensure_schema(driver)
        counts = database_counts(driver)
    seconds["constraints"] = time.perf_counter() - t
    if not keep_files:
        shutil.rmtree(folder, ignore_errors=True)
    return {"seconds": seconds, "stats": stats, "counts": counts}
