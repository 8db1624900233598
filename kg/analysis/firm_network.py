"""The firm-linkage city network: HQ city → branch city, weighted by firm links.

Each firm-branch row (see ``kg.sources.firms``) is one link from the city of the firm's
headquarters to the city of its branch; counties count for their prefecture-level city.
Summed over rows this gives a weighted directed city × city network, the usual input
of interlocking-network studies of the Chinese city system:

* edge ``weight`` = ``count``: firm-branch links from one city to the other (and, as
  in every network of ``kg.analysis.networks``, ``distance`` = 1/weight and its integer
  ``length``, which betweenness and closeness use);
* edge ``capital``: summed branch capital (万元) over the links where it is known, and
  ``capital_links``: how many links that is;
* node ``internal``: links inside the city (HQ and branch in the same city), kept off
  the graph as self-loops unless ``self_loops=True``; ``out_links``/``in_links``: links
  sent and received, across cities.

The projection is a pure function of validated chunks: each chunk is binned into dense
city × city tables with ``numpy.bincount`` (a few hundred cities, so the tables are a
few MB whatever the number of rows), and the graph is made once at the end.

>>> import pandas as pd
>>> from kg.sources.firms import default_places
>>> places = default_places()
>>> ci = {c: i for i, c in enumerate(places.cities)}
>>> rows = pd.DataFrame({"hq_ci": [ci["310000"]] * 3 + [ci["320100"]],
...                      "branch_ci": [ci["320100"], ci["320100"], ci["310000"], ci["110000"]],
...                      "capital": [10.0, float("nan"), 5.0, 1.0]})
>>> g = city_network([rows], places)
>>> sorted(g.edges(data="weight"))
[('310000', '320100', 2), ('320100', '110000', 1)]
>>> g.edges["310000", "320100"]["capital"], g.nodes["310000"]["internal"]
(10.0, 1)

The same projection in Cypher, for a graph loaded into Neo4j (and as the input query
of a Neo4j Graph Data Science projection), is ``CYPHER``; ``docs/scaling.md`` gives
the Spark form.
"""
from __future__ import annotations

from typing import Iterable

import networkx as nx
import numpy as np
import pandas as pd

from kg.analysis.networks import edge_length
from kg.sources.firms import FirmReader, Places, ReadStats, default_places

# HQ city -> branch city over Organization nodes loaded by kg.store.firms_load. A county
# counts for the City it BELONGS_TO; a city (or a county no City holds) for itself.
CYPHER = """
MATCH (o:Organization)-[:LOCATED_IN {role: 'headquarters'}]->(h:Place)
MATCH (o)-[b:LOCATED_IN {role: 'branch'}]->(p:Place)
WITH h, p, b,
     CASE WHEN h:City THEN h ELSE coalesce([(h)-[:BELONGS_TO]->(c:City) | c][0], h) END AS hc,
     CASE WHEN p:City THEN p ELSE coalesce([(p)-[:BELONGS_TO]->(c:City) | c][0], p) END AS pc
RETURN hc.adcode AS source, pc.adcode AS target, count(*) AS count,
       sum(b.capital) AS capital, count(b.capital) AS capital_links
"""


def city_network(chunks: Iterable[pd.DataFrame], places: Places,
                 self_loops: bool = False) -> nx.DiGraph:
    """Project firm-branch rows onto cities.

    ``chunks`` are DataFrames with integer columns ``hq_ci`` and ``branch_ci``
    (positions in ``places.cities``, as ``FirmReader.chunks()`` yields them) and a
    float column ``capital`` (NaN when unknown).
    """
    n = len(places.cities)
    count = np.zeros(n * n, dtype=np.int64)
    capital = np.zeros(n * n, dtype=np.float64)
    capital_links = np.zeros(n * n, dtype=np.int64)
    for chunk in chunks:
        cell = chunk["hq_ci"].to_numpy(np.int64) * n + chunk["branch_ci"].to_numpy(np.int64)
        cap = chunk["capital"].to_numpy(np.float64)
        known = ~np.isnan(cap)
        count += np.bincount(cell, minlength=n * n)
        capital += np.bincount(cell[known], weights=cap[known], minlength=n * n)
        capital_links += np.bincount(cell[known], minlength=n * n)
    return _graph(count.reshape(n, n), capital.reshape(n, n), capital_links.reshape(n, n),
                  places, self_loops)


def _graph(count, capital, capital_links, places: Places, self_loops: bool) -> nx.DiGraph:
    g = nx.DiGraph(name="firm-linkage city network")
    internal = np.diag(count).copy()
    across = count.copy()
    np.fill_diagonal(across, 0)
    out_links, in_links = across.sum(axis=1), across.sum(axis=0)
    for i in np.flatnonzero((count.sum(axis=1) + count.sum(axis=0)) > 0):
        code = places.cities[i]
        g.add_node(code, adcode=code, name=places.name[code], level=places.level[code],
                   province=places.province[code], lon=places.lon.get(code),
                   lat=places.lat.get(code), kind="place", internal=int(internal[i]),
                   out_links=int(out_links[i]), in_links=int(in_links[i]))
    src, dst = np.nonzero(count)
    if not self_loops:
        src, dst = src[src != dst], dst[src != dst]
    names = places.cities
    g.add_edges_from(
        (u, v, {"weight": c, "count": c, "distance": 1 / c, "length": edge_length(1 / c),
                "capital": k, "capital_links": m})
        for u, v, c, k, m in zip(names[src].tolist(), names[dst].tolist(),
                                 count[src, dst].tolist(), capital[src, dst].tolist(),
                                 capital_links[src, dst].tolist()))
    return g


def firm_network(path, places: Places | None = None, rejects_path=None,
                 self_loops: bool = False) -> tuple[nx.DiGraph, ReadStats]:
    """Read a firm-linkage CSV (streaming, validated) and project it onto cities.

    Returns the network and the reader's counts; rejected rows go to ``rejects_path``.
    This is what ``citykg analyze … --network firms --firms FILE`` calls.
    """
    places = places or default_places()
    reader = FirmReader(path, places=places, rejects_path=rejects_path, industries={},
                        network_only=True)
    g = city_network(reader.chunks(), places, self_loops=self_loops)
    g.graph.update(source=str(path), rows=reader.stats.rows, accepted=reader.stats.accepted,
                   rejected=reader.stats.rejected)
    return g, reader.stats


def firms_network(g, firms, rejects_path=None, self_loops: bool = False) -> nx.DiGraph:
    """The firm network as ``kg.analysis.networks.NETWORKS`` takes one: a function of the
    knowledge graph ``g`` (whose places it uses) plus options, here ``firms=FILE``."""
    h, _ = firm_network(firms, places=Places.from_graph(g), rejects_path=rejects_path,
                        self_loops=self_loops)
    return h
