"""Leave-one-document-out (LODO) cross-validation of the relation classifier on the tune split.

Each tune document is scored by a model fitted on every other training document (the corpus
and the other tune documents), so the figure estimates performance on text the model has
not seen. Rows are those of ``train.training_rows``: (features, label, doc_id, key, end
confidence). A relation counts as predicted in a document when one of its candidates reaches
confidence 0.5 (the fitted probability, shifted by the decision point, times its least
certain end), exactly as ``pipeline.Extractor`` computes it. The held-back split is never
read: only ``"tune"`` documents and the corpus are loaded.

>>> rows = [(["type=A", "x=1"], True, "d1", ("A", "a", "b"), 1.0)]
>>> sorted(predicted(rows, lambda feats: 0.9))
[(('A', 'a', 'b'), 0.9, True)]
"""
from __future__ import annotations

import argparse
from collections import defaultdict

from kg.extract.score import confidence_bands, gold_relations, match_relations, prf, without_optional


def predicted(rows, probability, floor: float = 0.0):
    """(key, best confidence, correct) per distinct relation key of ``rows``."""
    best: dict = {}
    for feats, lab, _doc, key, end_conf in rows:
        if not (key[1] and key[2]):
            continue
        conf = round(round(probability(feats), 3) * end_conf, 3)
        if conf >= floor and conf > best.get(key, (-1.0, False))[0]:
            best[key] = (conf, lab)
    return [(k, c, ok) for k, (c, ok) in best.items()]


def gold_keys(gold: dict) -> list:
    """The firm (non-optional) relation keys of one gold document."""
    return gold_relations(gold)[0]


def score_predictions(preds, gold: dict, threshold: float = 0.5) -> tuple[int, int, int, int]:
    """(true predictions, predictions, found gold, gold) for one document (optional gold: not counted)."""
    gl, optional = gold_relations(gold)
    pred = without_optional({k for k, c, _ in preds if c >= threshold}, gl, optional)
    tp_pred = tp_gold = 0
    for t in {k[0] for k in pred} | {g[0] for g in gl}:
        a, b = match_relations({k for k in pred if k[0] == t}, [g for g in gl if g[0] == t])
        tp_pred += a
        tp_gold += b
    return tp_pred, len(pred), tp_gold, len(gl)


def lodo(rows, golds: dict, docs: list[str], fit, threshold: float = 0.5, **fit_args):
    """Per document of ``docs``: (doc_id, counts, scored) with a model fitted on all other rows.

    ``fit(rows, **fit_args)`` returns an object with ``probability(feats)``."""
    by_doc = defaultdict(list)
    for r in rows:
        by_doc[r[2]].append(r)
    out = []
    for d in docs:
        model = fit([r for r in rows if r[2] != d], **fit_args)
        preds = predicted(by_doc[d], model.probability)
        out.append((d, score_predictions(preds, golds[d], threshold), [(c, ok) for _, c, ok in preds]))
    return out


def summary(results) -> dict:
    """Micro-averaged precision, recall, F1 and the confidence bands over ``lodo`` results."""
    tp_p = sum(c[0] for _, c, _ in results)
    n_p = sum(c[1] for _, c, _ in results)
    tp_g = sum(c[2] for _, c, _ in results)
    n_g = sum(c[3] for _, c, _ in results)
    p, r, f = prf(tp_p, n_p, n_g, tp_g)
    scored = [s for _, _, sc in results for s in sc]
    return {"precision": p, "recall": r, "f1": f, "pred": n_p, "gold": n_g,
            "bands": confidence_bands(scored)}


def main(argv=None) -> None:
    from kg.extract import train
    from kg.extract.pipeline import light_graph
    from kg.extract.score import format_bands
    from kg.paths import CORPUS, DATA, DEVSET, REPO

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--decision", type=float, default=train.DECISION)
    ap.add_argument("--c", type=float, default=train.C)
    ap.add_argument("--per-document", action="store_true")
    ap.add_argument("--no-gates", action="store_true", help="the classifier without family gates")
    ap.add_argument("--gate-below", type=float, default=train.GATE_BELOW)
    ap.add_argument("--gate-min", type=int, default=train.GATE_MIN)
    args = ap.parse_args(argv)
    if CORPUS is None or DEVSET is None:
        raise SystemExit("set CITYKG_CORPUS and CITYKG_DEVSET")
    g = light_graph(DATA)
    golds: dict = {}
    docs: list = []
    rows = train.training_rows(g, CORPUS, DEVSET, REPO / "tests" / "gold", DATA, docs, golds)
    tune = [d for d in docs if golds[d].get("split") == "tune"]
    if args.no_gates:
        res = lodo(rows, golds, tune, train.fit, c=args.c, decision=args.decision)
    else:     # nested: each fold's gates come from out-of-fold scores of its own training documents
        res = lodo(rows, golds, tune, train.fit_gated, c=args.c, decision=args.decision,
                   gate_below=args.gate_below, gate_min=args.gate_min)
    s = summary(res)
    if args.per_document:
        for d, (tp_p, n_p, tp_g, n_g), _ in res:
            print(f"{d[:40]:<42}{tp_p:>4}/{n_p:<4}{tp_g:>4}/{n_g:<4}")
    print(f"tune LODO (decision {args.decision}, C {args.c}, gates {not args.no_gates}): P {s['precision']:.3f} R {s['recall']:.3f} "
          f"F1 {s['f1']:.3f} ({s['pred']} predicted, {s['gold']} gold)")
    print(format_bands(s["bands"]))


if __name__ == "__main__":
    main()
