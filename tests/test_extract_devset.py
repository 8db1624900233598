"""Extraction on the development set (issue 13): documents the patterns were not written for.

Gold: tests/gold/devset/ (relations only, annotated before tuning). Targets, relations of all
types together: the held-back split (8 documents never used for tuning or training) precision
>= 0.80 and recall >= 0.60. The devset is third-party text outside the repository: these
tests skip without it (set CITYKG_DEVSET=/path/to/devset to run them).
"""
from __future__ import annotations

import pytest

from kg.extract.score import bands_of, load_gold, node_keys, score_corpus
from kg.paths import DATA, DEVSET, REPO

GOLD = REPO / "tests" / "gold" / "devset"
HELD = {"03", "05", "08", "12", "14", "16", "20", "23"}
needs_devset = pytest.mark.skipif(
    not (DEVSET and DEVSET.is_dir()),
    reason="extraction devset not available: set CITYKG_DEVSET to its folder "
           "(e.g. CITYKG_DEVSET=../shared/devset) to run the devset evaluations")


def test_gold_files_name_their_split():
    gold = load_gold(GOLD)
    assert len(gold) == 24
    assert {d[:2] for d, g in gold.items() if g["split"] == "held"} == HELD
    assert all(g["split"] == "tune" for d, g in gold.items() if d[:2] not in HELD)
    assert sum(len(g["relations"]) for g in gold.values()) > 200


def test_training_never_reads_the_held_back_split():
    import inspect

    from kg.extract import train

    src = inspect.getsource(train.training_rows)
    assert '"tune"' in src and "held" not in src.replace("held-back", "")
    meta = __import__("json").loads((REPO / "kg/extract/model/relations.json").read_text(encoding="utf-8"))["meta"]
    assert meta["documents"] == 5 + 16
    assert not {d[:2] for d in meta["training_documents"]} & HELD


@needs_devset
def test_gold_quotes_are_in_the_bodies_and_nodes_in_the_graph(graph):
    from kg.extract.readers import read_devset_document

    for doc_id, gold in load_gold(GOLD).items():
        body = read_devset_document(DEVSET / doc_id).text
        for r in gold["relations"]:
            assert r["quote"] in body, (doc_id, r)
            for key in node_keys(r["head"]) | node_keys(r["tail"]):
                assert key.startswith("title:") or key in graph, (doc_id, key)


@needs_devset
@pytest.mark.slow
def test_the_packaged_model_is_what_its_training_script_writes(tmp_path):
    """Retraining (corpus + tune gold, seed 0, gates from out-of-fold scores) gives the stored
    model byte for byte."""
    pytest.importorskip("sklearn")
    from kg.extract import train
    from kg.paths import CORPUS

    if CORPUS is None or not CORPUS.is_dir():
        pytest.skip("founding corpus not available: set CITYKG_CORPUS to its folder to retrain")
    out = tmp_path / "relations.json"
    train.main(["--out", str(out)])
    assert out.read_bytes() == (REPO / "kg/extract/model/relations.json").read_bytes()


@pytest.fixture(scope="module")
def held(graph):
    return score_corpus(graph, GOLD, DEVSET, data_dir=DATA, split="held", devset=True)


@needs_devset
@pytest.mark.xfail(strict=True, reason="issue 13 is open: the held-back devset split scores P 0.776 / "
                   "R 0.652 against the targets 0.80 / 0.60 (docs/extraction.md); strict, so reaching "
                   "the targets turns this into a failure that asks for the marker to go")
def test_held_back_targets(held):
    rel = held["relations (all types)"]
    p, r, _ = rel.scores
    assert p >= 0.80 and r >= 0.60, f"held-back split: precision {p:.3f} (target 0.80), recall {r:.3f} (0.60)"


@needs_devset
def test_confidence_means_something(graph):
    """On the whole devset, the top band is at least as precise as the lowest kept band."""
    bands = bands_of(graph, GOLD, DEVSET, DATA, None, True)
    (lo, _, ok_lo, n_lo), *_, (_, _, ok_hi, n_hi) = bands
    assert lo == 0.5 and n_lo and n_hi
    assert ok_hi / n_hi >= ok_lo / n_lo
