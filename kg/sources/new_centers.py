"""How many of the founding article's 52 new urban centres are named, and why the rest are not.

``data/coverage/new_centers_missing.csv`` (columns ``item, place, name, count, reason,
searched, source_id, quote, checked, note``) holds one ``studied`` row (the article's count,
52), one ``named`` row (the centres it names: the ``NewCenter`` places of
``data/nodes/new_centers.csv``), one ``not_named`` row (how many are missing, why, and what
was searched), and ``candidate`` rows: districts the article mentions beside the centres but
does not count among them. ``studied == named + not_named`` must hold, and with a graph the
``named`` count must equal its ``NewCenter`` places.

>>> gap = new_center_gap()
>>> gap["studied"], gap["named"], gap["not_named"]
(52, 14, 38)
>>> summary(gap).startswith("14 of 52 named; 38 not named: ")
True
"""
from __future__ import annotations

import csv
from pathlib import Path

from kg.paths import DATA

MISSING = DATA / "coverage" / "new_centers_missing.csv"
COLUMNS = ("item", "place", "name", "count", "reason", "searched", "source_id", "quote",
           "checked", "note")
ITEMS = ("studied", "named", "not_named", "candidate")


def new_center_gap(path: Path = MISSING, g=None) -> dict:
    """``studied``, ``named``, ``not_named`` counts, the ``reason`` and ``searched`` text of the
    missing ones and the ``candidates`` (adcode, name, reason). With ``g``, ``named`` must be
    the number of its ``NewCenter`` places and every candidate a place of that name that is not
    one. Raises ValueError naming file:line and the problem."""
    path = Path(path)
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path.name}:1: header must be {','.join(COLUMNS)}")
        rows = list(reader)
    errors, counts, out = [], {}, {"candidates": []}
    for line, r in enumerate(rows, start=2):
        where = f"{path.name}:{line}"
        if r["item"] not in ITEMS:
            errors.append(f"{where}: item {r['item']!r} is not one of {', '.join(ITEMS)}")
            continue
        if not r["count"].isdigit():
            errors.append(f"{where}: count {r['count']!r} is not a whole number")
            continue
        if r["checked"] not in ("true", "false"):
            errors.append(f"{where}: checked must be true or false")
        if r["item"] == "candidate":
            out["candidates"].append((r["place"], r["name"], r["reason"]))
            if g is not None:
                node = g.nodes.get(r["place"])
                if node is None or node.get("name") != r["name"]:
                    errors.append(f"{where}: {r['place']} is not {r['name']} in the graph")
                elif "NewCenter" in node["labels"]:
                    errors.append(f"{where}: candidate {r['name']} is a NewCenter already")
        elif r["item"] in counts:
            errors.append(f"{where}: a second {r['item']!r} row")
        else:
            counts[r["item"]] = int(r["count"])
            if r["item"] == "not_named":
                out["reason"], out["searched"] = r["reason"], r["searched"]
    missing = [i for i in ITEMS[:3] if i not in counts]
    if missing:
        errors.append(f"{path.name}: no {', '.join(missing)} row")
    elif counts["studied"] != counts["named"] + counts["not_named"]:
        errors.append(f"{path.name}: studied {counts['studied']} != named {counts['named']}"
                      f" + not_named {counts['not_named']}")
    if g is not None and "named" in counts:
        centres = sum(1 for _, d in g.nodes(data=True) if "NewCenter" in d.get("labels", ()))
        if centres != counts["named"]:
            errors.append(f"{path.name}: named {counts['named']} but the graph has {centres}"
                          " NewCenter places (update the named/not_named rows)")
    if errors:
        raise ValueError("\n".join(errors))
    return {**counts, **out}


def summary(gap: dict) -> str:
    """One line for the coverage printout: ``N of 52 named; M not named: <reason>``."""
    return (f"{gap['named']} of {gap['studied']} named; {gap['not_named']} not named: "
            f"{gap['reason']}")
