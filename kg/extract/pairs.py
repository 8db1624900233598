"""General relation candidates: trigger lexicons, entity pairs within a clause, lists, containment.

Where ``patterns`` reads fixed wordings, this module proposes every pair a general
mechanism allows and describes it by features; ``classify`` decides which to keep.
The mechanisms (``mech``), each measurable on its own:

* ``contain``: containment stated by the text, ``江苏省南京市`` / ``常州下辖的溧阳市`` /
  ``广西壮族自治区南宁市、北海市`` (the list inherits the parent). BELONGS_TO where the
  backbone agrees; where the text says 下辖/的 and the backbone disagrees the candidate
  is kept with ``backbone: disagrees`` (a low-confidence flag, never silently merged).
  A national new area written after its place (``青岛西海岸新区``) is LOCATED_IN it.
* ``member``: a grouping (cluster, metro circle, corridor) and the places listed after
  a trigger (包括, 涵盖, 由…组成) or before one (纳入, 划进); the grouping comes from the
  sentence, a heading just before (``规划范围`` then the list) or the document's topic.
* ``core``: a place before a core trigger (以X为核心, X为主中心, X…核心带动) and a grouping.
* ``coop``: pairs of places in the clause of a cooperation trigger (合作, 共建, 同城化),
  with the separator between them (与, 、, —) and their order relative to the trigger.
* ``spec``: an industry in the clause of a specialisation trigger and its subject: the
  nearest place before it that is not an object, or the sentence's / last topic.
* ``spill``: two places around a move trigger (承接, 转移, 外溢, ``A(B)产业转移``).

Triggers live in ``lexicons/triggers.tsv`` (relation, word, role, source).

>>> sorted(load_triggers())[:3]
['COOPERATES_WITH', 'CORE_OF', 'MEMBER_OF']
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from kg.extract.patterns import TAGS, TOKEN, Context, Sent, _is_object, first_subject
from kg.extract.recognize import Entity
from kg.model import schema

COUNT_NOUN = re.compile(r"([0-9０-９一二三四五六七八九十两]+)\s*(个)?(地市|城市|市|省|省区|省市|区|县|"
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
                            r"(?:都市圈|城市群|经济圈|城镇群)")


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


class PairFinder:
    """Proposes ``Pair`` candidates in one sentence; needs the graph for the backbone."""

    def __init__(self, g, gazetteer=None):
        self.g = g
        self.gazetteer = gazetteer
        self.triggers = load_triggers()
        self._parents: dict[str, set] = {}

    def parents(self, node: str) -> set[str]:
        if node not in self._parents:
            self._parents[node] = {v for _, v, d in self.g.out_edges(node, data=True)
                                   if d.get("type") == schema.BELONGS_TO} if node in self.g else set()
        return self._parents[node]

    def _child_of(self, child: Entity, parent: Entity) -> bool:
        return bool(child.id and parent.id and parent.id in self.parents(child.id))

    def find(self, sent: Sent, ctx: Context, topic: Entity | None) -> list[Pair]:
        toks = tokens(sent)
        if not toks:
            return []
        out: list[Pair] = []
        out += self.contain(sent, toks)
        out += self.member(sent, toks, ctx, topic)
        out += self.core(sent, toks, topic)
        out += self.coop(sent, toks)
        out += self.spec(sent, toks, ctx)
        out += self.spill(sent, toks, ctx)
        out += self.counted(sent, toks, ctx, topic)
        return out

    # -- a counted list: 西安市、咸阳市、铜川市、渭南市四市 / 广州…江门9市和香港、澳门两个特别行政区 --
    def counted(self, sent: Sent, toks: list[Tok], ctx: Context, topic: Entity | None) -> list[Pair]:
        out = []
        groups = [t for t in toks if t.tag == "G"]
        for m in COUNT_NOUN.finditer(sent.template):
            items = []
            j = next((k for k, t in enumerate(toks) if t.end == m.start()), None)
            if j is None:
                continue
            k = j
            while k >= 0 and toks[k].tag in PLACEISH:
                items.append(toks[k])
                sep = _plain(sent.template[toks[k - 1].end:toks[k].start]) if k else "x"
                if sep not in ("、", ",", "，", "和", "及", " ", ""):
                    break
                k -= 1
            items = self._members(sent, sorted(items, key=lambda t: t.start))
            before = [g for g in groups if g.end <= items[0].start] if items else []
            after = [g for g in groups if g.start >= m.end()]
            grp, src = (before[-1].ent, "sent-before") if before else \
                (after[0].ent, "sent-after") if after else (topic, "topic")
            if grp is None:
                continue
            for t in items:
                feats = [f"gsrc={src}", f"count={m.group(3)}", f"nlist={_bucket(len(items))}",
                         f"ml={t.ent.label}", f"gl={grp.label}"]
                out.append(Pair(_member_type(t.ent, grp), t.ent, grp, "counted", m.group(3), feats))
        return out

    # -- containment -------------------------------------------------------------------------
    def contain(self, sent: Sent, toks: list[Tok]) -> list[Pair]:
        out = []
        for i in range(len(toks) - 1):
            a, b = toks[i], toks[i + 1]
            if a.tag != "P" or b.tag != "P":
                continue
            gap = _plain(sent.template[a.end:b.start])
            if gap not in ("", "的", "下辖", "下辖的", "所辖", "所辖的", "辖", "所属的", " "):
                continue
            if self._child_of(b.ent, a.ent):
                out.append(Pair(schema.BELONGS_TO, b.ent, a.ent, "contain", "adjacent",
                                [f"cgap={gap}", "backbone=agrees", f"lv={b.ent.label}>{a.ent.label}"]))
                # the list that follows inherits the parent: 广西壮族自治区南宁市、北海市…
                # (甘肃省兰州市,白银市白银区、平川区,定西市…: grandchildren do not end it)
                j, sub = i + 2, b.ent
                while j < len(toks) and toks[j].tag == "P":
                    sep = _plain(sent.template[toks[j - 1].end:toks[j].start])
                    if sep not in ("、", ",", "，", "和", "及", " ", ""):
                        break
                    c = toks[j]
                    if self._child_of(c.ent, a.ent):
                        out.append(Pair(schema.BELONGS_TO, c.ent, a.ent, "contain", "list",
                                        ["cgap=list", "backbone=agrees", f"lv={c.ent.label}>{a.ent.label}"]))
                        sub = c.ent
                    elif not self._child_of(c.ent, sub):
                        break
                    j += 1
            elif gap and a.ent.id and b.ent.id and _levels_fit(b.ent, a.ent):
                out.append(Pair(schema.BELONGS_TO, b.ent, a.ent, "contain", "adjacent",
                                [f"cgap={gap}", "backbone=disagrees"], {"backbone": "disagrees"}))
        for t in toks:
            if t.tag != "K" or not t.ent.id or t.ent.label != schema.NATIONAL_NEW_AREA:
                continue
            out += self._new_area_place(sent, toks, t)
        return out

    def _new_area_place(self, sent: Sent, toks: list[Tok], t: Tok) -> list[Pair]:
        """青岛西海岸新区 (one alias) or ⟦P⟧⟦K⟧: the new area is located in the place."""
        out = []
        name = self.g.nodes[t.ent.id].get("name", "") if t.ent.id in self.g else ""
        places = []
        idx = toks.index(t)
        if idx and toks[idx - 1].tag == "P" and toks[idx - 1].end == t.start:
            places.append(toks[idx - 1].ent)
        elif self.gazetteer is not None and name and t.ent.surface.endswith(name[-2:]):
            prefix = t.ent.surface[: len(t.ent.surface) - len(name)] if t.ent.surface.endswith(name) else ""
            entry = self.gazetteer.entries.get(prefix) if len(prefix) >= 2 else None
            if entry is not None and len(entry.ids) == 1 and entry.label in (
                    schema.PROVINCE, schema.CITY, schema.COUNTY):
                pid = entry.ids[0]
                places.append(Entity(t.ent.start, t.ent.start + len(prefix), prefix, entry.label,
                                     (pid,), pid, t.ent.confidence, "prefix"))
        for p in places:
            out.append(Pair(schema.LOCATED_IN, t.ent, p, "contain", "newarea",
                            ["cgap=newarea", f"lv=K>{p.label}"]))
            twin = self.gazetteer.entries.get(name) if self.gazetteer is not None else None
            if twin is not None and twin.label == schema.COUNTY and len(twin.ids) == 1 \
                    and p.id in self.parents(twin.ids[0]):
                c = Entity(t.ent.start, t.ent.end, t.ent.surface, schema.COUNTY, twin.ids,
                           twin.ids[0], t.ent.confidence, "twin")
                out.append(Pair(schema.BELONGS_TO, c, p, "contain", "newarea",
                                ["cgap=newarea-twin", "backbone=agrees"]))
        return out

    # -- membership --------------------------------------------------------------------------
    def _members(self, sent: Sent, toks: list[Tok]) -> list[Tok]:
        """Places of a list, without qualifiers (a province or city followed by its own child)."""
        out = []
        for i, t in enumerate(toks):
            if t.tag not in PLACEISH:
                continue
            if i + 1 < len(toks) and self._child_of(toks[i + 1].ent, t.ent) and _plain(
                    sent.template[t.end:toks[i + 1].start]) in ("", "的", "下辖", "下辖的", "所辖的"):
                continue
            out.append(t)
        return out[:MAX_LIST]

    def member(self, sent: Sent, toks: list[Tok], ctx: Context, topic: Entity | None) -> list[Pair]:
        out = []
        text = sent.template
        groups = [t for t in toks if t.tag == "G"]
        found = False
        for trig, role in self.triggers.get(schema.MEMBER_OF, ()):
            for tpos in _find_all(text, trig):
                found = True
                if role == "after":
                    before = [g for g in groups if g.end <= tpos]
                    after = [g for g in groups if g.start >= tpos + len(trig)]
                    grp, src = (before[-1], "sent-before") if before else \
                        (after[-1], "sent-after") if after else (None, "")
                    members = self._members(sent, [t for t in toks if t.start >= tpos + len(trig)])
                    if grp is not None and grp.start > tpos:
                        members = [m for m in members if m.start < grp.start]
                else:
                    after = [g for g in groups if g.start >= tpos + len(trig)
                             and _clause_of(sent, g.start) == _clause_of(sent, tpos)]
                    before_g = [g for g in groups if g.end <= tpos]
                    grp, src = (after[0], "sent-after") if after else \
                        (before_g[-1], "sent-before") if before_g else (None, "")
                    clause = _clause_of(sent, tpos)
                    members = self._members(sent, [t for t in toks if t.end <= tpos and t.clause >= clause - 1
                                                   and (grp is None or t is not grp)])
                    members += [t for t in toks if t.tag == "G" and t.end <= tpos and t is not grp
                                and t.clause == clause]
                if grp is None and _UNKNOWN_GROUP.search(text):
                    continue          # the list belongs to a grouping that is not a node
                if grp is None:
                    if ctx_pending(ctx) is not None:
                        grp, src = ctx_pending(ctx), "pending"
                    elif topic is not None:
                        grp, src = topic, "topic"
                    else:
                        continue
                    gtok = None
                else:
                    gtok = grp
                    grp = grp.ent
                if not members and gtok is not None:
                    ctx.pending_group = (grp, sent.index)
                n = len(members)
                for m in members:
                    if m.ent is grp or (m.ent.key and m.ent.key == grp.key):
                        continue
                    rel = _member_type(m.ent, grp)
                    feats = [f"gsrc={src}", f"role={role}", f"nlist={_bucket(n)}", f"ml={m.ent.label}",
                             f"gl={grp.label}"]
                    feats += _trig_feats(sent, tpos, trig, m)
                    if gtok is not None:
                        feats += _between_feats(sent, m, gtok)
                    out.append(Pair(rel, m.ent, grp, "member", trig, feats))
        if not found and ctx_pending(ctx) is not None and sent.index - ctx.pending_group[1] <= 2:
            grp = ctx.pending_group[0]
            members = self._members(sent, toks)
            for m in members:
                out.append(Pair(_member_type(m.ent, grp), m.ent, grp, "member", "pending",
                                ["gsrc=pending", f"nlist={_bucket(len(members))}", f"ml={m.ent.label}",
                                 f"gl={grp.label}"]))
        return out

    # -- core ----------------------------------------------------------------------------------
    def core(self, sent: Sent, toks: list[Tok], topic: Entity | None) -> list[Pair]:
        out = []
        groups = [t for t in toks if t.tag == "G"]
        for trig, _ in self.triggers.get(schema.CORE_OF, ()):
            for tpos in _find_all(sent.template, trig):
                clause = _clause_of(sent, tpos)
                cands = [t for t in toks if t.tag == "P" and t.end <= tpos and t.clause == clause
                         and tpos - t.end <= 14]
                if not cands:
                    continue
                before = [g for g in groups if g.end <= tpos]
                grp, src = (before[-1].ent, "sent") if before else \
                    (groups[0].ent, "sent-after") if groups else (topic, "topic")
                if grp is None or grp.label not in (schema.CITY_CLUSTER, schema.METRO_CIRCLE):
                    continue
                for c in cands:
                    feats = [f"gsrc={src}", f"ncand={len(cands)}"] + _trig_feats(sent, tpos, trig, c)
                    gap = _plain(sent.template[c.end:tpos])
                    feats += [f"cg={gap[i:i + 2]}" for i in range(len(gap) - 1)] + [f"cgl={gap[-2:]}"]
                    out.append(Pair(schema.CORE_OF, c.ent, grp, "core", trig, feats))
        return out

    # -- cooperation -------------------------------------------------------------------------
    def coop(self, sent: Sent, toks: list[Tok]) -> list[Pair]:
        out, seen = [], set()
        for trig, _ in self.triggers.get(schema.COOPERATES_WITH, ()):
            for tpos in _find_all(sent.template, trig):
                clause = _clause_of(sent, tpos)
                near = self._members(sent, [t for t in toks if t.tag in "PK" and abs(t.start - tpos) <= 60
                                            and clause - 1 <= t.clause <= clause])
                near = near[:8]
                for i, a in enumerate(near):
                    for b in near[i + 1:]:
                        if (a.start, b.start, trig) in seen or not a.ent.key or a.ent.key == b.ent.key:
                            continue
                        seen.add((a.start, b.start, trig))
                        if self._child_of(a.ent, b.ent) or self._child_of(b.ent, a.ent):
                            continue
                        adjacent = toks.index(b) == toks.index(a) + 1
                        feats = [f"adj={adjacent}", f"nnear={_bucket(len(near))}",
                                 f"lvl={a.ent.label}-{b.ent.label}"]
                        feats += _between_feats(sent, a, b) + _trig_feats(sent, tpos, trig, a, b)
                        first = near[0]
                        if a is first and len(near) > 2:
                            feats.append("head_first")
                        out.append(Pair(schema.COOPERATES_WITH, a.ent, b.ent, "coop", trig, feats))
        return out

    # -- specialisation ----------------------------------------------------------------------
    def spec(self, sent: Sent, toks: list[Tok], ctx: Context) -> list[Pair]:
        out = []
        inds = [t for t in toks if t.tag == "I"]
        if not inds:
            return out
        for rel in (schema.SPECIALIZES_IN, schema.PLANS_INDUSTRY):
            for trig, _ in self.triggers.get(rel, ()):
                for tpos in _find_all(sent.template, trig):
                    clause = _clause_of(sent, tpos)
                    for ind in inds:
                        if abs(ind.clause - clause) > 0 or abs(ind.start - tpos) > 30:
                            continue
                        subj, src = None, ""
                        for t in toks:
                            if t.tag in PLACEISH and t.end <= min(ind.start, tpos) and not _is_object(sent, t.start):
                                subj, src = t, ("clause" if t.clause == clause else "sentence")
                        if subj is None:
                            for t in toks:
                                if t.tag in PLACEISH and t.end <= min(ind.start, tpos):
                                    subj, src = t, "object"
                        if subj is None:
                            fs = first_subject(sent)
                            if fs is not None:
                                subj_ent, src = fs, "first"
                            elif ctx.last_topic is not None:
                                subj_ent, src = ctx.last_topic, "topic"
                            else:
                                continue
                            feats = [f"ssrc={src}"] + _trig_feats(sent, tpos, trig, ind)
                            out.append(Pair(rel, subj_ent, ind.ent, "spec", trig, feats,
                                            at=ctx.last_topic_sentence if src == "topic" else None))
                            continue
                        feats = [f"ssrc={src}", f"sl={subj.ent.label}"] + _between_feats(sent, subj, ind) + \
                            _trig_feats(sent, tpos, trig, subj, ind)
                        out.append(Pair(rel, subj.ent, ind.ent, "spec", trig, feats))
        return out

    # -- spillover ---------------------------------------------------------------------------
    def spill(self, sent: Sent, toks: list[Tok], ctx: Context) -> list[Pair]:
        out = []
        places = [t for t in toks if t.tag == "P"]
        for trig, _ in self.triggers.get(schema.SPILLOVER_TO, ()):
            for tpos in _find_all(sent.template, trig):
                clause = _clause_of(sent, tpos)
                near = self._members(sent, [t for t in places if abs(t.start - tpos) <= 30
                                            and abs(t.clause - clause) <= 1])
                for i, a in enumerate(near):
                    for b in near[i + 1:]:
                        if not a.ent.key or a.ent.key == b.ent.key:
                            continue
                        base = _between_feats(sent, a, b) + _trig_feats(sent, tpos, trig, a, b)
                        out.append(Pair(schema.SPILLOVER_TO, a.ent, b.ent, "spill", trig, base + ["dir=text"]))
                        if trig == "承接" and a.end <= tpos < b.start:     # A承接B的…: B -> A
                            out.append(Pair(schema.SPILLOVER_TO, b.ent, a.ent, "spill", trig,
                                            base + ["dir=reverse"]))
                if trig == "承接" and len(near) == 1:
                    subj = first_subject(sent) or ctx.last_topic
                    src = near[0]
                    if subj is not None and subj.key and subj.key != src.ent.key and src.start > tpos:
                        out.append(Pair(schema.SPILLOVER_TO, src.ent, subj, "spill", trig,
                                        ["dir=absorb"] + _trig_feats(sent, tpos, trig, src)))
        return out


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
