"""Numbers about places: GDP, growth, population, R&D, industry output, with year and unit.

An indicator keyword (地区生产总值, 常住人口, 研发经费投入强度, <industry>产值 ...) is
followed within a few characters by a value (``5901.27亿元``, ``突破两千亿元``,
``17.33%``, ``211万``). The value's year is the nearest ``YYYY年`` before it in the
sentence, or ``(YYYY年)`` right after it, or the last year the paragraph named.
The place is the sentence's subject, found as for the relation patterns.

Money is normalised to 亿元 and people to 万人; ``qualifier`` keeps ``>`` for
突破/超过 (a lower bound). Upper bounds (不足5亿元) are not values and are skipped,
and so is a value whose unit does not fit its indicator (增加值为5.0% is a
misprint, not an amount).

>>> cn_number("两千"), cn_number("1.3"), cn_number("三万")
(2000.0, 1.3, 30000.0)
>>> normalise("1.3", "万亿", "元")
(13000.0, '亿元')
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.extract.patterns import IL, NUM_BIG
from kg.extract.template import TOKEN, Context, Sent, subject_before

_YEAR = re.compile(r"((?:19|20)\d{2})年")
_RANGE_OR_TITLE = re.compile(r"《[^》]*》|[(（][^()（）]*[-—–~至][^()（）]*[)）]")
VALUE = re.compile(
    r"(?P<q>达到|达|为|实现|突破|超过|超|逾|约|近|增至|提升至|不足|不到|低于|已突破|已达)?"
    r"(?P<num>\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)(?P<mag>万亿|亿|万)?(?P<unit>元|人次|人|%|％)?")
VALUE_AFTER = re.compile(r"[^,，。;；\d⟦]{0,8}?" + VALUE.pattern)
_LOWER = {"突破", "超过", "超", "逾", "已突破"}
_UPPER = {"不足", "不到", "低于"}

MONEY, PERCENT, PEOPLE = "亿元", "%", "万人"
# (indicator, keyword regex over the template, unit kind); longer keywords first.
INDICATORS = [
    ("rd_intensity", r"研发(?:经费)?投入强度", PERCENT),
    ("rd_expenditure", r"(?:全社会)?研发经费(?:投入)?", MONEY),
    ("gdp_growth", r"(?:GDP|地区生产总值|经济)(?:增速|增长率)", PERCENT),
    ("gdp", r"(?:地区生产总值|生产总值|GDP)(?:总量)?", MONEY),
    ("population", r"常住人口", PEOPLE),
    ("tertiary_output", r"第三产业(?:产值|增加值)", MONEY),
    ("secondary_output", r"第二产业(?:产值|增加值)", MONEY),
    ("per_capita_disposable_income", r"人均可支配收入", "元"),
    ("fiscal_revenue", r"一般(?:公共)?预算收入", MONEY),
    ("retail_sales", r"社会消费品零售总额", MONEY),
    ("industry", rf"(?P<inds>{IL}|相关产业)(?:等)?{NUM_BIG}?(?:先导|主导|核心|支柱)?(?:产业|集群|产业集群)?"
                 rf"(?:总)?(?P<what>产值|规模|增加值|营收)", MONEY),
    ("share", r"占(?:GDP|地区生产总值)比重|占全区规上工业产值的|(?:总)?产值占比(?:达到|为)?", PERCENT),
    ("growth", r"同比增长|比上年增长|同比增速为?", PERCENT),
]
_COMPILED = [(name, re.compile(rx), kind) for name, rx, kind in INDICATORS]
_CN = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10000}


def cn_number(text: str) -> float:
    """A number written in digits or in Chinese numerals (两千 -> 2000)."""
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    total, section, digit = 0, 0, 0
    for ch in text:
        if ch in _CN:
            digit = _CN[ch]
        elif ch == "万":
            total += (section + digit) * 10000
            section, digit = 0, 0
        elif ch in _CN_UNIT:
            section += (digit or 1) * _CN_UNIT[ch]
            digit = 0
    return float(total + section + digit)


def normalise(num: str, mag: str | None, unit: str | None) -> tuple[float, str]:
    """(value, unit) with money in 亿元, people in 万人, shares in %."""
    value = cn_number(num)
    if unit in ("%", "％"):
        return value, PERCENT
    if unit == "元" or (unit is None and mag in ("亿", "万亿")):
        factor = {"万亿": 10000, "亿": 1, "万": 0.0001, None: 1e-8}[mag]
        return round(value * factor, 6), MONEY
    if unit in ("人", None) and mag == "万":
        return value, PEOPLE
    if unit == "人":
        return round(value / 10000, 6), PEOPLE
    return value, unit or ""


@dataclass
class Stat:
    head: object          # Entity (a place)
    indicator: str
    value: float
    unit: str
    year: int | None
    year_from: str
    qualifier: str
    raw: str              # the value as written
    industries: list
    confidence: float
    from_offset: int | None


def sentence_years(sent: Sent) -> list[tuple[int, int]]:
    """(template position, year) of every year in the sentence outside titles and ranges."""
    masked = _RANGE_OR_TITLE.sub(lambda m: "#" * len(m.group()), sent.template)
    return [(m.start(), int(m.group(1))) for m in _YEAR.finditer(masked)]


def find_stats(sent: Sent, ctx: Context, para_year: int | None) -> list[Stat]:
    """Every indicator value stated in ``sent``."""
    found = []   # (start, -length, name, match, kind): keywords, longest first where they overlap
    for name, regex, kind in _COMPILED:
        for m in regex.finditer(sent.template):
            found.append((m.start(), -(m.end() - m.start()), name, m, kind))
    out, taken, last = [], [], None
    years = sentence_years(sent)
    for _, _, name, m, kind in sorted(found, key=lambda f: (f[0], f[1])):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        taken.append((m.start(), m.end()))
        inds = sent.ents_in(m.groupdict().get("inds")) if name == "industry" else []
        if name == "industry" and not inds:  # 相关产业: the last industry named before it
            inds = [e for e in sent.ents if e.label == "Industry" and e.end <= sent.tmap[m.start()]][-1:]
        indicator = _indicator_name(name, m, inds, last)
        last = indicator
        for vm, year, year_from in _values(sent, m.end(), years, para_year):
            if vm.group("q") in _UPPER:
                continue
            value, unit = normalise(vm.group("num"), vm.group("mag"), vm.group("unit"))
            if unit != kind:
                continue
            subj, factor, at = subject_before(sent, m.start(), ctx)
            if subj is None or subj.label not in ("Province", "City", "County"):
                continue
            out.append(Stat(subj, indicator, value, unit, year, year_from,
                            ">" if vm.group("q") in _LOWER else "",
                            "".join(vm.group(g) or "" for g in ("q", "num", "mag", "unit")),
                            [e.key for e in inds], round(0.8 * factor, 3), at))
    return out


def _indicator_name(name: str, m: re.Match, inds: list, last: str | None) -> str:
    if name == "industry":
        what = "value_added" if m.group("what") == "增加值" else "output"
        slugs = [(e.key or "").split(":")[-1].replace("-", "_") for e in inds]
        return "_".join([*slugs, what]) if slugs else what       # hydrogen_equipment_output
    if name in ("share", "growth"):   # of the indicator just named: gdp -> gdp_growth
        return f"{last}_{name}" if last and not last.endswith(("_share", "_growth")) else name
    return name


def _values(sent: Sent, pos: int, years: list, para_year: int | None):
    """Values right after an indicator keyword (or a from-to sequence), with their years."""
    rest = sent.template[pos:pos + 40]
    seq = re.match(r"\s*(?:实现|达到?|为)?[^,，。;；\d]{0,8}[:：]?\s*从", rest)
    spans = []
    if seq:  # 从2022年的不足5亿元,到2024年达35亿元
        for m in re.finditer(r"((?:19|20)\d{2})年(?:的|达|为)?", rest):
            vm = VALUE.match(rest, m.end())
            if vm and vm.group("num"):
                spans.append((vm, int(m.group(1)), "sentence"))
        return spans
    vm = VALUE_AFTER.match(rest)
    if not vm or not vm.group("num") or not (vm.group("unit") or vm.group("mag")):
        return []
    at = pos + vm.start("num")
    after = re.match(r"\s*[(（]((?:19|20)\d{2})年[)）]", rest[vm.end():])
    if after:
        return [(vm, int(after.group(1)), "sentence")]
    before = [y for p, y in years if p < at]
    if before:
        return [(vm, before[-1], "sentence")]
    return [(vm, para_year, "paragraph" if para_year else "none")]
