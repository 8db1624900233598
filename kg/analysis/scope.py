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
  its city partial. Which memberships count is decided once, in
  ``kg.model.membership``: those in force in the reference year ``as_of`` (default: the
  latest year in the data), of the latest plan of the grouping in force then (长三角 is
  the 2016 plan's 26 cities as of 2018 and the 2019 outline's 41 as of 2020), or of one
  ``plan``.

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

from dataclasses import dataclass, field

import networkx as nx

from kg.model import membership, schema
from kg.model.membership import descendants
from kg.viz.scope import ScopeError, resolve_scope

__all__ = ["AnalysisScope", "ScopeError", "EmptyScope", "analysis_scope", "grouping_members",
           "memberships", "own_plan", "reference_scope"]


class EmptyScope(ValueError):
    """A scope that exists but holds no node of the network analysed."""


@dataclass(frozen=True)
class AnalysisScope:
    kind: str  # national | place | grouping
    key: str | None
    name: str
    places: frozenset = field(default_factory=frozenset)
    partial: frozenset = field(default_factory=frozenset)  # places only partly inside
    as_of: int | None = None  # the reference year of a grouping's membership
    plan: str | None = None   # the one plan whose list was used, if any
    explicit: bool = False    # as_of or plan given by the caller (then in file names)

    def describe(self) -> str:
        """The name with its reference: 长江三角洲城市群 (as of 2020) / (plan policy:x)."""
        if self.plan:
            return f"{self.name} (plan {self.plan})"
        return f"{self.name} (as of {self.as_of})" if self.as_of else self.name

    @property
    def is_national(self) -> bool:
        return self.kind == "national"

    def slug(self) -> str:
        """A file-name-safe label: national, 320000, cluster-yangtze-river-delta."""
        if self.key is None:
            return "national"
        base = self.key.replace(":", "-")
        if self.plan:
            return f"{base}-{self.plan.replace(':', '-')}"
        return f"{base}-{self.as_of}" if self.explicit and self.as_of else base


def grouping_members(g: nx.MultiDiGraph, key: str, year: int | None = None,
                     plan: str | None = None) -> dict[str, dict]:
    """``{place: {"partial": bool, "counties": [adcodes], ...}}`` of a grouping as of
    ``year`` (default: the latest year in the data), by the rule of ``kg.model.membership``."""
    return membership.members(g, key, as_of=year, plan=plan)


def _grouping_places(g, key: str, as_of: int | None = None,
                     plan: str | None = None) -> tuple[set[str], set[str]]:
    return membership.member_places(g, key, as_of=as_of, plan=plan)


def analysis_scope(g: nx.MultiDiGraph, name: str | None, as_of: int | None = None,
                   plan: str | None = None) -> AnalysisScope:
    """Resolve ``name`` (None or 'national' for the whole country) to its places; a
    grouping's members are those of ``as_of`` (default: the latest year in the data) or
    of ``plan`` (see ``kg.model.membership``).

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
    if plan and scope.kind != "grouping":
        raise ScopeError(f"--plan {plan}: a plan selects the members of a city cluster, metro "
                         f"circle or corridor, and {name!r} is not one")
    if scope.kind == "national":
        places = frozenset(k for k, d in g.nodes(data=True) if schema.is_place(d))
        return AnalysisScope("national", None, "全国", places,
                             as_of=None if as_of is None else int(as_of), explicit=as_of is not None)
    d = g.nodes[scope.key]
    if scope.kind == "place":   # as_of is kept: it dates the groupings an analysis uses
        return AnalysisScope("place", scope.key, d["name"],
                             frozenset({scope.key} | descendants(g, scope.key)),
                             as_of=None if as_of is None else int(as_of), explicit=as_of is not None)
    if scope.kind == "grouping":
        year = membership.latest_year(g) if as_of is None else int(as_of)
        places, partial = _grouping_places(g, scope.key, year, plan)
        if not places:
            plans = ", ".join(sorted(membership.plans_of(g, scope.key))) or "none"
            what = f"under plan {plan}" if plan else "in force"
            raise EmptyScope(f"scope {d.get('name', scope.key)} ({scope.key}) has no member "
                             f"places {what} in {year} (plans of this grouping: {plans})")
        return AnalysisScope("grouping", scope.key, d.get("name", scope.key), frozenset(places),
                             frozenset(partial), year, plan, as_of is not None or plan is not None)
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


def memberships(g: nx.MultiDiGraph, labels=(schema.CITY_CLUSTER,),
                as_of: int | None = None, plan: str | None = None) -> dict[str, set[str]]:
    """``{place: {grouping keys}}`` for groupings with ``labels`` as of ``as_of``, members
    expanded as in ``analysis_scope`` (a city in 长三角 and its counties all map to it).
    ``plan`` selects the member list of that plan for the grouping it TARGETS; the other
    groupings stay as of ``as_of``."""
    out: dict[str, set[str]] = {}
    for key, d in g.nodes(data=True):
        if set(d["labels"]) & set(labels):
            own = own_plan(g, key, plan)
            places, _ = _grouping_places(g, key, as_of, own)
            for place in places:
                out.setdefault(place, set()).add(key)
    return out


def own_plan(g: nx.MultiDiGraph, key: str, plan: str | None) -> str | None:
    """``plan`` if it TARGETS grouping ``key`` (with or without the ``policy:`` prefix), else
    None: in an analysis over many groupings, a plan picks the member list of its own
    grouping and the others stay as of the year."""
    if plan and membership.norm_source(plan) in {membership.norm_source(p)
                                                 for p in membership.plans_of(g, key)}:
        return plan
    return None


def reference_scope(g: nx.MultiDiGraph, as_of: int | None = None,
                    plan: str | None = None) -> AnalysisScope:
    """The national scope of an analysis over every grouping (``citykg report``), carrying
    the reference of their memberships: ``as_of`` for all, ``plan`` for the grouping(s) it
    targets. Raises ``ScopeError`` for a plan that targets no grouping.

    >>> from kg.model.graph import new_graph, add_node, add_rel
    >>> g = new_graph()
    >>> add_node(g, "c", ["CityCluster"], name="C"); add_node(g, "policy:p", ["Policy"], name="p")
    >>> _ = add_rel(g, "policy:p", "c", "TARGETS", source_id="p", year=2016)
    >>> reference_scope(g, 2018).describe(), reference_scope(g, plan="p").describe()
    ('全国 (as of 2018)', '全国 (plan p)')
    >>> own_plan(g, "c", "policy:p"), own_plan(g, "c", None)
    ('policy:p', None)
    """
    national = analysis_scope(g, None, as_of)
    if plan is None:
        return national
    targeted = [k for k, d in g.nodes(data=True)
                if set(d["labels"]) & set(schema.GROUPINGS) and own_plan(g, k, plan)]
    if not targeted:
        raise ScopeError(f"--plan {plan}: no city cluster, metro circle or corridor is targeted "
                         "by this plan (see data/policies and the TARGETS relationships)")
    from dataclasses import replace

    return replace(national, plan=plan, explicit=True)
