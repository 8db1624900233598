"""Common Chinese words and their frequencies, for word-boundary checks.

A name can match across a word boundary: 北海 in 东北海岸, 和县 in 中小城市和县城,
兴城市 in 新兴城市. Chinese has no spaces, so the check is a tiny segmentation
decision: a place match is rejected when the character before it and its first
character form a word (东北) far more common than the name itself, or its last
character and the next one do (县城).

The table ``common_words.tsv`` (word, frequency) holds the two-character words of
jieba's dictionary with frequency >= 200, plus its two- and three-character place
names (tag ``ns``) with frequency >= 20. jieba is MIT-licensed; ``make_table()``
rebuilds the file from an installed jieba (``python -m kg.extract.wordfreq``).

>>> freq("东北") > 2 * freq("北海"), freq("以上") > 2 * freq("上海")
(True, False)
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).with_name("common_words.tsv")


@lru_cache(maxsize=1)
def _table() -> dict[str, int]:
    out = {}
    with open(TABLE, encoding="utf-8") as fh:
        for line in fh:
            word, _, count = line.rstrip("\n").partition("\t")
            out[word] = int(count)
    return out


def freq(word: str) -> int:
    """How common ``word`` is (0 when it is not in the table)."""
    return _table().get(word, 0)


def crosses_boundary(text: str, start: int, end: int, own: int) -> bool:
    """True when the match ``text[start:end]`` most likely splits a word.

    ``own`` is how common the matched name itself is. The match loses when a word
    across its edge is more than twice as common and what would be left of the
    match is a single character or a word itself (当成|都市圈, 新兴|城市).

    >>> crosses_boundary("城市群当成都市圈", 4, 7, freq("成都市"))
    True
    >>> crosses_boundary("以上海市为例", 1, 4, freq("上海市"))
    False
    """
    table = _table()
    match = text[start:end]
    if start > 0:
        before, rest = text[start - 1:start + 1], match[1:]
        if table.get(before, 0) > 2 * own and (len(rest) <= 1 or rest in table):
            return True
    if end < len(text):
        after, rest = text[end - 1:end + 1], match[:-1]
        if table.get(after, 0) > 2 * own and (len(rest) <= 1 or rest in table):
            return True
    return False


def make_table(out: Path = TABLE) -> int:  # pragma: no cover - a maintenance tool
    """Write ``common_words.tsv`` from jieba's dictionary; returns the number of words."""
    import jieba

    rows = []
    with open(Path(jieba.__file__).with_name("dict.txt"), encoding="utf-8") as fh:
        for line in fh:
            word, count, tag = line.split()
            count = int(count)
            if (len(word) == 2 and count >= 200) or (len(word) in (2, 3) and tag == "ns" and count >= 20):
                rows.append(f"{word}\t{count}\n")
    out.write_text("".join(sorted(set(rows))), encoding="utf-8")
    return len(rows)


if __name__ == "__main__":  # pragma: no cover
    print(make_table(), "words written to", TABLE)
