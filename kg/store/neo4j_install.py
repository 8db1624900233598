"""Installing the local Neo4j Community server from Maven Central: where it lives, its config.

Neo4j does not publish its tarball on Maven Central, but ``org.neo4j:neo4j`` carries the
server entry point and its whole runtime closure. ``install`` lets Maven copy those jars
(plus Neo4j Browser) into ``CACHE/neo4j-<version>/lib``. The password is random, set with
``neo4j-admin dbms set-initial-password`` before the first start and kept in
``CACHE/neo4j-password`` (mode 600), outside the repository. Running the server is
``kg.store.neo4j_server``; connecting to it is ``kg.store.neo4j_connect``.

>>> conf = neo4j_conf(bolt=7690, http=7480)
>>> "server.bolt.listen_address=127.0.0.1:7690" in conf
True
"""
from __future__ import annotations

import fcntl
import os
import re
import secrets
import shutil
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path

from kg import paths

NEO4J_VERSION = "5.26.24"
USER = "neo4j"
DATABASE = "neo4j"
HEAP = "1g"
PAGECACHE = "512m"
START_TIMEOUT = 120.0
STOP_TIMEOUT = 120.0
POM = paths.REPO / "tools" / "neo4j" / "pom.xml"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"

# The JVM options the 5.x tarball puts in neo4j.conf (server.jvm.additional). A direct
# launch does not read them from the config, so they are passed on the command line.
JVM_OPTIONS = (
    "-XX:+UseG1GC", "-XX:-OmitStackTraceInFastThrow", "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields", "-XX:+DisableExplicitGC", "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024", "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048", "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-XX:FlightRecorderOptions=stackdepth=256", "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+DebugNonSafepoints", "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED", "-Dlog4j2.disable.jmx=true", "-Dfile.encoding=UTF-8",
)


class ServerError(RuntimeError):
    """Something about the local server went wrong; the message says what to do."""


# --- where things are -------------------------------------------------------

def home() -> Path:
    """NEO4J_HOME of the local install (outside the repository)."""
    return paths.CACHE / f"neo4j-{NEO4J_VERSION}"


def password_file() -> Path:
    return paths.CACHE / "neo4j-password"


def bolt_port() -> int:
    return int(os.environ.get("CITYKG_BOLT_PORT", "7687"))


def http_port() -> int:
    return int(os.environ.get("CITYKG_HTTP_PORT", "7474"))


def bolt_uri() -> str:
    return f"bolt://127.0.0.1:{bolt_port()}"


def browser_url() -> str:
    return f"http://127.0.0.1:{http_port()}/browser/"


def _pid_file() -> Path:
    # Neo4j writes run/neo4j.pid itself and removes it on exit; ours survives a crash,
    # which is how `status` can tell "crashed" from "never started".
    return home() / "run" / "citykg.pid"


def console_log() -> Path:
    return home() / "logs" / "console.log"


# --- one lifecycle operation at a time ------------------------------------

_lock_state = threading.local()


@contextmanager
def lifecycle_lock():
    """Serialise start/stop/dump/restore across processes (two shells, two test sessions).

    Re-entrant within one thread: dump() holds it while it calls stop() and start().
    """
    depth = getattr(_lock_state, "depth", 0)
    if depth:
        _lock_state.depth = depth + 1
        try:
            yield
        finally:
            _lock_state.depth -= 1
        return
    path = home() / "run" / "lifecycle.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # released when the file closes
        _lock_state.depth = 1
        try:
            yield
        finally:
            _lock_state.depth = 0


# --- install ---------------------------------------------------------------

SERVER_TX_TIMEOUT = "15m"


def confined_import_dir() -> Path:
    """The empty folder that LOAD CSV's ``file:///`` URLs resolve into (never written to)."""
    return home() / "import-confined"


def neo4j_conf(bolt: int | None = None, http: int | None = None) -> str:
    """The neo4j.conf we run with: loopback only, authentication on, small memory."""
    bolt = bolt or bolt_port()
    http = http or http_port()
    return "\n".join([
        "# Written by `citykg neo4j install/start`; edits are overwritten at each start.",
        "server.default_listen_address=127.0.0.1",
        "server.default_advertised_address=127.0.0.1",
        "server.bolt.enabled=true",
        f"server.bolt.listen_address=127.0.0.1:{bolt}",
        "server.http.enabled=true",
        f"server.http.listen_address=127.0.0.1:{http}",
        "server.https.enabled=false",
        "dbms.security.auth_enabled=true",
        # LOAD CSV may read file:/// URLs only inside this dedicated folder, kept empty, so a
        # query cannot read files of the server's user (`../` cannot leave it either).
        f"server.directories.import={confined_import_dir()}",
        # A backstop for every transaction; `citykg query --timeout` sets a shorter one.
        f"db.transaction.timeout={SERVER_TX_TIMEOUT}",
        # Read by the official launcher only; the JVM gets -Xms/-Xmx from start() directly.
        f"server.memory.heap.initial_size={HEAP}",
        f"server.memory.heap.max_size={HEAP}",
        f"server.memory.pagecache.size={PAGECACHE}",
        "dbms.usage_report.enabled=false",
        # Netty waits 5 s of quiet twice on shutdown; 1 s makes stop (and dump/restore) faster.
        "internal.dbms.bolt.netty_server_shutdown_quiet_period=1",
        "",
    ])


def is_installed() -> bool:
    h = home()
    return (h / "lib" / f"neo4j-{NEO4J_VERSION}.jar").exists() and password_file().exists()


def _require_tool(name: str, hint: str) -> str:
    found = shutil.which(name)
    if not found:
        raise ServerError(f"`{name}` not found on PATH; {hint}")
    return found


def java_binary() -> str:
    java = _require_tool("java", "install a Java 17 or 21 runtime (Debian: apt-get install openjdk-17-jre-headless)")
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    match = re.search(r'version "(\d+)', out)
    if match and int(match.group(1)) < 17:
        raise ServerError(f"Neo4j {NEO4J_VERSION} needs Java 17 or 21; `java -version` says {match.group(1)}")
    return java


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return f"(no log at {path})"
    # Java stack frames make the tail useless; keep the messages.
    text = [t for t in text if not t.lstrip().startswith("at ")]
    return "\n".join(text[-lines:])


def install(force: bool = False, echo=print) -> Path:
    """Fetch the jars with Maven (cached in ~/.m2), write the config, set the password.

    Safe to run again: it only fetches what is missing (or everything with ``force``).
    """
    with lifecycle_lock():
        return _install(force, echo)


def _install(force: bool, echo) -> Path:
    h = home()
    for sub in ("conf", "data", "logs", "plugins", "import", "import-confined", "run", "lib"):
        (h / sub).mkdir(parents=True, exist_ok=True)
    if force or not (h / "lib" / f"neo4j-{NEO4J_VERSION}.jar").exists():
        java_binary()
        mvn = _require_tool("mvn", "install Apache Maven (Debian: apt-get install maven)")
        echo(f"Fetching Neo4j {NEO4J_VERSION} and Neo4j Browser from Maven Central into {h / 'lib'} ...")
        proc = subprocess.run([mvn, "-B", "-q", "-f", str(POM), "package", f"-Dneo4j.home={h}"],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
            raise ServerError(f"Maven could not fetch Neo4j (exit {proc.returncode}):\n{tail}")
    (h / "conf" / "neo4j.conf").write_text(neo4j_conf(), encoding="utf-8")
    if not password_file().exists():
        _set_initial_password()
    return h


def _set_initial_password() -> None:
    h = home()
    if (h / "data" / "databases" / "system").exists():
        # The initial password only counts before the first start; after that it lives
        # in the system database and we cannot know it.
        raise ServerError(f"{password_file()} is missing but {h} has been started before, so its password "
                          f"is unknown; remove {h / 'data'} (this deletes the loaded graph; `citykg load` "
                          "rebuilds it) and run `citykg neo4j install` again")
    # A leading '-' would be read as an option by neo4j-admin's command-line parser.
    password = "k" + secrets.token_urlsafe(18)
    admin(["dbms", "set-initial-password", password])
    path = password_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(password + "\n")
    os.chmod(path, 0o600)


def admin(args: list[str], heap: str = "1g") -> str:
    """Run ``neo4j-admin ARGS`` (org.neo4j.cli.AdminTool) on the local install; returns its output."""
    h = home()
    cmd = [java_binary(), f"-Xmx{heap}", *JVM_OPTIONS, "-cp", f"{h}/lib/*", ADMIN_TOOL, *args]
    env = {**os.environ, "NEO4J_HOME": str(h), "NEO4J_CONF": str(h / "conf")}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    out = proc.stdout + proc.stderr
    if proc.returncode != 0:
        lines = [t for t in out.strip().splitlines() if not t.lstrip().startswith("at ")]
        # The tool logs "<time> ERROR [class] message"; the first such message says it best.
        errors = [t.split("] ", 1)[-1] for t in lines if " ERROR " in t]
        raise ServerError(f"neo4j-admin {' '.join(args[:3])} failed (exit {proc.returncode}): "
                          + (errors[0] if errors else "\n".join(lines[-8:])))
    return out
