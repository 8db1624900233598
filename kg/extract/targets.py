"""TARGETS: a plan (a ``⟦L⟧`` token) names places, groupings, parks or industries.

``tgt.title``: what the plan's own title names; ``tgt.scope``: what the sentence names after the
plan, where the plan frames the sentence (在《X》中, 《X》提出) or a scope word (范围, 包括, 涵盖)
stands between.
"""
from __future__ import annotations

import re

from kg.extract.template import TAGS, TOKEN, Hit, Sent
from kg.model import schema

TARGET_TAGS = "PGFKI"
_GROUP_LIST = re.compile(r"(⟦G\d+⟧)[^⟦。;；]{0,6}?(?:规划范围包括|范围包括|包括|涵盖|由)")
# the same, with the grouping's count or tier words between it and the list (共有五省30个城市,其中…包括)
_GROUP_SCOPE = re.compile(r"(⟦G\d+⟧)(?:共有|共|由|下辖|涵盖)[^⟦。;；]{0,30}?(?:包括|组成|构成)")
# A plan frames its sentence when it opens it (在《X》中, 根据《X》, 《X》提出/明确/支持 …): what the
# sentence then names is what the plan says. A plan that is the object of a verb (发布, 落实,
# 推进…实施) frames nothing, unless a verb follows it (会议发布的《X》提出).
_FRAME_BEFORE = re.compile(r"(?:的\s*[“「\"《]?$)|(?:^|[,，:：;；])\s*(?:例如|比如|其中|同时)?[,，]?\s*(?:在|根据|按照|依据|据|依照|对照)?\s*[“「\"《]?$")
_FRAME_AFTER = re.compile(r"^[》”」\"]*(?:\(以下简称[^)]*\))?\s*(?:中|里|则|还|也|更|明确|正式|进一步)?\s*"
                          r"(?:[,，:：]|提出|明确|指出|要求|规定|强调|支持|将|把|确定|部署|设定|划定|提到|显示|称|为|是)")
# A scope word between the plan and a place: the sentence says the plan covers it.
_SCOPE = re.compile(r"规划范围|范围|包括|包含|涵盖|覆盖|囊括|涉及|支持")


def _frames(sent: Sent, m: re.Match) -> bool:
    before = TOKEN.sub("X", sent.template[max(0, m.start() - 12):m.start()])
    return bool(_FRAME_BEFORE.search(before) and _FRAME_AFTER.match(sent.template[m.end():m.end() + 12]))


def targets(sent: Sent) -> list[Hit]:
    """``tgt.scope``: a 《plan》 targets what its title names (``tgt.title``), and what the sentence
    names after it (up to the next 《plan》) where the plan frames the sentence (在《X》中,
    《X》提出) or a scope word (范围, 包括, 涵盖) stands between the plan and the place.

    >>> [p for p in ("tgt.title", "tgt.scope")]
    ['tgt.title', 'tgt.scope']
    """
    out = []
    policies = [m for m in TOKEN.finditer(sent.template) if m.group(1) == "L"]
    for i, m in enumerate(policies):
        policy = sent.ent(m.group())
        scope_end = policies[i + 1].start() if i + 1 < len(policies) else len(sent.template)
        # a grouping's own list (北部湾城市群规划范围包括南宁市…) lists members, not targets
        own = _GROUP_LIST.search(sent.template, m.end(), scope_end)
        if own:
            scope_end = own.end(1)
        # 在《X》中,中原城市群共有…城市,…包括A、B: a grouping the sentence names lists them
        grouped = _GROUP_SCOPE.search(sent.template, m.end(), scope_end)
        if grouped:
            scope_end = grouped.end(1)
        inner = [e for e in sent.ents if policy.start <= e.start and e.end <= policy.end and e is not policy]
        for e in inner:
            if TAGS.get(e.label, "") in TARGET_TAGS:
                out.append(Hit(schema.TARGETS, policy, e, {"_tgt": "title"}, "tgt.title", 0.85))
        frame = _frames(sent, m)
        for t in TOKEN.finditer(sent.template, m.end(), scope_end):
            if t.group(1) not in TARGET_TAGS:
                continue
            between = sent.template[m.end():t.start()]
            scope = bool(_SCOPE.search(TOKEN.sub("", between)))
            if not (frame or scope):
                continue
            clauses = sum(1 for ch in between if ch in ",，;；:：")
            out.append(Hit(schema.TARGETS, policy, sent.ent(t.group()),
                           {"_tgt": f"after frame={frame} scope={scope} clauses={min(clauses, 3)}"},
                           "tgt.scope", 0.75))
    return out
