"""`citykg report`: one index.html linking the views, the analyses and the build, with a summary."""
from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from typer.testing import CliRunner

from kg.model.graph import counts
from kg.paths import DATA
from kg.viz.report_page import read_sources


@pytest.mark.neo4j
@pytest.mark.slow
def test_report_links_everything_and_loads_neo4j(graph, loaded, neo4j_server, monkeypatch, tmp_path):
    from kg.report import REPORT_VIEWS, run_report

    monkeypatch.setenv("NEO4J_URI", neo4j_server["uri"])
    monkeypatch.setenv("NEO4J_USER", neo4j_server["user"])
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server["password"])
    result = run_report(tmp_path / "report", graph=graph, progress=lambda s: None)
    html = result.index.read_text(encoding="utf-8")
    assert result.neo4j_status.startswith("loaded") and neo4j_server["uri"] in html
    # Every view was drawn and every local link leads to a file that exists.
    assert result.notes == [] and len(result.views) == len(REPORT_VIEWS)
    links = [unquote(h) for h in re.findall(r'href="([^"]+)"', html) if not h.startswith("http")]
    assert links and all((result.index.parent / h).is_file() for h in links), links
    for view in result.views:
        assert f">{view.title}</a>" in html and f">{view.nodes}<" in html
    titles = " ".join(a.title for a in result.analyses)
    assert all(word in titles for word in ("Centrality", "Homogeneity", "Linkages"))
    assert {"nodes.csv", "relationships.csv", "build_report.json"} <= {h.split("/")[-1] for h in links}
    # The summary: counts by label and type, and every source of data/sources.csv.
    summary = counts(graph)
    for label, n in summary["labels"].items():
        assert re.search(rf"<td>{label}</td><td class=\"n\">{n:,}</td>", html), label
    for rel, n in summary["types"].items():
        assert re.search(rf"<td>{rel}</td><td class=\"n\">{n:,}</td>", html), rel
    for source in read_sources(DATA):
        assert f"<code>{source['source_id']}</code>" in html


def test_unreachable_neo4j_is_a_note_not_a_failure(graph, monkeypatch):
    from kg.report import load_into_neo4j

    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NEO4J_PASSWORD", "x")
    ok, status = load_into_neo4j(graph)
    assert not ok and "not loaded into Neo4j" in status and "127.0.0.1:9" in status


def test_missing_data_folder_is_a_clear_error(tmp_path):
    from kg.cli import app

    result = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "r"),
                                      "--data", str(tmp_path / "nowhere"), "--no-neo4j"])
    assert result.exit_code == 1 and "nowhere" in result.output and "does not exist" in result.output
    assert "Traceback" not in result.output
