"""Turn gazetteer matches into entity mentions: check them in context, resolve places.

Gazetteer matches are only candidates. This step decides, for one document:

1. **Policy titles.** Every ``《...》`` whose text ends like a plan or a law (规划,
   意见, 方案, 纲要, 法 ...) is a Policy mention: resolved when a Policy node has
   that title, otherwise kept as a new policy (``ids == ()``, keyed by its title).
   ``(下文简称《意见》)`` makes the short title an alias inside the document.
2. **Word boundaries.** A short place match is dropped when it most likely splits
   a word (北海 in 东北海岸, 和县 in 和县城): see ``kg.extract.wordfreq``; a place name
   that begins an organisation's name (福州大学, 太原卫星发射中心) is not a place mention.
   **County short forms** (萧山, 昆山) count only where the document also names
   that county in full or its city (杭州, 苏州); county names that are everyday
   words (城区, 郊区) only right after their city. Otherwise they are dropped.
3. **Bare industry words** (金融, 能源, 医疗, 芯片) count only with an industry cue
   next to them (…产业/业/集群/领域/中心/枢纽, or 发展/聚焦/打造… before, or a list
   of industries), so 医疗 in 教育、医疗、社保 is not the healthcare industry.
4. **Ambiguous places** (鼓楼区 x4, 普陀区 x2) are resolved by, in order: a parent
   named right before (上海普陀区), a place named in the same sentence that
   contains exactly one candidate, the document's dominant region (the
   candidate whose city/province the document names clearly most often), and
   the same name already resolved elsewhere in the document. Otherwise the
   mention keeps all candidates, ``id`` None and low confidence.
5. **Out-of-context districts.** A county-level unit found by its name alone,
   whose city and province the document never names while its sentence names
   places of another province, gets low confidence (南京…雨花区 is a slip for
   雨花台区, not 长沙's 雨花区).

>>> from kg.model.graph import new_graph, add_node, add_rel
>>> g = new_graph()
>>> for code, name, lab in [("310000", "上海市", "Province"), ("310107", "普陀区", "County"),
...                         ("330000", "浙江省", "Province"), ("330900", "舟山市", "City"),
...                         ("330903", "普陀区", "County")]:
...     add_node(g, code, ["Place", lab], name=name)
>>> for a, b in [("310107", "310000"), ("330903", "330900"), ("330900", "330000")]:
...     _ = add_rel(g, a, b, "BELONGS_TO")
>>> from kg.extract.gazetteer import Gazetteer
>>> rec = Recognizer(g, Gazetteer.from_graph(g))
>>> text = "上海普陀区。普陀区很好。"
>>> [(e.surface, e.id, e.reason) for e in rec.recognize(text)]  # doctest: +NORMALIZE_WHITESPACE
[('上海', '310000', 'short'), ('普陀区', '310107', 'parent named before it'),
 ('普陀区', '310107', 'same name resolved elsewhere in the document')]
>>> [(e.surface, e.ids, e.id) for e in rec.recognize("普陀区很好。")]
[('普陀区', ('310107', '330903'), None)]
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from kg.extract.gazetteer import Gazetteer, Mention
from kg.extract.sentences import Sentence, split_sentences
from kg.extract.titles import (BARE_TITLE, POLICY_SUFFIX, SHORT_TITLE, TITLE, YEARS_IN_TITLE, policy_titles,
                               title_kind, title_variant)
from kg.model import schema
from kg.model.resolve import PlaceIndex

PLACE_LEVELS = {schema.PROVINCE, schema.CITY, schema.COUNTY}
# One-character province abbreviations: read as places only inside spill.pair
# (创新在上海、制造在苏浙皖, kg.extract.patterns); a joint abbreviation next to one is part of a
# longer run (粤港澳) and left alone.
ABBR = {"京": "110000", "津": "120000", "冀": "130000", "晋": "140000", "蒙": "150000",
        "辽": "210000", "吉": "220000", "黑": "230000", "沪": "310000", "苏": "320000",
        "浙": "330000", "皖": "340000", "闽": "350000", "赣": "360000", "鲁": "370000",
        "豫": "410000", "鄂": "420000", "湘": "430000", "粤": "440000", "桂": "450000",
        "琼": "460000", "渝": "500000", "川": "510000", "蜀": "510000", "黔": "520000",
        "滇": "530000", "藏": "540000", "陕": "610000", "甘": "620000", "陇": "620000",
        "青": "630000", "宁": "640000", "新": "650000"}
# Industry surfaces that are complete industry names by their ending.
_INDUSTRY_ENDING = re.compile(r"(产业|业|制造|装备|经济|材料|技术|通信|导航|智能|信息|医药)$")
_INDUSTRY_AFTER = re.compile(r"^[」”\"]?(?:等)?(?:[与和及、][^,，。;；]{1,3})?(产业|业|集群|领域|板块|赛道|之都|装备|制造|"
                             r"基地|中心|枢纽|企业|公司|产值|产品|项目|产能|环节|巨头|研发|创新)"
                             r"|^[^,，。;；]{0,3}(见长|为特色|为核心竞争力)")
_INDUSTRY_BEFORE = re.compile(r"(发展|培育|聚焦|布局|打造|主导|重点|瞄准|专注|依托|发力|深耕|壮大|"
                              r"引进|集聚|聚集)[了着]?[「“\"]?$")

# A place name followed by one of these is part of an organisation's name (福州大学, 太原卫星发射中心).
_ORG_AFTER = re.compile(r"(大学|学院|研究院|研究所|银行|集团|公司|医院|中学|小学|机场|火车站|高铁站|海关|日报|晚报|"
                        r"电视台|实验室|卫星发射中心|证券|交易所|职业技术)")

CONF_NAME, CONF_SHORT, CONF_PARENT, CONF_SENTENCE, CONF_DOCUMENT, CONF_UNRESOLVED = (
    1.0, 0.95, 0.95, 0.85, 0.7, 0.3)


@dataclass
class Entity:
    """One entity mention in a document (offsets into the document text)."""
    start: int
    end: int
    surface: str
    label: str
    ids: tuple[str, ...]            # candidates (one when resolved, none for a new policy)
    id: str | None                  # the resolved node key, or None
    confidence: float
    reason: str
    extra: dict = field(default_factory=dict)   # e.g. {"title": ...} for policies

    @property
    def key(self) -> str | None:
        """The node key, or ``《title》`` for a policy that is not in the graph yet."""
        if self.id:
            return self.id
        if self.label == schema.POLICY and not self.ids and self.extra.get("title"):
            return f"《{self.extra['title']}》"
        return None

    @property
    def is_place(self) -> bool:
        return self.label in PLACE_LEVELS


@lru_cache(maxsize=1)
def _joint_abbreviations() -> dict[str, tuple[str, ...]]:
    """surface -> node ids, one per character, from ``lexicons/abbreviations.tsv``."""
    from importlib import resources

    out = {}
    text = resources.files("kg.extract").joinpath("lexicons/abbreviations.tsv").read_text(encoding="utf-8")
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        ids = tuple(cols[1].split(",")) if len(cols) == 3 else ()
        if len(ids) != len(cols[0]):
            raise ValueError(f"lexicons/abbreviations.tsv:{n}: expected surface, one id per character, source")
        out[cols[0]] = ids
    return out


class Recognizer:
    """Recognises the entities of documents against one graph."""

    def __init__(self, g, gazetteer: Gazetteer | None = None):
        self.g = g
        self.gazetteer = gazetteer or Gazetteer.from_graph(g)
        self.places = PlaceIndex(g)
        self._ancestors: dict[str, list[str]] = {}
        self.policy_titles = policy_titles(g)

    # -- helpers ------------------------------------------------------------------------
    def ancestors(self, code: str) -> list[str]:
        if code not in self._ancestors:
            self._ancestors[code] = self.places.ancestors(code)
        return self._ancestors[code]

    # -- the steps ----------------------------------------------------------------------
    def recognize(self, text: str, sentences: list[Sentence] | None = None) -> list[Entity]:
        """Entities of one document (``text`` already simplified), in text order."""
        sentences = sentences if sentences is not None else split_sentences(text)
        titles = self._titles(text)
        inside = [(t.start - 1, t.end + 1) for t in titles]
        raw = [m for m in self.gazetteer.scan(text)
               if not (m.label == schema.POLICY and any(a <= m.start and m.end <= b for a, b in inside))]
        ents = [self._entity(m) for m in raw]
        nested = self._nested_pairs(ents)
        ents = [e for e in ents if not (e.is_place and ((id(e) not in nested and self._splits_word(text, e))
                                                         or _ORG_AFTER.match(text, e.end)))]
        ents = [e for i, e in enumerate(ents)
                if e.label != schema.INDUSTRY or self._industry_cue(text, e, ents[max(0, i - 1):i + 2])]
        ents = self._county_shorts(self._generic_names(ents))
        ents += self._abbreviations(text, ents)
        ents = sorted(ents + titles, key=lambda e: (e.start, -e.end))  # enclosing first
        self._resolve_places(ents, sentences)
        self._out_of_context(ents, sentences)
        return ents

    def _abbreviations(self, text: str, ents: list[Entity]) -> list[Entity]:
        """港澳 -> 香港 and 澳门, one character each (``lexicons/abbreviations.tsv``), where no
        other mention covers the word and it is not part of a longer run of abbreviations."""
        out = []
        for surface, ids in _joint_abbreviations().items():
            for m in re.finditer(re.escape(surface), text):
                if any(e.start < m.end() and m.start() < e.end for e in ents):
                    continue
                if text[m.start() - 1:m.start()] in ABBR or text[m.end():m.end() + 1] in ABBR:
                    continue      # 粤港澳, a longer run of abbreviations, names a grouping
                for k, code in enumerate(ids):
                    name = self.g.nodes[code].get("name", "") if code in self.g else ""
                    entry = self.gazetteer.entries.get(name)
                    if entry is None:
                        continue
                    out.append(Entity(m.start() + k, m.start() + k + 1, surface[k], entry.label, (code,), code,
                                      CONF_SHORT, "joint abbreviation", {"kind": "abbreviation", "of": surface}))
        return out

    def _nested_pairs(self, ents: list[Entity]) -> set[int]:
        """``id`` of the places written right before or after their own parent or child (广西南宁:
        南宁 is in 广西): the backbone confirms them, so neither splits a word (西南)."""
        out = set()
        for a, b in zip(ents, ents[1:]):
            if a.end == b.start and a.is_place and b.is_place and any(
                    pa in self.ancestors(cb) for pa in a.ids for cb in b.ids):
                out |= {id(a), id(b)}
        return out

    def _splits_word(self, text: str, e: Entity) -> bool:
        from kg.extract.wordfreq import crosses_boundary, freq
        from kg.model.resolve import short_name

        if len(e.surface) > 3:
            return False
        own = freq(e.surface) or freq(short_name(e.surface) or "")
        return crosses_boundary(text, e.start, e.end, own)

    def _generic_names(self, ents: list[Entity]) -> list[Entity]:
        """Keep 城区, 郊区 ... only right after their own city: 阳泉市城区."""
        out = []
        for i, e in enumerate(ents):
            if e.extra.get("kind") == "generic":
                prev = ents[i - 1] if i else None
                hit = [c for c in e.ids if prev and prev.end == e.start and len(prev.ids) == 1
                       and prev.ids[0] in self.ancestors(c)] if prev else []
                if len(hit) != 1:
                    continue
                e.ids, e.id, e.confidence, e.reason = (hit[0],), hit[0], CONF_PARENT, "parent named before it"
            out.append(e)
        return out

    def _entity(self, m: Mention) -> Entity:
        resolved = m.ids[0] if len(m.ids) == 1 else None
        conf = CONF_NAME if m.kind in ("name", "alias") else CONF_SHORT
        extra = {"kind": m.kind, **({"alt": m.alt} if m.alt else {})}
        return Entity(m.start, m.end, m.surface, m.label, m.ids, resolved,
                      conf if resolved else CONF_UNRESOLVED,
                      m.kind if resolved else "ambiguous", extra)

    def _titles(self, text: str) -> list[Entity]:
        short = {s: full for full, s in SHORT_TITLE.findall(text)}
        out = []
        last_of_kind: dict[str | None, str] = {}     # 规划 -> the latest full title ending so
        for m in TITLE.finditer(text):
            title = short.get(m.group(1), m.group(1))
            if title == m.group(1) and BARE_TITLE.fullmatch(title):
                # 《规划》 with no 简称 definition: the nearest earlier full title of its kind, else no plan
                if title_kind(title) not in last_of_kind:
                    out.append(Entity(m.start(1), m.end(1), m.group(1), schema.POLICY, (), None, 0.8,
                                      "short title of no named plan", {"title": None}))
                    continue
                title = last_of_kind[title_kind(title)]
            bare = YEARS_IN_TITLE.sub("", title).strip()
            key = (self.policy_titles.get(title) or self.policy_titles.get(bare)
                   or self.policy_titles.get(title_variant(title)))
            if key is None and not POLICY_SUFFIX.search(bare):
                continue  # a book or an article, not a policy
            out.append(Entity(m.start(1), m.end(1), m.group(1), schema.POLICY,
                              (key,) if key else (), key, CONF_NAME if key else 0.8,
                              "policy title" if key else "new policy title", {"title": title}))
            if not BARE_TITLE.fullmatch(title):
                last_of_kind[title_kind(title)] = title
        return out

    def _industry_cue(self, text: str, e: Entity, neighbours: list[Entity]) -> bool:
        if _INDUSTRY_ENDING.search(e.surface) or len(e.surface) >= 5:
            return True
        if _INDUSTRY_AFTER.search(text[e.end:e.end + 8]) or _INDUSTRY_BEFORE.search(text[max(0, e.start - 6):e.start]):
            return True
        # In a list with another industry: 合成生物、生成式人工智能
        for other in neighbours:
            if other is not e and other.label == schema.INDUSTRY:
                gap = text[other.end:e.start] if other.end <= e.start else text[e.end:other.start]
                if len(gap) <= 2 and re.fullmatch(r"[、和与及,，+＋]*", gap):
                    return True
        return False

    def _county_shorts(self, ents: list[Entity]) -> list[Entity]:
        named = set()  # units named in full, and their ancestors
        for e in ents:
            if e.label in PLACE_LEVELS and e.extra.get("kind") != "county_short":
                for code in e.ids:
                    if len(e.ids) == 1:
                        named.add(code)
        out = []
        for e in ents:
            if e.extra.get("kind") != "county_short":
                out.append(e)
                continue
            supported = tuple(c for c in e.ids
                              if c in named or any(a in named for a in self.ancestors(c)[:1]))
            if supported:
                e.ids = supported
                e.id = supported[0] if len(supported) == 1 else None
                e.confidence = 0.9 if e.id else CONF_UNRESOLVED
                e.reason = "short form; the document names its city" if e.id else "ambiguous"
                out.append(e)
        return out

    def _resolve_places(self, ents: list[Entity], sentences: list[Sentence]) -> None:
        import bisect

        places = [e for e in ents if e.is_place]
        starts = [s.start for s in sentences]
        by_sentence: dict[int, list[Entity]] = {}
        for e in places:
            by_sentence.setdefault(bisect.bisect_right(starts, e.start) - 1, []).append(e)
        # Pass 1: local context (a parent right before it, a place in the same sentence).
        for i, e in enumerate(places):
            if e.id or not e.ids:
                continue
            prev = places[i - 1] if i else None
            if prev and prev.id and prev.end == e.start:
                hit = [c for c in e.ids if prev.id in self.ancestors(c)]
                if len(hit) == 1:
                    self._pick(e, hit[0], CONF_PARENT, "parent named before it")
                    continue
            same = by_sentence.get(bisect.bisect_right(starts, e.start) - 1, [])
            context = {code for o in same if o.id and o is not e
                       for code in [o.id, *self.ancestors(o.id)]}
            # the city named in the sentence first (南京 -> 南京's 鼓楼区, not 徐州's), then the province
            for depth in (1, 2):
                hit = [c for c in e.ids if context & {c, *self.ancestors(c)[:depth]}]
                if len(hit) == 1:
                    self._pick(e, hit[0], CONF_SENTENCE, "place named in the same sentence")
                    break
                if hit:
                    break
        # Pass 2: one sense per document: the same name resolved elsewhere.
        senses: dict[str, set[str]] = {}
        for e in places:
            if e.id and len(e.ids) > 1:
                senses.setdefault(e.surface, set()).add(e.id)
        for e in places:
            if not e.id and len(senses.get(e.surface, ())) == 1:
                self._pick(e, next(iter(senses[e.surface])), CONF_SENTENCE,
                           "same name resolved elsewhere in the document")
        # Pass 3: the document's dominant region; the city counts more than the province.
        region = Counter(code for e in places if e.id for code in [e.id, *self.ancestors(e.id)])
        for e in places:
            if e.id or not e.ids:
                continue
            scores = sorted((self._region_score(c, region), c) for c in e.ids)[::-1]
            best, second = scores[0][0], scores[1][0] if len(scores) > 1 else 0
            if best >= 4 and best >= 2 * second:
                self._pick(e, scores[0][1], CONF_DOCUMENT, "dominant region of the document")

    def _region_score(self, code: str, region: Counter) -> float:
        ups = self.ancestors(code)
        city = ups[0] if ups else None
        province = ups[1] if len(ups) > 1 else None
        return 4 * region[code] + 2 * region[city] + 0.5 * region[province]

    def _out_of_context(self, ents: list[Entity], sentences: list[Sentence]) -> None:
        import bisect

        places = [e for e in ents if e.is_place and e.id]
        named = {e.id for e in places if e.label != schema.COUNTY}
        starts = [s.start for s in sentences]
        by_sentence: dict[int, list[Entity]] = {}
        for e in places:
            by_sentence.setdefault(bisect.bisect_right(starts, e.start) - 1, []).append(e)
        for e in places:
            if e.label != schema.COUNTY or e.reason not in ("name", "alias"):
                continue
            ups = self.ancestors(e.id)
            if any(u in named for u in ups):
                continue
            others = {o.id for o in by_sentence[bisect.bisect_right(starts, e.start) - 1] if o is not e}
            provinces = {(self.ancestors(o) or [o])[-1] for o in others}
            if provinces and (ups[-1] if ups else e.id) not in provinces:
                e.confidence, e.reason = 0.4, "its city is not named; the sentence is about elsewhere"

    @staticmethod
    def _pick(e: Entity, code: str, conf: float, reason: str) -> None:
        e.id, e.confidence, e.reason = code, conf, reason
