"""Split a text into sentences, keeping their character offsets.

A sentence ends at 。！？!?；; or at a line break. A closing quote or bracket
after the stop stays with its sentence. A line that ends mid-sentence (with
，、：or a dash: a caption or a web page broken over two lines) is joined with the
next non-empty line. Each sentence also carries the number of its paragraph (a
block of text between line breaks), which the patterns use to find the topic
of a paragraph whose later sentences drop their subject.

A text without sentence punctuation (a 10 MB single line) is cut into pieces of
at most ``MAX_SENTENCE`` characters, at the last comma or space before the limit
where there is one, so every later step works on a bounded piece.

>>> [(s.start, s.end, s.para) for s in split_sentences("武汉是核心。研发在武汉、\\n\\n生产在鄂州。\\n下一段")]
[(0, 6, 0), (6, 20, 0), (21, 24, 1)]
"""
from __future__ import annotations

import re
from typing import NamedTuple


class Sentence(NamedTuple):
    start: int
    end: int
    para: int


# A stop (with closing quotes after it), or a run of line breaks.
_BOUNDARY = re.compile(r"[。！？!?；;]+[”’」』）)】\"']*|\n[\s]*")
MAX_SENTENCE = 2000
_SOFT_BREAK = re.compile(r"[，,、：:\s]")
# A line ending like this continues on the next line.
_CONTINUES = re.compile(r"[，,、：:—\-–(（《“]\s*$")


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` as (start, end, paragraph) spans, whitespace trimmed."""
    out: list[Sentence] = []
    para, start = 0, 0
    for m in _BOUNDARY.finditer(text):
        is_break = m.group().startswith("\n")
        if is_break and _CONTINUES.search(text, max(start, m.start() - 3), m.start()):
            continue  # caption or line broken mid-sentence: keep going
        end = m.start() if is_break else m.end()
        _emit(text, start, end, para, out)
        start = m.end()
        if is_break:
            para += 1
    _emit(text, start, len(text), para, out)
    return out


def _emit(text: str, start: int, end: int, para: int, out: list[Sentence]) -> None:
    while end - start > MAX_SENTENCE:
        cut = start + MAX_SENTENCE
        soft = [m.end() for m in _SOFT_BREAK.finditer(text, cut - MAX_SENTENCE // 4, cut)]
        cut = soft[-1] if soft else cut
        _emit_one(text, start, cut, para, out)
        start = cut
    _emit_one(text, start, end, para, out)


def _emit_one(text: str, start: int, end: int, para: int, out: list[Sentence]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start, end, para))
