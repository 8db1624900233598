"""The pandas engine: today's streaming firm reader and city projection, as a table.

This is the reference every other engine must equal (table, rejects, line numbers):
``kg.sources.firms.FirmReader`` + ``kg.analysis.firm_network.city_network``.
"""
from __future__ import annotations

import pandas as pd

from kg.flows.rules import TABLE_COLUMNS, FlowResult
from kg.sources.firms import FirmReader, default_places
from kg.sources.migration import read_od


def project(path, places=None, rejects_path=None) -> FlowResult:
    from kg.analysis.firm_network import city_network

    places = places or default_places()
    reader = FirmReader(path, places=places, rejects_path=rejects_path, industries={},
                        network_only=True)
    g = city_network(reader.chunks(), places, self_loops=True)
    table = pd.DataFrame([(u, v, d["count"], d["capital"], d["capital_links"])
                          for u, v, d in g.edges(data=True)], columns=TABLE_COLUMNS)
    table = table.sort_values(["origin", "destination"]).reset_index(drop=True)
    return FlowResult(table.astype({"weight": "int64", "capital": "float64",
                                    "capital_links": "int64"}), reader.stats, reader.rejects,
                      "pandas")


def project_od(path, index, name=None) -> "ODResult":
    """The OD reference: ``kg.sources.migration.read_od`` (the good rows' pairs kept)."""
    from kg.flows.rules import ODResult, od_table

    pairs, errors = read_od(path, index, name=name, partial=True)
    return ODResult(od_table([(o, d, w) for (o, d), w in pairs.items()], 1), errors, "pandas")
