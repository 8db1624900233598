"""Synthetic firm-linkage files for benchmarks and tests. NEVER part of a build.

Nothing in ``kg.build`` imports this module, and every firm it makes is marked:
``firm_id`` starts with ``SYN`` and ``firm_name`` with ``合成``, so synthetic rows can be
spotted (and deleted: ``MATCH (o:Organization) WHERE o.firm_id STARTS WITH 'SYN'``).

The rows look like a firm registry extract (same schema as ``kg.sources.firms``):

* **Where firms are.** Mainland units only (a mainland firm registry has no rows in
  Taiwan, Hong Kong or Macao). Each city gets a mass: 8 for a municipality, 4 for
  a provincial capital (the city nearest its province's seat in the code table), 1
  otherwise, times the square root of the summed weight of its units (3 a district 区, 1.5 a county-level
  city, 1 a county or banner). An HQ city is drawn ∝ mass^1.5 (HQs concentrate more
  than people do), then a unit inside it ∝ its weight.
* **Where branches go.** Gravity: city *j* is drawn for a firm in city *i* ∝
  mass_j / (distance_ij + 50 km), then a unit inside *j* ∝ its weight. The number of
  branches per firm is heavy-tailed (Zipf, exponent 2.1, at most 300); a firm lists
  each unit once.
* **What they do and when.** Industry names from the curated taxonomy (``data/nodes``;
  the 20 sections of GB/T 4754-2017 when there is none) with Zipf popularity; years
  1990-2024, more recent more often; capital log-normal around 500 万元, unknown for
  one row in five.

* **Dirt, on request.** ``dirty=0.01`` spoils 1% of the rows the ways real files are
  spoilt (see ``generate_firms``), so that benchmarks and tests run the reject paths.

The same arguments give the same file, byte for byte.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "f.csv"
>>> generate_firms(out, rows=50, seed=7)["rows"]
50
>>> a = out.read_bytes(); _ = generate_firms(out, rows=50, seed=7); a == out.read_bytes()
True
>>> out.read_text("utf-8").splitlines()[0]
'firm_id,firm_name,industry,hq_adcode,branch_adcode,year,capital'
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kg.model import schema
from kg.sources.firms import COLUMNS, Places, taxonomy

# The 20 sections (门类) of 国民经济行业分类 GB/T 4754-2017, used when data/ has no taxonomy.
GBT4754_SECTIONS = (
    "农、林、牧、渔业", "采矿业", "制造业", "电力、热力、燃气及水生产和供应业", "建筑业",
    "批发和零售业", "交通运输、仓储和邮政业", "住宿和餐饮业", "信息传输、软件和信息技术服务业",
    "金融业", "房地产业", "租赁和商务服务业", "科学研究和技术服务业", "水利、环境和公共设施管理业",
    "居民服务、修理和其他服务业", "教育", "卫生和社会工作", "文化、体育和娱乐业",
    "公共管理、社会保障和社会组织", "国际组织",
)
MUNICIPALITY_MASS, CAPITAL_MASS, OTHER_MASS = 8.0, 4.0, 1.0
HQ_EXPONENT = 1.5
DISTANCE_OFFSET_KM = 50.0
BRANCH_ZIPF, MAX_BRANCHES = 2.1, 300
YEARS = (1990, 2024)
FIRMS_PER_BATCH = 20_000


@dataclass
class Geography:
    """Units where firms can be, grouped by city, with masses and city distances."""
    units: np.ndarray          # adcodes of the units (counties, and cities with no counties)
    unit_city: np.ndarray      # index of each unit's city
    unit_weight: np.ndarray
    city_mass: np.ndarray
    distance_km: np.ndarray    # city x city

    @classmethod
    def from_places(cls, places: Places) -> "Geography":
        mainland = {c for c in places.level if schema.is_mainland(c)}
        counties = sorted(c for c in mainland if places.level[c] == schema.COUNTY)
        held = {places.city[c] for c in counties}
        lone_cities = sorted(c for c in mainland if places.level[c] == schema.CITY and c not in held)
        units = counties + lone_cities
        cities = sorted({places.city[u] for u in units})
        index = {c: i for i, c in enumerate(cities)}
        unit_city = np.array([index[places.city[u]] for u in units])
        unit_weight = np.array([_unit_weight(places.name[u], places.level[u]) for u in units])
        rank = np.array([_city_rank(c, places) for c in cities])
        city_mass = rank * np.sqrt(np.bincount(unit_city, weights=unit_weight, minlength=len(cities)))
        lon = np.array([_coord(places.lon, c, units, unit_city, index) for c in cities])
        lat = np.array([_coord(places.lat, c, units, unit_city, index) for c in cities])
        return cls(np.array(units), unit_city, unit_weight, city_mass, _haversine(lon, lat))


def _unit_weight(name: str, level: str) -> float:
    if level == schema.CITY or name.endswith("区"):
        return 3.0
    return 1.5 if name.endswith("市") else 1.0


def _city_rank(code: str, places: Places) -> float:
    if places.level.get(code) == schema.CITY and code.endswith("0000"):
        return MUNICIPALITY_MASS  # municipalities (and the SARs) are their own province
    province = places.province[code]
    if code in places.lon and province in places.lon:
        rivals = [c for c, lev in places.level.items() if lev == schema.CITY
                  and places.province[c] == province and c in places.lon]
        seat = min(rivals, key=lambda c: (places.lon[c] - places.lon[province]) ** 2
                   + (places.lat[c] - places.lat[province]) ** 2)
        if seat == code:
            return CAPITAL_MASS
    return OTHER_MASS


def _coord(table: dict, city: str, units, unit_city, index) -> float:
    if city in table:
        return table[city]
    inside = [table[u] for u, c in zip(units, unit_city) if c == index[city] and u in table]
    return float(np.mean(inside)) if inside else 0.0


def _haversine(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lon, lat = np.radians(lon), np.radians(lat)
    dlon = lon[:, None] - lon[None, :]
    dlat = lat[:, None] - lat[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _row_sampler(weights: np.ndarray):
    """Draw one column per row of ``weights`` for many rows at once.

    Each row's cumulative distribution is shifted by its row number and the rows laid
    end to end, so one ``searchsorted`` serves every row.
    """
    cdf = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    cdf[:, -1] = 1.0
    n_rows, n_cols = cdf.shape
    flat = (cdf + np.arange(n_rows)[:, None]).ravel()

    def draw(rows: np.ndarray, rng) -> np.ndarray:
        hit = np.searchsorted(flat, rows + rng.random(len(rows)), side="right")
        return np.minimum(hit - rows * n_cols, n_cols - 1)
    return draw


def _unit_sampler(geo: Geography):
    """Draw a unit inside each given city, ∝ unit weight."""
    order = np.argsort(geo.unit_city, kind="stable")
    city_sorted = geo.unit_city[order]
    starts = np.searchsorted(city_sorted, np.arange(len(geo.city_mass)))
    w = geo.unit_weight[order]
    cum = np.cumsum(w)
    before = np.concatenate([[0.0], cum])[starts]
    total = np.bincount(geo.unit_city, weights=geo.unit_weight)

    def draw(cities: np.ndarray, rng) -> np.ndarray:
        target = before[cities] + rng.random(len(cities)) * total[cities]
        pos = np.searchsorted(cum, target, side="right")
        pos = np.clip(pos, starts[cities], starts[cities] + np.bincount(
            geo.unit_city, minlength=len(total))[cities] - 1)
        return order[pos]
    return draw


def industries(data_dir=None) -> list[str]:
    """Industry names from the curated taxonomy, else the GB/T 4754 section names."""
    found = sorted(row["name"] for row in taxonomy(data_dir).values() if row.get("name"))
    return found or list(GBT4754_SECTIONS)


def generate_firms(path, rows: int, seed: int = 0, places: Places | None = None,
                   industry_names: list[str] | None = None, dirty: float = 0.0) -> dict:
    """Write ``rows`` synthetic firm-branch rows to ``path``.

    ``dirty`` is the share of rows spoiled the ways real files are (an unknown adcode,
    an empty firm_name, a malformed year, a repeated row, a firm id reused with another
    name), each of which the reader must reject. Returns ``{"rows": written, kind: how
    many rows of that kind were spoiled}``. Streams batches of firms to the file, so
    memory does not grow with ``rows``.
    """
    rng = np.random.default_rng(seed)
    geo = Geography.from_places(places or Places.from_units())
    kinds = industry_names or industries()
    kind_p = 1.0 / np.arange(1, len(kinds) + 1) ** 0.8
    kind_p = rng.permutation(kind_p / kind_p.sum())
    hq_p = geo.city_mass ** HQ_EXPONENT
    hq_p /= hq_p.sum()
    branch_city = _row_sampler(geo.city_mass[None, :] / (geo.distance_km + DISTANCE_OFFSET_KM))
    unit_in = _unit_sampler(geo)
    year_p = np.linspace(1.0, 4.0, YEARS[1] - YEARS[0] + 1)
    year_p /= year_p.sum()

    report = {"rows": 0, **{k: 0 for k in DIRT_KINDS}}
    firm_no = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        fh.write(",".join(COLUMNS) + "\n")
        while report["rows"] < rows:
            n = FIRMS_PER_BATCH
            hq_city = rng.choice(len(hq_p), size=n, p=hq_p)
            hq_unit = unit_in(hq_city, rng)
            kind = rng.choice(len(kinds), size=n, p=kind_p)
            founded = YEARS[0] + rng.choice(len(year_p), size=n, p=year_p)
            branches = np.minimum(rng.zipf(BRANCH_ZIPF, size=n), MAX_BRANCHES)
            firm = np.repeat(np.arange(n), branches)
            b_city = branch_city(hq_city[firm], rng)
            b_unit = unit_in(b_city, rng)
            # a firm lists each unit once
            _, first = np.unique(firm.astype(np.int64) * len(geo.units) + b_unit, return_index=True)
            first.sort()
            firm, b_unit = firm[first], b_unit[first]
            year = np.minimum(founded[firm] + rng.geometric(0.25, size=len(firm)) - 1, YEARS[1])
            capital = np.round(rng.lognormal(np.log(500.0), 1.5, size=len(firm)), 2)
            known = rng.random(len(firm)) >= 0.2
            number = pd.Series(firm_no + firm).astype(str)
            batch = pd.DataFrame({
                "firm_id": f"SYN{seed:04d}" + number.str.zfill(10),
                "firm_name": "合成企业" + number + "号有限公司",
                "industry": np.asarray(kinds, dtype=object)[kind[firm]],
                "hq_adcode": geo.units[hq_unit[firm]],
                "branch_adcode": geo.units[b_unit],
                "year": year.astype(str),
                "capital": np.where(known, np.char.mod("%.2f", capital), ""),
                "dirt": "",
            })
            if dirty:
                batch = _spoil(batch, dirty, rng)
            batch = batch.iloc[: rows - report["rows"]]
            batch[list(COLUMNS)].to_csv(fh, header=False, index=False, lineterminator="\n")
            report["rows"] += len(batch)
            for k, c in batch["dirt"].value_counts().items():
                if k:
                    report[k] += int(c)
            firm_no += n
    return report


DIRT_KINDS = ("unknown adcode", "missing field", "bad year", "duplicate", "conflicting firm_id")


def _spoil(batch: pd.DataFrame, share: float, rng) -> pd.DataFrame:
    """Spoil a share of the rows; the spoilt rows are marked in column ``dirt``."""
    picked = rng.choice(len(batch), size=rng.binomial(len(batch), share), replace=False)
    picked.sort()
    how = np.asarray(DIRT_KINDS, dtype=object)[np.arange(len(picked)) % len(DIRT_KINDS)]
    batch = batch.copy()
    for kind, column, value in (("unknown adcode", "branch_adcode", "999999"),
                                ("missing field", "firm_name", ""),
                                ("bad year", "year", "20x1")):
        rows = picked[how == kind]
        batch.iloc[rows, batch.columns.get_loc(column)] = value
        batch.iloc[rows, batch.columns.get_loc("dirt")] = kind
    # repeated rows and reused firm ids are extra rows placed right after their model
    copies = []
    for kind in ("duplicate", "conflicting firm_id"):
        copy = batch.iloc[picked[how == kind]].copy()
        copy["dirt"] = kind
        if kind == "conflicting firm_id":
            copy["firm_name"] = copy["firm_name"] + "（另一家）"
        copies.append(copy)
    order = np.concatenate([np.arange(len(batch), dtype=float)]
                           + [picked[how == k] + 0.5 for k in ("duplicate", "conflicting firm_id")])
    both = pd.concat([batch, *copies], ignore_index=True)
    return both.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)


# --- origin–destination files ------------------------------------------------------------
OD_TOP = 100                 # a Baidu-Qianxi-style list: each origin's top destinations a day
OD_START = np.datetime64("2020-01-01")
OD_DIRT_KINDS = ("unknown place", "bad value", "negative value", "same place", "duplicate",
                 "cells")


def generate_od(path, rows: int, seed: int = 0, places: Places | None = None,
                dirty: float = 0.0, names: float = 0.05) -> dict:
    """Write ``rows`` synthetic OD rows (long layout: ``origin,destination,date,value``).

    Day after day from 2020-01-01, every mainland city lists its ``OD_TOP`` destinations
    by gravity (mass / (distance + 50 km), noisy) with their shares (%, 4 decimals). A
    share ``names`` of the place cells give the city's name instead of its adcode (all
    370 resolve to one unit). ``dirty`` spoils that share of rows the ways ``read_od``
    rejects (``OD_DIRT_KINDS``); returns ``{"rows": written, kind: spoilt}``. Streams one
    day at a time; the same arguments give the same file.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "od.csv"
    >>> generate_od(out, rows=30, seed=2)["rows"], out.read_text("utf-8").splitlines()[0]
    (30, 'origin,destination,date,value')
    """
    rng = np.random.default_rng(seed)
    places = places or Places.from_units()
    geo = Geography.from_places(places)
    cities = np.array(sorted({places.city[u] for u in geo.units}), dtype=object)
    label = np.array([places.name[c] for c in cities], dtype=object)
    pull = geo.city_mass[None, :] / (geo.distance_km + DISTANCE_OFFSET_KM)
    np.fill_diagonal(pull, 0.0)
    n, top = len(cities), min(OD_TOP, len(cities) - 1)
    report = {"rows": 0, **{k: 0 for k in OD_DIRT_KINDS}}
    day = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        fh.write("origin,destination,date,value\n")
        while report["rows"] < rows:
            noisy = pull * rng.lognormal(0.0, 0.5, size=pull.shape)
            np.fill_diagonal(noisy, 0.0)
            dest = np.argsort(-noisy, axis=1)[:, :top]
            share = np.take_along_axis(noisy, dest, axis=1)
            share = 100 * share / share.sum(axis=1, keepdims=True)
            o = np.repeat(np.arange(n), top)
            d = dest.ravel()
            cell = lambda idx: np.where(rng.random(len(idx)) < names, label[idx], cities[idx])
            batch = pd.DataFrame({"origin": cell(o), "destination": cell(d),
                                  "date": str(OD_START + day),
                                  "value": np.char.mod("%.4f", share.ravel()), "dirt": ""})
            if dirty:
                batch = _spoil_od(batch, dirty, rng, cities)
            batch = batch.iloc[: rows - report["rows"]]
            text = batch[["origin", "destination", "date", "value"]].to_csv(
                header=False, index=False, lineterminator="\n")
            if dirty:   # a row with a cell too few: cut after its date
                lines = text.split("\n")
                for i in np.flatnonzero(batch["dirt"].to_numpy() == "cells"):
                    lines[i] = lines[i].rsplit(",", 1)[0]
                text = "\n".join(lines)
            fh.write(text)
            report["rows"] += len(batch)
            for k, c in batch["dirt"].value_counts().items():
                if k:
                    report[k] += int(c)
            day += 1
    return report


def _spoil_od(batch: pd.DataFrame, share: float, rng, cities) -> pd.DataFrame:
    picked = np.sort(rng.choice(len(batch), size=rng.binomial(len(batch), share), replace=False))
    how = np.asarray(OD_DIRT_KINDS, dtype=object)[np.arange(len(picked)) % len(OD_DIRT_KINDS)]
    batch = batch.copy()
    for kind, column, value in (("unknown place", "destination", "不存在市"),
                                ("bad value", "value", "n/a"), ("negative value", "value", "-1.5")):
        rows = picked[how == kind]
        batch.iloc[rows, batch.columns.get_loc(column)] = value
    same = picked[how == "same place"]
    batch.iloc[same, batch.columns.get_loc("destination")] = batch["origin"].to_numpy()[same]
    for kind in ("unknown place", "bad value", "negative value", "same place", "cells"):
        batch.iloc[picked[how == kind], batch.columns.get_loc("dirt")] = kind
    copy = batch.iloc[picked[how == "duplicate"]].copy()
    copy["dirt"] = "duplicate"
    order = np.concatenate([np.arange(len(batch), dtype=float), picked[how == "duplicate"] + 0.5])
    both = pd.concat([batch, copy], ignore_index=True)
    return both.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)
