"""``citykg analyze spatial``: Moran's I, LISA clusters and Gi* hot spots of one indicator,
as Markdown + CSV + two maps (city polygons, province outlines). I/O lives here; the
statistics are ``kg.analysis.spatial``."""
from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd

from kg.analysis import networks, spatial
from kg.analysis.fonts import setup_cjk_font
from kg.analysis.reports import _csv, _write_md, md_table
from kg.analysis.scope import AnalysisScope, analysis_scope

LISA_COLOURS = {"HH": "#d7191c", "LL": "#2c7bb6", "HL": "#fdae61", "LH": "#abd9e9", "ns": "#eeeeee"}
SPOT_COLOURS = {"hot": "#d7191c", "cold": "#2c7bb6", "ns": "#eeeeee"}


def _draw(ax, geoms, colour_of, provinces) -> None:
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MPath

    def patch(geom, **kw):
        polys = getattr(geom, "geoms", [geom])
        for poly in polys:
            if poly.geom_type != "Polygon":
                continue
            rings = [poly.exterior, *poly.interiors]
            verts, codes = [], []
            for ring in rings:
                xy = list(ring.coords)
                verts += xy
                codes += [MPath.MOVETO] + [MPath.LINETO] * (len(xy) - 2) + [MPath.CLOSEPOLY]
            ax.add_patch(PathPatch(MPath(verts, codes), **kw))

    for code, geom in geoms.items():
        patch(geom, facecolor=colour_of(code), edgecolor="#999999", linewidth=0.2)
    for geom in provinces.values():
        patch(geom, facecolor="none", edgecolor="#333333", linewidth=0.6)
    ax.autoscale_view()
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("经度 longitude")
    ax.set_ylabel("纬度 latitude")


def category_map(categories: pd.Series, colours: dict, path: Path, title: str,
                 bounds_of: set | None = None) -> Path:
    """Cities coloured by category, province outlines on top; ``bounds_of`` zooms to them."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    from kg.sources.boundaries import read_polygons

    setup_cjk_font()
    cities, provinces = read_polygons("city"), read_polygons("province")
    fig = Figure(figsize=(9, 7.5), dpi=110)
    ax = fig.add_subplot()
    shown = {k: v for k, v in cities.items() if bounds_of is None or k in bounds_of}
    _draw(ax, shown, lambda c: colours.get(categories.get(c, ""), "#ffffff"), provinces)
    if bounds_of:
        xs = [b for k in shown for b in (cities[k].bounds[0], cities[k].bounds[2])]
        ys = [b for k in shown for b in (cities[k].bounds[1], cities[k].bounds[3])]
        if xs:
            ax.set_xlim(min(xs) - 0.5, max(xs) + 0.5)
            ax.set_ylim(min(ys) - 0.5, max(ys) + 0.5)
    counts = categories.value_counts()
    ax.legend(handles=[Patch(color=c, label=f"{k} ({int(counts.get(k, 0))})") for k, c in colours.items()],
              loc="lower left", fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path)
    return path


def write_spatial(g: nx.MultiDiGraph, out: Path, indicator: str = "planned_industries",
                  scope=None, permutations: int = 999, seed: int = spatial.SEED,
                  alpha: float = 0.05, top: int = 15) -> list[tuple[str, Path]]:
    """Global Moran's I, LISA and Gi* of ``indicator`` over city adjacency in ``scope``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sc = scope if isinstance(scope, AnalysisScope) else analysis_scope(g, scope)
    y = spatial.indicator(g, indicator)
    y = y[y.index.isin(sc.places)]
    adj = networks.city_adjacency(g)
    glob = spatial.moran(y, adj, permutations=permutations, seed=seed)
    local = spatial.lisa(y, adj, permutations=permutations, seed=seed, alpha=alpha)
    gi = spatial.getis_ord(y, adj, permutations=permutations, seed=seed, alpha=alpha)
    names = {k: g.nodes[k].get("name", k) for k in local.index}
    table = local.join(gi[["gi_star_z", "spot"]].rename(columns={"spot": "gi_spot"}))
    table.insert(0, "name", [names[k] for k in table.index])
    table = table.join(gi[["p_sim"]].rename(columns={"p_sim": "gi_p_sim"}))
    stem = f"spatial_{indicator}_{sc.slug()}"
    files = [_csv(table, out / f"{stem}.csv", index=True),
             _csv(pd.DataFrame([{k: v for k, v in glob.items() if k != "dropped"}]),
                  out / f"{stem}_moran.csv")]
    bounds = None if sc.is_national else set(table.index)
    fig1 = category_map(table["cluster"], LISA_COLOURS, out / f"{stem}_lisa.png",
                        f"{sc.describe()}: LISA clusters of {indicator} (q < {alpha})", bounds)
    fig2 = category_map(table["gi_spot"], SPOT_COLOURS, out / f"{stem}_gi.png",
                        f"{sc.describe()}: Getis–Ord Gi* hot and cold spots of {indicator}", bounds)
    show = ["name", "value", "local_i", "quadrant", "p_sim", "q_value", "cluster", "gi_star_z", "gi_spot"]
    parts = [f"# Spatial autocorrelation of `{indicator}`: {sc.describe()}",
             f"Weights: shared prefecture boundaries (ADJACENT_TO, level City), row-standardised "
             f"for Moran/LISA, binary with self for Gi*. {glob['n']} cities; "
             f"{len(glob['dropped'])} without a value or a neighbour dropped. Permutation inference: "
             f"{permutations} conditional permutations, seed {seed}; local labels need a "
             f"Benjamini–Hochberg q < {alpha} over the cities (esda pseudo p-values).",
             "## Global Moran's I",
             md_table(pd.DataFrame([{"I": glob["I"], "E[I]": glob["expected"], "z (perm.)": glob["z"],
                                     "pseudo p": glob["p_sim"], "n": glob["n"]}])),
             "## LISA clusters", md_table(table["cluster"].value_counts().rename_axis("cluster")
                                          .reset_index()),
             md_table(table.sort_values("local_i", ascending=False).head(top)[show], index=True),
             "## Getis–Ord Gi* hot spots",
             md_table(table.sort_values("gi_star_z", ascending=False).head(top)[show], index=True),
             f"![LISA]({fig1.name})", f"![Gi*]({fig2.name})"]
    md = _write_md(out / f"{stem}.md", parts)
    return [(f"Spatial statistics ({indicator}, {sc.name})", md),
            *[(p.name, p) for p in (*files, fig1, fig2)]]
