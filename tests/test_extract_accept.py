"""citykg accept: reviewed candidates become curated rows that the build reads, once."""
from __future__ import annotations

import csv
import json
import shutil

import pytest

from kg.extract.accept import AcceptError, accept_file, ensure_source
from kg.extract.candidates import write_jsonl
from kg.paths import DATA


@pytest.fixture()
def data_copy(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    return copy


@pytest.fixture(scope="module")
def new_document(tmp_path_factory):
    """A document that is not in sources.csv, stating facts the curated layer lacks."""
    path = tmp_path_factory.mktemp("docs") / "article_test.txt"
    path.write_text("江苏南通的转型\n日期:2024-05-01\n"
                    "长期以来,研发在苏州、生产在南通的分工格局日益清晰。\n"
                    "2023年,南通市地区生产总值达11813.3亿元。\n"
                    "鼓楼区的老字号很多。\n", encoding="utf-8")
    return path


def _review(path, out, keep):
    lines = [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines()]
    for d in lines:
        d["decision"] = "keep" if keep(d) else "drop"
    out.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in lines), encoding="utf-8")
    return lines


def test_accept_adds_rows_once_and_the_build_reads_them(graph, new_document, data_copy, tmp_path):
    from kg.extract.pipeline import Extractor, light_graph

    cands = Extractor(graph).extract(new_document)
    raw, reviewed = tmp_path / "c.jsonl", tmp_path / "reviewed.jsonl"
    write_jsonl(cands, raw)
    _review(raw, reviewed, lambda d: d["type"] in ("SPILLOVER_TO", "STATISTIC") and d["confidence"] >= 0.5)

    report = accept_file(reviewed, data_copy, graph)
    assert (report.relations, report.statistics) == (1, 1)
    assert report.sources == ["article_test.txt"]
    with open(data_copy / "relations" / "accepted.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1
    row = rows[0]
    assert (row["type"], row["head"], row["tail"], row["function"]) == ("SPILLOVER_TO", "320500", "320600", "研发→生产")
    assert row["source_id"] == "article_test.txt" and row["year"] == "2024"
    assert "研发在苏州、生产在南通" in row["quote"] and row["candidate_id"].startswith("c-")
    with open(data_copy / "sources.csv", encoding="utf-8") as fh:
        src = [r for r in csv.DictReader(fh) if r["source_id"] == "article_test.txt"]
    assert src and src[0]["kind"] == "article" and src[0]["title"] == "江苏南通的转型"

    again = accept_file(reviewed, data_copy, graph)                # accepting twice adds nothing
    assert (again.relations, again.statistics) == (0, 0) and len(again.skipped) == 2
    with open(data_copy / "relations" / "accepted.csv", encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 1

    g = light_graph(data_copy)                                       # the same reader as citykg build
    edges = [d for _, _, d in g.edges("320500", data=True)
             if d["type"] == "SPILLOVER_TO" and d.get("source_id") == "article_test.txt"]
    assert len(edges) == 1 and edges[0]["function"] == "研发→生产" and edges[0]["year"] == 2024
    from kg.model.statistics import statistic_value
    assert statistic_value(g, "320600", "gdp", 2023) == 11813.3


def test_ambiguous_or_unknown_ends_are_refused_with_the_line(graph, new_document, data_copy, tmp_path):
    from kg.extract.pipeline import Extractor

    cands = Extractor(graph).extract(new_document)
    raw, reviewed = tmp_path / "c.jsonl", tmp_path / "r.jsonl"
    write_jsonl(cands, raw)
    lines = _review(raw, reviewed, lambda d: d["type"] == "MENTIONS" and d["tail"]["surface"] == "鼓楼区")
    assert any(d["decision"] == "keep" for d in lines)
    before = (data_copy / "sources.csv").read_bytes()
    with pytest.raises(AcceptError, match="鼓楼区' is ambiguous .*set tail.id"):
        accept_file(reviewed, data_copy, graph, mentions=True)
    assert (data_copy / "sources.csv").read_bytes() == before      # nothing written
    assert not (data_copy / "relations" / "accepted.csv").exists()


def test_a_bad_decision_is_reported(graph, new_document, data_copy, tmp_path):
    from kg.extract.pipeline import Extractor

    raw, reviewed = tmp_path / "c.jsonl", tmp_path / "r.jsonl"
    write_jsonl(Extractor(graph).extract(new_document), raw)
    lines = [json.loads(l) for l in raw.read_text(encoding="utf-8").splitlines()]
    lines[0]["decision"] = "maybe"
    reviewed.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in lines), encoding="utf-8")
    with pytest.raises(AcceptError, match="line 1: decision must be keep or drop"):
        accept_file(reviewed, data_copy, graph)


def test_ensure_source_adds_once(data_copy):
    assert ensure_source(data_copy, "x_test.txt", "标题", 2024) is True
    assert ensure_source(data_copy, "x_test.txt", "标题", 2024) is False
    assert ensure_source(data_copy, "001_78ebd5c545a785bc.txt", "t", 2025) is False
