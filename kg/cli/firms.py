"""``citykg firms check|import``: firm-linkage files (see docs/firms.md)."""
from __future__ import annotations

from pathlib import Path

import typer

from kg.cli import app, fail

firms_app = typer.Typer(help="Firm-linkage files (firm, HQ place, branch place): check them and "
                             "load them into Neo4j.", no_args_is_help=True)
app.add_typer(firms_app, name="firms")

REJECTS = typer.Option(None, "--rejects", help="Where rejected rows go, with line numbers and "
                                               "reasons (default: FILE.rejects.csv).")


def rejects_path(file: Path, rejects: Path | None) -> Path:
    return rejects or file.with_name(file.stem + ".rejects.csv")


def _report(stats, rejects: Path) -> None:
    typer.echo(stats.summary())
    if stats.rejected:
        typer.echo(f"rejected rows, with line numbers and reasons: {rejects}")


@firms_app.command()
def check(file: Path = typer.Argument(..., help="A firm-linkage CSV."), rejects: Path = REJECTS):
    """Validate a firm-linkage file without loading it; write the rejects file."""
    from kg.sources.firms import FirmFileError, FirmReader

    out = rejects_path(file, rejects)
    reader = FirmReader(file, rejects_path=out, network_only=True)
    try:
        for _ in reader.chunks():
            pass
    except FirmFileError as exc:
        fail(str(exc))
    _report(reader.stats, out)


@firms_app.command("import")
def import_(file: Path = typer.Argument(..., help="A firm-linkage CSV."), rejects: Path = REJECTS,
            source_id: str = typer.Option(None, "--source-id",
                                          help="Provenance stored on every relationship "
                                               "(default: the file name)."),
            batch_size: int = typer.Option(None, "--batch-size", min=1,
                                           help="Rows per transaction (default 5000)."),
            bulk: bool = typer.Option(False, "--bulk", help="Rebuild the local database from "
                                      "scratch with neo4j-admin import (graph + this file); "
                                      "faster for big files, replaces everything in it."),
            uri: str = typer.Option(None, "--uri", help="Bolt URI (default: env NEO4J_URI, "
                                    "else the local server)."),
            user: str = typer.Option(None, "--user"), password: str = typer.Option(None, "--password"),
            database: str = typer.Option("neo4j", "--database")):
    """Load a firm-linkage file into Neo4j (Organization nodes LOCATED_IN their HQ and branch places).

    Bad rows are skipped and written to the rejects file; loading the same file again adds nothing.
    """
    from neo4j.exceptions import DriverError, Neo4jError

    from kg.sources.firms import FirmFileError

    out = rejects_path(file, rejects)
    if bulk:
        if uri:
            fail("--bulk works on the local server only (it stops it and rebuilds its database)")
        _bulk(file, out, source_id, with_firms=True)
        return
    from kg.cli.neo4j import _connect
    from kg.store.neo4j_firms import DEFAULT_BATCH_SIZE, load_firms

    driver = _connect(uri, user, password)
    try:
        with driver:
            result = load_firms(driver, file, source_id=source_id, database=database,
                                batch_size=batch_size or DEFAULT_BATCH_SIZE, rejects_path=out)
    except FirmFileError as exc:
        fail(str(exc))
    except (Neo4jError, DriverError) as exc:
        fail(f"Neo4j: {exc}; the batches already written are kept and loading is idempotent: "
             "run the same command again to finish")
    stats = result["stats"]
    _report(stats, out)
    typer.echo(f"merged {result['firms']} firms and {result['relationships']} LOCATED_IN "
               f"relationships (source_id {result['source_id']}) in {result['seconds']:.1f} s "
               f"({stats.accepted / max(result['seconds'], 1e-9):,.0f} rows/s)")


def _bulk(firms: Path | None, rejects: Path | None, source_id: str | None,
          with_firms: bool, build: Path | None = None) -> None:
    """Path (b), shared by ``citykg firms import --bulk`` and ``citykg load --bulk``."""
    from kg.sources.firms import FirmFileError
    from kg.store.neo4j_bulk import BulkError, bulk_load
    from kg.store.neo4j_server import ServerError

    g = _graph(build)
    try:
        result = bulk_load(g, firms_path=firms if with_firms else None, source_id=source_id,
                           rejects_path=rejects, progress=lambda step: typer.echo(f"  {step} ..."))
    except (BulkError, ServerError, FirmFileError) as exc:
        fail(str(exc))
    if result["stats"] is not None:
        _report(result["stats"], rejects)
    total = sum(result["seconds"].values())
    c = result["counts"]
    typer.echo(f"bulk-loaded in {total:.1f} s (import {result['seconds']['import']:.1f} s); the "
               f"database holds {c['nodes']} nodes and {c['relationships']} relationships")


def bulk_command(bulk: bool, firms: Path | None, build: Path | None, uri: str | None) -> None:
    """``citykg load --bulk [--firms FILE]``."""
    if not bulk:
        fail("--firms goes with --bulk; to add firms to a loaded graph use `citykg firms import FILE`")
    if uri:
        fail("--bulk works on the local server only (it stops it and rebuilds its database)")
    _bulk(firms, rejects_path(firms, None) if firms else None, None, with_firms=firms is not None,
          build=build)


def _graph(build: Path | None):
    if build is not None:
        from kg.store.files import BuildFileError, read_build

        if not (build / "nodes.csv").exists():
            fail(f"{build}: not a build folder (no nodes.csv); run `citykg build --out {build}`")
        try:
            return read_build(build)
        except BuildFileError as exc:
            fail(str(exc))
    from kg.build import build_graph

    typer.echo("building the graph in memory ...")
    try:
        return build_graph()
    except (ValueError, FileNotFoundError) as exc:
        fail(str(exc))
