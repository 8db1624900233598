"""A local Neo4j Community server, installed from Maven Central and run without scripts.

Neo4j does not publish its tarball on Maven Central, but ``org.neo4j:neo4j`` carries the
server entry point and its whole runtime closure. ``install`` lets Maven copy those jars
(plus Neo4j Browser) into ``CACHE/neo4j-<version>/lib``; ``start`` runs
``org.neo4j.server.CommunityEntryPoint`` in the background, exactly what ``bin/neo4j
console`` would run. See docs/neo4j.md for what was checked and how.

The server listens on 127.0.0.1 only, with authentication on. The password is random,
set with ``neo4j-admin dbms set-initial-password`` before the first start and kept in
``CACHE/neo4j-password`` (mode 600), outside the repository.

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
import signal
import socket
import subprocess
import tempfile
import threading
import time
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


# --- run -------------------------------------------------------------------

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


def pid() -> int | None:
    """The pid of our running server, or None."""
    try:
        value = int(_pid_file().read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        cmdline = Path(f"/proc/{value}/cmdline").read_bytes()
    except FileNotFoundError:
        return None
    # A recycled pid would belong to some other program.
    return value if ENTRY_POINT.encode() in cmdline else None


def is_running() -> bool:
    return pid() is not None


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1.0)
        return s.connect_ex(("127.0.0.1", port)) == 0


def server_command() -> list[str]:
    h = home()
    return [java_binary(), f"-Xms{HEAP}", f"-Xmx{HEAP}", *JVM_OPTIONS,
            "-cp", f"{h}/plugins/*:{h}/conf/*:{h}/lib/*", ENTRY_POINT,
            f"--home-dir={h}", f"--config-dir={h / 'conf'}", "--console-mode"]


def start(timeout: float = START_TIMEOUT) -> float:
    """Start the server in the background and wait until it answers a query.

    Returns the seconds it took (0 if it was already running).
    """
    if not is_installed():
        raise ServerError("Neo4j is not installed; run `citykg neo4j install`")
    with lifecycle_lock():
        return _start(timeout)


def _start(timeout: float) -> float:
    if is_running():
        wait_ready(timeout)
        return 0.0
    for port, env in ((bolt_port(), "CITYKG_BOLT_PORT"), (http_port(), "CITYKG_HTTP_PORT")):
        if port_in_use(port):
            raise ServerError(f"port {port} on 127.0.0.1 is already in use (another Neo4j?); stop that "
                              f"program or choose another port with {env}")
    h = home()
    confined_import_dir().mkdir(exist_ok=True)     # installs made before it existed
    (h / "conf" / "neo4j.conf").write_text(neo4j_conf(), encoding="utf-8")
    t0 = time.monotonic()
    with open(console_log(), "w", encoding="utf-8") as log:
        proc = subprocess.Popen(server_command(), cwd=h, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    _pid_file().write_text(f"{proc.pid}\n")
    try:
        wait_ready(timeout, proc)
    except ServerError:
        if proc.poll() is None:  # up but not answering: do not leave a half-started JVM behind
            _terminate(proc.pid, 30)
        _pid_file().unlink(missing_ok=True)
        raise
    return time.monotonic() - t0


def wait_ready(timeout: float = START_TIMEOUT, proc: subprocess.Popen | None = None) -> None:
    """Poll with the Python driver until ``RETURN 1`` works; fail early if the JVM died."""
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError, ServiceUnavailable, SessionExpired, TransientError

    uri, user, password, source = _local_settings()
    deadline = time.monotonic() + timeout
    with GraphDatabase.driver(uri, auth=(user, password)) as driver:
        while True:
            if proc is not None and proc.poll() is not None:
                raise ServerError(f"Neo4j exited (code {proc.returncode}) while starting; "
                                  f"last lines of {console_log()}:\n{_tail(console_log())}")
            try:
                driver.verify_connectivity()
                driver.execute_query("RETURN 1", database_=DATABASE)
                return
            except AuthError as exc:
                raise ServerError(auth_message(uri, user, source, exc)) from None
            except (ServiceUnavailable, SessionExpired, TransientError, OSError):
                pass
            if time.monotonic() > deadline:
                raise ServerError(f"Neo4j did not answer at {uri} within {timeout:.0f} s; "
                                  f"last lines of {console_log()}:\n{_tail(console_log())}")
            time.sleep(0.5)


def _terminate(process_id: int, timeout: float) -> bool:
    """SIGTERM (Neo4j shuts down cleanly on it) and wait; SIGKILL if it will not go."""
    try:
        os.kill(process_id, signal.SIGTERM)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Path(f"/proc/{process_id}").exists() or _is_zombie(process_id):
            _reap(process_id)
            return True
        time.sleep(0.2)
    os.kill(process_id, signal.SIGKILL)
    _reap(process_id)
    return False


def _is_zombie(process_id: int) -> bool:
    try:
        return Path(f"/proc/{process_id}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except (FileNotFoundError, IndexError):
        return False


def _reap(process_id: int) -> None:
    # Only our own child can be reaped; for a server started by another process this is a no-op.
    try:
        os.waitpid(process_id, os.WNOHANG)
    except ChildProcessError:
        pass


def disown() -> None:
    """A user started or stopped the server by hand: no shared_server() user may stop it."""
    (home() / "run" / "started-by").unlink(missing_ok=True)


def stop(timeout: float = STOP_TIMEOUT) -> bool:
    """Stop the server; returns False if it was not running."""
    with lifecycle_lock():
        return _stop(timeout)


def _stop(timeout: float) -> bool:
    process_id = pid()
    if process_id is None:
        _pid_file().unlink(missing_ok=True)
        return False
    clean = _terminate(process_id, timeout)
    _pid_file().unlink(missing_ok=True)
    if not clean:
        raise ServerError(f"Neo4j did not stop within {timeout:.0f} s and was killed; "
                          f"see {home() / 'logs' / 'debug.log'}")
    return True


def status() -> dict:
    """What a user wants to know: installed? running? where? which version?"""
    info = {"installed": is_installed(), "home": str(home()), "running": is_running(), "pid": pid(),
            "bolt": bolt_uri(), "browser": browser_url(), "password_file": str(password_file())}
    if info["running"]:
        try:
            with connect() as driver:
                rec = driver.execute_query("CALL dbms.components() YIELD name, versions, edition "
                                           "RETURN versions[0] AS version, edition").records[0]
                info["version"] = f"{rec['version']} {rec['edition']}"
        except ServerError as exc:
            info["error"] = str(exc)
    return info


@contextmanager
def stopped():
    """Stop the server for the duration of the block (admin commands need it), then restart it."""
    with lifecycle_lock():
        was_running = is_running()
        if was_running:
            stop()
        try:
            yield
        finally:
            if was_running:
                start()


def _alive(process_id: int) -> bool:
    return Path(f"/proc/{process_id}").exists() and not _is_zombie(process_id)


@contextmanager
def shared_server(timeout: float = START_TIMEOUT):
    """Use the local server for a while (a test session, a report run).

    Starts it if needed. On exit it is stopped only if this process started it and no
    other live process is still using it; a server a user started by hand is left alone.
    Yields the local connection settings.
    """
    run = home() / "run"
    me = os.getpid()
    lease, starter = run / f"lease-{me}", run / "started-by"
    with lifecycle_lock():
        if not is_running():
            start(timeout)
            starter.write_text(f"{me}\n")
        else:
            wait_ready(timeout)
        lease.touch()
    try:
        yield local_settings()
    finally:
        with lifecycle_lock():
            lease.unlink(missing_ok=True)
            others = []
            for other in run.glob("lease-*"):
                if _alive(int(other.name[6:])):
                    others.append(other)
                else:  # left behind by a killed session
                    other.unlink(missing_ok=True)
            try:
                owner = int(starter.read_text())
            except (FileNotFoundError, ValueError):
                owner = None
            if owner is not None and not others and (owner == me or not _alive(owner)):
                stop()
                starter.unlink(missing_ok=True)


def dump(out: Path) -> Path:
    """Write the ``neo4j`` database to one archive file (stops and restarts the server)."""
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not is_installed():
        raise ServerError("Neo4j is not installed; run `citykg neo4j install`")
    with stopped(), tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        admin(["database", "dump", DATABASE, f"--to-path={tmp}", "--overwrite-destination"])
        os.replace(Path(tmp) / f"{DATABASE}.dump", out)
    return out


def restore(archive: Path) -> None:
    """Replace the ``neo4j`` database with a dump made by :func:`dump` (stops and restarts the server)."""
    archive = Path(archive).resolve()
    if not archive.is_file():
        raise ServerError(f"{archive}: no such dump file")
    if not is_installed():
        raise ServerError("Neo4j is not installed; run `citykg neo4j install`")
    with stopped(), tempfile.TemporaryDirectory() as tmp:
        # `database load` reads <database>.dump from a folder.
        os.symlink(archive, Path(tmp) / f"{DATABASE}.dump")
        admin(["database", "load", DATABASE, f"--from-path={tmp}", "--overwrite-destination"])


# --- connecting --------------------------------------------------------------

def _local_settings() -> tuple[str, str, str | None, str]:
    try:
        password = password_file().read_text().strip()
    except FileNotFoundError:
        password = None
    return bolt_uri(), USER, password, str(password_file())


def connection_settings(uri: str | None = None, user: str | None = None,
                        password: str | None = None) -> dict:
    """uri/user/password: explicit values, else env NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD, else the local install.

    ``password_source`` says where the password came from, for error messages.
    """
    local_uri, local_user, local_password, local_source = _local_settings()
    if password is not None:
        source = "the --password option"
    elif os.environ.get("NEO4J_PASSWORD"):
        password, source = os.environ["NEO4J_PASSWORD"], "env NEO4J_PASSWORD"
    else:
        password, source = local_password, local_source
    return {"uri": uri or os.environ.get("NEO4J_URI") or local_uri,
            "user": user or os.environ.get("NEO4J_USER") or local_user,
            "password": password, "password_source": source}


def local_settings() -> dict:
    """uri/user/password of the local install, whatever NEO4J_* says."""
    uri, user, password, source = _local_settings()
    return {"uri": uri, "user": user, "password": password, "password_source": source}


def connect_local():
    """A verified driver for the local install."""
    s = local_settings()
    return connect(s["uri"], s["user"], s["password"])


def auth_message(uri: str, user: str, source: str, exc: Exception | None = None) -> str:
    return (f"Neo4j at {uri} refused the password for user '{user}' (authentication failed); "
            f"the password came from {source}. Set NEO4J_PASSWORD or --password, or unset them "
            f"to use the local install's password in {password_file()}")


class UnchainedDriver:
    """A ``neo4j.Driver`` whose ``execute_query`` does not chain bookmarks (everything else is
    the driver's own).

    Bookmarks make a read wait until the server has the writes seen before. On our single
    server every committed write is visible at once, so they add nothing; and after a
    restore or a bulk import the database's transaction ids start lower again, so a driver
    holding bookmarks would wait for transactions that never come (BookmarkTimeout).
    ``bookmark_manager_=None`` is the driver's public switch for one call; this passes it
    on every call unless the caller gives another.
    """

    def __init__(self, driver):
        self.driver = driver

    def execute_query(self, query, parameters_=None, *args, **kwargs):
        kwargs.setdefault("bookmark_manager_", None)
        return self.driver.execute_query(query, parameters_, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.driver, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.driver.close()


def connect(uri: str | None = None, user: str | None = None, password: str | None = None):
    """A verified ``neo4j.Driver``; raises ServerError with a one-line reason otherwise."""
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError, ServiceUnavailable

    s = connection_settings(uri, user, password)
    if s["password"] is None:
        raise ServerError(f"no Neo4j password: set NEO4J_PASSWORD, or run `citykg neo4j install` "
                          f"to create the local server (its password goes to {password_file()})")
    driver = GraphDatabase.driver(s["uri"], auth=(s["user"], s["password"]))
    try:
        driver.verify_connectivity()
    except AuthError as exc:
        driver.close()
        raise ServerError(auth_message(s["uri"], s["user"], s["password_source"], exc)) from None
    except (ServiceUnavailable, OSError, ValueError) as exc:
        driver.close()
        hint = "; start the local one with `citykg neo4j start`" if s["uri"] == bolt_uri() else ""
        raise ServerError(f"no Neo4j server answers at {s['uri']}{hint} ({type(exc).__name__})") from None
    return UnchainedDriver(driver)
