"""Places and industries as firm files need them: firm locations (cities and counties) with
the city each belongs to, and the curated industry taxonomy, read without a build.

>>> places = default_places()
>>> places.city["320413"], places.city["429004"]      # 金坛区 -> 常州市; 仙桃市 is its own city
('320400', '429004')
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kg.model import schema


def old_code(cw, code: str, year: int, places: "Places"):
    """How the firm reader reads ``code`` given for ``year`` (a code of the crosswalk
    ``cw``): ``None`` = as it is (today's unit); ``(target, why)`` = the one unit of today
    it became (``why`` the change chain), or ``(None, why)`` when it became none or several
    (rejected with ``why``; a code in use today for another unit is then not read as that)."""
    from kg.sources.crosswalk import current_unit, describe

    record = cw.record(code, year)
    if code in places.city and not (record and record["status"] == "弃用"):
        return None
    target, res, why = current_unit(cw, code, year, places.city)
    return (None, why) if target is None else (target, describe(res))



# --- places ------------------------------------------------------------------------------

@dataclass
class Places:
    """What firm files need to know about places: which codes are firm locations (cities
    and counties), the city each belongs to, and names and points for the network.

    ``city`` maps a county to its prefecture-level city; a city, municipality or SAR to
    itself; and a county that no city holds (省直辖县级市 such as 仙桃市) to itself, since
    it is governed like a city. ``cities`` lists the city codes; the arrays ``city_index``
    (code -> position in ``cities``, -1 if not a location) and ``code_text`` (code ->
    "320100") let whole columns of codes be looked up at once.
    """
    city: dict[str, str]
    name: dict[str, str]
    level: dict[str, str]
    lon: dict[str, float] = field(default_factory=dict)
    lat: dict[str, float] = field(default_factory=dict)
    province: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        self.cities = np.array(sorted(set(self.city.values())), dtype=object)
        position = {c: i for i, c in enumerate(self.cities)}
        self.city_index = np.full(1_000_000, -1, dtype=np.int32)
        self.code_text = np.full(1_000_000, None, dtype=object)
        for code, city in self.city.items():
            self.city_index[int(code)] = position[city]
            self.code_text[int(code)] = code

    @classmethod
    def from_units(cls, units=None) -> "Places":
        """From the administrative code table (fast; no graph build needed)."""
        from kg.sources.admin import read_units

        units = units if units is not None else read_units()
        nodes = {u.adcode: {"labels": u.labels, "name": u.name, "lon": u.lon, "lat": u.lat,
                            "parent": u.parent} for u in units}
        # units without coordinates in the code table take their parent's point
        for d in nodes.values():
            parent = nodes.get(d["parent"]) if d["parent"] else None
            if d["lon"] is None and parent and parent["lon"] is not None:
                d["lon"], d["lat"] = parent["lon"], parent["lat"]
        return cls._build(nodes)

    @classmethod
    def from_graph(cls, g) -> "Places":
        """From a built graph (same codes; coordinates as the build filled them)."""
        nodes = {}
        for key, d in g.nodes(data=True):
            if schema.is_place(d):
                parents = [v for _, v, t in g.out_edges(key, data="type") if t == schema.BELONGS_TO]
                nodes[key] = {"labels": d["labels"], "name": d.get("name"), "lon": d.get("lon"),
                              "lat": d.get("lat"), "parent": parents[0] if parents else None}
        return cls._build(nodes)

    @classmethod
    def _build(cls, nodes: dict) -> "Places":
        city, level, name, lon, lat, province = {}, {}, {}, {}, {}, {}
        for code, d in nodes.items():
            lev = schema.level(d)
            name[code], level[code] = d["name"], lev
            if d["lon"] is not None:
                lon[code], lat[code] = d["lon"], d["lat"]
            top = code
            while nodes[top]["parent"]:
                top = nodes[top]["parent"]
            province[code] = top
            if lev == schema.CITY:
                city[code] = code
            elif lev == schema.COUNTY:
                parent = d["parent"]
                city[code] = parent if parent and schema.is_city(nodes[parent]) else code
        return cls(city, name, level, lon, lat, province)

    def lookup(self, codes: np.ndarray) -> np.ndarray:
        """City positions of a float array of codes; -1 where it is not a firm location."""
        with np.errstate(invalid="ignore"):
            ints = np.nan_to_num(codes, nan=-1.0).astype(np.int64)
        ok = (ints >= 0) & (ints < len(self.city_index)) & (ints == codes)
        return np.where(ok, self.city_index[np.where(ok, ints, 0)], -1)


_PLACES: Places | None = None


def default_places() -> Places:
    """Places from the code table, made once per process."""
    global _PLACES
    if _PLACES is None:
        _PLACES = Places.from_units()
    return _PLACES


# --- industries --------------------------------------------------------------------------

def taxonomy(data_dir=None) -> dict[str, dict]:
    """The Industry nodes of the curated taxonomy (``data/nodes/*.csv``): id -> row.

    Read straight from the files, so that firm files can be checked without a build.
    """
    from kg.paths import DATA

    found = {}
    for path in sorted((Path(data_dir or DATA) / "nodes").glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if schema.INDUSTRY in (row.get("labels") or "").split(";") and row.get("id"):
                    found[row["id"]] = row
    return found


def industry_lookup(data_dir=None) -> dict[str, str]:
    """id, name, English name and aliases of every taxonomy industry -> its id."""
    lookup = {}
    for key, row in taxonomy(data_dir).items():
        aliases = (row.get("aliases") or "").split(";")
        for form in (key, row.get("name"), row.get("name_en"), *aliases):
            if form and form.strip():
                lookup.setdefault(form.strip(), key)
    return lookup
