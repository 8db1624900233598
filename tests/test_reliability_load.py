"""Loads that researchers repeat, kill half-way or lose to a server restart end with exactly
the full graph; and every Cypher string in ``kg/`` takes its values as parameters.

The Neo4j tests run ``citykg load`` as a real subprocess, kill it with SIGKILL once its first
batches have committed (a small ``--batch-size`` makes that quick), stop the server under a
running load, and compare every node and relationship, with all properties, against a clean
full load. They leave the database holding the full graph, as the other Neo4j tests expect.
"""
from __future__ import annotations

import ast
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg import paths
from kg.model.graph import counts
from kg.store.neo4j_load import clear_database, database_counts, load_build

CITYKG = [sys.executable, "-m", "kg"]
SMALL_BATCH = 25          # rows per transaction in the loads that get killed
FIGURES: dict[str, object] = {}   # printed at the end of the session (see _report)


# --- helpers ------------------------------------------------------------------------------

def snapshot(driver) -> dict:
    """Every node (labels, properties) and relationship (type, properties) in the database."""
    nodes = {}
    for r in driver.execute_query("MATCH (n) RETURN coalesce(n.adcode, n.id) AS key, "
                                  "labels(n) AS labels, properties(n) AS props").records:
        assert r["key"] not in nodes, f"node {r['key']} stored twice"
        nodes[r["key"]] = (sorted(r["labels"]), r["props"])
    rels = {}
    for r in driver.execute_query("MATCH (a)-[r]->(b) RETURN coalesce(a.adcode, a.id) AS u, "
                                  "coalesce(b.adcode, b.id) AS v, type(r) AS t, "
                                  "properties(r) AS props").records:
        key = (r["u"], r["v"], r["t"], r["props"]["key"])
        assert key not in rels, f"relationship {key} stored twice"
        rels[key] = r["props"]
    return {"nodes": nodes, "relationships": rels}


def db_size(driver) -> tuple[int, int]:
    n = driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"]
    m = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS n").records[0]["n"]
    return n, m


def load_env(settings: dict) -> dict:
    """The environment for a `citykg load` subprocess: the test server's credentials come in
    through NEO4J_* (never on the command line, where `ps` would show the password)."""
    return {**os.environ, "NEO4J_URI": settings["uri"], "NEO4J_USER": settings["user"],
            "NEO4J_PASSWORD": settings["password"], "PYTHONUNBUFFERED": "1"}


def start_load(build_dir, settings, *args) -> subprocess.Popen:
    return subprocess.Popen([*CITYKG, "load", "--build", str(build_dir), *args], env=load_env(settings),
                            cwd=paths.REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run_load(build_dir, settings, *args, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run([*CITYKG, "load", "--build", str(build_dir), *args], env=load_env(settings),
                          cwd=paths.REPO, capture_output=True, text=True, timeout=timeout)


def wait_until(proc: subprocess.Popen, driver, ready, timeout=300) -> tuple[int, int]:
    """Poll the database until ``ready(nodes, rels)``; fail if the load ends first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        size = db_size(driver)
        if ready(*size):
            return size
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the load ended (exit {proc.returncode}) before it could be interrupted, "
                        f"at {size}:\n{out}\n{err}")
        time.sleep(0.05)
    proc.kill()
    pytest.fail(f"the load did not reach the interruption point in {timeout} s")


# --- a clean full load is the reference --------------------------------------------------

@pytest.fixture(scope="module")
def reference(neo4j_driver, build_dir, graph):
    """The database after one load of the build into an empty database."""
    clear_database(neo4j_driver)
    load_build(neo4j_driver, build_dir, progress=False)
    snap = snapshot(neo4j_driver)
    assert database_counts(neo4j_driver) == counts(graph)
    FIGURES["graph"] = f"{len(snap['nodes'])} nodes, {len(snap['relationships'])} relationships"
    return snap


@pytest.mark.neo4j
@pytest.mark.slow
def test_three_loads_leave_identical_nodes_relationships_and_properties(neo4j_driver, build_dir,
                                                                         reference):
    # The reference is load 1; loads 2 and 3 go over it.
    snaps = [reference]
    for _ in range(2):
        load_build(neo4j_driver, build_dir, progress=False)
        snaps.append(snapshot(neo4j_driver))
    sizes = [(len(s["nodes"]), len(s["relationships"])) for s in snaps]
    assert sizes[0] == sizes[1] == sizes[2]
    assert snaps[0] == snaps[1] == snaps[2]
    FIGURES["three loads"] = " = ".join(f"{n}/{m}" for n, m in sizes) + " (nodes/relationships)"


@pytest.mark.neo4j
@pytest.mark.slow
def test_killed_loads_rerun_to_exactly_the_full_graph(neo4j_server, neo4j_driver, build_dir, reference):
    total_nodes, total_rels = len(reference["nodes"]), len(reference["relationships"])
    clear_database(neo4j_driver)
    kills = []
    # Kill 1: while nodes are loading, after at least two batches committed.
    # Kill 2: a re-run, killed while relationships are loading.
    for phase, ready in (("nodes", lambda n, m: n >= 2 * SMALL_BATCH),
                         ("relationships", lambda n, m: m >= 2 * SMALL_BATCH)):
        proc = start_load(build_dir, neo4j_server, "--batch-size", str(SMALL_BATCH))
        wait_until(proc, neo4j_driver, ready)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL
        nodes, rels = db_size(neo4j_driver)
        kills.append(f"{phase} phase at {nodes} nodes/{rels} relationships")
        # what was committed stays, nothing is doubled, and the graph is not complete yet
        assert 2 * SMALL_BATCH <= (nodes if phase == "nodes" else rels)
        assert nodes <= total_nodes and rels < total_rels
        if phase == "relationships":
            assert nodes == total_nodes  # nodes all load before any relationship
    done = run_load(build_dir, neo4j_server)
    assert done.returncode == 0, done.stderr
    assert f"now holds {total_nodes} nodes and {total_rels} relationships" in done.stdout
    assert snapshot(neo4j_driver) == reference
    FIGURES["kills survived"] = f"{len(kills)} (" + "; ".join(kills) + ")"


@pytest.mark.neo4j
@pytest.mark.slow
def test_a_server_restart_mid_load_is_a_clear_error_and_a_rerun_completes(neo4j_server, neo4j_driver,
                                                                         build_dir, reference):
    from kg.store import neo4j_server as srv

    clear_database(neo4j_driver)
    proc = start_load(build_dir, neo4j_server, "--batch-size", str(SMALL_BATCH), "--retry-seconds", "5")
    wait_until(proc, neo4j_driver, lambda n, m: n >= 2 * SMALL_BATCH)
    with srv.stopped():                            # stop now, start again at the end of the block
        out, err = proc.communicate(timeout=180)   # the load retries for 5 s, then gives up
    assert proc.returncode == 1, (out, err)
    assert "Traceback" not in err
    message = " ".join(err.split())                # rich wraps long lines
    assert "error: load interrupted after" in message
    assert "still failing after 5 s of retries" in message
    assert "run `citykg load` again to finish" in message
    partial = db_size(neo4j_driver)
    assert 0 < partial[0] < len(reference["nodes"])

    done = run_load(build_dir, neo4j_server)
    assert done.returncode == 0, done.stderr
    assert snapshot(neo4j_driver) == reference
    FIGURES["restart mid-load"] = (f"stopped at {partial[0]} nodes/{partial[1]} relationships, "
                                   f"clear error, re-run completed")


# --- every Cypher string takes values as parameters ----------------------------------------

CYPHER_WORD = re.compile(r"\b(MATCH|MERGE|CREATE|UNWIND|RETURN|DELETE|SET|WHERE|CALL|REQUIRE)\b")
# Functions whose result may be pasted into query text: they return a schema label, a
# relationship type or a key property name, or raise (kg.store.neo4j_load).
SCHEMA_CHECKED = {"_label", "_rel_type", "key_property", "primary_label"}


class CypherAudit(ast.NodeVisitor):
    """Finds Cypher text built from anything but constants and schema-checked names.

    A string is Cypher when its literal text holds an upper-case Cypher keyword. Inside it,
    an interpolated expression is safe only if it is a constant, a ``schema.X`` name, a call
    of a schema-checking function, or a local name whose every assignment is safe.
    ``str.format`` and ``%`` on Cypher text are never accepted.
    """

    def __init__(self, source: str, filename: str):
        self.filename, self.problems, self.cypher_strings = filename, [], 0
        self.tree = ast.parse(source, filename)
        self.assignments: dict[int, dict[str, list[ast.AST]]] = {}

    def run(self) -> "CypherAudit":
        self.visit(self.tree)
        return self

    # -- where names get their values, per function (and module)
    def _scope_assignments(self, node) -> dict[str, list[ast.AST]]:
        scope = self._enclosing.get(id(node), self.tree)
        if id(scope) not in self.assignments:
            found: dict[str, list[ast.AST]] = {}
            for sub in ast.walk(scope):
                if isinstance(sub, ast.Assign):
                    for target in sub.targets:
                        if isinstance(target, ast.Name):
                            found.setdefault(target.id, []).append(sub.value)
                elif isinstance(sub, (ast.AugAssign, ast.AnnAssign)) and isinstance(sub.target, ast.Name):
                    found.setdefault(sub.target.id, []).append(sub.value)
                elif isinstance(sub, (ast.For, ast.comprehension)) and isinstance(sub.target, ast.Name):
                    found.setdefault(sub.target.id, []).append(sub.iter)
            self.assignments[id(scope)] = found
        return self.assignments[id(scope)]

    def visit_Module(self, node):
        self._enclosing = {}
        for fn in ast.walk(node):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                for sub in ast.walk(fn):
                    self._enclosing[id(sub)] = fn   # innermost wins: walk visits outer first
        self.generic_visit(node)

    def safe(self, expr, at, seen=frozenset()) -> bool:
        if isinstance(expr, ast.Constant):
            return True
        if isinstance(expr, ast.JoinedStr):
            return all(self.safe(v.value, at, seen) for v in expr.values if isinstance(v, ast.FormattedValue))
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            return self.safe(expr.left, at, seen) and self.safe(expr.right, at, seen)
        if isinstance(expr, ast.IfExp):
            return self.safe(expr.body, at, seen) and self.safe(expr.orelse, at, seen)
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "schema":
            return True
        if isinstance(expr, ast.Call):
            fn = expr.func
            if isinstance(fn, ast.Name) and fn.id in SCHEMA_CHECKED:
                return True
            if isinstance(fn, ast.Attribute) and fn.attr in ("lower", "upper", "strip"):
                return self.safe(fn.value, at, seen)
            if isinstance(fn, ast.Attribute) and fn.attr == "join" and expr.args:
                arg = expr.args[0]
                if isinstance(arg, (ast.GeneratorExp, ast.ListComp)):
                    return self.safe(fn.value, at, seen) and self.safe(arg.elt, at, seen)
            return False
        if isinstance(expr, ast.Name):
            if expr.id in seen:
                return True
            # a name assigned in the function, else at module level (a query constant)
            values = self._scope_assignments(at).get(expr.id) or self._scope_assignments(self.tree).get(expr.id)
            return bool(values) and all(self.safe(v, at, seen | {expr.id}) for v in values)
        return False

    def is_cypher(self, node) -> bool:
        texts = []
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts = [node.value]
        elif isinstance(node, ast.JoinedStr):
            texts = [v.value for v in node.values if isinstance(v, ast.Constant)]
        return any(CYPHER_WORD.search(t) for t in texts)

    def flag(self, node, why: str) -> None:
        self.problems.append(f"{self.filename}:{node.lineno}: {why}: {ast.unparse(node)[:120]}")

    def visit_JoinedStr(self, node):
        if self.is_cypher(node):
            self.cypher_strings += 1
            if not self.safe(node, node):
                self.flag(node, "Cypher f-string interpolates a value")
        self.generic_visit(node)

    def visit_BinOp(self, node):
        if isinstance(node.op, ast.Mod) and self.is_cypher(node.left):
            self.flag(node, "Cypher text formatted with %")
        elif isinstance(node.op, ast.Add) and (self.is_cypher(node.left) or self.is_cypher(node.right)):
            if not self.safe(node, node):
                self.flag(node, "Cypher text concatenated with a value")
        self.generic_visit(node)

    def visit_Call(self, node):
        fn = node.func
        if isinstance(fn, ast.Attribute) and fn.attr == "format" and self.is_cypher(fn.value):
            self.flag(node, "Cypher text filled in with str.format")
        self.generic_visit(node)


def audit(source: str, filename: str = "<test>") -> CypherAudit:
    return CypherAudit(source, filename).run()


def test_the_audit_catches_values_pasted_into_cypher():
    bad = {
        "f-string": 'def f(s, name):\n    s.run(f"MATCH (n {{name: \'{name}\'}}) RETURN n")\n',
        "percent": 'def f(s, name):\n    s.run("MATCH (n) WHERE n.name = \'%s\' RETURN n" % name)\n',
        "format": 'def f(s, name):\n    s.run("MATCH (n) WHERE n.name = \'{}\' RETURN n".format(name))\n',
        "concatenation": 'def f(s, name):\n    s.run("MATCH (n) WHERE n.name = \'" + name + "\' RETURN n")\n',
        "unchecked label": 'def f(s, label):\n    q = f"MATCH (n:{label}) RETURN n"\n    s.run(q)\n',
        "tainted local": 'def f(s, name):\n    w = "n.name = " + name\n    s.run(f"MATCH (n) WHERE {w} RETURN n")\n',
    }
    for what, source in bad.items():
        assert audit(source).problems, what
    good = [
        'def f(s, name):\n    s.run("MATCH (n) WHERE n.name = $name RETURN n", name=name)\n',
        'def f(s, label):\n    s.run(f"MATCH (n:{_label(label)}) RETURN n")\n',
        'def f(s, src):\n    w = "n.id STARTS WITH $p" + (" AND n.s = $s" if src else "")\n'
        '    s.run(f"MATCH (n) WHERE {w} RETURN n", p="x", s=src)\n',
        'def f(s):\n    s.run(f"CREATE INDEX IF NOT EXISTS FOR (n:{schema.PLACE}) ON (n.name)")\n',
    ]
    for source in good:
        assert audit(source).problems == [], source


def kg_sources() -> list[Path]:
    """Every module that may talk to Neo4j. kg/flows builds DuckDB and Spark SQL over files (file
    paths quoted there) and never sends Cypher, so the Cypher audit does not read it."""
    return sorted(p for p in (paths.REPO / "kg").rglob("*.py") if "flows" not in p.relative_to(paths.REPO / "kg").parts[:1])


def test_no_cypher_in_kg_interpolates_a_value():
    problems, scanned = [], 0
    for path in kg_sources():
        result = audit(path.read_text(encoding="utf-8"), str(path.relative_to(paths.REPO)))
        problems += result.problems
        scanned += result.cypher_strings
    assert problems == []
    # the audit did look at the loader's query builders (so it is not vacuous)
    loader = audit((paths.REPO / "kg/store/neo4j_load.py").read_text(encoding="utf-8"))
    assert loader.cypher_strings >= 4
    FIGURES["Cypher audit"] = f"{scanned} Cypher f-strings in {len(kg_sources())} modules, 0 unsafe"


def test_notebooks_pass_values_as_parameters():
    import json

    for nb in sorted((paths.REPO / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        # notebooks may hold IPython magics that are not Python; audit the Python lines
        code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
        assert audit(code, nb.name).problems == []


# --- figures at the end of the session -----------------------------------------------------

class _Report:
    def pytest_terminal_summary(self, terminalreporter):
        if FIGURES:
            terminalreporter.section("reliability figures")
            for key, value in FIGURES.items():
                terminalreporter.write_line(f"{key}: {value}")


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    plugin = _Report()
    request.config.pluginmanager.register(plugin, "reliability-figures")
    yield
