"""The networks the analyses run on, each derived from the knowledge graph by one function.

Every function takes the KG (a ``MultiDiGraph``) and returns a simple networkx graph
whose nodes carry ``name``, ``level``, ``province``, ``lon``, ``lat`` (places) and whose
edges carry

- ``weight``: the strength of the tie (larger = stronger; used by strength, PageRank,
  eigenvector centrality and Louvain),
- ``distance``: ``1 / weight``, the length used by shortest-path measures, so a strong
  tie is a short one (closeness uses it; betweenness uses ``length``, the same in integer
  micro-units so that equal-length paths tie exactly, see ``edge_length``),
- ``relations``: ``{what carries the tie: contribution to weight}``, e.g.
  ``{"ADJACENT_TO": 1.0}`` or ``{"cluster:yangtze-river-delta": 1.0, "metro:nanjing": 1.0}``;
  the centrality report uses it to say *why* a hub is a hub.

| name | function | nodes | edges |
|---|---|---|---|
| county-adjacency | ``county_adjacency`` | every county-level unit | shared boundary |
| city-adjacency | ``city_adjacency`` | every prefecture-level unit (and municipality) | shared boundary |
| comembership | ``comembership`` | cities in a cluster or metro circle | shared groupings (count) |
| spillover | ``spillover`` (directed) | places named in a spillover/cooperation | SPILLOVER_TO, COOPERATES_WITH (both ways) |
| place-industry | ``place_industry`` (bipartite) | places/parks/new areas and industries | SPECIALIZES_IN, PLANS_INDUSTRY |
| industry-similarity | ``industry_similarity`` | places with an industry | Jaccard similarity > 0 |
| combined | ``combined`` | cities | weighted sum of the above (``DEFAULT_WEIGHTS``) |
| flows, air, rail, migration, firm, gravity | ``kg.analysis.flow_networks`` | cities | LINKED_TO flows |

``network(g, name, scope)`` builds one by name and keeps only the scope's nodes.

>>> from kg.model.graph import new_graph, add_node, add_rel
>>> g = new_graph()
>>> for code, name in [("320100", "南京市"), ("341100", "滁州市"), ("340500", "马鞍山市")]:
...     add_node(g, code, ["Place", "City"], name=name)
>>> _ = add_rel(g, "320100", "341100", "ADJACENT_TO", level="City")
>>> _ = add_rel(g, "320100", "340500", "ADJACENT_TO", level="City")
>>> h = city_adjacency(g)
>>> sorted(h.degree())
[('320100', 2), ('340500', 1), ('341100', 1)]
>>> h.edges["320100", "341100"]["relations"]
{'ADJACENT_TO': 1.0}
"""
from __future__ import annotations

import itertools
import math
from collections import defaultdict
from typing import Callable

import networkx as nx

from kg.model import schema
from kg.model.graph import nodes_with, rels_of
from kg.analysis.scope import AnalysisScope, EmptyScope, analysis_scope, grouping_members

# Weights of the combined network: what one unit of each relation adds to a city pair.
DEFAULT_WEIGHTS = {
    "adjacency": 1.0,     # the two cities share a boundary
    "comembership": 0.5,  # per cluster / metro circle both belong to
    "spillover": 2.0,     # per stated spillover (either direction)
    "cooperation": 1.0,   # per stated alliance / joint platform
    "similarity": 1.0,    # times the Jaccard similarity of their industry lists
}
# Actors of the place–industry graph besides places.
INDUSTRY_ACTORS = (schema.PLACE, schema.INDUSTRIAL_PARK, schema.NATIONAL_NEW_AREA,
                   schema.DEMONSTRATION_ZONE)


LENGTH_UNITS = 10**6


def edge_length(distance: float) -> int:
    """``distance`` as an integer number of micro-units: the edge length betweenness uses.

    Betweenness counts shortest paths by comparing path lengths exactly; on float lengths
    (1/3 + 1/6 against 1/2) a tie depends on rounding, and igraph (relative tolerance)
    and networkx (exact equality) decide such ties differently. Integer lengths make every
    tie exact, so both engines count the same paths."""
    if not math.isfinite(distance):
        return 10**15
    return max(1, round(distance * LENGTH_UNITS))


class Hierarchy:
    """Parent, province and city of every place (from BELONGS_TO), computed once."""

    def __init__(self, g: nx.MultiDiGraph):
        self.g = g
        self.parent = {u: v for u, v, _ in rels_of(g, schema.BELONGS_TO)}

    def province(self, code: str) -> str | None:
        while code is not None and schema.PROVINCE not in self.g.nodes[code]["labels"]:
            code = self.parent.get(code)
        return code

    def city(self, code: str) -> str | None:
        """The prefecture-level unit a place lies in (itself for a city); None above it."""
        while code is not None:
            if schema.is_city(self.g.nodes[code]):
                return code
            if schema.COUNTY not in self.g.nodes[code]["labels"]:
                return None
            code = self.parent.get(code)
        return None


def _place_attrs(g, code: str, hier: Hierarchy) -> dict:
    d = g.nodes[code]
    return {"name": d.get("name", code), "level": schema.level(d), "province": hier.province(code),
            "lon": d.get("lon"), "lat": d.get("lat"), "kind": "place"}


def _add_tie(h: nx.Graph, u: str, v: str, what: str, amount: float = 1.0, **extra) -> None:
    """Add ``amount`` to the tie u–v on behalf of ``what``; keeps weight and distance in step."""
    if u == v:
        return
    if h.has_edge(u, v):
        d = h.edges[u, v]
    else:
        h.add_edge(u, v, weight=0.0, relations={})
        d = h.edges[u, v]
    d["relations"][what] = d["relations"].get(what, 0.0) + amount
    d["weight"] += amount
    d["distance"] = 1.0 / d["weight"] if d["weight"] > 0 else float("inf")
    d["length"] = edge_length(d["distance"])
    for k, val in extra.items():
        d.setdefault(k, [])
        if val not in d[k]:
            d[k].append(val)


def adjacency(g: nx.MultiDiGraph, level: str) -> nx.Graph:
    """Boundary adjacency among all places of ``level`` (County or City); isolated units stay."""
    hier = Hierarchy(g)
    h = nx.Graph(name=f"{level.lower()}-adjacency")
    for code, d in g.nodes(data=True):
        if schema.is_place(d) and schema.level(d) == level:
            h.add_node(code, **_place_attrs(g, code, hier))
    for u, v, d in rels_of(g, schema.ADJACENT_TO):
        if d.get("level") == level and u in h and v in h:
            _add_tie(h, u, v, schema.ADJACENT_TO)
    return h


def county_adjacency(g: nx.MultiDiGraph) -> nx.Graph:
    """County-level boundary adjacency (ADJACENT_TO level=County), unweighted."""
    return adjacency(g, schema.COUNTY)


def city_adjacency(g: nx.MultiDiGraph) -> nx.Graph:
    """Prefecture-level boundary adjacency (ADJACENT_TO level=City), unweighted."""
    return adjacency(g, schema.CITY)


def city_members(g: nx.MultiDiGraph, key: str, hier: Hierarchy | None = None) -> set[str]:
    """Prefecture-level units with at least part of their area in grouping ``key``."""
    hier = hier or Hierarchy(g)
    return {c for m in grouping_members(g, key) if (c := hier.city(m))}


def comembership(g: nx.MultiDiGraph, labels=(schema.CITY_CLUSTER, schema.METRO_CIRCLE),
                 label_weights: dict[str, float] | None = None) -> nx.Graph:
    """Cities linked by the clusters / metro circles they share; weight = number shared
    (or the sum of ``label_weights[label]``). A county-level member counts for its city."""
    hier = Hierarchy(g)
    label_weights = label_weights or {}
    h = nx.Graph(name="comembership")
    for key, d in g.nodes(data=True):
        label = next((lab for lab in labels if lab in d["labels"]), None)
        if label is None:
            continue
        cities = sorted(city_members(g, key, hier))
        for c in cities:
            if c not in h:
                h.add_node(c, **_place_attrs(g, c, hier))
            h.nodes[c].setdefault("groupings", []).append(key)
        h.graph.setdefault("names", {})[key] = d.get("name", key)
        for u, v in itertools.combinations(cities, 2):
            _add_tie(h, u, v, key, label_weights.get(label, 1.0))
    return h


def _place_of(g, key: str) -> str | None:
    """A place itself, or the place an IndustrialPark / NewArea is LOCATED_IN (first found)."""
    if schema.is_place(g.nodes[key]):
        return key
    for _, v, d in g.out_edges(key, data=True):
        if d["type"] == schema.LOCATED_IN and schema.is_place(g.nodes[v]):
            return v
    return None


def spillover(g: nx.MultiDiGraph) -> nx.DiGraph:
    """Directed network of stated spillovers (SPILLOVER_TO, ``function`` kept) and
    cooperation (COOPERATES_WITH, added in both directions). Weight = number of statements."""
    hier = Hierarchy(g)
    h = nx.DiGraph(name="spillover")

    def tie(u, v, what, **extra):
        for node in (u, v):
            if node not in h:
                h.add_node(node, **_place_attrs(g, node, hier))
        if not h.has_edge(u, v):
            h.add_edge(u, v, weight=0.0, relations={}, functions=[], sources=[])
        d = h.edges[u, v]
        d["relations"][what] = d["relations"].get(what, 0.0) + 1.0
        d["weight"] += 1.0
        d["distance"] = 1.0 / d["weight"]
        d["length"] = edge_length(d["distance"])
        for k, val in extra.items():
            if val and val not in d[k]:
                d[k].append(val)

    for u, v, d in rels_of(g, schema.SPILLOVER_TO):
        fn = d.get("function", "")
        tie(u, v, f"{schema.SPILLOVER_TO} {fn}".strip(), functions=fn, sources=d.get("source_id"))
    for u, v, d in rels_of(g, schema.COOPERATES_WITH):
        a, b = _place_of(g, u), _place_of(g, v)
        if a and b and a != b:
            role = d.get("role", "")
            tie(a, b, f"{schema.COOPERATES_WITH} {role}".strip(), sources=d.get("source_id"))
            tie(b, a, f"{schema.COOPERATES_WITH} {role}".strip(), sources=d.get("source_id"))
    return h


def place_industry(g: nx.MultiDiGraph, types=(schema.SPECIALIZES_IN, schema.PLANS_INDUSTRY),
                   actors=INDUSTRY_ACTORS) -> nx.Graph:
    """Bipartite graph: actors (``bipartite=0``: places, parks, new areas) and industries
    (``bipartite=1``), one edge per actor–industry pair with the relation types that state it.
    Foreign comparators are left out (they are not part of China's city system)."""
    hier = Hierarchy(g)
    h = nx.Graph(name="place-industry")
    for rel_type in types:
        for u, v, d in rels_of(g, rel_type):
            du = g.nodes[u]
            if not set(du["labels"]) & set(actors):
                continue
            if u not in h:
                place = _place_of(g, u)
                attrs = _place_attrs(g, u, hier) if schema.is_place(du) else {
                    "name": du.get("name", u), "level": du["labels"][0], "kind": "other",
                    "province": hier.province(place) if place else None,
                    "lon": g.nodes[place].get("lon") if place else None,
                    "lat": g.nodes[place].get("lat") if place else None}
                h.add_node(u, bipartite=0, place=place, **attrs)
            if v not in h:
                h.add_node(v, bipartite=1, name=g.nodes[v].get("name", v), kind="industry")
            _add_tie(h, u, v, rel_type, 1.0, sources=d.get("source_id"))
    # a pair stated twice is still one tie of weight 1 for set-based similarity
    for _, _, d in h.edges(data=True):
        d["weight"], d["distance"], d["length"] = 1.0, 1.0, edge_length(1.0)
    return h


def actors_of(b: nx.Graph) -> list[str]:
    return sorted(n for n, d in b.nodes(data=True) if d.get("bipartite") == 0)


def industries_of(b: nx.Graph) -> list[str]:
    return sorted(n for n, d in b.nodes(data=True) if d.get("bipartite") == 1)


def industry_similarity(g: nx.MultiDiGraph, b: nx.Graph | None = None,
                        metric: str = "jaccard") -> nx.Graph:
    """Projection of the place–industry graph onto its actors: an edge for every pair that
    shares an industry, weight = Jaccard (or cosine) similarity of their industry sets."""
    b = b if b is not None else place_industry(g)
    h = nx.Graph(name=f"industry-similarity ({metric})")
    sets = {a: set(b[a]) for a in actors_of(b)}
    for a in sets:
        h.add_node(a, **b.nodes[a])
    by_industry = defaultdict(list)
    for a, inds in sets.items():
        for i in inds:
            by_industry[i].append(a)
    pairs = {tuple(sorted(p)) for members in by_industry.values()
             for p in itertools.combinations(members, 2)}
    for u, v in sorted(pairs):
        shared = sets[u] & sets[v]
        if metric == "jaccard":
            sim = len(shared) / len(sets[u] | sets[v])
        elif metric == "cosine":
            sim = len(shared) / (len(sets[u]) * len(sets[v])) ** 0.5
        else:
            raise ValueError(f"unknown similarity metric {metric!r} (jaccard or cosine)")
        h.add_edge(u, v, weight=sim, distance=1.0 / sim, length=edge_length(1.0 / sim),
                   shared=sorted(shared),
                   relations={i: sim / len(shared) for i in sorted(shared)})
    h.graph["names"] = {i: b.nodes[i]["name"] for i in industries_of(b)}
    return h


def combined(g: nx.MultiDiGraph, weights: dict[str, float] | None = None) -> nx.Graph:
    """City-level network adding up adjacency, co-membership, spillover, cooperation and
    industry similarity, each times its weight (``DEFAULT_WEIGHTS``, override any key).
    Facts about counties count for their city; facts about provinces that are not
    municipalities (上海→江苏) have no city and are left out."""
    w = {**DEFAULT_WEIGHTS, **(weights or {})}
    unknown = set(w) - set(DEFAULT_WEIGHTS)
    if unknown:
        raise ValueError(f"unknown combined-network weight(s) {sorted(unknown)}; "
                         f"known: {', '.join(DEFAULT_WEIGHTS)}")
    hier = Hierarchy(g)
    h = nx.Graph(name="combined")
    for code, d in g.nodes(data=True):
        if schema.is_city(d):
            h.add_node(code, **_place_attrs(g, code, hier))

    def tie(u, v, what, amount):
        cu, cv = hier.city(u), hier.city(v)
        if cu and cv and cu != cv and amount:
            _add_tie(h, cu, cv, what, amount)

    if w["adjacency"]:
        for u, v, d in rels_of(g, schema.ADJACENT_TO):
            if d.get("level") == schema.CITY:
                tie(u, v, "adjacency", w["adjacency"])
    if w["comembership"]:
        for u, v, d in comembership(g).edges(data=True):
            tie(u, v, "comembership", w["comembership"] * d["weight"])
    for u, v, d in rels_of(g, schema.SPILLOVER_TO):
        tie(u, v, "spillover", w["spillover"])
    for u, v, d in rels_of(g, schema.COOPERATES_WITH):
        a, b = _place_of(g, u), _place_of(g, v)
        if a and b:
            tie(a, b, "cooperation", w["cooperation"])
    if w["similarity"]:
        sim = industry_similarity(g)
        for u, v, d in sim.edges(data=True):
            pu, pv = sim.nodes[u].get("place"), sim.nodes[v].get("place")
            if pu and pv:
                tie(pu, pv, "similarity", w["similarity"] * d["weight"])
    return h


NETWORKS: dict[str, Callable[..., nx.Graph]] = {
    "county-adjacency": county_adjacency,
    "city-adjacency": city_adjacency,
    "comembership": comembership,
    "spillover": spillover,
    "place-industry": place_industry,
    "industry-similarity": industry_similarity,
    "combined": combined,
}
# The flow networks (LINKED_TO: air, rail, migration, firm, gravity and all observed ones).
from kg.analysis.flow_networks import FLOW_NETWORKS  # noqa: E402  (uses the helpers above)

NETWORKS.update(FLOW_NETWORKS)


def restrict(h: nx.Graph, scope: AnalysisScope) -> nx.Graph:
    """The part of ``h`` inside ``scope``: its places (and, in the bipartite place–industry
    graph, actors located in it plus their industries)."""
    if scope.is_national:
        return h.copy()
    keep = {n for n, d in h.nodes(data=True)
            if n in scope.places or (d.get("kind") == "other" and d.get("place") in scope.places)}
    if any(d.get("bipartite") == 1 for _, d in h.nodes(data=True)):
        keep |= {i for a in keep for i in h[a]}
    sub = h.subgraph(keep).copy()
    sub.graph["scope"] = scope.name
    return sub


def network(g: nx.MultiDiGraph, name: str, scope: str | AnalysisScope | None = None,
            base: nx.Graph | None = None, **options) -> nx.Graph:
    """Build network ``name`` (see ``NETWORKS``) and keep the part inside ``scope``;
    ``base`` = the national network already built (saves rebuilding it per scope).

    Raises ``ValueError`` for an unknown name, ``ScopeError`` for an unknown scope and
    ``EmptyScope`` when the scope holds none of the network's nodes."""
    if name not in NETWORKS:
        import difflib

        close = difflib.get_close_matches(name, list(NETWORKS), n=3, cutoff=0.3)
        raise ValueError(f"unknown network {name!r}; networks: {', '.join(NETWORKS)}"
                         + (f" (closest: {', '.join(close)})" if close else ""))
    h = base if base is not None else NETWORKS[name](g, **options)
    if scope is None or isinstance(scope, str):
        scope = analysis_scope(g, scope)
    sub = restrict(h, scope)
    if sub.number_of_nodes() == 0:
        raise EmptyScope(f"scope {scope.name} has no node in the {name} network "
                         f"({h.number_of_nodes()} nodes nationally)")
    sub.graph.update(network=name, scope=scope.name)
    return sub
