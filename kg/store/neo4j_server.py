"""A local Neo4j Community server, installed from Maven Central and run without scripts.

``start`` runs ``org.neo4j.server.CommunityEntryPoint`` in the background, exactly what
``bin/neo4j console`` would run; ``stop``, ``status``, ``dump`` and ``restore`` complete the
lifecycle. The server listens on 127.0.0.1 only, with authentication on. See docs/neo4j.md
for what was checked and how.

This module is the one place callers go to (``from kg.store import neo4j_server as srv``):
installing (``kg.store.neo4j_install``) and connecting (``kg.store.neo4j_connect``) live in
their own modules and are named here too.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from kg.store.neo4j_connect import (UnchainedDriver, auth_message, connect, connect_local,  # noqa: F401
                                    connection_settings, local_settings, _local_settings)
from kg.store.neo4j_install import (ADMIN_TOOL, DATABASE, ENTRY_POINT, HEAP, JVM_OPTIONS,  # noqa: F401
                                    NEO4J_VERSION, PAGECACHE, POM, SERVER_TX_TIMEOUT,
                                    START_TIMEOUT, STOP_TIMEOUT, USER, ServerError, _pid_file,
                                    admin, bolt_port, bolt_uri, browser_url, confined_import_dir,
                                    console_log, home, http_port, install, is_installed,
                                    java_binary, lifecycle_lock, neo4j_conf, password_file, _tail)

# --- run -------------------------------------------------------------------

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
