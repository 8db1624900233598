"""The local Neo4j server: config, loopback only, Browser, password, clear errors, dump/restore."""
from __future__ import annotations

import socket
import stat
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg import paths
from kg.cli import app
from kg.model.graph import counts
from kg.store import neo4j_server as srv
from kg.store.neo4j_load import database_counts, load_graph

runner = CliRunner()


@pytest.fixture
def local_env(monkeypatch):
    """The CLI must talk to the local server, whatever the developer's shell exports."""
    for var in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD"):
        monkeypatch.delenv(var, raising=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_conf_is_loopback_only_with_auth_and_small_memory(monkeypatch):
    monkeypatch.setenv("CITYKG_BOLT_PORT", "17687")
    monkeypatch.setenv("CITYKG_HTTP_PORT", "17474")
    conf = dict(line.split("=", 1) for line in srv.neo4j_conf().splitlines()
                if line and not line.startswith("#"))
    assert conf["server.bolt.listen_address"] == "127.0.0.1:17687"
    assert conf["server.http.listen_address"] == "127.0.0.1:17474"
    assert conf["server.default_listen_address"] == "127.0.0.1"
    assert conf["dbms.security.auth_enabled"] == "true"
    assert conf["server.https.enabled"] == "false"
    assert conf["server.memory.heap.max_size"] == "1g"
    assert conf["server.memory.pagecache.size"] == "512m"


def test_missing_java_is_one_clear_line(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no java, no mvn
    with pytest.raises(srv.ServerError, match=r"`java` not found on PATH; install a Java 17"):
        srv.java_binary()


def test_a_jvm_that_dies_at_start_fails_early_with_the_log_tail(monkeypatch, tmp_path):
    # An install whose only jar is empty: the JVM exits at once, and start() must say so
    # (with the log) instead of waiting two minutes.
    monkeypatch.setattr(paths, "CACHE", tmp_path)
    monkeypatch.setenv("CITYKG_BOLT_PORT", str(free_port()))
    monkeypatch.setenv("CITYKG_HTTP_PORT", str(free_port()))
    home = srv.home()
    for sub in ("conf", "lib", "logs", "run", "plugins"):
        (home / sub).mkdir(parents=True)
    (home / "lib" / f"neo4j-{srv.NEO4J_VERSION}.jar").write_bytes(b"")
    srv.password_file().write_text("irrelevant\n")
    with pytest.raises(srv.ServerError) as err:
        srv.start(timeout=60)
    message = str(err.value)
    assert message.startswith("Neo4j exited (code 1) while starting")
    assert "org.neo4j.server.CommunityEntryPoint" in message  # "Could not find or load main class ..."
    assert not srv.is_running()


@pytest.mark.neo4j
def test_server_runs_the_pinned_version(neo4j_server):
    info = srv.status()
    assert info["running"] and info["version"] == f"{srv.NEO4J_VERSION} community"


def _listeners(port: int) -> set[str]:
    """Addresses with a LISTEN socket on ``port``, read from /proc/net/tcp{,6}."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port:  # 0A = LISTEN
                found.add(addr)
    return found


@pytest.mark.neo4j
def test_server_listens_on_loopback_only(neo4j_server):
    loopback = {"0100007F", "0000000000000000FFFF00000100007F"}  # 127.0.0.1, ::ffff:127.0.0.1
    for port in (srv.bolt_port(), srv.http_port()):
        listeners = _listeners(port)
        assert listeners and listeners <= loopback, (port, listeners)


@pytest.mark.neo4j
def test_browser_is_served(neo4j_server):
    with urllib.request.urlopen(srv.browser_url(), timeout=10) as resp:
        assert resp.status == 200
        assert "<title>Neo4j Browser</title>" in resp.read().decode("utf-8")
    with urllib.request.urlopen(f"http://127.0.0.1:{srv.http_port()}/", timeout=10) as resp:
        assert f'"neo4j_version":"{srv.NEO4J_VERSION}"' in resp.read().decode("utf-8")


@pytest.mark.neo4j
def test_password_file_is_private_and_outside_the_repo(neo4j_server):
    path = srv.password_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not path.resolve().is_relative_to(paths.REPO)
    assert len(path.read_text().strip()) >= 20


@pytest.mark.neo4j
def test_wrong_password_gives_one_clear_line(neo4j_server, local_env):
    result = runner.invoke(app, ["query", "RETURN 1", "--password", "not-the-password"])
    assert result.exit_code == 1
    assert "refused the password for user 'neo4j'" in result.output
    assert "came from the --password option" in result.output
    assert "Traceback" not in result.output


@pytest.mark.neo4j
def test_wrong_password_from_env_names_the_env_variable(neo4j_server, monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", "also-not-the-password")
    with pytest.raises(srv.ServerError, match="came from env NEO4J_PASSWORD"):
        srv.connect()


@pytest.mark.neo4j
def test_port_in_use_is_reported_before_starting(neo4j_server, monkeypatch):
    # What a user sees when some other Neo4j already holds the port: the running server
    # plays that other program, as if it were not ours.
    monkeypatch.setattr(srv, "is_running", lambda: False)
    pid_before = srv.pid()
    with pytest.raises(srv.ServerError, match=rf"port {srv.bolt_port()} on 127.0.0.1 is already in use"):
        srv.start()
    assert srv.pid() == pid_before


@pytest.mark.neo4j
@pytest.mark.slow
def test_dump_and_restore_round_trip(loaded, graph, tmp_path, local_env):
    expected = counts(graph)
    archive = tmp_path / "kg.dump"
    result = runner.invoke(app, ["dump", "--out", str(archive)])
    assert result.exit_code == 0, result.output
    assert archive.stat().st_size > 10_000

    # A change after the dump, which the restore must undo, made through the shared driver:
    # after the restore the database's transaction ids are lower again, and a driver that
    # chained bookmarks would now wait for a transaction that never comes (UnchainedDriver).
    marker = "MATCH (o:Organization {id: 'restore-marker'}) RETURN count(o)"
    loaded.execute_query("MATCH (p:Place {adcode: '429004'}) DETACH DELETE p")
    loaded.execute_query("CREATE (:Organization {id: 'restore-marker'})")
    assert loaded.execute_query(marker).records[0][0] == 1
    assert database_counts(loaded) != expected
    result = runner.invoke(app, ["restore", str(archive)])
    if result.exit_code != 0 and srv.is_running():  # leave the graph whole for the other tests
        with srv.connect_local() as driver:
            driver.execute_query("MATCH (o:Organization {id: 'restore-marker'}) DELETE o")
            load_graph(driver, graph, progress=False)
    assert result.exit_code == 0, result.output
    assert srv.is_running()
    assert database_counts(loaded) == expected
    assert loaded.execute_query(marker).records[0][0] == 0
    rows = loaded.execute_query("MATCH (c:County {adcode: '429004'})-[:BELONGS_TO]->(p) "
                                "RETURN c.name AS c, p.adcode AS p").records
    assert [(r["c"], r["p"]) for r in rows] == [("仙桃市", "420000")]


def test_restore_of_a_missing_file_is_one_clear_line(tmp_path):
    result = runner.invoke(app, ["restore", str(tmp_path / "nope.dump")])
    assert result.exit_code == 1
    assert "no such dump file" in result.output
