"""How fast the national view appears in a browser: citykg's view against pyvis's usual set-up.

Both pages hold the same nodes and edges (the whole graph, ≈3,600 nodes, ≈13,000 edges)
and the same inlined vis-network; they differ only in layout:

* citykg: fixed positions from coordinates, physics off (``kg.viz.pyvis_html``);
* pyvis as usually used: no positions, physics on (barnesHut), so the browser
  stabilises the force layout before it shows anything.

Measured in Debian's headless chromium: milliseconds from navigation start to the
network's first drawing (``window.citykg.firstDraw``), best of ``--repeat``; the
physics page is given up after ``--timeout`` seconds. Prints both and the ratio.

    .venv/bin/python benchmarks/bench_viz.py [--repeat 3] [--timeout 300]
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def first_draw_ms(browser, path: Path, timeout: float) -> float | None:
    """Milliseconds until the page first drew its network (None: not within ``timeout``)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(path.as_uri(), wait_until="load", timeout=timeout * 1000)
        page.wait_for_function("window.citykg && window.citykg.firstDraw !== null",
                               timeout=timeout * 1000, polling=200)
        return page.evaluate("window.citykg.firstDraw")
    except Exception:  # Playwright's TimeoutError: the layout did not settle in time
        return None
    finally:
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from kg.build import build_graph
    from kg.viz.pyvis_html import render_html
    from kg.viz.scope import resolve_scope
    from kg.viz.views import make_view

    t = time.perf_counter()
    g = build_graph()
    view = make_view(g, resolve_scope(g, "national"))
    print(f"graph and view: {len(view.nodes)} nodes, {len(view.edges)} edges "
          f"({time.perf_counter() - t:.1f} s, not timed below)")
    folder = Path(tempfile.mkdtemp(prefix="bench-viz-"))
    ours, peer = folder / "citykg.html", folder / "pyvis-physics.html"
    ours.write_text(render_html(view), encoding="utf-8")
    peer.write_text(render_html(view, physics=True), encoding="utf-8")

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
        best_ours = min(first_draw_ms(browser, ours, args.timeout) or float("inf")
                        for _ in range(args.repeat))
        # The physics page runs once: it is minutes, and the point is the order of magnitude.
        physics = first_draw_ms(browser, peer, args.timeout)
        browser.close()
    shutil.rmtree(folder, ignore_errors=True)

    print(f"{'page':<34}{'first drawing':>16}")
    print(f"{'citykg (positions, physics off)':<34}{best_ours / 1000:>14.2f} s")
    if physics is None:
        print(f"{'pyvis usual (physics on)':<34}{'>' + format(args.timeout, '.0f'):>14} s")
        print(f"ratio pyvis/citykg: > {args.timeout * 1000 / best_ours:.0f}×")
    else:
        print(f"{'pyvis usual (physics on)':<34}{physics / 1000:>14.2f} s")
        print(f"ratio pyvis/citykg: {physics / best_ours:.1f}×")


if __name__ == "__main__":
    main()
