"""Air routes between Chinese cities from OpenFlights (``routes.dat``, ODbL, 2014 snapshot).

OpenFlights' route database was last updated in June 2014 (its ``data/README.md`` calls
the files snapshots; no later route data is public under an open licence), so the
network is the 2014 one: 北京大兴 (2019), 成都天府 (2021) and every route opened since
are missing, and 北京南苑 (closed 2019) is still there. The derivation:

1. airports -> the city they **serve**, from the hand-checked table
   ``data/flows/airports_cn.csv`` (``iata, airport, openflights_city, city_adcode,
   city_name, note``): mainland airports plus 香港 and 澳门. Not the polygon they stand
   in: 西安咸阳 XIY lies in 咸阳 but serves 西安, 西宁曹家堡 lies in 海东, 拉萨贡嘎 in 山南;
2. every route of ``routes.dat`` whose both ends are in the table, operated non-stop
   (``stops`` 0) and not a codeshare (``codeshare`` empty: a codeshare repeats a route
   another airline flies), is one *airline route* airline × origin airport ×
   destination airport;
3. weight of city A -> city B = the number of distinct airline routes between their
   airports (so 北京→上海 counts PEK/NAY × PVG/SHA, once per airline). routes.dat has no
   frequencies, so this counts routes, not flights; a route inside one city
   (PEK→NAY) is dropped.

The output is a flow table (``kg.sources.flows``), committed as
``data/flows/air_openflights_2014.csv``; ``citykg flows derive-air DIR`` rebuilds it
from a copy of the OpenFlights ``data/`` folder.

>>> table = {"PEK": "110000", "NAY": "110000", "XIY": "610100", "SHA": "310000"}
>>> routes = ["CA,1,PEK,1,XIY,2,,0,738", "MU,2,NAY,3,XIY,2,,0,320",
...           "MU,2,PEK,1,XIY,2,Y,0,738", "CA,1,PEK,1,NAY,3,,0,738", "CA,1,XIY,2,LHR,9,,0,777"]
>>> flows, stats = city_routes(routes, table)
>>> flows
{('110000', '610100'): 2}
>>> stats["outside_table"], stats["codeshare_or_stops"], stats["same_city"]
(1, 1, 1)
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path
from typing import Iterable

AIRPORTS_TABLE = "airports_cn.csv"
AIRPORT_COLUMNS = ("iata", "airport", "openflights_city", "city_adcode", "city_name", "note")
SOURCE_ID = "openflights-2014"
OUTPUT = "air_openflights_2014.csv"
WEIGHT_UNIT = "airline_routes"
YEAR = 2014
PERIOD = "OpenFlights routes.dat snapshot of June 2014"


def read_airport_table(path: Path, g=None) -> dict[str, str]:
    """IATA -> city adcode from the airport table; with ``g``, every adcode must be a City
    node whose name is ``city_name``. Raises ValueError naming file:line."""
    from kg.sources.statistics import decode

    path = Path(path)
    text, error = decode(path.read_bytes(), path.name)
    if error:
        raise ValueError(error)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if tuple(reader.fieldnames or ()) != AIRPORT_COLUMNS:
        raise ValueError(f"{path.name}:1: header must be {','.join(AIRPORT_COLUMNS)}")
    table, errors = {}, []
    for row in reader:
        where = f"{path.name}:{reader.line_num}"
        iata, code = row["iata"].strip(), row["city_adcode"].strip()
        if len(iata) != 3 or not iata.isalpha() or not iata.isupper():
            errors.append(f"{where}: IATA code {iata!r} is not three capital letters")
        elif iata in table:
            errors.append(f"{where}: airport {iata} appears twice")
        if g is not None:
            node = g.nodes.get(code)
            if node is None or "City" not in node["labels"]:
                errors.append(f"{where}: {code} is not a prefecture-level unit")
            elif node["name"] != row["city_name"].strip():
                errors.append(f"{where}: {code} is {node['name']}, not {row['city_name']}")
        table[iata] = code
    if errors:
        raise ValueError("\n".join(errors))
    return table


def city_routes(route_lines: Iterable[str], table: dict[str, str]) -> tuple[dict, Counter]:
    """``{(origin city, destination city): distinct airline routes}`` and skip counts."""
    seen, stats = set(), Counter()
    for fields in csv.reader(route_lines):
        if len(fields) < 8:
            stats["malformed"] += 1
            continue
        airline, src, dst, codeshare, stops = fields[0], fields[2], fields[4], fields[6], fields[7]
        if src not in table or dst not in table:
            stats["outside_table"] += 1
            continue
        if codeshare.strip() or stops.strip() != "0":
            stats["codeshare_or_stops"] += 1
            continue
        if table[src] == table[dst]:
            stats["same_city"] += 1
            continue
        seen.add((airline, src, dst))
        stats["routes"] += 1
    flows = Counter((table[s], table[d]) for _, s, d in seen)
    return dict(sorted(flows.items())), stats


def flow_rows(flows: dict, names: dict[str, str]) -> list[dict]:
    """The city-pair counts as flow-table rows (``kg.sources.flows.COLUMNS``)."""
    return [{"origin": o, "origin_name": names.get(o, ""), "destination": d,
             "destination_name": names.get(d, ""), "mode": "air", "weight": n,
             "weight_unit": WEIGHT_UNIT, "year": YEAR, "period": PERIOD,
             "source_id": SOURCE_ID, "note": ""} for (o, d), n in sorted(flows.items())]


def write_flow_table(rows: list[dict], path: Path) -> Path:
    """Write flow rows in the flow-table format (same bytes for the same rows)."""
    from kg.sources.flows import COLUMNS

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def derive_air(openflights_data: Path, g, data_dir: Path, out: Path | None = None) -> tuple[Path, Counter]:
    """Rebuild ``data/flows/air_openflights_2014.csv`` from OpenFlights' ``data/`` folder."""
    table = read_airport_table(Path(data_dir) / "flows" / AIRPORTS_TABLE, g)
    lines = (Path(openflights_data) / "routes.dat").read_text(encoding="utf-8").splitlines()
    flows, stats = city_routes(lines, table)
    names = {c: g.nodes[c]["name"] for c in set(table.values())}
    path = write_flow_table(flow_rows(flows, names), out or Path(data_dir) / "flows" / OUTPUT)
    stats["city_pairs"] = len(flows)
    return path, stats
