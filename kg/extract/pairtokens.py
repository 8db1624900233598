"""Sentence tokens and pair features for the general mechanisms (``kg.extract.pairs``).

A sentence's entity tokens (``tokens``: places inside a grouping name that is not a node
dropped), its clauses (split at ，；：。), the trigger lexicon (``load_triggers``), and the
features that describe a pair: the text between the two ends (its length bucket and character
bigrams), the characters around them, and the distance and side of each end relative to the
trigger.

>>> _bucket(0), _bucket(5), _bucket(40)
('0', '3-6', '16+')
>>> _plain("⟦P0⟧与⟦P1⟧")
'P与P'
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from kg.extract.template import TAGS, TOKEN, Context, Sent
from kg.extract.recognize import Entity
from kg.model import schema
# 5个市辖区 and 1个县级市 count a city's own units, not cities or counties of a list
COUNT_NOUN = re.compile(r"([0-9０-９一二三四五六七八九十两]+)\s*(个)?(地市|城市|市(?![辖级])|省|省区|省市|区|县(?!级)|"
                        r"特别行政区|市一区|市二区|国家级新区)")
CLAUSE_END = set(",，;；:：。!?！？")
PLACEISH = "PKF"
MAX_LIST = 40


@dataclass
class Pair:
    """One proposed relation with the features that describe how it was found."""
    type: str
    head: Entity
    tail: Entity
    mech: str
    trigger: str
    feats: list[str] = field(default_factory=list)
    props: dict = field(default_factory=dict)
    at: int | None = None           # evidence starts in an earlier sentence


@lru_cache(maxsize=1)
def load_triggers() -> dict[str, list[tuple[str, str]]]:
    """relation type -> [(trigger, role)], from ``lexicons/triggers.tsv``."""
    out: dict[str, list[tuple[str, str]]] = {}
    text = resources.files("kg.extract").joinpath("lexicons/triggers.tsv").read_text(encoding="utf-8")
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 4:
            raise ValueError(f"lexicons/triggers.tsv:{n}: expected 4 tab-separated columns")
        out.setdefault(cols[0], []).append((cols[1], cols[2]))
    return out


@dataclass
class Tok:
    start: int       # template offsets
    end: int
    tag: str
    ent: Entity
    clause: int


# A place right before a grouping word names a grouping that is not a node (遵义都市圈,
# 贵阳—贵安—安顺都市圈): the place is part of a name, not a member or a partner.
_IN_NAME = re.compile(r"(?:[—\-－~](?:⟦[A-Z]\d+⟧|[\u4e00-\u9fff]{1,3}))*(?:都市圈|城市群|经济圈|城镇群|都市区|经济带|城镇带|发展带|经济区)")


# A grouping word right after a name (in a template, so not a G token): 贵阳—贵安—安顺都市圈;
# not after a function word (培育都市圈和城市群, 两大都市圈).
_UNKNOWN_GROUP = re.compile(r"[\u4e00-\u9fff—\-－⟧](?<![的和与及大个型化等壮在入进内两三四五六七八九十多育设造])"
                            r"(?:都市圈|都市区|城市群|经济圈|城镇群)")


def tokens(sent: Sent) -> list[Tok]:
    """The entity tokens of a sentence, without places that are only part of a grouping name."""
    bounds = [i for i, ch in enumerate(sent.template) if ch in CLAUSE_END]
    out = []
    for m in TOKEN.finditer(sent.template):
        if m.group(1) == "P" and _IN_NAME.match(sent.template, m.end()):
            continue
        clause = sum(1 for b in bounds if b < m.start())
        out.append(Tok(m.start(), m.end(), m.group(1), sent.ent(m.group()), clause))
    return out


def _clause_of(sent: Sent, pos: int) -> int:
    return sum(1 for i, ch in enumerate(sent.template[:pos]) if ch in CLAUSE_END)


def _plain(s: str) -> str:
    """Template text with tokens as their tag letter (⟦P3⟧ -> P)."""
    return TOKEN.sub(lambda m: m.group(1), s)


def between(sent: Sent, left: "Tok", right: "Tok") -> str:
    """The template text between two tokens, tokens as their tag letter: what separates them."""
    return _plain(sent.template[left.end:right.start])


# What may stand between the items of a list of places, compared as is (no trimming).
LIST_GAPS = ("、", ",", "，", "和", "及", " ", "")


def _bucket(n: int) -> str:
    return "0" if n <= 0 else "1-2" if n <= 2 else "3-6" if n <= 6 else "7-15" if n <= 15 else "16+"


def _between_feats(sent: Sent, a: Tok, b: Tok) -> list[str]:
    lo, hi = (a, b) if a.start < b.start else (b, a)
    gap = _plain(sent.template[lo.end:hi.start])
    feats = [f"gap={gap}" if len(gap) <= 3 else "gap=long", f"dist={_bucket(len(gap))}",
             f"sameclause={a.clause == b.clause}"]
    g = gap[:24]
    feats += [f"bg={g[i:i + 2]}" for i in range(len(g) - 1)]
    left = _plain(sent.template[max(0, lo.start - 6):lo.start])[-3:]
    right = _plain(sent.template[hi.end:hi.end + 8])[:3]
    feats += [f"l1={left[-1:]}", f"l2={left[-2:]}", f"r1={right[:1]}", f"r2={right[:2]}"]
    return feats


def _trig_feats(sent: Sent, tpos: int, trig: str, a: Tok, b: Tok | None = None) -> list[str]:
    d = tpos - a.end if a.end <= tpos else a.start - (tpos + len(trig))
    feats = [f"tdist={_bucket(abs(d))}", f"tside={'before' if a.end <= tpos else 'after'}"]
    if b is not None:
        feats.append(f"tside2={'before' if b.end <= tpos else 'after'}")
    win = _plain(sent.template[max(0, tpos - 3):tpos + len(trig) + 3])
    feats += [f"tw={win[i:i + 2]}" for i in range(len(win) - 1)]
    return feats


def _find_all(text: str, word: str):
    i = text.find(word)
    while i >= 0:
        yield i
        i = text.find(word, i + 1)


def ctx_pending(ctx: Context):
    p = getattr(ctx, "pending_group", None)
    return p[0] if p else None


def _levels_fit(child: Entity, parent: Entity) -> bool:
    return (child.label, parent.label) in ((schema.COUNTY, schema.CITY), (schema.CITY, schema.PROVINCE))


def _member_type(member: Entity, grp: Entity) -> str:
    if member.label == schema.METRO_CIRCLE and grp.label == schema.CITY_CLUSTER:
        return schema.PART_OF
    return schema.MEMBER_OF


def document_topic(ents: list[Entity]) -> Entity | None:
    """The grouping a document is about: the most often named cluster / metro circle / corridor
    (the first one named wins a tie)."""
    counts: dict[str, list] = {}
    for e in ents:
        if TAGS.get(e.label) == "G" and e.key:
            counts.setdefault(e.key, [0, e])[0] += 1
    if not counts:
        return None
    return max(counts.values(), key=lambda x: x[0])[1]
