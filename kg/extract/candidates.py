"""Candidate facts: what extraction proposes and a researcher reviews.

One candidate is one JSON object per line (JSONL)::

    {"id": "c-3f9a0c2e1b7d4a55", "type": "SPILLOVER_TO",
     "head": {"id": "420100", "surface": "武汉", "label": "City", "candidates": ["420100"],
              "start": 2001, "end": 2003},
     "tail": {"id": "420700", "surface": "鄂州", ...},
     "properties": {"function": "研发→生产"}, "year": 2025, "year_from": "document",
     "doc_id": "001_78ebd5c545a785bc.txt", "sentence": "…研发在武汉、生产在鄂州…",
     "start": 1990, "end": 2061, "pattern": "spill.pair", "confidence": 0.9,
     "decision": null}

``type`` is a schema relationship type, ``MENTIONS`` (the document names an
entity: head is the document) or ``STATISTIC`` (a number about a place: ``tail``
is null and ``properties`` hold indicator, value, unit). ``sentence`` is the
original text between ``start`` and ``end`` (character offsets into the
document as read). A head or tail whose place could not be resolved has
``id`` null and every adcode it may be in ``candidates``; a policy that is not in
the graph yet has ``id`` null and its ``title``.

The id is a hash of document, type, head, tail and the offsets, so extracting the
same document again gives the same ids, and accepting a file twice adds nothing
twice. ``decision`` is for the reviewer: ``"keep"`` or ``"drop"``.

>>> a = Candidate("SPILLOVER_TO", End("420100", "武汉"), End("420700", "鄂州"), {}, "d.txt",
...               "研发在武汉、生产在鄂州", 0, 11, "spill.pair", 0.9)
>>> b = Candidate("SPILLOVER_TO", End("420100", "武汉"), End("420700", "鄂州"), {}, "d.txt",
...               "研发在武汉、生产在鄂州", 0, 11, "spill.pair", 0.5)
>>> a.id == b.id, a.id
(True, 'c-df7994ebd45d658e')
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

MENTIONS = "MENTIONS"
STATISTIC = "STATISTIC"
DECISIONS = ("keep", "drop")


@dataclass
class End:
    """One end of a candidate: a node (or a place not yet resolved)."""
    id: str | None
    surface: str
    label: str = ""
    candidates: list[str] = field(default_factory=list)
    start: int | None = None
    end: int | None = None
    title: str | None = None     # a policy that is not in the graph yet

    @property
    def key(self) -> str:
        """What identifies this end: node id, ``《title》`` or the candidate list."""
        if self.id:
            return self.id
        if self.title:
            return f"《{self.title}》"
        return "?" + "|".join(self.candidates)


@dataclass
class Candidate:
    type: str
    head: End
    tail: End | None
    properties: dict
    doc_id: str
    sentence: str
    start: int
    end: int
    pattern: str
    confidence: float
    year: int | None = None
    year_from: str | None = None   # sentence / paragraph / document
    doc_title: str | None = None   # for sources.csv when the document is not there yet
    decision: str | None = None

    @property
    def id(self) -> str:
        parts = [self.doc_id, self.type, self.head.key, self.tail.key if self.tail else "",
                 str(self.start), str(self.end)]
        if self.type == STATISTIC:  # two numbers in one sentence are two candidates
            parts += [str(self.properties.get("indicator")), str(self.properties.get("year", ""))]
        return "c-" + hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]

    def to_json(self) -> dict:
        d = asdict(self)
        return {"id": self.id, **d}

    @classmethod
    def from_json(cls, d: dict) -> "Candidate":
        d = dict(d)
        d.pop("id", None)
        head = End(**d.pop("head"))
        tail = d.pop("tail")
        return cls(head=head, tail=End(**tail) if tail else None, **d)


def write_jsonl(candidates: Iterable[Candidate], out: Path) -> int:
    """Write candidates atomically: a crash leaves the old file (or none), never half of one."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    n = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for c in candidates:
                fh.write(json.dumps(c.to_json(), ensure_ascii=False) + "\n")
                n += 1
        os.chmod(tmp, _default_mode())
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return n


def _default_mode() -> int:
    """The mode a new file gets under the current umask (mkstemp makes them 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


class CandidateFileError(ValueError):
    """A reviewed candidates file that cannot be read; the message names the line."""


def read_jsonl(path: Path) -> Iterator[tuple[int, Candidate, str]]:
    """(line number, candidate, id written in the file) for every non-empty line."""
    path = Path(path)
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                written = d.get("id", "")
                yield lineno, Candidate.from_json(d), written
            except (ValueError, TypeError, KeyError) as exc:
                raise CandidateFileError(f"{path}:{lineno}: not a candidate ({exc})") from None
