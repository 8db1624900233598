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

Triggers live in ``lexicons/triggers.tsv`` (relation, word, role, source). The backbone checks
and ``contain`` are in ``kg.extract.contain`` (``Backbone``), how places stand in a list (separators,
与-coordination, glued names) in ``kg.extract.coordination``.

>>> sorted(load_triggers())[:3]
['COOPERATES_WITH', 'CORE_OF', 'MEMBER_OF']
"""
from __future__ import annotations

import re

from kg.extract.pairtokens import (COUNT_NOUN, LIST_GAPS, MAX_LIST, PLACEISH, Pair, Tok,  # noqa: F401
                                   _UNKNOWN_GROUP, _between_feats, between, _bucket, _clause_of, _find_all,
                                   _member_type, _plain, _trig_feats, ctx_pending, document_topic,
                                   load_triggers, tokens)
from kg.extract.contain import ADMIN_LISTING, Backbone
from kg.extract.coordination import BELOW_PROVINCE, coordination_feats, glued, qual_feats
from kg.extract.template import Context, Sent, first_subject, is_object
from kg.extract.recognize import Entity
from kg.model import schema

# after a core word: a zone (核心区, 核心发展区) or one of several (中心城市之一), not the core
_NOT_CORE = re.compile(r"(?:发展)?区|[^,，。;；]{0,3}之一")
# a region that is not a node owns the list of its scope: 川南渝西地区融合发展范围涉及…
_UNKNOWN_SCOPE = re.compile(r"(?:地区|区域|片区|经济区|经济带|协作区|合作区|示范区)[^,，。;；⟦]{0,12}"
                            r"(?:范围|包括|涵盖|涉及|包含)")
# membership words that are common verbs: they name members only of a grouping in the sentence
_NAMED_GROUP_ONLY = frozenset({"建设", "打造"})
_INFLUENCE = re.compile(r"至|到|带动|影响")


class PairFinder(Backbone):
    """Proposes ``Pair`` candidates in one sentence; needs the graph for the backbone."""

    def __init__(self, g, gazetteer=None, places=None):
        from kg.model.resolve import PlaceIndex

        self.g = g
        self.gazetteer = gazetteer
        self.places = places or PlaceIndex(g)
        self.triggers = load_triggers()
        self._parents: dict[str, set] = {}
        self._region: dict[str, frozenset] = {}

    def find(self, sent: Sent, ctx: Context, topic: Entity | None) -> list[Pair]:
        toks = tokens(sent)
        if not toks:
            return []
        out: list[Pair] = []
        out += self.contain(sent, toks)
        out += self.member(sent, toks, ctx, topic)
        out += self.core(sent, toks, topic)
        out += self.coop(sent, toks, ctx)
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
                if not k or between(sent, toks[k - 1], toks[k]) not in LIST_GAPS:
                    break
                k -= 1
            items = self._members(sent, sorted(items, key=lambda t: t.start))
            if items and ADMIN_LISTING.search(sent.template[max(0, items[0].start - 3):items[0].start]):
                continue
            before = [g for g in groups if g.end <= items[0].start] if items else []
            after = [g for g in groups if g.start >= m.end()]
            grp, src = (before[-1].ent, "sent-before") if before else \
                (after[0].ent, "sent-after") if after else (topic, "topic")
            if grp is None:
                continue
            qual = {id(toks[i]) for i in self.qualified(sent, toks)}
            for t in items:
                feats = [f"gsrc={src}", f"count={m.group(3)}", f"nlist={_bucket(len(items))}",
                         f"ml={t.ent.label}", f"gl={grp.label}", *qual_feats(t, qual)]
                out.append(Pair(_member_type(t.ent, grp), t.ent, grp, "counted", m.group(3), feats))
        return out

    def _members(self, sent: Sent, toks: list[Tok]) -> list[Tok]:
        """Places of a list, without qualifiers (a province or city followed by its own child, a
        province followed by a count of its cities: 广东九市)."""
        out = []
        for i, t in enumerate(toks):
            if t.tag not in PLACEISH:
                continue
            if i + 1 < len(toks) and self._child_of(toks[i + 1].ent, t.ent) and _plain(
                    sent.template[t.end:toks[i + 1].start]) in ("", "的", "下辖", "下辖的", "所辖的"):
                continue
            count = COUNT_NOUN.match(sent.template, t.end)
            if t.ent.label == schema.PROVINCE and count and count.group(3) in BELOW_PROVINCE:
                continue          # 广东九市: the province counts its cities, it is not listed itself
            out.append(t)
        return out[:MAX_LIST]

    def member(self, sent: Sent, toks: list[Tok], ctx: Context, topic: Entity | None) -> list[Pair]:
        out = []
        text = sent.template
        groups = [t for t in toks if t.tag == "G"]
        qual = {id(toks[i]) for i in self.qualified(sent, toks)}
        found = False
        for trig, role in self.triggers.get(schema.MEMBER_OF, ()):
            for tpos in _find_all(text, trig):
                found = True
                if role == "after":
                    before = [g for g in groups if g.end <= tpos]
                    after = [g for g in groups if g.start >= tpos + len(trig)]
                    grp, src = (before[-1], "sent-before") if before else \
                        (after[-1], "sent-after") if after else (None, "")
                    members = self._members(sent, [t for t in toks if t.start >= tpos + len(trig)
                                                   and not ADMIN_LISTING.search(text, tpos + len(trig), t.start)])
                    if grp is not None and grp.start > tpos:
                        members = [m for m in members if m.start < grp.start]
                    # the list ends where another grouping starts: 广州都市圈(包括…)、深圳都市圈(包括…)
                    nxt = next((g.start for g in groups if g.start >= tpos + len(trig)), None)
                    if nxt is not None:
                        members = [m for m in members if m.start < nxt]
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
                if grp is None and (_UNKNOWN_GROUP.search(text) or _UNKNOWN_SCOPE.search(text[:tpos + len(trig)])):
                    continue          # the list belongs to a grouping that is not a node
                if grp is None and trig in _NAMED_GROUP_ONLY:
                    continue          # 产业集群建设: a common verb makes members only of a grouping it names
                if trig == "辐射" and _INFLUENCE.match(text, tpos + len(trig)):
                    continue          # 辐射至/带动: influence reaching places, not their membership
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
                             f"gl={grp.label}", f"srcrole={src}-{role}", f"mlgl={m.ent.label}-{grp.label}"]
                    feats += _trig_feats(sent, tpos, trig, m) + qual_feats(m, qual) + [f"mglued={glued(sent, m)}"]
                    if gtok is not None:
                        feats += _between_feats(sent, m, gtok)
                    out.append(Pair(rel, m.ent, grp, "member", trig, feats))
        if not found and ctx_pending(ctx) is not None and sent.index - ctx.pending_group[1] <= 2:
            grp = ctx.pending_group[0]
            members = self._members(sent, toks)
            for m in members:
                out.append(Pair(_member_type(m.ent, grp), m.ent, grp, "member", "pending",
                                ["gsrc=pending", f"nlist={_bucket(len(members))}", f"ml={m.ent.label}",
                                 f"gl={grp.label}", *qual_feats(m, qual)]))
        return out

    # -- core ----------------------------------------------------------------------------------
    def core(self, sent: Sent, toks: list[Tok], topic: Entity | None) -> list[Pair]:
        out = []
        groups = [t for t in toks if t.tag == "G"]
        for trig, _ in self.triggers.get(schema.CORE_OF, ()):
            for tpos in _find_all(sent.template, trig):
                if _NOT_CORE.match(sent.template, tpos + len(trig)) or sent.template[tpos - 1:tpos] == "副":
                    continue      # 核心区 / 核心发展区 name a zone; 中心城市之一 is one of several; 副中心
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
    def coop(self, sent: Sent, toks: list[Tok], ctx: Context | None = None) -> list[Pair]:
        """Pairs of places near a cooperation trigger. A pair near several triggers is described by
        one: a ``pair`` word before a ``joint`` one, then the nearest (苏州、宿迁共建园区…共同富裕
        is read by 共建, not by 共同)."""
        best: dict[tuple, tuple] = {}
        out_ctx: list[Pair] = []
        for trig, role in self.triggers.get(schema.COOPERATES_WITH, ()):
            for tpos in _find_all(sent.template, trig):
                clause = _clause_of(sent, tpos)
                near = self._members(sent, [t for t in toks if t.tag in "PK" and abs(t.start - tpos) <= 60
                                            and clause - 1 <= t.clause <= clause])
                near = near[:8]
                if role == "pair" and near and near[0].start > tpos and ctx is not None:
                    out_ctx += self._coop_with_subject(sent, tpos, trig, near, ctx)
                for i, a in enumerate(near):
                    for b in near[i + 1:]:
                        if not a.ent.key or a.ent.key == b.ent.key:
                            continue
                        if self._within(a.ent, b.ent) or self._within(b.ent, a.ent):
                            continue      # a place does not cooperate with a unit it lies in
                        rank = (role != "pair", min(abs(a.start - tpos), abs(b.start - tpos)))
                        if (a.start, b.start) in best and best[(a.start, b.start)][0] <= rank:
                            continue
                        adjacent = toks.index(b) == toks.index(a) + 1
                        feats = [f"adj={adjacent}", f"nnear={_bucket(len(near))}",
                                 f"lvl={a.ent.label}-{b.ent.label}", *coordination_feats(sent, toks, a, b, tpos, role)]
                        feats += _between_feats(sent, a, b) + _trig_feats(sent, tpos, trig, a, b)
                        if a is near[0] and len(near) > 2:
                            feats.append("head_first")
                        best[(a.start, b.start)] = (rank, Pair(schema.COOPERATES_WITH, a.ent, b.ent, "coop", trig,
                                                               feats))
        return [p for _, p in best.values()] + out_ctx

    def _coop_with_subject(self, sent: Sent, tpos: int, trig: str, near: list[Tok], ctx: Context) -> list[Pair]:
        """携手德阳、眉山、资阳三市 with no place before the trigger: the paragraph's subject (or the
        last sentence's topic) cooperates with each place listed after it."""
        subj = (ctx.para_topic.get(sent.para) or (ctx.last_topic, None))[0]
        if subj is None or not subj.key or not subj.is_place:
            return []
        out = []
        for t in near:
            if t.ent.key and t.ent.key != subj.key and t.ent.is_place and not (
                    self._within(t.ent, subj) or self._within(subj, t.ent)):
                out.append(Pair(schema.COOPERATES_WITH, subj, t.ent, "coop", trig,
                                ["coord=ctx-subject", f"nnear={_bucket(len(near))}",
                                 f"lvl={subj.label}-{t.ent.label}"]))
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
                            if t.tag in PLACEISH and t.end <= min(ind.start, tpos) and not is_object(sent, t.start):
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
                        if not a.end <= tpos < b.start:
                            continue      # a move runs from one side of its trigger to the other
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
