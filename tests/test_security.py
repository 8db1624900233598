"""A shared server stays safe: loopback only, authentication on, a generated password kept
outside the repository (never committed), and `citykg query` cannot write.

The configuration checks read the files the running server actually uses; the refusals are
the server's own (an unauthenticated Bolt or HTTP request, a CREATE in a read session).
"""
from __future__ import annotations

import base64
import json
import os
import re
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from kg import paths
from kg.store import neo4j_server as srv

CITYKG = [sys.executable, "-m", "kg"]


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=paths.REPO, capture_output=True, text=True)


def local_env() -> dict:
    """The environment of a user with no NEO4J_* variables: the local server's password file."""
    return {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}


# --- the configuration the server runs with ----------------------------------------------

@pytest.mark.neo4j
def test_running_server_conf_is_loopback_only_with_auth(neo4j_server):
    text = (srv.home() / "conf" / "neo4j.conf").read_text(encoding="utf-8")
    conf = dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))
    listen = {k: v for k, v in conf.items() if k.endswith("listen_address")}
    assert set(listen) >= {"server.default_listen_address", "server.bolt.listen_address",
                           "server.http.listen_address"}
    assert all(v.split(":")[0] == "127.0.0.1" for v in listen.values()), listen
    assert conf["dbms.security.auth_enabled"] == "true"
    assert conf.get("server.https.enabled", "false") == "false"


@pytest.mark.neo4j
def test_bolt_without_the_password_is_refused(neo4j_server):
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError

    for auth in ((neo4j_server["user"], "neo4j"), (neo4j_server["user"], "password"),
                 (neo4j_server["user"], "")):
        with GraphDatabase.driver(neo4j_server["uri"], auth=auth) as driver:
            with pytest.raises(AuthError):
                driver.verify_connectivity()


@pytest.mark.neo4j
def test_http_api_without_credentials_is_refused(neo4j_server):
    url = f"http://127.0.0.1:{srv.http_port()}/db/neo4j/tx/commit"
    body = json.dumps({"statements": [{"statement": "MATCH (n) RETURN count(n)"}]}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=10)
    assert err.value.code == 401
    # and with them it answers: the refusal above is about authentication, not the URL
    token = base64.b64encode(f"{neo4j_server['user']}:{neo4j_server['password']}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert json.loads(resp.read())["errors"] == []


# --- the password: generated, private, outside the repository, never committed ----------

@pytest.mark.neo4j
def test_password_file_is_private_generated_and_outside_the_repo(neo4j_server):
    path = srv.password_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not path.resolve().is_relative_to(paths.REPO.resolve())
    password = path.read_text().strip()
    assert password == neo4j_server["password"]
    # secrets.token_urlsafe(18): 24 characters of [A-Za-z0-9_-], not a default password
    assert re.fullmatch(r"[A-Za-z0-9_-]{24,}", password)
    assert password.lower() not in {"neo4j", "password", "admin", "secret"}


@pytest.mark.neo4j
@pytest.mark.slow
def test_each_install_generates_its_own_password(neo4j_server, tmp_path, monkeypatch):
    """Two fresh installs (sharing the jars, each with its own data) get two different random
    passwords, each in a mode-600 file, and Neo4j's own auth store holds a hash, not the text."""
    jars = srv.home() / "lib"          # the session's install, before CACHE is redirected
    passwords = []
    for name in ("a", "b"):
        monkeypatch.setattr(paths, "CACHE", tmp_path / name)
        srv.home().mkdir(parents=True)
        (srv.home() / "lib").symlink_to(jars)
        srv.install()
        path = srv.password_file()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        passwords.append(path.read_text().strip())
        stored = "".join(p.read_text(errors="replace") for p in (srv.home() / "data").rglob("auth*")
                         if p.is_file())
        assert stored and passwords[-1] not in stored
    assert passwords[0] != passwords[1]


@pytest.mark.neo4j
def test_the_password_is_in_no_file_git_sees(neo4j_server):
    password = neo4j_server["password"]
    # tracked and untracked-but-not-ignored files, i.e. everything `git add -A` would take
    found = git("grep", "-l", "--untracked", "-F", password)
    assert found.returncode == 1 and found.stdout == "", found.stdout
    history = git("log", "--all", "--oneline", f"-S{password}")
    assert history.returncode == 0 and history.stdout == ""


def test_no_credentials_are_written_into_the_code():
    """Credentials reach the code only through NEO4J_* or the password file: no literal
    password or auth tuple in any tracked file outside the tests' deliberately wrong ones."""
    listed = git("ls-files").stdout.split()
    assert listed, "not a git checkout"
    literal = re.compile(r"""(password|passwd|pwd)\s*[=:]\s*["'][^"'\s$]{4,}["']"""
                         r"""|auth\s*=\s*\(\s*["'][^"']+["']\s*,\s*["'][^"']+["']\s*\)""", re.I)
    hits = []
    for name in listed:
        path = paths.REPO / name
        if name.startswith("tests/") or not path.is_file() or path.suffix not in (
                ".py", ".sh", ".md", ".toml", ".cfg", ".ini", ".yml", ".yaml", ".json", ".ipynb", ".cypher", ""):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        hits += [f"{name}: {m.group(0)}" for m in literal.finditer(text)]
    assert hits == []


def test_a_password_file_dropped_into_the_repo_would_be_ignored():
    for name in (".neo4j-password", "secrets/neo4j-password", ".citykg/neo4j-password"):
        assert git("check-ignore", "-q", name).returncode == 0, name


def test_the_password_comes_from_the_environment_before_the_file(monkeypatch, tmp_path):
    monkeypatch.setattr(paths, "CACHE", tmp_path)
    srv.password_file().write_text("from-the-file\n")
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    settings = srv.connection_settings()
    assert (settings["password"], settings["password_source"]) == ("from-the-file", str(srv.password_file()))
    monkeypatch.setenv("NEO4J_PASSWORD", "from-the-env")
    settings = srv.connection_settings()
    assert (settings["password"], settings["password_source"]) == ("from-the-env", "env NEO4J_PASSWORD")


# --- `citykg query` cannot write ----------------------------------------------------------

@pytest.mark.neo4j
@pytest.mark.parametrize("write", [
    "CREATE (:Policy {id: 'policy:security-test'})",
    "MATCH (n) DETACH DELETE n",
    "CALL { CREATE (:Policy {id: 'policy:security-test'}) } RETURN 1",
])
def test_citykg_query_refuses_writes(loaded, write):
    from kg.store.neo4j_load import database_counts

    before = database_counts(loaded)
    proc = subprocess.run([*CITYKG, "query", write], cwd=paths.REPO, env=local_env(),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "error: the server refused to write" in proc.stderr, proc.stderr
    assert "Writing in read access mode not allowed" in " ".join(proc.stderr.split())  # the server's words
    assert database_counts(loaded) == before
    assert loaded.execute_query("MATCH (p:Policy {id: 'policy:security-test'}) RETURN count(p)").records[0][0] == 0


@pytest.mark.neo4j
def test_an_injection_string_given_as_a_parameter_is_just_a_value(loaded):
    from kg.store.neo4j_load import database_counts

    before = database_counts(loaded)
    nasty = "南京市'}) DETACH DELETE n //"
    proc = subprocess.run([*CITYKG, "query", "RETURN $name AS echoed, "
                           "COUNT { MATCH (p:Place) WHERE p.name = $name } AS matched",
                           "--param", f"name={nasty}", "--format", "json"],
                          cwd=paths.REPO, env=local_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [{"echoed": nasty, "matched": 0}]
    assert database_counts(loaded) == before


# --- no file reads, no configuration changes, a time limit --------------------------------

FILE_READS = [
    "LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l LIMIT 1",
    "LOAD CSV FROM 'file:///../../../../etc/passwd' AS l RETURN l LIMIT 1",
    "load /* hidden */ csv with headers from 'file:///etc/passwd' AS l RETURN l",
    "LOAD CSV FROM 'file:///etc/passwd' AS row CREATE (:Policy {id: row[0]})",
]


def run_query(*args, timeout=120):
    return subprocess.run([*CITYKG, "query", *args], cwd=paths.REPO, env=local_env(),
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.neo4j
@pytest.mark.parametrize("query", FILE_READS)
def test_citykg_query_refuses_load_csv(loaded, query):
    proc = run_query(query)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "LOAD CSV is not allowed" in proc.stderr
    assert "root:" not in proc.stdout + proc.stderr


@pytest.mark.neo4j
@pytest.mark.parametrize("query", [
    "CALL dbms.listConfig() YIELD name, value RETURN name, value",
    "CALL `dbms`.`setConfigValue`('db.logs.query.enabled', 'OFF')",
    "CALL db.createLabel('Injected')",
    "MATCH (n) WITH n LIMIT 1 CALL apoc.load.json('file:///etc/passwd') YIELD value RETURN value",
])
def test_citykg_query_refuses_procedures_that_are_not_catalogue_lookups(loaded, query):
    proc = run_query(query)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "is not allowed in `citykg query`" in proc.stderr


@pytest.mark.neo4j
def test_catalogue_procedures_and_subqueries_still_run(loaded):
    proc = run_query("CALL db.labels() YIELD label WHERE label = 'MetroCircle' "
                     "CALL { RETURN 1 AS one } RETURN label, one", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [{"label": "MetroCircle", "one": 1}]


@pytest.mark.neo4j
@pytest.mark.parametrize("url", ["file:///etc/passwd", "file:///../../../../etc/passwd",
                                 "file:///%2e%2e/%2e%2e/%2e%2e/etc/passwd"])
def test_the_server_itself_confines_load_csv_to_an_empty_folder(neo4j_driver, url):
    """Even a client that bypasses `citykg query` cannot read the server user's files."""
    from neo4j.exceptions import ClientError

    confined = srv.confined_import_dir()
    assert confined.is_dir() and not any(confined.iterdir())
    with neo4j_driver.session() as session:
        with pytest.raises(ClientError) as err:
            session.run(f"LOAD CSV FROM '{url}' AS l RETURN l LIMIT 1").consume()
    assert "root:" not in str(err.value)
    settings = {r["name"]: r["value"] for r in neo4j_driver.execute_query(
        "SHOW SETTINGS YIELD name, value WHERE name IN "
        "['server.directories.import', 'db.transaction.timeout'] RETURN name, value").records}
    assert Path(settings["server.directories.import"]) == confined
    assert settings["db.transaction.timeout"] == srv.SERVER_TX_TIMEOUT


@pytest.mark.neo4j
def test_a_runaway_query_is_stopped_with_a_clear_message(loaded):
    import time

    t0 = time.monotonic()
    proc = run_query("UNWIND range(1, 2000000000) AS x RETURN count(x)", "--timeout", "2", timeout=90)
    assert time.monotonic() - t0 < 60
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "ran longer than 2 s" in proc.stderr and "--timeout" in proc.stderr
    quick = run_query("RETURN 1 AS one", "--format", "json")      # the server is still fine
    assert quick.returncode == 0 and json.loads(quick.stdout) == [{"one": 1}]
