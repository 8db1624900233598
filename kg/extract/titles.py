"""Plan titles in text: 《title》, its 简称, short forms and bare 《规划》.

A policy is named by its title in 《》. A document may shorten it (以下简称《规划》), write it without
filler words (《中原城市群规划》 for 中原城市群发展规划) or call it by its kind alone (《规划》); each
form is matched here against the graph's Policy nodes (``policy_titles``).

>>> title_kind("西安都市圈建设三年行动计划(2023-2025年)"), title_kind("《财富》".strip("《》"))
('计划', None)
"""
from __future__ import annotations

import re

from kg.model import schema

POLICY_SUFFIX = re.compile(r"(规划|纲要|意见|方案|办法|条例|法|通知|决定|计划|协议|措施|政策|指南|指引|"
                           r"战略|规定|细则|行动|实施意见|框架协议|章程|纲领|备忘录|宣言|倡议|倡议书|公约|共识)$")
TITLE = re.compile(r"《([^《》\n]{2,80})》")
SHORT_TITLE = re.compile(r"《([^《》\n]{2,80})》[(（](?:下文|以下|下称|后文)?简称[“\"《]([^”\"》)）]{1,20})")
YEARS_IN_TITLE = re.compile(r"[(（][^()（）]*\d{4}[^()（）]*[)）]$")
# A title that is only a document-type word (《规划》, 《该方案》) is the document's short name for a plan.
BARE_TITLE = re.compile(r"(?:该|本|此|上述)?" + POLICY_SUFFIX.pattern)
# Words a short form of a plan's title leaves out (《中原城市群规划》 for 中原城市群发展规划).
TITLE_FILLERS = re.compile(r"高质量发展|一体化发展|发展|建设")


def title_kind(title: str) -> str | None:
    """The document-type word a title ends with (规划, 方案 …), its years aside."""
    m = POLICY_SUFFIX.search(YEARS_IN_TITLE.sub("", title).strip())
    return m.group(1) if m else None


def title_variant(title: str) -> str:
    """A plan's title without its years and filler words, the form short titles are matched on.

    >>> title_variant("山西中部城市群高质量发展规划(2022—2035年)"), title_variant("中原城市群规划")
    ('山西中部城市群规划', '中原城市群规划')
    """
    return TITLE_FILLERS.sub("", YEARS_IN_TITLE.sub("", title).strip())


def policy_titles(g) -> dict[str, str]:
    """Title (simplified, with and without its years, and its short form where one plan has it)
    -> policy node key, for every Policy node of ``g``."""
    from kg.extract.script import to_simplified

    out: dict[str, str] = {}
    variants: dict[str, set] = {}
    for key, d in g.nodes(data=True):
        if schema.POLICY in d.get("labels", ()):
            for n in [d.get("name", ""), *(d.get("aliases", []) or [])]:
                n = to_simplified(n.strip().strip("《》"))
                if n:
                    out.setdefault(n, key)
                    out.setdefault(YEARS_IN_TITLE.sub("", n), key)
                    variants.setdefault(title_variant(n), set()).add(key)
    # a short form names a plan only where one plan has it (two plans of one cluster: no claim)
    for v, keys in variants.items():
        if len(keys) == 1 and len(v) >= 4:
            out.setdefault(v, next(iter(keys)))
    return out
