"""Published rankings of Chinese cities (``data/rankings/*.csv``), read and checked.

``data/rankings/gawc_2020.csv``: GaWC's *The World According to GaWC 2020* classes of
mainland cities, as reported by the press (each row cites its text and quote; see
``data/README.md``). Columns: ``adcode, city, gawc_class, tier, mainland_top10,
source_id, source_title, year, quote, checked, note``; ``tier`` is the ordinal the
comparison uses (1 = Alpha+ ... 7 = Gamma+; cities of one class share a tier).

>>> t = read_ranking()
>>> t.loc["310000", "city"], t.loc["310000", "gawc_class"], int(t.loc["310000", "tier"])
('上海市', 'Alpha+', 1)
>>> sorted(t.index[t["mainland_top10"]])[:3]
['110000', '120000', '310000']
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from kg.paths import DATA

GAWC_2020 = DATA / "rankings" / "gawc_2020.csv"
COLUMNS = ("adcode", "city", "gawc_class", "tier", "mainland_top10", "source_id", "source_title",
           "year", "quote", "checked", "note")


def read_ranking(path: Path = GAWC_2020, g=None) -> pd.DataFrame:
    """The ranking table indexed by adcode; with ``g``, every adcode must be a City named
    ``city``. Raises ValueError naming file:line."""
    path = Path(path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    if tuple(df.columns) != COLUMNS:
        raise ValueError(f"{path.name}:1: header must be {','.join(COLUMNS)}")
    errors = []
    for i, r in df.iterrows():
        where = f"{path.name}:{i + 2}"
        if not r["tier"].isdigit():
            errors.append(f"{where}: tier {r['tier']!r} is not a positive integer")
        if g is not None and (r["adcode"] not in g or g.nodes[r["adcode"]].get("name") != r["city"]):
            errors.append(f"{where}: {r['adcode']} is not {r['city']} in the graph")
    if df["adcode"].duplicated().any():
        errors.append(f"{path.name}: adcode(s) listed twice: {sorted(set(df.adcode[df.adcode.duplicated()]))}")
    if errors:
        raise ValueError("\n".join(errors))
    df["tier"] = df["tier"].astype(int)
    for col in ("mainland_top10", "checked"):
        df[col] = df[col].eq("true")
    return df.set_index("adcode")
