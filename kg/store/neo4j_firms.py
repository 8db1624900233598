"""Firm-linkage rows into Neo4j, incrementally: batched ``UNWIND … MERGE`` (load path a).

Each accepted row of a firm-linkage file (``kg.sources.firms``) becomes::

    (:Organization {id: "firm:<firm_id>", firm_id, name, industry, industry_id, source_id})
       -[:LOCATED_IN {role: "headquarters", source_id, year, line}]->(:Place {adcode: hq})
       -[:LOCATED_IN {role: "branch", source_id, year, capital, line}]->(:Place {adcode: branch})

``source_id`` names the file (its provenance) and ``line`` the row in it. As in
``kg.store.neo4j_load`` (whose constraints are created first), nodes are merged on
``id`` and relationships on ``key`` (here ``LOCATED_IN|<source_id>|<role>``), so
loading a file twice adds nothing and a load that was cut short is finished by running
it again. Each batch of rows is one transaction holding the batch's new firms and all
its relationships. The queries differ from ``neo4j_load``'s in one way: properties are
added with ``SET x += props`` where props leave out the merge key, which spares Neo4j
an Eager step (materialising the batch) and makes a fresh load ~1.4x faster.

>>> firm_node_id("91310000MA1FL0")
'firm:91310000MA1FL0'
"""
from __future__ import annotations

import queue
import threading
import time
from pathlib import Path
from typing import Iterator

from kg.model import schema
from kg.sources.firms import FirmReader, Places

# Rows per transaction. Measured with benchmarks/bench_load.py (--batch-sizes) on the
# 2-core machines: 5,000 is on the plateau; larger batches only hold more memory.
DEFAULT_BATCH_SIZE = 5000
# Two sessions write while the file is read: ~1.3x one writer on 2 cores. Each batch's
# relationships are sorted by place, so concurrent batches lock places in the same order.
DEFAULT_WRITERS = 2
HQ, BRANCH = "headquarters", "branch"
FIRM_PREFIX = "firm:"


def firm_node_id(firm_id: str) -> str:
    return FIRM_PREFIX + firm_id


def rel_key(source_id: str, role: str) -> str:
    return f"{schema.LOCATED_IN}|{source_id}|{role}"


def default_source_id(path) -> str:
    return Path(path).name


# --- rows for the queries ------------------------------------------------------------------

def firm_rows(chunk, source_id: str) -> tuple[list[dict], list[dict]]:
    """(node rows, relationship rows) of one validated chunk: ``{key, props}`` and
    ``{start, end, key, props}``, the merge key kept out of ``props``."""
    cols = {c: chunk[c].tolist() for c in ("line", "firm_id", "firm_name", "industry",
                                            "hq_adcode", "branch_adcode", "year", "new_firm")}
    industry_id = chunk["industry_id"].astype(object).where(chunk["industry_id"].notna(), None)
    capital = chunk["capital"].astype(object).where(chunk["capital"].notna(), None).tolist()
    hq_key, branch_key = rel_key(source_id, HQ), rel_key(source_id, BRANCH)
    nodes, rels = [], []
    for i, (line, fid, name, ind, ind_id, hq, branch, year, new) in enumerate(zip(
            cols["line"], cols["firm_id"], cols["firm_name"], cols["industry"],
            industry_id.tolist(), cols["hq_adcode"], cols["branch_adcode"], cols["year"],
            cols["new_firm"])):
        node = firm_node_id(fid)
        if new:
            nodes.append({"key": node, "props": {
                "firm_id": fid, "name": name, "industry": ind, "industry_id": ind_id,
                "source_id": source_id}})
            rels.append({"start": node, "end": hq, "key": hq_key, "props": {
                "role": HQ, "source_id": source_id, "year": year, "line": line}})
        rels.append({"start": node, "end": branch, "key": branch_key, "props": {
            "role": BRANCH, "source_id": source_id, "year": year,
            "capital": capital[i], "line": line}})
    rels.sort(key=lambda r: (r["end"], r["start"]))  # a fixed lock order across writers
    return nodes, rels


def _batches(chunks, size: int) -> Iterator:
    """Re-cut validated chunks into batches of ``size`` rows."""
    import pandas as pd

    held, n = [], 0
    for chunk in chunks:
        while len(chunk):
            take = chunk.iloc[: size - n]
            chunk = chunk.iloc[len(take):]
            held.append(take)
            n += len(take)
            if n >= size:
                yield pd.concat(held, ignore_index=True)
                held, n = [], 0
    if held:
        yield pd.concat(held, ignore_index=True)


# --- path (a): batched MERGE -----------------------------------------------------------

NODE_QUERY = (f"UNWIND $rows AS row MERGE (n:{schema.ORGANIZATION} {{{schema.NODE_KEY}: row.key}}) "
              "SET n += row.props")
# MERGE, not MATCH, on the firm: its node may come from a batch another writer has not
# committed yet; the constraint's lock makes this batch wait for it instead of missing it.
REL_QUERY = (f"UNWIND $rows AS row "
             f"MERGE (a:{schema.ORGANIZATION} {{{schema.NODE_KEY}: row.start}}) WITH a, row "
             f"MATCH (b:{schema.PLACE} {{{schema.PLACE_KEY}: row.end}}) "
             f"MERGE (a)-[r:{schema.LOCATED_IN} {{key: row.key}}]->(b) SET r += row.props")


def _write(tx, nodes: list, rels: list) -> None:
    if nodes:
        tx.run(NODE_QUERY, rows=nodes).consume()
    tx.run(REL_QUERY, rows=rels).consume()


def load_firms(driver, path, source_id: str | None = None, database: str = "neo4j",
               batch_size: int = DEFAULT_BATCH_SIZE, rejects_path=None,
               places: Places | None = None, progress: bool = True,
               industries: dict | None = None, writers: int = DEFAULT_WRITERS) -> dict:
    """Validate ``path`` and MERGE its firms into Neo4j; returns counts and the reader stats.

    Rejected rows go to ``rejects_path``. Safe to run again on the same file. The file is
    read and checked in this thread while ``writers`` sessions write the batches.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from kg.store.neo4j_load import ensure_schema

    source_id = source_id or default_source_id(path)
    reader = FirmReader(path, places=places, rejects_path=rejects_path, industries=industries)
    ensure_schema(driver, database)
    done = {"firms": 0, "relationships": 0}
    started = time.perf_counter()
    with Progress(TextColumn("loading firms"), BarColumn(), TextColumn("{task.fields[rows]} rows"),
                  TimeRemainingColumn(), disable=not progress, transient=True) as bar:
        task = bar.add_task("firms", total=Path(path).stat().st_size, rows=0)

        def batches():
            for batch in _batches(reader.chunks(), batch_size):
                yield firm_rows(batch, source_id)
                bar.update(task, completed=reader.bytes_read, rows=reader.stats.accepted)

        def written(nodes, rels):
            done["firms"] += len(nodes)
            done["relationships"] += len(rels)

        _write_all(driver, database, batches(), writers, written)
    done["seconds"] = time.perf_counter() - started
    return {**done, "source_id": source_id, "stats": reader.stats}


def _write_all(driver, database: str, batches, writers: int, written) -> None:
    """Write ``(nodes, rels)`` batches with ``writers`` sessions in threads, while this
    thread makes the next batches; the first error stops the load and is raised."""
    work: queue.Queue = queue.Queue(maxsize=2 * writers)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def writer():
        with driver.session(database=database) as session:
            while (item := work.get()) is not None:
                if errors:
                    continue  # drain the queue after a failure
                try:
                    session.execute_write(_write, *item)
                    with lock:
                        written(*item)
                except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                    errors.append(exc)

    threads = [threading.Thread(target=writer, daemon=True) for _ in range(writers)]
    for t in threads:
        t.start()
    try:
        for item in batches:
            if errors:
                break
            work.put(item)
    finally:
        for _ in threads:
            work.put(None)
        for t in threads:
            t.join()
    if errors:
        raise errors[0]


# --- the naive peer: one row per transaction (for benchmarks) ------------------------------

NAIVE_QUERY = """
MERGE (o:Organization {id: $node})
SET o.firm_id = $firm_id, o.name = $name, o.industry = $industry, o.source_id = $source_id
WITH o
MATCH (h:Place {adcode: $hq})
MERGE (o)-[r:LOCATED_IN {key: $hq_key}]->(h)
SET r.role = 'headquarters', r.source_id = $source_id, r.year = $year
WITH o
MATCH (b:Place {adcode: $branch})
MERGE (o)-[s:LOCATED_IN {key: $branch_key}]->(b)
SET s.role = 'branch', s.source_id = $source_id, s.year = $year, s.capital = $capital,
    s.line = $line
"""


def load_firms_naive(driver, path, limit: int, source_id: str | None = None,
                     database: str = "neo4j", places: Places | None = None) -> int:
    """The textbook loader: each row MERGEd in its own transaction. Loads the first
    ``limit`` accepted rows (it is too slow for whole files); returns rows loaded."""
    source_id = source_id or default_source_id(path)
    reader = FirmReader(path, places=places, industries={})
    loaded = 0
    with driver.session(database=database) as session:
        for chunk in reader.chunks():
            for row in chunk.head(limit - loaded).itertuples(index=False):
                capital = None if row.capital != row.capital else row.capital
                session.execute_write(lambda tx, r=row, c=capital: tx.run(
                    NAIVE_QUERY, node=firm_node_id(r.firm_id), firm_id=r.firm_id, name=r.firm_name,
                    industry=r.industry, source_id=source_id, hq=r.hq_adcode,
                    hq_key=rel_key(source_id, HQ), year=int(r.year), branch=r.branch_adcode,
                    branch_key=rel_key(source_id, BRANCH), capital=c, line=int(r.line)).consume())
                loaded += 1
            if loaded >= limit:
                break
    return loaded


# --- housekeeping ----------------------------------------------------------------------

def delete_firms(driver, source_id: str | None = None, database: str = "neo4j") -> int:
    """Delete firm Organization nodes (all, or those from one file) and their relationships."""
    where = "o.id STARTS WITH $prefix" + (" AND o.source_id = $source" if source_id else "")
    before = firm_counts(driver, source_id, database)["firms"]
    # CALL {} IN TRANSACTIONS needs an auto-commit transaction, hence session.run.
    with driver.session(database=database) as session:
        session.run(f"MATCH (o:Organization) WHERE {where} "
                    "CALL (o) { DETACH DELETE o } IN TRANSACTIONS OF 10000 ROWS",
                    prefix=FIRM_PREFIX, source=source_id).consume()
    return before


def firm_counts(driver, source_id: str | None = None, database: str = "neo4j") -> dict:
    """Firm nodes and their LOCATED_IN relationships by role, as stored."""
    where = "o.id STARTS WITH $prefix" + (" AND o.source_id = $source" if source_id else "")
    rec = driver.execute_query(
        f"MATCH (o:Organization) WHERE {where} "
        "OPTIONAL MATCH (o)-[r:LOCATED_IN]->() "
        "RETURN count(DISTINCT o) AS firms, count(r) AS rels, "
        "count(CASE r.role WHEN 'headquarters' THEN 1 END) AS hq, "
        "count(CASE r.role WHEN 'branch' THEN 1 END) AS branches",
        prefix=FIRM_PREFIX, source=source_id, database_=database).records[0]
    return dict(rec)
