"""Derive data/crosswalk/admin_code_changes.csv from yescallop/areacodes ``result.csv`` (CC0).

    python tools/crosswalk/derive.py path/to/result.csv data/crosswalk/admin_code_changes.csv

Keeps every record whose code changed, was retired or lost area in 2000 or later, with the
codes its area went to, and classifies the change (撤县设区, 撤县设市, 撤市设区, 撤地设市,
拆分, 并入, 更名, 代码变更, 区域调整). Run by hand when the source is refreshed; never at run time.
"""
from __future__ import annotations

import csv
import re
import sys

SINCE = 2000
TARGET = re.compile(r"^(\d{6})(?:\[(\d{4})\])?$")


def _suffix(name: str) -> str:
    for s in ("自治县", "自治旗", "地区", "自治州", "盟", "县", "旗", "区", "市", "州", "特区", "林区"):
        if name.endswith(s):
            return s
    return ""


def _name_at(rows_by_code, code, year):
    for r in rows_by_code.get(code, []):
        if int(r["启用时间"]) <= year and (not r["变更/弃用时间"] or year < int(r["变更/弃用时间"])):
            return r["名称"]
    rows = rows_by_code.get(code)
    return rows[-1]["名称"] if rows else ""


def classify(r, rows_by_code) -> str:
    targets = [TARGET.match(t).group(1) for t in r["新代码"].split(";") if t]
    if r["状态"] == "在用":
        return "区域调整"          # still in use; part of its area went elsewhere
    if r["状态"] == "变更":
        return "更名"
    if len(targets) > 1:
        return "拆分"
    end = int(r["变更/弃用时间"])
    new_name = _name_at(rows_by_code, targets[0], end) if targets else ""
    old, new = _suffix(r["名称"]), _suffix(new_name)
    existed = any(int(x["启用时间"]) < end for x in rows_by_code.get(targets[0], [])) if targets else False
    if old in ("地区", "盟") and new == "市":
        return "撤地设市"
    if old in ("县", "自治县", "旗") and new == "区":
        return "撤县设区"
    if old in ("县", "自治县", "旗") and new == "市":
        return "撤县设市"
    if old == "市" and new == "区" and r["级别"] == "县级":
        return "撤市设区"
    if existed:
        return "并入"
    if new_name == r["名称"]:
        return "代码变更"
    return "更名" if new_name else "撤销"


def infer_prefecture(r, rows) -> str:
    """areacodes leaves the successor of an abolished prefecture empty (毕节地区 → 毕节市):
    take the prefecture(s) its counties' new codes lie in."""
    end = int(r["变更/弃用时间"])
    prefixes = set()
    for c in rows:
        if c["代码"][:4] == r["代码"][:4] and c["代码"] != r["代码"] and c["级别"] == "县级" \
                and c["变更/弃用时间"] == str(end) and c["新代码"]:
            prefixes |= {TARGET.match(t).group(1)[:4] + "00" for t in c["新代码"].split(";") if t}
    return ";".join(sorted(prefixes - {r["代码"]}))


def main(src: str, dst: str) -> None:
    with open(src, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_code: dict[str, list] = {}
    for r in rows:
        by_code.setdefault(r["代码"], []).append(r)
    out = []
    for r in rows:
        note = ""
        if r["状态"] == "弃用" and not r["新代码"] and r["级别"] == "地级" and r["变更/弃用时间"]:
            r = {**r, "新代码": infer_prefecture(r, rows)}
            note = "successor inferred from the new codes of its counties" if r["新代码"] else ""
        end = int(r["变更/弃用时间"]) if r["变更/弃用时间"] else None
        years = [int(m.group(2)) for t in r["新代码"].split(";") if t and (m := TARGET.match(t)) and m.group(2)]
        recent = (end is not None and end >= SINCE) or any(y >= SINCE for y in years)
        if not recent or (r["状态"] == "在用" and not r["新代码"]):
            continue
        out.append({"code": r["代码"], "name": r["名称"], "level": r["级别"], "province": r["一级行政区"],
                    "parent": r["二级行政区"], "status": r["状态"], "valid_from": r["启用时间"],
                    "valid_to": r["变更/弃用时间"], "new_codes": r["新代码"],
                    "change_type": classify(r, by_code), "note": note})
    with open(dst, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(out[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(out)
    print(f"{dst}: {len(out)} records")


if __name__ == "__main__":
    main(*sys.argv[1:3])
