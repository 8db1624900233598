"""A view: the nodes and edges of one scope, ready to draw.

``make_view(g, scope)`` selects the scope's subgraph, places every node (from
coordinates, see ``layout``), sizes it by a centrality (``sizing``), colours it by
type (``style``) and writes the tooltips: a node's key facts, and for an edge its
type, source and quote. Parallel relationships of one type between the same
two nodes (two documents saying the same thing) become one drawn edge whose
tooltip lists every source.

>>> from kg.model.graph import new_graph, add_node, add_rel
>>> from kg.viz.scope import Scope
>>> g = new_graph()
>>> add_node(g, "320100", ["Place", "City"], name="南京市", lon=118.8, lat=32.06)
>>> add_node(g, "321100", ["Place", "City"], name="镇江市", lon=119.4, lat=32.2)
>>> for src in ("doc:a", "doc:b"):
...     _ = add_rel(g, "320100", "321100", "SPILLOVER_TO", source_id=src, year=2021, quote="…")
>>> view = make_view(g, Scope("national", None, "全国"))
>>> len(view.nodes), len(view.edges), view.edges[0]["rel"]
(2, 1, 'SPILLOVER_TO')
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import networkx as nx

from kg.model import schema
from kg.model.statistics import statistics_of
from kg.viz import layout, sizing, style
from kg.viz.scope import Scope, scope_nodes

# Node facts worth a line in the tooltip, in this order (others are left out).
TOOLTIP_PROPS = ("name_en", "adcode", "aliases", "center_name", "center_type", "tier", "level",
                 "approved_year", "issuer", "zone_kind", "central_city_plan")
MAX_QUOTE = 300


class EmptyView(ValueError):
    """The scope exists but holds nothing to draw."""


@dataclass
class View:
    title: str
    nodes: list[dict] = field(default_factory=list)  # vis-network node dicts
    edges: list[dict] = field(default_factory=list)  # vis-network edge dicts
    size_by: str = "degree"

    def node_types(self) -> Counter:
        return Counter(n["type"] for n in self.nodes)

    def rel_types(self) -> Counter:
        return Counter(e["rel"] for e in self.edges)


def make_view(g, scope: Scope, size_by: str = "degree") -> View:
    """The drawable view of ``scope`` (raises EmptyView when there is nothing to draw)."""
    keys = scope_nodes(g, scope)
    if not keys:
        raise EmptyView(f"scope {scope.title!r} is empty: no node to draw")
    # flows (LINKED_TO, thousands of city pairs) are drawn by the hub report's maps, not here
    sub = nx.subgraph_view(g.subgraph(keys),
                           filter_edge=lambda u, v, k: g.edges[u, v, k]["type"] != schema.LINKED_TO)
    if scope.kind in ("grouping", "node") and sub.number_of_edges() == 0:
        raise EmptyView(f"scope {scope.title!r} is empty: nothing is linked to it yet "
                        f"(no members or facts in the graph)")
    pos = layout.layout(g, keys)
    scores = sizing.centrality(sub, size_by)
    sizes = sizing.node_sizes(scores)
    view = View(scope.title, size_by=size_by)
    for key in sorted(keys):
        d = g.nodes[key]
        kind = style.node_type(d)
        x, y = pos[key]
        view.nodes.append({
            "id": key, "label": d.get("name", key), "type": kind,
            "x": round(x, 1), "y": round(y, 1), "size": round(sizes.get(key, sizing.MIN_SIZE), 1),
            "color": style.NODE_COLORS.get(kind, style.DEFAULT_COLOR),
            "shape": style.NODE_SHAPES.get(kind, "dot"),
            "font": {"size": style.LABEL_SIZES.get(kind, 12)},
            "title": node_tooltip(key, d, kind, size_by, scores.get(key, 0.0), statistics_of(g, key)),
        })
    view.edges = list(_merged_edges(sub))
    return view


def node_tooltip(key: str, d: dict, kind: str, size_by: str, score: float, stats=()) -> str:
    lines = [f"{d.get('name', key)}  [{kind}]", f"id: {key}"]
    for prop in TOOLTIP_PROPS:
        if prop in d and not (prop == "adcode" and d[prop] == key):  # the id already shows it
            value = d[prop]
            lines.append(f"{prop}: {'; '.join(map(str, value)) if isinstance(value, list) else value}")
    latest = {s["indicator"]: s for s in stats}      # stats are sorted by indicator, year
    lines += [f"{s['indicator']} {s['year']}: {s['value']:g} {s['unit']} ({s['source_id']})"
              for s in list(latest.values())[:6]]    # the latest year of each indicator
    # Where the node's own facts come from: `source_id`, or `<label>_source_id` for a label
    # that curated data put on a place (e.g. newcenter_source_id on a NewCenter district).
    for src in sorted(k for k in d if k == "source_id" or k.endswith("_source_id")):
        prefix = src[: -len("source_id")]
        line = f"{prefix.rstrip('_') or 'source'}: {d[src]}"
        if d.get(prefix + "year"):
            line += f", {d[prefix + 'year']}"
        lines.append(line)
        if d.get(prefix + "quote"):
            lines.append(_quote(d[prefix + "quote"]))
    lines.append(f"{size_by} centrality (in this view): {score:.4f}")
    return "\n".join(lines)


def _merged_edges(sub):
    groups: dict[tuple, list[dict]] = {}
    for u, v, d in sub.edges(data=True):
        groups.setdefault((u, v, d["type"]), []).append(d)
    for (u, v, rel), facts in sorted(groups.items()):
        colour, dashed, arrow = style.EDGE_STYLES.get(rel, (style.DEFAULT_COLOR, False, True))
        yield {"id": f"{u}|{rel}|{v}", "from": u, "to": v, "rel": rel, "color": colour,
               "dashes": dashed, "arrows": "to" if arrow else "",
               "title": edge_tooltip(sub, u, v, rel, facts)}


def edge_tooltip(g, u: str, v: str, rel: str, facts: list[dict]) -> str:
    head = f"{g.nodes[u].get('name', u)} —{rel}→ {g.nodes[v].get('name', v)}"
    lines = [head]
    for d in facts:
        props = ", ".join(f"{k}={d[k]}" for k in ("level", "partial", "role", "function", "counties",
                                                  "valid_from", "valid_to") if k in d)
        if props:
            lines.append(props)
        if "source_id" in d:
            title = f" ({d['source_title']})" if d.get("source_title") else ""
            lines.append(f"source: {d['source_id']}{title}, {d.get('year', '')}")
        if d.get("quote"):
            lines.append(_quote(d["quote"]))
    return "\n".join(lines)


def _quote(text) -> str:
    text = str(text)
    return "“" + (text[:MAX_QUOTE] + "…" if len(text) > MAX_QUOTE else text) + "”"
