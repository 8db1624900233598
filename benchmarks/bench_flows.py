"""Flow projection at 1M and 10M rows: DuckDB engine against today's pandas path and polars.

On synthetic firm-linkage files (``kg.synth``, seed 1, 1% spoilt rows), each side in a
fresh process (its peak resident memory is the side's), in one run:

* **duckdb**: ``kg.flows.project(path)`` — the default engine (memory limit 128 MB, 2 threads);
* **pandas**: ``kg.flows.project(path, engine="pandas")`` — today's streaming firm reader
  and numpy projection (the reference);
* **polars**: a peer written directly with polars (lazy CSV scan, the same checks and
  first-row rules as expressions, group-by), streaming engine.

Every side's city table must equal the pandas one (weights and capital links exactly,
capital to 1e-9 relative); duckdb's rejects (lines and reasons) must equal pandas'.
Targets: duckdb faster than both peers at 10M rows; duckdb's peak memory at 10M ≤ 1.2×
its peak at 1M.

    .venv/bin/python benchmarks/bench_flows.py                    # 1M and 10M (~20 min; 1 GB file)

The files are made once (seeded) in ``$CITYKG_BENCH_DATA``, else ``$CITYKG_CACHE/bench``:
never in the repository.
    .venv/bin/python benchmarks/bench_flows.py --sizes 20000      # CI smoke test (seconds)
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from common import PEAK_MB, REPO, firm_file, fmt_rows, table

SIDES = ("duckdb", "pandas", "polars")

_CHILD = """
import json, sys, time
sys.path.insert(0, {bench!r})
from kg.sources.firms import default_places
places = default_places()
start = time.perf_counter()
if {side!r} == "polars":
    from bench_flows import polars_peer
    tab, rejects = polars_peer({path!r}, places), None
else:
    from kg.flows import project
    r = project({path!r}, engine={side!r}, places=places)
    tab, rejects = r.table, [[x.line, x.reason] for x in r.rejects]
seconds = time.perf_counter() - start
tab.to_csv({out!r}, index=False)
print("RESULT", json.dumps({{"seconds": seconds, "peak_mb": {peak}, "rejects": rejects}}))
"""


def polars_peer(path, places):
    """The projection as a polars user would write it: same checks and first-row rules."""
    import numpy as np
    import pandas as pd
    import polars as pl

    codes = np.flatnonzero(places.city_index >= 0)
    lookup = pl.DataFrame({"code": codes.astype(np.int64), "ci": places.city_index[codes].astype(np.int64)})

    def num(c):
        v = pl.col(c).str.strip_chars().cast(pl.Float64, strict=False)
        return (pl.when(pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "")).then(None)
                .when(v.is_finite()).then(v).otherwise(-1.0))

    def code(c):
        return pl.when((pl.col(c) == pl.col(c).floor()) & (pl.col(c) >= 0) & (pl.col(c) < 1e6)) \
            .then(pl.col(c).cast(pl.Int64))

    text = [pl.col(c).str.strip_chars_start(" ").replace("", None).alias(c)
            for c in ("firm_id", "firm_name", "industry")]
    rows = (pl.scan_csv(path, infer_schema=False)
            .with_row_index("line", offset=2)
            .select("line", *text, *(num(c).alias(c) for c in ("hq_adcode", "branch_adcode", "year")),
                    (num("capital") if "capital" in pl.scan_csv(path, n_rows=0).collect_schema()
                     else pl.lit(None, pl.Float64)).alias("capital"))
            .with_columns(code("hq_adcode").alias("hq_code"), code("branch_adcode").alias("branch_code"))
            .join(lookup.lazy().rename({"code": "hq_code", "ci": "hq_ci"}), on="hq_code", how="left")
            .join(lookup.lazy().rename({"code": "branch_code", "ci": "branch_ci"}), on="branch_code", how="left")
            .filter(pl.all_horizontal(pl.col("firm_id", "firm_name", "industry", "hq_adcode",
                                             "branch_adcode", "year").is_not_null())
                    & pl.col("hq_ci").is_not_null() & pl.col("branch_ci").is_not_null()
                    & (pl.col("year") == pl.col("year").floor()) & pl.col("year").is_between(1949, 2100)
                    & ~(pl.col("capital") < 0).fill_null(False)))
    first = rows.group_by("firm_id").agg(pl.all().sort_by("line").first().name.prefix("d_"))
    agree = (rows.join(first.select("firm_id", "d_firm_name", "d_industry", "d_hq_adcode"), on="firm_id")
             .filter((pl.col("firm_name") == pl.col("d_firm_name")) & (pl.col("industry") == pl.col("d_industry"))
                     & (pl.col("hq_adcode") == pl.col("d_hq_adcode"))))
    kept = agree.sort("line").unique(subset=["firm_id", "branch_adcode"], keep="first", maintain_order=False)
    out = (kept.group_by("hq_ci", "branch_ci")
           .agg(pl.len().alias("weight"), pl.col("capital").sum().alias("capital"),
                pl.col("capital").count().alias("capital_links"))
           .collect(engine="streaming")).to_pandas()
    out = out.sort_values(["hq_ci", "branch_ci"]).reset_index(drop=True)
    return pd.DataFrame({"origin": places.cities[out["hq_ci"].to_numpy(np.int64)],
                         "destination": places.cities[out["branch_ci"].to_numpy(np.int64)],
                         "weight": out["weight"].astype("int64"), "capital": out["capital"].astype(float),
                         "capital_links": out["capital_links"].astype("int64")})


def run(side: str, path: Path, out: Path) -> dict:
    code = _CHILD.format(bench=str(Path(__file__).parent), side=side, path=str(path),
                         out=str(out), peak=PEAK_MB)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        raise SystemExit(f"{side} failed:\n{done.stderr[-3000:]}")
    return json.loads([x for x in done.stdout.splitlines() if x.startswith("RESULT")][-1][7:])


def same_table(a: Path, b: Path) -> bool:
    import numpy as np
    import pandas as pd

    x = pd.read_csv(a, dtype={"origin": str, "destination": str})
    y = pd.read_csv(b, dtype={"origin": str, "destination": str})
    cols = ["origin", "destination", "weight", "capital_links"]
    return (len(x) == len(y) and (x[cols].values == y[cols].values).all()
            and np.allclose(x["capital"], y["capital"], rtol=1e-9, atol=1e-6))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    args = ap.parse_args(argv)
    from kg.paths import CACHE

    folder = Path(os.environ.get("CITYKG_BENCH_DATA") or Path(CACHE) / "bench")
    start = datetime.datetime.now(datetime.timezone.utc)
    print(f"start {start:%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.1f}, "
          f"{os.cpu_count()} cores", flush=True)
    rows, peaks = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            path, _ = firm_file(size, folder=folder)
            got = {side: run(side, path, Path(tmp) / f"{side}_{size}.csv") for side in SIDES}
            for side in ("duckdb", "polars"):
                assert same_table(Path(tmp) / f"{side}_{size}.csv", Path(tmp) / f"pandas_{size}.csv"), \
                    f"{side} table differs from pandas at {size}"
            assert got["duckdb"]["rejects"] == got["pandas"]["rejects"], "duckdb rejects differ"
            d = got["duckdb"]["seconds"]
            rows.append([fmt_rows(size), *(f"{got[s]['seconds']:.1f}" for s in SIDES),
                         f"{got['pandas']['seconds'] / d:.2f}×", f"{got['polars']['seconds'] / d:.2f}×",
                         *(f"{got[s]['peak_mb']:.0f}" for s in SIDES)])
            peaks[size] = got["duckdb"]["peak_mb"]
            print("measured:", " | ".join(rows[-1]), f"(load {os.getloadavg()[0]:.1f})", flush=True)
    print("tables equal (pandas = duckdb = polars); rejects equal (pandas = duckdb)")
    print(table(["rows", "duckdb s", "pandas s", "polars s", "pandas / duckdb", "polars / duckdb",
                 "duckdb MB", "pandas MB", "polars MB"], rows))
    print(f"end {datetime.datetime.now(datetime.timezone.utc):%H:%M} UTC, load average "
          f"{os.getloadavg()[0]:.1f}")
    if len(peaks) > 1:
        lo, hi = min(peaks), max(peaks)
        print(f"RATIO duckdb_peak_{fmt_rows(hi)}_over_{fmt_rows(lo)}={peaks[hi] / peaks[lo]:.2f} (target ≤ 1.2)")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
