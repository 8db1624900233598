"""The backbone in the general mechanisms: parents, provinces, regions and containment stated in text.

``Backbone`` is the part of ``kg.extract.pairs.PairFinder`` that checks what a text says against
the graph's administrative tree: ``contain`` (江苏省南京市, 常州下辖的溧阳市, a list inheriting its
province, 青岛西海岸新区 LOCATED_IN 青岛), ``qualified`` (an administrative listing: a county under
its city), and ``geo`` (is a member in a province the grouping already reaches).

>>> Backbone.__name__
'Backbone'
"""
from __future__ import annotations

import re

from kg.extract.coordination import RUN_SEP
from kg.extract.pairtokens import LIST_GAPS, Pair, Tok, _levels_fit, between
from kg.extract.template import Sent
from kg.extract.recognize import Entity
from kg.model import schema

_LOCATED = ("地处", "位于", "地处于", "坐落于", "坐落在", "地处于", "隶属", "隶属于", "属于", "属")


# 现辖A、B5个市辖区 / 代管C市: a place's own units, listed under it
ADMIN_LISTING = re.compile(r"(?:下|现|管|所|分)?辖(?!区)|代管")
# what may stand between two units of such a listing: 5个市辖区,代管
_COUNTED_GAP = re.compile(r"[0-9一二三四五六七八九十两]+个[\u4e00-\u9fff]{1,4}[,，、;；]?(?:代管|下辖|辖)?")
# what a new area's scope or site is introduced by, in its own clause: ⟦K⟧,包括 / ⟦K⟧位于
_SCOPE_AFTER_AREA = re.compile(r"[^⟦。;；]{0,3}?((?:规划范围|范围)?(?:包括|涵盖|包含|位于|地处|横跨))")


class Backbone:
    """Backbone checks; the class using it sets ``g``, ``gazetteer``, ``places``, ``_parents``
    and ``_region``."""

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

    def _within(self, child: Entity, ancestor: Entity) -> bool:
        """``child`` lies in ``ancestor`` by the backbone, at any depth (广德市 in 安徽省)."""
        return bool(child.id and ancestor.id and child.id in self.g
                    and ancestor.id in self.places.ancestors(child.id))

    # -- containment -------------------------------------------------------------------------
    def contain(self, sent: Sent, toks: list[Tok]) -> list[Pair]:
        out = []
        for i in range(len(toks) - 1):
            a, b = toks[i], toks[i + 1]
            if a.tag != "P" or b.tag != "P":
                continue
            gap = between(sent, a, b)
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
                    if between(sent, toks[j - 1], toks[j]) not in LIST_GAPS:
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
        out += self._listing(sent, toks, {(p.head.key, p.tail.key) for p in out})
        for t in toks:
            if t.tag != "K" or not t.ent.id or t.ent.label != schema.NATIONAL_NEW_AREA:
                continue
            out += self._new_area_place(sent, toks, t)
            out += self._new_area_scope(sent, toks, t)
        return out

    def _new_area_scope(self, sent: Sent, toks: list[Tok], t: Tok) -> list[Pair]:
        """湖南湘江新区,包括长沙市岳麓区、望城区和湘潭市…: the places a new area's scope lists, or
        where it 位于, are where it is located."""
        idx = toks.index(t)
        m = _SCOPE_AFTER_AREA.match(sent.template, t.end)
        nxt = toks[idx + 1] if idx + 1 < len(toks) else None
        if m is None or nxt is None or nxt.start < m.end() or any(
                u.tag in "GK" for u in toks[idx + 1:] if u.start < m.start()):
            return []
        run = [nxt]
        for a, b in zip(toks[idx + 1:], toks[idx + 2:]):
            if b.tag != "P" or between(sent, a, b) not in LIST_GAPS + ("的部分区域和", "部分区域和", "的部分区域、"):
                break
            run.append(b)
        return [Pair(schema.LOCATED_IN, t.ent, p.ent, "contain", "newarea-scope",
                     ["cgap=newarea-scope", f"trig={m.group(1)}", f"lv=K>{p.ent.label}"])
                for p in run if p.tag == "P" and p.ent.id]

    def _listing(self, sent: Sent, toks: list[Tok], seen: set) -> list[Pair]:
        """辽阳市…现辖白塔区、文圣区…5个市辖区,代管灯塔市: the units listed after 辖/代管 belong to
        the place named before it, where the backbone agrees."""
        out = []
        for m in ADMIN_LISTING.finditer(sent.template):
            before = [t for t in toks if t.tag == "P" and t.end <= m.start()]
            first = next((i for i, t in enumerate(toks) if t.start >= m.end()), None)
            if first is None:
                continue
            last = first
            while last + 1 < len(toks) and toks[last + 1].tag == "P" and (
                    (gap := between(sent, toks[last], toks[last + 1])) in LIST_GAPS or _COUNTED_GAP.fullmatch(gap)):
                last += 1
            run = toks[first:last + 1]
            for c in run:
                parent = next((p for p in reversed(before) if self._child_of(c.ent, p.ent)), None)
                if c.tag == "P" and parent is not None and (c.ent.key, parent.ent.key) not in seen:
                    seen.add((c.ent.key, parent.ent.key))
                    out.append(Pair(schema.BELONGS_TO, c.ent, parent.ent, "contain", "listing",
                                    ["cgap=listing", "backbone=agrees", f"lv={c.ent.label}>{parent.ent.label}"]))
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
            if run and between(sent, toks[i - 1], t).strip() not in RUN_SEP:
                run = []
            if t.tag != "P":
                run = []
                continue
            if any(self._child_of(t.ent, toks[k].ent) for k in run):
                out.add(i)
            run.append(i)
        return out
