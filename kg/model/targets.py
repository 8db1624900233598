"""Coverage of the curated layer against the targets a researcher checks first.

Two targets beyond the cluster/metro table of :func:`kg.sources.curated.coverage`:

* **planned industries**: how many prefecture-level cities (``City`` nodes, the four
  municipalities included) have at least one ``PLANS_INDUSTRY`` row from their own
  documents (not from an article, i.e. a ``Document`` source), against a target count, and which member cities of the groupings that must be complete lack one;
* **new urban centres**: how many ``NewCenter`` nodes exist against the number the
  founding study counts (``studied`` in ``data/coverage/new_centers_missing.csv``, read by
  :mod:`kg.sources.new_centers`, which also says why the others are missing).

>>> from kg.model.graph import new_graph, add_node, add_rel
>>> g = new_graph()
>>> add_node(g, "c", ["CityCluster"], name="C")
>>> for code, name in (("310000", "上海市"), ("320100", "南京市")):
...     add_node(g, code, ["Place", "City"], name=name)
...     _ = add_rel(g, code, "c", "MEMBER_OF", source_id="s", year=2019)
>>> add_node(g, "industry:x", ["Industry"], name="X")
>>> _ = add_rel(g, "310000", "industry:x", "PLANS_INDUSTRY", source_id="s", year=2021)
>>> cov = planned_industry_coverage(g, target=2, complete=("c",))
>>> cov["cities"], cov["met"], cov["groupings"]["c"]
(1, False, {'name': 'C', 'with': 1, 'members': 2, 'missing': ['南京市']})
"""
from __future__ import annotations

import networkx as nx

from kg.model import schema
from kg.model.membership import members

__all__ = ["PLANNED_INDUSTRY_TARGET", "COMPLETE_GROUPINGS", "planned_industry_coverage",
           "new_center_coverage"]

PLANNED_INDUSTRY_TARGET = 100
# every member city of these clusters must plan its industries (issue 14)
COMPLETE_GROUPINGS = ("cluster:yangtze-river-delta", "cluster:pearl-river-delta",
                      "cluster:chengdu-chongqing")


def _is_city(d: dict) -> bool:
    return schema.CITY in d.get("labels", ())


def planned_industry_coverage(g: nx.MultiDiGraph, target: int = PLANNED_INDUSTRY_TARGET,
                              complete=COMPLETE_GROUPINGS) -> dict:
    """``{"cities", "target", "met", "groupings": {key: {name, with, members, missing}}}``
    where ``cities`` counts prefecture-level cities with a ``PLANS_INDUSTRY`` row and
    each grouping lists its member cities (full or partial) without one."""
    # an article (a Document node: the corpus, a web article) reporting on many cities is
    # not the city's own plan; "41 长三角 cities plan 高端装备" counts for none of them
    articles = {d.get("source_id") for _, d in g.nodes(data=True)
                if schema.DOCUMENT in d.get("labels", ())}
    planning = {u for u, _, d in g.edges(data=True)
                if d["type"] == schema.PLANS_INDUSTRY and _is_city(g.nodes[u])
                and d.get("source_id") not in articles}
    groupings = {}
    for key in complete:
        if key not in g:
            continue
        cities = sorted(c for c in members(g, key) if _is_city(g.nodes[c]))
        groupings[key] = {"name": g.nodes[key].get("name", key),
                          "with": sum(c in planning for c in cities),
                          "members": len(cities),
                          "missing": [g.nodes[c].get("name", c) for c in cities
                                      if c not in planning]}
    met = len(planning) >= target and not any(v["missing"] for v in groupings.values())
    return {"cities": len(planning), "target": target, "met": met, "groupings": groupings}


def new_center_coverage(g: nx.MultiDiGraph, counted: int) -> dict:
    """``{"nodes", "counted", "typed", "with_industries"}`` for the ``NewCenter`` layer.

    >>> from kg.model.graph import new_graph, add_node
    >>> g = new_graph()
    >>> add_node(g, "440307", ["Place", "County", "NewCenter"], name="龙岗区", center_type="产业引领型")
    >>> new_center_coverage(g, counted=52)
    {'nodes': 1, 'counted': 52, 'typed': 1, 'with_industries': 0}
    """
    centres = [n for n, d in g.nodes(data=True) if schema.NEW_CENTER in d.get("labels", ())]
    with_ind = {u for u, _, d in g.edges(data=True) if d["type"] == schema.PLANS_INDUSTRY}
    return {"nodes": len(centres), "counted": counted,
            "typed": sum(bool(g.nodes[n].get("center_type")) for n in centres),
            "with_industries": sum(n in with_ind for n in centres)}
