"""``citykg neo4j install|start|stop|status``, ``citykg load``, ``citykg query``,
``citykg dump`` and ``citykg restore``."""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import typer

from kg.cli import app, fail

neo4j_app = typer.Typer(help="The local Neo4j Community server (installed from Maven Central, "
                             "listening on 127.0.0.1 only).", no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")

URI = typer.Option(None, "--uri", help="Bolt URI (default: env NEO4J_URI, else the local server).")
USER = typer.Option(None, "--user", help="User (default: env NEO4J_USER, else neo4j).")
PASSWORD = typer.Option(None, "--password", help="Password (default: env NEO4J_PASSWORD, else the "
                                                 "local server's password file).")
DATABASE = typer.Option("neo4j", "--database", help="Database name.")


def _connect(uri, user, password):
    from kg.store.neo4j_server import ServerError, connect

    try:
        return connect(uri, user, password)
    except ServerError as exc:
        fail(str(exc))


@neo4j_app.command()
def install(force: bool = typer.Option(False, "--force", help="Fetch the jars again.")):
    """Fetch Neo4j + Neo4j Browser from Maven Central into the cache and set a random password."""
    from kg.store import neo4j_server as srv

    t0 = time.monotonic()
    try:
        home = srv.install(force=force, echo=typer.echo)
    except srv.ServerError as exc:
        fail(str(exc))
    typer.echo(f"Neo4j {srv.NEO4J_VERSION} installed in {home} ({time.monotonic() - t0:.0f} s); "
               f"password in {srv.password_file()}")


@neo4j_app.command()
def start(timeout: float = typer.Option(120, "--timeout", help="Seconds to wait for the server.")):
    """Start the local server in the background and wait until it answers."""
    from kg.store import neo4j_server as srv

    try:
        seconds = srv.start(timeout)
    except srv.ServerError as exc:
        fail(str(exc))
    srv.disown()  # started by hand: a test session using it must not stop it
    how = f"started in {seconds:.0f} s" if seconds else "already running"
    typer.echo(f"Neo4j {how}: {srv.bolt_uri()}, Browser {srv.browser_url()} "
               f"(user {srv.USER}, password in {srv.password_file()})")


@neo4j_app.command()
def stop():
    """Stop the local server."""
    from kg.store import neo4j_server as srv

    try:
        was = srv.stop()
    except srv.ServerError as exc:
        fail(str(exc))
    typer.echo("Neo4j stopped" if was else "Neo4j was not running")


@neo4j_app.command()
def status():
    """Is the local server installed and running; where; which version."""
    from kg.store import neo4j_server as srv

    info = srv.status()
    typer.echo(f"installed: {'yes' if info['installed'] else 'no'} ({info['home']})")
    if info["running"]:
        typer.echo(f"running:   yes, pid {info['pid']}, {info.get('version', '?')}")
        typer.echo(f"bolt:      {info['bolt']}\nbrowser:   {info['browser']}")
        if "error" in info:
            typer.echo(f"problem:   {info['error']}")
    else:
        typer.echo("running:   no (start it with `citykg neo4j start`)")
    raise typer.Exit(0 if info["running"] else 3)


@app.command()
def load(build_dir: Path = typer.Argument(None, help="A build folder from `citykg build` "
                                          "(default: the last build; none: build in memory now)."),
         build: Path = typer.Option(None, "--build", help="Same as BUILD_DIR."),
         uri: str = URI, user: str = USER, password: str = PASSWORD, database: str = DATABASE,
         batch_size: int = typer.Option(1000, "--batch-size", min=1, help="Rows per transaction."),
         retry_seconds: float = typer.Option(30, "--retry-seconds", min=0,
                                             help="Give up on a batch after retrying transient "
                                                  "errors (server away, deadlock) this long."),
         clear: bool = typer.Option(False, "--clear", help="Delete everything in the database first."),
         bulk: bool = typer.Option(False, "--bulk", help="Fresh database: rebuild the local server's "
                                   "database with neo4j-admin import instead (replaces everything)."),
         firms: Path = typer.Option(None, "--firms", help="With --bulk: also import this firm-linkage "
                                    "file (see `citykg firms import`).")):
    """Load the build files into Neo4j (constraints first, batched MERGE; loading twice changes
    nothing; a load that was killed or interrupted is completed by running it again)."""
    from kg.store.files import last_build

    if build_dir is not None and build is not None and build_dir != build:
        fail(f"two build folders given ({build_dir} and --build {build}); give one")
    build = build_dir or build
    if build is None:
        build = last_build()
        if build is not None:
            typer.echo(f"loading the last build, {build} (give BUILD_DIR to load another)")
    if bulk or firms:  # path (b), in kg/cli/firms.py
        from kg.cli.firms import bulk_command

        return bulk_command(bulk, firms, build, uri)
    from neo4j.exceptions import DriverError, Neo4jError

    from kg.store.neo4j_load import LoadError, clear_database, database_counts, load_graph

    if build is not None:
        from kg.store.files import BuildFileError, read_build

        if not (build / "nodes.csv").exists():
            fail(f"{build}: not a build folder (no nodes.csv); run `citykg build --out {build}`")
        try:
            g = read_build(build)
        except BuildFileError as exc:  # a damaged or hand-edited build: name file and line
            fail(str(exc))
    else:
        from kg.build import build_graph

        typer.echo("no build found (run `citykg build`); building the graph in memory ...")
        try:
            g = build_graph()
        except (ValueError, FileNotFoundError) as exc:
            fail(str(exc))
    driver = _connect(uri, user, password)
    t0 = time.monotonic()
    try:
        with driver:
            if clear:
                clear_database(driver, database)
            done = load_graph(driver, g, database=database, batch_size=batch_size,
                              retry_seconds=retry_seconds)
            now = database_counts(driver, database)
    except (LoadError, Neo4jError) as exc:
        fail(str(exc))
    except DriverError as exc:  # the server went away outside a batch (e.g. during --clear)
        fail(f"lost the connection to Neo4j ({type(exc).__name__}: {exc}); "
             "run `citykg load` again when the server is back (loading is idempotent)")
    typer.echo(f"loaded {done['nodes']} nodes and {done['relationships']} relationships in "
               f"{time.monotonic() - t0:.1f} s; the database now holds {now['nodes']} nodes and "
               f"{now['relationships']} relationships")
    if done.get("pruned_nodes") or done.get("pruned_relationships") or done.get("dropped_labels"):
        typer.echo(f"removed what the build no longer has: {done['pruned_nodes']} nodes, "
                   f"{done['pruned_relationships']} relationships, {done['dropped_labels']} labels")


@app.command()
def query(cypher: str = typer.Argument(None, help="Cypher text, or the name of a query in queries/."),
          param: list[str] = typer.Option(None, "--param", "-p", help="NAME=VALUE (repeatable); "
                                          "numbers and JSON are parsed, '\"310107\"' stays text."),
          fmt: str = typer.Option("table", "--format", "-f", help="table, csv or json."),
          list_queries: bool = typer.Option(False, "--list", help="List the cookbook queries."),
          timeout: float = typer.Option(60, "--timeout", help="Seconds before the server stops the query."),
          uri: str = URI, user: str = USER, password: str = PASSWORD, database: str = DATABASE):
    """Run read-only Cypher (the server refuses writes) and print the rows."""
    from kg.store import neo4j_query as nq

    if list_queries:
        queries = nq.cookbook()
        width = max(map(len, queries), default=0) + 2
        for name, path in queries.items():
            typer.echo(f"{name:<{width}}{nq.describe(path)}")
            for key, spec in nq.declared_params(path.read_text(encoding="utf-8")).items():
                optional = ", optional" if spec.optional else ""
                typer.echo(f"{'':<{width}}  --param {key}=…  ({spec.kind}{optional}, e.g. {spec.example})")
        return
    if not cypher:
        fail("give a Cypher query or a cookbook query name (see `citykg query --list`)")
    if fmt not in ("table", "csv", "json"):
        fail(f"--format must be table, csv or json, not {fmt!r}")
    try:
        text = nq.resolve_query(cypher)
        params = nq.check_params(nq.declared_params(text), nq.parse_params(param))
        nq.check_confined(text)                  # refused before the server is asked
    except nq.QueryError as exc:
        fail(str(exc))
    # The driver logs the server's notifications as long reprs; we print them as one line each.
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    driver = _connect(uri, user, password)
    notes: list[str] = []
    try:
        with driver:
            keys, rows = nq.run_read(driver, text, params, database, notes=notes, timeout=timeout)
    except nq.QueryError as exc:
        fail(str(exc))
    for note in dict.fromkeys(notes):
        typer.secho(f"note: {note}", fg=typer.colors.YELLOW, err=True)
    if fmt == "csv":
        typer.echo(nq.to_csv(keys, rows), nl=False)
    elif fmt == "json":
        typer.echo(nq.to_json(keys, rows))
    else:
        from rich.console import Console

        Console().print(nq.to_table(keys, rows))
        typer.echo(f"{len(rows)} row{'s' if len(rows) != 1 else ''}")


@app.command()
def dump(out: Path = typer.Option(Path("citykg.dump"), "--out", help="Archive file to write.")):
    """Dump the local server's database to one file (the server is stopped and restarted)."""
    from kg.store import neo4j_server as srv

    try:
        path = srv.dump(out)
    except srv.ServerError as exc:
        fail(str(exc))
    typer.echo(f"dumped database {srv.DATABASE} to {path} ({path.stat().st_size / 1e6:.1f} MB)")


@app.command()
def restore(archive: Path = typer.Argument(..., help="A file written by `citykg dump`.")):
    """Replace the local server's database with a dump (the server is stopped and restarted)."""
    from kg.store import neo4j_server as srv

    try:
        srv.restore(archive)
    except srv.ServerError as exc:
        fail(str(exc))
    typer.echo(f"restored database {srv.DATABASE} from {archive}")
    if srv.is_running():
        from kg.store.neo4j_load import database_counts

        try:
            with srv.connect_local() as driver:
                c = database_counts(driver)
        except srv.ServerError as exc:
            fail(str(exc))
        typer.echo(json.dumps({"nodes": c["nodes"], "relationships": c["relationships"]}))
