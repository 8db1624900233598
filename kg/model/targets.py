"""Coverage of the curated layer against the targets a researcher checks first.

* **clusters and metro circles** (:func:`coverage`): members, partial members, tiers, core
  and plan scope n/N for each grouping, and the NDRC-endorsed circles still without a core
  or members (:func:`endorsed_gaps`);

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

from collections import defaultdict

import networkx as nx

from kg.model import schema
from kg.model.membership import members, memberships

__all__ = ["PLANNED_INDUSTRY_TARGET", "COMPLETE_GROUPINGS", "coverage", "endorsed_gaps",
           "planned_industry_coverage", "new_center_coverage"]

PLANNED_INDUSTRY_TARGET = 100
# every member city of these clusters must plan its industries (issue 14)
COMPLETE_GROUPINGS = ("cluster:yangtze-river-delta", "cluster:pearl-river-delta",
                      "cluster:chengdu-chongqing")


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
                if d["type"] == schema.PLANS_INDUSTRY and schema.is_city(g.nodes[u])
                and d.get("source_id") not in articles}
    groupings = {}
    for key in complete:
        if key not in g:
            continue
        cities = sorted(c for c in members(g, key) if schema.is_city(g.nodes[c]))
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


def coverage(g) -> list[dict]:
    """Per CityCluster and MetroCircle: members, partial members, tiers, core, plans, sources,
    and the members of the plan that sets the scope against the number of units it names.

    ``tiers`` counts the members of each plan tier (``核心区 2; 辐射区 5``); ``endorsed`` is
    the date of the NDRC letter endorsing a metro circle's plan (``metro_circles.csv``);
    ``scope_plan`` / ``scope_units`` are node properties (``clusters.csv``, ``metro_circles.csv``) and
    ``plan_members`` counts the members whose row cites ``scope_plan`` (None without one).
    A metro circle counts only the MEMBER_OF rows in force under the membership rule
    (:func:`kg.model.membership.memberships`: the newest plan's list replaces an older plan's, and a
    row past its ``valid_to`` is out); a cluster counts every MEMBER_OF row.

    >>> from kg.model.graph import new_graph, add_node, add_rel
    >>> g = new_graph()
    >>> add_node(g, "metro:x", ["MetroCircle"], name="X都市圈", endorsed="2021-02",
    ...          scope_plan="p", scope_units=3)
    >>> add_node(g, "1", ["Place", "City"], name="甲市"); add_node(g, "2", ["Place", "City"], name="乙市")
    >>> _ = add_rel(g, "1", "metro:x", "CORE_OF", source_id="p", year=2021)
    >>> _ = add_rel(g, "2", "metro:x", "MEMBER_OF", source_id="p", year=2021, partial=True, tier="紧密圈")
    >>> row = coverage(g)[0]
    >>> row["members"], row["partial"], row["core"], row["tiers"], row["endorsed"]
    (1, 1, '甲市', '紧密圈 1', '2021-02')
    >>> row["plan_members"], row["scope_units"]
    (1, 3)
    """
    rows = []
    for label in (schema.CITY_CLUSTER, schema.METRO_CIRCLE):
        for key, data in sorted(((k, d) for k, d in g.nodes(data=True) if label in d["labels"])):
            members, partial, cores, plans, sources = set(), set(), [], [], set()
            tiers: dict[str, set] = defaultdict(set)
            in_plan = set()
            counted = (None if label != schema.METRO_CIRCLE else
                       {(m.place, m.source_id) for m in memberships(g, key) if m.grouping == key})
            for u, _, e in g.in_edges(key, data=True):
                if e["type"] == schema.MEMBER_OF and counted is not None \
                        and (u, str(e.get("source_id", ""))) not in counted:
                    continue
                if e["type"] == schema.MEMBER_OF:
                    members.add(u)
                    if e.get("partial"):
                        partial.add(u)
                    if e.get(schema.TIER):
                        tiers[e[schema.TIER]].add(u)
                    if data.get("scope_plan") and e.get("source_id") == data["scope_plan"]:
                        in_plan.add(u)
                elif e["type"] == schema.CORE_OF:
                    cores.append(g.nodes[u]["name"])
                elif e["type"] == schema.TARGETS:
                    plans.append(u)
                else:
                    continue
                sources.add(e.get("source_id"))
            rows.append({"id": key, "label": label, "name": data.get("name"),
                         "members": len(members), "partial": len(partial),
                         "tiers": "; ".join(f"{t} {len(m)}" for t, m in sorted(tiers.items())),
                         "core": ";".join(sorted(set(cores))), "plans": len(plans),
                         "endorsed": str(data.get("endorsed") or ""),
                         "sources": ";".join(sorted(s for s in sources if s)),
                         "scope_plan": data.get("scope_plan", ""),
                         "plan_members": len(in_plan) if data.get("scope_plan") else None,
                         "scope_units": data.get("scope_units")})
    return rows


def endorsed_gaps(rows: list[dict]) -> list[str]:
    """Each NDRC-endorsed metro circle of ``coverage()`` rows that lacks one core or members.

    >>> endorsed_gaps([{"name": "X都市圈", "endorsed": "2021-02", "core": "", "members": 0}])
    ['X都市圈: no core, no members']
    """
    gaps = []
    for r in rows:
        if not r.get("endorsed"):
            continue
        problems = []
        if not r["core"]:
            problems.append("no core")
        elif ";" in r["core"]:
            problems.append(f"{r['core'].count(';') + 1} cores")
        if not r["members"]:
            problems.append("no members")
        if problems:
            gaps.append(f"{r['name']}: {', '.join(problems)}")
    return gaps
