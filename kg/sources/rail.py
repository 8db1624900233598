"""Trains per day between cities, from station timetables (12306-derived, RailwayVIS).

``thaddywu/RailwayVIS`` (Apache-2.0) holds the timetables of 322 major stations scraped
from 12306 in December 2020, merged into one route per train number
(``json/schedulers.json``: train -> stops in order, each stop a city name that the
project derived from the station name). **Coverage is partial**: only stops at those
322 stations appear, so small stations, most county towns and many regional trains are
missing; a pair counts only trains that stop at covered stations in both cities.

The derivation:

1. each stop's city name -> one prefecture-level unit: the name itself, or with 市 /
   区 / 县 added, must resolve to exactly one place (a county counts for its city:
   万州 -> 万州区 -> 重庆市; a name shared by a province and a city, 吉林, is the city,
   since a station is never a province); a few station names that are no place name
   (青城山, 华山 ...) come from the hand table ``data/flows/rail_stations.csv``; any
   other name is reported and its stops dropped, never guessed;
2. for every train, every ordered pair of stops (earlier city -> later city, different
   cities, each pair once per train) is one service;
3. weight of A -> B = the number of train numbers serving A then B. A train number
   runs once a day as a rule (some run on alternate days; the data does not say), so
   the weight is read as trains per day.

>>> resolve = {"北京": "110000", "天津": "120000", "济南": "370100"}.get
>>> trains = {"G1": ["北京", "天津", "济南"], "G2": ["济南", "北京"], "K9": ["北京", "北京", "外星"]}
>>> flows, unknown = city_services(trains, resolve)
>>> sorted(flows.items())
[(('110000', '120000'), 1), (('110000', '370100'), 1), (('120000', '370100'), 1), (('370100', '110000'), 1)]
>>> unknown
{'外星': 1}
"""
from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Callable, Mapping

from kg.model.resolve import PlaceError, PlaceIndex

SOURCE_ID = "railwayvis-2020"
OUTPUT = "rail_railwayvis_2020.csv"
STATION_TABLE = "rail_stations.csv"
WEIGHT_UNIT = "trains_per_day"
YEAR = 2020
PERIOD = "12306 timetables of 322 stations, December 2020 (RailwayVIS)"


def city_services(trains: Mapping[str, list[str]], resolve: Callable[[str], str | None]
                  ) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """``{(city A, city B): trains stopping in A, later in B}`` and ``{unresolved name: stops}``."""
    flows: Counter = Counter()
    unknown: Counter = Counter()
    for stops in trains.values():
        cities = []
        for name in stops:
            code = resolve(name)
            if code is None:
                unknown[name] += 1
            elif not cities or cities[-1] != code:
                cities.append(code)
        pairs = {(a, b) for i, a in enumerate(cities) for b in cities[i + 1:] if a != b}
        flows.update(pairs)
    return dict(flows), dict(unknown)


def read_railwayvis(path: Path) -> dict[str, list[str]]:
    """RailwayVIS ``json/schedulers.json`` -> {train number: [stop city names in order]}."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {train: [stop["city"] for stop in t["route"]] for train, t in data.items()}


def station_resolver(g, station_table: Path | None = None) -> Callable[[str], str | None]:
    """The name -> city adcode rule of the module docstring (None = reported, not guessed)."""
    from kg.analysis.networks import Hierarchy

    index, hier = PlaceIndex(g), Hierarchy(g)
    table = {}
    if station_table and Path(station_table).exists():
        with open(station_table, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                table[row["station"]] = row["city_adcode"]
    cache: dict[str, str | None] = {}

    def resolve(name: str) -> str | None:
        if name in cache:
            return cache[name]
        code = table.get(name)
        for ref in (name, f"{name}市", f"{name}区", f"{name}县") if code is None else ():
            try:
                code = hier.city(index.resolve(ref))
            except PlaceError:
                continue
            if code:
                break
        cache[name] = code
        return code

    return resolve


def derive_rail(schedulers_json: Path, g, data_dir: Path, out: Path | None = None
                ) -> tuple[Path, dict[str, int], int]:
    """Rebuild ``data/flows/rail_railwayvis_2020.csv``; returns (path, unresolved names, pairs)."""
    from kg.sources.air import write_flow_table

    resolve = station_resolver(g, Path(data_dir) / "flows" / STATION_TABLE)
    flows, unknown = city_services(read_railwayvis(schedulers_json), resolve)
    rows = [{"origin": o, "origin_name": g.nodes[o]["name"], "destination": d,
             "destination_name": g.nodes[d]["name"], "mode": "rail", "weight": n,
             "weight_unit": WEIGHT_UNIT, "year": YEAR, "period": PERIOD, "source_id": SOURCE_ID,
             "note": ""} for (o, d), n in sorted(flows.items())]
    path = write_flow_table(rows, out or Path(data_dir) / "flows" / OUTPUT)
    return path, unknown, len(flows)
