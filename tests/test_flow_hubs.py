"""Hub reports over observed flows and their agreement with a published ranking (GaWC 2020)."""
from __future__ import annotations

import pandas as pd
import pytest

from kg.analysis import flow_report, ranking
from kg.analysis.flow_networks import mode_network, observed_flows
from kg.sources.rankings import read_ranking


def test_rank_agreement_against_a_hand_computation():
    # ours 1..5; published tiers 1,1,2,3,3 -> average ranks 1.5,1.5,3,4.5,4.5
    # Spearman = Pearson(1..5, avg ranks): cov 9, var 10 and 9 -> 9/sqrt(90)
    # Kendall tau-b: 8 concordant, 0 discordant, 2 pairs tied in y -> 8/sqrt(10*8)
    r = ranking.rank_agreement({"a": 1, "b": 2, "c": 3, "d": 4, "e": 5},
                               {"a": 1, "b": 1, "c": 2, "d": 3, "e": 3})
    assert r["spearman"] == pytest.approx(9 / 90 ** 0.5, abs=1e-12)
    assert r["kendall"] == pytest.approx(8 / 80 ** 0.5, abs=1e-12)
    reverse = ranking.rank_agreement({"a": 5, "b": 4, "c": 3, "d": 2, "e": 1},
                                     {"a": 1, "b": 1, "c": 2, "d": 3, "e": 3})
    assert reverse["spearman"] == pytest.approx(-9 / 90 ** 0.5, abs=1e-12)
    with pytest.raises(ValueError, match="only 2 cities"):
        ranking.rank_agreement({"a": 1, "b": 2}, {"a": 1, "b": 2, "c": 3})


def test_published_ranking_names_cities_of_the_graph(graph):
    pub = read_ranking(g=graph)
    assert pub["checked"].all() and pub["quote"].str.len().gt(10).all()
    top = set(pub.index[pub["mainland_top10"]])
    assert len(top) == 10 and {"110000", "310000", "440100", "440300", "510100"} <= top
    assert pub.loc["310000", "tier"] == 1 and pub.loc["370200", "gawc_class"] == "Gamma+"


def test_observed_flows_mix_no_units_and_no_gravity(graph):
    h = observed_flows(graph)
    assert set(h.graph["modes"]) >= {"air", "rail"} and "gravity" not in h.graph["modes"]
    for mode in h.graph["modes"]:
        total = sum(d["relations"].get(mode, 0.0) for *_, d in h.edges(data=True))
        assert total == pytest.approx(1.0)        # every mode weighs the same
    air = mode_network(graph, "air")
    assert air.is_directed() and air.graph["year"] == 2014
    assert air.edges["110000", "310000"]["weight"] == h.edges["110000", "310000"]["relations"]["air"] * \
        sum(w for *_, w in air.edges(data="weight"))


def test_national_hub_table_agrees_with_gawc(graph):
    t = flow_report.flow_table(observed_flows(graph))
    pub = read_ranking()
    cmp = flow_report.compare_with_published(t, pub)
    top10 = list(t.sort_values("hub_rank").index[:10])
    assert {"110000", "310000"} <= set(top10[:3])                  # 北京 and 上海 lead
    assert cmp["overlap"] >= 7 and cmp["overlap"] == len(set(top10) & set(pub.index[pub.mainland_top10]))
    # the correlation, computed independently: Pearson correlation of average ranks
    both = pd.DataFrame({"ours": t["hub_rank"], "tier": pub["tier"]}).dropna()
    expected = both["ours"].rank().corr(both["tier"].rank())
    assert cmp["n"] == len(both) == len(pub)
    assert cmp["spearman"] == pytest.approx(expected, abs=1e-12)
    assert cmp["spearman"] > 0.5 and cmp["spearman_p"] < 0.01 and cmp["kendall"] > 0.4


def test_default_centrality_report_is_over_flows(graph, tmp_path):
    from kg.analysis.reports import DEFAULT_NETWORK, write_centrality

    assert DEFAULT_NETWORK == "flows"
    written = write_centrality(graph, tmp_path)
    md = written[0][1].read_text(encoding="utf-8")
    assert "Against a published ranking: GaWC 2020" in md and "Spearman ρ = **" in md
    assert "| air | False | 2014 | airline_routes |" in md
    maps = [p for _, p in written if p.suffix == ".png"]
    assert len(maps) >= 3 and all(p.stat().st_size > 20_000 for p in maps)
    national = pd.read_csv(tmp_path / "centrality_flows_national.csv", dtype={"node": str},
                           index_col="node")
    assert national["connectivity"].max() == pytest.approx(100.0)
    assert {"in_strength", "out_strength", "pagerank_in", "pagerank_out", "betweenness"} <= set(national)


def test_structural_networks_stay_available_by_name(graph, tmp_path):
    from typer.testing import CliRunner

    from kg.cli import app

    result = CliRunner().invoke(app, ["analyze", "centrality", "--network", "comembership",
                                      "--out", str(tmp_path), "--top", "3"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "centrality_comembership_national.md").exists()
