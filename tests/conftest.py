"""Shared fixtures. The built graph is made once per test session."""
from __future__ import annotations

import pytest

CORPUS_HOWTO = ("founding corpus not available: set CITYKG_CORPUS to its folder "
                "(e.g. CITYKG_CORPUS=../shared/corpus) to run the corpus evaluations")


def corpus_dir():
    """The founding corpus folder, or a skip that says how to provide it."""
    from kg.paths import CORPUS

    if CORPUS is None or not any(CORPUS.glob("[0-9][0-9][0-9]_*.txt")):
        pytest.skip(CORPUS_HOWTO)
    return CORPUS


@pytest.fixture(scope="session")
def corpus_files():
    """{file name: text} of the founding corpus; skips the test when it is not available."""
    folder = corpus_dir()
    return {p.name: p.read_text(encoding="utf-8") for p in folder.glob("[0-9][0-9][0-9]_*.txt")}


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


# --- Neo4j -------------------------------------------------------------------
# One local server for the whole session; tests that need it are marked `neo4j`.

@pytest.fixture(scope="session")
def neo4j_server():
    """The local Neo4j server, installed and started if needed. At the end it is stopped
    only if this session started it and no other live session uses it (see
    ``shared_server``). Yields its connection settings (uri, user, password)."""
    from kg.store import neo4j_server as srv

    if not srv.is_installed():
        srv.install()
    with srv.shared_server() as settings:
        yield settings


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_server):
    """A verified neo4j driver for the local server."""
    from kg.store.neo4j_server import connect

    driver = connect(neo4j_server["uri"], neo4j_server["user"], neo4j_server["password"])
    yield driver
    driver.close()


@pytest.fixture(scope="session")
def loaded(neo4j_driver, graph):
    """The driver, after ``graph`` was loaded once into a database holding exactly ``graph``."""
    from kg.model.graph import counts
    from kg.store.neo4j_load import clear_database, database_counts, load_graph

    # Clear only when the database holds something else: another test session may be
    # reading the same graph right now, and re-merging identical data disturbs no one.
    if database_counts(neo4j_driver) != counts(graph):
        clear_database(neo4j_driver)
    load_graph(neo4j_driver, graph, progress=False)
    return neo4j_driver


def pytest_terminal_summary(terminalreporter):
    """One line per reason for skipped tests (not one per test), e.g. the missing corpus."""
    from collections import Counter

    reasons = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reasons[reason.removeprefix("Skipped: ")] += 1
    for reason, n in reasons.most_common():
        terminalreporter.write_line(f"skipped {n} test(s): {reason}")
