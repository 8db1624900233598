"""Loading firm-linkage rows into Neo4j: path (a) against the naive loader and path (b).

On the local server (``citykg neo4j start``; set CITYKG_CACHE / CITYKG_BOLT_PORT /
CITYKG_HTTP_PORT to use a separate one), at each size, from one synthetic file (1%
spoilt rows):

* **path (a)**: ``kg.store.neo4j_firms.load_firms`` (streaming reader, batched
  ``UNWIND … MERGE``, constraints first) into the loaded graph, in a fresh process
  whose peak memory is the importer's memory;
* **naive**: the same rows MERGEd one per transaction, timed on the first
  ``--naive-rows`` rows (at a few hundred rows a second a whole file would take hours);
* **path (b)**: ``kg.store.neo4j_bulk.bulk_load`` (write import CSVs, stop, ``neo4j-admin
  database import full``, start, constraints) of the graph + the same file, timed end
  to end, and its import step alone.

Every run checks the database afterwards (firms, relationships by role) against the
reader's counts; a second path (a) run on the same file must add nothing. At the end
the database is restored to the plain graph (cleared, ``load_graph``).

Targets: path (a) ≥ 50× the naive loader's rows/s, and within 5× of path (b); importer
memory flat from 100k to 1M rows.

    .venv/bin/python benchmarks/bench_load.py                      # 100k and 1M
    .venv/bin/python benchmarks/bench_load.py --sizes 10000        # CI smoke test
    .venv/bin/python benchmarks/bench_load.py --sizes 100000 --batch-sizes 1000 5000 20000
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from common import PEAK_MB, REPO, firm_file, fmt_rows, table

NAIVE_TARGET, BULK_TARGET, TARGET_ROWS = 50.0, 5.0, 100_000

# Path (a) in a fresh process: prints seconds, counts and the process's peak memory.
_PATH_A = """
import json, time
from kg.store import neo4j_server as srv
from kg.store.neo4j_firms import load_firms
with srv.connect_local() as driver:
    r = load_firms(driver, {path!r}, batch_size={batch}, progress=False)
print("RESULT", json.dumps({{"seconds": r["seconds"], "firms": r["firms"],
      "relationships": r["relationships"], "accepted": r["stats"].accepted,
      "rejected": r["stats"].rejected,
      "peak_mb": {peak}}}))
"""


def path_a(path, batch: int) -> dict:
    code = _PATH_A.format(path=str(path), batch=batch, peak=PEAK_MB)
    out = subprocess.run([sys.executable, "-c", code],
                         capture_output=True, text=True, cwd=REPO)
    if out.returncode != 0:
        raise SystemExit(f"path (a) failed:\n{out.stderr[-2000:]}")
    line = [x for x in out.stdout.splitlines() if x.startswith("RESULT")][-1]
    return json.loads(line.split(" ", 1)[1])


def expect(driver, accepted: int, firms: int, what: str) -> None:
    from kg.store.neo4j_firms import firm_counts

    c = firm_counts(driver)
    want = {"firms": firms, "rels": firms + accepted, "hq": firms, "branches": accepted}
    assert c == want, f"{what}: database holds {c}, expected {want}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--batch", type=int, default=None, help="rows per transaction for path (a)")
    ap.add_argument("--batch-sizes", type=int, nargs="*", default=[],
                    help="also time path (a) at these batch sizes (first size only)")
    ap.add_argument("--naive-rows", type=int, default=1000)
    ap.add_argument("--no-restore", action="store_true",
                    help="leave the last bulk-loaded database as it is (a throwaway server)")
    args = ap.parse_args(argv)

    from kg.build import build_graph
    from kg.store import neo4j_server as srv
    from kg.store.neo4j_bulk import bulk_load
    from kg.store.neo4j_firms import DEFAULT_BATCH_SIZE, delete_firms, load_firms_naive
    from kg.store.neo4j_load import clear_database, load_graph

    batch = args.batch or DEFAULT_BATCH_SIZE
    if not srv.is_installed():
        srv.install()
    srv.start()
    g = build_graph()

    def plain_graph():
        with srv.connect_local() as driver:
            # firms first, 10k at a time: clearing dense places with all their links in one
            # go would exceed the server's transaction memory at 1M rows
            delete_firms(driver)
            clear_database(driver)
            load_graph(driver, g, progress=False)

    rows, scaling, tuning = [], [], []
    plain_graph()
    for n, size in enumerate(args.sizes):
        path, _ = firm_file(size)
        with srv.connect_local() as driver:
            delete_firms(driver)
        a = path_a(path, batch)
        with srv.connect_local() as driver:
            expect(driver, a["accepted"], a["firms"], "path (a)")
        again = path_a(path, batch)  # the same file again: nothing may be added
        with srv.connect_local() as driver:
            expect(driver, a["accepted"], a["firms"], "path (a), second run")
        for b in (args.batch_sizes if n == 0 else []):
            with srv.connect_local() as driver:
                delete_firms(driver)
            tuning.append([fmt_rows(size), b, _rate(path_a(path, b))])
        with srv.connect_local() as driver:
            delete_firms(driver)
            t = time.perf_counter()
            naive_n = load_firms_naive(driver, path, args.naive_rows)
            naive_rate = naive_n / (time.perf_counter() - t)
            delete_firms(driver)
        t = time.perf_counter()
        b = bulk_load(g, firms_path=path)
        bulk_seconds = time.perf_counter() - t
        with srv.connect_local() as driver:
            expect(driver, b["stats"].accepted, a["firms"], "path (b)")
        rate_a = a["accepted"] / a["seconds"]
        rate_b = b["stats"].accepted / bulk_seconds
        rate_import = b["stats"].accepted / b["seconds"]["import"]
        rows.append([fmt_rows(size), f"{rate_a:,.0f}", f"{naive_rate:,.0f}", f"{rate_b:,.0f}",
                     f"{rate_import:,.0f}", f"{rate_a / naive_rate:.0f}×",
                     f"{rate_b / rate_a:.2f}×", f"{a['peak_mb']:.0f}"])
        print("measured:", " | ".join(rows[-1]), flush=True)  # long runs: keep what was measured
        scaling.append([fmt_rows(size), f"{a['seconds']:.1f}", f"{again['seconds']:.1f}",
                        f"{bulk_seconds:.1f}", f"{b['seconds']['import']:.1f}", f"{a['peak_mb']:.0f}"])
        if n + 1 < len(args.sizes) or not args.no_restore:
            plain_graph()
    print(table(["rows", "path (a) rows/s", "naive rows/s", "path (b) rows/s (end to end)",
                 "bulk import step rows/s", "(a) / naive", "(b) / (a)", "(a) peak MB"], rows))
    print()
    print(table(["rows", "path (a) s", "path (a) again s", "path (b) s", "import step s",
                 "(a) peak MB"], scaling))
    if tuning:
        print()
        print(table(["rows", "batch size", "path (a) rows/s"], tuning))
    # the targets are set at 100k rows and up; below that fixed costs (schema, threads,
    # server restarts) dominate and the figures are for the scaling table only
    judged = [r for r, size in zip(rows, args.sizes) if size >= TARGET_ROWS]
    if not judged:
        print(f"\n(targets apply from {fmt_rows(TARGET_ROWS)} rows; this run checked results only)")
        return
    worst_naive = min(float(r[5][:-1]) for r in judged)
    worst_bulk = max(float(r[6][:-1]) for r in judged)
    print(f"\ntargets at {', '.join(r[0] for r in judged)}: (a) ≥ {NAIVE_TARGET:.0f}× naive: "
          f"{worst_naive:.0f}× ({'met' if worst_naive >= NAIVE_TARGET else 'NOT met'}); "
          f"(b) within {BULK_TARGET:.0f}× of (a): {worst_bulk:.2f}× "
          f"({'met' if worst_bulk <= BULK_TARGET else 'NOT met'}); "
          + ("database left as bulk-loaded" if args.no_restore else
             "database restored to the plain graph"))


def _rate(result: dict) -> str:
    return f"{result['accepted'] / result['seconds']:,.0f}"


if __name__ == "__main__":
    main()
