"""Loading a build into an empty Neo4j database: three ways, in one run.

On the local server (``citykg neo4j start``; CITYKG_CACHE / CITYKG_BOLT_PORT /
CITYKG_HTTP_PORT pick a separate one: the bulk import replaces its database), from one
build folder (``citykg build`` is run into a temporary folder first):

* **files**: what ``citykg load BUILD_DIR`` does now: ``read_build`` (nodes.csv,
  relationships.csv) + ``load_graph`` (constraints, batched MERGE) into the emptied database;
* **rebuild**: what ``citykg load`` did before: ``build_graph()`` + the same ``load_graph``;
* **bulk**: ``read_build`` + ``kg.store.neo4j_bulk.bulk_load`` (import CSVs,
  stop, ``neo4j-admin database import full``, start, constraints), end to end.

Each run starts from an empty database (clearing is not timed) and is checked afterwards:
the database holds exactly the build's nodes and relationships by label and type.
Target: files ≤ 1.5× bulk.

    .venv/bin/python benchmarks/bench_load_build.py            # ~2–3 min
    .venv/bin/python benchmarks/bench_load_build.py --repeat 1
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, table

TARGET = 1.5


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=None, help="rows per transaction")
    args = ap.parse_args(argv)

    from kg.build import build_graph
    from kg.model.graph import counts
    from kg.store import neo4j_server as srv
    from kg.store.files import read_build
    from kg.store.neo4j_bulk import bulk_load
    from kg.store.neo4j_load import DEFAULT_BATCH_SIZE, clear_database, database_counts, load_graph

    batch = args.batch_size or DEFAULT_BATCH_SIZE
    if not srv.is_installed():
        srv.install()
    srv.start()
    times: dict[str, list[float]] = {"files": [], "rebuild": [], "bulk": []}
    bulk_import = []
    with tempfile.TemporaryDirectory() as tmp:
        build = Path(tmp) / "build"
        subprocess.run([sys.executable, "-m", "kg", "build", "--out", str(build)], check=True,
                       cwd=REPO, capture_output=True)
        want = counts(read_build(build))

        def check(what):
            with srv.connect_local() as driver:
                got = database_counts(driver)
            assert got == want, f"{what}: the database holds {got}, the build {want}"

        def transactional(make_graph):
            with srv.connect_local() as driver:
                clear_database(driver)
                t = time.perf_counter()
                load_graph(driver, make_graph(), batch_size=batch, progress=False)
                return time.perf_counter() - t

        transactional(lambda: read_build(build))  # warm-up: server caches, query plans
        for _ in range(args.repeat):  # alternate the ways, so other jobs' load hits all three
            times["files"].append(transactional(lambda: read_build(build)))
            check("files")
            times["rebuild"].append(transactional(build_graph))
            check("rebuild")
            t = time.perf_counter()
            result = bulk_load(read_build(build))
            times["bulk"].append(time.perf_counter() - t)
            bulk_import.append(result["seconds"]["import"])
            check("bulk")
    best = {k: min(v) for k, v in times.items()}
    rows = [["`citykg load BUILD_DIR` (read files + MERGE)", f"{best['files']:.1f}",
             f"{best['files'] / best['bulk']:.2f}"],
            ["old `citykg load` (rebuild + MERGE)", f"{best['rebuild']:.1f}",
             f"{best['rebuild'] / best['bulk']:.2f}"],
            ["bulk: neo4j-admin import, end to end", f"{best['bulk']:.1f}", "1.00"],
            ["  of which the import step", f"{min(bulk_import):.1f}",
             f"{min(bulk_import) / best['bulk']:.2f}"]]
    print(f"build: {want['nodes']:,} nodes, {want['relationships']:,} relationships; "
          f"batch {batch}; best of {args.repeat}; every load checked")
    print(table(["way", "seconds", "÷ bulk"], rows))
    print(f"RATIO files_over_bulk={best['files'] / best['bulk']:.2f} (target ≤ {TARGET}) "
          f"rebuild_over_files={best['rebuild'] / best['files']:.2f}")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
