"""The build against pySHACL alone, and the fast validator against pySHACL, in one run.

On the full graph (packages + data/), side by side in one process, best of ``--repeat``:

* **pyshacl**: ``validation_results(g, engine="pyshacl")`` — today's validation alone
  (the lean RDF export built for it, then pySHACL);
* **fast**: ``validation_results(g)`` — the shapes compiled by ``kg/shacl.py``; its
  results must equal pySHACL's (checked);
* **build**: ``build_graph()`` + ``write_build()`` into a temporary folder — what
  ``citykg build`` does after its imports: backbone (polygon adjacency from the cache under
  ``kg.paths.CACHE``), curated layer, fast validation, CSV, GraphML and Turtle written;
* **citykg build (CLI)**: the command in a fresh process, imports included (``--cli``).

Targets: fast ≥ 5× pyshacl; build ≤ 0.5× pyshacl alone.

    .venv/bin/python benchmarks/bench_build.py            # ~1 min
    .venv/bin/python benchmarks/bench_build.py --repeat 1 # CI smoke test
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from common import REPO, best_of, table

FAST_TARGET, BUILD_TARGET = 5.0, 0.5


def _build(out: Path):
    from kg.build import build_graph, write_build

    return write_build(build_graph(), out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cli", action="store_true", help="also time `citykg build` in a fresh process")
    args = ap.parse_args(argv)

    from kg.build import build_graph
    from kg.sources.boundaries import LAYERS, layer_adjacency
    from kg.validate import validation_results

    for layer in LAYERS:  # the cache is filled once per package version, not per build
        layer_adjacency(layer)
    g = build_graph()
    validation_results(g)  # shapes compiled once per process, as in a build
    times = {"pyshacl": [], "fast": [], "build": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):  # alternate the sides so load from other jobs hits both
            t, ref = best_of(1, validation_results, g, "pyshacl")
            times["pyshacl"].append(t)
            t, fast = best_of(1, validation_results, g)
            times["fast"].append(t)
            assert Counter(fast) == Counter(ref), "fast validator differs from pySHACL"
            t, report = best_of(1, _build, Path(tmp) / f"out{i}")
            times["build"].append(t)
            assert report["validation"]["conforms"]
        cli = None
        if args.cli:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "kg", "build", "--out", str(Path(tmp) / "cli")],
                           check=True, cwd=REPO, capture_output=True)
            cli = time.perf_counter() - start
    best = {k: min(v) for k, v in times.items()}
    py = best["pyshacl"]
    rows = [["pyshacl validation alone", f"{py:.2f}", "1.00", ""],
            ["fast validation", f"{best['fast']:.2f}", f"{best['fast'] / py:.3f}",
             f"pyshacl / fast = {py / best['fast']:.1f}× (target ≥ {FAST_TARGET:.0f}×)"],
            ["build (graph + validation + files)", f"{best['build']:.2f}",
             f"{best['build'] / py:.2f}", f"target ≤ {BUILD_TARGET}"]]
    if cli is not None:
        rows.append(["`citykg build` in a fresh process", f"{cli:.2f}", f"{cli / py:.2f}",
                     "imports included"])
    print(f"graph: {g.number_of_nodes():,} nodes, {g.number_of_edges():,} relationships; "
          f"best of {args.repeat}; fast results equal pySHACL's")
    print(table(["step", "seconds", "÷ pyshacl", ""], rows))
    print(f"RATIO fast_speedup={py / best['fast']:.2f} build_over_pyshacl={best['build'] / py:.3f}")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
