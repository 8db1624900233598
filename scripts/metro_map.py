"""Map of the curated metro circles at plan scope, with province outlines.

    PYTHONPATH=. python scripts/metro_map.py docs/figures/metro_circles.png

Each circle's county-level units (``kg.analysis.scope``: whole members bring all their
counties, partial members the counties the plan names, county members themselves) are
filled in the circle's colour; units of an inner plan tier (南京/成都 ``主要包括``) are
outlined in black. A core municipality is drawn whole (重庆都市圈 covers only the 21
districts of its 主城都市区, which the data do not list).
"""
from __future__ import annotations

import sys
from pathlib import Path


def main(out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from shapely.geometry import MultiPolygon, Polygon

    from kg.analysis.fonts import setup_cjk_font
    from kg.analysis.scope import EmptyScope, analysis_scope
    from kg.build import build_graph
    from kg.model import schema
    from kg.model.graph import nodes_with
    from kg.paths import DATA
    from kg.sources.boundaries import read_polygons

    setup_cjk_font()
    g = build_graph(DATA, progress=lambda s: print(s, file=sys.stderr))
    county_poly, city_poly, prov_poly = (read_polygons(x) for x in ("district", "city", "province"))

    def rings(geom):
        for part in (geom.geoms if isinstance(geom, MultiPolygon) else [geom]):
            if isinstance(part, Polygon):
                yield part.exterior.xy

    fig, ax = plt.subplots(figsize=(11, 9), dpi=130)
    for geom in prov_poly.values():
        for xs, ys in rings(geom):
            ax.plot(xs, ys, color="#888888", linewidth=0.4, zorder=3)
    colours = plt.get_cmap("tab20").colors
    circles = sorted(nodes_with(g, schema.METRO_CIRCLE))
    for i, (key, data) in enumerate(circles):
        try:
            scope = analysis_scope(g, key)
        except EmptyScope:
            continue
        inner = {u for u, _, d in g.in_edges(key, data=True) if d.get(schema.TIER) == "主要包括"}
        colour, xs_all, ys_all = colours[i % len(colours)], [], []
        for code in scope.places:
            level = schema.level(g.nodes[code])
            has_counties = any(d["type"] == schema.BELONGS_TO for _, _, d in g.in_edges(code, data=True))
            geom = county_poly.get(code) if level == schema.COUNTY else \
                city_poly.get(code) if level == schema.CITY and not has_counties else None
            if geom is None or code in scope.partial:
                continue
            for xs, ys in rings(geom):
                ax.fill(xs, ys, color=colour, alpha=0.75, linewidth=0, zorder=1)
                if code in inner:
                    ax.plot(xs, ys, color="black", linewidth=0.5, zorder=2)
                xs_all += list(xs)
                ys_all += list(ys)
        if xs_all:
            ax.annotate(data["name"].replace("大都市圈", "").replace("都市圈", ""), (sum(xs_all) / len(xs_all), sum(ys_all) / len(ys_all)),
                        fontsize=7, ha="center", zorder=4,
                        bbox=dict(boxstyle="round,pad=0.15", fc="white", alpha=0.7, lw=0))
    ax.set_xlim(97, 126)
    ax.set_ylim(18, 45)
    ax.set_aspect("equal")
    ax.set_title("都市圈规划范围 (curated, county level; black outline: 南京/成都 主要包括)")
    ax.set_xlabel("经度 longitude")
    ax.set_ylabel("纬度 latitude")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    print(out)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/figures/metro_circles.png"))
