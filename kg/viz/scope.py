"""Scopes: which part of the graph a view (or report) is about.

A scope name is ``national`` (also ``全国``/``china``), a node id
(``cluster:yangtze-river-delta``), the name or alias of a city-system node
(``长江三角洲城市群``, ``长三角``, ``南京都市圈``) or a place reference that
``PlaceIndex`` resolves (``江苏省``, ``南京``, ``上海市/普陀区``).

``scope_nodes`` turns a scope into its node set:

- national: every node;
- a place: the place and every unit below it (a province's cities and counties);
- a grouping (city cluster, metro circle, corridor, foreign region): the grouping,
  its members and core cities as of a year or of one plan (``kg.model.membership``:
  the latest plan in force), the groupings that are PART_OF it and their members, and those counties of member cities that carry an asserted fact
  (a new centre, a leading industry, ...), so the view is not flooded with
  every district;
- any other node (an industry, a policy, a park): the node and its neighbours;
- an ego network: every node within ``depth`` hops, directions ignored.

Every scope but the ego network then adds the non-place nodes attached to its
places (industries, parks, policies, documents) so the facts about them show.

>>> from kg.model.graph import new_graph, add_node, add_rel
>>> g = new_graph()
>>> add_node(g, "320000", ["Place", "Province"], name="江苏省")
>>> add_node(g, "320100", ["Place", "City"], name="南京市")
>>> add_node(g, "330000", ["Place", "Province"], name="浙江省")
>>> _ = add_rel(g, "320100", "320000", "BELONGS_TO")
>>> scope = resolve_scope(g, "江苏")
>>> scope.kind, scope.key, sorted(scope_nodes(g, scope))
('place', '320000', ['320000', '320100'])
>>> resolve_scope(g, "national").kind
'national'
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, replace

import networkx as nx

from kg.model import membership, schema
from kg.model.membership import descendants
from kg.model.resolve import AmbiguousPlace, PlaceError, PlaceIndex
from kg.model.statistics import is_fact

NATIONAL_NAMES = ("national", "全国", "china", "中国")
# Asserted relationships that make a county worth showing inside a grouping.
_ADMIN = schema.DERIVED_TYPES


class ScopeError(ValueError):
    """A scope name that names nothing in the graph, or more than one thing."""


@dataclass(frozen=True)
class Scope:
    kind: str  # national | place | grouping | node | ego
    key: str | None  # node key of the scope's centre (None for national)
    title: str  # what the view is called
    depth: int = 0  # ego networks only
    as_of: int | None = None  # reference year of a grouping's membership (None: latest)
    plan: str | None = None  # the one plan whose member list a grouping view shows


def _non_place_matches(g, name: str) -> list[str]:
    return [k for k, d in g.nodes(data=True) if not schema.is_place(d)
            and (d.get("name") == name or name in d.get("aliases", ()))]


def resolve_scope(g: nx.MultiDiGraph, name: str | None, index: PlaceIndex | None = None) -> Scope:
    """The scope ``name`` stands for; ``ScopeError`` says why when it names nothing."""
    name = (name or "national").strip()
    if name.lower() in NATIONAL_NAMES:
        return Scope("national", None, "全国 China")
    if name in g:
        return _scope_of(g, name)
    found = _non_place_matches(g, name)
    if len(found) > 1:
        listed = ", ".join(f"{k} ({g.nodes[k]['name']})" for k in sorted(found))
        raise ScopeError(f"scope {name!r} is ambiguous: {listed}; give a node id")
    if found:
        return _scope_of(g, found[0])
    index = index or PlaceIndex(g)
    try:
        return _scope_of(g, index.resolve(name))
    except AmbiguousPlace as exc:
        raise ScopeError(f"scope {exc}") from None
    except PlaceError:
        names = [d["name"] for _, d in g.nodes(data=True) if "name" in d]
        close = difflib.get_close_matches(name, names, n=4, cutoff=0.5)
        hint = f"; closest names: {', '.join(close)}" if close else ""
        raise ScopeError(f"no scope named {name!r} (not a place, grouping or node id; "
                         f"use 'national' for the whole country){hint}") from None


def _scope_of(g, key: str) -> Scope:
    d = g.nodes[key]
    title = d.get("name", key)
    if schema.is_place(d):
        return Scope("place", key, title)
    if set(d["labels"]) & set(schema.GROUPINGS):
        return Scope("grouping", key, title)
    return Scope("node", key, title)


def with_reference(g: nx.MultiDiGraph, scope: Scope, as_of: int | None = None,
                   plan: str | None = None) -> Scope:
    """``scope`` with the reference of its grouping membership: a year (``--as-of``) or
    one plan (``--plan``); other scopes take a year too but ignore it."""
    if plan and scope.kind != "grouping":
        raise ScopeError(f"--plan {plan}: a plan selects the members of a city cluster, metro "
                         f"circle or corridor, and {scope.title!r} is not one")
    if scope.kind != "grouping":
        return replace(scope, as_of=as_of)
    if plan and not membership.memberships(g, scope.key, as_of=as_of, plan=plan):
        plans = ", ".join(sorted(membership.plans_of(g, scope.key))) or "none"
        raise ScopeError(f"--plan {plan}: no membership of {scope.title} cites it"
                         f"{f' in force in {as_of}' if as_of else ''} (plans of this grouping: {plans})")
    year = membership.latest_year(g) if as_of is None else as_of
    suffix = f"plan {plan}" if plan else f"as of {year}"
    return replace(scope, as_of=year, plan=plan, title=f"{scope.title} ({suffix})")


def ego_scope(g: nx.MultiDiGraph, name: str, depth: int = 1) -> Scope:
    """An ego network of ``depth`` hops around the place or node ``name``."""
    if depth < 1:
        raise ScopeError(f"--depth must be at least 1, not {depth}")
    centre = resolve_scope(g, name)
    if centre.key is None:
        raise ScopeError("an ego network needs one place or node, not the whole country")
    return Scope("ego", centre.key, f"{centre.title} ± {depth}", depth)


def grouping_places(g, key: str, as_of: int | None = None, plan: str | None = None) -> set[str]:
    """The grouping, its members and core cities as of ``as_of`` (or of ``plan``) by the
    rule of ``kg.model.membership``, and the sub-groupings they came through."""
    found = membership.memberships(g, key, as_of=as_of, plan=plan)
    out = {key} | {m.place for m in found} | {m.grouping for m in found}
    # Counties of member cities appear only when something is asserted about them.
    for city in [n for n in out if schema.is_city(g.nodes[n])]:
        for county in descendants(g, city):
            if _has_asserted_fact(g, county):
                out.add(county)
    return out


def _has_asserted_fact(g, node: str) -> bool:
    edges = [*g.in_edges(node, data="type"), *g.out_edges(node, data="type")]
    return (schema.NEW_CENTER in g.nodes[node]["labels"]
            or any(t not in _ADMIN for *_, t in edges))


def attached(g, nodes: set[str]) -> set[str]:
    """The non-place nodes linked to ``nodes`` by an asserted relationship."""
    out = set()
    for node in nodes:
        for u, v, t in [*g.in_edges(node, data="type"), *g.out_edges(node, data="type")]:
            other = v if u == node else u
            if t not in _ADMIN and not schema.is_place(g.nodes[other]):
                out.add(other)
    return out


def scope_nodes(g: nx.MultiDiGraph, scope: Scope) -> set[str]:
    """The node keys a scope covers (see the module docstring); statistics are facts shown
    in their place's tooltip, never nodes of a view."""
    return {k for k in _scope_nodes(g, scope) if not is_fact(g.nodes[k])}


def _scope_nodes(g: nx.MultiDiGraph, scope: Scope) -> set[str]:
    if scope.kind == "national":
        return set(g)
    if scope.kind == "ego":
        return set(nx.ego_graph(g.to_undirected(as_view=True), scope.key, radius=scope.depth))
    if scope.kind == "place":
        core = {scope.key} | descendants(g, scope.key)
    elif scope.kind == "grouping":
        core = grouping_places(g, scope.key, scope.as_of, scope.plan)
    else:
        core = {scope.key} | set(nx.all_neighbors(g, scope.key))
    return core | attached(g, core)
