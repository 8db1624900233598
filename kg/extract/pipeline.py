"""The extraction pipeline for one document, as small steps composed in order:

    read (readers) -> simplified copy (script) -> sentences -> entities (recognize)
        -> relations (patterns) + numbers (attributes) -> candidates

``Extractor(g)`` builds the gazetteer once; ``extract(path)`` returns the candidates
of one file, sorted and with stable ids, so two runs on the same file give the
same output byte for byte.
"""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from kg.extract import attributes as attrs
from kg.extract.candidates import MENTIONS, STATISTIC, Candidate, End
from kg.extract.classify import features, load_model
from kg.extract.pairs import PairFinder, document_topic, tokens, _between_feats
from kg.extract.patterns import find_relations
from kg.extract.template import TOKEN, Context, Hit, make_sent
from kg.extract.readers import Document, read_document
from kg.extract.recognize import Entity, Recognizer
from kg.extract.script import to_simplified
from kg.extract.sentences import split_sentences
from kg.model import schema

_DOC_DATE = re.compile(r"((?:19|20)\d{2})\s*[-年./]\s*\d{1,2}")
_GROUP_TYPES = (schema.MEMBER_OF, schema.CORE_OF, schema.PART_OF)
MIN_MENTION_CONFIDENCE = 0.0   # every mention is emitted; scoring applies its own threshold


class Extractor:
    """Reads documents into candidates against one graph."""

    def __init__(self, g, recognizer: Recognizer | None = None, source_years: dict | None = None,
                 model="packaged"):
        self.g = g
        self.recognizer = recognizer or Recognizer(g)
        self.source_years = source_years or {}
        self.pairs = PairFinder(g, self.recognizer.gazetteer, self.recognizer.places)
        self.model = load_model() if model == "packaged" else model
        self.collect: list | None = None     # train.py: (candidate, features, end confidence) per relation

    def extract(self, path, encoding: str = "utf-8", max_mb: float = 100) -> list[Candidate]:
        return self.extract_document(read_document(path, encoding=encoding, max_mb=max_mb))

    def extract_document(self, doc: Document, progress=None) -> list[Candidate]:
        text = to_simplified(doc.text)
        sentences = split_sentences(text)
        ents = self.recognizer.recognize(text, sentences)
        doc_year = self.source_years.get(doc.doc_id) or _document_year(text)
        ctx = Context()
        topic = document_topic(ents)
        out: list[Candidate] = []
        para_year, para = None, -1
        j = reported = 0
        for i, s in enumerate(sentences):
            while j < len(ents) and ents[j].start < s.start:
                j += 1
            k = j
            while k < len(ents) and ents[k].start < s.end:
                k += 1
            sent = make_sent(i, s.start, s.end, s.para, text, ents[j:k])
            if s.para != para:
                para, para_year = s.para, None
            year, year_from = _sentence_year(sent, para_year, doc_year)
            for hit, feats in self._relation_hits(sent, ctx, topic):
                cand = self._relation(doc, sent, hit, year, year_from)
                if cand is not None:
                    out.append(cand)
                    if self.collect is not None:
                        self.collect.append((cand, feats, min(hit.head.confidence, hit.tail.confidence, 1.0)))
            for stat in attrs.find_stats(sent, ctx, para_year):
                out.append(self._statistic(doc, sent, stat, doc_year))
            ctx.update(sent)
            years = attrs.sentence_years(sent)
            if years:
                para_year = years[-1][1]
            if progress and s.end - reported >= 65536:   # a bar update per 64K characters
                progress(s.end)
                reported = s.end
        if progress:
            progress(len(text))
        out += self._mentions(doc, text, sentences, ents)
        for c in out:
            c.doc_title = doc.title
        return sorted(out, key=lambda c: (c.start, c.type, c.head.key, c.tail.key if c.tail else ""))

    def pairs_in(self, text: str) -> list:
        """Every ``Pair`` the general mechanisms propose in ``text``, sentence by sentence, before
        patterns and the classifier: what a rule sees, for tests and for debugging a rule."""
        text = to_simplified(text)
        sentences = split_sentences(text)
        ents = self.recognizer.recognize(text, sentences)
        ctx, out = Context(), []
        for i, s in enumerate(sentences):
            sent = make_sent(i, s.start, s.end, s.para, text, ents)
            out += self.pairs.find(sent, ctx, None)
            ctx.update(sent)
        return out

    def _relation_hits(self, sent, ctx, topic):
        """Pattern hits and general pairs, merged per (type, head, tail), with their features;
        the classifier (when packaged) gives the confidence."""
        merged: dict[tuple, list] = {}
        toks = {id(t.ent): t for t in tokens(sent)}
        # places with a token that ``tokens`` dropped are part of a grouping name (遵义都市圈)
        in_name = {id(sent.ent(m.group())) for m in TOKEN.finditer(sent.template)} - set(toks)
        for hit in find_relations(sent, ctx):
            if id(hit.head) in in_name or id(hit.tail) in in_name:
                continue
            key = (hit.type, hit.head.key or hit.head.surface, hit.tail.key or hit.tail.surface)
            feats = [f"pat={hit.pattern}"]
            a, b = toks.get(id(hit.head)), toks.get(id(hit.tail))
            if a is not None and b is not None:
                feats += _between_feats(sent, a, b)
            if hit.type == schema.TARGETS:
                how = hit.props.pop("_tgt", "")
                feats += [f"tl={hit.tail.label}", f"tgt_short={len(hit.head.surface) <= 4}",
                          *(f"tgt_{x}" for x in how.split())]
            merged[key] = [hit, feats]
        for p in self.pairs.find(sent, ctx, topic):
            key = (p.type, p.head.key or p.head.surface, p.tail.key or p.tail.surface)
            feats = [f"mech={p.mech}", f"trig={p.trigger}", f"hl={p.head.label}", f"tl={p.tail.label}",
                     *p.feats]
            if key in merged:
                merged[key][1] += feats
                merged[key][0].props.update(p.props)
            else:
                hit = Hit(p.type, p.head, p.tail, dict(p.props), f"gen.{p.mech}", 0.3, p.at)
                merged[key] = [hit, feats]
        out = []
        for hit, feats in merged.values():
            if hit.type in (schema.MEMBER_OF, schema.PART_OF) and self._holds(hit.head, hit.tail):
                continue
            if hit.type in _GROUP_TYPES:
                geo = self.pairs.geo(hit.head, hit.tail)
                feats += [f"geo={geo}"] + [f"geo={geo}&{f}" for f in feats if f.startswith(("gsrc=", "mech=", "pat="))]
            feats = features(hit.type, sorted(set(feats)))
            if self.model is not None:
                hit.confidence = round(self.model.probability(feats), 3)
            out.append((hit, feats))
        return out

    def _holds(self, place: Entity, grp: Entity) -> bool:
        """A province whose own territory holds every place the graph has in ``grp`` (贵州省 and
        黔中城市群): the grouping lies in the province, the province is not its member."""
        if place.label != schema.PROVINCE or not place.id or not grp.id or grp.id not in self.g:
            return False
        return self.pairs.region(grp.id) == frozenset({place.id})

    # -- building candidates --------------------------------------------------------------
    def _end(self, doc: Document, e: Entity) -> End:
        return End(e.id, doc.text[e.start:e.end], e.label, list(e.ids), e.start, e.end,
                   e.extra.get("title") if e.label == schema.POLICY and not e.id else None)

    def _allowed(self, rel_type: str, head: Entity, tail: Entity) -> bool:
        src, dst = schema.REL_TYPES[rel_type]
        for e, allowed in ((head, src), (tail, dst)):
            labels = set(self.g.nodes[e.id]["labels"]) if e.id in self.g else {e.label, schema.PLACE}
            if not labels & set(allowed):
                return False
        return True

    def _relation(self, doc, sent, hit, year, year_from) -> Candidate | None:
        if not self._allowed(hit.type, hit.head, hit.tail):
            return None
        start = min(sent.start, hit.from_offset if hit.from_offset is not None else sent.start)
        conf = round(hit.confidence * min(hit.head.confidence, hit.tail.confidence, 1.0), 3)
        return Candidate(hit.type, self._end(doc, hit.head), self._end(doc, hit.tail), hit.props,
                         doc.doc_id, doc.text[start:sent.end], start, sent.end, hit.pattern, conf,
                         year, year_from)

    def _statistic(self, doc, sent, stat, doc_year) -> Candidate:
        start = min(sent.start, stat.from_offset if stat.from_offset is not None else sent.start)
        props = {"indicator": stat.indicator, "value": stat.value, "unit": stat.unit,
                 "as_written": stat.raw}
        if stat.qualifier:
            props["qualifier"] = stat.qualifier
        if stat.industries:
            props["industries"] = stat.industries
        conf = round(stat.confidence * min(stat.head.confidence, 1.0), 3)
        return Candidate(STATISTIC, self._end(doc, stat.head), None, props, doc.doc_id,
                         doc.text[start:sent.end], start, sent.end, "attr.indicator", conf,
                         stat.year, stat.year_from if stat.year else None)

    def _mentions(self, doc, text, sentences, ents) -> list[Candidate]:
        """One MENTIONS candidate per entity the document names (first mention as quote)."""
        import bisect

        starts = [s.start for s in sentences]
        first: dict[str, Entity] = {}
        count: dict[str, int] = defaultdict(int)
        best: dict[str, float] = defaultdict(float)
        for e in ents:
            key = e.key or "?" + "|".join(e.ids)
            first.setdefault(key, e)
            count[key] += 1
            best[key] = max(best[key], e.confidence)
        head = End(f"doc:{doc.stem.lower()}", doc.doc_id, schema.DOCUMENT)
        out = []
        for key, e in first.items():
            s = sentences[max(0, bisect.bisect_right(starts, e.start) - 1)]
            props = {"count": count[key], "reason": e.reason}
            if e.extra.get("alt"):
                props["also"] = list(e.extra["alt"])
            out.append(Candidate(MENTIONS, head, self._end(doc, e), props, doc.doc_id,
                                 doc.text[s.start:s.end], s.start, s.end, "ent.gazetteer",
                                 round(best[key], 3), self.source_years.get(doc.doc_id)
                                 or _document_year(text), "document"))
        return out


def _document_year(text: str) -> int | None:
    """The publication year from a date near the top of the document (日期:2025-09-17)."""
    m = _DOC_DATE.search(text[:1500])
    return int(m.group(1)) if m else None


def _sentence_year(sent, para_year, doc_year) -> tuple[int | None, str | None]:
    """A sentence that opens with a year (2024年,…) is dated by it; others by the document."""
    years = attrs.sentence_years(sent)
    if years and years[0][0] <= 6:
        return years[0][1], "sentence"
    if doc_year:
        return doc_year, "document"
    return None, None


def light_graph(data_dir: Path):
    """The nodes extraction needs: ``build_graph`` without the boundary adjacency
    (which takes most of a full build and plays no part in reading text)."""
    from kg.build import build_graph

    return build_graph(Path(data_dir), adjacency=False)


def source_years(data_dir: Path) -> dict[str, int]:
    """source_id -> year from data/sources.csv (the year a document's facts carry)."""
    import csv

    path = Path(data_dir) / "sources.csv"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return {r["source_id"]: int(r["year"]) for r in csv.DictReader(fh)
                if r.get("year", "").strip().isdigit()}
