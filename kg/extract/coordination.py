"""How places stand in a list: separators, coordination with 与, glued names (``kg.extract.pairs``).

A list is read from the template (``⟦P0⟧、⟦P1⟧与⟦P2⟧``): which separators lie between two places,
whether one is joined by 与/同 to a list holding the other, whether the list runs up to the trigger,
and whether a place runs straight into other words (a firm's or park's name).

>>> BELOW_PROVINCE[:3]
('地市', '城市', '市')
"""
from __future__ import annotations

from kg.extract.pairtokens import Tok, _plain, between
from kg.extract.template import Sent

LIST_SEP = ("、", "和", "及", "以及", "与", "同", ",", "，")
BELOW_PROVINCE = ("地市", "城市", "市", "区", "县", "市一区", "市二区")
RUN_SEP = ("", "、", ",", "，", "和", "及")


def coordination_feats(sent: Sent, toks: list[Tok], a: Tok, b: Tok, tpos: int, role: str = "pair") -> list[str]:
    """How two places stand in a coordinated list: ``run`` when only list separators lie between
    them (长沙、株洲、湘潭), ``with`` when the first is joined by 与/同 to a list holding the second
    (武汉与鄂州、孝感…), and whether the list ends right before the trigger (…等同城化).

    ``coord`` sums this up with the trigger's role (``pair``: the word states cooperation,
    合作/同城化/对口; ``joint``: a word that also joins places that only act together, 共同编制,
    功能协同), so the evidence of one trigger word serves the others of its role:
    ``coord=with-trig&pair`` (A与B、C等同城化: A with each), ``coord=run-trig&pair`` (A、B、C同城化:
    every pair), ``coord=inside&pair`` (B and C both after 与: not a pair)."""
    i, j = toks.index(a), toks.index(b)
    glue = [glued(sent, t) for t in (a, b)]
    seps = [between(sent, toks[k], toks[k + 1]).strip() for k in range(i, j)]
    run = all(x in LIST_SEP for x in seps)
    out = [f"run={run}", f"glued={glue[0]}-{glue[1]}", f"tclass={role}"]
    shape = "none"
    if run and seps and seps[0] in ("与", "同", "和") and all(x in ("、", "和", "及", "以及") for x in seps[1:]):
        out.append("with=head")
        shape = "with"
    elif run and len(seps) and any(x in ("与", "同") for x in seps):
        out.append("with=inside")
        shape = "inside"
    elif run:
        k0 = i
        while k0 > 0 and between(sent, toks[k0 - 1], toks[k0]).strip() in LIST_SEP:
            k0 -= 1
        inside = any(between(sent, toks[k], toks[k + 1]).strip() in ("与", "同")
                     for k in range(k0, i))
        shape = "inside" if inside else "run"
    if run:
        k = j
        while k + 1 < len(toks) and between(sent, toks[k], toks[k + 1]).strip() in LIST_SEP:
            k += 1
        tail = _plain(sent.template[toks[k].end:tpos]) if toks[k].end <= tpos else "x" * 9
        out.append(f"run_trig={len(tail) <= 3}")
        if len(tail) <= 3 and shape in ("with", "run"):
            shape += "-trig"
    out.append(f"coord={shape}&{role}")
    return out


def qual_feats(t: Tok, qual: set) -> list[str]:
    """``qual`` and the member's level with it: a county under its city in an administrative
    listing is not the county a text names in passing (中心城区包含姑苏区…)."""
    q = id(t) in qual
    return [f"qual={q}", f"mlq={t.ent.label}-{q}"]


def glued(sent: Sent, t: Tok) -> str:
    """``han`` when a place runs straight into other words (广州数控, 东莞鑫轩盛…: a firm's name),
    ``sep`` before punctuation or a function word, ``tok`` before another entity."""
    nxt = sent.template[t.end:t.end + 1]
    if not nxt or nxt in "、,，。;；:：和与及等的在是将为从到至同(（)）“”「」\" 市区县省":
        return "sep"
    if nxt == "⟦":
        return "tok"
    return "han" if "\u4e00" <= nxt <= "\u9fff" else "sep"
