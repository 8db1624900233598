"""Homogeneity clusters: Louvain communities of the industry-similarity graph.

Places whose industry lists resemble each other end up in one community; each community
is reported with the industries most of its members share. Louvain is randomised, so a
fixed ``seed`` makes the result the same on every run (the tests check it), and the
communities are listed in a fixed order (largest first, then by first member).

>>> import networkx as nx
>>> h = nx.Graph()
>>> h.add_weighted_edges_from([("a", "b", 1.0), ("b", "c", 1.0), ("a", "c", 1.0),
...                            ("x", "y", 1.0), ("c", "x", 0.1)])
>>> [sorted(c) for c in louvain(h, seed=7)]
[['a', 'b', 'c'], ['x', 'y']]
"""
from __future__ import annotations

from collections import Counter

import networkx as nx
import pandas as pd

DEFAULT_SEED = 20240917


def louvain(h: nx.Graph, seed: int = DEFAULT_SEED, resolution: float = 1.0,
            weight: str = "weight") -> list[set]:
    """Louvain communities in a stable order; isolated nodes form their own communities."""
    if h.number_of_nodes() == 0:
        return []
    comms = nx.community.louvain_communities(h, weight=weight, resolution=resolution, seed=seed)
    return sorted((set(c) for c in comms), key=lambda c: (-len(c), min(map(str, c))))


def homogeneity_clusters(sim: nx.Graph, bipartite: nx.Graph, seed: int = DEFAULT_SEED,
                         resolution: float = 1.0, min_share: float = 0.5) -> pd.DataFrame:
    """One row per community of ``sim`` (the industry-similarity graph) with its members
    and the industries listed by at least ``min_share`` of them (``bipartite`` = the
    place–industry graph the similarity came from)."""
    rows = []
    for i, members in enumerate(louvain(sim, seed, resolution), start=1):
        counts = Counter(ind for m in members for ind in bipartite[m])
        shared = [(ind, c) for ind, c in sorted(counts.items(), key=lambda x: (-x[1], x[0]))
                  if c / len(members) >= min_share]
        names = lambda keys: "、".join(bipartite.nodes[k].get("name", k) for k in keys)  # noqa: E731
        rows.append({
            "cluster": i,
            "size": len(members),
            "members": ";".join(sorted(members)),
            "member_names": names(sorted(members)),
            "shared_industries": ";".join(ind for ind, _ in shared),
            "shared_industry_names": "、".join(
                f"{bipartite.nodes[ind].get('name', ind)} ({c}/{len(members)})" for ind, c in shared),
        })
    return pd.DataFrame(rows, columns=["cluster", "size", "members", "member_names",
                                       "shared_industries", "shared_industry_names"])
