"""Scopes for analyses: the places inside a province, a city cluster or a metro circle.

Names are resolved by ``kg.viz.scope.resolve_scope`` (so ``长三角``, ``南京都市圈``,
``江苏``, ``cluster:yangtze-river-delta`` all work, and an unknown name lists the
closest names). This module turns the resolved scope into the *places* an analysis
keeps, at every level:

- national: every place;
- a province or city: the unit and every unit below it;
- a city cluster / metro circle / corridor: its members (``MEMBER_OF`` and ``CORE_OF``,
  and the members of the metro circles that are ``PART_OF`` it). A full member city
  brings all its counties; a partial member with a county list brings those counties
  (and the city itself, marked partial); a county-level member brings itself and marks
  its city partial. Memberships whose ``valid_to`` lies in the past are ignored; the
  memberships of different plans are united (长三角 is the 2016 plan's 26 cities and the
  2019 outline's 41).

>>> from kg.model.graph import new_graph, add_node, add_rel
>>> g = new_graph()
>>> add_node(g, "320000", ["Place", "Province"], name="江苏省")
>>> add_node(g, "320100", ["Place", "City"], name="南京市")
>>> add_node(g, "320102", ["Place", "County"], name="玄武区")
>>> add_node(g, "metro:nanjing", ["MetroCircle"], name="南京都市圈")
>>> _ = add_rel(g, "320100", "320000", "BELONGS_TO"); _ = add_rel(g, "320102", "320100", "BELONGS_TO")
>>> _ = add_rel(g, "320100", "metro:nanjing", "MEMBER_OF", source_id="s", year=2021)
>>> s = analysis_scope(g, "南京都市圈")
>>> s.kind, sorted(s.places)
('grouping', ['320100', '320102'])
>>> analysis_scope(g, "江苏").name
'江苏省'
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import networkx as nx

from kg.model import schema
from kg.viz.scope import ScopeError, descendants, resolve_scope

__all__ = ["AnalysisScope", "ScopeError", "EmptyScope", "analysis_scope", "grouping_members",
           "memberships"]


class EmptyScope(ValueError):
    """A scope that exists but holds no node of the network analysed."""


@dataclass(frozen=True)
class AnalysisScope:
    kind: str  # national | place | grouping
    key: str | None
    name: str
    places: frozenset = field(default_factory=frozenset)
    partial: frozenset = field(default_factory=frozenset)  # places only partly inside

    @property
    def is_national(self) -> bool:
        return self.kind == "national"

    def slug(self) -> str:
        """A file-name-safe label: national, 320000, cluster-yangtze-river-delta."""
        return "national" if self.key is None else self.key.replace(":", "-")


def _current(d: dict, year: int) -> bool:
    valid_to = d.get("valid_to")
    try:
        return valid_to in (None, "") or int(valid_to) >= year
    except (TypeError, ValueError):
        return True


def grouping_members(g: nx.MultiDiGraph, key: str, year: int | None = None) -> dict[str, dict]:
    """``{place: {"partial": bool, "counties": [adcodes]}}`` for a grouping and its sub-groupings."""
    year = year or datetime.date.today().year
    members: dict[str, dict] = {}
    frontier, seen = [key], {key}
    while frontier:
        node = frontier.pop()
        for src, _, d in g.in_edges(node, data=True):
            kind = d["type"]
            if kind == schema.PART_OF and src not in seen:
                seen.add(src)
                frontier.append(src)
            elif kind in (schema.MEMBER_OF, schema.CORE_OF) and schema.is_place(g.nodes[src]):
                if not _current(d, year):
                    continue
                entry = members.setdefault(src, {"partial": True, "counties": set()})
                if d.get("partial") in (True, "true", "True"):
                    entry["counties"].update(_as_list(d.get("county_adcodes")))
                else:
                    entry["partial"] = False
    return members


def _as_list(value) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [v for v in value.split(";") if v]
    return [str(v) for v in value]


def _parent(g, code: str) -> str | None:
    for _, parent, d in g.out_edges(code, data=True):
        if d["type"] == schema.BELONGS_TO:
            return parent
    return None


def _grouping_places(g, key: str) -> tuple[set[str], set[str]]:
    places, partial = set(), set()
    for code, entry in grouping_members(g, key).items():
        places.add(code)
        level = schema.level(g.nodes[code])
        if entry["partial"]:
            partial.add(code)
            places.update(entry["counties"])
        else:
            places.update(descendants(g, code))
        if level == schema.COUNTY:
            parent = _parent(g, code)
            if parent and schema.CITY in g.nodes[parent]["labels"] and parent not in places:
                places.add(parent)
                partial.add(parent)
    return places, partial


def analysis_scope(g: nx.MultiDiGraph, name: str | None) -> AnalysisScope:
    """Resolve ``name`` (None or 'national' for the whole country) to its places.

    Raises ``ScopeError`` (unknown name, with the closest names; or a node that is not
    a place or grouping) and ``EmptyScope`` (a grouping without members)."""
    try:
        scope = resolve_scope(g, name)
    except ScopeError as exc:
        if "no scope named" not in str(exc):
            raise
        close = closest_scope_names(g, name)
        hint = f"; closest scope names: {', '.join(close)}" if close else ""
        raise ScopeError(f"unknown scope {name!r} (not a province, city, city cluster, metro "
                         f"circle or corridor){hint}") from None
    if scope.kind == "national":
        places = frozenset(k for k, d in g.nodes(data=True) if schema.is_place(d))
        return AnalysisScope("national", None, "全国", places)
    d = g.nodes[scope.key]
    if scope.kind == "place":
        return AnalysisScope("place", scope.key, d["name"],
                             frozenset({scope.key} | descendants(g, scope.key)))
    if scope.kind == "grouping":
        places, partial = _grouping_places(g, scope.key)
        if not places:
            raise EmptyScope(f"scope {d.get('name', scope.key)} ({scope.key}) has no member "
                             "places in the graph")
        return AnalysisScope("grouping", scope.key, d.get("name", scope.key),
                             frozenset(places), frozenset(partial))
    kinds = "/".join(d["labels"])
    raise ScopeError(f"scope {name!r} is a {kinds} node ({scope.key}); give a province, city, "
                     "city cluster, metro circle or corridor")


def closest_scope_names(g: nx.MultiDiGraph, name: str, n: int = 5) -> list[str]:
    """Names and aliases of provinces, cities and groupings closest to ``name``."""
    import difflib

    names = set()
    for _, d in g.nodes(data=True):
        if set(d["labels"]) & {*schema.GROUPINGS, schema.PROVINCE, schema.CITY}:
            names.update([d.get("name", ""), *d.get("aliases", [])])
    names.discard("")
    return difflib.get_close_matches(name, sorted(names), n=n, cutoff=0.4)


def memberships(g: nx.MultiDiGraph, labels=(schema.CITY_CLUSTER,)) -> dict[str, set[str]]:
    """``{place: {grouping keys}}`` for groupings with ``labels``, members expanded as in
    ``analysis_scope`` (a city in 长三角 and its counties all map to the cluster)."""
    out: dict[str, set[str]] = {}
    for key, d in g.nodes(data=True):
        if set(d["labels"]) & set(labels):
            places, _ = _grouping_places(g, key)
            for place in places:
                out.setdefault(place, set()).add(key)
    return out
