"""Fixed positions for a view, so the browser never runs a physics simulation.

Places sit where their coordinates are (an equirectangular projection, x
shrunk by cos(latitude) so shapes look right; y grows southwards as on
screen). Nodes without coordinates are placed by what they are tied to:

- a grouping (city cluster, metro circle, ...) at the mean of its members;
- a park, new area or organisation next to the place it is located in;
- everything else (industries, policies, documents) in tidy columns right of
  the map, one column per type, so they never hide a city.

>>> pos = geo_positions({"a": (120.0, 30.0), "b": (121.0, 31.0)}, width=1000)
>>> pos["a"][0] < pos["b"][0], pos["a"][1] > pos["b"][1]
(True, True)
"""
from __future__ import annotations

import math
from collections import defaultdict

from kg.model import schema

# Which relationships tie a coordinate-less node to places, in order of preference.
_ANCHORS = {
    schema.MEMBER_OF: "in",  # members point at the grouping
    schema.CORE_OF: "in",
    schema.LOCATED_IN: "out",  # the park points at its place
}


def geo_positions(coords: dict[str, tuple[float, float]], width: float) -> dict[str, tuple[float, float]]:
    """Project (lon, lat) to canvas pixels; the widest side becomes ``width`` px."""
    if not coords:
        return {}
    lons = [c[0] for c in coords.values()]
    lats = [c[1] for c in coords.values()]
    shrink = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span = max((max(lons) - min(lons)) * shrink, max(lats) - min(lats), 0.05)
    scale = width / span
    cx, cy = (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2
    return {k: ((lon - cx) * shrink * scale, (cy - lat) * scale) for k, (lon, lat) in coords.items()}


def view_width(n_places: int) -> float:
    """Canvas size that keeps ~100 px between neighbouring places at any scope."""
    return min(max(100 * math.sqrt(max(n_places, 1)), 1200), 8000)


def layout(g, nodes: set[str]) -> dict[str, tuple[float, float]]:
    """x, y for every node in ``nodes`` (a subset of ``g``)."""
    coords = {n: (g.nodes[n]["lon"], g.nodes[n]["lat"]) for n in nodes
              if isinstance(g.nodes[n].get("lon"), (int, float))
              and isinstance(g.nodes[n].get("lat"), (int, float))}
    pos = geo_positions(coords, view_width(len(coords)))
    rest = sorted(nodes - set(pos))
    # Anchored nodes: mean of the positioned places they are tied to, nudged so
    # they do not cover the place itself.
    for i, node in enumerate(rest):
        anchors = []
        for rel, direction in _ANCHORS.items():
            edges = g.in_edges(node, data="type") if direction == "in" else g.out_edges(node, data="type")
            anchors += [(v if direction == "out" else u) for u, v, t in edges if t == rel]
        points = [pos[a] for a in anchors if a in pos]
        if points:
            x = sum(p[0] for p in points) / len(points)
            y = sum(p[1] for p in points) / len(points)
            angle = (i * 2.399963) % (2 * math.pi)  # golden angle: nudges do not line up
            pos[node] = (x + 25 * math.cos(angle), y + 25 * math.sin(angle))
    _columns(g, [n for n in rest if n not in pos], pos)
    return pos


def _columns(g, nodes: list[str], pos: dict) -> None:
    """Stack unanchored nodes in one column per type, right of everything placed."""
    if not nodes:
        return
    from kg.viz.style import node_type

    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    by_type = defaultdict(list)
    for n in nodes:
        by_type[node_type(g.nodes[n])].append(n)
    x0, top = max(xs) + 250, min(ys)
    height = max(max(ys) - min(ys), 600)
    for col, kind in enumerate(sorted(by_type)):
        members = sorted(by_type[kind], key=lambda n: g.nodes[n].get("name", n))
        per_col = max(int(height // 45), 1)
        for i, n in enumerate(members):
            sub, row = divmod(i, per_col)
            pos[n] = (x0 + 260 * col + 130 * sub, top + 45 * row)
        x0 += 130 * (len(members) // per_col)
