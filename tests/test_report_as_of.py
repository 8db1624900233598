"""`citykg report --as-of/--plan`: the options reach every analysis and view that uses a
grouping, and the index page says which year or plan it is scoped to.

The worked case: 长三角 as of 2017 is the 2016 plan's 26 cities (徐州 320300 entered with
the 2019 outline), counted independently from data/relations/cluster_members.csv."""
from __future__ import annotations

import csv

import pytest

from kg.paths import DATA

YRD = "cluster:yangtze-river-delta"
PLAN_2016 = "policy:yrd-cluster-plan-2016"


def _plan_cities(source_id):
    with open(DATA / "relations" / "cluster_members.csv", encoding="utf-8") as fh:
        return {r["head"] for r in csv.DictReader(fh) if r["tail"] == YRD and r["source_id"] == source_id}


def test_cli_passes_as_of_and_plan_to_the_report(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    import kg.report
    from kg.cli import app

    seen = {}

    def fake_run_report(out, data_dir, **kw):
        seen.update(kw)
        raise ValueError("stopped after the options were read")

    monkeypatch.setattr(kg.report, "run_report", fake_run_report)
    res = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "r"), "--no-neo4j",
                                   "--as-of", "2017", "--plan", PLAN_2016])
    assert res.exit_code != 0 and "stopped after the options were read" in res.output
    assert seen["as_of"] == 2017 and seen["plan"] == PLAN_2016
    res = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "r"), "--as-of", "1800"])
    assert res.exit_code == 2 and "1949" in res.output           # out of range, refused by the CLI


def test_reference_scope_and_own_plan(graph):
    from kg.analysis.scope import ScopeError, own_plan, reference_scope

    assert reference_scope(graph, 2017).describe() == "全国 (as of 2017)"
    assert reference_scope(graph, plan=PLAN_2016).plan == PLAN_2016
    assert own_plan(graph, YRD, "yrd-cluster-plan-2016") == "yrd-cluster-plan-2016"
    assert own_plan(graph, "metro:nanjing", PLAN_2016) is None
    with pytest.raises(ScopeError, match="no city cluster, metro circle or corridor is targeted"):
        reference_scope(graph, plan="policy:no-such-plan")


def test_grouping_tables_of_the_report_follow_the_year(graph):
    from kg.analysis import homogeneity, networks
    from kg.analysis.reports import _cluster_hubs
    from kg.analysis.scope import reference_scope

    cities_2016 = _plan_cities(PLAN_2016)
    national = networks.network(graph, "city-adjacency", None)
    rows = {y: _cluster_hubs(graph, national, "fast", reference_scope(graph, y)) for y in (2017, 2020)}
    yrd_line = lambda text: next(l for l in text.splitlines() if l.startswith("| 长江三角洲城市群 |"))
    assert yrd_line(rows[2017]).split("|")[2].strip() == str(len(national.subgraph(cities_2016)))
    assert int(yrd_line(rows[2020]).split("|")[2]) > int(yrd_line(rows[2017]).split("|")[2])
    by = lambda **kw: homogeneity.scope_indices(graph, scopes=[YRD], shares=False, **kw).iloc[0]
    y2017, y2020, plan = by(as_of=2017), by(as_of=2020), by(as_of=2020, plan=PLAN_2016)
    assert y2017["members"] < y2020["members"] and plan["members"] == y2017["members"]
    # the plan picks 长三角's list only; 南京都市圈 stays as of 2020's year rule
    nj = lambda **kw: homogeneity.scope_indices(graph, scopes=["metro:nanjing"], shares=False, **kw)
    assert nj(as_of=2024, plan=PLAN_2016).equals(nj(as_of=2024))


def test_report_views_follow_the_year(graph, tmp_path):
    from kg.report import write_views

    then, _ = write_views(graph, tmp_path / "2017", lambda s: None, as_of=2017)
    page = (tmp_path / "2017" / "cluster-yangtze-river-delta.html").read_text(encoding="utf-8")
    assert "as of 2017" in page and "320300" not in page          # 徐州 entered in 2019
    now, _ = write_views(graph, tmp_path / "now", lambda s: None)
    assert "320300" in (tmp_path / "now" / "cluster-yangtze-river-delta.html").read_text(encoding="utf-8")
    then, now = ({link.title.split(" (")[0]: link for link in links} for links in (then, now))
    assert then["长江三角洲城市群"].title == "长江三角洲城市群 (as of 2017)"
    assert then["长江三角洲城市群"].nodes < now["长江三角洲城市群"].nodes
    # 南京都市圈's members come from its 2021 plan: as of 2017 the view holds no member place
    assert then["南京都市圈"].nodes < 10 < now["南京都市圈"].nodes
    assert then["江苏省"].nodes == now["江苏省"].nodes               # a province has no plan year


@pytest.mark.slow
def test_report_as_of_runs_and_says_so(graph, tmp_path):
    from kg.report import run_report

    result = run_report(tmp_path / "report", graph=graph, use_neo4j=False, progress=lambda s: None,
                        as_of=2017)
    index = result.index.read_text(encoding="utf-8")
    assert "Groupings scoped to:</strong> as of 2017 (--as-of)" in index
    pages = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "report" / "analysis").glob("*.md")}
    assert "centrality_combined_national.md" in pages
    assert pages["centrality_combined_national.md"].startswith("# Centrality: combined network, 全国 (as of 2017)")
    with open(tmp_path / "report" / "analysis" / "homogeneity_scopes.csv", encoding="utf-8") as fh:
        yrd = next(r for r in csv.DictReader(fh) if r["scope_key"] == YRD)
    from kg.analysis.homogeneity import industry_matrix
    from kg.analysis.scope import analysis_scope

    assert int(yrd["members"]) == len(industry_matrix(graph, analysis_scope(graph, YRD, as_of=2017)))
    assert int(yrd["members"]) < len(industry_matrix(graph, analysis_scope(graph, YRD, as_of=2020)))
