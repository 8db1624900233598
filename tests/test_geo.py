"""GeoJSON layers for GIS users, read back with an independent reader (pyogrio / GDAL)."""
from __future__ import annotations

import pytest

from kg.model import schema

pyogrio = pytest.importorskip("pyogrio", reason="pyogrio (GDAL) reads the GeoJSON back; pip install pyogrio")


def test_places_layer_reads_back_with_gdal(build_dir, graph):
    info = pyogrio.read_info(build_dir / "places.geojson")
    points = [k for k, d in graph.nodes(data=True) if schema.is_place(d) and d.get("lon") is not None]
    assert info["features"] == len(points) and info["geometry_type"] == "Point"
    assert info["crs"] == "EPSG:4326"
    meta, _, geometry, columns = pyogrio.raw.read(build_dir / "places.geojson")
    fields = list(meta["fields"])
    for name in ("adcode", "name", "level", "parent", "resident_population_2020", "resident_population_2010"):
        assert name in fields
    row = {f: col for f, col in zip(fields, columns)}
    i = list(row["adcode"]).index("310000")
    assert row["name"][i] == "上海市" and row["level"][i] == "City"
    assert row["resident_population_2020"][i] == pytest.approx(2487.09, abs=0.006)
    # the point GDAL decodes is the node's own lon/lat
    import shapely

    point = shapely.from_wkb(geometry[i])
    assert (point.x, point.y) == pytest.approx((graph.nodes["310000"]["lon"], graph.nodes["310000"]["lat"]))


def test_area_layer_has_polygons_with_the_same_attributes(build_dir):
    info = pyogrio.read_info(build_dir / "places_areas.geojson")
    assert info["geometry_type"] in ("MultiPolygon", "Polygon", "Unknown")
    meta, _, geometry, columns = pyogrio.raw.read(build_dir / "places_areas.geojson",
                                                   columns=["adcode", "level", "resident_population_2020"])
    row = dict(zip(meta["fields"], columns))
    assert info["features"] > 3000                                 # 34 + ~340 + ~2,850 boundaries
    import shapely

    i = list(row["adcode"]).index("440300")                        # 深圳市, a City polygon
    shenzhen = shapely.from_wkb(geometry[i])
    assert row["level"][i] == "City" and shenzhen.geom_type in ("Polygon", "MultiPolygon")
    assert shenzhen.contains(shapely.Point(114.06, 22.54))         # 福田 centre lies inside
    assert row["resident_population_2020"][i] == pytest.approx(1756.01, abs=0.006)


def test_flows_are_a_linestring_layer(tmp_path):
    """A tiny graph with two places and one LINKED_TO edge (the flows helper's type)."""
    from kg.model.graph import add_node, new_graph
    from kg.store.geo import LINKED_TO, write_geo

    g = new_graph()
    add_node(g, "310000", ["Place", "Province", "City"], adcode="310000", name="上海市", lon=121.47, lat=31.23)
    add_node(g, "320100", ["Place", "City"], adcode="320100", name="南京市", lon=118.80, lat=32.06)
    g.add_edge("310000", "320100", key=f"{LINKED_TO}|air", type=LINKED_TO, mode="air", weight=42,
               weight_unit="routes", year=2014, source_id="openflights")
    written = write_geo(g, tmp_path, boundaries={})
    assert [p.name for p in written] == ["places.geojson", "places_areas.geojson", "flows.geojson"]
    info = pyogrio.read_info(tmp_path / "flows.geojson")
    assert info["features"] == 1 and info["geometry_type"] == "LineString"
    meta, _, geometry, columns = pyogrio.raw.read(tmp_path / "flows.geojson")
    row = {f: c[0] for f, c in zip(meta["fields"], columns)}
    assert (row["start"], row["end"], row["mode"], row["weight"], row["source_id"]) == \
        ("310000", "320100", "air", 42, "openflights")
    import shapely

    assert list(shapely.from_wkb(geometry[0]).coords) == [(121.47, 31.23), (118.80, 32.06)]
    # no LINKED_TO, no flows layer
    g.remove_edge("310000", "320100")
    (tmp_path / "none").mkdir()
    assert [p.name for p in write_geo(g, tmp_path / "none", boundaries={})] == \
        ["places.geojson", "places_areas.geojson"]
