"""The researcher walkthroughs in notebooks/, executed top to bottom against the real server.

Each notebook checks its own numbers with asserts; here we also check that the
notebooks are stored without outputs (so git diffs stay readable) and that
every code cell ran and produced something.
"""
from __future__ import annotations

import nbformat
import pytest

from kg.paths import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_there_are_at_least_four_walkthroughs():
    names = {p.stem for p in NOTEBOOKS}
    assert {"hubs_of_yangtze_river_delta", "industry_homogeneity_new_centres",
            "cross_provincial_metro_linkages", "yrd_scope_2016_vs_2019"} <= names  # the 4th: longitudinal


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_are_cleared_in_git(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


@pytest.mark.neo4j
@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_against_the_server(path, loaded, neo4j_server, monkeypatch, tmp_path):
    from nbclient import NotebookClient

    # The kernel inherits the environment: point it at the test session's server.
    monkeypatch.setenv("NEO4J_URI", neo4j_server["uri"])
    monkeypatch.setenv("NEO4J_USER", neo4j_server["user"])
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server["password"])
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(REPO)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert errors == []
    # Every cell but the last (driver.close()) shows a result, a table or a figure.
    assert all(c.outputs for c in code[1:-1]), [c.source[:60] for c in code[1:-1] if not c.outputs]
    nbformat.write(nb, tmp_path / path.name)  # the executed copy, for inspection on failure
