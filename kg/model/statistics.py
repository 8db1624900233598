"""Statistics as facts: one ``Statistic`` node per (place, indicator, year).

A statistic is a node ``stat:<adcode>:<indicator>:<year>`` with the label ``Statistic``
and the properties ``indicator``, ``year``, ``value``, ``unit``, ``source_id``, ``quote``
and ``note``, reached from the place it describes by
``(:Place)-[:HAS_STATISTIC]->(:Statistic)``. The relationship carries the same
``source_id`` and ``year`` as every asserted relationship does. In Cypher::

    MATCH (p:Place)-[:HAS_STATISTIC]->(s:Statistic {indicator: 'resident_population', year: 2020})
    RETURN p.name, s.value, s.unit, s.source_id ORDER BY s.value DESC

This module is the one way in and out: ``add_statistic`` writes one, ``statistic`` /
``statistic_value`` read one, ``statistics_of`` lists a place's, ``statistics_table``
lists all of them. Nothing else reads statistics off node properties.

>>> from kg.model.graph import new_graph, add_node
>>> g = new_graph(); add_node(g, "310000", ["Place", "Province", "City"], adcode="310000", name="上海市")
>>> add_statistic(g, "310000", "resident_population", 2020, 2487.09, "万人", "census", quote="上海市 24870895")
'stat:310000:resident_population:2020'
>>> statistic_value(g, "310000", "resident_population", 2020)
2487.09
>>> statistic_value(g, "310000", "resident_population", 2010) is None
True
>>> [(s["indicator"], s["year"], s["unit"]) for s in statistics_of(g, "310000")]
[('resident_population', 2020, '万人')]
"""
from __future__ import annotations

from typing import Iterator

from kg.model import schema
from kg.model.graph import add_node, add_rel

FIELDS = ("adcode", "indicator", "year", "value", "unit", "source_id", "quote", "note")


def statistic_id(adcode: str, indicator: str, year: int) -> str:
    """The node id of a statistic: ``stat:<adcode>:<indicator>:<year>``.

    >>> statistic_id("440307", "gdp", 2024)
    'stat:440307:gdp:2024'
    """
    return f"stat:{adcode}:{indicator}:{int(year)}"


def add_statistic(g, adcode: str, indicator: str, year: int, value: float, unit: str,
                  source_id: str, quote: str | None = None, note: str | None = None) -> str:
    """Add one statistic of place ``adcode`` and its HAS_STATISTIC link; returns the node id."""
    key = statistic_id(adcode, indicator, year)
    add_node(g, key, [schema.STATISTIC], id=key, indicator=indicator,
             year=int(year), value=float(value), unit=unit, source_id=source_id,
             quote=quote, note=note)
    add_rel(g, adcode, key, schema.HAS_STATISTIC, source_id=source_id, year=int(year))
    return key


def statistic(g, place: str, indicator: str, year: int) -> dict | None:
    """The statistic's properties, or None when the graph has none for (place, indicator, year)."""
    key = statistic_id(place, indicator, year)
    if key in g and schema.STATISTIC in g.nodes[key]["labels"]:
        return g.nodes[key]
    return None


def statistic_value(g, place: str, indicator: str, year: int) -> float | None:
    """The value alone (None when missing)."""
    stat = statistic(g, place, indicator, year)
    return None if stat is None else stat["value"]


def statistics_of(g, place: str) -> list[dict]:
    """Every statistic of one place, sorted by indicator and year."""
    stats = [g.nodes[v] for _, v, t in g.out_edges(place, data="type") if t == schema.HAS_STATISTIC]
    return sorted(stats, key=lambda s: (s["indicator"], s["year"]))


def statistics_table(g) -> Iterator[dict]:
    """Every statistic of the graph as a flat row (the ``FIELDS``), in node order."""
    for key, d in g.nodes(data=True):
        if schema.STATISTIC in d["labels"]:
            place = next((u for u, _, t in g.in_edges(key, data="type") if t == schema.HAS_STATISTIC), None)
            yield {"adcode": place, **{f: d.get(f) for f in FIELDS[1:]}}


def is_fact(attrs: dict) -> bool:
    """True for nodes that are facts about a place (statistics), not entities.

    >>> is_fact({"labels": ["Statistic"]}), is_fact({"labels": ["Place", "City"]})
    (True, False)
    """
    return bool(set(attrs.get("labels", ())) & set(schema.FACT_LABELS))
