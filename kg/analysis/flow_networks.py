"""City networks from the graph's flows (``LINKED_TO``): one per mode, and the observed total.

| name | function | edges |
|---|---|---|
| air, rail, migration, firm | ``mode_network(g, mode)`` (directed) | that mode's flows, weight in its own unit |
| gravity | ``mode_network(g, "gravity")`` (undirected) | the modelled gravity ties (``derived``) |
| flows | ``observed_flows(g)`` (directed) | every observed mode, each as shares of its total |

Rules, the same for every mode:

- both ends count for their prefecture-level city (a county's flow is its city's);
  a flow inside one city is dropped;
- one year per mode: the latest the graph has (``year=`` picks another); flows of one
  mode, year and pair from several sources add up (they count different carriers);
- ``weight`` is the flow in the mode's unit (``weight_unit`` in ``h.graph``); ``distance``
  = 1/weight and its integer ``length`` are what betweenness and closeness use, so a
  strong flow is a short path; ``relations`` = ``{mode: weight}``;
- ``observed_flows`` never includes ``derived`` flows (gravity): each observed mode's
  weights are divided by the mode's total, so every mode weighs the same (1) and units
  never mix; an edge's weight is the sum of its shares over modes.

>>> from kg.model.graph import new_graph, add_node, add_rel
>>> g = new_graph()
>>> for code in ("110000", "310000", "440100"):
...     add_node(g, code, ["Place", "Province", "City"], adcode=code, name=code)
>>> for u, v, mode, w in [("110000", "310000", "air", 3), ("310000", "110000", "air", 1),
...                       ("110000", "310000", "rail", 10), ("110000", "440100", "rail", 30)]:
...     _ = add_rel(g, u, v, "LINKED_TO", mode=mode, weight=w, weight_unit="n", year=2020,
...                 source_id="s", derived=False)
>>> sorted(mode_network(g, "air").edges(data="weight"))
[('110000', '310000', 3.0), ('310000', '110000', 1.0)]
>>> h = observed_flows(g)
>>> {(u, v): round(w, 3) for u, v, w in h.edges(data="weight")}
{('110000', '310000'): 1.0, ('110000', '440100'): 0.75, ('310000', '110000'): 0.25}
>>> h.edges["110000", "310000"]["relations"]
{'air': 0.75, 'rail': 0.25}
"""
from __future__ import annotations

from collections import defaultdict

import networkx as nx

from kg.model import schema
from kg.model.graph import rels_of


def flow_rows(g, mode: str, year: int | None = None) -> tuple[dict, dict]:
    """``({(city, city): weight}, info)`` of one mode's LINKED_TO flows (see module doc)."""
    from kg.analysis.networks import Hierarchy, _place_attrs, edge_length  # networks imports us

    hier = Hierarchy(g)
    by_year: dict[int, dict] = defaultdict(lambda: defaultdict(float))
    units, sources = defaultdict(set), defaultdict(set)
    for u, v, d in rels_of(g, schema.LINKED_TO):
        if d.get("mode") != mode:
            continue
        cu, cv = hier.city(u), hier.city(v)
        if not cu or not cv or cu == cv:
            continue
        y = int(d["year"])
        by_year[y][(cu, cv)] += float(d["weight"])
        units[y].add(d.get("weight_unit"))
        sources[y].add(d.get("source_id"))
    if not by_year:
        return {}, {"mode": mode, "year": None, "weight_unit": None, "sources": []}
    chosen = year if year is not None else max(by_year)
    if chosen not in by_year:
        raise ValueError(f"no {mode} flows in {chosen}; years: {', '.join(map(str, sorted(by_year)))}")
    return dict(by_year[chosen]), {"mode": mode, "year": chosen,
                                   "weight_unit": ", ".join(sorted(filter(None, units[chosen]))),
                                   "sources": sorted(filter(None, sources[chosen]))}


def _network(g, pairs: dict, directed: bool, name: str, relation) -> nx.Graph:
    from kg.analysis.networks import Hierarchy, _place_attrs, edge_length  # networks imports us

    hier = Hierarchy(g)
    h = nx.DiGraph(name=name) if directed else nx.Graph(name=name)
    for (u, v), w in sorted(pairs.items()):
        for node in (u, v):
            if node not in h:
                h.add_node(node, **_place_attrs(g, node, hier))
        if not directed and h.has_edge(u, v):
            w += h.edges[u, v]["weight"]
        rel = relation(u, v, w)
        h.add_edge(u, v, weight=w, distance=1.0 / w, length=edge_length(1.0 / w), relations=rel)
    return h


def mode_network(g, mode: str, year: int | None = None) -> nx.Graph:
    """The city network of one mode (directed; the gravity model, symmetric, undirected)."""
    if mode not in schema.FLOW_MODES:
        raise ValueError(f"unknown flow mode {mode!r}; modes: {', '.join(schema.FLOW_MODES)}")
    pairs, info = flow_rows(g, mode, year)
    directed = mode not in schema.DERIVED_MODES
    h = _network(g, pairs, directed, mode, lambda u, v, w: {mode: w})
    h.graph.update(info, derived=not directed)
    return h


def observed_flows(g, modes=schema.OBSERVED_MODES, year: int | None = None) -> nx.DiGraph:
    """Every observed mode the graph has, each as shares of its total (module doc)."""
    shares: dict[tuple, dict[str, float]] = defaultdict(dict)
    infos = []
    for mode in modes:
        if mode in schema.DERIVED_MODES:
            raise ValueError(f"{mode} flows are modelled, not observed; use --network {mode}")
        pairs, info = flow_rows(g, mode, year if year is not None else None)
        total = sum(pairs.values())
        if not total:
            continue
        infos.append(info)
        for pair, w in pairs.items():
            shares[pair][mode] = w / total
    pairs = {pair: sum(parts.values()) for pair, parts in shares.items()}
    h = _network(g, pairs, True, "flows", lambda u, v, w: dict(sorted(shares[(u, v)].items())))
    h.graph.update(modes=[i["mode"] for i in infos], mode_info=infos, derived=False,
                   weight_unit="share of each mode's total flow, summed over modes")
    return h


def _mode(mode: str):
    def build(g, year: int | None = None):
        return mode_network(g, mode, year)
    build.__name__ = f"{mode}_flows"
    build.__doc__ = f"The {mode} flow network (``mode_network(g, {mode!r})``)."
    return build


FLOW_NETWORKS = {"flows": observed_flows, **{m: _mode(m) for m in schema.FLOW_MODES}}
