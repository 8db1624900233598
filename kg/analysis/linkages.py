"""Cross-region linkages: ties that cross province and cluster boundaries, and who bridges them.

- ``boundary_crossings``: per relation, how many ties (and how much weight) stay inside a
  province / cluster and how many cross;
- ``cluster_matrix``: cluster × cluster linkage strength on the city-level combined
  network (an edge between a city of A and a city of B adds its weight to A×B);
- ``bridging_places``: betweenness counted only on shortest paths between members of
  *different* clusters, plus the share of each place's ties that leave its clusters;
- ``cross_provincial_pairs``: adjacent pairs in different provinces inside one metro circle
  (南京–滁州, 南京–马鞍山);
- ``spillover_flows``: every stated spillover with its function, and a summary by function.

>>> import networkx as nx
>>> h = nx.path_graph(["a1", "a2", "b1", "b2"])
>>> member = {"a1": {"A"}, "a2": {"A"}, "b1": {"B"}, "b2": {"B"}}
>>> bridging_betweenness(h, member)["a2"]
2.0
"""
from __future__ import annotations

from collections import defaultdict

import networkx as nx
import numpy as np
import pandas as pd

from kg.model import schema
from kg.model.graph import nodes_with, rels_of
from kg.analysis import networks
from kg.analysis.scope import memberships


def _cluster_names(g) -> dict[str, str]:
    return {k: d.get("name", k) for k, d in nodes_with(g, schema.CITY_CLUSTER)}


def boundary_crossings(g: nx.MultiDiGraph, as_of: int | None = None,
                       plan: str | None = None) -> pd.DataFrame:
    """Counts of ties within / across province and cluster boundaries, per relation;
    cluster membership as of ``as_of`` (default: the latest year) or, for the cluster it
    TARGETS, of ``plan`` (``kg.model.membership``)."""
    hier = networks.Hierarchy(g)
    member = memberships(g, as_of=as_of, plan=plan)
    rows = []
    groups = {
        "ADJACENT_TO (City)": [(u, v, 1.0) for u, v, d in rels_of(g, schema.ADJACENT_TO)
                               if d.get("level") == schema.CITY],
        "ADJACENT_TO (County)": [(u, v, 1.0) for u, v, d in rels_of(g, schema.ADJACENT_TO)
                                 if d.get("level") == schema.COUNTY],
        schema.SPILLOVER_TO: [(u, v, 1.0) for u, v, _ in rels_of(g, schema.SPILLOVER_TO)],
        schema.COOPERATES_WITH: [(a, b, 1.0) for u, v, _ in rels_of(g, schema.COOPERATES_WITH)
                                 if (a := networks._place_of(g, u)) and (b := networks._place_of(g, v))],
        "comembership": [(u, v, d["weight"]) for u, v, d in
                         networks.comembership(g).edges(data=True)],
    }
    for relation, ties in groups.items():
        counts = defaultdict(float)
        for u, v, w in ties:
            cross_p = hier.province(u) != hier.province(v)
            cu, cv = member.get(u, set()), member.get(v, set())
            # no cluster on either side: outside the cluster system, not a crossing
            if not cu and not cv:
                cluster_key = "outside_clusters"
            elif cu & cv:
                cluster_key = "within_cluster"
            else:
                cluster_key = "cross_cluster"
            counts["ties"] += 1
            counts["weight"] += w
            counts["cross_province" if cross_p else "within_province"] += 1
            counts["cross_province_weight"] += w if cross_p else 0.0
            counts[cluster_key] += 1
            counts[cluster_key + "_weight"] += w
        rows.append({"relation": relation, **counts})
    cols = ["relation", "ties", "weight", "within_province", "cross_province",
            "cross_province_weight", "within_cluster", "cross_cluster", "cross_cluster_weight",
            "outside_clusters"]
    df = pd.DataFrame(rows).reindex(columns=cols).fillna(0.0)
    df["cross_province_share"] = df["cross_province"] / df["ties"].where(df["ties"] > 0)
    return df


def cluster_matrix(g: nx.MultiDiGraph, h: nx.Graph | None = None,
                   exclude=("comembership",), as_of: int | None = None,
                   plan: str | None = None) -> pd.DataFrame:
    """Cluster × cluster linkage strength (symmetric; the diagonal is within-cluster) on
    the combined city network ``h`` (default: ``networks.combined(g)``), leaving out the
    ``exclude`` components (co-membership would only echo the membership itself)."""
    h = h if h is not None else networks.combined(g)
    member = memberships(g, as_of=as_of, plan=plan)
    names = _cluster_names(g)
    keys = sorted(names)
    m = pd.DataFrame(0.0, index=keys, columns=keys)
    for u, v, d in h.edges(data=True):
        w = sum(x for what, x in d.get("relations", {}).items() if what not in exclude)
        if not w:
            continue
        for a in member.get(u, ()):
            for b in member.get(v, ()):
                m.loc[a, b] += w
                if a != b:
                    m.loc[b, a] += w
    m.index = [names[k] for k in keys]
    m.columns = [names[k] for k in keys]
    nonzero = (m.sum(axis=1) > 0)
    return m.loc[nonzero, nonzero]


def bridging_betweenness(h: nx.Graph, member: dict[str, set], weight: str | None = None) -> dict:
    """Betweenness over shortest paths whose two ends lie in different clusters only
    (unnormalised: the number of such cross-cluster pairs, fractionally, a node lies between)."""
    clusters = sorted({c for cs in member.values() for c in cs})
    total = dict.fromkeys(h, 0.0)
    members_in = [n for n in h if member.get(n)]
    for c in clusters:
        sources = [n for n in members_in if c in member[n]]
        targets = [n for n in members_in if c not in member[n]]
        if not sources or not targets:
            continue
        part = nx.betweenness_centrality_subset(h, sources, targets, normalized=False,
                                                weight=weight)
        for n, x in part.items():
            total[n] += x
    return total


def bridging_places(g: nx.MultiDiGraph, h: nx.Graph | None = None, top: int | None = None,
                    as_of: int | None = None, plan: str | None = None) -> pd.DataFrame:
    """Places ranked by cross-cluster betweenness on the city adjacency network, with the
    share of their boundary ties that lead to a city of another (or no) cluster."""
    h = h if h is not None else networks.city_adjacency(g)
    member = memberships(g, as_of=as_of, plan=plan)
    btw = bridging_betweenness(h, member)
    names = _cluster_names(g)
    rows = []
    for n in h:
        mine = member.get(n, set())
        ties = list(h[n])
        outward = sum(1 for v in ties if not (member.get(v, set()) & mine)) if mine else len(ties)
        rows.append({"node": n, "name": h.nodes[n].get("name"),
                     "clusters": "、".join(sorted(names[c] for c in mine)),
                     "bridging_betweenness": btw[n], "ties": len(ties),
                     "outward_share": outward / len(ties) if ties else np.nan})
    df = pd.DataFrame(rows).sort_values(["bridging_betweenness", "node"], ascending=[False, True])
    return df.head(top) if top else df


def cross_provincial_pairs(g: nx.MultiDiGraph, as_of: int | None = None,
                           plan: str | None = None) -> pd.DataFrame:
    """Adjacent pairs (City or County level) in different provinces, both inside the same
    metro circle (its members as of ``as_of``, or of ``plan`` for the circle it TARGETS)."""
    from kg.analysis.scope import EmptyScope, analysis_scope
    from kg.model.membership import plans_of

    hier = networks.Hierarchy(g)
    rows = []
    for key, d in sorted(nodes_with(g, schema.METRO_CIRCLE)):
        try:
            scope = analysis_scope(g, key, as_of, plan if plan and plan in plans_of(g, key) else None)
        except EmptyScope:        # no plan of this circle in force in that year
            continue
        for u, v, e in rels_of(g, schema.ADJACENT_TO):
            if e.get("level") not in (schema.CITY, schema.COUNTY):
                continue
            if u in scope.places and v in scope.places and hier.province(u) != hier.province(v):
                a, b = sorted((u, v))
                rows.append({"metro_circle": d.get("name", key), "level": e.get("level"),
                             "a": a, "a_name": g.nodes[a]["name"],
                             "a_province": g.nodes[hier.province(a)]["name"],
                             "b": b, "b_name": g.nodes[b]["name"],
                             "b_province": g.nodes[hier.province(b)]["name"],
                             "partial": a in scope.partial or b in scope.partial})
    return pd.DataFrame(rows, columns=["metro_circle", "level", "a", "a_name", "a_province",
                                       "b", "b_name", "b_province", "partial"])


def spillover_flows(g: nx.MultiDiGraph) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every SPILLOVER_TO with function and source, a summary by function)."""
    hier = networks.Hierarchy(g)
    rows = []
    for u, v, d in rels_of(g, schema.SPILLOVER_TO):
        rows.append({"from": u, "from_name": g.nodes[u]["name"], "to": v,
                     "to_name": g.nodes[v]["name"], "function": d.get("function", ""),
                     "cross_province": hier.province(u) != hier.province(v),
                     "source_id": d.get("source_id"), "quote": d.get("quote", "")})
    flows = pd.DataFrame(rows, columns=["from", "from_name", "to", "to_name", "function",
                                        "cross_province", "source_id", "quote"])
    flows = flows.sort_values(["function", "from", "to"]).reset_index(drop=True)
    # the kind of division of labour: the function without its parenthesised context
    kind = flows["function"].str.replace(r"\s*[(（].*$", "", regex=True)
    summary = (flows.assign(kind=kind)
               .groupby("kind", dropna=False)
               .agg(flows=("to", "size"), cross_province=("cross_province", "sum"),
                    sources=("from_name", lambda s: "、".join(sorted(set(s)))),
                    targets=("to_name", lambda s: "、".join(sorted(set(s)))))
               .reset_index().sort_values(["flows", "kind"], ascending=[False, True]))
    return flows, summary
