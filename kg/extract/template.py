"""The entity template of a sentence, which the relation patterns and pair features read.

A sentence becomes a *template*: every recognised entity is a token ``⟦<tag><n>⟧`` (tag ``P``
place, ``F`` foreign region, ``G`` cluster / metro circle / corridor, ``K`` park / new area / zone,
``I`` industry, ``L`` policy, ``O`` organisation; ``n`` its index in the sentence). ``Sent`` holds
it with the map back to document offsets, ``Context`` what a document has said so far (its topic,
its last grouping), and ``subject_before`` finds the subject of a trigger: the nearest place-like
token before it that is not the object of a preposition (与上海, 承接上海 are objects), failing
that a pronoun (它, 其, 当地) pointing at the last topic, or the topic the paragraph opened with.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.extract.recognize import Entity
from kg.model import schema

TAGS = {schema.PROVINCE: "P", schema.CITY: "P", schema.COUNTY: "P", schema.FOREIGN_REGION: "F",
        schema.CITY_CLUSTER: "G", schema.METRO_CIRCLE: "G", schema.CORRIDOR: "G",
        schema.INDUSTRIAL_PARK: "K", schema.NATIONAL_NEW_AREA: "K",
        schema.DEMONSTRATION_ZONE: "K", schema.INDUSTRY: "I", schema.POLICY: "L",
        schema.ORGANIZATION: "O"}
TOKEN = re.compile(r"⟦([A-Z])(\d+)⟧")


def tok(tags: str) -> str:
    return rf"⟦[{tags}]\d+⟧"


S = tok("PFK")           # anything that can be a subject: place, foreign region, park
# Before a token, these make it an object rather than a subject.
OBJECT_BEFORE = re.compile(r"(与|和|同|跟|向|对|对接|承接|紧邻|邻近|在|从|到|至|比|如|辐射|带动|吸引|以|为|通过|"
                            r"及|、|属|属于|于|将|把|联合|牵头|串起|串联|包含|包括|涵盖|由|赴|来自|"
                            r"围绕|沿|借力|依托|学习|模仿)[「“\"]?$")
PRONOUN = re.compile(r"(它|其|该市|该区|该县|当地|这座城市|这里)")
GROUP_ENDINGS = ("城市群", "都市圈", "走廊", "经济带", "湾区", "城市带", "创新带")


@dataclass
class Sent:
    """One sentence ready for the patterns."""
    index: int
    start: int            # offsets into the document text
    end: int
    para: int
    text: str             # simplified sentence text
    ents: list[Entity]
    template: str
    tmap: list[int]       # template index -> document offset

    def ent(self, token: str) -> Entity:
        return self.ents[int(TOKEN.fullmatch(token).group(2))]

    def ents_in(self, part: str | None) -> list[Entity]:
        return [self.ents[int(m.group(2))] for m in TOKEN.finditer(part or "")]

    def tag_at(self, tpos: int) -> str:
        return self.template[tpos + 1]


def make_sent(index: int, start: int, end: int, para: int, text: str,
              ents: list[Entity]) -> Sent:
    """Template of ``text[start:end]`` with ``ents`` (inside the sentence) as tokens.

    Entities nested in another (a place inside a policy title) stay in ``ents``
    but get no token of their own.

    >>> e = Entity(3, 5, "武汉", "City", ("420100",), "420100", 1.0, "name")
    >>> make_sent(0, 0, 6, 0, "研发在武汉。", [e]).template
    '研发在⟦P0⟧。'
    """
    inside = [e for e in ents if start <= e.start and e.end <= end and e.label in TAGS]
    parts, tmap, pos = [], [], start
    for i, e in enumerate(inside):
        if e.start < pos:      # nested inside the previous token
            continue
        parts.append(text[pos:e.start])
        tmap.extend(range(pos, e.start))
        token = f"⟦{TAGS[e.label]}{i}⟧"
        parts.append(token)
        tmap.extend([e.start] * len(token))
        pos = e.end
    parts.append(text[pos:end])
    tmap.extend(range(pos, end + 1))
    return Sent(index, start, end, para, text[start:end], inside, "".join(parts), tmap)


@dataclass
class Hit:
    """One relation found in one sentence (before it becomes a candidate)."""
    type: str
    head: Entity
    tail: Entity
    props: dict
    pattern: str
    confidence: float
    from_offset: int | None = None   # evidence starts earlier (subject in a previous sentence)


@dataclass
class Context:
    """What the patterns remember across the sentences of one document."""
    last_topic: Entity | None = None
    para_topic: dict = field(default_factory=dict)
    last_topic_sentence: int | None = None
    last_group: Entity | None = None           # the last cluster / metro circle / corridor named
    last_group_sentence: int | None = None
    pending_group: tuple | None = None         # (grouping, sentence index): a heading before its list

    def update(self, sent: Sent) -> None:
        groups = [e for e in sent.ents if TAGS.get(e.label) == "G" or
                  (TAGS.get(e.label) == "F" and e.surface.endswith(GROUP_ENDINGS))]
        if groups:
            self.last_group, self.last_group_sentence = groups[-1], sent.start
        subj = first_subject(sent)
        if subj is not None:
            self.last_topic, self.last_topic_sentence = subj, sent.start
            if sent.para not in self.para_topic and sent.tmap[token_pos(sent, subj)] - sent.start <= 12:
                self.para_topic[sent.para] = (subj, sent.start)


def token_pos(sent: Sent, e: Entity) -> int:
    return sent.template.index(f"⟦{TAGS[e.label]}{sent.ents.index(e)}⟧")


def is_object(sent: Sent, tpos: int) -> bool:
    return bool(OBJECT_BEFORE.search(sent.template[max(0, tpos - 4):tpos]))


def refine_subject(sent: Sent, m: re.Match) -> Entity:
    """湖南宁乡市: a place right after its own province is the subject."""
    e = sent.ent(m.group())
    nxt = TOKEN.match(sent.template, m.end())
    if nxt and nxt.group(1) == "P":
        other = sent.ent(nxt.group())
        if other.id and e.id and e.label == schema.PROVINCE and other.label != schema.PROVINCE:
            return other
    return e


def first_subject(sent: Sent) -> Entity | None:
    for m in re.finditer(S, sent.template):
        if not is_object(sent, m.start()):
            return refine_subject(sent, m)
    return None


def subject_before(sent: Sent, tpos: int, ctx: Context) -> tuple[Entity | None, float, int | None]:
    """(subject, confidence factor, offset where the evidence starts) for a trigger at ``tpos``."""
    best = None
    for m in re.finditer(S, sent.template[:tpos]):
        if not is_object(sent, m.start()):
            best = m
    if best is not None:
        # skip back over a province directly followed by its place (湖南宁乡市)
        return refine_subject(sent, best), 1.0, None
    before = TOKEN.sub("", sent.template[:tpos])
    if PRONOUN.search(before) and ctx.last_topic is not None:
        return ctx.last_topic, 0.95, ctx.last_topic_sentence
    if not re.search(S, sent.template) and sent.para in ctx.para_topic:
        subj, at = ctx.para_topic[sent.para]
        if at != sent.start:
            return subj, 0.85, at
    return None, 0.0, None
