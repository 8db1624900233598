"""citykg accept records on each accepted fact where and when it entered the graph."""
from __future__ import annotations

import csv
import json
import shutil

from kg.extract.accept import accept_file
from kg.extract.candidates import write_jsonl
from kg.paths import DATA


def test_accepted_fact_carries_candidates_file_and_date(graph, tmp_path):
    from kg.extract.pipeline import Extractor, light_graph

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    doc = tmp_path / "article_prov.txt"
    doc.write_text("江苏南通的转型\n日期:2024-05-01\n长期以来,研发在苏州、生产在南通的分工格局日益清晰。\n",
                   encoding="utf-8")
    raw, reviewed = tmp_path / "c.jsonl", tmp_path / "reviewed_batch1.jsonl"
    write_jsonl(Extractor(graph).extract(doc), raw)
    lines = [json.loads(x) for x in raw.read_text(encoding="utf-8").splitlines()]
    for d in lines:
        d["decision"] = "keep" if d["type"] == "SPILLOVER_TO" else "drop"
    reviewed.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in lines), encoding="utf-8")

    assert accept_file(reviewed, data, graph, accepted_on="2026-05-04").relations == 1
    with open(data / "relations" / "accepted.csv", encoding="utf-8") as fh:
        row = next(csv.DictReader(fh))
    assert (row["accepted_from"], row["accepted_on"]) == ("reviewed_batch1.jsonl", "2026-05-04")
    g = light_graph(data)
    edge = [d for _, v, d in g.out_edges("320500", data=True)
            if d["type"] == "SPILLOVER_TO" and d.get("source_id") == "article_prov.txt"]
    assert [(e["accepted_from"], e["accepted_on"]) for e in edge] == [("reviewed_batch1.jsonl", "2026-05-04")]
