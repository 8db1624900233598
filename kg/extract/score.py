"""Score extraction against hand-made gold files: precision, recall and F1 per relation type.

A gold file (``tests/gold/<doc stem>.json``) lists what a reader finds in one
document: ``entities`` (each a ``node``), ``relations`` (``type``, ``head``,
``tail``) and ``attributes`` (``place``, ``year``, ``value``, ``unit``), each with
the ``quote`` that states it. A node is written as a node id (``"440307"``,
``"industry:new-energy"``), as ``{"any_of": [...]}`` where two nodes stand for
the same thing (浦东新区 the district and the national new area), or as
``{"title": ...}`` for a policy that is not a node yet. A relation marked ``"optional": true``
(the annotator's doubt, with a ``note``) is neither required nor an error: it is left out of
recall, and a prediction that matches it is not counted at all.

Scoring is per document and set-based: a predicted fact counts once however
many sentences state it. Only candidates with ``confidence >= threshold`` count
(an ambiguous place left unresolved has low confidence, so it is neither right
nor wrong). ``COOPERATES_WITH`` is symmetric. Entities are the ``MENTIONS``
candidates; attributes are ``STATISTIC`` candidates matched on place, year,
value (to 0.01) and unit.

>>> p = {("SPILLOVER_TO", "a", "b"), ("SPILLOVER_TO", "a", "c")}
>>> g = [("SPILLOVER_TO", {"a"}, {"b"}), ("SPILLOVER_TO", {"d"}, {"e"})]
>>> match_relations(p, g)
(1, 1)
>>> prf(1, 2, 2)
(0.5, 0.5, 0.5)
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg.extract.candidates import MENTIONS, STATISTIC, Candidate
from kg.model import schema

SYMMETRIC = {schema.COOPERATES_WITH}


def norm_title(title: str) -> str:
    """Titles compare without spaces and with one kind of dash and bracket."""
    from kg.extract.script import to_simplified

    t = to_simplified(title).strip("《》 ")
    t = re.sub(r"\s+", "", t).replace("（", "(").replace("）", ")")
    return re.sub(r"[—–－~]", "-", t)


def node_keys(node) -> set[str]:
    """The keys a gold node matches: its id, any of its ids, or its title."""
    if isinstance(node, str):
        return {node}
    if "any_of" in node:
        return set(node["any_of"])
    return {"title:" + norm_title(node["title"])}


def candidate_key(end) -> str | None:
    if end.id:
        return end.id
    if end.title:
        return "title:" + norm_title(end.title)
    return None          # an unresolved place: no claim about which node it is


def prf(tp_pred: int, n_pred: int, n_gold: int, tp_gold: int | None = None) -> tuple[float, float, float]:
    """(precision, recall, F1); precision over predictions, recall over gold items."""
    tp_gold = tp_pred if tp_gold is None else tp_gold
    p = tp_pred / n_pred if n_pred else 1.0
    r = tp_gold / n_gold if n_gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return round(p, 4), round(r, 4), round(f, 4)


def match_relations(pred: set, gold: list) -> tuple[int, int]:
    """(true predictions, found gold items) for one type in one document."""
    def hit(p, g):
        (_, h, t), (_, gh, gt) = p, g
        return (h in gh and t in gt) or (p[0] in SYMMETRIC and h in gt and t in gh)
    tp_pred = sum(1 for p in pred if any(hit(p, g) for g in gold))
    tp_gold = sum(1 for g in gold if any(hit(p, g) for p in pred))
    return tp_pred, tp_gold


@dataclass
class Counts:
    tp_pred: int = 0
    n_pred: int = 0
    tp_gold: int = 0
    n_gold: int = 0
    false_pos: list = field(default_factory=list)
    false_neg: list = field(default_factory=list)

    def add(self, tp_pred, n_pred, tp_gold, n_gold):
        self.tp_pred += tp_pred
        self.n_pred += n_pred
        self.tp_gold += tp_gold
        self.n_gold += n_gold

    @property
    def scores(self) -> tuple[float, float, float]:
        return prf(self.tp_pred, self.n_pred, self.n_gold, self.tp_gold)


def gold_relations(gold: dict) -> tuple[list, list]:
    """(firm, optional) relation keys ``(type, head ids, tail ids)`` of one gold document."""
    firm, optional = [], []
    for r in gold.get("relations", []):
        (optional if r.get("optional") else firm).append((r["type"], node_keys(r["head"]), node_keys(r["tail"])))
    return firm, optional


def without_optional(pred: set, firm: list, optional: list) -> set:
    """``pred`` less the predictions that match only an optional gold relation (not counted).

    >>> sorted(without_optional({("A", "x", "y"), ("A", "x", "z")}, [("A", {"x"}, {"y"})], [("A", {"x"}, {"z"})]))
    [('A', 'x', 'y')]
    """
    if not optional:
        return set(pred)
    return {p for p in pred if match_relations({p}, [o for o in optional if o[0] == p[0]])[0] == 0
            or match_relations({p}, [g for g in firm if g[0] == p[0]])[0] == 1}


def score_document(candidates: list[Candidate], gold: dict, threshold: float = 0.5) -> dict:
    """Counts per relation type, plus ``entities`` and ``attributes``, for one document."""
    cands = [c for c in candidates if c.confidence >= threshold]
    out: dict[str, Counts] = defaultdict(Counts)
    # relations
    pred_by_type: dict[str, set] = defaultdict(set)
    for c in cands:
        if c.type in (MENTIONS, STATISTIC):
            continue
        h, t = candidate_key(c.head), candidate_key(c.tail)
        if h and t:
            pred_by_type[c.type].add((c.type, h, t))
    firm, optional = gold_relations(gold)
    gold_by_type: dict[str, list] = defaultdict(list)
    for g in firm:
        gold_by_type[g[0]].append(g)
    for rel_type in set(pred_by_type) | set(gold_by_type):
        gl = gold_by_type[rel_type]
        pred = without_optional(pred_by_type[rel_type], gl, optional)
        tp_pred, tp_gold = match_relations(pred, gl)
        counts = out[rel_type]
        counts.add(tp_pred, len(pred), tp_gold, len(gl))
        counts.false_pos += sorted(p for p in pred if match_relations({p}, gl)[0] == 0)
        counts.false_neg += [(g[0], sorted(g[1]), sorted(g[2])) for g in gl
                             if match_relations(pred, [g])[1] == 0]
    # entities: MENTIONS tails (and the other node of a same-named pair)
    pred_ents = set()
    for c in cands:
        if c.type == MENTIONS and (k := candidate_key(c.tail)):
            pred_ents.add(k)
    gold_ents = [node_keys(e["node"]) for e in gold.get("entities", [])]
    known = set().union(*gold_ents) if gold_ents else set()
    ent = out["entities"]
    ent.add(sum(1 for k in pred_ents if k in known), len(pred_ents),
            sum(1 for g in gold_ents if g & pred_ents), len(gold_ents))
    ent.false_pos += sorted(k for k in pred_ents if k not in known)
    ent.false_neg += [sorted(g) for g in gold_ents if not g & pred_ents]
    # attributes
    pred_attrs = {(c.head.id, c.year, round(float(c.properties["value"]), 2), c.properties["unit"])
                  for c in cands if c.type == STATISTIC and c.head.id}
    gold_attrs = {(a["place"], a["year"], round(float(a["value"]), 2), a["unit"])
                  for a in gold.get("attributes", [])}
    att = out["attributes"]
    att.add(len(pred_attrs & gold_attrs), len(pred_attrs), len(pred_attrs & gold_attrs), len(gold_attrs))
    att.false_pos += sorted(pred_attrs - gold_attrs, key=str)
    att.false_neg += sorted(gold_attrs - pred_attrs, key=str)
    return dict(out)


# The devset split fixed in shared/devset/INDEX.md before annotation (document number prefixes).
# A split is chosen by file name, so reading one split never opens the other's gold files.
DEVSET_SPLITS = {"held": frozenset({"03", "05", "08", "12", "14", "16", "20", "23"}),
                 "tune": frozenset({"01", "02", "04", "06", "07", "09", "10", "11", "13", "15", "17", "18",
                                    "19", "21", "22", "24"})}


def load_gold(gold_dir: Path, split: str | None = None) -> dict[str, dict]:
    """doc_id -> gold annotation, for every ``*.json`` in ``gold_dir`` (of devset ``split``:
    only the files whose number is in ``DEVSET_SPLITS[split]`` are opened, and each must
    record that split)."""
    out = {}
    for path in sorted(Path(gold_dir).glob("*.json")):
        if split is not None and path.name[:2] not in DEVSET_SPLITS[split]:
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        if split is not None and data.get("split") != split:
            raise ValueError(f"{path}: split {data.get('split')!r}, expected {split!r} for its number")
        out[data["doc_id"]] = data
    if not out:
        raise FileNotFoundError(f"no gold files (*.json) in {gold_dir}")
    return out


def score_corpus(g, gold_dir: Path, corpus_dir: Path, data_dir: Path | None = None,
                 threshold: float = 0.5, extractor=None, split: str | None = None,
                 devset: bool = False) -> dict[str, Counts]:
    """Extract every gold document from ``corpus_dir`` and add up the counts.

    ``split`` keeps the gold files whose ``"split"`` is that value (the devset's ``tune`` and
    ``held``); ``devset`` reads documents as devset files (line 1 ``SOURCE:``, text from line 2).
    """
    total: dict[str, Counts] = defaultdict(Counts)
    for doc_id, gold, cands in extract_gold_documents(g, gold_dir, corpus_dir, data_dir, extractor,
                                                      split, devset):
        for key, c in score_document(cands, gold, threshold).items():
            total[key].add(c.tp_pred, c.n_pred, c.tp_gold, c.n_gold)
            total[key].false_pos += [(doc_id, *([x] if not isinstance(x, tuple) else x)) for x in c.false_pos]
            total[key].false_neg += [(doc_id, *([x] if not isinstance(x, tuple) else x)) for x in c.false_neg]
    rel = Counts()
    for key, c in total.items():
        if key not in ("entities", "attributes"):
            rel.add(c.tp_pred, c.n_pred, c.tp_gold, c.n_gold)
    total["relations (all types)"] = rel
    return dict(total)


def extract_gold_documents(g, gold_dir: Path, corpus_dir: Path, data_dir: Path | None = None,
                           extractor=None, split: str | None = None, devset: bool = False):
    """Yield (doc_id, gold, candidates) for every gold document (of ``split``)."""
    from kg.extract.pipeline import Extractor, source_years
    from kg.extract.readers import read_devset_document, read_document

    extractor = extractor or Extractor(g, source_years=source_years(data_dir) if data_dir else {})
    read = read_devset_document if devset else read_document
    for doc_id, gold in load_gold(gold_dir, split).items():
        path = Path(corpus_dir) / doc_id
        if not path.is_file():
            raise FileNotFoundError(f"gold document {doc_id} is not in {corpus_dir}")
        yield doc_id, gold, extractor.extract_document(read(path))


def confidence_bands(scored, edges=(0.5, 0.7, 0.85, 1.01)) -> list[tuple[float, float, int, int]]:
    """Precision of relation candidates by confidence band: (low, high, correct, predicted).

    ``scored`` is an iterable of (confidence, correct) per distinct predicted relation.

    >>> confidence_bands([(0.6, True), (0.6, False), (0.9, True)])
    [(0.5, 0.7, 1, 2), (0.7, 0.85, 0, 0), (0.85, 1.01, 1, 1)]
    """
    out = []
    for lo, hi in zip(edges, edges[1:]):
        inside = [ok for conf, ok in scored if lo <= conf < hi]
        out.append((lo, hi, sum(inside), len(inside)))
    return out


def scored_relations(candidates, gold: dict, floor: float = 0.0) -> list[tuple[float, bool]]:
    """(best confidence, correct) for each distinct predicted relation of one document."""
    best: dict[tuple, float] = {}
    for c in candidates:
        if c.type in (MENTIONS, STATISTIC) or c.confidence < floor:
            continue
        h, t = candidate_key(c.head), candidate_key(c.tail)
        if h and t:
            k = (c.type, h, t)
            best[k] = max(best.get(k, 0.0), c.confidence)
    gl, optional = gold_relations(gold)
    kept = without_optional(set(best), gl, optional)
    return [(conf, match_relations({k}, [x for x in gl if x[0] == k[0]])[0] == 1)
            for k, conf in sorted(best.items()) if k in kept]


def bands_of(g, gold_dir: Path, folder: Path, data_dir: Path | None = None, split: str | None = None,
             devset: bool = False, extractor=None, edges=(0.5, 0.7, 0.85, 1.01)):
    """Precision by confidence band over the gold documents (see ``confidence_bands``)."""
    scored = []
    for _, gold, cands in extract_gold_documents(g, gold_dir, folder, data_dir, extractor, split, devset):
        scored += scored_relations(cands, gold)
    return confidence_bands(scored, edges)


def format_bands(bands) -> str:
    lines = [f"{'confidence':<14}{'pred':>6}{'correct':>9}{'P':>8}"]
    for lo, hi, ok, n in bands:
        label = f"[{lo:.2f}, {min(hi, 1.0):.2f}{']' if hi > 1 else ')'}"
        lines.append(f"{label:<14}{n:>6}{ok:>9}{(ok / n if n else float('nan')):>8.3f}")
    return "\n".join(lines)


def format_scores(scores: dict[str, Counts]) -> str:
    """A plain table: one row per relation type, then all relations, entities, attributes."""
    special = ["relations (all types)", "entities", "attributes"]
    rows = [k for k in sorted(scores) if k not in special] + [k for k in special if k in scores]
    lines = [f"{'':<24}{'gold':>6}{'pred':>6}{'P':>8}{'R':>8}{'F1':>8}"]
    for k in rows:
        c = scores[k]
        p, r, f = c.scores
        if k == "relations (all types)":
            lines.append("-" * 60)
        lines.append(f"{k:<24}{c.n_gold:>6}{c.n_pred:>6}{p:>8.3f}{r:>8.3f}{f:>8.3f}")
    return "\n".join(lines)
