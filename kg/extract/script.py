"""Traditional -> simplified conversion that keeps every character where it was.

Matching runs on simplified text, but quotes and offsets must point at the
original characters. OpenCC's ``t2s`` is almost always character for character;
its phrase rules can in rare cases change the length of a stretch. So the text
is converted line by line, and a line whose converted length differs (or whose
punctuation moved) is converted again one character at a time, keeping the
original character wherever a single character would turn into several. The
result is exactly as long as the input: offset ``i`` in the simplified text is
offset ``i`` in the original, which is the whole offset map.

>>> to_simplified("產業轉型升級示范區")
'产业转型升级示范区'
>>> s = "高質量發展\\n長三角"; len(to_simplified(s)) == len(s)
True
"""
from __future__ import annotations

import re
from functools import lru_cache

_NON_CJK = re.compile(r"[^\u3400-\u9fff\uf900-\ufaff]")


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Simplified form of ``text`` with the same length and character positions."""
    convert = _converter().convert
    out = []
    for line in text.splitlines(keepends=True):
        conv = convert(line)
        if len(conv) != len(line) or not _aligned(line, conv):
            conv = "".join(_one(convert, ch) for ch in line)
        out.append(conv)
    return "".join(out)


def _one(convert, ch: str) -> str:
    conv = convert(ch)
    return conv if len(conv) == 1 else ch


def _aligned(a: str, b: str) -> bool:
    """Non-CJK characters (punctuation, digits, Latin) stay at the same positions."""
    return [m.start() for m in _NON_CJK.finditer(a)] == [m.start() for m in _NON_CJK.finditer(b)]


def is_traditional(text: str, sample: int = 20000) -> bool:
    """True when converting changes more than 2% of the CJK characters of a sample.

    >>> is_traditional("產業轉型升級"), is_traditional("产业转型升级")
    (True, False)
    """
    head = text[:sample]
    cjk = len(head) - len(_NON_CJK.findall(head))
    changed = sum(1 for a, b in zip(head, to_simplified(head)) if a != b)
    return cjk > 0 and changed > 0.02 * cjk
