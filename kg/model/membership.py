"""Membership of a grouping as of a date: the one definition every scope uses.

A grouping (city cluster, metro circle, corridor) gets its members from ``MEMBER_OF``
and ``CORE_OF`` relationships, each citing the document that states it. Plans replace
each other (长三角: the 2016 plan's 26 cities, the 2019 outline's 41), so a membership
question needs a date. **The rule**, for grouping G in year Y:

1. A membership is *in force* in Y when ``start <= Y <= end``: ``start`` is its
   ``valid_from`` (else the ``year`` of its source), ``end`` its ``valid_to`` (else open).
2. The *plans of G* are the Policy nodes that ``TARGETS`` G. Among the in-force
   memberships citing a plan of G, only those of the **latest** plan (largest start;
   plans starting in the same year are united) count: a newer plan of the same grouping
   replaces the older one's list.
3. Memberships citing anything else (an article, a web page, the plan of another
   grouping) add to that list: they are evidence, not a rival plan.
4. Groupings that are ``PART_OF`` G (a metro circle inside a cluster), with that
   ``PART_OF`` in force in Y, bring their own members by the same rule.
5. ``plan=ID`` instead keeps only the direct memberships citing that one document
   (still in force in Y): "the 26 cities of the 2016 plan".

Partial members keep their county list (``counties``), county-level members are members
in their own right, and a member's ``tier``/``scope`` (e.g. 中心区) is carried along.
``Y`` defaults to :func:`latest_year`, the latest year any fact in the graph carries, so
a result never depends on the day it is computed.

>>> from kg.model.graph import new_graph, add_node, add_rel
>>> g = new_graph()
>>> add_node(g, "c", ["CityCluster"], name="C")
>>> for p in ("p1", "p2"):
...     add_node(g, f"policy:{p}", ["Policy"], name=p)
...     _ = add_rel(g, f"policy:{p}", "c", "TARGETS", source_id=p, year=2016)
>>> for code in ("310000", "320100", "320300"):
...     add_node(g, code, ["Place", "City"], name=code)
>>> for code in ("310000", "320100"):
...     _ = add_rel(g, code, "c", "MEMBER_OF", source_id="policy:p1", year=2016)
>>> for code in ("310000", "320100", "320300"):
...     _ = add_rel(g, code, "c", "MEMBER_OF", source_id="policy:p2", year=2019)
>>> sorted(members(g, "c", as_of=2018)), sorted(members(g, "c", as_of=2020))
(['310000', '320100'], ['310000', '320100', '320300'])
>>> sorted(members(g, "c", plan="p1"))
['310000', '320100']
>>> change = scope_change(g, "c", 2018, 2020)
>>> change["entered"], change["left"]
(['320300'], [])
"""
from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from kg.model import schema

__all__ = ["Membership", "latest_year", "plans_of", "memberships", "members", "member_places",
           "scope_change", "in_force", "descendants", "norm_source"]

MEMBER_TYPES = (schema.MEMBER_OF, schema.CORE_OF)


@dataclass(frozen=True)
class Membership:
    place: str
    grouping: str          # the grouping the relationship points at (G or a sub-grouping)
    type: str              # MEMBER_OF or CORE_OF
    source_id: str
    start: int | None
    end: int | None
    partial: bool
    counties: tuple = ()
    scope: str | None = None
    tier: str | None = None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def norm_source(source_id) -> str:
    """``policy:x`` and ``x`` name the same source (data/README.md)."""
    s = str(source_id or "")
    return s[len("policy:"):] if s.startswith("policy:") else s


def _span(d: dict) -> tuple[int | None, int | None]:
    start = _int(d.get("valid_from"))
    return (start if start is not None else _int(d.get("year"))), _int(d.get("valid_to"))


def in_force(d: dict, year: int) -> bool:
    """Does the relationship with attributes ``d`` hold in ``year`` (rule 1)?"""
    start, end = _span(d)
    return (start is None or start <= year) and (end is None or year <= end)


def latest_year(g: nx.MultiDiGraph) -> int:
    """The latest year any node, relationship or statistic of the graph carries."""
    if "latest_year" in g.graph:
        return g.graph["latest_year"]
    years = [y for _, _, d in g.edges(data=True)
             for y in (_int(d.get("year")), _int(d.get("valid_from")), _int(d.get("valid_to")))
             if y is not None]
    years += [y for _, d in g.nodes(data=True) if (y := _int(d.get("year"))) is not None]
    years += [y for r in g.graph.get("statistics", []) or []
              if isinstance(r, dict) and (y := _int(r.get("year"))) is not None]
    out = max(years) if years else 2025
    g.graph["latest_year"] = out
    return out


def plans_of(g: nx.MultiDiGraph, grouping: str) -> dict[str, int | None]:
    """``{plan id: approved year}`` of the Policy nodes that TARGET ``grouping``."""
    out = {}
    for u, _, d in g.in_edges(grouping, data=True):
        if d["type"] == schema.TARGETS:
            out[u] = _int(g.nodes[u].get("approved_year")) or _int(g.nodes[u].get("year"))
    return out


def _as_list(value) -> tuple:
    if value in (None, ""):
        return ()
    if isinstance(value, str):
        return tuple(v for v in value.split(";") if v)
    return tuple(str(v) for v in value)


def _direct(g, grouping: str, year: int, plan: str | None) -> list[Membership]:
    found = []
    for src, _, d in g.in_edges(grouping, data=True):
        if d["type"] not in MEMBER_TYPES or not schema.is_place(g.nodes[src]):
            continue
        if not in_force(d, year) or (plan and norm_source(d.get("source_id")) != norm_source(plan)):
            continue
        start, end = _span(d)
        found.append(Membership(src, grouping, d["type"], str(d.get("source_id", "")), start, end,
                                d.get("partial") in (True, "true", "True"),
                                _as_list(d.get("county_adcodes")), d.get("scope"), d.get("tier")))
    if plan:
        return found
    plans = {norm_source(p) for p in plans_of(g, grouping)}
    of_plan = [m for m in found if norm_source(m.source_id) in plans]
    if not of_plan:
        return found
    newest = max((m.start or 0) for m in of_plan)
    return [m for m in found
            if norm_source(m.source_id) not in plans or (m.start or 0) == newest]


def memberships(g: nx.MultiDiGraph, grouping: str, as_of: int | None = None,
                plan: str | None = None) -> list[Membership]:
    """Every membership that counts for ``grouping`` in ``as_of`` (the module's rule)."""
    year = latest_year(g) if as_of is None else int(as_of)
    out = _direct(g, grouping, year, plan)
    if plan:
        return out
    frontier, seen = [grouping], {grouping}
    while frontier:
        node = frontier.pop()
        for src, _, d in g.in_edges(node, data=True):
            if d["type"] == schema.PART_OF and src not in seen and in_force(d, year) \
                    and set(g.nodes[src]["labels"]) & set(schema.GROUPINGS):
                seen.add(src)
                frontier.append(src)
                out.extend(_direct(g, src, year, None))
    return out


def members(g: nx.MultiDiGraph, grouping: str, as_of: int | None = None,
            plan: str | None = None) -> dict[str, dict]:
    """``{place: {"partial", "counties", "sources", "roles", "scope", "tier"}}``; a place
    is partial only if every membership that counts for it is partial."""
    out: dict[str, dict] = {}
    for m in memberships(g, grouping, as_of, plan):
        e = out.setdefault(m.place, {"partial": True, "counties": set(), "sources": set(),
                                     "roles": set(), "scope": set(), "tier": set()})
        e["sources"].add(m.source_id)
        e["roles"].add(m.type)
        e["scope"].update([m.scope] if m.scope else [])
        e["tier"].update([m.tier] if m.tier else [])
        if m.partial:
            e["counties"].update(m.counties)
        else:
            e["partial"] = False
    return out


def descendants(g: nx.MultiDiGraph, key: str) -> set[str]:
    """Every place below ``key`` in the BELONGS_TO hierarchy."""
    below, frontier = set(), [key]
    while frontier:
        node = frontier.pop()
        for child, _, d in g.in_edges(node, data=True):
            if d["type"] == schema.BELONGS_TO and child not in below:
                below.add(child)
                frontier.append(child)
    return below


def _parent(g, code: str) -> str | None:
    for _, parent, d in g.out_edges(code, data=True):
        if d["type"] == schema.BELONGS_TO:
            return parent
    return None


def member_places(g: nx.MultiDiGraph, grouping: str, as_of: int | None = None,
                  plan: str | None = None) -> tuple[set[str], set[str]]:
    """(places, partial places) at every level: a full member city brings all its
    counties, a partial one its listed counties (and itself, marked partial), a
    county-level member brings itself and marks its city partial."""
    places, partial = set(), set()
    for code, entry in members(g, grouping, as_of, plan).items():
        places.add(code)
        if entry["partial"]:
            partial.add(code)
            places.update(entry["counties"])
        else:
            places.update(descendants(g, code))
        if schema.level(g.nodes[code]) == schema.COUNTY:
            parent = _parent(g, code)
            if parent and schema.is_city(g.nodes[parent]) and parent not in places:
                places.add(parent)
                partial.add(parent)
    return places, partial


def scope_change(g: nx.MultiDiGraph, grouping: str, before: int | str, after: int | str) -> dict:
    """Members that ``entered``, ``left`` and ``stayed`` between two references; each is
    a year (the as-of rule) or a plan id (that plan's own list)."""
    def listed(ref):
        if isinstance(ref, int) or str(ref).isdigit():
            return set(members(g, grouping, as_of=int(ref)))
        return set(members(g, grouping, plan=str(ref)))

    a, b = listed(before), listed(after)
    return {"entered": sorted(b - a), "left": sorted(a - b), "stayed": sorted(a & b)}
