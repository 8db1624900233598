"""No command deletes or overwrites what citykg did not write (``--out`` of build, report,
analyze and viz), with or without ``--force``; the refusal comes before any work is done."""
from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from kg.cli import app


def a_researchers_folder(path):
    """The folder of the probe: notes and a thesis chapter."""
    (path / "thesis").mkdir(parents=True)
    (path / "notes.txt").write_text("my notes", encoding="utf-8")
    (path / "thesis" / "ch1.md").write_text("chapter 1", encoding="utf-8")
    return path


def unchanged(path):
    return (sorted(p.relative_to(path).as_posix() for p in path.rglob("*")) == ["notes.txt", "thesis", "thesis/ch1.md"]
            and (path / "notes.txt").read_text(encoding="utf-8") == "my notes"
            and (path / "thesis" / "ch1.md").read_text(encoding="utf-8") == "chapter 1")


@pytest.mark.parametrize("command", [
    ["build"], ["build", "--force"], ["report", "--no-neo4j"], ["report", "--no-neo4j", "--force"],
])
def test_build_and_report_refuse_a_folder_they_did_not_write(tmp_path, command):
    mine = a_researchers_folder(tmp_path / "mine")
    result = CliRunner().invoke(app, [*command, "--out", str(mine)])
    assert result.exit_code != 0
    assert "not written by citykg" in result.output and "nothing was changed" in result.output
    assert unchanged(mine)


def test_build_refuses_the_current_folder(tmp_path):
    mine = a_researchers_folder(tmp_path / "mine")
    cwd = os.getcwd()
    os.chdir(mine)
    try:
        result = CliRunner().invoke(app, ["build", "--out", ".", "--force"])
    finally:
        os.chdir(cwd)
    assert result.exit_code != 0 and "not written by citykg" in result.output
    assert unchanged(mine)


@pytest.mark.parametrize("kind", ["centrality", "linkages"])
def test_analyze_refuses_a_folder_it_did_not_write(tmp_path, build_dir, kind):
    mine = a_researchers_folder(tmp_path / "mine")
    result = CliRunner().invoke(app, ["analyze", kind, "--build", str(build_dir), "--out", str(mine)])
    assert result.exit_code != 0 and "not written by citykg" in result.output
    assert unchanged(mine)


def test_analyze_adds_to_its_own_folder_until_a_foreign_file_appears(tmp_path, build_dir):
    out = tmp_path / "analysis"
    runner = CliRunner()
    first = runner.invoke(app, ["analyze", "linkages", "--build", str(build_dir), "--out", str(out)])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["analyze", "linkages", "--build", str(build_dir), "--out", str(out)])
    assert again.exit_code == 0, again.output
    (out / "my-notes.md").write_text("mine", encoding="utf-8")
    refused = runner.invoke(app, ["analyze", "linkages", "--build", str(build_dir), "--out", str(out)])
    assert refused.exit_code != 0 and "my-notes.md" in refused.output
    assert (out / "my-notes.md").read_text(encoding="utf-8") == "mine"


def test_viz_never_overwrites_a_page_it_did_not_write(tmp_path, build_dir):
    page = tmp_path / "paper.html"
    page.write_text("<html>my paper</html>", encoding="utf-8")
    runner = CliRunner()
    refused = runner.invoke(app, ["viz", "--build", str(build_dir), "--scope", "江苏省", "--out", str(page)])
    assert refused.exit_code != 0 and "not written by citykg" in refused.output
    assert page.read_text(encoding="utf-8") == "<html>my paper</html>"
    own = tmp_path / "jiangsu.html"
    for _ in range(2):                     # its own page it may replace
        result = runner.invoke(app, ["viz", "--build", str(build_dir), "--scope", "江苏省", "--out", str(own)])
        assert result.exit_code == 0, result.output
    assert "江苏省" in own.read_text(encoding="utf-8")
