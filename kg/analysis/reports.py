"""Report writers: Markdown + CSV + PNG for the three analyses. The only module with I/O.

``write_centrality``, ``write_homogeneity`` and ``write_linkages`` each compute their
analysis with the modules next to this one, write files into ``out`` and return
``[(title, path), ...]``; ``write_all`` runs the set ``citykg report`` links to.
Figures use matplotlib's object API (no pyplot state) and the CJK font of ``fonts``.
"""
from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pandas as pd

from kg.analysis import centrality, communities, homogeneity, linkages, networks, nullmodel, specialisation
from kg.analysis.fonts import setup_cjk_font
from kg.analysis.scope import AnalysisScope, analysis_scope, memberships, own_plan, reference_scope
from kg.model import schema
from kg.model.graph import nodes_with

DEFAULT_NETWORK = "flows"  # observed flows (kg.analysis.flow_report); comembership etc. by name


# --- small writers ---------------------------------------------------------------------

def _fmt(x) -> str:
    if isinstance(x, float):
        if math.isnan(x):
            return ""
        return f"{x:.4g}" if abs(x) < 1e4 else f"{x:,.0f}"
    return str(x).replace("|", "/").replace("\n", " ")


def md_table(df: pd.DataFrame, index: bool = False) -> str:
    """A Markdown table (no extra dependency)."""
    if index:
        df = df.reset_index()
    if df.empty:
        return "_(none)_"
    head = "| " + " | ".join(map(str, df.columns)) + " |"
    rule = "|" + "---|" * len(df.columns)
    body = ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _csv(df: pd.DataFrame, path: Path, index: bool = False) -> Path:
    df.to_csv(path, index=index, encoding="utf-8")
    return path


def _figure(width: float = 8, height: float = 5):
    from matplotlib.figure import Figure

    setup_cjk_font()
    fig = Figure(figsize=(width, height), dpi=110)
    return fig, fig.add_subplot()


def bar_chart(values: pd.Series, path: Path, title: str, xlabel: str) -> Path:
    """Horizontal bars, largest on top; the index holds the (Chinese) labels."""
    fig, ax = _figure(8, max(3, 0.35 * len(values) + 1))
    ax.barh(list(values.index)[::-1], list(values.to_numpy())[::-1], color="#3b6ea8")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    fig.tight_layout()
    fig.savefig(path)
    return path


def scatter_map(df: pd.DataFrame, score: str, path: Path, title: str, label_top: int = 10) -> Path:
    """Places at their coordinates, marker area proportional to ``score``; top ones named."""
    pts = df.dropna(subset=["lon", "lat"])
    fig, ax = _figure(9, 7)
    top = pts[score].max() or 1.0
    ax.scatter(pts["lon"], pts["lat"], s=4 + 300 * pts[score] / top, alpha=0.55,
               color="#c0392b", edgecolors="none")
    for _, r in pts.sort_values(score, ascending=False).head(label_top).iterrows():
        ax.annotate(str(r["name"]), (r["lon"], r["lat"]), fontsize=8, xytext=(3, 3),
                    textcoords="offset points")
    ax.set_xlabel("经度 longitude")
    ax.set_ylabel("纬度 latitude")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path)
    return path


def heatmap(m: pd.DataFrame, path: Path, title: str, log: bool = False) -> Path:
    """A matrix as coloured cells; ``log`` colours by log(1 + value) so that one large
    cell does not wash out the rest (the colour bar says so)."""
    import numpy as np

    fig, ax = _figure(max(6, 0.45 * m.shape[1] + 3), max(5, 0.4 * m.shape[0] + 2))
    values = m.to_numpy(dtype=float)
    image = ax.imshow(np.log1p(values) if log else values, cmap="YlOrRd")
    ax.set_xticks(range(m.shape[1]), [str(c) for c in m.columns], rotation=90, fontsize=8)
    ax.set_yticks(range(m.shape[0]), [str(i) for i in m.index], fontsize=8)
    bar = fig.colorbar(image, ax=ax, shrink=0.7)
    if log:
        bar.set_label("log(1 + value)")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path)
    return path


def _scope(g, scope) -> AnalysisScope:
    return scope if isinstance(scope, AnalysisScope) else analysis_scope(g, scope)


def _write_md(path: Path, parts: list[str]) -> Path:
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return path


# --- centrality -----------------------------------------------------------------------

def _hub_lines(df: pd.DataFrame, k: int) -> list[str]:
    lines = []
    for node, r in df.sort_values("hub_rank").head(k).iterrows():
        lines.append(f"{int(r['hub_rank'])}. **{r['name']}** ({node}): hub score {r['hub_score']:.3f}; "
                     f"strength {r['strength']:.3g}, betweenness {r['betweenness']:.4f}, "
                     f"PageRank {r['pagerank']:.4f} — carried by {r['carried_by']}")
    return lines


def write_centrality(g: nx.MultiDiGraph, out: Path, network: str = DEFAULT_NETWORK,
                     scope=None, top: int = 15, engine: str = "fast",
                     weights: dict | None = None) -> list[tuple[str, Path]]:
    """Centrality tables (national, and the scope's if given, else each cluster's top hubs),
    a top-k bar chart and a coordinate scatter sized by hub score. Flow networks (the
    default, ``flows``, and each mode) get the flow hub report of ``flow_report``."""
    from kg.analysis.flow_networks import FLOW_NETWORKS

    if network in FLOW_NETWORKS:
        from kg.analysis.flow_report import write_flow_centrality

        return write_flow_centrality(g, out, network, scope, top, engine)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sc = _scope(g, scope)
    options = {"weights": weights} if network == "combined" and weights else {}
    national = networks.network(g, network, None, **options)
    nat = centrality.centrality_table(national, engine)
    stem = f"centrality_{network}_{sc.slug()}"
    parts = [f"# Centrality: {network} network, {sc.describe()}",
             f"Network **{network}**: {national.number_of_nodes():,} nodes, "
             f"{national.number_of_edges():,} edges nationally, "
             f"{nx.number_connected_components(national.to_undirected()) if len(national) else 0} "
             "connected components (betweenness and closeness are computed on the whole network; "
             "eigenvector centrality per component). Hub score = mean percentile rank of strength, "
             "betweenness, closeness, eigenvector and PageRank. *Carried by* = the relations "
             "that make up the node's ties."]
    files = [_csv(nat, out / f"centrality_{network}_national.csv", index=True)]
    parts += ["## National hubs", "\n".join(_hub_lines(nat, top))]
    table = nat
    if not sc.is_national:
        sub = networks.network(g, network, sc, base=national)
        table = centrality.centrality_table(sub, engine)
        table["national_rank"] = nat["hub_rank"].reindex(table.index)
        files.append(_csv(table, out / f"{stem}.csv", index=True))
        parts += [f"## Hubs inside {sc.describe()}",
                  f"The {network} network restricted to {sc.name}: {sub.number_of_nodes()} nodes, "
                  f"{sub.number_of_edges()} edges. `national_rank` is the node's rank in the "
                  "national network.", "\n".join(_hub_lines(table, top)),
                  md_table(centrality.top_hubs(table, top).assign(
                      national_rank=table["national_rank"]), index=True)]
    else:
        parts += ["## Hubs per city cluster", _cluster_hubs(g, national, engine, sc)]
        parts += ["## Top table", md_table(centrality.top_hubs(nat, top), index=True)]
    label = table.sort_values("hub_rank").head(top)
    bar = bar_chart(label.set_index("name")["hub_score"], out / f"{stem}_top.png",
                    f"{sc.name} {network}: top {len(label)} hubs", "hub score")
    scatter = scatter_map(table, "hub_score", out / f"{stem}_map.png",
                          f"{sc.name} {network}: hub score by location")
    parts += [f"![top hubs]({bar.name})", f"![map]({scatter.name})"]
    md = _write_md(out / f"{stem}.md", parts)
    return [(f"Centrality ({network}, {sc.name})", md), *[(p.name, p) for p in (*files, bar, scatter)]]


def _cluster_hubs(g, national: nx.Graph, engine: str, ref: AnalysisScope | None = None,
                  k: int = 3) -> str:
    """Top hubs of each city cluster, its members as of ``ref``'s year / plan (if explicit)."""
    as_of = ref.as_of if ref is not None and ref.explicit else None
    plan = ref.plan if ref is not None else None
    rows = []
    for key, d in sorted(nodes_with(g, schema.CITY_CLUSTER)):
        try:
            scope = analysis_scope(g, key, as_of, own_plan(g, key, plan))
            sub = networks.network(g, national.graph["network"], scope, base=national)
        except ValueError:  # EmptyScope: the cluster has no node in this network
            continue
        if sub.number_of_nodes() < 3:
            continue
        t = centrality.centrality_table(sub, engine)
        hubs = "、".join(f"{r['name']} ({r['hub_score']:.2f})" for _, r in t.head(k).iterrows())
        rows.append({"cluster": d.get("name", key), "nodes": len(sub), "hubs": hubs})
    return md_table(pd.DataFrame(rows))


# --- homogeneity ------------------------------------------------------------------------

def write_homogeneity(g: nx.MultiDiGraph, out: Path, scope=None, top: int = 4,
                      samples: int = 1000, seed: int = communities.DEFAULT_SEED,
                      threshold: float = 0.5, rollup: bool = False) -> list[tuple[str, Path]]:
    """Matrix, pairwise similarity with null-model significance, homogeneity indices,
    Louvain homogeneity clusters, competition risks, location quotients, corpus claims."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sc = _scope(g, scope)
    stem = f"homogeneity_{sc.slug()}"
    m = homogeneity.industry_matrix(g, sc, rollup=rollup)
    names = m.attrs["names"]
    if len(m) < 2:
        raise ValueError(f"scope {sc.name}: {len(m)} place(s) with industry rows in the graph; "
                         "homogeneity needs at least two")
    pairs = homogeneity.pairwise(m)
    sig = nullmodel.overlap_significance(m, samples=samples, seed=seed)
    pairs = pairs.merge(sig[["a", "b", "expected", "z", "p_empirical", "p_value", "q_value",
                             "significant"]],
                        on=["a", "b"], how="left")
    pairs.insert(1, "a_name", pairs["a"].map(names))
    pairs.insert(3, "b_name", pairs["b"].map(names))
    index = homogeneity.homogeneity_index(m, top)
    scopes = homogeneity.scope_indices(g, top=top, rollup=rollup,
                                       as_of=sc.as_of if sc.explicit else None, plan=sc.plan)
    b = networks.restrict(networks.place_industry(g), sc)
    sim = networks.industry_similarity(g, b)
    clusters = communities.homogeneity_clusters(sim, b, seed=seed)
    risks = homogeneity.competition_risks(g, pairs, threshold)
    lq = homogeneity.location_quotients(g)
    claims = homogeneity.claims(g)
    files = [_csv(m.rename(index=names, columns=names), out / f"{stem}_matrix.csv", index=True),
             _csv(pairs, out / f"{stem}_pairs.csv"), _csv(scopes, out / "homogeneity_scopes.csv"),
             _csv(clusters, out / f"{stem}_clusters.csv"), _csv(risks, out / f"{stem}_risks.csv"),
             _csv(lq, out / "location_quotients.csv"), _csv(claims, out / "homogeneity_claims.csv")]
    shares = homogeneity.industry_shares(m).head(15)
    fig1 = bar_chart(shares.rename(index=names), out / f"{stem}_shares.png",
                     f"{sc.name}: share of places listing each industry", "share")
    show = m.loc[:, list(shares.index)].rename(index=names, columns=names)
    fig2 = heatmap(show.head(60), out / f"{stem}_matrix.png", f"{sc.name}: place × industry")
    n_sig = int(pairs["significant"].fillna(False).sum())
    share_table = homogeneity.sector_shares(g, sc)
    share_pairs = homogeneity.share_indices(share_table)
    files.append(_csv(share_pairs, out / f"{stem}_structure_similarity.csv"))
    if len(share_pairs):
        lead_numbers = homogeneity.share_summary(share_table, share_pairs)
        sources = sorted({x for x in share_table.attrs["sources"].values() if x})
        regional = specialisation.regional(share_table).rename("krugman_vs_scope")
        name_of = lambda k: g.nodes[k].get("name", k)  # noqa: E731
        share_pairs = share_pairs.assign(a_name=share_pairs["a"].map(name_of),
                                         b_name=share_pairs["b"].map(name_of))
        spec = regional.sort_values(ascending=False).rename(index=name_of).to_frame()
        lead = [f"**{lead_numbers['places']} places, {lead_numbers['year']}: mean structure similarity "
                f"S = {lead_numbers['mean_structure_similarity']:.3f} (lowest {lead_numbers['min_structure_similarity']:.3f}), "
                f"mean Krugman index K = {lead_numbers['mean_krugman']:.3f} (highest {lead_numbers['max_krugman']:.3f}).** "
                f"Input: {share_table.attrs['input']}; source {', '.join(sources)} (`data/README.md`).",
                "Least similar pairs:",
                md_table(share_pairs.sort_values("structure_similarity").head(10)
                         [["a_name", "b_name", "structure_similarity", "krugman"]]),
                "Most specialised places (regional Krugman index against the scope's mean structure):",
                md_table(spec.head(10), index=True)]
    else:
        lead = [f"Shares are needed for these two measures: {len(share_table)} place(s) in this scope "
                "have sector shares of GDP in the graph, so neither is computed; the "
                "measures below use binary listings (which industries, not how much)."]
    parts = [
        f"# Industrial homogeneity (产业同质化): {sc.describe()}",
        "## Structure similarity (产业结构相似系数) and Krugman index, from output shares",
        "UNIDO's coefficient S = Σ s_ak s_bk / √(Σ s_ak² Σ s_bk²) (1 = the same structure) and the "
        "bilateral Krugman index K = Σ |s_ak − s_bk| (0 = same, 2 = nothing in common), on the "
        "sector shares of GDP of one year (`kg.analysis.similarity`, `specialisation`; "
        "`homogeneity.sector_shares` says which shares).",
        *lead,
        f"{len(m)} places/parks/new areas with industry rows (SPECIALIZES_IN, PLANS_INDUSTRY), "
        f"{m.shape[1]} industries{' (rolled up to categories)' if rollup else ''}.",
        "## Homogeneity index",
        md_table(pd.DataFrame([index])),
        "## The corpus's statements, recomputed from the graph",
        md_table(claims[["claim", "scope", "industry", "members_in_graph",
                         "members_with_industries", "listing", "share", "stated", "verdict"]]),
        "## Pairs: similarity and significance",
        f"Of {int((pairs['shared'] > 0).sum())} pairs sharing an industry, {n_sig} share more than a "
        f"degree-preserving null model gives (curveball, {samples} samples, seed {seed}, "
        "Benjamini–Hochberg q < 0.05 on the empirical permutation p-values; with "
        f"{int((pairs['shared'] > 0).sum())} pairs the smallest reachable q is "
        f"{int((pairs['shared'] > 0).sum()) / (samples + 1):.3g}, so `--samples` "
        f"{nullmodel.min_samples(int((pairs['shared'] > 0).sum()))} or more is needed for a pair to "
        "pass). A pair can be similar without being significant when the "
        "shared industries are ones nearly everyone lists.",
        md_table(pairs.sort_values(["jaccard", "a", "b"], ascending=[False, True, True]).head(20)
                 [["a_name", "b_name", "shared", "jaccard", "cosine", "expected", "z",
                   "p_empirical", "q_value", "significant"]]),
        "## Homogeneity clusters (Louvain, fixed seed)",
        md_table(clusters[["cluster", "size", "member_names", "shared_industry_names"]]),
        f"## Competition risks (adjacent, Jaccard ≥ {threshold})",
        md_table(risks[["a_name", "b_name", "jaccard", "shared_industries", "cross_province"]].head(30)),
        "## Homogeneity per scope", md_table(scopes.drop(columns=["scope_key"])),
        "## Location quotients",
        md_table(lq) if len(lq) else "No place has both an industry output value and its GDP "
        "for the same year in the graph, so no location quotient can be computed.",
        f"![shares]({fig1.name})", f"![matrix]({fig2.name})",
    ]
    md = _write_md(out / f"{stem}.md", parts)
    return [(f"Homogeneity ({sc.name})", md), *[(p.name, p) for p in (*files, fig1, fig2)]]


# --- linkages -----------------------------------------------------------------------------

def write_linkages(g: nx.MultiDiGraph, out: Path, scope=None, top: int = 15,
                   weights: dict | None = None) -> list[tuple[str, Path]]:
    """Boundary crossings, cluster × cluster matrix (heatmap), bridging places,
    cross-provincial adjacent pairs inside metro circles, spillover flows by function."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sc = _scope(g, scope)
    stem = f"linkages_{sc.slug()}"
    when = {"as_of": sc.as_of if sc.explicit else None, "plan": sc.plan}   # the memberships of --as-of/--plan
    crossings = linkages.boundary_crossings(g, **when)
    matrix = linkages.cluster_matrix(g, networks.combined(g, weights), **when)
    bridges = linkages.bridging_places(g, **when)
    pairs = linkages.cross_provincial_pairs(g, **when)
    flows, by_function = linkages.spillover_flows(g)
    if not sc.is_national:
        inside = sc.places
        bridges = bridges[bridges["node"].isin(inside)]
        pairs = pairs[pairs["a"].isin(inside) & pairs["b"].isin(inside)]
        flows = flows[flows["from"].isin(inside) | flows["to"].isin(inside)]
    files = [_csv(crossings, out / "linkages_crossings.csv"),
             _csv(matrix, out / "linkages_cluster_matrix.csv", index=True),
             _csv(bridges, out / f"{stem}_bridging.csv"),
             _csv(pairs, out / f"{stem}_metro_cross_province_pairs.csv"),
             _csv(flows, out / f"{stem}_spillovers.csv"),
             _csv(by_function, out / "linkages_spillover_functions.csv")]
    fig1 = heatmap(matrix, out / "linkages_cluster_matrix.png",
                   "城市群 × 城市群 linkage strength (combined network, co-membership left out)",
                   log=True)
    shown = bridges.head(top)
    fig2 = bar_chart(shown.set_index("name")["bridging_betweenness"], out / f"{stem}_bridging.png",
                     f"{sc.name}: bridging places between clusters", "cross-cluster betweenness")
    city_pairs = pairs[pairs["level"] == schema.CITY]
    parts = [
        f"# Cross-region linkages: {sc.describe()}",
        "## Ties across province and cluster boundaries (national)", md_table(crossings),
        "## Cluster × cluster linkage", "Sum of combined-network weights (adjacency, spillover, "
        "cooperation, industry similarity) between member cities of two clusters; the diagonal "
        "is within-cluster. A city in two clusters links both.", f"![matrix]({fig1.name})",
        "## Bridging places", "Betweenness counted only on shortest paths (city adjacency) "
        "between members of different clusters; `outward_share` = share of a place's "
        "neighbours outside its clusters.",
        md_table(shown[["name", "clusters", "bridging_betweenness", "ties", "outward_share"]]),
        f"![bridging]({fig2.name})",
        "## Cross-provincial neighbours inside one metro circle",
        f"{len(pairs)} adjacent pairs ({len(city_pairs)} at city level) lie in different provinces "
        "but in the same metro circle.",
        md_table(city_pairs[["metro_circle", "a_name", "a_province", "b_name", "b_province",
                             "partial"]]),
        "## Spillover flows by function", md_table(by_function),
        md_table(flows.drop(columns=["quote"])),
    ]
    md = _write_md(out / f"{stem}.md", parts)
    return [(f"Linkages ({sc.name})", md), *[(p.name, p) for p in (*files, fig1, fig2)]]


def write_all(g: nx.MultiDiGraph, out: Path, as_of: int | None = None,
              plan: str | None = None) -> list[tuple[str, Path]]:
    """The reports ``citykg report`` links: centrality (observed flows when the graph has
    them, the combined network, county adjacency), homogeneity and linkages, national.
    ``as_of``/``plan`` date every grouping membership they use (``reference_scope``).
    Returns only the Markdown pages."""
    pages = []
    sc = reference_scope(g, as_of, plan) if as_of is not None or plan is not None else None
    has_flows = any(d["type"] == schema.LINKED_TO for *_, d in g.edges(data=True))
    for result in (*([write_centrality(g, out, "flows", sc)] if has_flows else []),
                   write_centrality(g, out, "combined", sc),
                   write_centrality(g, out, "county-adjacency", sc),
                   write_homogeneity(g, out, sc), write_linkages(g, out, sc)):
        pages.append(result[0])
    return pages
