"""Extraction speed on the corpus, side by side with plain jieba segmentation of the same text.

    .venv/bin/python benchmarks/bench_extract.py [--repeat 5]

Prints characters per second (CPU time) for:
  * citykg extraction: simplified copy, sentences, gazetteer + place disambiguation,
    relation patterns, numbers, candidates (everything ``citykg extract`` does after
    reading the file), and
  * jieba.lcut over the same simplified text (dictionary already loaded),
and the ratio between them. One-time costs (loading the graph, building the
gazetteer, loading jieba's dictionary) are printed separately.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path


def cpu(fn, repeat: int) -> float:
    """Best CPU time of ``repeat`` runs (the least disturbed one)."""
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=None)
    args = parser.parse_args()

    from kg.extract.pipeline import Extractor, light_graph, source_years
    from kg.extract.readers import read_document
    from kg.extract.script import to_simplified
    from kg.paths import CORPUS, DATA

    corpus = args.corpus or CORPUS
    if not corpus.is_dir():
        raise SystemExit(f"corpus not found at {corpus}: set CITYKG_CORPUS or pass --corpus")
    docs = [read_document(p) for p in sorted(corpus.glob("0*.txt"))]
    chars = sum(len(d.text) for d in docs)

    t = time.process_time()
    g = light_graph(DATA)
    t_graph = time.process_time() - t
    t = time.process_time()
    extractor = Extractor(g, source_years=source_years(DATA))
    t_gazetteer = time.process_time() - t

    def extract_all():
        return [extractor.extract_document(d) for d in docs]

    n_cands = sum(len(c) for c in extract_all())
    t_extract = cpu(extract_all, args.repeat)

    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    t = time.process_time()
    jieba.initialize()
    t_jieba_init = time.process_time() - t
    texts = [to_simplified(d.text) for d in docs]

    def segment_all():
        return [jieba.lcut(x) for x in texts]

    n_tokens = sum(len(x) for x in segment_all())
    t_jieba = cpu(segment_all, args.repeat)

    print(f"corpus: {len(docs)} documents, {chars:,} characters ({corpus})")
    print(f"one-time: graph {t_graph:.2f} s, gazetteer {t_gazetteer:.2f} s, jieba dictionary {t_jieba_init:.2f} s")
    print(f"{'':<28}{'CPU s':>8}{'chars/s':>14}")
    print(f"{'citykg extract':<28}{t_extract:>8.3f}{chars / t_extract:>14,.0f}   ({n_cands} candidates)")
    print(f"{'jieba.lcut (segmentation)':<28}{t_jieba:>8.3f}{chars / t_jieba:>14,.0f}   ({n_tokens} tokens)")
    print(f"ratio: extraction takes {t_extract / t_jieba:.2f}x the CPU time of jieba segmentation "
          f"({'faster' if t_extract < t_jieba else 'slower'} than segmenting alone)")


if __name__ == "__main__":
    main()
