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

from kg.extract.pairtokens import (COUNT_NOUN, MAX_LIST, PLACEISH, Pair, Tok, _UNKNOWN_GROUP,  # noqa: F401
                                   _between_feats, _bucket, _clause_of, _find_all, _levels_fit,
                                   _member_type, _plain, _trig_feats, ctx_pending, document_topic,
                                   load_triggers, tokens)
from kg.extract.patterns import Context, Sent, _is_object, first_subject
from kg.extract.recognize import Entity
from kg.model import schema

_LOCATED = ("地处", "位于", "地处于", "坐落于", "坐落在", "地处于", "隶属", "隶属于", "属于", "属")
_LIST_SEP = ("、", "和", "及", "以及", "与", "同", ",", "，")
_BELOW_PROVINCE = ("地市", "城市", "市", "区", "县", "市一区", "市二区")
_RUN_SEP = ("", "、", ",", "，", "和", "及")


def _coordination(sent: Sent, toks: list[Tok], a: Tok, b: Tok, tpos: int, role: str = "pair") -> list[str]:
    """How two places stand in a coordinated list: ``run`` when only list separators lie between
    them (长沙、株洲、湘潭), ``with`` when the first is joined by 与/同 to a list holding the second
    (武汉与鄂州、孝感…), and whether the list ends right before the trigger (…等同城化).

    ``coord`` sums this up with the trigger's role (``pair``: the word states cooperation,
    合作/同城化/对口; ``joint``: a word that also joins places that only act together, 共同编制,
    功能协同), so the evidence of one trigger word serves the others of its role:
    ``coord=with-trig&pair`` (A与B、C等同城化: A with each), ``coord=run-trig&pair`` (A、B、C同城化:
    every pair), ``coord=inside&pair`` (B and C both after 与: not a pair)."""
    i, j = toks.index(a), toks.index(b)
    glued = [_glued(sent, t) for t in (a, b)]
    seps = [_plain(sent.template[toks[k].end:toks[k + 1].start]).strip() for k in range(i, j)]
    run = all(x in _LIST_SEP for x in seps)
    out = [f"run={run}", f"glued={glued[0]}-{glued[1]}", f"tclass={role}"]
    shape = "none"
    if run and seps and seps[0] in ("与", "同", "和") and all(x in ("、", "和", "及", "以及") for x in seps[1:]):
        out.append("with=head")
        shape = "with"
    elif run and len(seps) and any(x in ("与", "同") for x in seps):
        out.append("with=inside")
        shape = "inside"
    elif run:
        k0 = i
        while k0 > 0 and _plain(sent.template[toks[k0 - 1].end:toks[k0].start]).strip() in _LIST_SEP:
            k0 -= 1
        inside = any(_plain(sent.template[toks[k].end:toks[k + 1].start]).strip() in ("与", "同")
                     for k in range(k0, i))
        shape = "inside" if inside else "run"
    if run:
        k = j
        while k + 1 < len(toks) and _plain(sent.template[toks[k].end:toks[k + 1].start]).strip() in _LIST_SEP:
            k += 1
        tail = _plain(sent.template[toks[k].end:tpos]) if toks[k].end <= tpos else "x" * 9
        out.append(f"run_trig={len(tail) <= 3}")
        if len(tail) <= 3 and shape in ("with", "run"):
            shape += "-trig"
    out.append(f"coord={shape}&{role}")
    return out


def _qual_feats(t: Tok, qual: set) -> list[str]:
    """``qual`` and the member's level with it: a county under its city in an administrative
    listing is not the county a text names in passing (中心城区包含姑苏区…)."""
    q = id(t) in qual
    return [f"qual={q}", f"mlq={t.ent.label}-{q}"]


def _glued(sent: Sent, t: Tok) -> str:
    """``han`` when a place runs straight into other words (广州数控, 东莞鑫轩盛…: a firm's name),
    ``sep`` before punctuation or a function word, ``tok`` before another entity."""
    nxt = sent.template[t.end:t.end + 1]
    if not nxt or nxt in "、,，。;；:：和与及等的在是将为从到至同(（)）“”「」\" 市区县省":
        return "sep"
    if nxt == "⟦":
        return "tok"
    return "han" if "\u4e00" <= nxt <= "\u9fff" else "sep"


class PairFinder:
    """Proposes ``Pair`` candidates in one sentence; needs the graph for the backbone."""

    def __init__(self, g, gazetteer=None, places=None):
        from kg.model.resolve import PlaceIndex

        self.g = g
        self.gazetteer = gazetteer
        self.places = places or PlaceIndex(g)
        self.triggers = load_triggers()
        self._parents: dict[str, set] = {}
        self._region: dict[str, frozenset] = {}

    def province(self, node: str) -> str | None:
        """The province a place is in (a province or municipality is its own)."""
        if node not in self.g or not schema.is_place(self.g.nodes[node]):
            return None
        up = self.places.ancestors(node)
        return up[-1] if up else node

    def region(self, grp: str) -> frozenset:
        """The provinces of the places the graph already has in grouping ``grp`` (its members,
        core and the members of its parts)."""
        if grp not in self._region:
            out, todo, seen = set(), [grp], set()
            while todo:
                x = todo.pop()
                seen.add(x)
                for u, _, d in self.g.in_edges(x, data=True):
                    if d.get("type") not in (schema.MEMBER_OF, schema.CORE_OF, schema.PART_OF):
                        continue
                    if (p := self.province(u)) is not None:
                        out.add(p)
                    elif u not in seen:
                        todo.append(u)
            self._region[grp] = frozenset(out)
        return self._region[grp]

    def geo(self, member: Entity, grp: Entity) -> str:
        """``in`` where the member lies in a province the grouping already reaches, ``out`` where
        not, ``unknown`` where the graph knows no places of the grouping (or the member is not a
        Chinese place): membership checked against what the graph holds, as containment is
        checked against the backbone."""
        prov = self.province(member.id) if member.id else None
        reach = self.region(grp.id) if grp.id and grp.id in self.g else frozenset()
        if prov is None or not reach:
            return "unknown"
        return "in" if prov in reach else "out"

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
            qual = {id(toks[i]) for i in self.qualified(sent, toks)}
            for t in items:
                feats = [f"gsrc={src}", f"count={m.group(3)}", f"nlist={_bucket(len(items))}",
                         f"ml={t.ent.label}", f"gl={grp.label}", *_qual_feats(t, qual)]
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
            if gap in _LOCATED and self._child_of(a.ent, b.ent):     # 贺州市地处广西东部
                out.append(Pair(schema.BELONGS_TO, a.ent, b.ent, "contain", "located",
                                [f"cgap={gap}", "backbone=agrees", f"lv={a.ent.label}>{b.ent.label}"]))
                continue
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
    def qualified(self, sent: Sent, toks: list[Tok]) -> set[int]:
        """Indices of the places of an administrative listing that sit under their own parent,
        named earlier in the same run of places (甘肃省兰州市,白银市白银区、平川区: 兰州市 under
        甘肃省, 白银区 and 平川区 under 白银市): such a list names places by the backbone."""
        out, run = set(), []
        for i, t in enumerate(toks):
            if run and _plain(sent.template[toks[i - 1].end:t.start]).strip() not in _RUN_SEP:
                run = []
            if t.tag != "P":
                run = []
                continue
            if any(self._child_of(t.ent, toks[k].ent) for k in run):
                out.add(i)
            run.append(i)
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
            if t.ent.label == schema.PROVINCE and count and count.group(3) in _BELOW_PROVINCE:
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
                             f"gl={grp.label}", f"srcrole={src}-{role}", f"mlgl={m.ent.label}-{grp.label}"]
                    feats += _trig_feats(sent, tpos, trig, m) + _qual_feats(m, qual) + [f"mglued={_glued(sent, m)}"]
                    if gtok is not None:
                        feats += _between_feats(sent, m, gtok)
                    out.append(Pair(rel, m.ent, grp, "member", trig, feats))
        if not found and ctx_pending(ctx) is not None and sent.index - ctx.pending_group[1] <= 2:
            grp = ctx.pending_group[0]
            members = self._members(sent, toks)
            for m in members:
                out.append(Pair(_member_type(m.ent, grp), m.ent, grp, "member", "pending",
                                ["gsrc=pending", f"nlist={_bucket(len(members))}", f"ml={m.ent.label}",
                                 f"gl={grp.label}", *_qual_feats(m, qual)]))
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
        """Pairs of places near a cooperation trigger. A pair near several triggers is described by
        one: a ``pair`` word before a ``joint`` one, then the nearest (苏州、宿迁共建园区…共同富裕
        is read by 共建, not by 共同)."""
        best: dict[tuple, tuple] = {}
        for trig, role in self.triggers.get(schema.COOPERATES_WITH, ()):
            for tpos in _find_all(sent.template, trig):
                clause = _clause_of(sent, tpos)
                near = self._members(sent, [t for t in toks if t.tag in "PK" and abs(t.start - tpos) <= 60
                                            and clause - 1 <= t.clause <= clause])
                near = near[:8]
                for i, a in enumerate(near):
                    for b in near[i + 1:]:
                        if not a.ent.key or a.ent.key == b.ent.key:
                            continue
                        if self._child_of(a.ent, b.ent) or self._child_of(b.ent, a.ent):
                            continue
                        rank = (role != "pair", min(abs(a.start - tpos), abs(b.start - tpos)))
                        if (a.start, b.start) in best and best[(a.start, b.start)][0] <= rank:
                            continue
                        adjacent = toks.index(b) == toks.index(a) + 1
                        feats = [f"adj={adjacent}", f"nnear={_bucket(len(near))}",
                                 f"lvl={a.ent.label}-{b.ent.label}", *_coordination(sent, toks, a, b, tpos, role)]
                        feats += _between_feats(sent, a, b) + _trig_feats(sent, tpos, trig, a, b)
                        if a is near[0] and len(near) > 2:
                            feats.append("head_first")
                        best[(a.start, b.start)] = (rank, Pair(schema.COOPERATES_WITH, a.ent, b.ent, "coop", trig,
                                                               feats))
        return [p for _, p in best.values()]

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
