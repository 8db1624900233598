"""Relation patterns over sentences: each has an id, a regular expression and an example.

A sentence is first turned into a *template* (``kg.extract.template``): every recognised
entity becomes a token ``⟦<tag><n>⟧``. Patterns are regular expressions over the template, so ``研发在⟦P0⟧、生产在⟦P1⟧`` reads "研发在武汉、生产在鄂州".

Where a pattern has no subject of its own (聚焦…, 打造…产业集群) the subject is
the nearest place-like token before the trigger that is not the object of a
preposition (与上海, 承接上海, 紧邻上海 are objects); failing that a pronoun
(它, 其, 当地) points at the last topic, and a sentence with no place at all
inherits the topic its paragraph opened with (at lower confidence).

TARGETS (a plan naming places) are read apart, by ``kg.extract.targets``. Every pattern
is listed in ``PATTERNS`` with a documented example; the test
suite runs each example against the graph and checks the relation it must give.

>>> [p.id for p in PATTERNS if p.type == "SPILLOVER_TO"]
['spill.pair', 'spill.pair-after', 'spill.absorb', 'spill.shift']
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from kg.extract.recognize import ABBR, Entity
from kg.extract.targets import targets
from kg.extract.template import S, TOKEN, Context, Hit, Sent, subject_before, tok
from kg.model import schema

P, F, G, K, I, L = tok("P"), tok("F"), tok("GF"), tok("K"), tok("I"), tok("L")
S = tok("PFK")           # anything that can be a subject: place, foreign region, park
SEP = r"(?:、|,|，|和|与|及|以及|、以及|或)"


def lst(t: str, sep: str = SEP) -> str:
    """A list of tokens: ⟦P0⟧、⟦P1⟧和⟦P2⟧."""
    return rf"{t}(?:\s*{sep}\s*{t})*"


IL = lst(I)
IL_PLUS = lst(I, rf"(?:{SEP}|[+＋])")
# A looser list: industries mixed with items that are not nodes (集成电路、新型显示和人工智能).
_ITEM = rf"(?:{I}|[^,，。;；⟦、和与及等]{{1,8}}?)"
ILX = rf"(?:[^,，。;；⟦、和与及等]{{1,8}}?{SEP}\s*)?{I}(?:\s*{SEP}\s*{_ITEM})*"
GAP = r"[^。;；⟦]"         # text inside one clause chain, no entity
FREE = r"[^。;；]"         # anything inside the sentence
NUM_BIG = r"(?:[\d一二三四五六七八九十两]+大)"
ABBR_RUN = "[" + "".join(ABBR) + "]{2,5}"
_NEGATION = re.compile(r"(不|未|没有|并非|而非|不再)[^,，]{0,3}$")


# --- the patterns --------------------------------------------------------------------------

@dataclass(frozen=True)
class Pattern:
    id: str
    type: str              # relationship type (the handler may refine it)
    regex: str
    confidence: float
    handler: str           # how groups become (head, tail) pairs, see _HANDLERS
    example: str           # a sentence the pattern reads ...
    expect: tuple[str, str]  # ... and the (head, tail) surfaces it must give
    doc: str = ""


PATTERNS: list[Pattern] = [
    # SPILLOVER_TO: a core city's function moves out to another place.
    Pattern("spill.pair", schema.SPILLOVER_TO,
            rf"(?P<f1>研发|总部|创新|设计|科创|孵化|高端研发与总部功能|总部功能)在(?P<a>{P})\s*[、,，]\s*"
            rf"(?P<f2>生产|基地|制造|转化|产业化|加工|组装|核心制造|生产基地|制造基地)在(?P<b>{P}|{ABBR_RUN})",
            0.9, "pair", "这种关系体现为「研发在武汉、生产在鄂州」的功能疏解模式。", ("武汉", "鄂州"),
            "X在A、Y在B: division of labour, A keeps X and B takes Y (function X→Y)"),
    Pattern("spill.pair-after", schema.SPILLOVER_TO,
            rf"(?P<a>{P})(?P<f1>研发|设计|创新|总部)\s*[、,，+＋]\s*(?P<b>{P})(?P<f2>制造|生产|转化|组装|产业化)",
            0.85, "pair", "深圳研发、东莞制造的模式日益成熟。", ("深圳", "东莞"),
            "A研发、B制造: the same division of labour, functions after the places"),
    Pattern("spill.absorb", schema.SPILLOVER_TO,
            rf"承接(?P<a>{P})(?P<what>{GAP}{{0,12}}?)(?:外溢|溢出|疏解|转移|辐射)",
            0.8, "absorb", "昆山市敏锐承接上海科创资源外溢。", ("上海", "昆山市"),
            "B承接A…外溢/疏解/转移: the subject B takes what spills over from A"),
    Pattern("spill.shift", schema.SPILLOVER_TO,
            rf"(?P<a>{P})(?P<what>{GAP}{{0,12}}?)(?:向|往)(?P<b>{P})(?:外溢|疏解|转移|外迁|扩散)",
            0.8, "pair", "推动上海部分制造功能向南通转移。", ("上海", "南通"),
            "A…向B疏解/转移: A's functions move to B"),
    # MEMBER_OF / CORE_OF / PART_OF
    Pattern("mem.core-of", schema.CORE_OF,
            rf"以(?P<a>{P})为(?:核心|中心|龙头|核心城市|中心城市)的(?P<b>{G})",
            0.9, "a_b", "以上海为核心的长三角城市群,通过密集的高铁网络。", ("上海", "长三角城市群"),
            "以A为核心的G: A is the core of grouping G"),
    Pattern("mem.core-later", schema.CORE_OF,
            rf"(?P<b>{G})(?:{GAP}{{0,24}}?)以(?P<a>{P})为(?:核心|中心|龙头)(?:[,，]?\s*(?:辐射|带动|联动|包括|包含|涵盖)"
            rf"(?P<m>{lst(P)}))?",
            0.85, "core_members", "上海大都市圈,面积约5.6万平方公里,以上海为核心,辐射苏州、无锡、南通等周边城市。",
            ("上海", "上海大都市圈"),
            "G…以A为核心(,辐射B、C): A is G's core; B and C (radiated) are members"),
    Pattern("mem.contains", schema.MEMBER_OF,
            rf"(?P<b>{G})(?:{GAP}{{0,16}}?)(?:包含|包括|涵盖|囊括|覆盖)(?:了)?(?P<a>{lst(tok('PGF'))})",
            0.85, "members", "京津冀城市群就涵盖了北京都市圈、天津都市圈和石家庄都市圈。",
            ("北京都市圈", "京津冀城市群"),
            "G包含/涵盖A、B: members (a metro circle in a cluster is PART_OF)"),
    Pattern("mem.composed", schema.MEMBER_OF,
            rf"(?P<b>{G})(?:{GAP}{{0,12}}?)由(?P<a>{lst(tok('PF'))})(?:{FREE}{{0,24}}?)(?:组成|构成|串联而成|组合而成)",
            0.85, "members", "硅谷是由旧金山、圣何塞、奥克兰等城市共同组成的创新集群。", ("旧金山", "硅谷"),
            "G由A、B…组成/构成: members"),
    Pattern("mem.composed-it", schema.MEMBER_OF,
            rf"^(?:{GAP}{{0,6}}?)(?:它|其)(?:{GAP}{{0,4}}?)由(?P<a>{lst(tok('PF'))})(?:{FREE}{{0,24}}?)"
            rf"(?:组成|构成|串联而成|组合而成)",
            0.8, "last_group_members", "得州「三角」城市群正在强势崛起。它由达拉斯-沃斯堡、休斯敦、圣安东尼奥以及奥斯汀这四大都会区构成。",
            ("休斯敦", "得州「三角」城市群"), "它由A、B…构成: members of the grouping named last"),
    Pattern("mem.core-as", schema.CORE_OF,
            rf"作为(?P<b>{G})?(?:的)?(?:都市圈|城市群)?(?:的)?(?:核心|中心)(?:城市)?的(?P<a>{P})",
            0.8, "core_as", "数据显示,武汉都市圈内部的产业关联度已达75%。作为都市圈中心的武汉。",
            ("武汉", "武汉都市圈"), "作为(G)(都市圈)中心的A: A is the core of G (or of the grouping named last)"),
    Pattern("mem.chain", schema.MEMBER_OF,
            rf"(?P<b>{G})(?:{GAP}{{0,30}}?)(?:串联|串起|串接|联结)(?:了)?(?P<a>{lst(tok('PF'))})",
            0.8, "members", "M4科创走廊由伦敦出发向西,串联斯劳、雷丁、斯温顿等城市。", ("斯劳", "M4科创走廊"),
            "G…串联/串起A、B: places along a corridor"),
    Pattern("mem.node", schema.MEMBER_OF,
            rf"(?P<a>{S})作为(?P<b>{G})的(?:重要|关键|核心)?(?:连接点|节点城市|节点|成员|组成部分|一员)",
            0.85, "a_b", "普陀区作为沪宁产业创新带的重要连接点,串起上海、南京。", ("普陀区", "沪宁产业创新带"),
            "A作为G的(重要)节点/成员: A is a member of G"),
    Pattern("mem.part", schema.PART_OF,
            rf"(?:(?P<b>{G})(?:{FREE}{{0,40}}?))?作为其(?:重要)?组成部分的(?P<a>{G})",
            0.8, "part_of", "长三角城市群包含20个城市;而作为其组成部分的上海大都市圈,面积约5.6万平方公里。",
            ("上海大都市圈", "长三角城市群"), "G…作为其组成部分的H: H is part of G"),
    Pattern("mem.belongs", schema.MEMBER_OF,
            rf"(?P<a>{tok('PF')})[(（]?(?:属|属于|隶属)(?P<b>{G})",
            0.85, "a_b", "总部位于爱知县丰田市(属名古屋都市圈)。", ("丰田市", "名古屋都市圈"),
            "A(属G): A belongs to G"),
    # COOPERATES_WITH
    Pattern("coop.lead", schema.COOPERATES_WITH,
            rf"(?P<a>{S})(?:{GAP}{{0,6}}?)(?:牵头|联合|携手|会同)(?P<b>{lst(P)})(?:{FREE}{{0,30}}?)"
            rf"(?:成立|组建|共建|签署|建立|发起)(?:{FREE}{{0,30}}?)(?:联盟|合作|平台|协议|共同体|机制)",
            0.85, "a_each_b", "普陀区主动牵头南京、无锡等城市成立“沿沪宁产业创新带七市一区联盟”。",
            ("普陀区", "南京"), "A牵头/联合B、C…成立…联盟/平台: A cooperates with each"),
    Pattern("coop.with", schema.COOPERATES_WITH,
            rf"(?P<a>{S})(?:{GAP}{{0,20}}?)与(?P<b>{lst(P)})(?:的)?(?:{GAP}{{0,12}}?)"
            rf"(?:共建|合作|协同分工|协同发展|结对|对口合作|一体化发展)",
            0.75, "a_each_b", "鹤壁专注核心部件制造,与郑州的整星研发形成协同分工。", ("鹤壁", "郑州"),
            "A…与B…共建/合作/协同分工: A cooperates with B"),
    # SPECIALIZES_IN: a stated leading or advantaged industry.
    Pattern("spec.focus", schema.SPECIALIZES_IN,
            rf"(?:聚焦|专注于?|深耕|主攻)(?:{GAP}{{0,10}}?)(?P<b>{ILX})",
            0.85, "subject_b", "湖南宁乡市的转型值得关注。当地聚焦储能领域发力。", ("宁乡市", "储能"),
            "(subject)聚焦/专注/深耕 I: the subject's focus industries"),
    Pattern("spec.cluster", schema.SPECIALIZES_IN,
            rf"(?:打造|形成|带动|构建起?|培育出|建成|壮大)(?:{GAP}{{0,20}}?)(?P<b>{IL})(?:链|(?:等)?(?:{GAP}{{0,10}}?)"
            rf"(?:产业集群|集群|产业链|产业板块|板块|之都|产业高地|高地))",
            0.8, "subject_b", "龙岗区带动网络通信、超高清视频、智能终端三大千亿级产业集群。", ("龙岗区", "网络通信"),
            "(subject)打造/形成/带动…I…产业集群/产业链/之都"),
    Pattern("spec.lead", schema.SPECIALIZES_IN,
            rf"以[“「\"]?(?P<b>{IL_PLUS})[”」\"]?(?:等)?{NUM_BIG}?(?:核心|主导|支柱|优势|特色|先导|重点)?产业为"
            rf"(?:引领|主导|核心|支撑|特色)",
            0.85, "subject_b", "龙岗区已构建起以“信息技术+生物技术+低碳”三大核心产业为引领的现代化产业体系。",
            ("龙岗区", "信息技术"), "(subject)以I+J三大核心产业为引领"),
    Pattern("spec.role", schema.SPECIALIZES_IN,
            rf"(?P<b>{IL})(?:等)?{NUM_BIG}?(?:核心|主导|支柱|优势|特色|先导)产业",
            0.85, "subject_b", "浦东新区集成电路、生物医药、人工智能三大先导产业规模突破8000亿元。",
            ("浦东新区", "集成电路"), "(subject)I、J三大先导/主导/支柱产业"),
    Pattern("spec.value", schema.SPECIALIZES_IN,
            rf"(?P<a>{S})(?P<b>{I})(?:产业|集群|产业集群)?(?:产值|规模|增加值|营收|营业收入)",
            0.8, "a_each_b", "推动张掖氢能装备产值实现跨越式增长。", ("张掖", "氢能装备"),
            "A I产值/规模/增加值: a stated output of A's industry I"),
    Pattern("spec.become", schema.SPECIALIZES_IN,
            rf"(?:成为|成长为|跃升为|建设成为|发展成为|崛起为)(?:[^,，。;；⟦]|{P}){{0,12}}?(?P<b>{IL})"
            rf"(?:{GAP}{{0,8}}?)(?:基地|枢纽|中心|之都|高地|重镇|集聚区)",
            0.8, "subject_b", "这一系列举措推动宁乡市逐步成长为中部地区重要的储能装备生产基地。",
            ("宁乡市", "储能装备"), "(subject)成长为/跃升为…I…基地/枢纽/中心"),
    Pattern("spec.center", schema.SPECIALIZES_IN,
            rf"(?:作为|是|为)(?:{GAP}{{0,12}}?)[「“\"]?(?P<b>{I})(?:与[^,，。;；⟦]{{1,4}})?[」”\"]?"
            rf"(?:中心|枢纽|之都|重镇)",
            0.8, "subject_b", "纽约作为全球金融中心,聚集了华尔街和联合国总部。", ("纽约", "金融"),
            "(subject)作为/是…I中心/枢纽/之都"),
    Pattern("spec.functions", schema.SPECIALIZES_IN,
            rf"(?:集聚|聚集)(?P<b>{I})(?:、[^,，。;；⟦]{{1,10}})*(?:等)?(?:核心)?功能",
            0.7, "subject_b", "东京都市圈作为全球城市,集聚金融、总部经济、高端科技研发等核心功能。",
            ("东京都市圈", "金融"), "(subject)集聚I、…等核心功能"),
    Pattern("spec.known", schema.SPECIALIZES_IN,
            rf"以(?:其)?(?:{GAP}{{0,10}}?)(?P<b>{ILX})(?:产业)?(?:[^,，。;；⟦]{{0,3}}?)(?:为(?:核心竞争力|特色|主导|支柱)|见长)",
            0.8, "subject_b", "费城以医疗教育见长。", ("费城", "医疗"),
            "(subject)以I为特色/核心竞争力, 以I见长"),
    Pattern("spec.thrive", schema.SPECIALIZES_IN,
            rf"以其(?:{GAP}{{0,8}}?)(?P<b>{IL})(?:产业)?[,，]\s*(?:崛起|成为|跻身)",
            0.75, "subject_b", "奥斯汀以其蓬勃发展的半导体和软件产业,崛起为科技创新新星。", ("奥斯汀", "半导体"),
            "(subject)以其…I产业,崛起为…"),
    Pattern("spec.domain", schema.SPECIALIZES_IN,
            rf"在(?P<b>{IL})(?:产业)?(?:领域|方面)(?:也)?(?:占有|占据|具有|保持|展现出?)",
            0.75, "subject_b", "休斯敦在航天和医疗产业领域也占有重要地位。", ("休斯敦", "航天"),
            "(subject)在I领域占有重要地位"),
    Pattern("spec.possessive", schema.SPECIALIZES_IN,
            rf"(?:{S}的{I}(?:产业)?(?:[+＋]{I})*\s*[、,，]\s*)+{S}的{I}(?:产业)?(?:[+＋]{I})*",
            0.8, "possessive", "昆山市的电子信息、宁乡市的储能产业、鹤壁的新材料+商业卫星等等,这些中小城市的特色发展。",
            ("鹤壁", "商业卫星"), "A的I、B的J…: a list of places with their specialities"),
    Pattern("spec.as", schema.SPECIALIZES_IN,
            rf"作为(?P<b>{I})(?:产业)?(?:集聚区|基地|重镇|高地)[,，]\s*(?P<a>{S})",
            0.8, "a_each_b", "作为汽车产业集聚区,武汉开发区又被称为“车谷”。", ("武汉开发区", "汽车产业"),
            "作为I集聚区,A: A is an I cluster"),
    Pattern("spec.respectively", schema.SPECIALIZES_IN,
            rf"(?P<a>{lst(S)})分别(?:{FREE}{{0,16}}?)(?P<b>{IL})",
            0.8, "respectively", "光谷生物城、深圳湾科技生态园分别依靠在合成生物、生成式人工智能领域的强劲表现。",
            ("光谷生物城", "合成生物"), "A、B分别…I、J: pairs in order (counts must agree)"),
    Pattern("spec.rely", schema.SPECIALIZES_IN,
            rf"依托(?P<b>{IL})(?:产业)?(?:集群|产业集群)?(?=形成|打造|建设|发展)",
            0.75, "subject_b", "杭州未来科技城依托数字产业集群形成创新策源地。", ("杭州未来科技城", "数字产业集群"),
            "(subject)依托I产业集群"),
    Pattern("spec.develop", schema.SPECIALIZES_IN,
            rf"(?<!重点)(?<!大力)(?<!加快)(?:为抓手|主导产业为|主导产业是)?发展(?P<b>{IL})(?![^,，。;；]{{0,4}}(?:等前沿|领域))",
            0.7, "subject_b", "昆山市以「江南水乡生活体验区」为抓手发展文旅。", ("昆山市", "文旅"),
            "(subject)发展I (not 重点发展/大力发展, which are plans)"),
    # PLANS_INDUSTRY: an industry named as a development priority.
    Pattern("plan.aim", schema.PLANS_INDUSTRY,
            rf"瞄准(?:{GAP}{{0,8}}?)(?P<b>{IL})", 0.8, "subject_b",
            "钱塘区瞄准世界级智能制造产业集群发展方向。", ("钱塘区", "智能制造产业"),
            "(subject)瞄准…I"),
    Pattern("plan.push", schema.PLANS_INDUSTRY,
            rf"(?:推动|促进|引导|支持)(?P<b>{IL})(?:等)?(?:{I})?(?:{GAP}{{0,6}}?)(?:集聚发展|集聚|加快发展|发展壮大)",
            0.75, "subject_b", "光明区推动人工智能、合成生物等未来产业集聚发展。", ("光明区", "人工智能"),
            "(subject)推动I、J等…集聚发展"),
    Pattern("plan.attract", schema.PLANS_INDUSTRY,
            rf"吸引(?P<b>{IL})(?:等)?(?:产业)?(?:集聚|落户|入驻)", 0.75, "subject_b",
            "江北新区吸引先进制造业、现代服务业等产业集聚。", ("江北新区", "先进制造业"),
            "(subject)吸引I、J等产业集聚"),
    Pattern("plan.priority", schema.PLANS_INDUSTRY,
            rf"(?:重点发展|大力发展|加快发展|重点布局|培育壮大|规划发展)(?P<b>{ILX})", 0.75, "subject_b",
            "南京市重点发展集成电路、生物医药。", ("南京市", "集成电路"),
            "(subject)重点发展/大力发展I"),
]


# --- handlers: regex match -> (head, tail, props, confidence factor, from_offset) -----------

def _pair(sent: Sent, m: re.Match, ctx: Context):
    heads = sent.ents_in(m.group("a"))
    tails = sent.ents_in(m.group("b")) or _abbr_ents(sent, m, "b")
    props = {}
    if "f1" in m.groupdict() and m.group("f1"):
        props["function"] = f"{m.group('f1')}→{m.group('f2')}"
    elif m.groupdict().get("what"):
        props["function"] = m.group("what").strip()
    return [(h, t, props, 1.0, None) for h in heads for t in tails]


def _abbr_ents(sent: Sent, m: re.Match, group: str) -> list[Entity]:
    out = []
    for k in range(m.start(group), m.end(group)):
        ch, at = sent.template[k], sent.tmap[k]
        code = ABBR.get(ch)
        if code:
            out.append(Entity(at, at + 1, ch, schema.PROVINCE, (code,), code, 0.9,
                              "province abbreviation", {"kind": "abbreviation"}))
    return out


def _absorb(sent: Sent, m: re.Match, ctx: Context):
    subj, factor, at = subject_before(sent, m.start(), ctx)
    if subj is None:
        return []
    what = m.group("what").strip()
    return [(a, subj, {"function": what} if what else {}, factor, at)
            for a in sent.ents_in(m.group("a"))]


def _a_b(sent: Sent, m: re.Match, ctx: Context):
    return [(a, b, {}, 1.0, None) for a in sent.ents_in(m.group("a")) for b in sent.ents_in(m.group("b"))]


_a_each_b = _a_b


def _members(sent: Sent, m: re.Match, ctx: Context):
    return [(a, b, {}, 1.0, None) for a in sent.ents_in(m.group("a")) for b in sent.ents_in(m.group("b"))]


def _core_members(sent: Sent, m: re.Match, ctx: Context):
    group = sent.ents_in(m.group("b"))[0]
    out = [(a, group, {}, 1.0, None) for a in sent.ents_in(m.group("a"))]
    out += [(x, group, {"_type": schema.MEMBER_OF}, 0.85, None) for x in sent.ents_in(m.group("m"))]
    return out


def _last_group_members(sent: Sent, m: re.Match, ctx: Context):
    if ctx.last_group is None:
        return []
    return [(a, ctx.last_group, {}, 0.95, ctx.last_group_sentence) for a in sent.ents_in(m.group("a"))]


def _part_of(sent: Sent, m: re.Match, ctx: Context):
    named = sent.ents_in(m.group("b"))
    whole, factor, at = (named[0], 1.0, None) if named else (ctx.last_group, 0.9, ctx.last_group_sentence)
    if whole is None:
        return []
    return [(a, whole, {}, factor, at) for a in sent.ents_in(m.group("a"))]


def _core_as(sent: Sent, m: re.Match, ctx: Context):
    named = sent.ents_in(m.group("b"))
    if named:
        return [(a, named[0], {}, 1.0, None) for a in sent.ents_in(m.group("a"))]
    kind = "都市圈" if "都市圈" in m.group() else "城市群" if "城市群" in m.group() else None
    group = ctx.last_group
    if group is None or kind is None or not group.surface.endswith(kind):
        return []
    return [(a, group, {}, 0.9, ctx.last_group_sentence) for a in sent.ents_in(m.group("a"))]


def _subject_b(sent: Sent, m: re.Match, ctx: Context):
    head = m.group("a") if "a" in m.groupdict() and m.group("a") else None
    if head:
        subj, factor, at = sent.ent(head), 1.0, None
    else:
        subj, factor, at = subject_before(sent, m.start(), ctx)
    if subj is None or _NEGATION.search(TOKEN.sub("", sent.template[max(0, m.start() - 6):m.start()])):
        return []
    return [(subj, b, {}, factor, at) for b in sent.ents_in(m.group("b"))]


def _possessive(sent: Sent, m: re.Match, ctx: Context):
    out, subj = [], None
    for t in TOKEN.finditer(m.group()):
        e = sent.ents[int(t.group(2))]
        if t.group(1) in "PFK":
            subj = e
        elif t.group(1) == "I" and subj is not None:
            out.append((subj, e, {}, 1.0, None))
    return out


def _respectively(sent: Sent, m: re.Match, ctx: Context):
    heads, tails = sent.ents_in(m.group("a")), sent.ents_in(m.group("b"))
    if len(heads) < 2 or len(heads) != len(tails):
        return []
    return [(h, t, {}, 1.0, None) for h, t in zip(heads, tails)]


_HANDLERS: dict[str, Callable] = {
    "pair": _pair, "absorb": _absorb, "a_b": _a_b, "a_each_b": _a_each_b, "members": _members,
    "core_members": _core_members, "subject_b": _subject_b, "possessive": _possessive,
    "respectively": _respectively, "last_group_members": _last_group_members,
    "core_as": _core_as, "part_of": _part_of}
_COMPILED = [(p, re.compile(p.regex)) for p in PATTERNS]


def _refine_type(rel_type: str, head: Entity, tail: Entity) -> str:
    """A metro circle inside a city cluster is PART_OF, not MEMBER_OF."""
    if rel_type == schema.MEMBER_OF and head.label == schema.METRO_CIRCLE \
            and tail.label == schema.CITY_CLUSTER:
        return schema.PART_OF
    return rel_type


def find_relations(sent: Sent, ctx: Context) -> list[Hit]:
    """Every relation the patterns read in ``sent`` (first pattern wins per fact)."""
    hits: dict[tuple, Hit] = {}
    for pattern, regex in _COMPILED:
        for m in regex.finditer(sent.template):
            for head, tail, props, factor, at in _HANDLERS[pattern.handler](sent, m, ctx):
                props = dict(props)
                rel_type = _refine_type(props.pop("_type", pattern.type), head, tail)
                if head is tail or (head.key and head.key == tail.key):
                    continue
                key = (rel_type, head.key or head.surface, tail.key or tail.surface)
                if key not in hits:
                    hits[key] = Hit(rel_type, head, tail, props, pattern.id,
                                    round(pattern.confidence * factor, 3), at)
    for h in targets(sent):
        hits.setdefault((h.type, h.head.key, h.tail.key), h)
    return list(hits.values())
