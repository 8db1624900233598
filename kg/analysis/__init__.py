"""Network analyses of the knowledge graph, as a Python API returning pandas DataFrames.

    from kg.analysis import load_graph, hubs, homogeneity_tables, linkage_tables
    g = load_graph()                                 # or load_graph(build="build/"), (neo4j=True)
    table = hubs(g, "combined", scope="长三角")          # one row per city, ranked
    sim = homogeneity_tables(g, scope="南京都市圈")       # dict of DataFrames
    links = linkage_tables(g)                        # dict of DataFrames

One algorithm per module: ``networks`` (the graphs analysed), ``scope``, ``fast`` (the
igraph engine under networkx-shaped functions), ``centrality``, ``homogeneity``,
``nullmodel``, ``communities``, ``linkages``; ``reports`` writes Markdown/CSV/PNG and
``fonts`` sets up the CJK font for figures. ``citykg analyze`` is the command line.
"""
from __future__ import annotations

from kg.analysis.source import graph_from_build, graph_from_neo4j, load_graph

__all__ = ["load_graph", "graph_from_build", "graph_from_neo4j", "network", "hubs",
           "homogeneity_tables", "linkage_tables"]


def network(g, name: str = "combined", scope: str | None = None, **options):
    """The networkx graph ``name`` (see ``kg.analysis.networks.NETWORKS``) inside ``scope``."""
    from kg.analysis import networks

    return networks.network(g, name, scope, **options)


def hubs(g, name: str = "combined", scope: str | None = None, engine: str = "fast", **options):
    """Centrality table (DataFrame, ranked by ``hub_rank``) of network ``name`` in ``scope``."""
    from kg.analysis.centrality import centrality_table

    return centrality_table(network(g, name, scope, **options), engine)


def homogeneity_tables(g, scope: str | None = None, samples: int = 1000, seed: int = 20240917,
                rollup: bool = False, threshold: float = 0.5) -> dict:
    """``{"matrix", "pairs", "index", "clusters", "risks", "location_quotients", "claims"}``."""
    import pandas as pd

    from kg.analysis import communities, homogeneity as hm, networks, nullmodel
    from kg.analysis.scope import analysis_scope

    sc = analysis_scope(g, scope)
    m = hm.industry_matrix(g, sc, rollup=rollup)
    pairs = hm.pairwise(m)
    if len(m) >= 2:
        sig = nullmodel.overlap_significance(m, samples=samples, seed=seed)
        pairs = pairs.merge(sig.drop(columns=["shared"]), on=["a", "b"], how="left")
    b = networks.restrict(networks.place_industry(g), sc)
    return {
        "matrix": m,
        "pairs": pairs,
        "index": pd.DataFrame([hm.homogeneity_index(m)]),
        "clusters": communities.homogeneity_clusters(networks.industry_similarity(g, b), b, seed=seed),
        "risks": hm.competition_risks(g, pairs, threshold),
        "location_quotients": hm.location_quotients(g),
        "claims": hm.claims(g),
    }


def linkage_tables(g, weights: dict | None = None) -> dict:
    """``{"crossings", "cluster_matrix", "bridging", "metro_pairs", "flows", "functions"}``."""
    from kg.analysis import linkages as lk, networks

    flows, functions = lk.spillover_flows(g)
    return {
        "crossings": lk.boundary_crossings(g),
        "cluster_matrix": lk.cluster_matrix(g, networks.combined(g, weights)),
        "bridging": lk.bridging_places(g),
        "metro_pairs": lk.cross_provincial_pairs(g),
        "flows": flows,
        "functions": functions,
    }
