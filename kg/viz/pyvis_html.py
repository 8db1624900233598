"""Write a view as one self-contained HTML page (works offline, from ``file://``).

The nodes and edges go through a pyvis ``Network`` (physics off, fixed
geographic x/y), but the page comes from our own template: pyvis 0.3.2's
template pulls Bootstrap from a CDN even with ``cdn_resources="in_line"``. Ours
inlines the vis-network build shipped inside the pyvis package and adds a
legend that doubles as the filter menu (node types, relationship types).

Physics is off because pyvis with physics on takes minutes to settle ~1.5k
nodes; with fixed positions the national view (~3,400 nodes) draws at once.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import jinja2
import pyvis
from markupsafe import Markup
from pyvis.network import Network

from kg.model import schema
from kg.viz import style
from kg.viz.views import View

_VIS = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
_TEMPLATES = Path(__file__).parent / "templates"
FONT_STACK = ('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", '
              '"Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif')
PLACE_TYPES = [schema.PROVINCE, schema.CITY, schema.COUNTY, schema.NEW_CENTER]


def to_network(view: View, physics: bool = False) -> Network:
    """The view as a pyvis Network with physics off and every node at a fixed place.

    ``physics=True`` (benchmarks only) gives pyvis's usual set-up instead: no fixed
    positions, the force simulation lays the nodes out in the browser.
    """
    net = Network(height="100vh", width="100%", directed=True, heading=view.title,
                  cdn_resources="in_line")
    drop = ("id", "x", "y") if physics else ("id",)
    for n in view.nodes:
        net.add_node(n["id"], **{k: v for k, v in n.items() if k not in drop}, physics=physics)
    for e in view.edges:
        net.add_edge(e["from"], e["to"], **{k: v for k, v in e.items() if k not in ("from", "to")})
    big = len(view.edges) > 2000
    net.set_options(json.dumps({
        "physics": {"enabled": physics},
        "layout": {"improvedLayout": False},
        "nodes": {"font": {"face": FONT_STACK.replace('"', "")}, "borderWidth": 1},
        "edges": {"smooth": False, "width": 1, "selectionWidth": 2,
                  "arrows": {"to": {"scaleFactor": 0.5}}},
        # Dragging 10k edges each frame is what makes big views feel slow.
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": big,
                        "hideEdgesOnZoom": big, "navigationButtons": False},
    }))
    return net


def render_html(view: View, physics: bool = False) -> str:
    """The page for ``view`` as a string."""
    net = to_network(view, physics)
    nodes, edges, _heading, _h, _w, options = net.get_network_data()
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True)
    types = view.node_types()
    rels = view.rel_types()
    return env.get_template("view.html").render(
        title=view.title, size_by=view.size_by, font_stack=FONT_STACK,
        vis_js=Markup((_VIS / "vis-network.min.js").read_text(encoding="utf-8")),
        vis_css=Markup((_VIS / "vis-network.css").read_text(encoding="utf-8")),
        nodes=nodes, edges=edges, options=options, place_types=PLACE_TYPES,
        node_types=[(t, n, style.NODE_COLORS.get(t, style.DEFAULT_COLOR)) for t, n in sorted(types.items())],
        rel_types=[(r, n, *style.EDGE_STYLES.get(r, (style.DEFAULT_COLOR, False, True))[:2])
                   for r, n in sorted(rels.items())],
    )


def write_html(view: View, out: Path) -> Path:
    """Write the page atomically (a half-written view never replaces a good one); an existing
    file is replaced only if citykg wrote it (``kg.store.outdir.check_overwrite_page``)."""
    from kg.store.outdir import check_overwrite_page

    out = Path(out)
    check_overwrite_page(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".view-", suffix=".html", dir=out.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(render_html(view))
    os.replace(tmp, out)
    return out
