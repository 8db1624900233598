"""Shared fixtures. The built graph is made once per test session."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def graph():
    """The whole knowledge graph built in memory from packages + data/."""
    from kg.build import build_graph

    return build_graph()


@pytest.fixture(scope="session")
def build_dir(graph, tmp_path_factory):
    """A folder holding the build files of ``graph``."""
    from kg.build import write_build

    out = tmp_path_factory.mktemp("build") / "out"
    write_build(graph, out)
    return out
