"""Reports and the command line: files written, hubs named, Chinese labels drawn, bad input."""
from __future__ import annotations

import io
import warnings

import pandas as pd
import pytest
from typer.testing import CliRunner

from kg.cli import app

# A figure with a missing glyph (an empty box instead of a character) fails the test.
pytestmark = pytest.mark.filterwarnings("error:Glyph")

runner = CliRunner()


def test_missing_glyphs_would_be_caught():
    """Without the CJK font, drawing a Chinese label warns (so the filter above can fail)."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        fig = Figure()
        fig.add_subplot().set_title("南京市")
        with pytest.warns(UserWarning, match="Glyph"):
            fig.savefig(io.BytesIO(), format="png")


def test_cjk_font_draws_place_names(tmp_path):
    from kg.analysis.fonts import setup_cjk_font
    from kg.analysis.reports import bar_chart

    setup_cjk_font()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = bar_chart(pd.Series({"南京市": 3.0, "鄂州市": 2.0, "亳州市": 1.0, "儋州市": 0.5}),
                         tmp_path / "bars.png", "长三角 城市群 hub score", "得分")
    assert path.stat().st_size > 5000


def test_centrality_report_names_hubs(graph, tmp_path):
    from kg.analysis import reports
    from kg.analysis.centrality import centrality_table
    from kg.analysis.networks import network

    written = reports.write_centrality(graph, tmp_path, "combined", "南京都市圈", top=5)
    md = written[0][1].read_text(encoding="utf-8")
    table = centrality_table(network(graph, "combined", "南京都市圈"))
    best = table.iloc[0]
    assert f"**{best['name']}**" in md and "carried by" in md
    assert {p.suffix for _, p in written} == {".md", ".csv", ".png"}
    csv = pd.read_csv(tmp_path / "centrality_combined_metro-nanjing.csv", dtype={"node": str})
    assert set(csv["node"]) == set(table.index)
    assert csv["national_rank"].notna().all()


def test_homogeneity_and_linkage_reports(graph, tmp_path):
    from kg.analysis import reports

    h = reports.write_homogeneity(graph, tmp_path, "长三角", samples=100)
    md = h[0][1].read_text(encoding="utf-8")
    assert "长江三角洲城市群" in md and "Homogeneity clusters" in md and "高端装备" in md
    link = reports.write_linkages(graph, tmp_path, "南京都市圈")
    md = link[0][1].read_text(encoding="utf-8")
    assert "滁州市" in md and "马鞍山市" in md
    assert (tmp_path / "linkages_cluster_matrix.png").stat().st_size > 5000


def test_python_api_returns_dataframes(graph):
    from kg import analysis

    hubs = analysis.hubs(graph, "city-adjacency", scope="江苏")
    assert isinstance(hubs, pd.DataFrame) and len(hubs) == 13
    assert hubs["hub_rank"].tolist() == sorted(hubs["hub_rank"])
    h = analysis.homogeneity_tables(graph, scope="南京都市圈", samples=50)
    assert {"matrix", "pairs", "clusters", "claims"} <= set(h)
    assert "p_value" in h["pairs"].columns


def test_cli_from_build_files(build_dir, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", "centrality", "--network", "city-adjacency",
                                 "--scope", "江苏", "--build", str(build_dir), "--out", str(out),
                                 "--top", "5"])
    assert result.exit_code == 0, result.output
    assert (out / "centrality_city-adjacency_320000.md").is_file()
    result = runner.invoke(app, ["analyze", "linkages", "--build", str(build_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("args, message", [
    (["centrality", "--scope", "长三家"], "closest scope names: 长三角"),
    (["centrality", "--network", "spillover", "--scope", "西藏自治区"], "has no node"),
    (["centrality", "--network", "nope"], "unknown network 'nope'"),
    (["homogeneity", "--scope", "industry:biomedicine"], "give a province, city"),
])
def test_cli_bad_input_is_one_clear_line(build_dir, tmp_path, args, message):
    result = runner.invoke(app, ["analyze", *args, "--build", str(build_dir),
                                 "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_missing_build_folder(tmp_path):
    result = runner.invoke(app, ["analyze", "linkages", "--build", str(tmp_path / "none")])
    assert result.exit_code == 1 and "no nodes.csv" in result.output
