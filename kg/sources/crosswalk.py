"""Historical admin-code crosswalk: data keyed by an old code resolved to today's units.

``data/crosswalk/admin_code_changes.csv`` (derived from yescallop/areacodes, CC0, which
compiles the 民政部 code lists and change notices; see data/README.md) holds every
county-level-or-above record that changed in 2000 or later: code, name, the years it was
in use (``valid_from`` inclusive, ``valid_to`` exclusive; codes are as of 31 December),
``new_codes`` (where its area went; ``code[YEAR]`` when that part moved earlier than
``valid_to``) and ``note`` (where the successor is inferred: areacodes leaves it empty for an abolished
prefecture, so its counties' new codes name it) and ``change_type`` (撤县设区, 撤县设市, 撤市设区, 撤地设市, 拆分, 并入, 更名,
代码变更, 区域调整 = still in use but lost part of its area, 撤销).

``Crosswalk.resolve(code, year)`` follows the changes after ``year`` to the codes in use
today. One code → ``changed`` (or ``unchanged``); several, or a unit that kept its code
but lost area after ``year`` → ``ambiguous``: data about the old unit cannot be given to
one of today's units without an area split, so it is reported, never guessed.

>>> cw = Crosswalk([
...     {"code": "320482", "name": "金坛市", "status": "弃用", "valid_from": "1993",
...      "valid_to": "2015", "new_codes": "320413", "change_type": "撤市设区"},
...     {"code": "130124", "name": "栾城县", "status": "弃用", "valid_from": "1986",
...      "valid_to": "2014", "new_codes": "130108[2001];130111", "change_type": "拆分"}])
>>> r = cw.resolve("320482", 2010)
>>> r.status, r.current, r.steps[0][2]
('changed', ('320413',), '撤市设区')
>>> cw.resolve("130124", 2010).current, cw.resolve("130124", 2000).status
(('130111',), 'ambiguous')

A code retired during the data's year (codes are as of 31 December) stands for the unit
before the change: ``resolve("320482", 2015)`` is 金坛市's data of 2015, now 320413.
``current_unit`` is what every reader of old-coded data calls: one of today's units, or
the reason there is none (a split, an area loss, no successor, a name that disagrees).

>>> current_unit(cw, "320482", 2015, {"320413": "金坛区"}, name="金坛市")[0]
'320413'
>>> current_unit(cw, "130124", 2000, {"130111": "栾城区", "130108": "裕华区"})[2]
"130124 栾城县 (2000) split into 130108, 130111 after 2000: not attributable to one of today's units"
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.paths import DATA

PATH = DATA / "crosswalk" / "admin_code_changes.csv"
COLUMNS = ("code", "name", "level", "province", "parent", "status", "valid_from", "valid_to",
           "new_codes", "change_type")
TARGET = re.compile(r"^(\d{6})(?:\[(\d{4})\])?$")


class CrosswalkError(ValueError):
    """A malformed crosswalk file (file, line and problem) or a bad code/year."""


@dataclass(frozen=True)
class Resolution:
    code: str
    year: int
    current: tuple            # today's code(s)
    status: str               # unchanged | changed | ambiguous
    steps: list = field(default_factory=list)  # (old code, name, change type, year, targets)
    note: str = ""

    @property
    def ambiguous(self) -> bool:
        return self.status == "ambiguous"


def _int(text, where):
    try:
        return int(text) if text not in ("", None) else None
    except ValueError:
        raise CrosswalkError(f"{where}: malformed year {text!r}") from None


class Crosswalk:
    """The change records, indexed by code (a code can be reused: records keep their years)."""

    def __init__(self, records: list[dict], where: str = "crosswalk"):
        self.by_code: dict[str, list[dict]] = {}
        for i, r in enumerate(records, start=2):
            at = f"{where}:{i}"
            code = str(r.get("code", ""))
            if not re.fullmatch(r"\d{6}", code):
                raise CrosswalkError(f"{at}: code {code!r} is not 6 digits")
            targets = []
            for t in filter(None, str(r.get("new_codes", "")).split(";")):
                m = TARGET.match(t)
                if not m:
                    raise CrosswalkError(f"{at}: new code {t!r} is not CODE or CODE[YEAR]")
                targets.append((m.group(1), int(m.group(2)) if m.group(2) else None))
            self.by_code.setdefault(code, []).append({
                **r, "start": _int(r.get("valid_from"), at), "end": _int(r.get("valid_to"), at),
                "targets": targets})

    def record(self, code: str, year: int) -> dict | None:
        """The change record of ``code`` in use at the end of ``year`` (None: no change)."""
        for r in self.by_code.get(code, []):
            if (r["start"] is None or r["start"] <= year) and (r["end"] is None or year < r["end"]):
                return r
        return None

    def resolve(self, code: str, year: int) -> Resolution:
        """Today's unit(s) for data about ``code`` as of ``year``."""
        code, year = str(code).strip(), int(year)
        if not re.fullmatch(r"\d{6}", code):
            raise CrosswalkError(f"{code!r} is not a 6-digit admin code")
        steps, notes = [], []
        current = self._follow(code, year, steps, notes, depth=0)
        current = tuple(sorted(set(current)))
        if len(current) > 1 or notes:
            status = "ambiguous"
        else:
            status = "changed" if steps else "unchanged"
        return Resolution(code, year, current, status, steps, "; ".join(notes))

    def _follow(self, code, year, steps, notes, depth) -> list[str]:
        if depth > 20:
            raise CrosswalkError(f"change chain of {code} does not end (a cycle in the crosswalk)")
        r = self.record(code, year)
        if r is None:
            ended = [x["end"] for x in self.by_code.get(code, []) if x["end"] is not None and x["end"] <= year]
            if depth == 0 and ended and max(ended) == max(x["end"] or 10 ** 4 for x in self.by_code[code]):
                if max(ended) == year:   # retired during ``year``: the data predate the change
                    return self._follow(code, year - 1, steps, notes, depth + 1)
                notes.append(f"{code} was not in use in {year} (retired in {max(ended)})")
                return []
            return [code]
        later = [(t, y) for t, y in r["targets"] if y is None or y > year]
        if r["status"] == "变更" and not later:      # renamed, same code: its next record
            steps.append((code, r["name"], r["change_type"], r["end"], (code,)))
            return self._follow(code, r["end"], steps, notes, depth + 1)
        if r["status"] == "在用" or r["end"] is None:
            if later and r["status"] == "在用":
                notes.append(f"{code} {r['name']} kept its code but lost part of its area to "
                             f"{', '.join(t for t, _ in later)} after {year}")
                steps.append((code, r["name"], r["change_type"], min(y or r["end"] or year for _, y in later),
                              tuple(t for t, _ in later)))
            return [code]
        if not later:
            notes.append(f"{code} {r['name']} was abolished in {r['end']} without a successor")
            steps.append((code, r["name"], r["change_type"], r["end"], ()))
            return []
        steps.append((code, r["name"], r["change_type"], r["end"], tuple(t for t, _ in later)))
        out = []
        for t, y in later:
            out += self._follow(t, y or r["end"], steps, notes, depth + 1)
        return out


def describe(r: Resolution) -> str:
    """The change chain of a resolution as one line (for a Statistic's or a row's note).

    >>> describe(Resolution("320482", 2010, ("320413",), "changed",
    ...                     [("320482", "金坛市", "撤市设区", 2015, ("320413",))]))
    '320482 金坛市 → 320413 (撤市设区 2015)'
    """
    return "; ".join(f"{s[0]} {s[1]} → {', '.join(s[4]) or 'none'} ({s[2]} {s[3]})" for s in r.steps)


def _stem(name: str) -> str:
    from kg.sources.census import stem   # the one unit-suffix rule
    return stem(name.replace("巿", "市"))


def current_unit(cw: "Crosswalk", code: str, year: int, known, name: str | None = None):
    """``(today's code, resolution, None)`` when data about ``code`` in ``year`` belong to
    exactly one unit of ``known`` (codes of today's units; a dict code -> name also works),
    else ``(None, resolution, reason)``. ``name``, when given, must agree with the
    crosswalk's name of the code in that year (equal once the unit suffix is cut)."""
    r = cw.resolve(code, year)
    rec = cw.record(code, year) or cw.record(code, year - 1)
    known_as = rec["name"] if rec else (cw.by_code.get(code) or [{}])[-1].get("name") or name or ""
    label = f"{code} {known_as}".strip()
    if name and rec and _stem(rec["name"]) != _stem(name):
        return None, r, f"code {code} was {rec['name']} in {year}, not {name}"
    if len(r.current) > 1:
        return None, r, (f"{label} ({year}) split into {', '.join(r.current)} after {year}: "
                         "not attributable to one of today's units")
    if r.ambiguous:
        return None, r, f"{label} ({year}): {r.note}"
    if not r.current:
        return None, r, f"{label} ({year}) has no successor"
    if r.current[0] not in known:
        return None, r, f"{label} ({year}) became {r.current[0]}, which is not a unit of the graph"
    return r.current[0], r, None


_DEFAULT: list = []


def default_crosswalk() -> "Crosswalk":
    """The crosswalk table of the repository, read once per process."""
    if not _DEFAULT:
        _DEFAULT.append(read_crosswalk())
    return _DEFAULT[0]


def read_crosswalk(path: Path = PATH) -> Crosswalk:
    """The crosswalk table; ``CrosswalkError`` names file and line of a bad row."""
    path = Path(path)
    if not path.exists():
        raise CrosswalkError(f"{path}: no crosswalk table")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise CrosswalkError(f"{path}:1: missing columns {missing}")
        return Crosswalk(list(reader), where=str(path))


def resolve_rows(rows: list[dict], code_column: str, year: int | str,
                 crosswalk: Crosswalk | None = None) -> list[dict]:
    """Each row with ``current_codes``, ``crosswalk_status`` and ``crosswalk_note`` added;
    ``year`` is a year or the name of the row's year column. Nothing is dropped."""
    cw = crosswalk or read_crosswalk()
    out = []
    for row in rows:
        y = row[year] if isinstance(year, str) else year
        r = cw.resolve(str(row[code_column]), int(y))
        out.append({**row, "current_codes": ";".join(r.current), "crosswalk_status": r.status,
                    "crosswalk_note": r.note or " → ".join(f"{s[0]} {s[1]} {s[2]} {s[3]}" for s in r.steps)})
    return out
