"""Helpers shared by the benchmark scripts: test files, timing, peak memory, tables.

Benchmarks run peers side by side in one process run and print ratios; absolute
times on a shared 2-core machine vary from run to run, ratios much less.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DIRTY = 0.01  # benchmark inputs carry 1% of spoilt rows, so the reject paths are timed too


def firm_file(rows: int, seed: int = 1, folder: Path | None = None) -> tuple[Path, dict]:
    """A synthetic firm-linkage file of ``rows`` rows (made once, then reused)."""
    from kg.synth import generate_firms

    folder = Path(folder or os.environ.get("CITYKG_BENCH_DATA",
                                           Path(tempfile.gettempdir()) / "citykg-bench"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"firms_{rows}_s{seed}.csv"
    meta = path.with_suffix(".json")
    if not (path.is_file() and meta.is_file()):
        report = generate_firms(path, rows, seed=seed, dirty=DIRTY)
        meta.write_text(json.dumps(report))
    return path, json.loads(meta.read_text())


def best_of(repeat: int, fn, *args, **kwargs):
    """(smallest wall time over ``repeat`` runs, result of the last run)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best, result


# The peak resident memory of this process image, in MB. Not ru_maxrss: on Linux that keeps
# the high-water mark from before exec, i.e. the size of the parent that forked the child.
PEAK_MB = ("int([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])"
           " / 1024")


def peak_rss_mb(code: str) -> float:
    """Peak resident memory (MB) of a fresh Python process running ``code``."""
    script = f"{code}\nprint('PEAK_MB', {PEAK_MB})"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=REPO).stdout
    return float([line.split()[1] for line in out.splitlines() if line.startswith("PEAK_MB")][-1])


def table(header: list[str], rows: list[list]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def fmt_rows(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else (
        f"{n // 1000}k" if n % 1000 == 0 else str(n))
