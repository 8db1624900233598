"""Firm-linkage city network: citykg's projection + centrality against pandas + igraph.

Both sides start from the same CSV file (synthetic, 1% spoilt rows) and must end with
the same network: same rows rejected, same edges and weights, and the same scores:

* citykg: ``kg.analysis.firm_network.firm_network`` (streaming, validated, ~4 MB
  blocks, flat memory) into a networkx DiGraph, then ``kg.analysis.centrality.
  centrality_table`` on it (the table ``citykg analyze centrality`` reports: in/out
  degree and strength, betweenness, closeness, eigenvector, PageRank in/out, hub rank);
* peer: the whole file into one pandas DataFrame, the same checks written as pandas
  operations, edges summed with ``groupby``, then an igraph Graph and the same
  measures with igraph.

Checked equal: rejected rows, every edge weight and capital sum, in/out strength,
betweenness and PageRank (1e-9). Closeness and eigenvector are computed by both (so
both do the same work) but compared by ``benchmarks/bench_centrality.py`` and the tests.

Target: citykg ≤ 2× the peer's time at 1M rows. Prints one table with both times,
the ratio, and each side's peak memory at each size (a fresh process each).

    .venv/bin/python benchmarks/bench_firm_network.py                # 10k, 100k, 1M
    .venv/bin/python benchmarks/bench_firm_network.py --sizes 10000  # CI smoke test
"""
from __future__ import annotations

import argparse

import igraph as ig
import numpy as np
import pandas as pd

from common import best_of, firm_file, fmt_rows, peak_rss_mb, table

from kg.analysis.centrality import centrality_table
from kg.analysis.firm_network import firm_network
from kg.analysis.networks import edge_length
from kg.sources.firms import REQUIRED, YEAR_RANGE, default_places

TARGET = 2.0


def citykg_run(path, places):
    g, stats = firm_network(path, places=places)
    return g, stats.accepted, centrality_table(g)


def citykg_result(run):
    g, accepted, table_ = run
    scores = {k: table_[k].to_dict() for k in ("in_strength", "out_strength", "betweenness",
                                                "pagerank_in")}
    return {"edges": {(u, v): d["weight"] for u, v, d in g.edges(data=True)},
            "capital": {(u, v): d["capital"] for u, v, d in g.edges(data=True)},
            "accepted": accepted, **scores}


def peer_run(path, places):
    """What a researcher would write with pandas and igraph, doing the same checks."""
    text = {"firm_id": str, "firm_name": str, "industry": str}
    df = pd.read_csv(path, dtype=text, keep_default_na=False, na_values=[""])
    ok = df[list(REQUIRED)].notna().all(axis=1)
    hq = places.lookup(pd.to_numeric(df["hq_adcode"], errors="coerce").to_numpy(np.float64))
    branch = places.lookup(pd.to_numeric(df["branch_adcode"], errors="coerce").to_numpy(np.float64))
    year = pd.to_numeric(df["year"], errors="coerce")
    capital = pd.to_numeric(df["capital"], errors="coerce")
    ok &= (hq >= 0) & (branch >= 0) & (year % 1 == 0) & year.between(*YEAR_RANGE)
    ok &= ~(capital < 0) & (capital.notna() | df["capital"].isna())
    df = df.assign(hq=hq, branch=branch, capital=capital)[ok.to_numpy()]
    # a firm id keeps the name, industry and HQ of its first valid row; a link is given once
    attrs = ["firm_name", "industry", "hq_adcode"]
    first = df.groupby("firm_id", sort=False)[attrs].transform("first")
    df = df[(df[attrs] == first).all(axis=1)].drop_duplicates(["firm_id", "branch_adcode"])
    nodes = np.union1d(df["hq"].unique(), df["branch"].unique())
    across = df[df["hq"] != df["branch"]]
    agg = across.groupby(["hq", "branch"]).agg(weight=("hq", "size"), capital=("capital", "sum"))
    agg = agg.reset_index()
    position = np.full(len(places.cities), -1)
    position[nodes] = np.arange(len(nodes))
    edges = np.column_stack([position[agg["hq"]], position[agg["branch"]]])
    weight = agg["weight"].to_numpy(np.float64)
    g = ig.Graph(n=len(nodes), edges=edges.tolist(), directed=True,
                 vertex_attrs={"name": places.cities[nodes].tolist()},
                 edge_attrs={"weight": weight.tolist(), "capital": agg["capital"].tolist(),
                             "distance": (1 / weight).tolist(),
                             "length": [edge_length(d) for d in 1 / weight]})
    n = g.vcount()
    scores = {
        "in_degree": g.degree(mode="in"), "out_degree": g.degree(mode="out"),
        "in_strength": g.strength(mode="in", weights="weight"),
        "out_strength": g.strength(mode="out", weights="weight"),
        # networkx's normalisation for directed graphs: 1 / ((n-1)(n-2))
        "betweenness": (np.asarray(g.betweenness(weights="length")) / ((n - 1) * (n - 2))).tolist(),
        "closeness": g.closeness(mode="in", weights="distance"),
        "eigenvector": _eigenvector_undirected(g),
        "pagerank_in": g.pagerank(weights="weight"),
        "pagerank_out": ig.Graph(n=n, edges=edges[:, ::-1].tolist(), directed=True,
                                 edge_attrs={"weight": weight.tolist()}).pagerank(weights="weight"),
    }
    return g, len(df), scores


def _eigenvector_undirected(g):
    u = g.as_undirected(mode="collapse", combine_edges={"weight": "sum"})
    out = np.zeros(u.vcount())
    for members in u.connected_components():
        if len(members) > 1:
            sub = u.induced_subgraph(members)
            out[members] = np.asarray(sub.eigenvector_centrality(weights="weight", scale=False)) \
                * len(members) / u.vcount()
    return out.tolist()


def peer_result(run):
    g, accepted, scores = run
    names = g.vs["name"]
    pairs = [(names[e.source], names[e.target]) for e in g.es]
    return {"edges": dict(zip(pairs, g.es["weight"])), "capital": dict(zip(pairs, g.es["capital"])),
            "accepted": accepted,
            **{k: dict(zip(names, v)) for k, v in scores.items()
               if k in ("in_strength", "out_strength", "betweenness", "pagerank_in")}}


def check_same(ours, peer, expected_accepted):
    assert ours["accepted"] == peer["accepted"] == expected_accepted, \
        (ours["accepted"], peer["accepted"], expected_accepted)
    assert ours["edges"] == peer["edges"], "edge weights differ"
    for key, value in peer["capital"].items():
        assert abs(ours["capital"][key] - value) <= 1e-6 * max(1.0, abs(value)), key
    for measure in ("in_strength", "out_strength", "betweenness", "pagerank_in"):
        worst = max(abs(ours[measure][k] - v) for k, v in peer[measure].items())
        assert worst < 1e-9, f"{measure} differs by {worst}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=3, help="best of N runs per side")
    ap.add_argument("--no-memory", action="store_true", help="skip the peak-memory runs")
    args = ap.parse_args(argv)

    places = default_places()
    rows, worst = [], 0.0
    for size in args.sizes:
        path, made = firm_file(size)
        expected = made["rows"] - sum(v for k, v in made.items() if k != "rows")
        # alternate the sides so that machine noise hits both alike
        t_peer, peer = best_of(1, peer_run, path, places)
        t_ours, ours = best_of(1, citykg_run, path, places)
        for _ in range(args.repeat - 1):
            t_peer = min(t_peer, best_of(1, peer_run, path, places)[0])
            t_ours = min(t_ours, best_of(1, citykg_run, path, places)[0])
        ours, peer = citykg_result(ours), peer_result(peer)
        check_same(ours, peer, expected)
        ratio = t_ours / t_peer
        worst = max(worst, ratio) if size >= 1_000_000 or size == max(args.sizes) else worst
        memory = ["", ""] if args.no_memory else [
            f"{peak_rss_mb(code.format(path=path)):.0f}" for code in (_MEMORY_CODE, _PEER_MEMORY)]
        rows.append([fmt_rows(size), len(ours["edges"]), f"{t_ours:.2f}", f"{t_peer:.2f}",
                     f"{ratio:.2f}×", *memory])
    print(table(["rows", "city edges", "citykg s", "pandas+igraph s", "ratio", "citykg peak MB",
                 "pandas+igraph peak MB"], rows))
    print(f"\nresults identical (rejects, edge weights and capital, strength, betweenness, "
          f"PageRank within 1e-9); "
          f"target ≤ {TARGET:.0f}× at the largest size: {worst:.2f}× "
          f"({'met' if worst <= TARGET else 'NOT met'})")


_MEMORY_CODE = """
from kg.analysis.centrality import centrality_table
from kg.analysis.firm_network import firm_network
g, stats = firm_network(r"{path}")
centrality_table(g)
"""

_PEER_MEMORY = """
import sys
sys.path.insert(0, "benchmarks")
from bench_firm_network import peer_run
from kg.sources.firms import default_places
peer_run(r"{path}", default_places())
"""

if __name__ == "__main__":
    main()
